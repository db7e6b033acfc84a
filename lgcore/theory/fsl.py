"""The functional scaling law (FSL): the expected risk of SGD as a functional of the learning-rate schedule.

Drop the ``eta^2 lambda^2`` term of the exact recursion in
:mod:`lgcore.theory.kernel_sgd` and replace ``1 - 2 eta lambda`` by
``exp(-2 eta lambda)``. The recursion then unrolls into

    L_n = e(T_n) + sum_{k<n} K(T_n - T_{k+1}) eta_k^2 / b_k (F_k + sigma^2),

with the intrinsic time ``T_n = sum_{i<n} eta_i``, the signal term
``e(t) = sum_j lambda_j theta*_j^2 exp(-2 lambda_j t)``, the forgetting kernel
``K(u) = sum_j lambda_j^2 exp(-2 lambda_j u)``, and ``F_k`` the risk at step
``k`` (self-consistent) or its signal part ``e(T_k)`` (the FSL as stated by
Li et al., 2025). This is the *spectral* form, :func:`fsl_spectral`.

For ``lambda_j = j^-beta`` and ``lambda_j theta*_j^2 ~ j^(-1 - s beta)`` the
sums over ``j`` become integrals, ``e(t) ~ t^-s`` and
``K(u) ~ u^-(2 - 1/beta)``. The *power-law* form, :func:`fsl_power_law`,
keeps only these shapes with fitted constants:

    e(t) = A (1 + t/tau)^-s,   K(u) = C (1 + u/tau)^-gamma,   gamma = 2 - 1/beta.

The convolution is a double sum over steps. :func:`fsl_power_law` avoids it
by writing ``(1 + u)^-gamma`` as a short sum of exponentials
(:func:`power_kernel_exponentials`): each exponential's share of the sum
obeys a one-step linear recursion, which cumulative sums over chunks of steps
evaluate for all steps at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
from scipy import optimize, special

from lgcore import runtime
from lgcore.theory.kernel_sgd import Problem, as_schedule_matrix, intrinsic_time, prepare_runs

__all__ = [
    "ExponentialSum", "power_kernel_exponentials", "FSLParams", "FSLCurve", "fsl_power_law",
    "fsl_spectral", "FSLFit", "fit_fsl", "kernel_exponent",
]


def kernel_exponent(capacity: float) -> float:
    """Return the forgetting kernel's exponent ``gamma = 2 - 1/beta``."""
    if not math.isfinite(capacity) or capacity <= 1:
        raise ValueError(f"capacity beta must be > 1, got {capacity}")
    return 2.0 - 1.0 / capacity


@dataclass(frozen=True)
class ExponentialSum:
    """An approximation ``(1 + t)^-exponent ~ sum_m weights[m] exp(-rates[m] t)`` on ``0 <= t <= horizon``.

    ``max_rel_error`` is the largest relative error measured on a
    geometric grid of 2,000 points in ``[0, horizon]`` and at ``t = 0``.
    """

    exponent: float
    horizon: float
    rates: np.ndarray
    weights: np.ndarray
    max_rel_error: float

    def __call__(self, t: np.ndarray | float) -> np.ndarray:
        """Return the sum of exponentials at times ``t``."""
        return np.exp(-np.multiply.outer(np.asarray(t, dtype=np.float64), self.rates)) @ self.weights


def _exponential_sum(exponent: float, horizon: float, step: float, tol: float) -> ExponentialSum:
    # (1 + t)^-g = 1/Gamma(g) int_0^inf x^(g-1) e^(-x) e^(-x t) dx; with x = e^u the integrand is smooth
    # and decays double-exponentially, so the trapezoid rule in u converges geometrically in 1/step.
    # Lower cut: the Gamma density's mass below x_min (1 + t) stays under tol for every t <= horizon.
    log_x_min = (math.log(tol) + math.log(exponent) + special.gammaln(exponent)) / exponent - math.log1p(horizon)
    x_max = math.log(1.0 / tol) + exponent * math.log(1.0 + math.log(1.0 / tol)) + 10.0 + exponent
    nodes = np.arange(log_x_min, math.log(x_max) + step, step)
    rates = np.exp(nodes)
    weights = step * np.exp(exponent * nodes - rates - special.gammaln(exponent))
    grid = np.concatenate([[0.0], np.geomspace(1e-3, max(horizon, 1e-3), 2000)])
    exact = (1.0 + grid) ** -exponent
    approx = np.exp(-np.multiply.outer(grid, rates)) @ weights
    error = float(np.max(np.abs(approx - exact) / exact))
    return ExponentialSum(exponent, horizon, rates, weights, error)


