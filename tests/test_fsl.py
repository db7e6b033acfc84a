import math

import numpy as np
import pytest

from lgcore import schedules
from lgcore.theory.fsl import (ExponentialSum, FSLCurve, FSLFit, FSLParams, fit_fsl, fsl_power_law, fsl_spectral,
                               kernel_exponent, power_kernel_exponentials)
from lgcore.theory.kernel_sgd import Problem, power_law_problem, sgd_risk

PARAMS = FSLParams(source=0.8, capacity=2.0, signal_scale=1.3, noise_scale=0.7, time_scale=3.0, noise_var=0.05)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def power_law_double_sum(lr: np.ndarray, params: FSLParams, batch: np.ndarray) -> np.ndarray:
    """Return ``L_n``, n = 0 .. N, of the power-law FSL by the double sum of the module docstring, written out."""
    gamma = 2.0 - 1.0 / params.capacity
    tau = params.time_scale
    times = np.concatenate([[0.0], np.cumsum(lr)])
    loss = []
    for n in range(lr.size + 1):
        value = params.signal_scale * (1.0 + times[n] / tau) ** -params.source
        for k in range(n):
            kernel = params.noise_scale * (1.0 + (times[n] - times[k + 1]) / tau) ** -gamma
            signal_k = params.signal_scale * (1.0 + times[k] / tau) ** -params.source
            value += kernel * lr[k] ** 2 / batch[k] * (signal_k + params.noise_var)
        loss.append(value)
    return np.array(loss)


def spectral_double_sum(problem: Problem, lr: np.ndarray, batch: int, forcing: str) -> np.ndarray:
    """Return ``L_n`` of the spectral FSL from ``Problem.signal`` and ``Problem.kernel``, one step at a time."""
    times = np.concatenate([[0.0], np.cumsum(lr)])
    loss = []
    for n in range(lr.size + 1):
        value = float(problem.signal(times[n]))
        for k in range(n):
            drive = float(problem.signal(times[k])) if forcing == "signal" else loss[k]
            value += float(problem.kernel(times[n] - times[k + 1])) * lr[k] ** 2 / batch \
                * (drive + problem.noise_var)
        loss.append(value)
    return np.array(loss)


# kernel_exponent


def test_kernel_exponent_values():
    assert kernel_exponent(2.0) == 1.5
    assert kernel_exponent(4.0) == 1.75
    assert kernel_exponent(1.25) == pytest.approx(1.2)


@pytest.mark.parametrize("capacity", [1.0, 0.5, math.nan, math.inf])
def test_kernel_exponent_rejects_bad_capacity(capacity):
    with pytest.raises(ValueError, match=f"capacity beta must be > 1, got {capacity}"):
        kernel_exponent(capacity)


# power_kernel_exponentials


@pytest.mark.parametrize("exponent, horizon, tol", [
    (1.5, 1e3, 1e-6), (1.75, 1e7, 1e-6), (0.5, 1e4, 1e-4), (1.0, 50.0, 1e-9), (1.9, 0.0, 1e-6), (3.0, 1e5, 1e-8),
])
def test_power_kernel_exponentials_meets_tol_on_new_grid(exponent, horizon, tol):
    approximation = power_kernel_exponentials(exponent, horizon, tol=tol)
    # A linear grid and an offset geometric grid, neither of which is the 2,000-point grid the function measured on.
    grid = np.concatenate([np.linspace(0.0, horizon, 3001), 0.999 * np.geomspace(1e-6, max(horizon, 1e-6), 1777)])
    exact = (1.0 + grid) ** -exponent
    error = np.max(np.abs(approximation(grid) - exact) / exact)
    assert error <= tol
    assert approximation.max_rel_error <= tol
    assert approximation.exponent == exponent
    assert approximation.horizon == horizon
    assert np.all(approximation.weights > 0)
    assert np.all(approximation.rates > 0)


