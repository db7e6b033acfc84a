"""Robust memorization with ReLU bumps: a clean classifier plus ``O(N D)`` parameters.

Around each training point ``x_i`` in ``R^D`` a bump

    g_i(x) = ReLU(1 - (1 / width) * sum_j [ReLU(x_j - x_ij - delta) + ReLU(x_ij - x_j - delta)])

equals 1 on the l-inf ball of radius ``delta`` around ``x_i``. It vanishes
where the coordinates' excess over ``delta`` sums to ``width`` or more, which
includes every point outside the l-inf ball of radius ``delta + width``. Each
bump is a two-layer ReLU network with ``2 D`` hidden units, so ``N`` bumps
cost ``O(N D)`` parameters.

Add ``height * g_i(x)`` (``height > 1``) to the logit of ``y_i`` on top of a
classifier whose logits lie in ``[0, 1]``. If training points of different
labels are more than ``2 (delta + width)`` apart in l-inf, every point of the
radius-``delta`` ball around a training point is then classified as that
point's label, so robust training accuracy is 1. Points farther than
``delta + width`` from all training points keep the clean classifier's
prediction. The chapter robustness/robust-overfitting uses this construction
to show that robust memorization is cheap once a clean classifier exists.
"""

from __future__ import annotations

import torch
from torch import nn


class MemorizationBumps(nn.Module):
    """Sum of labelled bumps: ``out[b, c] = sum_{i: y_i = c} g_i(x_b)``, shape ``[B, num_classes]``.

    ``points`` ``[N, D]`` (or ``[N, *]``, flattened) are the training inputs
    and ``labels`` ``[N]`` their classes. ``delta`` is the l-inf radius of the
    flat top, and ``width`` the l-1 excess over ``delta`` at which a bump reaches zero.
    Inputs ``[B, *]`` are flattened to ``[B, D]``.
    """

    def __init__(self, points: torch.Tensor, labels: torch.Tensor, num_classes: int, *, delta: float,
                 width: float, chunk_size: int = 256):
        super().__init__()
        if len(points) != len(labels) or len(points) == 0:
            raise ValueError(f"points and labels must be non-empty and of equal length, got {len(points)} points "
                             f"and {len(labels)} labels")
        if not delta >= 0:
            raise ValueError(f"delta must be >= 0, got {delta}; it is the l-inf radius to memorize")
        if not width > 0:
            raise ValueError(f"width must be positive, got {width}; it sets how fast a bump falls off")
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f"labels must lie in [0, {num_classes}), got range [{int(labels.min())}, "
                             f"{int(labels.max())}]; pass the right num_classes")
        self.register_buffer("points", points.detach().flatten(1).clone())
        self.register_buffer("onehot", nn.functional.one_hot(labels.long(), num_classes).to(points.dtype))
        self.delta, self.width, self.chunk_size = float(delta), float(width), chunk_size

    def parameter_count(self) -> int:
        """Return the number of weights and biases of the bumps as a ReLU network: ``N (4 D + 2)``.

        Each bump has ``2 D`` hidden units with one weight and one bias each,
        then one output unit with ``2 D`` weights and a bias, and one weight to
        its label's logit.
        """
        n, dim = self.points.shape
        return n * (2 * dim + 2 * dim + 1 + 1)

    def bumps(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``g_i(x_b)`` for every input and training point, shape ``[B, N]``."""
        flat = x.flatten(1)
        if flat.shape[1] != self.points.shape[1]:
            raise ValueError(f"inputs have {flat.shape[1]} features, the bumps were built on {self.points.shape[1]}")
        # Cap the [chunk, N, D] difference tensor at about 2^26 elements (256 MiB in float32).
        n, dim = self.points.shape
        chunk = max(1, min(self.chunk_size, 2**26 // (n * dim)))
        values = []
        for start in range(0, len(flat), chunk):
            difference = flat[start:start + chunk, None, :] - self.points[None]   # [chunk, N, D]
            excess = torch.relu(difference - self.delta) + torch.relu(-difference - self.delta)
            values.append(torch.relu(1.0 - excess.sum(dim=2) / self.width))
        return torch.cat(values)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bumps(x) @ self.onehot


class ClassifierWithBumps(nn.Module):
    """``softmax(clean(x)) + height * bumps(x)``: the clean classifier with robust memorization added.

    The softmax keeps the clean part in ``[0, 1]``, so with ``height > 1`` a
    full bump decides the class. Output ``[B, num_classes]``.
    """

    def __init__(self, clean: nn.Module, bumps: MemorizationBumps, *, height: float = 2.0):
        super().__init__()
        if not height > 1:
            raise ValueError(f"height must be > 1 so that a bump outweighs the clean probabilities, got {height}")
        self.clean, self.bumps, self.height = clean, bumps, float(height)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.clean(x), dim=1) + self.height * self.bumps(x)


def linf_distance_to_points(x: torch.Tensor, points: torch.Tensor, *, chunk_size: int = 256) -> torch.Tensor:
    """Return each input's l-inf distance to the nearest of ``points``, shape ``[B]``.

    ``x`` is ``[B, *]`` and ``points`` ``[N, *]`` with the same number of features.
    """
    flat, reference = x.flatten(1), points.flatten(1)
    if flat.shape[1] != reference.shape[1]:
        raise ValueError(f"x has {flat.shape[1]} features but points have {reference.shape[1]}")
    distances = [torch.cdist(flat[start:start + chunk_size], reference, p=float("inf")).min(dim=1).values
                 for start in range(0, len(flat), chunk_size)]
    return torch.cat(distances)
