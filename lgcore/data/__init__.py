"""Data: offline-first loaders with pinned checksums, synthetic data models and splits."""

from __future__ import annotations

import torch

from lgcore.data.files import DataFile, cache_dir, fetch, search_dirs
from lgcore.data.images import ImageData, load_cifar10, load_digits, load_mnist, read_idx
from lgcore.data.synthetic import ClusterData, orthogonal_centers, sample_clusters
from lgcore.data.text import load_tiny_shakespeare


def split(data: ImageData, heldout: int | float, *, seed: int = 0) -> tuple[ImageData, ImageData]:
    """Split ``data`` at random into a training part and a held-out part.

    ``heldout`` is a count (int) or a fraction in (0, 1) of the data. The same
    seed gives the same split.
    """
    n = len(data)
    if isinstance(heldout, float):
        if not 0.0 < heldout < 1.0:
            raise ValueError(f"heldout fraction must be in (0, 1), got {heldout}")
        count = int(round(heldout * n))
    else:
        count = heldout
    if not isinstance(count, int) or not 0 < count < n:
        raise ValueError(f"heldout must leave both parts non-empty: got {heldout!r} for {n} examples")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return data.subset(order[count:]), data.subset(order[:count])


def parity(labels: torch.Tensor) -> torch.Tensor:
    """Map digit (or cluster) labels to odd (1) against even (0)."""
    return labels % 2


__all__ = [
    "ClusterData", "DataFile", "ImageData", "cache_dir", "fetch", "load_cifar10", "load_digits", "load_mnist",
    "load_tiny_shakespeare", "orthogonal_centers", "parity", "read_idx", "sample_clusters", "search_dirs", "split",
]
