"""Adversarial training: minimize the loss at PGD points, with :func:`lgcore.train.fit` as the loop.

The min-max objective

    min_theta  mean_i  max_{||delta_i|| <= eps}  loss(f_theta(x_i + delta_i), y_i)

is approximated by attacking each batch with PGD and taking a gradient step on
the cross-entropy at the attacked points (Madry et al.'s adversarial training).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from lgcore.robust.attacks import NORMS, pgd
from lgcore.train import BatchLossFn, History, fit


def pgd_loss(eps: float, *, norm: str = "linf", steps: int = 10, step_size: float | None = None,
             bounds: tuple[float, float] | None = (0.0, 1.0), ramp_steps: int = 0,
             generator: torch.Generator | None = None) -> BatchLossFn:
    """Return a ``batch_loss_fn`` for :func:`lgcore.train.fit`: cross-entropy at PGD points of each batch.

    With ``ramp_steps > 0`` the radius grows linearly from 0 to ``eps`` over
    the first ``ramp_steps`` calls (one call per training step), which helps
    training start from a random initialization.

    NOTE: the ramp counts calls of the returned function, so a run resumed
    from a checkpoint restarts the ramp.
    """
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; use one of {', '.join(NORMS)}")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(ramp_steps, int) or isinstance(ramp_steps, bool) or ramp_steps < 0:
        raise ValueError(f"ramp_steps must be a non-negative integer, got {ramp_steps!r}")
    calls = [0]

    def loss(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        radius = eps * min(1.0, calls[0] / ramp_steps) if ramp_steps else eps
        calls[0] += 1
        if radius > 0:
            # Attack the plain model: under torchrun ``model`` is the DistributedDataParallel wrapper.
            inputs = pgd(getattr(model, "module", model), inputs, targets, radius, norm=norm, steps=steps,
                         step_size=step_size, bounds=bounds, generator=generator)
        return F.cross_entropy(model(inputs), targets)

    return loss


def adversarial_fit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *,
                    optimizer: torch.optim.Optimizer, epochs: int | None = None, steps: int | None = None,
                    batch_size: int | None = None, norm: str = "linf", attack_steps: int = 10,
                    step_size: float | None = None, bounds: tuple[float, float] | None = (0.0, 1.0),
                    ramp_steps: int = 0, eval_fn: Callable[[nn.Module], dict[str, float]] | None = None,
                    eval_every: int | None = None, log_every: int = 1, lr_scheduler=None, seed: int = 0,
                    progress: bool | None = None, desc: str = "adversarial training") -> History:
    """Train ``model`` in place on PGD points of ``(x, y)`` and return the :class:`History` of ``fit``.

    ``x`` is ``[N, *]`` and ``y`` ``[N]``. PGD takes ``attack_steps`` steps of
    ``step_size`` (default ``2.5 * eps / attack_steps``) in the ``norm`` ball of
    radius ``eps``, clamped to ``bounds`` (``None`` for unbounded inputs); its
    random starts are seeded by ``seed``. Training runs on the device of ``x``;
    the other arguments are those of :func:`lgcore.train.fit`.
    """
    if not isinstance(attack_steps, int) or isinstance(attack_steps, bool) or attack_steps < 1:
        raise ValueError(f"attack_steps must be a positive integer, got {attack_steps!r}")
    if bounds is not None and (x.min() < bounds[0] or x.max() > bounds[1]):
        raise ValueError(f"inputs span [{x.min().item():.4g}, {x.max().item():.4g}], outside bounds {bounds}; "
                         "pass bounds that match the data range, or bounds=None for unbounded inputs")
    generator = torch.Generator(device=x.device).manual_seed(seed)
    batch_loss_fn = pgd_loss(eps, norm=norm, steps=attack_steps, step_size=step_size, bounds=bounds,
                             ramp_steps=ramp_steps, generator=generator)
    return fit(model, (x, y), batch_loss_fn=batch_loss_fn, optimizer=optimizer, epochs=epochs, steps=steps,
               batch_size=batch_size, eval_fn=eval_fn, eval_every=eval_every, log_every=log_every,
               lr_scheduler=lr_scheduler, seed=seed, progress=progress, device=x.device, desc=desc)
