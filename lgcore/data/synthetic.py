"""Synthetic data models of the papers.

Orthogonal clusters (the feature-averaging data model): ``k`` centers
``mu_1, ..., mu_k`` that are pairwise orthogonal with norm ``sqrt(d)``, and
inputs ``x = mu_j + xi`` with ``xi ~ N(0, noise_std^2 I_d)``. Cluster ``j``
carries the fine label ``j`` and the binary label ``j % 2`` (odd clusters
against even ones), so that the binary task averages ``k / 2`` centers per label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ClusterData:
    """Inputs ``x`` ``[n, d]``, cluster index ``cluster`` ``[n]`` and the ``centers`` ``[k, d]`` they came from."""

    x: torch.Tensor
    cluster: torch.Tensor
    centers: torch.Tensor

    @property
    def binary(self) -> torch.Tensor:
        """Binary label ``cluster % 2`` (1 for odd clusters), shape ``[n]``."""
        return self.cluster % 2


def orthogonal_centers(k: int, d: int, *, norm: float | None = None,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw ``k`` pairwise orthogonal centers in ``R^d`` with norm ``norm`` (default ``sqrt(d)``).

    The directions are the first ``k`` columns of a uniformly random orthogonal
    matrix (QR of a Gaussian matrix). Returns a float32 tensor ``[k, d]``.
    """
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"k (number of clusters) must be an integer >= 2, got {k!r}")
    if not isinstance(d, int) or d < k:
        raise ValueError(f"d must be an integer >= k={k} so that {k} orthogonal centers exist, got {d!r}")
    norm = math.sqrt(d) if norm is None else float(norm)
    if norm <= 0:
        raise ValueError(f"norm must be positive, got {norm}")
    gaussian = torch.randn(d, k, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(gaussian)
    q = q * torch.sign(torch.diagonal(r))  # makes the draw uniform over orthogonal frames
    return (norm * q.T).to(torch.float32)


def sample_clusters(centers: torch.Tensor, n: int, *, noise_std: float = 1.0,
                    generator: torch.Generator | None = None) -> ClusterData:
    """Sample ``n`` points, as balanced across the clusters as ``n`` allows, in random order.

    ``x = centers[j] + noise_std * N(0, I_d)``; returns a :class:`ClusterData`.
    """
    if centers.ndim != 2:
        raise ValueError(f"centers must have shape [k, d], got {tuple(centers.shape)}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    k, d = centers.shape
    cluster = torch.arange(n) % k
    cluster = cluster[torch.randperm(n, generator=generator)]
    noise = torch.randn(n, d, generator=generator, dtype=centers.dtype)
    return ClusterData(centers[cluster] + noise_std * noise, cluster, centers)
