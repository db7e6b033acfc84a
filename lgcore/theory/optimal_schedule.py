"""Optimal learning-rate schedules of the functional scaling law.

The objective is the FSL's final loss after ``N`` steps in the
noise-dominated form, with time measured in units of the FSL's time scale:

    L(eta) = (1 + D)^-s + c * sum_{k<N} eta_k^2 (1 + R_k)^-gamma,

where ``D = sum_k eta_k`` is the total intrinsic time, ``R_k = sum_{i>k} eta_i``
the intrinsic time left after step ``k``, ``gamma = 2 - 1/beta`` and ``c``
the noise level ``C sigma^2 / b``. The learning rates obey
``0 <= eta_k <= lr_max``.

* :func:`optimal_schedule` minimizes ``L`` numerically: piecewise-constant
  learning rates on bins that are finer near the end, parameterized by their
  logarithm, with L-BFGS-B and an exact gradient. A bin's share of the noise
  sum is a difference of Hurwitz zeta functions, so the cost does not grow
  with ``N``.
* :func:`euler_lagrange_schedule` solves the per-step problem's stationarity
  conditions exactly. Subtracting the conditions of consecutive interior
  steps gives ``2 eta_{m+1} K(R_{m+1}) = 2 eta_m K(R_m) - eta_m^2 K'(R_m)``,
  whose continuum limit is the Euler-Lagrange condition
  ``eta^2 K(R) = const``. Run backwards from the last learning rate, the
  difference equation gives a one-parameter family. Clipping at ``lr_max``
  and the first interior step's condition pick its member.
* :func:`peak_lr_exponent` and :func:`loss_exponent` are the scaling exponents
  derived from the continuum problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from lgcore.theory.fsl import kernel_exponent

__all__ = [
    "ScheduleObjective", "final_loss", "continuum_schedule", "closest_continuum", "step_bins", "OptimalSchedule", "optimal_schedule",
    "euler_lagrange_schedule", "tune_peak", "PeakTuning", "peak_lr_exponent", "loss_exponent",
    "decay_start",
]


@dataclass(frozen=True)
class ScheduleObjective:
    """The FSL's final loss as a function of the schedule: exponents ``s``, ``beta`` and noise level ``c``."""

    source: float
    capacity: float
    noise: float

    def __post_init__(self) -> None:
        kernel_exponent(self.capacity)
        if not math.isfinite(self.source) or self.source <= 0:
            raise ValueError(f"source exponent must be > 0, got {self.source}")
        if not math.isfinite(self.noise) or self.noise <= 0:
            raise ValueError(f"noise level must be > 0 (with none, the best schedule is the largest rate), "
                             f"got {self.noise}")

    @property
    def gamma(self) -> float:
        """Kernel exponent ``2 - 1/beta``."""
        return kernel_exponent(self.capacity)


def _check_steps(total_steps: int) -> None:
    if isinstance(total_steps, bool) or not isinstance(total_steps, (int, np.integer)) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")


def _check_exponents(source: float, capacity: float) -> None:
    kernel_exponent(capacity)
    if not math.isfinite(source) or source <= 0:
        raise ValueError(f"source exponent must be finite and > 0, got {source}")


def _check_lr_max(lr_max: float) -> None:
    if not math.isfinite(lr_max) or lr_max <= 0:
        raise ValueError(f"lr_max must be finite and > 0, got {lr_max}")


def final_loss(objective: ScheduleObjective, lr: np.ndarray) -> np.ndarray:
    """Return the objective for per-step learning rates ``[..., N]``, summed exactly over steps."""
    lr = np.asarray(lr, dtype=np.float64)
    if lr.ndim == 0 or lr.shape[-1] == 0 or not np.all(np.isfinite(lr)) or np.any(lr < 0):
        raise ValueError("learning rates must be a non-empty array of finite values >= 0")
    remaining = np.cumsum(lr[..., ::-1], axis=-1)[..., ::-1] - lr       # R_k = sum_{i>k} eta_i
    total = remaining[..., 0] + lr[..., 0]
    noise = np.sum(lr**2 * (1.0 + remaining) ** -objective.gamma, axis=-1)
    return (1.0 + total) ** -objective.source + objective.noise * noise


