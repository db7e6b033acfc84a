"""One-pass SGD on linear regression with Gaussian features: the exact expected risk and Monte-Carlo runs.

The model of the scaling chapters is kernel regression written in the
eigenbasis of the kernel. Features are ``x ~ N(0, diag(lambda))`` with
``lambda_1 >= lambda_2 >= ...`` and labels ``y = <theta*, x> + noise`` with
noise variance ``sigma^2``. SGD starts from ``theta_0 = 0`` and uses learning
rate ``eta_k`` and batch size ``b_k`` at step ``k``:

    theta_{k+1} = theta_k - eta_k / b_k * sum_i x_i (<theta_k, x_i> - y_i).

The excess risk is ``E[<theta - theta*, x>^2] = sum_j lambda_j c_j`` with
``c_j = E[(theta_j - theta*_j)^2]``. For Gaussian features
``E[x x^T C x x^T] = 2 Lambda C Lambda + tr(Lambda C) Lambda``, so the
diagonal of the error covariance obeys a closed recursion,

    c_j <- (1 - 2 eta lambda_j + (1 + 1/b) eta^2 lambda_j^2) c_j
           + eta^2 / b * lambda_j (R + sigma^2),   R = sum_i lambda_i c_i,

and the off-diagonal entries never feed back into it. Each step costs
``O(d)``; :func:`sgd_risk` runs it for many schedules at once and is the
ground truth of the chapters. :func:`sgd_monte_carlo` runs the SGD itself
over many seeds at once to check the recursion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lgcore import runtime
from lgcore.train import DivergenceError

__all__ = [
    "Problem", "power_law_problem", "strongly_convex_problem", "zipf_problem", "regime",
    "RiskCurve", "sgd_risk", "MonteCarloCurve", "sgd_monte_carlo", "intrinsic_time",
    "as_schedule_matrix", "as_batch_matrix", "record_steps", "prepare_runs",
]

# A run counts as diverged when its risk exceeds the starting risk by this factor.
DIVERGENCE_FACTOR = 1e6


@dataclass(frozen=True)
class Problem:
    """Spectrum, target and label noise of a linear-regression problem in the kernel's eigenbasis.

    ``eigenvalues[j]`` is ``lambda_j`` and ``target_sq[j]`` is ``theta*_j^2``,
    so the excess risk at ``theta = 0`` is ``sum_j lambda_j theta*_j^2``.
    ``source`` and ``capacity`` are the exponents ``s`` and ``beta`` when the
    problem is a power law, else ``None``.
    """

    eigenvalues: np.ndarray
    target_sq: np.ndarray
    noise_var: float
    name: str = "problem"
    source: float | None = None
    capacity: float | None = None

    def __post_init__(self) -> None:
        eigenvalues = np.asarray(self.eigenvalues, dtype=np.float64)
        target_sq = np.asarray(self.target_sq, dtype=np.float64)
        if eigenvalues.ndim != 1 or eigenvalues.size == 0:
            raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {eigenvalues.shape}")
        if target_sq.shape != eigenvalues.shape:
            raise ValueError(
                f"target_sq has shape {target_sq.shape} but eigenvalues has {eigenvalues.shape}; "
                "give one squared target coefficient per eigenvalue"
            )
        if not np.all(np.isfinite(eigenvalues)) or np.any(eigenvalues <= 0):
            raise ValueError("eigenvalues must be finite and positive; drop zero directions from the problem")
        if not np.all(np.isfinite(target_sq)) or np.any(target_sq < 0):
            raise ValueError("target_sq contains squared coefficients, so it must be finite and non-negative")
        if not math.isfinite(self.noise_var) or self.noise_var < 0:
            raise ValueError(f"noise_var must be finite and >= 0, got {self.noise_var}")
        object.__setattr__(self, "eigenvalues", eigenvalues)
        object.__setattr__(self, "target_sq", target_sq)
        object.__setattr__(self, "noise_var", float(self.noise_var))

    @property
    def dim(self) -> int:
        """Number of eigen-directions ``d``."""
        return int(self.eigenvalues.size)

    @property
    def initial_risk(self) -> float:
        """Excess risk at ``theta = 0``: ``sum_j lambda_j theta*_j^2``."""
        return float(np.sum(self.eigenvalues * self.target_sq))

    def signal(self, intrinsic: np.ndarray | float) -> np.ndarray:
        """Return the noiseless gradient-flow risk ``sum_j lambda_j theta*_j^2 exp(-2 lambda_j t)`` at times ``t``."""
        t = np.asarray(intrinsic, dtype=np.float64)
        return np.exp(-2.0 * np.multiply.outer(t, self.eigenvalues)) @ (self.eigenvalues * self.target_sq)

    def kernel(self, lag: np.ndarray | float) -> np.ndarray:
        """Return the spectral forgetting kernel ``sum_j lambda_j^2 exp(-2 lambda_j u)`` at lags ``u``."""
        u = np.asarray(lag, dtype=np.float64)
        return np.exp(-2.0 * np.multiply.outer(u, self.eigenvalues)) @ self.eigenvalues**2


def _check_dim(d: int) -> None:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")


def power_law_problem(d: int, capacity: float, source: float, noise_var: float, *,
                      normalize: bool = True) -> Problem:
    """Return the power-law problem ``lambda_j = j^-beta``, ``lambda_j theta*_j^2 ~ j^(-1 - s beta)``.

    ``capacity`` is ``beta > 1`` and ``source`` is ``s > 0``. With
    ``normalize`` the initial excess risk is 1, so losses read as fractions of
    the risk of the zero predictor.
    """
    _check_dim(d)
    if not math.isfinite(capacity) or capacity <= 1:
        raise ValueError(f"capacity beta must be > 1 for a summable spectrum, got {capacity}")
    if not math.isfinite(source) or source <= 0:
        raise ValueError(f"source exponent s must be > 0, got {source}")
    j = np.arange(1, d + 1, dtype=np.float64)
    eigenvalues = j ** -capacity
    weighted = j ** (-1.0 - source * capacity)      # lambda_j theta*_j^2
    if normalize:
        weighted = weighted / weighted.sum()
    return Problem(eigenvalues, weighted / eigenvalues, noise_var,
                   name=f"power law (s={source:g}, beta={capacity:g})", source=source, capacity=capacity)


def strongly_convex_problem(d: int, condition: float, noise_var: float) -> Problem:
    """Return a problem with eigenvalues spaced geometrically from 1 to ``1/condition`` and equal risk per direction."""
    _check_dim(d)
    if not math.isfinite(condition) or condition < 1:
        raise ValueError(f"condition number must be >= 1, got {condition}")
    eigenvalues = np.geomspace(1.0, 1.0 / condition, d)
    return Problem(eigenvalues, 1.0 / (d * eigenvalues), noise_var, name=f"strongly convex (kappa={condition:g})")


def zipf_problem(d: int, noise_var: float, *, exponent: float = 1.0) -> Problem:
    """Return the Zipf spectrum ``lambda_j ~ j^-exponent`` (trace 1) with ``theta*_j = 1/sqrt(d)``.

    Unlike :func:`power_law_problem` it allows ``exponent <= 1``, where the
    spectrum's sum grows with ``d``. The trace is normalized to 1, so the
    same learning rates stay stable as ``d`` changes.
    """
    _check_dim(d)
    if not math.isfinite(exponent) or exponent <= 0:
        raise ValueError(f"Zipf exponent must be > 0, got {exponent}")
    eigenvalues = np.arange(1, d + 1, dtype=np.float64) ** -exponent
    eigenvalues /= eigenvalues.sum()
    return Problem(eigenvalues, np.full(d, 1.0 / d), noise_var, name=f"Zipf (exponent {exponent:g})")


def regime(source: float, capacity: float) -> str:
    """Return ``"easy"`` when ``s >= 1 - 1/beta`` and ``"hard"`` otherwise."""
    if not (math.isfinite(source) and math.isfinite(capacity)) or capacity <= 1 or source <= 0:
        raise ValueError(f"need s > 0 and beta > 1, got s={source}, beta={capacity}")
    return "easy" if source >= 1.0 - 1.0 / capacity else "hard"


def as_schedule_matrix(lr: np.ndarray | Sequence[float] | Sequence[np.ndarray]) -> np.ndarray:
    """Return learning rates as a float64 array ``[schedules, steps]``, checking that they are finite and >= 0.

    Accepts one schedule (1-D), several of equal length (2-D), or anything
    with a ``values()`` method such as :class:`lgcore.schedules.Schedule`.
    """
    if hasattr(lr, "values") and callable(lr.values):
        lr = lr.values()
    elif isinstance(lr, (list, tuple)) and lr and hasattr(lr[0], "values") and callable(lr[0].values):
        lr = [schedule.values() for schedule in lr]
    try:
        raw = np.asarray(lr)
    except ValueError:
        raise ValueError("schedules of different lengths cannot share one call; pad them and their batch sizes "
                         "with lgcore.experiments.scaling.pad_runs(rates, batches), which adds steps of learning "
                         "rate 0 that change nothing") from None
    if raw.ndim == 0:
        raise ValueError(f"learning rates must be an array with one value per step, got the scalar {lr!r}; "
                         "for a constant rate pass lgcore.schedules.constant(lr, steps) or np.full(steps, lr)")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool) or np.issubdtype(raw.dtype, np.complexfloating):
        raise TypeError(f"learning rates must be real numbers, got dtype {raw.dtype}")
    matrix = np.atleast_2d(raw.astype(np.float64))
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError(f"learning rates must be [steps] or [schedules, steps] with steps >= 1, got {matrix.shape}")
    bad = ~np.isfinite(matrix) | (matrix < 0)
    if bad.any():
        schedule, step = np.argwhere(bad)[0]
        raise ValueError(f"learning rates must be finite and >= 0, got {float(matrix[schedule, step])!r} at schedule "
                         f"{schedule}, step {step}")
    return matrix


def as_batch_matrix(batch, shape: tuple[int, int]) -> np.ndarray:
    """Return batch sizes broadcast to ``shape`` as float64, checking that they are integers >= 1."""
    if hasattr(batch, "values") and callable(batch.values):
        batch = batch.values()
    array = np.asarray(batch)
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise TypeError("batch sizes must be integers, got non-finite values")
    if not np.issubdtype(array.dtype, np.integer) and not (
            np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array))):
        raise TypeError(f"batch sizes must be integers, got {array.dtype}")
    if np.any(array < 1):
        raise ValueError(f"batch sizes must be >= 1, got minimum {array.min()}")
    try:
        return np.broadcast_to(array.astype(np.float64), shape)
    except ValueError:
        raise ValueError(f"batch sizes of shape {array.shape} do not match the schedules' shape {shape}; "
                         "give one size, one per step, or one per schedule and step") from None


def record_steps(n_steps: int, record: Sequence[int] | np.ndarray | int | None) -> np.ndarray:
    """Return the sorted step counts at which to record the risk.

    ``None`` records after every step (``0 .. n_steps``); an integer ``m``
    records ``m`` step counts spaced geometrically, with 0 and ``n_steps``.
    """
    if record is None:
        return np.arange(n_steps + 1)
    if isinstance(record, bool):
        raise TypeError("record must be None, an integer count or an array of steps, not a bool")
    if isinstance(record, (int, np.integer)):
        if record < 2:
            raise ValueError(f"record={record}: ask for at least 2 recorded points")
        if record == 2:
            return np.array([0, n_steps], dtype=np.int64)
        steps = np.round(np.geomspace(1, n_steps, record - 1)).astype(np.int64)
        return np.unique(np.concatenate([[0], steps]))
    requested = np.asarray(record)
    if requested.size and not np.issubdtype(requested.dtype, np.integer):
        raise TypeError(f"recorded steps must be integers, got dtype {requested.dtype}")
    steps = np.unique(requested.astype(np.int64))
    if steps.size == 0 or steps[0] < 0 or steps[-1] > n_steps:
        raise ValueError(f"recorded steps must lie in [0, {n_steps}], got {requested!r}")
    return steps


def prepare_runs(lr, batch, record) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return validated learning rates and batch sizes ``[schedules, steps]`` and the recorded step counts."""
    rates = as_schedule_matrix(lr)
    return rates, as_batch_matrix(batch, rates.shape), record_steps(rates.shape[1], record)


