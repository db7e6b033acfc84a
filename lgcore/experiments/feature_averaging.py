"""Experiments of the feature-averaging chapter: orthogonal clusters and odd-versus-even digits.

Two trainings are compared throughout. *Binary* training sees only the label
``cluster % 2``; *fine-grained* training sees the cluster (or digit) itself, and
its coarse prediction is read out with :class:`lgcore.models.CoarseReadout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F

from lgcore import runtime
from lgcore.data import ImageData, orthogonal_centers, parity, sample_clusters
from lgcore.data.synthetic import ClusterData
from lgcore.models import MLP, CoarseReadout, FixedReadoutReLU
from lgcore.robust import accuracy, robust_accuracy_curve
from lgcore.theory import feature_averaging as theory
from lgcore.train import History, fit


@dataclass(frozen=True)
class ClusterConfig:
    """Sizes and optimization of the orthogonal-cluster experiment."""

    k: int = 10               # clusters; k / 2 per binary label
    d: int = 3000             # input dimension
    n_train: int = 1000
    n_test: int = 1000
    width: int = 5            # neurons per output class
    init_std: float = 1e-4    # small initialization: the feature-learning regime
    lr: float = 0.05
    steps: int = 1000         # full-batch gradient descent steps
    eval_every: int = 50
    pgd_steps: int = 20


@dataclass
class ClusterRun:
    """Both trained networks of one seed, their alignment histories and the test data."""

    seed: int
    config: ClusterConfig
    test: ClusterData
    binary: FixedReadoutReLU
    fine: FixedReadoutReLU
    binary_history: History
    fine_history: History

    @property
    def fine_readout(self) -> CoarseReadout:
        return CoarseReadout(self.fine, [j % 2 for j in range(self.config.k)])


def alignment(model: FixedReadoutReLU, centers: torch.Tensor, *, fine: bool) -> dict[str, float]:
    """Summarize how the neurons of ``model`` align with the cluster centers.

    Binary model (two classes): ``cos_average_min``, the smallest cosine of a
    neuron with its label's center sum; ``cos_center_mean``/``cos_center_min``/
    ``cos_center_max``, the cosine of a neuron with each single center of its
    label; ``cos_other_max``, the largest cosine with a center of the other label.
    Fine-grained model (``k`` classes): ``cos_own_min``, the smallest cosine of
    a neuron with its own center, and ``cos_other_max``, the largest with any other.
    """
    neurons = model.neurons()
    k = len(centers)
    label_of_cluster = torch.arange(k) % 2
    if not fine:
        sums = theory.label_sums(centers, label_of_cluster)
        to_sums = theory.cosines(neurons, sums)            # [2, width, 2]
        to_centers = theory.cosines(neurons, centers)      # [2, width, k]
        own = torch.stack([to_centers[label][:, label_of_cluster == label] for label in (0, 1)])
        other = torch.stack([to_centers[label][:, label_of_cluster != label] for label in (0, 1)])
        return {
            "cos_average_min": float(torch.stack([to_sums[label, :, label] for label in (0, 1)]).min()),
            "cos_center_mean": float(own.mean()), "cos_center_min": float(own.min()),
            "cos_center_max": float(own.max()), "cos_other_max": float(other.max()),
        }
    to_centers = theory.cosines(neurons, centers)          # [k, width, k]
    own_mask = torch.eye(k, dtype=torch.bool).unsqueeze(1).expand_as(to_centers)
    return {"cos_own_min": float(to_centers[own_mask].min()), "cos_other_max": float(to_centers[~own_mask].max())}


def _on(data: ClusterData, device: torch.device) -> ClusterData:
    return ClusterData(data.x.to(device), data.cluster.to(device), data.centers.to(device))


def train_on_clusters(data: ClusterData, config: ClusterConfig, *, fine: bool, seed: int,
                      progress: bool | None = None) -> tuple[FixedReadoutReLU, History]:
    """Train the fixed-readout network by full-batch gradient descent on the logistic (cross-entropy) loss.

    Trains on the device of ``data.x``. Records the alignment summary every ``config.eval_every`` steps.
    """
    classes = config.k if fine else 2
    targets = data.cluster if fine else data.binary
    model = FixedReadoutReLU(config.d, classes, config.width, init_std=config.init_std,
                             generator=torch.Generator().manual_seed(seed)).to(data.x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    history = fit(model, (data.x, targets), loss_fn=F.cross_entropy, optimizer=optimizer, steps=config.steps,
                  eval_fn=lambda network: alignment(network, data.centers, fine=fine),
                  eval_every=config.eval_every, log_every=config.eval_every, seed=seed, progress=progress,
                  device=data.x.device, desc="fine-grained" if fine else "binary")
    return model, history


def run_clusters(config: ClusterConfig, seed: int, *, progress: bool | None = None,
                 device: torch.device | str | None = None) -> ClusterRun:
    """Draw the centers and the data for ``seed``, then train the binary and the fine-grained network.

    The data are drawn on the CPU, so a seed gives the same data on every
    device; training runs on ``device`` (default :func:`lgcore.runtime.device`).
    """
    device = runtime.device(str(device) if device is not None else None)
    generator = torch.Generator().manual_seed(seed)
    centers = orthogonal_centers(config.k, config.d, generator=generator)
    train = _on(sample_clusters(centers, config.n_train, generator=generator), device)
    test = _on(sample_clusters(centers, config.n_test, generator=generator), device)
    binary, binary_history = train_on_clusters(train, config, fine=False, seed=seed, progress=progress)
    fine, fine_history = train_on_clusters(train, config, fine=True, seed=seed, progress=progress)
    return ClusterRun(seed, config, test, binary, fine, binary_history, fine_history)


def cluster_robustness(run: ClusterRun, radii: Sequence[float]) -> dict[str, np.ndarray]:
    """Robust test accuracy of both networks' binary predictions against the l-2 radius.

    Keys: ``pgd_binary`` and ``pgd_fine`` (l-2 PGD, no clamping: the inputs are
    Gaussian), ``averaging_binary`` (the averaging attack of the theory on the
    binary network) and ``nearest_center_fine`` (the single-center attack on the
    fine-grained readout). Each array has the length of ``radii``.
    """
    test, k = run.test, run.config.k
    label_of_cluster = torch.arange(k) % 2
    readout = run.fine_readout
    attack = dict(norm="l2", steps=run.config.pgd_steps, bounds=None,
                  generator=torch.Generator().manual_seed(run.seed))
    return {
        "pgd_binary": robust_accuracy_curve(run.binary, test.x, test.binary, radii, **attack),
        "pgd_fine": robust_accuracy_curve(readout, test.x, test.binary, radii, **attack),
        "averaging_binary": np.array([
            accuracy(run.binary, theory.averaging_attack(test.x, test.binary, test.centers,
                                                         label_of_cluster.to(test.x.device), r),
                     test.binary) for r in radii]),
        "nearest_center_fine": np.array([
            accuracy(readout, theory.nearest_center_attack(test.x, test.cluster, test.centers,
                                                           label_of_cluster.to(test.x.device), r),
                     test.binary) for r in radii]),
    }


@dataclass(frozen=True)
class DigitsConfig:
    """Network and optimization of the odd-versus-even digit experiment."""

    hidden: tuple[int, ...] = (256,)
    epochs: int = 20
    batch_size: int = 128
    lr: float = 0.05
    momentum: float = 0.9
    pgd_steps: int = 20
    bounds: tuple[float, float] = (0.0, 1.0)


@dataclass
class DigitsRun:
    """Clean and robust held-out accuracy of the binary and the fine-grained digit models for one seed."""

    seed: int
    radii: np.ndarray
    clean_binary: float
    clean_fine: float
    clean_fine_ten_class: float
    robust_binary: np.ndarray
    robust_fine: np.ndarray
    histories: dict[str, History] = field(default_factory=dict)


def train_digits(train: ImageData, config: DigitsConfig, *, fine: bool, seed: int,
                 progress: bool | None = None) -> tuple[torch.nn.Module, History]:
    """Train an MLP on 10 digit classes (``fine``) or on odd against even; mini-batch SGD with momentum.

    Trains on the device of ``train.images``.
    """
    torch.manual_seed(seed)
    classes = 10 if fine else 2
    model = MLP(train.images[0].numel(), list(config.hidden), classes).to(train.images.device)
    targets = train.labels if fine else parity(train.labels)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    history = fit(model, (train.images, targets), loss_fn=F.cross_entropy, optimizer=optimizer,
                  epochs=config.epochs, batch_size=config.batch_size, seed=seed, log_every=50, progress=progress,
                  device=train.images.device, desc="10-class" if fine else "odd/even")
    return model, history


def run_digits(train: ImageData, heldout: ImageData, config: DigitsConfig, radii: Sequence[float], seed: int,
               *, progress: bool | None = None, device: torch.device | str | None = None) -> DigitsRun:
    """Train both digit models for ``seed`` and measure clean and l-2 PGD robust accuracy on ``heldout``.

    Runs on ``device`` (default :func:`lgcore.runtime.device`).
    """
    device = runtime.device(str(device) if device is not None else None)
    train = ImageData(train.images.to(device), train.labels.to(device), train.classes)
    heldout = ImageData(heldout.images.to(device), heldout.labels.to(device), heldout.classes)
    binary, binary_history = train_digits(train, config, fine=False, seed=seed, progress=progress)
    fine, fine_history = train_digits(train, config, fine=True, seed=seed, progress=progress)
    readout = CoarseReadout(fine, [digit % 2 for digit in range(10)])
    x, y = heldout.images, parity(heldout.labels)
    attack = dict(norm="l2", steps=config.pgd_steps, bounds=config.bounds,
                  generator=torch.Generator().manual_seed(seed))
    return DigitsRun(
        seed=seed, radii=np.asarray(radii, dtype=float),
        clean_binary=accuracy(binary, x, y), clean_fine=accuracy(readout, x, y),
        clean_fine_ten_class=accuracy(fine, x, heldout.labels),
        robust_binary=robust_accuracy_curve(binary, x, y, radii, **attack),
        robust_fine=robust_accuracy_curve(readout, x, y, radii, **attack),
        histories={"binary": binary_history, "fine": fine_history},
    )
