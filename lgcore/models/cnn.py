"""Two-layer CNN over patches, the network of adversarial-training analyses on patch data.

The input is ``x = (x_1, ..., x_P)``, shape ``[B, P, d]``. Class ``c`` owns
``width`` filters ``w_{c,1..width}`` of dimension ``d``, shared by all patches,
and its logit is

    F_c(x) = sum_r sum_p sigma(<w_{c,r}, x_p>),   sigma(z) = ReLU(z)^power.

Only the filters are trained (the second layer is fixed to ones). With two
classes, cross-entropy on ``(F_0, F_1)`` is the logistic loss on the margin
``F_1 - F_0``. A power above one makes small activations learn slowly, which
separates the stages of training as in the analysis (which uses a smoothed
ReLU for the same reason).
"""

from __future__ import annotations

import torch
from torch import nn


class PatchCNN(nn.Module):
    """Two-layer CNN, ``num_classes`` groups of ``width`` filters over ``[B, P, d]`` patches.

    ``init_std`` is the standard deviation of the filters at initialization.
    Output: logits ``[B, num_classes]``.
    """

    def __init__(self, d: int, width: int, *, num_classes: int = 2, power: float = 3.0,
                 init_std: float = 0.01, generator: torch.Generator | None = None):
        super().__init__()
        for name, value, minimum in (("d", d, 1), ("width", width, 1), ("num_classes", num_classes, 2)):
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        if not power >= 1:
            raise ValueError(f"power must be >= 1 (1 is plain ReLU), got {power}")
        if not init_std > 0:
            raise ValueError(f"init_std must be positive, got {init_std}")
        self.d, self.width, self.num_classes, self.power = d, width, num_classes, float(power)
        filters = init_std * torch.randn(num_classes, width, d, generator=generator)
        self.filters = nn.Parameter(filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[-1] != self.d:
            raise ValueError(f"input must have shape [B, P, {self.d}], got {tuple(x.shape)}")
        # pre[b, c, r, p] = <w_{c,r}, x_{b,p}>
        pre = torch.einsum("bpd,crd->bcrp", x, self.filters)
        activation = torch.relu(pre)
        if self.power != 1.0:
            activation = activation.pow(self.power)
        return activation.sum(dim=(2, 3))

    def feature_alignment(self, feature: torch.Tensor) -> torch.Tensor:
        """Return ``<w_{c,r}, s_c * feature>`` per filter, shape ``[num_classes, width]``.

        ``s_c`` is ``+1`` for class 1 and ``-1`` for class 0 (two classes only),
        so a positive value means the filter has learned its class's signal.
        """
        if self.num_classes != 2:
            raise ValueError(f"feature_alignment needs two classes, the model has {self.num_classes}")
        signs = torch.tensor([-1.0, 1.0], dtype=self.filters.dtype, device=self.filters.device)
        return (self.filters.detach() @ feature) * signs.unsqueeze(1)

    def noise_alignment(self, noise: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Return ``max_{r,p} <w_{y_i,r}, xi_{i,p}>`` per sample: filters of the own class, shape ``[N]``.

        ``noise`` is ``[N, P, d]`` (zero on signal patches) and ``y`` ``[N]``.
        """
        if noise.ndim != 3 or noise.shape[-1] != self.d or len(noise) != len(y):
            raise ValueError(f"noise must be [N, P, {self.d}] with one label per sample, got noise "
                             f"{tuple(noise.shape)} and {len(y)} labels")
        own = self.filters.detach()[y]                       # [N, width, d]
        return torch.einsum("npd,nrd->nrp", noise, own).flatten(1).max(dim=1).values
