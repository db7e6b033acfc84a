"""Gradient attacks: FGSM and PGD in the l-inf and l-2 norms.

Conventions
-----------
* Inputs are in the model's input space and ``eps`` is measured there. For
  image data, keep inputs in ``[0, 1]``, put normalization inside the model
  (:class:`lgcore.models.Normalize`) and pass ``bounds=(0, 1)``: ``eps`` is
  then in pixel units, as papers report it (for example 8/255).
* ``bounds=None`` means the inputs have no data range (synthetic Gaussian
  inputs): nothing is clamped.
* During an attack the model is switched to eval mode (batch-norm statistics
  and dropout frozen) and restored to its previous mode afterwards.
* The attack maximizes ``loss_fn(model(x), y)``, cross-entropy by default.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

NORMS = ("linf", "l2")
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check(x: torch.Tensor, y: torch.Tensor, eps: float, norm: str,
           bounds: tuple[float, float] | None) -> None:
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; use one of {', '.join(NORMS)}")
    if not 0 <= eps < float("inf"):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    if x.ndim < 2:
        raise ValueError(f"x must have a batch dimension, [B, *], got shape {tuple(x.shape)}; "
                         "use x[None] for a single example")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)} labels; pass one label per example")
    if bounds is not None:
        low, high = bounds
        if not low < high:
            raise ValueError(f"bounds must be (low, high) with low < high, got {bounds}")
        if x.min() < low or x.max() > high:
            raise ValueError(f"inputs span [{x.min().item():.4g}, {x.max().item():.4g}], outside bounds {bounds}; "
                             "pass bounds that match the data range, or bounds=None for unbounded inputs")


def _norms(tensor: torch.Tensor) -> torch.Tensor:
    """Per-example l-2 norms, shaped to broadcast against ``tensor``."""
    return tensor.flatten(1).norm(dim=1).clamp_min(1e-12).reshape(-1, *([1] * (tensor.ndim - 1)))


def project(delta: torch.Tensor, eps: float, norm: str) -> torch.Tensor:
    """Project perturbations ``[B, *]`` onto the ``norm`` ball of radius ``eps``."""
    if norm == "linf":
        return delta.clamp(-eps, eps)
    return delta * (eps / _norms(delta)).clamp(max=1.0)


def random_start(x: torch.Tensor, eps: float, norm: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw perturbations uniformly from the ``norm`` ball of radius ``eps`` (shape of ``x``)."""
    # Draw on the generator's device (a CPU generator may drive an attack on GPU inputs), then move.
    draw_device = generator.device if generator is not None else x.device
    if norm == "linf":
        noise = (2 * torch.rand(x.shape, generator=generator, device=draw_device, dtype=x.dtype) - 1) * eps
        return noise.to(x.device)
    direction = torch.randn(x.shape, generator=generator, device=draw_device, dtype=x.dtype).to(x.device)
    direction = direction / _norms(direction)
    dim = x[0].numel()
    radius = eps * torch.rand(len(x), generator=generator, device=draw_device, dtype=x.dtype).to(x.device) ** (1.0 / dim)
    return direction * radius.reshape(-1, *([1] * (x.ndim - 1)))


def _ascent_direction(grad: torch.Tensor, norm: str) -> torch.Tensor:
    return grad.sign() if norm == "linf" else grad / _norms(grad)


def _clamp(x: torch.Tensor, delta: torch.Tensor, bounds: tuple[float, float] | None) -> torch.Tensor:
    if bounds is None:
        return delta
    return (x + delta).clamp(*bounds) - x


def pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, norm: str = "linf",
        steps: int = 10, step_size: float | None = None, random_init: bool = True,
        bounds: tuple[float, float] | None = None, loss_fn: LossFn | None = None,
        generator: torch.Generator | None = None) -> torch.Tensor:
    """Projected gradient ascent on the loss within the ``norm`` ball of radius ``eps`` around ``x``.

    Each step moves by ``step_size`` along the sign of the gradient (l-inf) or
    the normalized gradient (l-2), then projects back onto the ball and, when
    ``bounds`` is given, into the data range. ``step_size`` defaults to
    ``2.5 * eps / steps``, so the iterates can cross the ball. Returns the
    adversarial inputs, shape of ``x``, detached.
    """
    _check(x, y, eps, norm, bounds)
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if step_size is not None and step_size <= 0:
        raise ValueError(f"step_size must be positive, got {step_size}")
    if eps == 0:
        return x.detach().clone()
    loss_fn = loss_fn or F.cross_entropy
    step_size = 2.5 * eps / steps if step_size is None else step_size
    x = x.detach()

    was_training = model.training
    model.eval()
    try:
        delta = random_start(x, eps, norm, generator) if random_init else torch.zeros_like(x)
        delta = _clamp(x, delta, bounds)
        for _ in range(steps):
            delta.requires_grad_(True)
            loss = loss_fn(model(x + delta), y)
            (grad,) = torch.autograd.grad(loss, delta)
            delta = delta.detach() + step_size * _ascent_direction(grad, norm)
            delta = _clamp(x, project(delta, eps, norm), bounds)
    finally:
        model.train(was_training)
    return (x + delta).detach()


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, norm: str = "linf",
         bounds: tuple[float, float] | None = None, loss_fn: LossFn | None = None) -> torch.Tensor:
    """Fast gradient method: one step of size ``eps`` along the gradient's sign (l-inf) or direction (l-2).

    Returns the adversarial inputs, shape of ``x``, detached.
    """
    return pgd(model, x, y, eps, norm=norm, steps=1, step_size=eps, random_init=False, bounds=bounds,
               loss_fn=loss_fn)
