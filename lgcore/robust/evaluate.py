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
        raise ValueError(f"x holds {len(x)} examples but y holds {len(y)}")
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
        raise ValueError(f"x holds {len(x)} examples but y holds {len(y)}")
    adversarial = torch.cat([attack(model, x[i:i + batch_size], y[i:i + batch_size], eps, **attack_kwargs)
                             for i in range(0, len(x), batch_size)])
    return accuracy(model, adversarial, y, batch_size=batch_size)


def robust_accuracy_curve(model: nn.Module, x: torch.Tensor, y: torch.Tensor, radii: Sequence[float], *,
                          attack: Callable[..., torch.Tensor] = pgd, batch_size: int = 1024,
                          **attack_kwargs) -> np.ndarray:
    """Robust accuracy at each radius in ``radii``; returns an array of the same length."""
    return np.array([robust_accuracy(model, x, y, float(eps), attack=attack, batch_size=batch_size,
                                     **attack_kwargs) for eps in radii])
