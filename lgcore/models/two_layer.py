"""Two-layer ReLU networks with a fixed second layer, as in the feature-averaging analysis.

Each output class ``c`` owns ``width`` hidden neurons ``w_{c,1..width}``; its
logit is their average activation,

    f_c(x) = (1 / width) * sum_r ReLU(<w_{c,r}, x>).

Only the first layer is trained. With two classes, cross-entropy on
``(f_0, f_1)`` equals the logistic loss on the margin ``f_1 - f_0``, which is
the binary network ``f(x) = sum_r a_r ReLU(<w_r, x>)`` with ``a_r = ±1/width``.
"""

from __future__ import annotations

import torch
from torch import nn


class FixedReadoutReLU(nn.Module):
    """Two-layer ReLU network, ``num_classes`` groups of ``width`` neurons, fixed averaging readout.

    ``init_std`` is the standard deviation of the first-layer weights; small
    values put training in the feature-learning (rich) regime the theory needs.
    Input ``[B, in_features]``, output logits ``[B, num_classes]``.
    """

    def __init__(self, in_features: int, num_classes: int, width: int, *, init_std: float = 1e-3,
                 generator: torch.Generator | None = None):
        super().__init__()
        for name, value, minimum in (("in_features", in_features, 1), ("num_classes", num_classes, 2),
                                     ("width", width, 1)):
            if not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        if init_std <= 0:
            raise ValueError(f"init_std must be positive, got {init_std}")
        self.num_classes = num_classes
        self.width = width
        weight = init_std * torch.randn(num_classes * width, in_features, generator=generator)
        self.weight = nn.Parameter(weight)

    def neurons(self) -> torch.Tensor:
        """Return the first-layer weights as ``[num_classes, width, in_features]``."""
        return self.weight.detach().reshape(self.num_classes, self.width, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(x.flatten(1) @ self.weight.T)
        return hidden.reshape(len(x), self.num_classes, self.width).mean(dim=2)
