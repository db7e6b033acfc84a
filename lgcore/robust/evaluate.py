"""Clean and robust accuracy, in batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from lgcore.robust.attacks import pgd


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, batch_size: int = 1024) -> float:
    """Fraction of ``x`` that ``model`` classifies as ``y`` (argmax of the logits), in eval mode."""
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)} labels; pass one label per example")
    if len(x) == 0:
        raise ValueError("cannot measure accuracy on an empty set")
    was_training = model.training
    model.eval()
    try:
        correct = sum(int((model(x[i:i + batch_size]).argmax(dim=1) == y[i:i + batch_size]).sum())
                      for i in range(0, len(x), batch_size))
    finally:
        model.train(was_training)
    return correct / len(x)


def robust_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *,
                    attack: Callable[..., torch.Tensor] = pgd, batch_size: int = 1024, **attack_kwargs) -> float:
    """Accuracy on adversarial inputs from ``attack(model, x, y, eps, **attack_kwargs)``, in batches."""
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)} labels; pass one label per example")
    adversarial = torch.cat([attack(model, x[i:i + batch_size], y[i:i + batch_size], eps, **attack_kwargs)
                             for i in range(0, len(x), batch_size)])
    return accuracy(model, adversarial, y, batch_size=batch_size)


def robust_accuracy_curve(model: nn.Module, x: torch.Tensor, y: torch.Tensor, radii: Sequence[float], *,
                          attack: Callable[..., torch.Tensor] = pgd, batch_size: int = 1024,
                          **attack_kwargs) -> np.ndarray:
    """Robust accuracy at each radius in ``radii``; returns an array of the same length."""
    return np.array([robust_accuracy(model, x, y, float(eps), attack=attack, batch_size=batch_size,
                                     **attack_kwargs) for eps in radii])


def crossing_radius(radii: Sequence[float], accuracies: Sequence[float], level: float = 0.5) -> float:
    """Radius at which a robust-accuracy curve first falls below ``level``, by linear interpolation.

    ``radii`` must increase. Returns ``inf`` if the curve never falls below
    ``level`` and ``radii[0]`` if it starts below it.
    """
    radii = np.asarray(radii, dtype=float)
    accuracies = np.asarray(accuracies, dtype=float)
    if radii.shape != accuracies.shape or radii.ndim != 1 or len(radii) < 2:
        raise ValueError(f"radii and accuracies must be 1-D of the same length >= 2, got {radii.shape} and "
                         f"{accuracies.shape}")
    if np.any(np.diff(radii) <= 0):
        raise ValueError(f"radii must increase strictly, got {radii.tolist()}")
    below = np.flatnonzero(accuracies < level)
    if len(below) == 0:
        return float("inf")
    first = below[0]
    if first == 0:
        return float(radii[0])
    r0, r1, a0, a1 = radii[first - 1], radii[first], accuracies[first - 1], accuracies[first]
    return float(r0 + (a0 - level) / (a0 - a1) * (r1 - r0))
