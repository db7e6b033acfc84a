"""Learning-rate and batch-size schedules as pure functions of the optimizer step.

A schedule is a frozen dataclass. ``schedule(step)`` returns the value used at
optimizer step ``step`` (0-indexed, ``0 <= step < total_steps``) and
``schedule.values()`` returns all of them as one numpy array, for the SGD
theory engine. :func:`lambda_lr` turns a learning-rate schedule into a
``torch.optim.lr_scheduler.LambdaLR`` for torch training loops.

Learning-rate conventions, shared by every schedule:

* Warmup: for ``step < warmup`` the learning rate is ``peak * (step + 1) / warmup``,
  so step 0 is ``peak / warmup > 0`` and step ``warmup - 1`` is ``peak``. With
  ``warmup_start`` the ramp starts at exactly ``warmup_start`` at step 0 and
  rises linearly to ``peak`` at step ``warmup``. Apart from an explicit array
  passed to :func:`from_values`, ``warmup_start=0`` is the only way to get a
  learning rate of 0 at step 0.
* Decay progress is ``p = (step - warmup) / (total_steps - warmup)``, which lies
  in ``[0, 1)``. The first step after warmup is at ``peak`` (bit for bit when
  ``final=0``). When ``final < peak`` the last step stays strictly above
  ``final``, so a decay to ``final=0`` never uses a learning rate of 0 during
  training. The tests check this for runs of up to 10**9 steps.
* Steps are counted in whole numbers and fractions of training are converted to
  steps with Python's ``round`` (which rounds halves to even).
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = [
    "Schedule", "ConstantSchedule", "CosineSchedule", "LinearSchedule", "ExponentialSchedule", "WSDSchedule",
    "StepDecaySchedule", "PowerDecaySchedule", "ExplicitSchedule",
    "constant", "cosine", "linear", "exponential", "wsd", "step_decay", "eight_one_one", "power_decay",
    "from_values", "lambda_lr",
    "BatchSchedule", "StagedBatchSchedule", "ContinuousBatchSchedule",
    "constant_batch", "two_stage_batch", "multi_stage_batch", "continuous_batch", "two_stage_for_budget",
    "WSD_SHAPES", "BATCH_SHAPES", "EIGHT_ONE_ONE_MILESTONES", "EIGHT_ONE_ONE_FACTORS",
]

WSD_SHAPES = ("linear", "cosine", "sqrt", "power")
BATCH_SHAPES = ("linear", "geometric")

# 8-1-1: the peak for the first 80% of training, then peak / sqrt(10) for 10%, then peak / 10 for the last 10%.
EIGHT_ONE_ONE_MILESTONES = (0.8, 0.9)
EIGHT_ONE_ONE_FACTORS = (10**-0.5, 0.1)


# ---------------------------------------------------------------------------
# Input checks shared by the learning-rate and batch-size schedules
# ---------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_real(name: str, value: Any) -> float:
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def _check_positive_lr(name: str, value: Any) -> float:
    number = _check_real(name, value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite learning rate > 0, got {value!r}. Pass a positive value such as 0.1")
    return number


def _check_final(final: Any, peak: float) -> float:
    number = _check_real("final", final)
    if not math.isfinite(number) or number < 0 or number > peak:
        raise ValueError(f"final must be a finite learning rate in [0, peak={peak!r}], got {final!r}. "
                         f"It is the value the decay approaches, and 0 decays fully")
    return number


def _check_exponent(exponent: Any) -> float:
    number = _check_real("exponent", exponent)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"exponent must be a finite number > 0, got {exponent!r}")
    return number


def _check_total_steps(total_steps: Any) -> int:
    if not _is_int(total_steps):
        raise TypeError(f"total_steps must be an int, got {type(total_steps).__name__} {total_steps!r}. "
                        f"Pass the number of optimizer steps as an int")
    if total_steps < 1:
        raise ValueError(f"total_steps must be a positive int, got {total_steps!r}")
    return int(total_steps)


def _check_step(step: Any, total_steps: int) -> int:
    if not _is_int(step):
        raise TypeError(f"step must be an int, got {type(step).__name__} {step!r}")
    if not 0 <= step < total_steps:
        raise IndexError(f"step {step} is out of range. Valid steps are 0 to {total_steps - 1} "
                         f"for total_steps={total_steps}")
    return int(step)


def _check_batch_size(name: str, value: Any) -> int:
    if not _is_int(value):
        raise TypeError(f"{name} must be an int batch size, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a batch size >= 1, got {value!r}")
    return int(value)


def _check_fraction(name: str, value: Any) -> float:
    number = _check_real(name, value)
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be a fraction of training in [0, 1], got {value!r}")
    return number


def _check_increasing_fractions(name: str, values: Any) -> tuple[float, ...]:
    """Return ``values`` as a tuple of floats, or raise unless they strictly increase inside (0, 1)."""
    fractions = tuple(_check_real(name, value) for value in values)
    inside = all(0 < value < 1 for value in fractions)
    increasing = all(a < b for a, b in zip(fractions, fractions[1:]))
    if not (inside and increasing):
        raise ValueError(f"{name} must be strictly increasing fractions of total_steps in (0, 1), got {fractions}")
    return fractions


# ---------------------------------------------------------------------------
# Learning-rate schedules
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule(abc.ABC):
    """Learning rate per optimizer step: warmup to ``peak``, then a shape set by the subclass.

    Build schedules with the functions :func:`constant`, :func:`cosine`,
    :func:`linear`, :func:`exponential`, :func:`wsd`, :func:`step_decay`,
    :func:`eight_one_one`, :func:`power_decay` and :func:`from_values`.
    """

    peak: float
    total_steps: int
    warmup: int = 0
    warmup_start: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "peak", _check_positive_lr("peak", self.peak))
        object.__setattr__(self, "total_steps", _check_total_steps(self.total_steps))

        if not _is_int(self.warmup):
            raise TypeError(f"warmup must be an int number of steps, got {type(self.warmup).__name__} {self.warmup!r}")
        if self.warmup < 0:
            raise ValueError(f"warmup must be >= 0 steps, got {self.warmup}")
        if self.warmup >= self.total_steps:
            raise ValueError(f"warmup longer than training: warmup={self.warmup} steps but "
                             f"total_steps={self.total_steps}. Use warmup < total_steps")
        object.__setattr__(self, "warmup", int(self.warmup))

        if self.warmup_start is not None:
            start = _check_real("warmup_start", self.warmup_start)
            if not math.isfinite(start) or not 0 <= start <= self.peak:
                raise ValueError(f"warmup_start must be a finite learning rate in [0, peak={self.peak!r}], "
                                 f"got {self.warmup_start!r}")
            if self.warmup == 0:
                raise ValueError(f"warmup_start={self.warmup_start!r} has no effect with warmup=0. "
                                 f"Set warmup > 0 or leave warmup_start as None")
            object.__setattr__(self, "warmup_start", start)

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Short label for plot legends, such as ``"cosine"`` or ``"8-1-1"``."""

    @abc.abstractmethod
    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        """Return the learning rates at ``steps`` (int64, all ``>= warmup``) as float64."""

    def __call__(self, step: int) -> float:
        """Return the learning rate used at optimizer step ``step`` (0-indexed)."""
        step = _check_step(step, self.total_steps)
        # One code path for single steps and for values(), so the two agree.
        return float(self._learning_rates(np.array([step], dtype=np.int64))[0])

    def values(self) -> np.ndarray:
        """Return the learning rate of every step, a float64 array of shape ``(total_steps,)``."""
        return self._learning_rates(np.arange(self.total_steps, dtype=np.int64))

    def _learning_rates(self, steps: np.ndarray) -> np.ndarray:
        rates = np.empty(steps.shape, dtype=np.float64)
        in_warmup = steps < self.warmup

        warmup_steps = steps[in_warmup]
        if self.warmup_start is None:
            rates[in_warmup] = self.peak * ((warmup_steps + 1) / self.warmup)
        else:
            rates[in_warmup] = self.warmup_start + (self.peak - self.warmup_start) * (warmup_steps / self.warmup)

        rates[~in_warmup] = self._after_warmup(steps[~in_warmup])
        return rates

    def _remaining(self, steps: np.ndarray) -> np.ndarray:
        """Return ``1 - p``, the fraction of the post-warmup steps not yet taken, in ``(0, 1]``."""
        return (self.total_steps - steps) / (self.total_steps - self.warmup)

    def _progress(self, steps: np.ndarray) -> np.ndarray:
        """Return the decay progress ``p = (step - warmup) / (total_steps - warmup)``, in ``[0, 1)``."""
        return (steps - self.warmup) / (self.total_steps - self.warmup)


