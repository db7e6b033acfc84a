"""Tests of the scaling chapters' experiment helpers in ``lgcore.experiments.scaling``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lgcore import schedules
from lgcore.experiments import scaling
from lgcore.theory import kernel_sgd
from lgcore.theory import optimal_schedule as optimal


@pytest.fixture(scope="module")
def problem() -> kernel_sgd.Problem:
    return kernel_sgd.power_law_problem(30, 2.0, 0.25, 0.5)


def test_schedule_suite_names_and_peak():
    suite = scaling.schedule_suite(0.3, 100, decay_fraction=0.1)
    assert [s.name for s in suite] == ["constant", "cosine", "linear", "WSD", "8-1-1"]
    assert all(s.total_steps == 100 and s(0) == pytest.approx(0.3) for s in suite)
    assert suite[3](89) == pytest.approx(0.3)
    assert suite[3](90) == pytest.approx(0.3)
    assert suite[3](91) < 0.3


def test_sweep_peaks_matches_separate_runs_and_marks_divergence(problem):
    peaks = np.array([0.05, 0.2, 50.0])
    sweep = scaling.sweep_peaks(problem, lambda peak: schedules.cosine(peak, 200), peaks)
    assert math.isinf(sweep.losses[2])
    for peak, loss in zip(peaks[:2], sweep.losses[:2]):
        alone = kernel_sgd.sgd_risk(problem, schedules.cosine(float(peak), 200)).final[0]
        assert loss == pytest.approx(alone, rel=1e-12)
    assert sweep.best_peak == peaks[np.argmin(sweep.losses)]
    assert sweep.best_loss == pytest.approx(sweep.losses.min())


def test_sweep_peaks_at_edge(problem):
    interior = scaling.sweep_peaks(problem, lambda peak: schedules.constant(peak, 50), [0.01, 0.3, 1e-3])
    assert interior.best_peak == 0.3
    assert not interior.at_edge
    edge = scaling.sweep_peaks(problem, lambda peak: schedules.constant(peak, 50), [0.01, 0.02])
    assert edge.at_edge


@pytest.mark.parametrize("peaks", [[], [0.1, -0.1], [[0.1]]])
def test_sweep_peaks_rejects_bad_peaks(problem, peaks):
    with pytest.raises(ValueError, match="peaks must be a non-empty 1-D array of positive learning rates"):
        scaling.sweep_peaks(problem, lambda peak: schedules.constant(peak, 10), peaks)


def test_power_law_exponent_recovers_exponent():
    x = np.array([1e2, 1e3, 1e4])
    assert scaling.power_law_exponent(x, 3 * x**-0.7) == pytest.approx(0.7)
    assert scaling.power_law_exponent(x, x**0.5) == pytest.approx(-0.5)


@pytest.mark.parametrize("x, y, message", [
    ([1.0], [1.0], "at least 2 points"),
    ([1.0, 2.0], [1.0], "equal-length"),
    ([1.0, -2.0], [1.0, 1.0], "positive x and y"),
])
def test_power_law_exponent_rejects_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        scaling.power_law_exponent(x, y)


def test_pad_runs_leaves_final_risk_unchanged(problem):
    short, long = np.full(30, 0.2), np.full(50, 0.1)
    rates, batches = scaling.pad_runs([short, long], [np.full(30, 2), np.full(50, 1)])
    assert rates.shape == batches.shape == (2, 50)
    assert np.all(rates[0, 30:] == 0)
    assert np.all(batches[0, 30:] == 1)
    padded = kernel_sgd.sgd_risk(problem, rates, batches).final
    assert padded[0] == pytest.approx(kernel_sgd.sgd_risk(problem, short, 2).final[0], rel=1e-12)
    assert padded[1] == pytest.approx(kernel_sgd.sgd_risk(problem, long, 1).final[0], rel=1e-12)


def test_pad_runs_rejects_mismatches():
    with pytest.raises(ValueError, match="one batch array per learning-rate array"):
        scaling.pad_runs([np.ones(3)], [])
    with pytest.raises(ValueError, match="run 0: 3 learning rates but 2 batch sizes"):
        scaling.pad_runs([np.ones(3)], [np.ones(2, dtype=int)])


def test_optimal_scaling_peak_exponent_and_hard_decay():
    easy = scaling.optimal_scaling(1.0, 2.0, 1e-2, [10**4, 10**5, 10**6], 100.0, n_bins=100)
    assert easy.peak_exponent == pytest.approx(optimal.peak_lr_exponent(1.0, 2.0), abs=0.05)
    assert np.all(np.diff(easy.losses) < 0)
    assert easy.loss_exponent == pytest.approx(optimal.loss_exponent(1.0, 2.0), abs=0.1)
    hard = scaling.optimal_scaling(0.25, 2.0, 1e-2, [10**4, 10**5, 10**6], 1.0, n_bins=100)
    assert np.all(hard.peaks == pytest.approx(1.0))
    assert np.all(np.diff(hard.decay_fractions) < 0)
    assert np.all(hard.decay_fractions < 0.2)


def test_shape_scaling_tunes_the_peak():
    objective = optimal.ScheduleObjective(1.0, 2.0, 1e-2)
    shape = lambda n: schedules.linear(1.0, n).values()  # noqa: E731
    losses = scaling.shape_scaling(objective, shape, [1000, 10_000])
    assert np.all(np.diff(losses) < 0)
    for n, loss in zip([1000, 10_000], losses):
        values = shape(n)
        for peak in (0.1, 1.0, 10.0):     # the tuned peak beats fixed guesses
            assert loss <= optimal.final_loss(objective, peak * values) + 1e-15


def test_budget_sweep_start_is_constant_large_batch(problem):
    sweep = scaling.budget_sweep(problem, 0.2, 2, 8, 800, [0, 400, 800])
    assert sweep.steps.tolist() == [100, 250, 400]
    constant = kernel_sgd.sgd_risk(problem, np.full(100, 0.2), 8).final[0]
    assert sweep.losses[0] == pytest.approx(constant, rel=1e-12)
    assert sweep.best_fraction == [0.0, 0.5, 1.0][int(np.argmin(sweep.losses))]


def test_budget_sweep_rejects_bad_lr(problem):
    with pytest.raises(ValueError, match="lr must be finite and > 0, got 0.0"):
        scaling.budget_sweep(problem, 0.0, 2, 8, 800, [0])


def test_relative_gap_and_shape_check():
    np.testing.assert_allclose(scaling.relative_gap([1.1, 2.0], [1.0, 2.0]), [0.1, 0.0])
    with pytest.raises(ValueError, match="loss has shape"):
        scaling.relative_gap([1.0], [1.0, 2.0])


def test_catch_up_step_cases():
    steps = np.array([0, 10, 20, 30, 40])
    assert scaling.catch_up_step(steps, np.array([0.5, 0.5, 0.2, 0.005, 0.001]), 10, 0.01) == 20.0
    assert scaling.catch_up_step(steps, np.array([0.5, 0.0, 0.0, 0.0, 0.0]), 10, 0.01) == 0.0
    assert math.isinf(scaling.catch_up_step(steps, np.array([0.5, 0.5, 0.2, 0.005, 0.02]), 10, 0.01))
    with pytest.raises(ValueError, match="no recorded step at or after 50"):
        scaling.catch_up_step(steps, np.zeros(5), 50, 0.01)
    with pytest.raises(ValueError, match="steps has shape"):
        scaling.catch_up_step(steps, np.zeros(4), 0, 0.01)