@pytest.mark.parametrize("exponent", [1.0, 1.5, 1.9])
def test_power_kernel_exponentials_term_count(exponent):
    # NOTE: the docstring states that about 40 terms reach 1e-6 up to horizon 1e7, but the FSL's exponents
    # 2 - 1/beta in [1, 2) take 56 to 71 terms, so this bound is looser than that figure.
    approximation = power_kernel_exponentials(exponent, 1e7)
    assert approximation.rates.size == approximation.weights.size
    assert 20 <= approximation.rates.size <= 80


def test_exponential_sum_call_shapes():
    approximation = ExponentialSum(exponent=1.0, horizon=1.0, rates=np.array([1.0, 2.0]),
                                   weights=np.array([0.5, 0.25]), max_rel_error=0.0)
    assert approximation(0.0) == pytest.approx(0.75)
    np.testing.assert_allclose(approximation(np.array([[0.0, 1.0]])),
                               [[0.75, 0.5 * math.exp(-1) + 0.25 * math.exp(-2)]])


@pytest.mark.parametrize("exponent, horizon, tol, message", [
    (0.0, 10.0, 1e-6, "kernel exponent must lie in \\(0, 100\\], got 0.0"),
    (-1.0, 10.0, 1e-6, "kernel exponent must lie in \\(0, 100\\], got -1.0"),
    (math.nan, 10.0, 1e-6, "kernel exponent must lie in \\(0, 100\\], got nan"),
    (1.5, -1.0, 1e-6, "horizon must lie in \\[0, 1e15\\], got -1.0"),
    (1.5, math.inf, 1e-6, "horizon must lie in \\[0, 1e15\\], got inf"),
    (1.5, 10.0, 0.0, r"tol must lie in \[1e-12, 1\), got 0.0"),
    (1.5, 10.0, 1e-13, r"tol must lie in \[1e-12, 1\), got 1e-13"),
    (1.5, 10.0, 1.0, r"tol must lie in \[1e-12, 1\), got 1.0"),
])
def test_power_kernel_exponentials_rejects_bad_inputs(exponent, horizon, tol, message):
    with pytest.raises(ValueError, match=message):
        power_kernel_exponentials(exponent, horizon, tol=tol)


def test_power_kernel_exponentials_small_exponent():
    approximation = power_kernel_exponentials(0.01, 1e3, tol=1e-6)
    grid = np.linspace(0.0, 1e3, 1001)
    assert np.max(np.abs(approximation(grid) / (1.0 + grid) ** -0.01 - 1.0)) <= 1e-6


# FSLParams


def test_fsl_params_signal_and_kernel():
    times = np.array([0.0, 3.0, 9.0])
    np.testing.assert_allclose(PARAMS.signal(times), 1.3 * (1.0 + times / 3.0) ** -0.8)
    np.testing.assert_allclose(PARAMS.kernel(times), 0.7 * (1.0 + times / 3.0) ** -1.5)
    assert PARAMS.signal(0.0) == 1.3
    assert PARAMS.kernel(0.0) == 0.7


def test_fsl_params_defaults():
    params = FSLParams(source=0.5, capacity=3.0)
    assert (params.signal_scale, params.noise_scale, params.time_scale, params.noise_var) == (1.0, 1.0, 1.0, 0.0)


@pytest.mark.parametrize("changes, message", [
    ({"source": math.nan}, "FSLParams.source must be finite, got nan"),
    ({"capacity": math.inf}, "FSLParams.capacity must be finite, got inf"),
    ({"signal_scale": math.inf}, "FSLParams.signal_scale must be finite, got inf"),
    ({"noise_var": math.nan}, "FSLParams.noise_var must be finite, got nan"),
    ({"capacity": 1.0}, "capacity beta must be > 1, got 1.0"),
    ({"source": 0.0}, "source exponent must be > 0, got 0.0"),
    ({"signal_scale": 0.0}, "FSLParams.signal_scale must be > 0, got 0.0"),
    ({"noise_scale": -1.0}, "FSLParams.noise_scale must be > 0, got -1.0"),
    ({"time_scale": 0.0}, "FSLParams.time_scale must be > 0, got 0.0"),
    ({"noise_var": -0.1}, "noise_var must be >= 0, got -0.1"),
])
def test_fsl_params_rejects_bad_values(changes, message):
    values = {"source": 0.5, "capacity": 2.0, **changes}
    with pytest.raises(ValueError, match=message):
        FSLParams(**values)


