"""Experiments of the robust-overfitting chapter: bumps on digits, adversarial training, patch dynamics.

Three recipes:

* :func:`run_memorization`: a clean MLP plus :class:`~lgcore.robust.bumps.MemorizationBumps`
  around every training point, measured clean and under l-inf PGD;
* :func:`run_adversarial_digits`: PGD adversarial training of an MLP on digits,
  with clean test, robust training and robust test accuracy per epoch;
* :func:`run_patches`: adversarial training of :class:`~lgcore.models.cnn.PatchCNN`
  on patch data, tracking the feature and noise alignments of the filters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from lgcore import runtime
from lgcore.data import ImageData
from lgcore.data.patches import PatchData, sample_patches, unit_feature
from lgcore.models import MLP, PreActResNet18
from lgcore.models.cnn import PatchCNN
from lgcore.robust import accuracy, robust_accuracy
from lgcore.robust.bumps import ClassifierWithBumps, MemorizationBumps, linf_distance_to_points
from lgcore.robust.training import adversarial_fit
from lgcore.train import History, fit


@dataclass(frozen=True)
class DigitsConfig:
    """MLP, optimizer and l-inf PGD of the digit experiments (inputs in [0, 1])."""

    hidden: tuple[int, ...] = (512, 512)
    epochs: int = 60
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    eps: float = 0.1          # l-inf radius in pixel units
    train_attack_steps: int = 5
    eval_attack_steps: int = 10
    eval_every_epochs: int = 2
    eval_train_size: int = 500  # robust training accuracy is measured on this many training images
    architecture: str = "mlp"   # or "preact-resnet18" (the paper's CIFAR-10 network; ``hidden`` is then unused)
    weight_decay: float = 0.0
    lr_milestones: tuple[int, ...] = ()  # epochs after which the learning rate is divided by 10
    train_attack_step_size: float | None = None  # default 2.5 * eps / train_attack_steps


def build_model(config: DigitsConfig, train: ImageData) -> torch.nn.Module:
    """Return the network of ``config`` for images shaped like ``train.images``."""
    classes = len(train.classes)
    if config.architecture == "mlp":
        return MLP(train.images[0].numel(), list(config.hidden), classes)
    if config.architecture == "preact-resnet18":
        return PreActResNet18(classes, in_channels=train.images.shape[1])
    raise ValueError(f"unknown architecture {config.architecture!r}; use 'mlp' or 'preact-resnet18'")


def _attack(config: DigitsConfig, seed: int) -> dict:
    return dict(steps=config.eval_attack_steps, bounds=(0.0, 1.0), generator=torch.Generator().manual_seed(seed))


def train_clean(train: ImageData, config: DigitsConfig, seed: int, *, progress: bool | None = None) -> MLP:
    """Train the MLP of ``config`` on clean images with SGD and momentum; return it in eval mode."""
    torch.manual_seed(seed)
    model = MLP(train.images[0].numel(), list(config.hidden), len(train.classes))
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    fit(model, (train.images, train.labels), loss_fn=F.cross_entropy, optimizer=optimizer, epochs=config.epochs,
        batch_size=config.batch_size, seed=seed, log_every=50, progress=progress, device="cpu", desc="clean")
    return model.eval()


def run_memorization(train: ImageData, test: ImageData, config: DigitsConfig, seed: int, *,
                     width: float = 0.05, height: float = 2.0, progress: bool | None = None) -> dict[str, float]:
    """Add bumps of radius ``config.eps`` around every training image to a clean MLP; measure both models.

    Returns clean and robust (l-inf PGD at ``config.eps``) accuracy on the
    training images (the first ``config.eval_train_size``) and on ``test``,
    for the clean MLP (``clean_*``) and with bumps (``bumps_*``), plus the
    parameter counts and ``test_reach``, the fraction of test images within
    l-inf distance ``2 eps + width`` of a training image (those an attack can
    move onto a bump).
    """
    clean = train_clean(train, config, seed, progress=progress)
    bumps = MemorizationBumps(train.images, train.labels, len(train.classes), delta=config.eps, width=width)
    memorizer = ClassifierWithBumps(clean, bumps, height=height).eval()
    x_train = train.images[:config.eval_train_size]
    y_train = train.labels[:config.eval_train_size]
    result = {}
    for name, model in (("clean", clean), ("bumps", memorizer)):
        result[f"{name}_clean_train"] = accuracy(model, x_train, y_train)
        result[f"{name}_clean_test"] = accuracy(model, test.images, test.labels)
        result[f"{name}_robust_train"] = robust_accuracy(model, x_train, y_train, config.eps,
                                                         **_attack(config, seed))
        result[f"{name}_robust_test"] = robust_accuracy(model, test.images, test.labels, config.eps,
                                                        **_attack(config, seed))
    distance = linf_distance_to_points(test.images, train.images)
    result["test_reach"] = float((distance < 2 * config.eps + width).float().mean())
    result["clean_parameters"] = float(sum(p.numel() for p in clean.parameters()))
    result["bump_parameters"] = float(bumps.parameter_count())
    return result


def run_adversarial_digits(train: ImageData, test: ImageData, config: DigitsConfig, seed: int, *,
                           progress: bool | None = None, device: torch.device | str | None = None) -> History:
    """Adversarially train an MLP (l-inf PGD at ``config.eps``) and record accuracies every few epochs.

    The :class:`~lgcore.train.History` holds, at step 0, every
    ``config.eval_every_epochs`` epochs and at the end: ``clean_test``,
    ``robust_train`` (on the first ``config.eval_train_size`` training images),
    ``robust_test`` and ``epoch``. Runs on ``device`` (default
    :func:`lgcore.runtime.device`); the data are moved there once.
    """
    device = runtime.device(str(device) if device is not None else None)
    train = ImageData(train.images.to(device), train.labels.to(device), train.classes)
    test = ImageData(test.images.to(device), test.labels.to(device), test.classes)
    torch.manual_seed(seed)
    model = build_model(config, train).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                weight_decay=config.weight_decay)
    x_train = train.images[:config.eval_train_size]
    y_train = train.labels[:config.eval_train_size]
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    milestones = [epoch * steps_per_epoch for epoch in config.lr_milestones]
    scheduler = (torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1) if milestones else None)

    def evaluate(network: torch.nn.Module) -> dict[str, float]:
        return {
            "clean_test": accuracy(network, test.images, test.labels),
            "robust_train": robust_accuracy(network, x_train, y_train, config.eps, **_attack(config, seed)),
            "robust_test": robust_accuracy(network, test.images, test.labels, config.eps, **_attack(config, seed)),
        }

    history = adversarial_fit(model, train.images, train.labels, config.eps, optimizer=optimizer,
                              epochs=config.epochs, batch_size=config.batch_size,
                              attack_steps=config.train_attack_steps, step_size=config.train_attack_step_size,
                              bounds=(0.0, 1.0), eval_fn=evaluate, lr_scheduler=scheduler,
                              eval_every=steps_per_epoch * config.eval_every_epochs, log_every=steps_per_epoch,
                              seed=seed, progress=progress, desc="adversarial training")
    for row in history.rows:
        if "clean_test" in row:
            row["epoch"] = row["step"] / steps_per_epoch
    return history


@dataclass(frozen=True)
class PatchConfig:
    """Patch data, CNN and adversarial training of the three-stage experiment."""

    d: int = 400              # patch dimension
    num_patches: int = 2      # one signal patch, one noise patch
    n_train: int = 40
    n_test: int = 500
    alpha: float = 5.0        # norm of the signal patch
    noise_std: float = 0.5    # noise patch norm about noise_std * sqrt(d) = 10
    eps: float = 4.5          # l-2 radius of the attack, 0.9 alpha
    width: int = 5            # filters per class
    power: float = 1.0        # ReLU
    init_std: float = 0.01
    lr: float = 0.003
    steps: int = 1000         # full-batch gradient descent steps
    eval_every: int = 25
    attack_steps: int = 5


@dataclass
class PatchRun:
    """One seed of the patch experiment: data, trained CNN, alignment history and final accuracies."""

    seed: int
    config: PatchConfig
    train: PatchData
    test: PatchData
    model: PatchCNN
    history: History
    accuracies: dict[str, float]


def patch_alignment(model: PatchCNN, data: PatchData, alpha: float) -> dict[str, float]:
    """Return ``feature``, ``alpha * max_r <w_{c,r}, s_c u>``, and ``noise``, ``max_{i,r,p} <w_{y_i,r}, xi_{i,p}>``.

    Both are pre-activations of the filters, so they compare how much the
    signal patch and the best-memorized noise patch drive the network.
    ``noise_mean`` is the mean over samples of the per-sample maximum.
    """
    noise = model.noise_alignment(data.noise, data.y)
    return {"feature": float(alpha * model.feature_alignment(data.feature).max()),
            "noise": float(noise.max()), "noise_mean": float(noise.mean())}


def run_patches(config: PatchConfig, seed: int, *, progress: bool | None = None) -> PatchRun:
    """Draw patch data for ``seed``, adversarially train the CNN (l-2 PGD) and record the alignments.

    Full-batch gradient descent on the CPU; alignments every ``config.eval_every`` steps.
    """
    generator = torch.Generator().manual_seed(seed)
    feature = unit_feature(config.d, generator=generator)
    draw = dict(num_patches=config.num_patches, alpha=config.alpha, noise_std=config.noise_std,
                generator=generator)
    train = sample_patches(config.n_train, feature, **draw)
    test = sample_patches(config.n_test, feature, **draw)
    model = PatchCNN(config.d, config.width, power=config.power, init_std=config.init_std, generator=generator)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    history = adversarial_fit(model, train.x, train.y, config.eps, optimizer=optimizer, steps=config.steps,
                              norm="l2", attack_steps=config.attack_steps, bounds=None,
                              eval_fn=lambda network: patch_alignment(network, train, config.alpha),
                              eval_every=config.eval_every, log_every=config.eval_every, seed=seed,
                              progress=progress, desc="patch CNN")
    attack = dict(norm="l2", steps=10, bounds=None, generator=torch.Generator().manual_seed(seed))
    accuracies = {
        "clean_train": accuracy(model, train.x, train.y), "clean_test": accuracy(model, test.x, test.y),
        "robust_train": robust_accuracy(model, train.x, train.y, config.eps, **attack),
        "robust_test": robust_accuracy(model, test.x, test.y, config.eps, **attack),
    }
    return PatchRun(seed, config, train, test, model, history, accuracies)


def stage_boundaries(steps: np.ndarray, feature: np.ndarray, noise: np.ndarray) -> tuple[float, float]:
    """Locate the stages in alignment curves: ``(lead_step, crossing_step)``.

    ``lead_step`` is the step at which the feature's lead over the noise,
    ``feature - noise``, is largest: partial feature learning (stage 1) ends
    there and the transition (stage 2) begins. ``crossing_step`` is the first
    recorded step after it at which ``noise`` exceeds ``feature``: robust
    memorization (stage 3) begins. Either is ``nan`` when it does not occur
    (the feature never leads, or the noise never overtakes it).
    """
    steps, feature, noise = (np.asarray(values, dtype=float) for values in (steps, feature, noise))
    if not (steps.shape == feature.shape == noise.shape) or steps.ndim != 1 or len(steps) < 2:
        raise ValueError(f"steps, feature and noise must be 1-D of one length >= 2, got shapes {steps.shape}, "
                         f"{feature.shape} and {noise.shape}")
    lead = feature - noise
    if lead.max() <= 0:
        return math.nan, math.nan
    lead_index = int(np.argmax(lead))
    after = np.flatnonzero(lead[lead_index:] < 0)
    crossing = float(steps[lead_index + after[0]]) if len(after) else math.nan
    return float(steps[lead_index]), crossing