def _validate_final(schedule: Schedule) -> None:
    object.__setattr__(schedule, "final", _check_final(schedule.final, schedule.peak))


@dataclass(frozen=True, kw_only=True)
class ConstantSchedule(Schedule):
    """The same learning rate ``peak`` after warmup."""

    @property
    def name(self) -> str:
        return "constant"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        return np.full(steps.shape, self.peak, dtype=np.float64)


@dataclass(frozen=True, kw_only=True)
class CosineSchedule(Schedule):
    """Cosine decay: ``final + (peak - final) * (1 + cos(pi * p)) / 2``."""

    final: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _validate_final(self)

    @property
    def name(self) -> str:
        return "cosine"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        # (1 + cos(pi p)) / 2 written as cos(pi p / 2)**2: equal in exact arithmetic, but this form keeps
        # its relative precision near p = 1, so the last step of a long run does not round to `final`.
        remaining = np.cos(0.5 * np.pi * self._progress(steps)) ** 2
        return self.final + (self.peak - self.final) * remaining


@dataclass(frozen=True, kw_only=True)
class LinearSchedule(Schedule):
    """Linear decay: ``final + (peak - final) * (1 - p)``."""

    final: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _validate_final(self)

    @property
    def name(self) -> str:
        return "linear"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        return self.final + (self.peak - self.final) * self._remaining(steps)