# fsl_power_law


@pytest.mark.parametrize("batch", [1, 3])
def test_fsl_power_law_matches_written_out_sum(batch):
    lr = schedules.cosine(0.6, 40, warmup=5).values()
    expected = power_law_double_sum(lr, PARAMS, np.full(40, batch))
    for method in ("exponentials", "direct"):
        curve = fsl_power_law(lr, PARAMS, batch, method=method)
        np.testing.assert_allclose(curve.loss[0], expected, rtol=1e-6 if method == "exponentials" else 1e-13)
        np.testing.assert_allclose(curve.signal[0], PARAMS.signal(curve.intrinsic[0]), rtol=1e-15)
        np.testing.assert_allclose(curve.loss, curve.signal + curve.noise, rtol=1e-15)


def test_fsl_power_law_per_step_batch():
    lr = np.full(30, 0.4)
    batch = np.concatenate([np.full(15, 2), np.full(15, 8)])
    curve = fsl_power_law(lr, PARAMS, batch, method="direct")
    np.testing.assert_allclose(curve.loss[0], power_law_double_sum(lr, PARAMS, batch), rtol=1e-13)


@pytest.mark.parametrize("schedule", [schedules.cosine(0.5, 2000), schedules.step_decay(0.5, 2000),
                                      schedules.wsd(0.8, 2000, warmup=100)], ids=lambda s: s.name)
@pytest.mark.parametrize("batch", [4, 16])
def test_fsl_power_law_exponentials_match_direct(schedule, batch):
    fast = fsl_power_law(schedule, PARAMS, batch, record=50)
    direct = fsl_power_law(schedule, PARAMS, batch, record=50, method="direct")
    np.testing.assert_array_equal(fast.steps, direct.steps)
    np.testing.assert_allclose(fast.loss, direct.loss, rtol=1e-6)
    np.testing.assert_allclose(fast.noise[:, 1:], direct.noise[:, 1:], rtol=1e-6)
    np.testing.assert_array_equal(fast.signal, direct.signal)


def test_exponentials_match_direct_large_rates():
    # A short time scale makes rate * lr large, so the chunking that guards exp() from overflow is exercised.
    params = FSLParams(source=0.8, capacity=3.0, signal_scale=1.3, noise_scale=0.7, time_scale=0.01, noise_var=0.05)
    lr = np.concatenate([np.zeros(100), np.full(2800, 2.0), np.zeros(100)])
    fast = fsl_power_law(lr, params, 3, record=40)
    direct = fsl_power_law(lr, params, 3, record=40, method="direct")
    assert np.all(np.isfinite(fast.loss))
    np.testing.assert_allclose(fast.loss, direct.loss, rtol=1e-6)


def test_fsl_power_law_many_schedules_and_final():
    rates = np.stack([schedules.cosine(0.5, 300).values(), schedules.constant(0.2, 300).values()])
    together = fsl_power_law(rates, PARAMS, 2, record=12)
    assert together.loss.shape == (2, together.steps.size)
    for i in range(2):
        alone = fsl_power_law(rates[i], PARAMS, 2, record=12)
        # One exponential sum serves all schedules, fitted up to the longest horizon, so agreement is to tol.
        np.testing.assert_allclose(together.loss[i], alone.loss[0], rtol=1e-6)
    np.testing.assert_array_equal(together.final, together.loss[:, -1])
    np.testing.assert_allclose(together.intrinsic[1], 0.2 * together.steps, rtol=1e-12)


