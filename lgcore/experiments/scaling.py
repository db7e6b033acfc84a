"""Experiments of the scaling chapters: schedule suites, peak sweeps, scaling fits and batch-size switches.

Everything here runs the theory engines of :mod:`lgcore.theory.kernel_sgd`,
:mod:`lgcore.theory.fsl` and :mod:`lgcore.theory.optimal_schedule`; the
chapters choose the sizes with :func:`lgcore.scale.pick`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lgcore import schedules
from lgcore.theory import kernel_sgd
from lgcore.theory import optimal_schedule as optimal

__all__ = [
    "FSLConfig", "OptimalLRConfig", "BatchSizeConfig", "schedule_suite", "PeakSweep", "sweep_peaks",
    "power_law_exponent", "pad_runs", "ScalingStudy", "optimal_scaling", "shape_scaling",
    "BudgetSweep", "budget_sweep", "relative_gap", "catch_up_step",
]


@dataclass(frozen=True)
class FSLConfig:
    """Sizes of the FSL chapter: one problem per regime, five schedules, a Monte-Carlo check."""

    dim: int = 1000
    steps: int = 10_000
    capacity: float = 2.0
    hard_source: float = 0.25
    easy_source: float = 1.0
    noise_var: float = 0.5
    peak: float = 0.2
    decay_fraction: float = 0.2     # WSD's decay phase
    mc_seeds: int = 128
    mc_peak: float = 0.1            # Monte-Carlo check; heavier tails at larger rates need more seeds
    record: int = 200               # recorded points per curve, spaced geometrically


@dataclass(frozen=True)
class OptimalLRConfig:
    """Sizes of the optimal-schedule chapter."""

    noise: float = 1e-2             # c = C sigma^2 / b of the objective
    check_steps: int = 2000         # per-step problem solved against the exact family
    horizons: tuple[int, ...] = (10**4, 10**5, 10**6, 10**7)
    pairs: tuple[tuple[float, float], ...] = ((1.0, 2.0), (0.75, 2.0), (1.0, 3.0), (1.5, 2.0))
    hard_pairs: tuple[tuple[float, float], ...] = ((0.25, 2.0), (0.4, 3.0))
    n_bins: int = 400
    lr_max_easy: float = 100.0      # large enough never to bind in the easy regime
    lr_max_hard: float = 1.0
    shape_capacity: float = 5.0     # beta > 3, so both cosine and linear decay saturate
    shape_source: float = 1.0
    shape_horizons: tuple[int, ...] = (10**4, 10**5, 10**6)
    sgd_dim: int = 300
    sgd_steps: int = 100_000
    sgd_capacity: float = 4.0
    sgd_source: float = 1.0
    sgd_noise_var: float = 0.1
    sgd_peaks: tuple[float, float, int] = (0.01, 0.6, 12)   # geometric grid: lowest, highest, count


@dataclass(frozen=True)
class BatchSizeConfig:
    """Sizes of the batch-size chapter: constant learning rate, batch sizes ``small`` and ``large``."""

    dim: int = 1000
    steps: int = 10_000
    capacity: float = 2.0
    sources: tuple[float, ...] = (0.25, 0.5, 1.0)   # hard, boundary, easy for capacity 2
    noise_var: float = 0.5
    lr: float = 0.3
    small: int = 4
    large: int = 64
    switch_fraction: float = 0.75
    budget: int = 160_000            # samples: 2,500 steps at the large batch, 40,000 at the small one
    budget_points: int = 21
    record: int = 300


def schedule_suite(peak: float, steps: int, decay_fraction: float = 0.2) -> list[schedules.Schedule]:
    """Return constant, cosine, linear, WSD and 8-1-1 schedules with one peak and length."""
    return [
        schedules.constant(peak, steps),
        schedules.cosine(peak, steps),
        schedules.linear(peak, steps),
        schedules.wsd(peak, steps, decay_fraction=decay_fraction),
        schedules.eight_one_one(peak, steps),
    ]


@dataclass(frozen=True)
class PeakSweep:
    """Final exact risks over a grid of peak learning rates (``inf`` where SGD diverged)."""

    peaks: np.ndarray
    losses: np.ndarray

    @property
    def best_peak(self) -> float:
        """Peak with the lowest final risk."""
        return float(self.peaks[np.argmin(self.losses)])

    @property
    def best_loss(self) -> float:
        """Lowest final risk over the grid."""
        return float(np.min(self.losses))

    @property
    def at_edge(self) -> bool:
        """Whether the best peak is the grid's lowest or highest value, so the grid may be too narrow."""
        best = int(np.argmin(self.losses))
        return best in (0, self.peaks.size - 1)


def sweep_peaks(problem: kernel_sgd.Problem, make_schedule: Callable[[float], schedules.Schedule],
                peaks: Sequence[float] | np.ndarray, *, device=None) -> PeakSweep:
    """Return the exact final risk of ``make_schedule(peak)`` for every peak, in one vectorized run."""
    peaks = np.asarray(peaks, dtype=np.float64)
    if peaks.ndim != 1 or peaks.size == 0 or np.any(peaks <= 0):
        raise ValueError("peaks must be a non-empty 1-D array of positive learning rates")
    runs = [make_schedule(float(peak)) for peak in peaks]
    steps = runs[0].total_steps
    curve = kernel_sgd.sgd_risk(problem, runs, record=[steps], device=device, on_divergence="inf")
    return PeakSweep(peaks, curve.final)