def step_bins(total_steps: int, n_bins: int) -> np.ndarray:
    """Return the step counts of at most ``n_bins`` bins covering ``total_steps`` steps, finer near the end.

    Bin edges sit at geometrically spaced numbers of remaining steps, so the
    last bins hold one step each and the first ones the bulk of training.
    """
    _check_steps(total_steps)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    if n_bins >= total_steps:
        return np.ones(total_steps, dtype=np.int64)
    if n_bins == 1:
        return np.array([total_steps], dtype=np.int64)
    remaining = np.unique(np.round(np.geomspace(1, total_steps, n_bins)).astype(np.int64))
    remaining = np.unique(np.concatenate([np.arange(1, min(n_bins // 4, total_steps) + 1), remaining]))
    edges = np.concatenate([[0], remaining])
    return np.diff(edges)[::-1].copy()


def _binned_loss(objective: ScheduleObjective, log_lr: np.ndarray, counts: np.ndarray) -> tuple[float, np.ndarray]:
    """Return the objective and its gradient in ``log_lr`` for bins of ``counts`` steps at ``exp(log_lr)``."""
    gamma, s, c = objective.gamma, objective.source, objective.noise
    lr = np.exp(log_lr)
    length = counts * lr                                  # intrinsic time of each bin
    after = np.cumsum(length[::-1])[::-1] - length        # R_b: intrinsic time after bin b
    total = after[0] + length[0]
    q = (1.0 + after) / lr
    # sum_{i<n} eta^2 (1 + R_b + i eta)^-gamma = eta^(2-gamma) [zeta(gamma, q) - zeta(gamma, q + n)]
    zeta_diff = special.zeta(gamma, q) - special.zeta(gamma, q + counts)
    dzeta_diff = -gamma * (special.zeta(gamma + 1, q) - special.zeta(gamma + 1, q + counts))   # d/dq
    power = lr ** (2.0 - gamma)
    noise = np.sum(power * zeta_diff)
    loss = (1.0 + total) ** -s + c * noise
    # Direct effect of eta_b on its own bin (q depends on eta_b) and through R_b on earlier bins.
    direct = (2.0 - gamma) * power / lr * zeta_diff - power * dzeta_diff * q / lr
    via_after = power * dzeta_diff / lr                   # d(bin b's term)/d R_b
    earlier = np.concatenate([[0.0], np.cumsum(via_after)[:-1]])     # sum over bins before b
    grad_lr = -s * (1.0 + total) ** (-s - 1.0) * counts + c * (direct + counts * earlier)
    return float(loss), grad_lr * lr


@dataclass(frozen=True)
class OptimalSchedule:
    """A numerically optimal schedule: learning rate per bin, the bins' step counts, and the final loss."""

    counts: np.ndarray
    bin_lr: np.ndarray
    loss: float
    lr_max: float

    def values(self) -> np.ndarray:
        """Return the learning rate of every step."""
        return np.repeat(self.bin_lr, self.counts)

    @property
    def peak(self) -> float:
        """Largest learning rate of the schedule."""
        return float(self.bin_lr.max())


def optimal_schedule(objective: ScheduleObjective, total_steps: int, lr_max: float, *, n_bins: int = 400,
                     initial: np.ndarray | None = None, max_iter: int = 5000) -> OptimalSchedule:
    """Minimize the objective over piecewise-constant schedules on :func:`step_bins` with L-BFGS-B.

    The variables are ``log eta_b <= log lr_max``. Unless ``initial`` (one
    learning rate per bin) is given, the search starts from a power decay
    with peak ``lr_max`` and exponent ``2 beta - 1``.
    """
    _check_steps(total_steps)
    _check_lr_max(lr_max)
    counts = step_bins(total_steps, n_bins)
    if initial is None:
        ends = np.cumsum(counts)
        middle = total_steps - (ends - counts / 2)            # remaining steps at each bin's middle
        best = optimize.minimize_scalar(
            lambda log_mu: _binned_loss(objective, np.log(continuum_schedule(objective, middle, lr_max,
                                                                             math.exp(log_mu))), counts)[0],
            bounds=(-60.0, 2.0 * math.log(lr_max) + 1.0), method="bounded", options={"xatol": 1e-6})
        initial = continuum_schedule(objective, middle, lr_max, math.exp(best.x))
    initial = np.asarray(initial, dtype=np.float64)
    if initial.shape != counts.shape:
        raise ValueError(f"initial must contain {counts.size} finite positive learning rates, one per bin of "
                         f"step_bins({total_steps}, {n_bins}) (bins merge where steps coincide), "
                         f"got shape {initial.shape}")
    bad = ~np.isfinite(initial) | (initial <= 0)
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(f"initial must contain {counts.size} finite positive learning rates, got "
                         f"{float(initial[index])!r} at bin {index}")
    upper = math.log(lr_max)
    scale = _binned_loss(objective, np.log(np.minimum(initial, lr_max)), counts)[0]

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = _binned_loss(objective, x, counts)
        return loss / scale, grad / scale

    result = optimize.minimize(fun, np.log(np.minimum(initial, lr_max)), jac=True, method="L-BFGS-B",
                               bounds=[(upper - 60.0, upper)] * counts.size,
                               options={"maxiter": max_iter, "maxfun": 4 * max_iter, "ftol": 1e-15, "gtol": 1e-10})
    bin_lr = np.exp(result.x)
    return OptimalSchedule(counts, bin_lr, _binned_loss(objective, result.x, counts)[0], lr_max)


def continuum_schedule(objective: ScheduleObjective, remaining_steps: np.ndarray, lr_max: float,
                       mu: float) -> np.ndarray:
    """Return the continuum Euler-Lagrange schedule at the given numbers of remaining steps.

    ``eta^2 (1 + R)^-gamma = mu`` with ``dR/dz = -eta`` integrates to
    ``eta = sqrt(mu) (1 + sqrt(mu) (N - z) / (2 beta))^(2 beta - 1)``, a power
    decay of exponent ``2 beta - 1``, clipped at ``lr_max``.
    """
    _check_lr_max(lr_max)
    if not math.isfinite(mu) or mu <= 0:
        raise ValueError(f"mu must be finite and > 0, got {mu}")
    beta = objective.capacity
    root = math.sqrt(mu)
    remaining = np.asarray(remaining_steps, dtype=np.float64)
    return np.minimum(lr_max, root * (1.0 + root * remaining / (2.0 * beta)) ** (2.0 * beta - 1.0))


def closest_continuum(objective: ScheduleObjective, solved: OptimalSchedule) -> tuple[float, float]:
    """Return ``(mu, error)``: the continuum schedule closest to a binned optimum and their distance.

    The distance is the relative L2 norm over steps (each bin weighted by its
    step count), with the continuum schedule taken at the bins' centres.
    """
    counts = solved.counts
    remaining = counts.sum() - (np.cumsum(counts) - counts / 2)
    norm = math.sqrt(float(np.sum(counts * solved.bin_lr**2)))

    def distance(log_mu: float) -> float:
        family = continuum_schedule(objective, remaining, solved.lr_max, math.exp(log_mu))
        return math.sqrt(float(np.sum(counts * (family - solved.bin_lr) ** 2))) / norm

    grid = np.linspace(-60.0, 2.0 * math.log(solved.lr_max) + 1.0, 200)
    start = grid[int(np.argmin([distance(x) for x in grid]))]
    best = optimize.minimize_scalar(distance, bounds=(start - 0.5, start + 0.5), method="bounded",
                                    options={"xatol": 1e-9})
    return math.exp(best.x), float(best.fun)


def _backward_family(objective: ScheduleObjective, total_steps: int, lr_max: float, last_lr: float) -> np.ndarray:
    """Return the per-step schedule of the stationarity family that ends at ``last_lr``, clipped at ``lr_max``."""
    gamma = objective.gamma
    lr = np.full(total_steps, lr_max)
    lr[-1] = min(last_lr, lr_max)
    after = 0.0                              # R_{m+1}
    for m in range(total_steps - 2, -1, -1):
        next_lr = lr[m + 1]
        if next_lr >= lr_max:
            break
        kernel_next = (1.0 + after) ** -gamma
        after += next_lr                     # now R_m
        kernel = (1.0 + after) ** -gamma
        slope = gamma * (1.0 + after) ** (-gamma - 1.0)       # -K'(R_m)
        rhs = 2.0 * next_lr * kernel_next
        # slope * eta^2 + 2 K eta - rhs = 0, positive root in a cancellation-free form
        lr[m] = min(2.0 * rhs / (2.0 * kernel + math.sqrt(4.0 * kernel * kernel + 4.0 * slope * rhs)), lr_max)
    return lr


def _first_interior_condition(objective: ScheduleObjective, lr: np.ndarray, lr_max: float) -> float:
    """Return dL/d eta at the first step below ``lr_max`` (the stationarity residual that fixes the family)."""
    gamma, s = objective.gamma, objective.source
    interior = np.flatnonzero(lr < lr_max)
    first = int(interior[0]) if interior.size else lr.size - 1
    remaining = np.cumsum(lr[::-1])[::-1] - lr
    total = remaining[0] + lr[0]
    clipped = lr[:first]
    derivative_kernel = -gamma * (1.0 + remaining[:first]) ** (-gamma - 1.0)
    return (-s * (1.0 + total) ** (-s - 1.0)
            + objective.noise * (2.0 * lr[first] * (1.0 + remaining[first]) ** -gamma
                                 + np.sum(clipped**2 * derivative_kernel)))


def euler_lagrange_schedule(objective: ScheduleObjective, total_steps: int, lr_max: float) -> np.ndarray:
    """Return the per-step schedule that satisfies the discrete problem's stationarity conditions exactly.

    The family is indexed by the last learning rate; bisection in its
    logarithm finds the member whose first interior step is stationary. When
    even ``lr_max`` at every step leaves the gradient negative, the optimum is
    the constant schedule ``lr_max``, which this returns.
    """
    _check_steps(total_steps)
    _check_lr_max(lr_max)

    def residual(log_last: float) -> float:
        family = _backward_family(objective, total_steps, lr_max, math.exp(log_last))
        return _first_interior_condition(objective, family, lr_max)

    high = math.log(lr_max)
    if residual(high) <= 0:
        return np.full(total_steps, lr_max)
    low = high - 5.0
    while residual(low) > 0:
        low -= 5.0
        if low < high - 200:
            raise RuntimeError("no member of the stationarity family is stationary at its first interior step")
    log_last = optimize.brentq(residual, low, high, xtol=1e-14, rtol=1e-14, maxiter=500)
    return _backward_family(objective, total_steps, lr_max, math.exp(log_last))


@dataclass(frozen=True)
class PeakTuning:
    """The best peak learning rate for a fixed schedule shape and the final loss it reaches."""

    peak: float
    loss: float


def tune_peak(loss_of_peak: Callable[[float], float], lr_min: float, lr_max: float, *,
              grid: int = 25, xtol: float = 1e-4) -> PeakTuning:
    """Minimize ``loss_of_peak`` over peaks in ``[lr_min, lr_max]``: a log grid, then Brent's method around its best.

    The grid guards against the local minima a pure bracket search could
    fall into; ``xtol`` is the tolerance on the logarithm of the peak.
    """
    if not (0 < lr_min < lr_max) or not math.isfinite(lr_max):
        raise ValueError(f"need 0 < lr_min < lr_max, got lr_min={lr_min}, lr_max={lr_max}")
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 3:
        raise ValueError(f"grid must be an integer >= 3, got {grid!r}")
    if not 0 < xtol < 1:
        raise ValueError(f"xtol must lie in (0, 1), got {xtol}")
    logs = np.linspace(math.log(lr_min), math.log(lr_max), grid)
    losses = np.array([loss_of_peak(math.exp(x)) for x in logs])
    best = int(np.nanargmin(losses))
    low, high = logs[max(best - 1, 0)], logs[min(best + 1, grid - 1)]
    result = optimize.minimize_scalar(lambda x: loss_of_peak(math.exp(x)), bounds=(low, high), method="bounded",
                                      options={"xatol": xtol})
    if result.fun <= losses[best]:
        return PeakTuning(min(math.exp(result.x), lr_max), float(result.fun))
    return PeakTuning(min(math.exp(logs[best]), lr_max), float(losses[best]))


def decay_start(lr: np.ndarray, lr_max: float, *, tolerance: float = 1e-3) -> int:
    """Return the first step after which the learning rate stays below ``(1 - tolerance) lr_max``."""
    _check_lr_max(lr_max)
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must lie in [0, 1), got {tolerance}")
    lr = np.asarray(lr, dtype=np.float64)
    at_max = np.flatnonzero(lr >= (1.0 - tolerance) * lr_max)
    return int(at_max[-1]) + 1 if at_max.size else 0


def peak_lr_exponent(source: float, capacity: float) -> float:
    """Return ``nu`` with ``eta_peak ~ N^-nu`` for the optimal schedule: ``(1 + s beta - beta)/(1 + s beta)``.

    In the hard regime (``s < 1 - 1/beta``) the peak stays at ``lr_max``, so ``nu = 0``.
    """
    _check_exponents(source, capacity)
    return max(0.0, (1.0 + source * capacity - capacity) / (1.0 + source * capacity))


def loss_exponent(source: float, capacity: float, decay_exponent: float | None = None) -> float:
    """Return the exponent of the optimal final loss, ``L* ~ N^-exponent``.

    For the free optimum it is ``s beta / (1 + s beta)`` in the easy regime and
    ``s`` in the hard one. A fixed shape decaying like ``(1 - z/N)^p`` near the
    end, with only its peak tuned, behaves as if the capacity were
    ``alpha = min(beta, p + 1)``: the rate saturates once ``beta > p + 1``.
    """
    _check_exponents(source, capacity)
    alpha = capacity
    if decay_exponent is not None:
        if not math.isfinite(decay_exponent) or decay_exponent <= 0:
            raise ValueError(f"decay_exponent must be > 0, got {decay_exponent}")
        alpha = min(capacity, decay_exponent + 1.0)
    if source >= 1.0 - 1.0 / alpha:
        return source * alpha / (1.0 + source * alpha)
    return source