def test_fsl_power_law_zero_noise_and_zero_steps():
    params = FSLParams(source=0.5, capacity=2.0)
    curve = fsl_power_law(np.zeros(20), params, record=[0, 20])
    np.testing.assert_array_equal(curve.loss, [[1.0, 1.0]])
    np.testing.assert_array_equal(curve.noise, [[0.0, 0.0]])
    # Step 0 has no noise, whatever the schedule.
    assert fsl_power_law(np.full(10, 0.5), PARAMS).noise[0, 0] == 0.0


def test_fsl_power_law_rejects_bad_inputs():
    with pytest.raises(ValueError, match="unknown method 'exact'; use 'exponentials' or 'direct'"):
        fsl_power_law(np.full(10, 0.1), PARAMS, method="exact")
    with pytest.raises(ValueError, match="learning rates must be finite and >= 0"):
        fsl_power_law(np.array([0.1, -0.1]), PARAMS)
    with pytest.raises(ValueError, match="batch sizes must be >= 1"):
        fsl_power_law(np.full(10, 0.1), PARAMS, 0)
    with pytest.raises(ValueError, match=r"recorded steps must lie in \[0, 10\]"):
        fsl_power_law(np.full(10, 0.1), PARAMS, record=[11])
    with pytest.raises(ValueError, match=r"tol must lie in \[1e-12, 1\)"):
        fsl_power_law(np.full(10, 0.1), PARAMS, tol=2.0)


# fsl_spectral


@pytest.mark.parametrize("forcing", ["signal", "risk"])
def test_fsl_spectral_matches_written_out_sum(forcing):
    problem = power_law_problem(30, 2.0, 0.5, 0.1)
    lr = schedules.cosine(0.4, 40).values()
    curve = fsl_spectral(problem, lr, 2, forcing=forcing)
    np.testing.assert_allclose(curve.loss[0], spectral_double_sum(problem, lr, 2, forcing), rtol=1e-12)
    np.testing.assert_allclose(curve.signal[0], problem.signal(curve.intrinsic[0]), rtol=1e-12)


def test_fsl_spectral_risk_forcing_near_sgd():
    problem = power_law_problem(200, 2.0, 0.5, 0.1)
    lr = schedules.cosine(0.05, 1000).values()
    exact = sgd_risk(problem, lr, record=30).risk[0]
    predicted = fsl_spectral(problem, lr, record=30, forcing="risk").loss[0]
    assert np.max(np.abs(predicted / exact - 1.0)) < 0.02


def test_fsl_spectral_signal_forcing_worse_at_large_rate():
    # At batch 1 the FSL's exp(-2 eta lambda) matches SGD's contraction to second order, so the forcing
    # is the main error. At batch 4 and peak 0.5 the contraction error dominates and the ordering flips.
    problem = power_law_problem(200, 2.0, 0.5, 0.1)
    lr = schedules.cosine(0.5, 1000).values()
    exact = sgd_risk(problem, lr, record=30).risk[0]
    risk_error = np.max(np.abs(fsl_spectral(problem, lr, record=30, forcing="risk").loss[0] / exact - 1.0))
    signal_error = np.max(np.abs(fsl_spectral(problem, lr, record=30, forcing="signal").loss[0] / exact - 1.0))
    assert signal_error > 1.5 * risk_error
    assert signal_error > 0.1


def test_fsl_spectral_forcings_agree_at_tiny_rate():
    # With eta = 1e-4 and no label noise the noise term is about N eta^2 = 1e-6 of the loss, and the
    # forcings differ only through that term, so by about 1e-12.
    problem = power_law_problem(50, 2.0, 1.0, 0.0)
    lr = np.full(100, 1e-4)
    signal = fsl_spectral(problem, lr, forcing="signal")
    risk = fsl_spectral(problem, lr, forcing="risk")
    np.testing.assert_allclose(signal.loss, risk.loss, rtol=1e-10)
    np.testing.assert_allclose(signal.loss, signal.signal, rtol=1e-5)
    assert not np.array_equal(signal.loss, risk.loss)


