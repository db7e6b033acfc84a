"""An explicit ReLU network with zero robust training error on separated data.

Take ``N`` training points ``x_i`` in ``R^d`` with labels ``y_i`` in {0, 1},
where points of different labels are at l-inf distance at least
``2 * half_separation``, and an attack radius ``attack_radius < half_separation``.
Write ``delta = attack_radius``, ``eps = half_separation`` and ``s_i = 2 y_i - 1``.

For each training point, ``2d`` first-layer ReLUs measure how far each
coordinate is outside the band ``[x_ij - delta, x_ij + delta]``::

    h_i(x) = sum_j (relu(x_j - x_ij - delta) + relu(x_ij - x_j - delta)) / (eps - delta)

and one second-layer ReLU turns that into a bump ``b_i(x) = relu(1 - h_i(x))``.
The bump is 1 on the l-inf ball of radius ``delta`` around ``x_i`` (there
``h_i = 0``) and 0 outside the ball of radius ``eps`` (there some coordinate
contributes at least 1 to ``h_i``). The output score is

    f(x) = scale * sum_i s_i b_i(x) + fallback(x),

with an optional linear ``fallback`` classifier for the inputs that no bump
covers. Inside the ``delta``-ball of ``x_i``, ``b_i = 1``, bumps of the other
label are 0 (their points are at distance at least ``2 eps - delta > eps``) and
bumps of the same label only add, so ``s_i f(x) >= scale - |fallback(x)| > 0``
once ``scale`` exceeds the largest ``|fallback|`` near the data. Every training
point is then classified correctly under every attack of radius ``delta``:
zero robust training error, with ``6 N d + 2 N + 1`` weights and biases
(:func:`parameter_count`), that is O(N d).
"""

from __future__ import annotations

import torch
from torch import nn

from lgcore.data.hypercube import linf_separation


def _check_radii(attack_radius: float, half_separation: float) -> None:
    if not 0.0 <= attack_radius < half_separation:
        raise ValueError(f"attack_radius={attack_radius} must be in [0, half_separation={half_separation}); "
                         "a bump that is 1 on the attack ball and 0 at the other class needs delta < eps")


class RobustMemorizer(nn.Module):
    """The bump network of the module docstring: input ``[B, d]``, output logits ``[B, 2]``.

    The logits are ``(-f/2, f/2)``, so ``argmax`` predicts label 1 when the
    score ``f > 0`` and cross-entropy is the logistic loss of ``f``. At ``f = 0``
    (no bump and a zero fallback) ``argmax`` returns label 0.

    Parameters
    ----------
    centers:
        Training inputs ``[N, d]``.
    labels:
        Training labels ``[N]`` in {0, 1}.
    attack_radius, half_separation:
        ``delta`` and ``eps`` of the construction, l-inf, ``0 <= delta < eps``.
    fallback:
        Optional ``nn.Linear(d, 1)`` whose output is the score far from the
        training points. ``scale`` is set to 1 plus its largest absolute value
        on the box that contains every training point's ``delta``-ball.
    """

    def __init__(self, centers: torch.Tensor, labels: torch.Tensor, *, attack_radius: float,
                 half_separation: float, fallback: nn.Linear | None = None):
        super().__init__()
        if centers.ndim != 2 or len(centers) == 0:
            raise ValueError(f"centers must be a non-empty [N, d] tensor, got shape {tuple(centers.shape)}")
        if labels.shape != centers.shape[:1]:
            raise ValueError(f"labels must have shape [{len(centers)}] (one per center), got {tuple(labels.shape)}")
        if not torch.isin(labels, torch.tensor([0, 1], device=labels.device)).all():
            raise ValueError(f"labels must be 0 or 1, got values {sorted(set(labels.tolist()))}")
        _check_radii(attack_radius, half_separation)
        d = centers.shape[1]
        if fallback is not None and (fallback.in_features != d or fallback.out_features != 1):
            raise ValueError(f"fallback must be nn.Linear({d}, 1), got nn.Linear({fallback.in_features}, "
                             f"{fallback.out_features})")

        self.attack_radius = float(attack_radius)
        self.half_separation = float(half_separation)
        self.register_buffer("centers", centers.detach().float().clone())
        self.register_buffer("signs", 2.0 * labels.detach().float() - 1.0)
        self.fallback = fallback
        self.scale = 1.0 + self._fallback_bound() if fallback is not None else 1.0

    @torch.no_grad()
    def _fallback_bound(self) -> float:
        """Largest ``|fallback(x)|`` over the box of all ``delta``-balls: an affine map peaks at a corner."""
        low = self.centers.min(dim=0).values - self.attack_radius
        high = self.centers.max(dim=0).values + self.attack_radius
        weight, bias = self.fallback.weight[0], self.fallback.bias[0]
        largest = bias + torch.where(weight > 0, weight * high, weight * low).sum()
        smallest = bias + torch.where(weight > 0, weight * low, weight * high).sum()
        return float(torch.maximum(largest.abs(), smallest.abs()))

    def bumps(self, x: torch.Tensor) -> torch.Tensor:
        """Return the bump activations ``b_i(x)`` in [0, 1], shape ``[B, N]``, for inputs ``[B, d]``."""
        offset = x[:, None, :] - self.centers[None, :, :]                   # [B, N, d]
        outside = torch.relu(offset - self.attack_radius) + torch.relu(-offset - self.attack_radius)
        h = outside.sum(dim=2) / (self.half_separation - self.attack_radius)  # [B, N]
        return torch.relu(1.0 - h)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """Return the score ``f(x)`` ``[B]``; its sign is the predicted label's sign."""
        value = self.scale * (self.bumps(x) @ self.signs)
        if self.fallback is not None:
            value = value + self.fallback(x)[:, 0]
        return value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        score = self.score(x.flatten(1))
        return torch.stack([-score / 2, score / 2], dim=1)