def power_law_exponent(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Return ``a`` of the least-squares fit ``y ~ x^-a`` in log-log coordinates."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"need two equal-length arrays with at least 2 points, got {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("a power-law fit needs positive x and y")
    return float(-np.polyfit(np.log(x), np.log(y), 1)[0])


def pad_runs(rates: Sequence[np.ndarray], batches: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return ``[runs, longest]`` learning-rate and batch matrices, padding with rate 0 and batch 1.

    A step with learning rate 0 leaves SGD unchanged, so runs of different
    lengths share one :func:`lgcore.theory.kernel_sgd.sgd_risk` call and each
    run's final risk is the last column.
    """
    if len(rates) != len(batches) or not rates:
        raise ValueError("give one batch array per learning-rate array, and at least one run")
    longest = max(len(rate) for rate in rates)
    lr = np.zeros((len(rates), longest))
    batch = np.ones((len(rates), longest), dtype=np.int64)
    for i, (rate, size) in enumerate(zip(rates, batches)):
        if len(rate) != len(size):
            raise ValueError(f"run {i}: {len(rate)} learning rates but {len(size)} batch sizes")
        lr[i, :len(rate)] = rate
        batch[i, :len(size)] = size
    return lr, batch


@dataclass(frozen=True)
class ScalingStudy:
    """Optimal schedules of one ``(s, beta)`` over horizons: peak, final loss and decay fraction per horizon."""

    source: float
    capacity: float
    horizons: np.ndarray
    peaks: np.ndarray
    losses: np.ndarray
    decay_fractions: np.ndarray
    schedules: tuple[optimal.OptimalSchedule, ...]

    @property
    def peak_exponent(self) -> float:
        """Fitted ``nu`` of ``eta_peak ~ N^-nu``."""
        return -power_law_exponent(self.horizons, 1.0 / self.peaks)

    @property
    def loss_exponent(self) -> float:
        """Fitted exponent of ``L* ~ N^-exponent``."""
        return power_law_exponent(self.horizons, self.losses)


def optimal_scaling(source: float, capacity: float, noise: float, horizons: Sequence[int], lr_max: float,
                    *, n_bins: int = 400) -> ScalingStudy:
    """Solve the optimal schedule at each horizon and collect its peak, loss and decay fraction."""
    objective = optimal.ScheduleObjective(source, capacity, noise)
    solved = tuple(optimal.optimal_schedule(objective, int(n), lr_max, n_bins=n_bins) for n in horizons)
    horizons = np.asarray(horizons, dtype=np.float64)
    decay = np.array([1.0 - optimal.decay_start(s.values(), lr_max) / n for s, n in zip(solved, horizons)])
    return ScalingStudy(source, capacity, horizons, np.array([s.peak for s in solved]),
                        np.array([s.loss for s in solved]), decay, solved)


def shape_scaling(objective: optimal.ScheduleObjective, shape: Callable[[int], np.ndarray],
                  horizons: Sequence[int], *, lr_range: tuple[float, float] = (1e-3, 1e3)) -> np.ndarray:
    """Return the FSL's final loss with the best peak for a fixed shape at each horizon.

    ``shape(N)`` returns the schedule's per-step values with peak 1.
    """
    losses = []
    for n in horizons:
        values = np.asarray(shape(int(n)), dtype=np.float64)
        tuned = optimal.tune_peak(lambda peak: float(optimal.final_loss(objective, peak * values)), *lr_range)
        losses.append(tuned.loss)
    return np.array(losses)


@dataclass(frozen=True)
class BudgetSweep:
    """Final exact risks of two-stage batch schedules at a fixed data budget, over switch points in samples."""

    budget: int
    switch_samples: np.ndarray
    losses: np.ndarray
    steps: np.ndarray

    @property
    def best_fraction(self) -> float:
        """Best switch point as a fraction of the budget, ``P*/D``."""
        return float(self.switch_samples[np.argmin(self.losses)] / self.budget)


def budget_sweep(problem: kernel_sgd.Problem, lr: float, small: int, large: int, budget: int,
                 switch_samples: Sequence[int] | np.ndarray, *, device=None) -> BudgetSweep:
    """Return the final risk at a fixed data budget for each switch point from ``small`` to ``large`` batches."""
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    switch_samples = np.asarray(switch_samples, dtype=np.int64)
    runs = [schedules.two_stage_for_budget(small, large, budget, int(p)) for p in switch_samples]
    rates, batches = pad_runs([np.full(run.total_steps, lr) for run in runs], [run.values() for run in runs])
    curve = kernel_sgd.sgd_risk(problem, rates, batches, record=[rates.shape[1]], device=device)
    return BudgetSweep(int(budget), switch_samples, curve.final, np.array([run.total_steps for run in runs]))


def relative_gap(loss: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Return ``(loss - reference) / reference``."""
    loss, reference = np.asarray(loss, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if loss.shape != reference.shape:
        raise ValueError(f"loss has shape {loss.shape} but reference has {reference.shape}")
    return (loss - reference) / reference


def catch_up_step(steps: np.ndarray, gap: np.ndarray, after: int, tolerance: float) -> float:
    """Return the number of steps after step ``after`` until the relative gap stays below ``tolerance``.

    Returns ``inf`` when the gap is still above ``tolerance`` at the last recorded step.
    """
    steps, gap = np.asarray(steps), np.asarray(gap, dtype=np.float64)
    if steps.shape != gap.shape:
        raise ValueError(f"steps has shape {steps.shape} but gap has {gap.shape}")
    later = steps >= after
    if not later.any():
        raise ValueError(f"no recorded step at or after {after}")
    above = np.flatnonzero(later & (gap > tolerance))
    if above.size and above[-1] == steps.size - 1:
        return math.inf
    if not above.size:
        return 0.0
    return float(steps[above[-1] + 1] - after)