def intrinsic_time(lr: np.ndarray) -> np.ndarray:
    """Return ``T_k = sum_{i<k} eta_i`` for ``k = 0 .. N``, shape ``[..., N + 1]``."""
    lr = np.asarray(lr, dtype=np.float64)
    return np.concatenate([np.zeros(lr.shape[:-1] + (1,)), np.cumsum(lr, axis=-1)], axis=-1)


@dataclass(frozen=True)
class RiskCurve:
    """Expected excess risk ``[schedules, recorded]`` after each recorded number of steps, with the intrinsic time."""

    steps: np.ndarray
    risk: np.ndarray
    intrinsic: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """Risk after the last recorded step, one value per schedule."""
        return self.risk[:, -1]


def sgd_risk(problem: Problem, lr, batch=1, *, record=None, device: str | torch.device | None = None,
             on_divergence: str = "raise") -> RiskCurve:
    """Return the exact expected excess risk of one-pass SGD, for one or many schedules at once.

    ``lr`` is ``[steps]`` or ``[schedules, steps]`` (or schedule objects);
    ``batch`` is an integer, per-step sizes or per-schedule-and-step sizes.
    The recursion of the module docstring runs in float64 on ``device``
    (default CPU), so a GPU takes the ``O(d)`` work of each step at paper
    scale. When a schedule's risk diverges (non-finite, or a million times
    the starting risk) it raises :class:`lgcore.train.DivergenceError` naming
    the schedule and the step. With ``on_divergence="inf"`` that schedule's
    later risks are ``inf`` instead, which suits sweeps over learning rates.
    Steps with learning rate 0 change nothing, so schedules of different
    lengths can share one call when padded with zeros.
    """
    if on_divergence not in ("raise", "inf"):
        raise ValueError(f"on_divergence must be 'raise' or 'inf', got {on_divergence!r}")
    rates, sizes, steps = prepare_runs(lr, batch, record)
    n_schedules, n_steps = rates.shape
    device = torch.device(device or "cpu")
    dtype = torch.float64
    lam = torch.as_tensor(problem.eigenvalues, dtype=dtype, device=device)
    lam_sq = lam * lam
    cov = torch.as_tensor(problem.target_sq, dtype=dtype, device=device).expand(n_schedules, -1).clone()
    eta = torch.as_tensor(rates, dtype=dtype, device=device)
    inverse_batch = torch.as_tensor(1.0 / sizes, dtype=dtype, device=device)
    noise = problem.noise_var
    limit = DIVERGENCE_FACTOR * max(problem.initial_risk, noise, 1e-300)

    out = np.empty((n_schedules, steps.size))
    dead = np.zeros(n_schedules, dtype=bool)
    position = 0
    bar = runtime.progress_bar(int(steps[-1]), "exact SGD risk", min_total=runtime.PROGRESS_MIN_STEPS)
    for k in range(n_steps + 1):
        if k and k % runtime.PROGRESS_STRIDE == 0:
            bar.update(runtime.PROGRESS_STRIDE)
        risk = cov @ lam
        if k == steps[position]:
            values = risk.cpu().numpy()
            diverged = ~np.isfinite(values) | (values > limit)
            if diverged.any():
                bad = int(np.argmax(diverged))
                if on_divergence == "raise":
                    raise DivergenceError(
                        f"schedule {bad} diverged by step {k} (risk {values[bad]:.3g}); lower its learning rate "
                        f"(max {rates[bad].max():.3g}) or raise the batch size")
                values = np.where(diverged, np.inf, values)
                keep = torch.as_tensor(~diverged, device=device)
                cov = torch.where(keep[:, None], cov, torch.zeros_like(cov))
                eta = torch.where(keep[:, None], eta, torch.zeros_like(eta))
                dead = dead | diverged
            values = np.where(dead, np.inf, values)
            out[:, position] = values
            position += 1
            if position == steps.size:
                break
        e = eta[:, k:k + 1]
        inv_b = inverse_batch[:, k:k + 1]
        contraction = 1.0 - 2.0 * e * lam + (1.0 + inv_b) * e * e * lam_sq
        cov = cov * contraction + (e * e * inv_b) * lam * (risk + noise)[:, None]
    bar.close()
    return RiskCurve(steps, out, intrinsic_time(rates)[:, steps])


