import math

import numpy as np
import pytest
from scipy import integrate

from lgcore import schedules
from lgcore.theory.optimal_schedule import (OptimalSchedule, PeakTuning, ScheduleObjective, continuum_schedule,
                                            decay_start, euler_lagrange_schedule, final_loss, loss_exponent,
                                            optimal_schedule, peak_lr_exponent, step_bins, tune_peak)

EASY = ScheduleObjective(source=1.0, capacity=2.0, noise=1e-2)
HARD = ScheduleObjective(source=0.25, capacity=2.0, noise=1e-2)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def finite_difference_gradient(objective: ScheduleObjective, lr: np.ndarray, steps: list[int],
                               h: float = 1e-6) -> np.ndarray:
    """Return the central-difference derivative of ``final_loss`` in ``lr[k]`` for each ``k`` in ``steps``."""
    gradient = []
    for k in steps:
        up, down = lr.copy(), lr.copy()
        up[k] += h
        down[k] -= h
        gradient.append((final_loss(objective, up) - final_loss(objective, down)) / (2 * h))
    return np.array(gradient)


# ScheduleObjective


def test_schedule_objective_gamma():
    assert EASY.gamma == 1.5
    assert ScheduleObjective(0.5, 4.0, 1.0).gamma == 1.75


@pytest.mark.parametrize("source, capacity, noise, message", [
    (1.0, 1.0, 0.1, "capacity beta must be > 1, got 1.0"),
    (1.0, math.nan, 0.1, "capacity beta must be > 1, got nan"),
    (0.0, 2.0, 0.1, "source exponent must be .*> 0, got 0.0"),
    (math.nan, 2.0, 0.1, "source exponent must be .*> 0, got nan"),
    (1.0, 2.0, 0.0, r"noise level must be > 0 \(with none, the best schedule is the largest rate\), got 0.0"),
    (1.0, 2.0, math.inf, "noise level must be > 0 .*got inf"),
])
def test_schedule_objective_rejects_bad_values(source, capacity, noise, message):
    with pytest.raises(ValueError, match=message):
        ScheduleObjective(source, capacity, noise)


# final_loss


def test_final_loss_by_hand():
    objective = ScheduleObjective(source=1.0, capacity=2.0, noise=0.1)
    # R_0 = 0.25, R_1 = 0, D = 0.75
    expected = 1.0 / 1.75 + 0.1 * (0.25 * 1.25**-1.5 + 0.0625)
    assert final_loss(objective, np.array([0.5, 0.25])) == pytest.approx(expected, rel=1e-15)
    assert final_loss(objective, np.zeros(5)) == 1.0


def test_final_loss_matches_loop():
    rng = np.random.default_rng(0)
    lr = rng.uniform(0.0, 1.0, 50)
    gamma = HARD.gamma
    noise = sum(lr[k] ** 2 * (1.0 + lr[k + 1:].sum()) ** -gamma for k in range(50))
    expected = (1.0 + lr.sum()) ** -HARD.source + HARD.noise * noise
    assert final_loss(HARD, lr) == pytest.approx(expected, rel=1e-13)


def test_final_loss_batched_shape():
    lr = np.stack([np.full(10, 0.1), np.full(10, 0.2)])
    losses = final_loss(EASY, np.broadcast_to(lr, (3, 2, 10)))
    assert losses.shape == (3, 2)
    assert losses[0, 1] == pytest.approx(float(final_loss(EASY, lr[1])), rel=1e-15)


@pytest.mark.parametrize("lr", [np.array(0.5), np.array([]), np.array([0.1, -0.1]), np.array([0.1, np.nan]),
                                np.array([np.inf])])
def test_final_loss_rejects_bad_rates(lr):
    with pytest.raises(ValueError, match="learning rates must be a non-empty array of finite values >= 0"):
        final_loss(EASY, lr)


# step_bins


