"""Read a fine-grained classifier out as a coarse one."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class CoarseReadout(nn.Module):
    """Wrap a ``num_fine``-class model into a coarse classifier.

    ``coarse_of_fine[j]`` is the coarse class of fine class ``j``. The coarse
    logit is the log-sum-exp of the fine logits in that class, a smooth maximum:
    the coarse prediction is the coarse class of the top fine class whenever the
    top logit leads by a margin, and gradient attacks see every fine logit.
    Output ``[B, num_coarse]``.
    """

    def __init__(self, model: nn.Module, coarse_of_fine: Sequence[int]):
        super().__init__()
        mapping = torch.as_tensor(list(coarse_of_fine), dtype=torch.int64)
        if mapping.ndim != 1 or len(mapping) < 2:
            raise ValueError(f"coarse_of_fine must list the coarse class of each fine class, got {coarse_of_fine!r}")
        num_coarse = int(mapping.max()) + 1
        if mapping.min() < 0 or set(mapping.tolist()) != set(range(num_coarse)):
            raise ValueError(f"coarse classes must be 0..C-1 with none empty, got {sorted(set(mapping.tolist()))}")
        self.model = model
        self.num_coarse = num_coarse
        self.register_buffer("coarse_of_fine", mapping)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        fine = self.model(x)
        if fine.shape[1] != len(self.coarse_of_fine):
            raise ValueError(f"model returned {fine.shape[1]} logits but coarse_of_fine maps "
                             f"{len(self.coarse_of_fine)} fine classes")
        coarse = [torch.logsumexp(fine[:, self.coarse_of_fine == c], dim=1) for c in range(self.num_coarse)]
        return torch.stack(coarse, dim=1)