def power_kernel_exponentials(exponent: float, horizon: float, *, tol: float = 1e-6) -> ExponentialSum:
    """Return a sum of exponentials within relative error ``tol`` of ``(1 + t)^-exponent`` for ``t <= horizon``.

    The node spacing halves until the measured error is below ``tol``. For
    exponents between 1 and 2, 40 to 70 terms give ``1e-6`` up to
    ``horizon = 1e7``.
    """
    if not math.isfinite(exponent) or not 0 < exponent <= 100:
        raise ValueError(f"kernel exponent must lie in (0, 100], got {exponent}")
    if not math.isfinite(horizon) or not 0 <= horizon <= 1e15:
        raise ValueError(f"horizon must lie in [0, 1e15], got {horizon}; measure time in larger units")
    if not 1e-12 <= tol < 1:
        raise ValueError(f"tol must lie in [1e-12, 1), got {tol}")
    step = 1.0
    for _ in range(8):
        approximation = _exponential_sum(exponent, horizon, step, tol / 4)
        if approximation.max_rel_error <= tol:
            return approximation
        step /= 2
    raise RuntimeError(f"could not reach relative error {tol} for exponent {exponent} and horizon {horizon}; "
                       f"best was {approximation.max_rel_error:.2e}. Ask for a larger tol")