@dataclass(frozen=True)
class MonteCarloCurve:
    """Excess risk of independent SGD runs ``[seeds, recorded]`` after each recorded number of steps."""

    steps: np.ndarray
    runs: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Mean risk over seeds."""
        return self.runs.mean(axis=0)

    @property
    def stderr(self) -> np.ndarray:
        """Standard error of the mean over seeds."""
        return self.runs.std(axis=0, ddof=1) / math.sqrt(self.runs.shape[0])


def sgd_monte_carlo(problem: Problem, lr, batch=1, *, seeds: int = 64, seed: int = 0, record=None,
                    device: str | torch.device | None = None, dtype: torch.dtype = torch.float32) -> MonteCarloCurve:
    """Run one-pass SGD on fresh Gaussian samples for ``seeds`` independent runs at once.

    ``lr`` is one schedule of ``N`` steps. The risk of each run is computed
    exactly from its weights (``sum_j lambda_j (theta_j - theta*_j)^2``), so
    the only randomness is the SGD's own. The same ``seed`` gives the same
    runs on the same device.
    """
    rates = as_schedule_matrix(lr)
    if rates.shape[0] != 1:
        raise ValueError(f"sgd_monte_carlo takes one schedule, got {rates.shape[0]}; loop over schedules")
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)):
        raise TypeError(f"seeds must be an integer >= 2, got {seeds!r} of type {type(seeds).__name__}")
    if seeds < 2:
        raise ValueError(f"seeds must be an integer >= 2 (a standard error needs two runs), got {seeds!r}")
    seeds = int(seeds)
    n_steps = rates.shape[1]
    sizes = as_batch_matrix(batch, rates.shape)[0].astype(np.int64)
    steps = record_steps(n_steps, record)
    device = torch.device(device or "cpu")
    generator = torch.Generator(device=device).manual_seed(seed)
    lam = torch.as_tensor(problem.eigenvalues, dtype=dtype, device=device)
    scale = lam.sqrt()
    noise_std = math.sqrt(problem.noise_var)
    # The error w = theta - theta* starts at -theta*. Features and noise are symmetric, so starting at
    # +|theta*| instead gives the same distribution of risks.
    error = torch.as_tensor(np.sqrt(problem.target_sq), dtype=dtype, device=device).expand(seeds, -1).clone()
    out = np.empty((seeds, steps.size))
    position = 0
    bar = runtime.progress_bar(int(steps[-1]), "Monte-Carlo SGD", min_total=runtime.PROGRESS_MIN_STEPS)
    for k in range(n_steps + 1):
        if k and k % runtime.PROGRESS_STRIDE == 0:
            bar.update(runtime.PROGRESS_STRIDE)
        if k == steps[position]:
            out[:, position] = ((error * error) @ lam).double().cpu().numpy()
            position += 1
            if position == steps.size:
                break
        b = int(sizes[k])
        x = torch.randn(seeds, b, problem.dim, generator=generator, device=device, dtype=dtype) * scale
        residual = torch.bmm(x, error.unsqueeze(-1)).squeeze(-1)
        if noise_std > 0:
            residual -= noise_std * torch.randn(seeds, b, generator=generator, device=device, dtype=dtype)
        error -= (float(rates[0, k]) / b) * torch.bmm(residual.unsqueeze(1), x).squeeze(1)
    bar.close()
    if not np.all(np.isfinite(out)):
        raise DivergenceError(f"Monte-Carlo SGD diverged (max learning rate {rates.max():.3g}); lower it")
    return MonteCarloCurve(steps, out)