def build_memorizer(x: torch.Tensor, y: torch.Tensor, *, attack_radius: float, half_separation: float,
                    fallback: nn.Linear | None = None) -> RobustMemorizer:
    """Build the robust memorizer of the training set ``x`` ``[N, d]``, ``y`` ``[N]``.

    Duplicate training points get a single bump. Raises ``ValueError`` when two
    points of different labels are closer than ``2 * half_separation`` in
    l-inf, because then no classifier is robust at radius ``half_separation``.
    """
    _check_radii(attack_radius, half_separation)
    unique, first = _unique_rows(x)
    labels = y[first]
    separation = linf_separation(unique, labels)
    if separation < 2 * half_separation:
        raise ValueError(f"training points of different labels are at l-inf distance {separation:.4g}, below "
                         f"2 * half_separation = {2 * half_separation}; pass a smaller half_separation")
    return RobustMemorizer(unique, labels, attack_radius=attack_radius, half_separation=half_separation,
                           fallback=fallback)


def _unique_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the distinct rows of ``x`` and, for each, the index of one row where it occurs."""
    unique, inverse = torch.unique(x, dim=0, return_inverse=True)
    first = torch.full((len(unique),), len(x), dtype=torch.long)
    first.scatter_reduce_(0, inverse, torch.arange(len(x)), reduce="amin")
    return unique, first


def parameter_count(model: RobustMemorizer) -> int:
    """Count the weights and biases of the explicit ReLU network that ``model`` computes.

    First layer: ``2 N d`` ReLUs with one weight and one bias each (``4 N d``).
    Second layer: ``N`` bumps with ``2 d`` weights and one bias each
    (``2 N d + N``). Output: ``N`` weights and one bias, plus ``d`` weights of
    the linear fallback when there is one. Total ``6 N d + 2 N + 1`` (+ ``d``).
    """
    n, d = model.centers.shape
    count = 4 * n * d + (2 * n * d + n) + (n + 1)
    if model.fallback is not None:
        count += d
    return count


def memorized(centers: torch.Tensor, x: torch.Tensor, radius: float, *, chunk: int = 1024) -> torch.Tensor:
    """Return a bool mask ``[B]``: which inputs ``x`` ``[B, d]`` lie within l-inf ``radius`` of a center ``[N, d]``."""
    if centers.ndim != 2 or x.ndim != 2 or centers.shape[1] != x.shape[1]:
        raise ValueError(f"centers [N, d] and x [B, d] must share d, got {tuple(centers.shape)} and "
                         f"{tuple(x.shape)}")
    masks = []
    for start in range(0, len(x), chunk):
        block = x[start:start + chunk]
        distances = (block[:, None, :] - centers[None, :, :]).abs().amax(dim=2)
        masks.append((distances <= radius).any(dim=1))
    return torch.cat(masks) if masks else torch.zeros(0, dtype=torch.bool)
