"""Fully connected networks and input normalization."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "identity": nn.Identity}


class MLP(nn.Module):
    """Multi-layer perceptron: flatten, then ``Linear -> activation`` per hidden width, then ``Linear``.

    Input ``[B, *]`` with ``prod(*) == in_features``; output ``[B, out_features]``.
    """

    def __init__(self, in_features: int, hidden: Sequence[int], out_features: int, *,
                 activation: str = "relu", bias: bool = True):
        super().__init__()
        widths = [in_features, *hidden, out_features]
        for width in widths:
            if not isinstance(width, int) or isinstance(width, bool) or width < 1:
                raise ValueError(f"layer widths must be positive integers, got {widths}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}")
        layers: list[nn.Module] = [nn.Flatten()]
        for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(fan_in, fan_out, bias=bias))
            if index < len(widths) - 2:
                layers.append(ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)
        self.in_features = in_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Normalize(nn.Module):
    """Subtract ``mean`` and divide by ``std`` per channel, as the model's first layer.

    Keeping normalization inside the model lets attacks work in the data's own
    units: inputs in ``[0, 1]`` and a radius ``eps`` in pixel units.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]):
        super().__init__()
        mean_tensor = torch.as_tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1)
        std_tensor = torch.as_tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1)
        if mean_tensor.shape != std_tensor.shape:
            raise ValueError(f"mean and std need one value per channel, got {len(mean_tensor.flatten())} and "
                             f"{len(std_tensor.flatten())}")
        if (std_tensor <= 0).any():
            raise ValueError(f"std must be positive, got {list(std)}")
        self.register_buffer("mean", mean_tensor)
        self.register_buffer("std", std_tensor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std
