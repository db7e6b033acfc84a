"""Feature averaging on orthogonal clusters: predicted alignments, radii and the averaging attack.

Data model (:mod:`lgcore.data.synthetic`): ``k`` orthogonal centers of norm
``sqrt(d)``, clusters split into two labels of ``k / 2`` clusters each.

* Gradient descent on the binary task drives every neuron of a label towards
  the sum of that label's centers (feature averaging). The cosine of such a
  neuron with any single center of its label is ``1 / sqrt(k / 2)``.
* A perturbation of norm ``r`` along ``(A_other - A_own) / sqrt(k d)``, where
  ``A`` is the sum of a label's centers, lowers the own logit and raises the
  other by ``r / sqrt(2)`` times the neuron scale each; an averaging network
  flips at ``r = sqrt(d / k)``.
* Trained with one class per cluster, neurons align with single centers; the
  perturbation towards one center of the other label, ``(mu_i - mu_j) / sqrt(2 d)``,
  needs ``r = sqrt(d / 2)`` to flip the derived binary classifier.
"""

from __future__ import annotations

import math

import torch


def _check_sizes(d: int, k: int) -> None:
    if not isinstance(k, int) or k < 2 or k % 2:
        raise ValueError(f"k must be an even integer >= 2 (two labels of k/2 clusters), got {k!r}")
    if not isinstance(d, int) or d < k:
        raise ValueError(f"d must be an integer >= k={k}, got {d!r}")


def cosine_with_center(k: int) -> float:
    """Cosine of the averaged direction of ``k / 2`` orthogonal equal-norm centers with one of them: ``sqrt(2 / k)``."""
    _check_sizes(k, k)
    return math.sqrt(2.0 / k)


def averaging_radius(d: int, k: int) -> float:
    """l-2 radius that flips a feature-averaging network: ``sqrt(d / k)``."""
    _check_sizes(d, k)
    return math.sqrt(d / k)


def fine_grained_radius(d: int) -> float:
    """l-2 radius that flips the binary readout of a network with one neuron direction per center: ``sqrt(d / 2)``."""
    if not isinstance(d, int) or d < 2:
        raise ValueError(f"d must be an integer >= 2, got {d!r}")
    return math.sqrt(d / 2.0)


def label_sums(centers: torch.Tensor, label_of_cluster: torch.Tensor) -> torch.Tensor:
    """Sum of each label's centers, ``[num_labels, d]``, from ``centers`` ``[k, d]`` and ``label_of_cluster`` ``[k]``."""
    if centers.ndim != 2 or label_of_cluster.shape != (len(centers),):
        raise ValueError(f"need centers [k, d] and label_of_cluster [k], got {tuple(centers.shape)} and "
                         f"{tuple(label_of_cluster.shape)}")
    num_labels = int(label_of_cluster.max()) + 1
    return torch.stack([centers[label_of_cluster == label].sum(dim=0) for label in range(num_labels)])


def cosines(neurons: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """Cosine of every neuron with every direction: ``neurons`` ``[..., d]``, ``directions`` ``[p, d]`` -> ``[..., p]``."""
    if directions.ndim != 2:
        raise ValueError(f"directions must have shape [p, d], got {tuple(directions.shape)}; "
                         "use directions[None] for a single direction")
    if neurons.shape[-1] != directions.shape[-1]:
        raise ValueError(f"neurons live in dimension {neurons.shape[-1]} but directions in {directions.shape[-1]}")
    unit_neurons = neurons / neurons.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    unit_directions = directions / directions.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return unit_neurons @ unit_directions.T


def averaging_attack(x: torch.Tensor, label: torch.Tensor, centers: torch.Tensor, label_of_cluster: torch.Tensor,
                     radius: float) -> torch.Tensor:
    """Move each input by ``radius`` along the unit vector from its label's center sum to the other label's.

    Binary labels only. Returns ``x + radius * (A_other - A_own) / |A_other - A_own|``, shape of ``x``.
    """
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    sums = label_sums(centers, label_of_cluster)
    if len(sums) != 2:
        raise ValueError(f"the averaging attack needs two labels, got {len(sums)}")
    direction = sums[1 - label] - sums[label]
    return x + radius * direction / direction.norm(dim=1, keepdim=True)


def nearest_center_attack(x: torch.Tensor, cluster: torch.Tensor, centers: torch.Tensor,
                          label_of_cluster: torch.Tensor, radius: float) -> torch.Tensor:
    """Move each input by ``radius`` from its own center towards the first center of the other label.

    Returns ``x + radius * (mu_i - mu_j) / |mu_i - mu_j|``; this is the cheapest flip for a
    network whose neurons align with single centers.
    """
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    own_label = label_of_cluster[cluster]
    first_of_label = torch.stack([torch.nonzero(label_of_cluster == label)[0, 0] for label in (0, 1)])
    target = centers[first_of_label[1 - own_label]]
    direction = target - centers[cluster]
    return x + radius * direction / direction.norm(dim=1, keepdim=True)
