"""Experiments of the expressive-power chapter: the robust memorizer and adversarial training on the hypercube.

Data come from :mod:`lgcore.data.hypercube`: labels that are a random function
of ``k`` vertex coordinates, classes at l-inf distance at least 1 (half
separation ``eps = 1/2``), and l-inf attacks of radius ``delta < eps``. Robust
accuracy counts a point as correct only when the model classifies both the
point and its PGD perturbation correctly. PGD runs without clamping
(``bounds=None``) because the attack ball of a vertex leaves ``[0, 1]^d``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from lgcore import runtime
from lgcore.data.hypercube import HALF_SEPARATION, random_table, robust_accuracy_ceiling, sample_hypercube
from lgcore.data.hypercube import seen_fraction as hypercube_seen_fraction
from lgcore.models import MLP
from lgcore.robust.attacks import pgd
from lgcore.robust.training import adversarial_fit
from lgcore.robust.memorizer import build_memorizer, memorized, parameter_count
from lgcore.train import History


def robust_correct(model: nn.Module, x: torch.Tensor, y: torch.Tensor, radius: float, *, steps: int,
                   generator: torch.Generator | None = None, batch_size: int = 1024) -> torch.Tensor:
    """Return a bool mask ``[n]``: correct on ``x`` and on its l-inf PGD perturbation of ``radius``.

    Requiring the clean point too keeps robust accuracy below clean accuracy
    even when PGD from a random start misses the clean point's own error.
    """
    masks = []
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        adversarial = pgd(model, xb, yb, radius, steps=steps, bounds=None, generator=generator)
        with torch.no_grad():
            clean = model(xb).argmax(dim=1) == yb
            attacked = model(adversarial).argmax(dim=1) == yb
        masks.append(clean & attacked)
    return torch.cat(masks)


@torch.no_grad()
def clean_correct(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return a bool mask ``[n]``: the model's argmax equals ``y``."""
    return model(x).argmax(dim=1) == y


@dataclass(frozen=True)
class MemorizerConfig:
    """Sizes of the memorizer experiment; the label depends on all ``d - 1`` vertex coordinates."""

    d: int = 11                 # 10 vertex coordinates and the clue
    n_train: int = 700
    n_test: int = 1000
    attack_radius: float = 0.15  # delta, below half the separation (0.5) and above the clue
    clue: float = 0.1            # makes the classes linearly separable
    pgd_steps: int = 20


@dataclass(frozen=True)
class MemorizerRun:
    """Results of one memorizer for one seed."""

    seed: int
    n_train: int
    unique_train: int
    parameters: int
    robust_train: float
    clean_test: float
    robust_test: float
    memorized_fraction: float


def clue_classifier(d: int, clue: float) -> nn.Linear:
    """Return the linear classifier of the data model, ``(x_{d-1} - 1/2) / clue``: +1 or -1 on every data point."""
    linear = nn.Linear(d, 1)
    with torch.no_grad():
        linear.weight.zero_()
        linear.weight[0, d - 1] = 1.0 / clue
        linear.bias.fill_(-0.5 / clue)
    return linear


def run_memorizer(config: MemorizerConfig, seed: int, *, n_train: int | None = None) -> MemorizerRun:
    """Build the robust memorizer on a fresh training set and measure it on a fresh test set.

    The fallback for points far from the training set is the data model's
    linear clue classifier, so clean test accuracy is high by construction and
    the robust test accuracy shows what memorization alone buys. ``n_train``
    overrides the configured training-set size.
    """
    n_train = config.n_train if n_train is None else n_train
    generator = torch.Generator().manual_seed(seed)
    table = random_table(config.d - 1, generator=generator)
    train = sample_hypercube(n_train, config.d, table, clue=config.clue, generator=generator)
    test = sample_hypercube(config.n_test, config.d, table, clue=config.clue, generator=generator)
    model = build_memorizer(train.x, train.y, attack_radius=config.attack_radius,
                            half_separation=HALF_SEPARATION,
                            fallback=clue_classifier(config.d, config.clue))
    attack = dict(steps=config.pgd_steps, generator=torch.Generator().manual_seed(seed))
    return MemorizerRun(
        seed=seed, n_train=n_train, unique_train=len(model.centers), parameters=parameter_count(model),
        robust_train=float(robust_correct(model, train.x, train.y, config.attack_radius,
                                          **attack).float().mean()),
        clean_test=float(clean_correct(model, test.x, test.y).float().mean()),
        robust_test=float(robust_correct(model, test.x, test.y, config.attack_radius, **attack).float().mean()),
        memorized_fraction=float(memorized(model.centers, test.x, HALF_SEPARATION).float().mean()),
    )