@dataclass(frozen=True, kw_only=True)
class ExponentialSchedule(Schedule):
    """Geometric decay from ``peak`` toward ``final > 0``: ``peak * (final / peak) ** p``."""

    final: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _validate_final(self)
        if self.final == 0:
            raise ValueError("final must be > 0 for exponential decay, got 0.0, because a geometric decay never "
                             "reaches 0. Pass the learning rate to approach, or use linear() or cosine() to decay to 0")

    @property
    def name(self) -> str:
        return "exponential"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        return self.peak * (self.final / self.peak) ** self._progress(steps)


@dataclass(frozen=True, kw_only=True)
class WSDSchedule(Schedule):
    """Warmup-stable-decay: ``peak`` until the last ``decay_steps`` steps, then a decay toward ``final``.

    ``decay_steps = round(decay_fraction * (total_steps - warmup))``. Within the
    decay phase the progress is ``q = (step - decay_start) / decay_steps`` in
    ``[0, 1)``, so the first decay step is still at ``peak``, and the learning
    rate is ``final + (peak - final) * f(q)`` with ``f`` set by ``shape``:
    ``1 - q`` (linear), ``(1 + cos(pi * q)) / 2`` (cosine), ``1 - sqrt(q)``
    (sqrt) or ``(1 - q) ** exponent`` (power).
    """

    decay_fraction: float = 0.2
    shape: str = "linear"
    final: float = 0.0
    exponent: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _validate_final(self)

        fraction = _check_real("decay_fraction", self.decay_fraction)
        if not 0 <= fraction <= 1:
            raise ValueError(f"decay_fraction must be in (0, 1], got {self.decay_fraction!r}. It is the fraction of "
                             f"the steps after warmup spent decaying")
        object.__setattr__(self, "decay_fraction", fraction)
        if self.decay_steps == 0:
            raise ValueError(f"decay_fraction={self.decay_fraction!r} gives round({self.decay_fraction!r} * "
                             f"{self.total_steps - self.warmup}) = 0 decay steps. Use constant() for a schedule "
                             f"without decay, or a larger decay_fraction")

        if self.shape not in WSD_SHAPES:
            raise ValueError(f"unknown shape {self.shape!r}. Valid shapes are {', '.join(WSD_SHAPES)}")
        if self.shape == "power":
            if self.exponent is None:
                raise ValueError("shape='power' needs an exponent, for example exponent=2")
            object.__setattr__(self, "exponent", _check_exponent(self.exponent))
        elif self.exponent is not None:
            raise ValueError(f"exponent={self.exponent!r} applies only to shape='power', got shape={self.shape!r}. "
                             f"Drop exponent or use shape='power'")

    @property
    def decay_steps(self) -> int:
        """Number of steps in the decay phase."""
        return round(self.decay_fraction * (self.total_steps - self.warmup))

    @property
    def decay_start(self) -> int:
        """First step of the decay phase, which still uses ``peak``."""
        return self.total_steps - self.decay_steps

    @property
    def name(self) -> str:
        if self.shape == "linear":
            return "WSD"
        if self.shape == "power":
            return f"WSD (power, p={self.exponent:g})"
        return f"WSD ({self.shape})"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        rates = np.full(steps.shape, self.peak, dtype=np.float64)
        decaying = steps >= self.decay_start
        into_decay = steps[decaying] - self.decay_start
        remaining = (self.decay_steps - into_decay) / self.decay_steps   # 1 - q, in (0, 1]

        if self.shape == "linear":
            weight = remaining
        elif self.shape == "cosine":
            # (1 + cos(pi q)) / 2 as cos(pi q / 2)**2, which keeps its precision near q = 1 (see CosineSchedule).
            weight = np.cos(0.5 * np.pi * (into_decay / self.decay_steps)) ** 2
        elif self.shape == "sqrt":
            weight = 1 - np.sqrt(into_decay / self.decay_steps)
        else:
            weight = remaining ** self.exponent

        rates[decaying] = self.final + (self.peak - self.final) * weight
        return rates