def test_fsl_spectral_rejects_bad_inputs():
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="unknown forcing 'loss'; use 'signal' or 'risk'"):
        fsl_spectral(problem, np.full(10, 0.1), forcing="loss")
    with pytest.raises(ValueError, match="learning rates must be finite and >= 0"):
        fsl_spectral(problem, np.array([np.nan]))
    with pytest.raises(TypeError, match="batch sizes must be integers"):
        fsl_spectral(problem, np.full(10, 0.1), 2.5)


# fit_fsl

FIT_STEPS = np.unique(np.round(np.geomspace(1, 2000, 60)).astype(np.int64))
TRUE_PARAMS = FSLParams(source=0.6, capacity=2.5, signal_scale=1.4, noise_scale=0.5, time_scale=2.0, noise_var=0.2)


def generated_curve() -> tuple[np.ndarray, FSLCurve]:
    lr = schedules.wsd(0.5, 2000, decay_fraction=0.3).values()
    return lr, fsl_power_law(lr, TRUE_PARAMS, 2, record=FIT_STEPS)


@pytest.mark.parametrize("fixed", [{"capacity": 2.5, "noise_var": 0.2}, {"noise_var": 0.2}])
def test_fit_fsl_recovers_generating_params(fixed):
    lr, curve = generated_curve()
    fit = fit_fsl(lr, curve.steps, curve.loss[0], 2, fixed=fixed)
    assert fit.rms_log_error < 1e-4
    for name in ("source", "capacity", "signal_scale", "noise_scale", "time_scale", "noise_var"):
        assert getattr(fit.params, name) == pytest.approx(getattr(TRUE_PARAMS, name), rel=0.03), name
    for name, value in fixed.items():
        assert getattr(fit.params, name) == value


def test_fit_fsl_skips_step_zero_and_predicts():
    lr, curve = generated_curve()
    steps = np.concatenate([[0], curve.steps])
    loss = np.concatenate([[TRUE_PARAMS.signal_scale], curve.loss[0]])
    fit = fit_fsl(lr, steps, loss, 2, fixed={"capacity": 2.5, "noise_var": 0.2})
    assert isinstance(fit, FSLFit)
    assert fit.params.source == pytest.approx(0.6, rel=0.03)
    other = schedules.cosine(0.4, 1000)
    prediction = fit.predict(other, 4, record=10)
    np.testing.assert_array_equal(prediction.loss, fsl_power_law(other, fit.params, 4, record=10).loss)
    np.testing.assert_allclose(prediction.loss, fsl_power_law(other, TRUE_PARAMS, 4, record=10).loss, rtol=0.02)


def test_fit_fsl_uses_initial():
    lr, curve = generated_curve()
    fit = fit_fsl(lr, curve.steps, curve.loss[0], 2, fixed={"capacity": 2.5, "noise_var": 0.2, "time_scale": 2.0},
                  initial=FSLParams(source=1.0, capacity=2.0, signal_scale=2.0, noise_scale=2.0))
    assert fit.params.source == pytest.approx(0.6, rel=0.01)
    assert fit.params.time_scale == 2.0