@pytest.mark.parametrize("total_steps, n_bins", [(10, 3), (100, 20), (1000, 400), (5000, 50), (7, 2), (1000, 4)])
def test_step_bins_cover_steps_finer_at_end(total_steps, n_bins):
    counts = step_bins(total_steps, n_bins)
    assert counts.sum() == total_steps
    assert counts.size <= n_bins
    assert np.all(counts >= 1)
    assert counts[-1] == 1
    # The last n_bins // 4 bins are single steps.
    assert np.all(counts[-max(n_bins // 4, 1):] == 1)
    assert counts[0] == counts.max()


@pytest.mark.parametrize("total_steps, n_bins", [(1, 1), (5, 5), (500, 500), (500, 1000)])
def test_step_bins_too_many_bins(total_steps, n_bins):
    np.testing.assert_array_equal(step_bins(total_steps, n_bins), np.ones(total_steps, dtype=np.int64))


def test_step_bins_single_bin_covers_all_steps():
    np.testing.assert_array_equal(step_bins(100, 1), [100])


@pytest.mark.parametrize("total_steps, n_bins, message", [
    (0, 10, "total_steps must be a positive integer, got 0"),
    (10.0, 10, "total_steps must be a positive integer, got 10.0"),
    (True, 10, "total_steps must be a positive integer, got True"),
    (10, 0, "n_bins must be a positive integer, got 0"),
    (10, 2.5, "n_bins must be a positive integer, got 2.5"),
    (10, False, "n_bins must be a positive integer, got False"),
])
def test_step_bins_rejects_bad_inputs(total_steps, n_bins, message):
    with pytest.raises(ValueError, match=message):
        step_bins(total_steps, n_bins)


# optimal_schedule


@pytest.mark.parametrize("objective", [EASY, HARD], ids=["easy", "hard"])
def test_optimal_schedule_loss_matches_final_loss(objective):
    for total_steps, n_bins in [(300, 300), (2000, 50), (5000, 400)]:
        result = optimal_schedule(objective, total_steps, 0.8, n_bins=n_bins)
        # The Hurwitz-zeta sums per bin must equal the per-step sum.
        assert result.loss == pytest.approx(float(final_loss(objective, result.values())), rel=1e-12)
        assert result.values().size == total_steps
        np.testing.assert_array_equal(result.counts, step_bins(total_steps, n_bins))
        assert np.all(result.bin_lr <= 0.8 * (1 + 1e-12))
        assert result.peak == result.bin_lr.max()
        assert result.lr_max == 0.8


@pytest.mark.parametrize("objective, name", [(EASY, "easy"), (HARD, "hard")])
def test_optimal_schedule_matches_euler_lagrange(objective, name):
    total_steps = 500
    numerical = optimal_schedule(objective, total_steps, 1.0, n_bins=total_steps).values()
    exact = euler_lagrange_schedule(objective, total_steps, 1.0)
    assert np.linalg.norm(numerical - exact) / np.linalg.norm(exact) < 1e-4, name
    assert final_loss(objective, numerical) == pytest.approx(float(final_loss(objective, exact)), rel=1e-9)


def test_optimal_schedule_hard_case_has_stable_phase():
    total_steps = 500
    numerical = optimal_schedule(HARD, total_steps, 1.0, n_bins=total_steps).values()
    exact = euler_lagrange_schedule(HARD, total_steps, 1.0)
    for schedule in (numerical, exact):
        start = decay_start(schedule, 1.0)
        assert start > total_steps // 2
        np.testing.assert_allclose(schedule[:start], 1.0, rtol=1e-3)
        assert np.all(np.diff(schedule[start - 1:]) <= 1e-12)


def test_optimal_schedule_beats_common_schedules():
    total_steps = 1000
    result = optimal_schedule(EASY, total_steps, 1.0)
    for other in (schedules.constant(1.0, total_steps), schedules.cosine(1.0, total_steps),
                  schedules.wsd(1.0, total_steps), schedules.linear(0.5, total_steps)):
        assert result.loss < final_loss(EASY, other.values())


def test_optimal_schedule_from_initial():
    default = optimal_schedule(EASY, 300, 0.8, n_bins=10)
    started = optimal_schedule(EASY, 300, 0.8, n_bins=10, initial=np.full(10, 5.0))
    assert started.loss == pytest.approx(default.loss, rel=1e-9)
    np.testing.assert_allclose(started.bin_lr, default.bin_lr, rtol=1e-4)


def test_optimal_schedule_values_repeat_bins():
    result = OptimalSchedule(np.array([3, 1]), np.array([0.5, 0.1]), 0.0, 1.0)
    np.testing.assert_array_equal(result.values(), [0.5, 0.5, 0.5, 0.1])
    assert result.peak == 0.5


def test_optimal_schedule_rejects_bad_inputs():
    with pytest.raises(ValueError, match="total_steps must be a positive integer, got 0"):
        optimal_schedule(EASY, 0, 1.0)
    with pytest.raises(ValueError, match="lr_max must be finite and > 0, got 0.0"):
        optimal_schedule(EASY, 100, 0.0)
    with pytest.raises(ValueError, match="lr_max must be finite and > 0, got inf"):
        optimal_schedule(EASY, 100, math.inf)
    with pytest.raises(ValueError, match="n_bins must be a positive integer, got 0"):
        optimal_schedule(EASY, 100, 1.0, n_bins=0)
    with pytest.raises(ValueError, match="initial must contain 10 finite positive learning rates, one per bin"):
        optimal_schedule(EASY, 300, 1.0, n_bins=10, initial=np.full(9, 0.1))
    with pytest.raises(ValueError, match="initial must contain 10 finite positive learning rates, got 0.0 at bin 9"):
        optimal_schedule(EASY, 300, 1.0, n_bins=10, initial=np.concatenate([np.full(9, 0.1), [0.0]]))


# euler_lagrange_schedule


@pytest.mark.parametrize("objective", [EASY, HARD], ids=["easy", "hard"])
def test_euler_lagrange_schedule_is_stationary(objective):
    total_steps = 500
    lr = euler_lagrange_schedule(objective, total_steps, 1.0)
    start = decay_start(lr, 1.0)
    interior = [start + 1, (start + total_steps) // 2, total_steps - 10, total_steps - 1]
    gradient = finite_difference_gradient(objective, lr, interior)
    # At the clipped steps the gradient is negative, because a larger rate would lower the loss.
    # Its size is the scale against which the interior gradient must vanish.
    clipped = finite_difference_gradient(objective, lr, [0, start - 1])
    assert np.all(clipped < 0)
    scale = np.max(np.abs(clipped))
    assert np.all(np.abs(gradient) < 1e-5 * scale), gradient / scale
    # A perturbed schedule is not stationary, so the check above can fail.
    perturbed = finite_difference_gradient(objective, lr * 1.01, interior)
    assert np.max(np.abs(perturbed)) > 1e-2 * scale


def test_euler_lagrange_schedule_decays_and_respects_lr_max():
    lr = euler_lagrange_schedule(EASY, 400, 0.7)
    assert lr.shape == (400,)
    assert lr.max() == 0.7
    assert np.all(lr > 0)
    assert np.all(np.diff(lr) <= 1e-15)


def test_euler_lagrange_schedule_constant_when_noise_tiny():
    objective = ScheduleObjective(1.0, 2.0, 1e-9)
    lr = euler_lagrange_schedule(objective, 50, 0.5)
    np.testing.assert_array_equal(lr, np.full(50, 0.5))
    # Raising the last rate would still lower the loss, so the constant schedule is the constrained optimum.
    assert finite_difference_gradient(objective, lr, [49])[0] < 0


def test_euler_lagrange_schedule_rejects_bad_inputs():
    with pytest.raises(ValueError, match="total_steps must be a positive integer, got -5"):
        euler_lagrange_schedule(EASY, -5, 1.0)
    with pytest.raises(ValueError, match="lr_max must be finite and > 0, got -1.0"):
        euler_lagrange_schedule(EASY, 100, -1.0)


# continuum_schedule


@pytest.mark.parametrize("capacity", [1.5, 2.0, 4.0])
def test_continuum_schedule_power_decay(capacity):
    objective = ScheduleObjective(1.0, capacity, 1e-2)
    mu = 1e-6
    remaining = np.array([0.0, 10.0, 1e3, 1e6, 1e7])
    lr = continuum_schedule(objective, remaining, 1e30, mu)
    root = math.sqrt(mu)
    # eta = sqrt(mu) (1 + sqrt(mu) n / (2 beta))^(2 beta - 1), so this power of eta is linear in n.
    np.testing.assert_allclose((lr / root) ** (1.0 / (2 * capacity - 1)) - 1.0, root * remaining / (2 * capacity),
                               rtol=1e-10, atol=1e-15)
    # Far from the end, doubling the remaining steps multiplies the rate by 2^(2 beta - 1).
    ratio = continuum_schedule(objective, 2e8, 1e30, mu) / continuum_schedule(objective, 1e8, 1e30, mu)
    assert ratio == pytest.approx(2.0 ** (2 * capacity - 1), rel=1e-3)


def test_continuum_schedule_solves_euler_lagrange():
    # eta^2 (1 + R)^-gamma = mu with R(n) the intrinsic time left after n remaining steps.
    mu = 1e-4
    for n in (5.0, 300.0, 2000.0):
        after, _ = integrate.quad(lambda x: float(continuum_schedule(EASY, x, 1e30, mu)), 0.0, n, epsabs=0,
                                  epsrel=1e-12)
        eta = float(continuum_schedule(EASY, n, 1e30, mu))
        assert eta**2 * (1.0 + after) ** -EASY.gamma == pytest.approx(mu, rel=1e-9)


def test_continuum_schedule_clipped_at_lr_max():
    remaining = np.arange(0, 5000, 50)
    lr = continuum_schedule(EASY, remaining, 0.3, 1e-4)
    unclipped = continuum_schedule(EASY, remaining, 1e30, 1e-4)
    np.testing.assert_array_equal(lr, np.minimum(unclipped, 0.3))
    assert lr[-1] == 0.3
    assert lr[0] == pytest.approx(0.01)


def test_continuum_schedule_rejects_bad_inputs():
    for mu in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match=f"mu must be finite and > 0, got {mu}"):
            continuum_schedule(EASY, np.arange(5), 1.0, mu)
    with pytest.raises(ValueError, match="lr_max must be finite and > 0, got 0.0"):
        continuum_schedule(EASY, np.arange(5), 0.0, 1e-4)


# tune_peak


def test_tune_peak_finds_known_minimum():
    result = tune_peak(lambda peak: (math.log(peak) - math.log(0.03)) ** 2 + 1.0, 1e-4, 10.0)
    assert isinstance(result, PeakTuning)
    assert result.peak == pytest.approx(0.03, rel=1e-3)
    assert result.loss == pytest.approx(1.0, abs=1e-8)


def test_tune_peak_avoids_local_minimum():
    # Local minimum 0.1 at exp(-4.8), global minimum 0 at exp(1.5). Brent's method on the whole range
    # starts at its golden-section point, log peak = -4.81, and stays in the local basin.
    def loss(peak: float) -> float:
        return min(0.2 * (math.log(peak) + 4.8) ** 2 + 0.1, 2.0 * (math.log(peak) - 1.5) ** 2)

    result = tune_peak(loss, 1e-4, 10.0)
    assert result.peak == pytest.approx(math.exp(1.5), rel=1e-3)
    assert result.loss < 1e-6


def test_tune_peak_edge_and_nan_losses():
    assert tune_peak(lambda peak: -peak, 1e-4, 10.0).peak == pytest.approx(10.0, rel=1e-3)
    # The search skips nan losses, which is how callers report diverged runs.
    result = tune_peak(lambda peak: math.nan if peak > 1.0 else (math.log(peak) - math.log(0.5)) ** 2, 1e-4, 10.0)
    assert result.peak == pytest.approx(0.5, rel=1e-3)


def test_tune_peak_on_fsl_objective():
    shape = schedules.cosine(1.0, 1000).values()
    result = tune_peak(lambda peak: float(final_loss(EASY, peak * shape)), 1e-3, 10.0)
    for factor in (0.9, 1.1):
        assert result.loss < final_loss(EASY, factor * result.peak * shape)


@pytest.mark.parametrize("lr_min, lr_max", [(0.0, 1.0), (-1.0, 1.0), (1.0, 1.0), (2.0, 1.0), (1e-3, math.inf),
                                            (math.nan, 1.0)])
def test_tune_peak_rejects_bad_range(lr_min, lr_max):
    with pytest.raises(ValueError, match=f"need 0 < lr_min < lr_max, got lr_min={lr_min}, lr_max={lr_max}"):
        tune_peak(lambda peak: peak, lr_min, lr_max)


# decay_start


def test_decay_start_cases():
    assert decay_start(np.array([1.0, 1.0, 1.0, 0.5, 0.2]), 1.0) == 3
    assert decay_start(np.array([0.5, 0.2]), 1.0) == 0
    assert decay_start(np.full(4, 2.0), 2.0) == 4
    # The last step at the maximum counts, even after an earlier dip.
    assert decay_start(np.array([1.0, 0.5, 1.0, 0.5]), 1.0) == 3
    assert decay_start(np.array([1.0, 0.9995, 0.99]), 1.0) == 2
    assert decay_start(np.array([1.0, 0.9995, 0.99]), 1.0, tolerance=1e-5) == 1
    assert decay_start(np.array([1.0, 0.9995, 0.99]), 1.0, tolerance=0.02) == 3


def test_decay_start_of_wsd():
    schedule = schedules.wsd(1.0, 100, decay_fraction=0.2)
    assert decay_start(schedule.values(), 1.0) == schedule.decay_start + 1


def test_decay_start_rejects_bad_lr_max():
    with pytest.raises(ValueError, match="lr_max"):
        decay_start(np.array([0.5, 0.2]), 0.0)


# peak_lr_exponent and loss_exponent


@pytest.mark.parametrize("source, capacity, expected", [
    (1.0, 2.0, 1 / 3), (2.0, 2.0, 3 / 5), (1.0, 4.0, 1 / 5), (0.75, 4.0, 0.0), (0.25, 2.0, 0.0), (0.5, 3.0, 0.0),
])
def test_peak_lr_exponent_closed_form(source, capacity, expected):
    assert peak_lr_exponent(source, capacity) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("source, capacity, decay_exponent, expected", [
    (1.0, 2.0, None, 2 / 3), (2.0, 2.0, None, 4 / 5), (0.25, 2.0, None, 0.25), (0.5, 3.0, None, 0.5),
    (1.0, 5.0, 1.0, 2 / 3), (1.0, 5.0, 2.0, 3 / 4), (1.0, 2.0, 3.0, 2 / 3), (0.6, 5.0, 1.0, 0.6 * 2 / 2.2),
    (0.4, 5.0, 1.0, 0.4),
])
def test_loss_exponent_closed_form(source, capacity, decay_exponent, expected):
    assert loss_exponent(source, capacity, decay_exponent) == pytest.approx(expected, abs=1e-15)


def test_peak_lr_exponent_matches_optimal_schedules():
    # lr_max is large enough not to bind, so the free optimum's peak scales as N^-nu.
    peaks = [optimal_schedule(EASY, n, 1e3, n_bins=200).peak for n in (8000, 64000)]
    measured = -math.log(peaks[1] / peaks[0]) / math.log(8)
    assert measured == pytest.approx(peak_lr_exponent(1.0, 2.0), abs=0.02)


def test_loss_exponent_matches_optimal_schedules_hard():
    losses = [optimal_schedule(HARD, n, 1.0, n_bins=200).loss for n in (8000, 64000)]
    measured = -math.log(losses[1] / losses[0]) / math.log(8)
    assert measured == pytest.approx(loss_exponent(0.25, 2.0), abs=0.01)


def test_loss_exponent_saturates_for_fixed_shape():
    # A linear decay with a tuned peak, beta = 5: the rate is that of beta = 2 (2/3), not 5/6.
    objective = ScheduleObjective(1.0, 5.0, 1e-2)
    losses = []
    for n in (10**4, 10**5):
        shape = 1.0 - np.arange(n) / n
        losses.append(tune_peak(lambda peak: float(final_loss(objective, peak * shape)), 1e-4, 1e2).loss)
    measured = -math.log(losses[1] / losses[0]) / math.log(10)
    assert measured == pytest.approx(loss_exponent(1.0, 5.0, 1.0), abs=0.02)
    assert measured < loss_exponent(1.0, 5.0) - 0.1


@pytest.mark.parametrize("function", [peak_lr_exponent, loss_exponent])
def test_exponents_reject_bad_inputs(function):
    with pytest.raises(ValueError, match="capacity beta must be > 1, got 1.0"):
        function(1.0, 1.0)
    with pytest.raises(ValueError, match="source exponent must be .*> 0, got 0.0"):
        function(0.0, 2.0)


@pytest.mark.parametrize("decay_exponent", [0.0, -1.0, math.nan, math.inf])
def test_loss_exponent_rejects_bad_decay_exponent(decay_exponent):
    with pytest.raises(ValueError, match=f"decay_exponent must be > 0, got {decay_exponent}"):
        loss_exponent(1.0, 2.0, decay_exponent)


@pytest.mark.parametrize("function", [peak_lr_exponent, loss_exponent])
def test_exponents_reject_nan_source(function):
    with pytest.raises(ValueError, match="source exponent"):
        function(math.nan, 2.0)


def test_optimal_schedule_rejects_nan_initial():
    objective = ScheduleObjective(1.0, 2.0, 1e-2)
    with pytest.raises(ValueError, match="initial must contain 10 finite positive learning rates"):
        optimal_schedule(objective, 10, 1.0, n_bins=10, initial=np.full(10, np.nan))