@dataclass(frozen=True, kw_only=True)
class StepDecaySchedule(Schedule):
    """Piecewise-constant decay: ``peak * factors[i]`` from step ``round(milestones[i] * total_steps)`` on.

    ``factors`` are absolute multipliers of ``peak``, not products of the earlier
    ones: the defaults ``(10**-0.5, 0.1)`` give ``peak / sqrt(10)`` and then
    ``peak / 10``. Every stage, including the one at ``peak`` after warmup,
    lasts at least one step.
    """

    milestones: tuple[float, ...] = EIGHT_ONE_ONE_MILESTONES
    factors: tuple[float, ...] = EIGHT_ONE_ONE_FACTORS

    def __post_init__(self) -> None:
        super().__post_init__()
        milestones = _check_increasing_fractions("milestones", self.milestones)
        factors = tuple(_check_real("factors", factor) for factor in self.factors)
        if not all(0 < factor <= 1 for factor in factors):
            raise ValueError(f"factors must be in (0, 1], got {factors}. Each is the multiplier of peak after its "
                             f"milestone, absolute and not a product of the earlier factors")
        if len(milestones) != len(factors):
            raise ValueError(f"milestones and factors must have the same length, got {len(milestones)} milestones "
                             f"{milestones} and {len(factors)} factors {factors}")
        object.__setattr__(self, "milestones", milestones)
        object.__setattr__(self, "factors", factors)

        starts = (self.warmup, *self.milestone_steps, self.total_steps)
        if not all(a < b for a, b in zip(starts, starts[1:])):
            raise ValueError(f"milestones {milestones} fall at steps {self.milestone_steps} of total_steps="
                             f"{self.total_steps} with warmup={self.warmup}, which leaves a stage with no steps. "
                             f"Each milestone step must come after the warmup and after the previous milestone, "
                             f"so use more total_steps, a shorter warmup or milestones further apart")

    @property
    def milestone_steps(self) -> tuple[int, ...]:
        """First step of each decayed stage: ``round(milestone * total_steps)``."""
        return tuple(round(milestone * self.total_steps) for milestone in self.milestones)

    @property
    def name(self) -> str:
        if self.milestones == EIGHT_ONE_ONE_MILESTONES and self.factors == EIGHT_ONE_ONE_FACTORS:
            return "8-1-1"
        return "step decay at " + ", ".join(f"{milestone:g}" for milestone in self.milestones)

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        multipliers = np.array((1.0, *self.factors), dtype=np.float64)
        stage = np.searchsorted(np.array(self.milestone_steps), steps, side="right")
        return self.peak * multipliers[stage]


@dataclass(frozen=True, kw_only=True)
class PowerDecaySchedule(Schedule):
    """Polynomial decay to 0: ``peak * (1 - p) ** exponent``."""

    exponent: float

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "exponent", _check_exponent(self.exponent))

    @property
    def name(self) -> str:
        return f"power decay (p={self.exponent:g})"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        return self.peak * self._remaining(steps) ** self.exponent


