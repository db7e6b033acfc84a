"""Time lgcore's l-2 and l-inf PGD against a minimal hand-written PGD and compare their accuracies.

Timing: ``MLP(784, [256, 256], 10)`` with random weights attacks 2,000 random
MNIST-shaped inputs (``[2000, 1, 28, 28]`` in ``[0, 1]``) with 20 steps of PGD
from a random start, at radius 0.1 (l-inf) and 1.0 (l-2), step size
``2.5 * eps / 20``, clamped to ``[0, 1]``. The attack cost does not depend on
what the model has learned, so random weights and data suffice. The two
implementations alternate within one process, the order flips on every
repeat, and the table reports the median of the repeats and the ratio of the
medians.

Agreement: an ``MLP(64, [64], 10)`` trained with ``lgcore.train.fit`` on 80%
of scikit-learn's 8x8 digits is attacked on the other 20% by both
implementations. The check runs without the random start, so that both run the
same deterministic iterations, and requires the adversarial accuracies to
agree within 0.01. With random starts each implementation draws its own, and
on 359 held-out digits 0.01 is under 4 images, which the draws alone can change.

The reference is hand-written because torchattacks 3.5.1 requires
torchvision, and the torchvision wheel available here (0.29.1) requires
torch >= 2.14, not the torch 2.13 that this project tests with.

Run ``python bench/attacks.py``. The exit status is 1 only if the accuracies
disagree, never because of a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from lgcore import data, models, runtime
from lgcore.robust import accuracy, pgd
from lgcore.train import fit

from common import add_run_options, parse_run_options, start_run

STEPS = 20
RADII = {"linf": 0.1, "l2": 1.0}  # timing radii on MNIST-shaped inputs in [0, 1]
DIGITS_RADII = {"linf": 0.1, "l2": 0.5}  # radii where the trained digits model keeps about half its accuracy
ACCURACY_TOLERANCE = 0.01
BOUNDS = (0.0, 1.0)

Attack = Callable[[nn.Module, torch.Tensor, torch.Tensor, float, str, bool], torch.Tensor]


def _per_example_norms(tensor: torch.Tensor) -> torch.Tensor:
    """l-2 norm of each example, shaped ``[B, 1, ..., 1]`` to broadcast against ``tensor``."""
    return tensor.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (tensor.ndim - 1)))


def reference_pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, norm: str,
                  random_init: bool) -> torch.Tensor:
    """Attack ``x`` with ``STEPS`` steps of PGD on the cross-entropy, step size ``2.5 * eps / STEPS``, within ``BOUNDS``.

    These are the settings that ``lgcore_pgd`` passes to ``lgcore.robust.pgd``.
    """
    step_size = 2.5 * eps / STEPS
    if not random_init:
        delta = torch.zeros_like(x)
    elif norm == "linf":
        delta = torch.empty_like(x).uniform_(-eps, eps)
    else:
        direction = torch.randn_like(x)
        radius = eps * torch.rand(len(x), device=x.device) ** (1.0 / x[0].numel())
        delta = direction / _per_example_norms(direction) * radius.view(-1, 1, 1, 1)
    delta = (x + delta).clamp(*BOUNDS) - x

    for _ in range(STEPS):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)
        (grad,) = torch.autograd.grad(loss, delta)
        delta = delta.detach()
        if norm == "linf":
            delta = (delta + step_size * grad.sign()).clamp(-eps, eps)
        else:
            delta = delta + step_size * grad / _per_example_norms(grad)
            delta = delta * (eps / _per_example_norms(delta)).clamp(max=1.0)
        delta = (x + delta).clamp(*BOUNDS) - x
    return (x + delta).detach()


def lgcore_pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, norm: str,
               random_init: bool) -> torch.Tensor:
    return pgd(model, x, y, eps, norm=norm, steps=STEPS, step_size=2.5 * eps / STEPS, random_init=random_init,
               bounds=BOUNDS)


def time_attack(attack: Attack, model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float,
                norm: str) -> float:
    """Run one attack from a random start and return its wall-clock seconds."""
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    attack(model, x, y, eps, norm, True)
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def benchmark_timing(repeats: int, device: torch.device) -> list[tuple[str, float, float]]:
    """Time both attacks over ``repeats`` alternating runs per norm.

    Returns ``(norm, reference median seconds, lgcore median seconds)`` for each norm.
    """
    model = models.MLP(784, [256, 256], 10).to(device).eval()
    x = torch.rand(2000, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (2000,), device=device)
    rows = []
    for norm, eps in RADII.items():
        for attack in (reference_pgd, lgcore_pgd):  # warm-up, not timed
            time_attack(attack, model, x, y, eps, norm)
        reference_seconds: list[float] = []
        lgcore_seconds: list[float] = []
        for repeat in range(repeats):
            order = [(reference_pgd, reference_seconds), (lgcore_pgd, lgcore_seconds)]
            if repeat % 2:
                order.reverse()
            for attack, seconds in order:
                seconds.append(time_attack(attack, model, x, y, eps, norm))
        rows.append((norm, statistics.median(reference_seconds), statistics.median(lgcore_seconds)))
    return rows


def train_digits_model(device: torch.device, seed: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """Train a small MLP on 80% of the digits and return it with the held-out images and labels."""
    train, heldout = data.split(data.load_digits(), 0.2, seed=seed)
    # Re-seed so that the model does not depend on how many random numbers the timing used.
    runtime.seed_everything(seed)
    model = models.MLP(64, [64], 10)
    fit(model, (train.images, train.labels), loss_fn=F.cross_entropy,
        optimizer=torch.optim.Adam(model.parameters(), lr=1e-2), epochs=10, batch_size=64, device=device,
        progress=False)
    return model.eval(), heldout.images.to(device), heldout.labels.to(device)


def check_agreement(device: torch.device, seed: int) -> list[tuple[str, float, float, float]]:
    """Attack the held-out digits with both implementations, without random starts.

    Returns ``(norm, eps, reference accuracy, lgcore accuracy)`` for each norm.
    """
    model, x, y = train_digits_model(device, seed)
    print(f"digits model: clean held-out accuracy {accuracy(model, x, y):.3f} on {len(y)} images")
    rows = []
    for norm, eps in DIGITS_RADII.items():
        reference_accuracy = accuracy(model, reference_pgd(model, x, y, eps, norm, False), y)
        lgcore_accuracy = accuracy(model, lgcore_pgd(model, x, y, eps, norm, False), y)
        rows.append((norm, eps, reference_accuracy, lgcore_accuracy))
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser, repeats=5, repeats_help="timed runs of each attack per norm; the table reports medians",
                    seed_help="seed of the random data, weights, digits split and random starts")
    return parse_run_options(parser, argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    device = start_run(args)

    timing = benchmark_timing(args.repeats, device)
    print(f"PGD, {STEPS} steps, MLP(784, [256, 256], 10), 2,000 inputs of shape 1x28x28")
    print(f"| {'norm':<4} | {'eps':>4} | {'reference median (s)':>20} | {'lgcore median (s)':>17} "
          f"| {'ratio lgcore/reference':>22} |")
    print(f"|{'-' * 6}|{'-' * 5}:|{'-' * 21}:|{'-' * 18}:|{'-' * 23}:|")
    for norm, reference_median, lgcore_median in timing:
        print(f"| {norm:<4} | {RADII[norm]:>4} | {reference_median:>20.3f} | {lgcore_median:>17.3f} "
              f"| {lgcore_median / reference_median:>22.3f} |")
    print()

    agreement = check_agreement(device, args.seed)
    print(f"| {'norm':<4} | {'eps':>4} | {'reference accuracy':>18} | {'lgcore accuracy':>15} | {'difference':>10} |")
    print(f"|{'-' * 6}|{'-' * 5}:|{'-' * 19}:|{'-' * 16}:|{'-' * 11}:|")
    failed = []
    for norm, eps, reference_accuracy, lgcore_accuracy in agreement:
        difference = lgcore_accuracy - reference_accuracy
        print(f"| {norm:<4} | {eps:>4} | {reference_accuracy:>18.3f} | {lgcore_accuracy:>15.3f} | {difference:>10.3f} |")
        if abs(difference) > ACCURACY_TOLERANCE:
            failed.append(norm)
    print()
    if failed:
        print(f"adversarial accuracies differ by more than {ACCURACY_TOLERANCE} for: {', '.join(failed)}")
        return 1
    print(f"adversarial accuracies agree within {ACCURACY_TOLERANCE} for every norm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