@dataclass(frozen=True)
class AdversarialConfig:
    """Sizes and optimization of adversarial training of an MLP on the hypercube data."""

    d: int = 16                    # input dimension; coordinates k .. d-2 are zero (a k-dimensional face)
    n_train: int = 600
    n_test: int = 1000
    hidden: tuple[int, ...] = (128, 128)
    attack_radius: float = 0.15
    clue: float = 0.0              # at 0.1, training stayed at chance for k = 8 at these sizes
    lr: float = 3e-3               # Adam
    steps: int = 600               # full-batch steps
    ramp_steps: int = 300          # the training radius grows linearly from 0 over these steps
    pgd_steps_train: int = 5
    pgd_steps_test: int = 20
    log_every: int = 50


def adversarial_training(model: nn.Module, x: torch.Tensor, y: torch.Tensor, config: AdversarialConfig, *,
                         seed: int) -> History:
    """Train ``model`` in place by full-batch Adam on the cross-entropy at l-inf PGD points.

    The training radius grows linearly from 0 to ``attack_radius`` over
    ``ramp_steps`` steps: from a random initialization, training at the full
    radius at once stayed at chance even on the training set in our runs.
    Inputs are unbounded (no clamping). Returns the loss history.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    return adversarial_fit(model, x, y, config.attack_radius, optimizer=optimizer, steps=config.steps,
                           attack_steps=config.pgd_steps_train, bounds=None, ramp_steps=config.ramp_steps,
                           log_every=config.log_every, seed=seed, progress=False, desc=f"adversarial, {len(x)}")


@dataclass(frozen=True)
class AdversarialRun:
    """Accuracies of one adversarially trained MLP; ``ceiling`` is :func:`robust_accuracy_ceiling`."""

    k: int
    hidden: tuple[int, ...]
    seed: int
    clean_train: float
    robust_train: float
    clean_test: float
    robust_test: float
    seen_fraction: float
    ceiling: float
    history: History


def run_adversarial(config: AdversarialConfig, k: int, seed: int, *, hidden: Sequence[int] | None = None,
                    device: torch.device | str | None = None) -> AdversarialRun:
    """Draw data whose label depends on ``k`` coordinates, train an MLP adversarially, measure it.

    ``hidden`` overrides the configured hidden widths. The data are drawn on
    the CPU, so a seed gives the same data everywhere; training runs on
    ``device`` (default :func:`lgcore.runtime.device`).
    """
    device = runtime.device(str(device) if device is not None else None)
    hidden = tuple(config.hidden if hidden is None else hidden)
    generator = torch.Generator().manual_seed(seed)
    table = random_table(k, generator=generator)
    train = sample_hypercube(config.n_train, config.d, table, clue=config.clue, generator=generator)
    test = sample_hypercube(config.n_test, config.d, table, clue=config.clue, generator=generator)
    x_train, y_train = train.x.to(device), train.y.to(device)
    x_test, y_test = test.x.to(device), test.y.to(device)
    torch.manual_seed(seed)
    model = MLP(config.d, list(hidden), 2).to(device)
    history = adversarial_training(model, x_train, y_train, config, seed=seed)
    attack = dict(steps=config.pgd_steps_test, generator=torch.Generator().manual_seed(seed))
    radius = config.attack_radius
    return AdversarialRun(
        k=k, hidden=hidden, seed=seed,
        clean_train=float(clean_correct(model, x_train, y_train).float().mean()),
        robust_train=float(robust_correct(model, x_train, y_train, radius, **attack).float().mean()),
        clean_test=float(clean_correct(model, x_test, y_test).float().mean()),
        robust_test=float(robust_correct(model, x_test, y_test, radius, **attack).float().mean()),
        seen_fraction=hypercube_seen_fraction(train, test),
        ceiling=robust_accuracy_ceiling(k, config.n_train), history=history,
    )