def _validated_rates(values: Any) -> np.ndarray:
    """Return ``values`` as a read-only float64 copy, or raise unless it is a valid per-step learning-rate array."""
    rates = np.array(values)
    if rates.dtype.kind not in "iuf":
        raise TypeError(f"values must be an array of real numbers, got dtype {rates.dtype}")
    rates = rates.astype(np.float64)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array with one learning rate per step, "
                         f"got shape {rates.shape}")
    if not np.isfinite(rates).all():
        bad = int(np.flatnonzero(~np.isfinite(rates))[0])
        raise ValueError(f"values must be finite, got {rates[bad]} at step {bad}")
    if (rates < 0).any():
        bad = int(np.flatnonzero(rates < 0)[0])
        raise ValueError(f"values must be >= 0, got {rates[bad]} at step {bad}")
    if not (rates > 0).any():
        raise ValueError("values are all 0, but a schedule needs a positive peak. Pass at least one learning rate > 0")
    rates.flags.writeable = False
    return rates


@dataclass(frozen=True, kw_only=True, eq=False)
class ExplicitSchedule(Schedule):
    """A schedule given as one learning rate per step, without warmup.

    ``peak`` is the largest rate and ``total_steps`` the length of ``rates``,
    both set from the array. The array is copied and stored read-only.
    """

    peak: float = field(init=False)
    total_steps: int = field(init=False)
    warmup: int = field(init=False, default=0)
    warmup_start: float | None = field(init=False, default=None)
    rates: np.ndarray

    def __post_init__(self) -> None:
        rates = _validated_rates(self.rates)
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "peak", float(rates.max()))
        object.__setattr__(self, "total_steps", int(rates.size))
        super().__post_init__()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExplicitSchedule):
            return NotImplemented
        return np.array_equal(self.rates, other.rates)

    def __hash__(self) -> int:
        return hash(self.rates.tobytes())

    @property
    def name(self) -> str:
        return "custom"

    def _after_warmup(self, steps: np.ndarray) -> np.ndarray:
        return self.rates[steps]


def constant(lr: float, total_steps: int, warmup: int = 0, *, warmup_start: float | None = None) -> ConstantSchedule:
    """Return a constant learning rate ``lr`` after an optional linear warmup."""
    return ConstantSchedule(peak=_check_positive_lr("lr", lr), total_steps=total_steps, warmup=warmup,
                            warmup_start=warmup_start)


def cosine(peak: float, total_steps: int, warmup: int = 0, final: float = 0.0, *,
           warmup_start: float | None = None) -> CosineSchedule:
    """Return a cosine decay from ``peak`` toward ``final`` after an optional linear warmup."""
    return CosineSchedule(peak=peak, total_steps=total_steps, warmup=warmup, final=final, warmup_start=warmup_start)


def linear(peak: float, total_steps: int, warmup: int = 0, final: float = 0.0, *,
           warmup_start: float | None = None) -> LinearSchedule:
    """Return a linear decay from ``peak`` toward ``final`` after an optional linear warmup."""
    return LinearSchedule(peak=peak, total_steps=total_steps, warmup=warmup, final=final, warmup_start=warmup_start)


def exponential(peak: float, total_steps: int, final: float, warmup: int = 0, *,
                warmup_start: float | None = None) -> ExponentialSchedule:
    """Return a geometric decay from ``peak`` toward ``final > 0`` after an optional linear warmup."""
    return ExponentialSchedule(peak=peak, total_steps=total_steps, warmup=warmup, final=final,
                               warmup_start=warmup_start)


def wsd(peak: float, total_steps: int, decay_fraction: float = 0.2, warmup: int = 0, shape: str = "linear",
        final: float = 0.0, exponent: float | None = None, *, warmup_start: float | None = None) -> WSDSchedule:
    """Return a warmup-stable-decay schedule that decays over the last ``decay_fraction`` of the post-warmup steps.

    ``shape`` is one of ``"linear"``, ``"cosine"``, ``"sqrt"`` (``1 - sqrt(q)``)
    or ``"power"`` (``(1 - q) ** exponent``, which needs ``exponent``).
    """
    return WSDSchedule(peak=peak, total_steps=total_steps, warmup=warmup, decay_fraction=decay_fraction,
                       shape=shape, final=final, exponent=exponent, warmup_start=warmup_start)