@dataclass(frozen=True)
class FSLParams:
    """Constants of the power-law FSL: exponents ``s`` and ``beta``, amplitudes ``A`` and ``C``, time scale, noise."""

    source: float
    capacity: float
    signal_scale: float = 1.0
    noise_scale: float = 1.0
    time_scale: float = 1.0
    noise_var: float = 0.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not math.isfinite(value):
                raise ValueError(f"FSLParams.{field.name} must be finite, got {value}")
        kernel_exponent(self.capacity)
        if self.source <= 0:
            raise ValueError(f"source exponent must be > 0, got {self.source}")
        for name in ("signal_scale", "noise_scale", "time_scale"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FSLParams.{name} must be > 0, got {getattr(self, name)}")
        if self.noise_var < 0:
            raise ValueError(f"noise_var must be >= 0, got {self.noise_var}")

    def signal(self, intrinsic: np.ndarray | float) -> np.ndarray:
        """Return ``e(t) = A (1 + t/tau)^-s``."""
        return self.signal_scale * (1.0 + np.asarray(intrinsic, dtype=np.float64) / self.time_scale) ** -self.source

    def kernel(self, lag: np.ndarray | float) -> np.ndarray:
        """Return ``K(u) = C (1 + u/tau)^-gamma``."""
        gamma = kernel_exponent(self.capacity)
        return self.noise_scale * (1.0 + np.asarray(lag, dtype=np.float64) / self.time_scale) ** -gamma


@dataclass(frozen=True)
class FSLCurve:
    """An FSL prediction ``[schedules, recorded]``: the loss and its signal and noise parts."""

    steps: np.ndarray
    loss: np.ndarray
    signal: np.ndarray
    noise: np.ndarray
    intrinsic: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """Loss after the last recorded step, one value per schedule."""
        return self.loss[:, -1]


def _convolve_exponentials(times_next: np.ndarray, forcing: np.ndarray, rates: np.ndarray, weights: np.ndarray,
                           times_recorded: np.ndarray, recorded: np.ndarray) -> np.ndarray:
    """Return ``sum_{k<n} sum_m w_m exp(-r_m (T_n - T_{k+1})) g_k`` at each recorded ``n``.

    ``times_next[k] = T_{k+1}`` and ``forcing[k] = g_k >= 0``. For each rate
    the steps are cut into chunks short enough that ``exp(r (T - T_chunk))``
    cannot overflow. A cumulative sum runs inside each chunk, and the carry
    from earlier chunks follows a log-space recursion over chunks.
    """
    out = np.zeros(recorded.size)
    positive = recorded > 0
    if not positive.any():
        return out
    n_steps = forcing.size
    with np.errstate(divide="ignore"):
        log_forcing = np.log(forcing)
    last = recorded[positive] - 1                 # the last step k that contributes to S(n)
    lr_max = float(np.max(np.diff(times_next, prepend=0.0)))
    total = np.zeros(last.size)
    for rate, weight in zip(rates, weights):
        length = int(min(n_steps, max(1, 600.0 // max(rate * lr_max, 1e-300))))
        chunks = -(-n_steps // length)
        pad = chunks * length - n_steps
        times = np.pad(times_next, (0, pad), mode="edge").reshape(chunks, length)
        logs = np.pad(log_forcing, (0, pad), constant_values=-np.inf).reshape(chunks, length)
        reference = times[:, 0]
        local = np.cumsum(np.exp(rate * (times - reference[:, None]) + logs), axis=1)
        with np.errstate(divide="ignore"):
            ends = rate * reference + np.log(local[:, -1])
        # log of the carry B(c) = sum_{c' < c} exp(-r (T_ref(c) - T_ref(c'))) local_end(c'), with B(0) = 0
        log_carry = np.concatenate([[-np.inf], np.logaddexp.accumulate(ends)[:-1]]) - rate * reference
        chunk, offset = np.divmod(last, length)
        total += weight * np.exp(-rate * (times_recorded[positive] - reference[chunk])) * (
            np.exp(log_carry[chunk]) + local[chunk, offset])
    out[positive] = total
    return out


def fsl_power_law(lr, params: FSLParams, batch=1, *, record=None, method: str = "exponentials",
                  tol: float = 1e-6) -> FSLCurve:
    """Return the power-law FSL for one or many schedules.

    ``method="exponentials"`` costs ``O(steps x terms)``, with the kernel
    approximated to relative error ``tol``. ``method="direct"`` is the double
    sum, ``O(steps x recorded)``, kept as the reference for tests and the
    benchmark.
    """
    if method not in ("exponentials", "direct"):
        raise ValueError(f"unknown method {method!r}; use 'exponentials' or 'direct'")
    rates, sizes, steps = prepare_runs(lr, batch, record)
    gamma = kernel_exponent(params.capacity)
    times = intrinsic_time(rates)
    signal_all = params.signal(times)                  # [schedules, N + 1]
    forcing = rates**2 / sizes * (signal_all[:, :-1] + params.noise_var)
    noise = np.zeros((rates.shape[0], steps.size))
    if method == "exponentials":
        horizon = float(times[:, -1].max()) / params.time_scale
        if horizon > 1e15:
            raise ValueError(f"the schedule's intrinsic time is {horizon:.3g} time scales (time_scale="
                             f"{params.time_scale:g}); the kernel approximation covers at most 1e15")
        expsum = power_kernel_exponentials(gamma, horizon, tol=tol)
        for i in range(rates.shape[0]):
            noise[i] = _convolve_exponentials(times[i, 1:] / params.time_scale, forcing[i], expsum.rates,
                                              expsum.weights, times[i, steps] / params.time_scale, steps)
    else:
        for i in range(rates.shape[0]):
            for position, n in enumerate(steps):
                lags = (times[i, n] - times[i, 1:n + 1]) / params.time_scale
                noise[i, position] = np.sum((1.0 + lags) ** -gamma * forcing[i, :n])
    noise *= params.noise_scale
    signal = signal_all[:, steps]
    return FSLCurve(steps, signal + noise, signal, noise, times[:, steps])


def fsl_spectral(problem: Problem, lr, batch=1, *, record=None, forcing: str = "signal",
                 device: str | torch.device | None = None) -> FSLCurve:
    """Return the spectral FSL of ``problem`` for one or many schedules.

    ``forcing="signal"`` drives the noise term with ``e(T_k) + sigma^2``, the
    FSL as stated. ``forcing="risk"`` uses the FSL's own loss at step ``k``,
    which tracks SGD more closely at large learning rates with batch size 1.
    Costs ``O(d)`` per step and runs in float64 on ``device`` (default CPU).
    """
    if forcing not in ("signal", "risk"):
        raise ValueError(f"unknown forcing {forcing!r}; use 'signal' or 'risk'")
    rates, sizes, steps = prepare_runs(lr, batch, record)
    n_steps = rates.shape[1]
    device = torch.device(device or "cpu")
    dtype = torch.float64
    lam = torch.as_tensor(problem.eigenvalues, dtype=dtype, device=device)
    lam_sq = lam * lam
    eta = torch.as_tensor(rates, dtype=dtype, device=device)
    injected = torch.as_tensor(rates**2 / sizes, dtype=dtype, device=device)     # eta_k^2 / b_k
    signal_modes = (lam * torch.as_tensor(problem.target_sq, dtype=dtype, device=device)).expand(
        rates.shape[0], -1).clone()
    memory = torch.zeros_like(signal_modes)        # sum_k exp(-2 lambda (T_n - T_{k+1})) eta_k^2 / b_k F_k
    loss = np.empty((rates.shape[0], steps.size))
    signal = np.empty_like(loss)
    position = 0
    bar = runtime.progress_bar(int(steps[-1]), "spectral FSL", min_total=runtime.PROGRESS_MIN_STEPS)
    for k in range(n_steps + 1):
        if k and k % runtime.PROGRESS_STRIDE == 0:
            bar.update(runtime.PROGRESS_STRIDE)
        e = signal_modes.sum(dim=1)
        noise = memory @ lam_sq
        if k == steps[position]:
            signal[:, position] = e.cpu().numpy()
            loss[:, position] = (e + noise).cpu().numpy()
            position += 1
            if position == steps.size:
                break
        drive = e if forcing == "signal" else e + noise
        decay = torch.exp(-2.0 * eta[:, k:k + 1] * lam)
        signal_modes *= decay
        memory = memory * decay + (injected[:, k] * (drive + problem.noise_var))[:, None]
    bar.close()
    return FSLCurve(steps, loss, signal, loss - signal, intrinsic_time(rates)[:, steps])


@dataclass(frozen=True)
class FSLFit:
    """A power-law FSL fitted to one loss curve: the constants, the fit's RMS error in log loss and its status.

    ``at_bounds`` names the fitted constants that ended on a bound of the
    search box. Such a value reflects the box rather than the curve.
    """

    params: FSLParams
    rms_log_error: float
    converged: bool = True
    at_bounds: tuple[str, ...] = ()

    def predict(self, lr, batch=1, *, record=None) -> FSLCurve:
        """Return the fitted FSL's prediction for other schedules."""
        return fsl_power_law(lr, self.params, batch, record=record)


_FIT_ORDER = ("signal_scale", "noise_scale", "time_scale", "noise_var", "source", "capacity")
_LOG_FITTED = {"signal_scale", "noise_scale", "time_scale", "noise_var"}
# Search box of each constant; the scales and the noise variance are searched by their logarithm.
_FIT_BOUNDS = {
    "signal_scale": (-30.0, 30.0),
    "noise_scale": (-30.0, 30.0),
    "time_scale": (-30.0, 30.0),
    "noise_var": (-30.0, 30.0),
    "source": (1e-3, 5.0),
    "capacity": (1.0 + 1e-3, 20.0),
}


def fit_fsl(lr, steps: np.ndarray, loss: np.ndarray, batch=1, *, fixed: dict[str, float] | None = None,
            initial: FSLParams | None = None) -> FSLFit:
    """Fit the power-law FSL's constants to a loss curve measured at ``steps`` under schedule ``lr``.

    Minimizes the squared error of ``log L`` with ``scipy.optimize.least_squares``.
    A converged fit with no constant on a bound can still trade constants off
    against each other (for example ``noise_scale`` against ``noise_var``). Pin
    one of them with ``fixed`` and compare the errors to see whether the curve
    determines it.
    ``fixed`` pins any of ``signal_scale, noise_scale, time_scale, noise_var,
    source, capacity`` to a known value; the rest are fitted. Step 0 is
    skipped because the FSL equals ``A`` there whatever the schedule.
    """
    rates = as_schedule_matrix(lr)
    if rates.shape[0] != 1:
        raise ValueError("fit_fsl fits one measured curve; pass one schedule")
    steps = np.asarray(steps)
    loss = np.asarray(loss, dtype=np.float64)
    if steps.shape != loss.shape or steps.ndim != 1 or steps.size < 4:
        raise ValueError(f"steps and loss must be 1-D of equal length >= 4, got {steps.shape} and {loss.shape}")
    if not np.issubdtype(steps.dtype, np.integer):
        raise TypeError(f"steps must be integers, got dtype {steps.dtype}")
    order = np.argsort(steps, kind="stable")
    steps, loss = steps[order].astype(np.int64), loss[order]
    if np.any(np.diff(steps) == 0):
        raise ValueError(f"steps must be distinct, got step {steps[np.flatnonzero(np.diff(steps) == 0)[0]]} twice")
    if not np.all(np.isfinite(loss)) or np.any(loss <= 0):
        raise ValueError("measured losses must be finite and > 0 (the fit works in log space)")
    if initial is not None and not isinstance(initial, FSLParams):
        raise TypeError(f"initial must be FSLParams, got {type(initial).__name__}")
    fixed = dict(fixed or {})
    unknown = set(fixed) - set(_FIT_ORDER)
    if unknown:
        raise ValueError(f"cannot fix {sorted(unknown)}; fixable constants are {', '.join(_FIT_ORDER)}")
    keep = steps > 0
    steps, loss = steps[keep], loss[keep]
    start = initial or FSLParams(source=0.5, capacity=2.0, signal_scale=float(loss[0]), noise_scale=1.0,
                                 time_scale=1.0, noise_var=float(loss[-1]))
    start = replace(start, **fixed)
    free = [name for name in _FIT_ORDER if name not in fixed]
    if not free:
        raise ValueError("every constant is fixed; nothing to fit")

    def encode(params: FSLParams) -> np.ndarray:
        values = []
        for name in free:
            value = getattr(params, name)
            values.append(math.log(max(value, 1e-12)) if name in _LOG_FITTED else value)
        return np.array(values)

    def decode(x: np.ndarray) -> FSLParams:
        values = {name: (math.exp(v) if name in _LOG_FITTED else float(v)) for name, v in zip(free, x)}
        return replace(start, **values)

    lower = np.array([_FIT_BOUNDS[name][0] for name in free])
    upper = np.array([_FIT_BOUNDS[name][1] for name in free])

    def residuals(x: np.ndarray) -> np.ndarray:
        curve = fsl_power_law(rates, decode(x), batch, record=steps, tol=1e-5)
        return np.log(curve.loss[0]) - np.log(loss)

    x0 = np.clip(encode(start), lower + 1e-9, upper - 1e-9)
    result = optimize.least_squares(residuals, x0, bounds=(lower, upper), x_scale="jac", max_nfev=400)
    width = upper - lower
    on_bound = tuple(name for name, x, low, high, w in zip(free, result.x, lower, upper, width)
                     if min(x - low, high - x) <= 1e-6 * w)
    return FSLFit(decode(result.x), float(np.sqrt(np.mean(result.fun**2))), bool(result.success), on_bound)