def test_fit_fsl_rejects_bad_inputs():
    lr = np.full(100, 0.1)
    steps = np.array([1, 10, 50, 100])
    loss = np.array([1.0, 0.8, 0.5, 0.4])
    with pytest.raises(ValueError, match="fit_fsl fits one measured curve; pass one schedule"):
        fit_fsl(np.full((2, 100), 0.1), steps, loss)
    with pytest.raises(ValueError, match=r"steps and loss must be 1-D of equal length >= 4, got \(4,\) and \(3,\)"):
        fit_fsl(lr, steps, loss[:3])
    with pytest.raises(ValueError, match=r"steps and loss must be 1-D of equal length >= 4, got \(3,\) and \(3,\)"):
        fit_fsl(lr, steps[:3], loss[:3])
    with pytest.raises(ValueError, match=r"measured losses must be finite and > 0 \(the fit works in log space\)"):
        fit_fsl(lr, steps, np.array([1.0, 0.8, 0.0, 0.4]))
    with pytest.raises(ValueError, match="measured losses must be finite and > 0"):
        fit_fsl(lr, steps, np.array([1.0, np.nan, 0.5, 0.4]))
    with pytest.raises(ValueError, match=r"cannot fix \['gamma'\]; fixable constants are signal_scale, noise_scale"):
        fit_fsl(lr, steps, loss, fixed={"gamma": 1.5})
    everything = {"signal_scale": 1.0, "noise_scale": 1.0, "time_scale": 1.0, "noise_var": 0.1, "source": 0.5,
                  "capacity": 2.0}
    with pytest.raises(ValueError, match="every constant is fixed; nothing to fit"):
        fit_fsl(lr, steps, loss, fixed=everything)
    with pytest.raises(ValueError, match="capacity beta must be > 1, got 0.5"):
        fit_fsl(lr, steps, loss, fixed={"capacity": 0.5})
    with pytest.raises(ValueError, match=r"recorded steps must lie in \[0, 100\]"):
        fit_fsl(lr, np.array([1, 10, 50, 200]), loss)


def test_fit_fsl_sorts_steps_and_rejects_bad_steps():
    params = FSLParams(source=0.4, capacity=2.0, signal_scale=1.0, noise_scale=0.5, time_scale=1.0, noise_var=0.1)
    lr = schedules.eight_one_one(0.2, 400)
    curve = fsl_power_law(lr, params, record=30)
    fixed = {"capacity": 2.0, "noise_var": 0.1, "time_scale": 1.0}
    ordered = fit_fsl(lr, curve.steps, curve.loss[0], fixed=fixed)
    reversed_fit = fit_fsl(lr, curve.steps[::-1], curve.loss[0, ::-1], fixed=fixed)
    assert reversed_fit.params.source == pytest.approx(ordered.params.source, rel=1e-9)
    assert reversed_fit.rms_log_error == pytest.approx(ordered.rms_log_error, rel=1e-6, abs=1e-12)
    with pytest.raises(TypeError, match="steps must be integers, got dtype float64"):
        fit_fsl(lr, curve.steps.astype(float), curve.loss[0])
    duplicated = curve.steps.copy()
    duplicated[2] = duplicated[3]
    with pytest.raises(ValueError, match=f"steps must be distinct, got step {duplicated[3]} twice"):
        fit_fsl(lr, duplicated, curve.loss[0])
    with pytest.raises(TypeError, match="initial must be FSLParams, got dict"):
        fit_fsl(lr, curve.steps, curve.loss[0], initial={"source": 0.5})


def test_fit_fsl_reports_constants_on_bounds():
    params = FSLParams(source=0.4, capacity=2.0, signal_scale=1.0, noise_scale=0.5, time_scale=1.0, noise_var=0.1)
    lr = schedules.constant(0.2, 300)
    curve = fsl_power_law(lr, params, record=30)
    fit = fit_fsl(lr, curve.steps, curve.loss[0], fixed={"capacity": 2.0, "noise_var": 0.1, "time_scale": 1.0})
    assert fit.converged
    assert fit.at_bounds == ()
    boxed = fit_fsl(lr, curve.steps, curve.loss[0] * (1 + curve.steps) ** -3.0,
                    fixed={"signal_scale": 1.0, "noise_scale": 1e-9, "noise_var": 0.0, "time_scale": 1.0,
                           "capacity": 2.0})
    assert boxed.at_bounds == ("source",)


def test_fsl_power_law_huge_horizon():
    params = FSLParams(source=0.4, capacity=2.0, time_scale=1e-14)
    with pytest.raises(ValueError, match="time_scale=1e-14"):
        fsl_power_law(schedules.constant(1.0, 100), params)