def step_decay(peak: float, total_steps: int, milestones: Sequence[float] = EIGHT_ONE_ONE_MILESTONES,
               factors: Sequence[float] = EIGHT_ONE_ONE_FACTORS, warmup: int = 0, *,
               warmup_start: float | None = None) -> StepDecaySchedule:
    """Return a piecewise-constant schedule at ``peak * factors[i]`` from ``milestones[i] * total_steps`` on."""
    return StepDecaySchedule(peak=peak, total_steps=total_steps, warmup=warmup, milestones=tuple(milestones),
                             factors=tuple(factors), warmup_start=warmup_start)


def eight_one_one(peak: float, total_steps: int, warmup: int = 0, *,
                  warmup_start: float | None = None) -> StepDecaySchedule:
    """Return the 8-1-1 step decay: ``peak``, then ``peak / sqrt(10)`` at 80%, then ``peak / 10`` at 90%."""
    return step_decay(peak, total_steps, warmup=warmup, warmup_start=warmup_start)


def power_decay(peak: float, total_steps: int, exponent: float, warmup: int = 0, *,
                warmup_start: float | None = None) -> PowerDecaySchedule:
    """Return ``peak * (1 - z / N) ** exponent`` with ``z = step - warmup`` and ``N = total_steps - warmup``."""
    return PowerDecaySchedule(peak=peak, total_steps=total_steps, warmup=warmup, exponent=exponent,
                              warmup_start=warmup_start)


def from_values(values: Sequence[float] | np.ndarray) -> ExplicitSchedule:
    """Wrap an explicit array of per-step learning rates (finite, >= 0, 1-D, non-empty) as a schedule.

    ``peak`` is the maximum of the array, which must be > 0.
    """
    return ExplicitSchedule(rates=values)


def lambda_lr(optimizer: torch.optim.Optimizer, schedule: Schedule) -> torch.optim.lr_scheduler.LambdaLR:
    """Return a ``LambdaLR`` that sets each param group's lr to ``schedule(k)`` after ``k`` scheduler steps.

    The multiplier at step ``k`` is ``schedule(k) / schedule.peak``, so the
    optimizer must be built with ``lr=schedule.peak``. Training loops call
    ``scheduler.step()`` after every optimizer step, including the last, so
    the multiplier for ``k >= total_steps`` stays at the last step's value.
    LambdaLR multiplies ``peak`` by that ratio, so the lr matches ``schedule(k)``
    to float rounding, not bit for bit.
    """
    from torch.optim.lr_scheduler import LambdaLR

    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be an lgcore.schedules.Schedule, got {type(schedule).__name__}; "
                        "build one with constant(), cosine(), wsd() or another constructor of this module")
    for index, group in enumerate(optimizer.param_groups):
        # LambdaLR scales "initial_lr", which an earlier scheduler may have set, and else the current "lr".
        key = "initial_lr" if "initial_lr" in group else "lr"
        base = float(group[key])
        if not math.isclose(base, schedule.peak, rel_tol=1e-12, abs_tol=0.0):
            raise ValueError(f"param group {index} has {key}={base!r} but schedule.peak={schedule.peak!r}. "
                             f"Build the optimizer with lr=schedule.peak")

    last = schedule.total_steps - 1
    peak = schedule.peak

    # A plain function, not a callable object, because LambdaLR.state_dict (torch 2.x) stores the __dict__ of a
    # callable object but None for a function. Checkpoints then hold no schedule and load with weights_only=True.
    def multiplier(step: int) -> float:
        return schedule(min(step, last)) / peak

    return LambdaLR(optimizer, multiplier)


