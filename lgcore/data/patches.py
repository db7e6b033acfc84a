"""Patch data: one signal patch that carries the label along a true feature, plus noise patches.

A sample is ``x = (x_1, ..., x_P)`` with ``P`` patches of dimension ``d``.
One patch, at a random position, is the signal ``alpha * s * feature`` with
``s = +1`` for label 1 and ``s = -1`` for label 0; the other ``P - 1`` patches
are Gaussian noise ``xi ~ N(0, noise_std^2 (I - feature feature^T))``,
orthogonal to the unit vector ``feature``. The chapter
robustness/robust-overfitting uses this data model for adversarial training of
two-layer CNNs. The feature is shared by all samples and the noise is private
to each sample, so a network can fit the data by learning the feature or by
memorizing the noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PatchData:
    """Patch samples ``x`` ``[N, P, d]``, labels ``y`` ``[N]`` (0 or 1) and their parts.

    ``feature`` ``[d]`` is the unit true feature, ``signal_patch`` ``[N]`` the
    index of each sample's signal patch and ``noise`` ``[N, P, d]`` the noise
    part of ``x`` (zero on the signal patch).
    """

    x: torch.Tensor
    y: torch.Tensor
    feature: torch.Tensor
    signal_patch: torch.Tensor
    noise: torch.Tensor

    def __len__(self) -> int:
        return len(self.y)

    @property
    def sign(self) -> torch.Tensor:
        """Labels as ``-1`` / ``+1``, shape ``[N]``."""
        return 2.0 * self.y.to(self.x.dtype) - 1.0

    def to(self, device: torch.device | str) -> "PatchData":
        """Return a copy with every tensor on ``device``."""
        return PatchData(self.x.to(device), self.y.to(device), self.feature.to(device),
                         self.signal_patch.to(device), self.noise.to(device))


def unit_feature(d: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw a uniformly random unit vector in ``R^d`` (the true feature), shape ``[d]``."""
    if not isinstance(d, int) or isinstance(d, bool) or d < 2:
        raise ValueError(f"d must be an integer >= 2, got {d!r}; the feature needs room for orthogonal noise")
    direction = torch.randn(d, generator=generator)
    return direction / direction.norm()


def sample_patches(n: int, feature: torch.Tensor, *, num_patches: int = 2, alpha: float = 1.0,
                   noise_std: float = 1.0, generator: torch.Generator | None = None) -> PatchData:
    """Draw ``n`` balanced patch samples around the unit ``feature`` ``[d]``.

    ``alpha`` is the signal strength (the norm of the signal patch) and
    ``noise_std`` the per-coordinate standard deviation of the noise, so a
    noise patch has norm about ``noise_std * sqrt(d - 1)``. Labels alternate
    0, 1, 0, ... before shuffling, so the classes differ by at most one sample.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(num_patches, int) or isinstance(num_patches, bool) or num_patches < 2:
        raise ValueError(f"num_patches must be an integer >= 2 (one signal, at least one noise), got "
                         f"{num_patches!r}")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}; it is the norm of the signal patch")
    if not noise_std >= 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    if feature.ndim != 1 or not torch.isclose(feature.norm(), torch.tensor(1.0, dtype=feature.dtype)):
        raise ValueError(f"feature must be a unit vector of shape [d], got shape {tuple(feature.shape)} and norm "
                         f"{feature.norm().item():.4g}; normalize it or use unit_feature(d)")

    d = len(feature)
    y = torch.arange(n) % 2
    y = y[torch.randperm(n, generator=generator)]
    sign = 2.0 * y.to(feature.dtype) - 1.0
    signal_patch = torch.randint(num_patches, (n,), generator=generator)

    # Gaussian noise with its component along the feature removed: xi ~ N(0, noise_std^2 (I - u u^T)).
    noise = noise_std * torch.randn(n, num_patches, d, generator=generator, dtype=feature.dtype)
    noise = noise - (noise @ feature).unsqueeze(-1) * feature
    noise[torch.arange(n), signal_patch] = 0.0

    x = noise.clone()
    x[torch.arange(n), signal_patch] = alpha * sign.unsqueeze(1) * feature
    return PatchData(x, y, feature, signal_patch, noise)