# ---------------------------------------------------------------------------
# Batch-size schedules
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchSchedule(abc.ABC):
    """Batch size per optimizer step.

    Build batch schedules with :func:`constant_batch`, :func:`two_stage_batch`,
    :func:`multi_stage_batch`, :func:`continuous_batch` and
    :func:`two_stage_for_budget`.
    """

    total_steps: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_steps", _check_total_steps(self.total_steps))

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Short label for plot legends, such as ``"batch 32→256 at step 500"``."""

    @abc.abstractmethod
    def _batch_sizes(self, steps: np.ndarray) -> np.ndarray:
        """Return the batch sizes at ``steps`` (int64) as int64."""

    def __call__(self, step: int) -> int:
        """Return the batch size used at optimizer step ``step`` (0-indexed)."""
        step = _check_step(step, self.total_steps)
        return int(self._batch_sizes(np.array([step], dtype=np.int64))[0])

    def values(self) -> np.ndarray:
        """Return the batch size of every step, an int64 array of shape ``(total_steps,)``."""
        return self._batch_sizes(np.arange(self.total_steps, dtype=np.int64))

    def samples(self) -> int:
        """Return the number of training examples drawn over all steps (the sum of the batch sizes)."""
        return int(self.values().sum())


@dataclass(frozen=True, kw_only=True)
class StagedBatchSchedule(BatchSchedule):
    """Piecewise-constant batch size: ``sizes[i]`` from step ``starts[i - 1]`` (0 for ``i = 0``) on.

    ``starts`` has one entry fewer than ``sizes`` and is non-decreasing in
    ``[0, total_steps]``. Equal neighbours give a stage with no steps, which
    :func:`two_stage_batch` uses for ``switch_fraction`` 0 and 1.
    """

    sizes: tuple[int, ...]
    starts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        sizes = tuple(_check_batch_size("sizes", size) for size in self.sizes)
        if not sizes:
            raise ValueError("sizes must contain at least one batch size")
        if not all(_is_int(start) for start in self.starts):
            raise TypeError(f"starts must be int steps, got {self.starts}")
        starts = tuple(int(start) for start in self.starts)
        if len(starts) != len(sizes) - 1:
            raise ValueError(f"starts must have one entry fewer than sizes, got {len(starts)} starts {starts} "
                             f"for {len(sizes)} sizes {sizes}")
        bounds = (0, *starts, self.total_steps)
        if not all(a <= b for a, b in zip(bounds, bounds[1:])):
            raise ValueError(f"starts must be non-decreasing steps in [0, total_steps={self.total_steps}], "
                             f"got {starts}")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "starts", starts)

    def stage_steps(self) -> tuple[int, ...]:
        """Return the number of steps in each stage."""
        bounds = (0, *self.starts, self.total_steps)
        return tuple(b - a for a, b in zip(bounds, bounds[1:]))

    @property
    def name(self) -> str:
        used = [(size, start) for size, start, steps in zip(self.sizes, (0, *self.starts), self.stage_steps())
                if steps > 0]
        label = "batch " + "→".join(str(size) for size, _ in used)
        switches = [str(start) for _, start in used[1:]]
        if len(switches) == 1:
            label += f" at step {switches[0]}"
        elif switches:
            label += f" at steps {', '.join(switches)}"
        return label

    def _batch_sizes(self, steps: np.ndarray) -> np.ndarray:
        stage = np.searchsorted(np.array(self.starts, dtype=np.int64), steps, side="right")
        return np.array(self.sizes, dtype=np.int64)[stage]

    def samples(self) -> int:
        return sum(size * steps for size, steps in zip(self.sizes, self.stage_steps()))


@dataclass(frozen=True, kw_only=True)
class ContinuousBatchSchedule(BatchSchedule):
    """Batch size growing (or shrinking) smoothly from ``start`` at step 0 to ``end`` at the last step.

    ``shape="linear"`` interpolates linearly and ``"geometric"`` by a constant
    ratio per step. Sizes are rounded to the nearest int (halves to even).
    """

    start: int
    end: int
    shape: str = "linear"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "start", _check_batch_size("start", self.start))
        object.__setattr__(self, "end", _check_batch_size("end", self.end))
        if self.shape not in BATCH_SHAPES:
            raise ValueError(f"unknown shape {self.shape!r}. Valid shapes are {', '.join(BATCH_SHAPES)}")

    @property
    def name(self) -> str:
        return f"batch {self.start}→{self.end} ({self.shape})"

    def _batch_sizes(self, steps: np.ndarray) -> np.ndarray:
        # t runs from 0 at step 0 to 1 at the last step. A one-step schedule uses `start`.
        t = steps / max(self.total_steps - 1, 1)
        if self.shape == "linear":
            sizes = self.start + (self.end - self.start) * t
        else:
            sizes = self.start * (self.end / self.start) ** t
        # Sizes stay between start and end, both >= 1, so the maximum is a safeguard that changes no value.
        return np.maximum(np.rint(sizes), 1).astype(np.int64)


def constant_batch(batch_size: int, total_steps: int) -> StagedBatchSchedule:
    """Return the batch size ``batch_size`` at every step."""
    return StagedBatchSchedule(sizes=(_check_batch_size("batch_size", batch_size),), total_steps=total_steps)


def two_stage_batch(small: int, large: int, total_steps: int, switch_fraction: float) -> StagedBatchSchedule:
    """Return ``small`` for the first ``round(switch_fraction * total_steps)`` steps, then ``large``."""
    small = _check_batch_size("small", small)
    large = _check_batch_size("large", large)
    total_steps = _check_total_steps(total_steps)
    fraction = _check_fraction("switch_fraction", switch_fraction)
    return StagedBatchSchedule(sizes=(small, large), starts=(round(fraction * total_steps),), total_steps=total_steps)


def multi_stage_batch(sizes: Sequence[int], fractions: Sequence[float], total_steps: int) -> StagedBatchSchedule:
    """Return ``sizes[i]`` from ``fractions[i - 1]`` to ``fractions[i]`` of training (from 0, up to 1).

    Each switch step is ``round(fraction * total_steps)`` and every stage must get at least one step.
    """
    sizes = tuple(_check_batch_size("sizes", size) for size in sizes)
    if not sizes:
        raise ValueError("sizes must contain at least one batch size")
    fractions = _check_increasing_fractions("fractions", fractions)
    if len(fractions) != len(sizes) - 1:
        raise ValueError(f"fractions must have one entry fewer than sizes, got {len(fractions)} fractions "
                         f"{fractions} for {len(sizes)} sizes {sizes}")
    total_steps = _check_total_steps(total_steps)

    starts = tuple(round(fraction * total_steps) for fraction in fractions)
    bounds = (0, *starts, total_steps)
    if not all(a < b for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"fractions {fractions} fall at steps {starts} of total_steps={total_steps}, which leaves "
                         f"a stage with no steps. Use more total_steps or fractions further apart")
    return StagedBatchSchedule(sizes=sizes, starts=starts, total_steps=total_steps)


def continuous_batch(start: int, end: int, total_steps: int, shape: str = "linear") -> ContinuousBatchSchedule:
    """Return a batch size moving from ``start`` to ``end`` over training, ``"linear"`` or ``"geometric"``."""
    return ContinuousBatchSchedule(start=start, end=end, total_steps=total_steps, shape=shape)


def two_stage_for_budget(small: int, large: int, data_budget: int, switch_samples: int) -> StagedBatchSchedule:
    """Return a two-stage schedule that spends a fixed budget of ``data_budget`` training examples.

    It takes ``switch_samples // small`` steps of ``small``, then spends the
    rest of the budget on ``(data_budget - small_steps * small) // large``
    steps of ``large``. Fewer than ``large`` leftover examples are not used,
    so ``samples()`` can fall short of ``data_budget`` by up to ``large - 1``.
    """
    small = _check_batch_size("small", small)
    large = _check_batch_size("large", large)
    if not _is_int(data_budget):
        raise TypeError(f"data_budget must be an int number of examples, got {type(data_budget).__name__} "
                        f"{data_budget!r}")
    if data_budget < 1:
        raise ValueError(f"data_budget must be >= 1 examples, got {data_budget!r}")
    if not _is_int(switch_samples):
        raise TypeError(f"switch_samples must be an int number of examples, got {type(switch_samples).__name__} "
                        f"{switch_samples!r}")
    if not 0 <= switch_samples <= data_budget:
        raise ValueError(f"switch_samples must be in [0, data_budget={data_budget}], got {switch_samples!r}")

    small_steps = int(switch_samples) // small
    large_steps = (int(data_budget) - small_steps * small) // large
    if small_steps + large_steps == 0:
        raise ValueError(f"data_budget={data_budget} with switch_samples={switch_samples} gives no steps "
                         f"(0 steps of small={small}, 0 steps of large={large}). Raise data_budget or use "
                         f"smaller batch sizes")
    return StagedBatchSchedule(sizes=(small, large), starts=(small_steps,), total_steps=small_steps + large_steps)
