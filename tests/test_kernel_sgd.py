import math

import numpy as np
import pytest
import torch

from lgcore import schedules
from lgcore.theory.kernel_sgd import (MonteCarloCurve, Problem, as_batch_matrix, as_schedule_matrix, intrinsic_time,
                                      power_law_problem, prepare_runs, record_steps, regime, sgd_monte_carlo, sgd_risk,
                                      strongly_convex_problem, zipf_problem)
from lgcore.train import DivergenceError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def one_direction_risk(eigenvalue: float, start: float, noise_var: float, lr: float, batch: int,
                       n_steps: int) -> np.ndarray:
    """Return the closed-form risk ``lambda c_k``, k = 0 .. n_steps, of constant-rate SGD on one direction.

    With one eigenvalue ``R = lambda c``, so the recursion is affine in ``c``:
    ``c' = rho c + eta^2 lambda sigma^2 / b`` with
    ``rho = 1 - 2 eta lambda + (1 + 2/b) eta^2 lambda^2``.
    """
    rho = 1.0 - 2.0 * lr * eigenvalue + (1.0 + 2.0 / batch) * lr**2 * eigenvalue**2
    fixed_point = lr**2 * eigenvalue * noise_var / (batch * (1.0 - rho))
    k = np.arange(n_steps + 1)
    return eigenvalue * (rho**k * (start - fixed_point) + fixed_point)


# sgd_risk


@pytest.mark.parametrize("lr, batch", [(0.1, 1), (0.5, 4), (1.2, 3), (0.05, 16), (2.0, 8)])
def test_sgd_risk_one_direction_closed_form(lr, batch):
    problem = Problem(np.array([0.7]), np.array([2.0]), 0.3)
    curve = sgd_risk(problem, np.full(200, lr), batch)
    expected = one_direction_risk(0.7, 2.0, 0.3, lr, batch, 200)
    np.testing.assert_allclose(curve.risk[0], expected, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(curve.steps, np.arange(201))


def test_sgd_risk_per_step_batch_closed_form():
    # Batch 2 for 50 steps, then batch 5. The second phase starts from the first phase's end.
    problem = Problem(np.array([0.7]), np.array([2.0]), 0.3)
    batch = np.concatenate([np.full(50, 2), np.full(50, 5)])
    curve = sgd_risk(problem, np.full(100, 0.4), batch)
    first = one_direction_risk(0.7, 2.0, 0.3, 0.4, 2, 50)
    second = one_direction_risk(0.7, first[-1] / 0.7, 0.3, 0.4, 5, 50)
    np.testing.assert_allclose(curve.risk[0], np.concatenate([first, second[1:]]), rtol=1e-12, atol=0)


def test_sgd_risk_noiseless_is_geometric():
    problem = Problem(np.array([0.5]), np.array([4.0]), 0.0)
    curve = sgd_risk(problem, np.full(30, 0.2), record=[0, 10, 30])
    rho = 1.0 - 2.0 * 0.1 + 3.0 * 0.01       # b = 1: 1 - 2 eta lambda + 3 eta^2 lambda^2 with eta lambda = 0.1
    np.testing.assert_allclose(curve.risk[0], 2.0 * rho ** np.array([0, 10, 30]), rtol=1e-13)


def test_sgd_risk_matches_two_direction_recursion():
    # A hand-written loop of the module's recursion with the cross-term R = sum_j lambda_j c_j.
    eigenvalues, target_sq, noise_var, lr, batch = np.array([1.0, 0.1]), np.array([0.5, 3.0]), 0.2, 0.3, 2
    c = target_sq.copy()
    expected = [float(eigenvalues @ c)]
    for _ in range(40):
        risk = eigenvalues @ c
        c = (1 - 2 * lr * eigenvalues + (1 + 1 / batch) * lr**2 * eigenvalues**2) * c \
            + lr**2 / batch * eigenvalues * (risk + noise_var)
        expected.append(float(eigenvalues @ c))
    curve = sgd_risk(Problem(eigenvalues, target_sq, noise_var), np.full(40, lr), batch)
    np.testing.assert_allclose(curve.risk[0], expected, rtol=1e-12)


def test_sgd_risk_many_schedules_equal_separate_calls():
    problem = power_law_problem(60, 2.0, 0.7, 0.05)
    n_steps = 300
    rates = [schedules.cosine(0.4, n_steps).values(), schedules.wsd(0.6, n_steps).values(),
             schedules.constant(0.3, n_steps).values()]
    batch = np.array([[1], [4], [2]])
    together = sgd_risk(problem, np.stack(rates), batch, record=20)
    assert together.risk.shape == (3, together.steps.size)
    for i, lr in enumerate(rates):
        alone = sgd_risk(problem, lr, int(batch[i, 0]), record=20)
        np.testing.assert_array_equal(alone.steps, together.steps)
        # Batched matrix products round differently from single-row ones, so equality is to rounding.
        np.testing.assert_allclose(together.risk[i], alone.risk[0], rtol=1e-12, atol=0)
        np.testing.assert_allclose(together.intrinsic[i], alone.intrinsic[0], rtol=1e-15)


def test_sgd_risk_accepts_schedule_objects():
    problem = power_law_problem(30, 2.0, 1.0, 0.01)
    cosine = schedules.cosine(0.5, 100)
    linear = schedules.linear(0.5, 100)
    from_objects = sgd_risk(problem, [cosine, linear], record=10)
    from_arrays = sgd_risk(problem, np.stack([cosine.values(), linear.values()]), record=10)
    np.testing.assert_array_equal(from_objects.risk, from_arrays.risk)
    np.testing.assert_allclose(sgd_risk(problem, cosine, record=10).risk[0], from_arrays.risk[0], rtol=1e-12)


def test_sgd_risk_zero_padding_changes_nothing():
    problem = power_law_problem(40, 2.0, 0.5, 0.02)
    short = schedules.cosine(0.5, 100).values()
    padded = np.concatenate([short, np.zeros(60)])
    reference = sgd_risk(problem, short)
    curve = sgd_risk(problem, padded)
    np.testing.assert_array_equal(curve.risk[0, :101], reference.risk[0])
    np.testing.assert_array_equal(curve.risk[0, 101:], np.full(60, reference.final[0]))
    np.testing.assert_array_equal(curve.intrinsic[0, 101:], np.full(60, reference.intrinsic[0, -1]))


def test_sgd_risk_zero_steps_inside_change_nothing():
    problem = power_law_problem(40, 2.0, 0.5, 0.02)
    lr = schedules.linear(0.5, 50).values()
    with_pauses = np.concatenate([lr[:20], np.zeros(7), lr[20:]])
    reference = sgd_risk(problem, lr)
    curve = sgd_risk(problem, with_pauses)
    np.testing.assert_array_equal(curve.risk[0, 20:28], np.full(8, reference.risk[0, 20]))
    np.testing.assert_array_equal(curve.risk[0, 27:], reference.risk[0, 20:])


def test_sgd_risk_padded_schedules_share_call():
    problem = power_law_problem(40, 2.0, 0.5, 0.02)
    short = schedules.cosine(0.5, 80).values()
    long = schedules.cosine(0.5, 120).values()
    together = sgd_risk(problem, np.stack([np.concatenate([short, np.zeros(40)]), long]))
    assert together.final[0] == pytest.approx(sgd_risk(problem, short).final[0], rel=1e-12)
    assert together.final[1] == pytest.approx(sgd_risk(problem, long).final[0], rel=1e-12)


def test_sgd_risk_divergence_raises():
    problem = power_law_problem(50, 2.0, 1.0, 0.01)
    rates = np.stack([np.full(300, 0.5), np.full(300, 5.0)])
    with pytest.raises(DivergenceError, match=r"schedule 1 diverged by step \d+ .*lower its learning rate \(max 5\)"):
        sgd_risk(problem, rates)


def test_sgd_risk_divergence_raises_at_final_record():
    # Only recorded steps are checked, so a schedule that overflows in between is caught at the next record.
    problem = power_law_problem(50, 2.0, 1.0, 0.01)
    with pytest.raises(DivergenceError, match="schedule 0 diverged by step 300"):
        sgd_risk(problem, np.full(300, 100.0), record=[0, 300])


@pytest.mark.parametrize("record", [None, 10, [0, 300]])
def test_sgd_risk_divergence_inf_keeps_other_schedules(record):
    problem = power_law_problem(50, 2.0, 1.0, 0.01)
    stable = schedules.cosine(0.5, 300).values()
    rates = np.stack([stable, np.full(300, 5.0), np.full(300, 100.0)])
    curve = sgd_risk(problem, rates, record=record, on_divergence="inf")
    alone = sgd_risk(problem, stable, record=record)

    np.testing.assert_allclose(curve.risk[0], alone.risk[0], rtol=1e-12, atol=0)
    for diverged in (1, 2):
        assert curve.risk[diverged, 0] == pytest.approx(problem.initial_risk)
        assert np.isinf(curve.risk[diverged, -1])
        # Once inf, a diverged schedule stays inf.
        first_inf = int(np.argmax(np.isinf(curve.risk[diverged])))
        assert np.all(np.isinf(curve.risk[diverged, first_inf:]))
        assert np.all(np.isfinite(curve.risk[diverged, :first_inf]))


def test_sgd_risk_inf_finite_before_blowup():
    problem = power_law_problem(50, 2.0, 1.0, 0.01)
    curve = sgd_risk(problem, np.full(300, 5.0), on_divergence="inf")
    assert np.isfinite(curve.risk[0, 1])
    assert curve.risk[0, 1] > problem.initial_risk
    assert np.isinf(curve.final[0])


def test_sgd_risk_rejects_bad_on_divergence():
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="on_divergence must be 'raise' or 'inf', got 'nan'"):
        sgd_risk(problem, np.full(5, 0.1), on_divergence="nan")


@pytest.mark.parametrize("lr, message", [
    (np.array([0.1, -0.1]), "learning rates must be finite and >= 0"),
    (np.array([0.1, np.nan]), "learning rates must be finite and >= 0"),
    (np.array([0.1, np.inf]), "learning rates must be finite and >= 0"),
    (np.zeros((2, 0)), r"learning rates must be \[steps\] or \[schedules, steps\] with steps >= 1, got \(2, 0\)"),
    (np.zeros((2, 3, 4)), r"learning rates must be \[steps\] or \[schedules, steps\].*got \(2, 3, 4\)"),
])
def test_sgd_risk_rejects_bad_learning_rates(lr, message):
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=message):
        sgd_risk(problem, lr)


@pytest.mark.parametrize("batch, error, message", [
    (0, ValueError, "batch sizes must be >= 1, got minimum 0"),
    (np.array([1, 2, -3, 1, 1]), ValueError, "batch sizes must be >= 1, got minimum -3"),
    (1.5, TypeError, "batch sizes must be integers, got float64"),
    (np.nan, TypeError, "batch sizes must be integers"),
    (np.array([1, 2, 3]), ValueError, r"batch sizes of shape \(3,\) do not match the schedules' shape \(1, 5\)"),
])
def test_sgd_risk_rejects_bad_batch(batch, error, message):
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(error, match=message):
        sgd_risk(problem, np.full(5, 0.1), batch)


def test_sgd_risk_accepts_whole_float_batch():
    problem = power_law_problem(10, 2.0, 1.0, 0.1)
    np.testing.assert_array_equal(sgd_risk(problem, np.full(5, 0.1), 4.0).risk,
                                  sgd_risk(problem, np.full(5, 0.1), 4).risk)


def test_sgd_risk_record_int_none_and_array():
    problem = power_law_problem(20, 2.0, 1.0, 0.01)
    lr = np.full(100, 0.3)
    every = sgd_risk(problem, lr)
    assert every.risk.shape == (1, 101)

    geometric = sgd_risk(problem, lr, record=5)
    np.testing.assert_array_equal(geometric.steps, [0, 1, 5, 22, 100])
    np.testing.assert_array_equal(geometric.risk[0], every.risk[0, geometric.steps])
    np.testing.assert_allclose(geometric.intrinsic[0], 0.3 * geometric.steps, rtol=1e-14)

    chosen = sgd_risk(problem, lr, record=np.array([50, 0, 7, 50]))
    np.testing.assert_array_equal(chosen.steps, [0, 7, 50])
    np.testing.assert_array_equal(chosen.risk[0], every.risk[0, [0, 7, 50]])


@pytest.mark.parametrize("record, message", [
    (1, "record=1: ask for at least 2 recorded points"),
    (0, "record=0: ask for at least 2 recorded points"),
    ([], r"recorded steps must lie in \[0, 10\]"),
    ([-1, 5], r"recorded steps must lie in \[0, 10\]"),
    ([0, 11], r"recorded steps must lie in \[0, 10\]"),
])
def test_sgd_risk_rejects_bad_record(record, message):
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=message):
        sgd_risk(problem, np.full(10, 0.1), record=record)


def test_sgd_risk_on_explicit_cpu_device():
    problem = power_law_problem(20, 2.0, 1.0, 0.01)
    lr = np.full(50, 0.3)
    np.testing.assert_array_equal(sgd_risk(problem, lr, device="cpu").risk, sgd_risk(problem, lr).risk)


# record_steps, intrinsic_time, as_schedule_matrix, as_batch_matrix


def test_record_steps_int_is_geometric_with_ends():
    np.testing.assert_array_equal(record_steps(100, 5), [0, 1, 5, 22, 100])
    np.testing.assert_array_equal(record_steps(100, np.int64(3)), [0, 1, 100])
    # Rounding merges duplicate step counts, so there can be fewer than requested.
    np.testing.assert_array_equal(record_steps(10, 30), np.arange(11))


def test_record_steps_two_records_final_step():
    np.testing.assert_array_equal(record_steps(100, 2), [0, 100])


def test_record_steps_none_and_array():
    np.testing.assert_array_equal(record_steps(4, None), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(record_steps(9, [9, 3, 3, 0]), [0, 3, 9])


def test_intrinsic_time_one_and_many_schedules():
    np.testing.assert_allclose(intrinsic_time(np.array([0.5, 0.25, 0.0, 1.0])), [0.0, 0.5, 0.75, 0.75, 1.75])
    times = intrinsic_time(np.array([[1.0, 2.0], [0.0, 3.0]]))
    np.testing.assert_array_equal(times, [[0.0, 1.0, 3.0], [0.0, 0.0, 3.0]])
    assert intrinsic_time(np.ones((2, 3, 4))).shape == (2, 3, 5)


def test_as_schedule_matrix_shapes():
    assert as_schedule_matrix([0.1, 0.2]).shape == (1, 2)
    assert as_schedule_matrix(np.ones((3, 4))).shape == (3, 4)
    assert as_schedule_matrix(schedules.constant(0.1, 7)).shape == (1, 7)
    assert as_schedule_matrix(np.array([1, 2])).dtype == np.float64


def test_as_batch_matrix_broadcasts():
    np.testing.assert_array_equal(as_batch_matrix(3, (2, 4)), np.full((2, 4), 3.0))
    np.testing.assert_array_equal(as_batch_matrix(np.array([[1], [5]]), (2, 3)), [[1, 1, 1], [5, 5, 5]])
    np.testing.assert_array_equal(as_batch_matrix(np.array([1, 2, 3]), (2, 3)), [[1, 2, 3], [1, 2, 3]])


# Problem and its constructors


@pytest.mark.parametrize("eigenvalues, target_sq, noise_var, message", [
    (np.array([]), np.array([]), 0.0, r"eigenvalues must be a non-empty 1-D array, got shape \(0,\)"),
    (np.ones((2, 2)), np.ones((2, 2)), 0.0, r"eigenvalues must be a non-empty 1-D array, got shape \(2, 2\)"),
    (np.ones(3), np.ones(2), 0.0, r"target_sq has shape \(2,\) but eigenvalues has \(3,\)"),
    (np.array([1.0, 0.0]), np.ones(2), 0.0, "eigenvalues must be finite and positive"),
    (np.array([1.0, -0.5]), np.ones(2), 0.0, "eigenvalues must be finite and positive"),
    (np.array([1.0, np.inf]), np.ones(2), 0.0, "eigenvalues must be finite and positive"),
    (np.ones(2), np.array([1.0, -1.0]), 0.0, "target_sq contains squared coefficients, so it must be finite and non-negative"),
    (np.ones(2), np.array([1.0, np.nan]), 0.0, "target_sq contains squared coefficients, so it must be finite and non-negative"),
    (np.ones(2), np.ones(2), -0.1, "noise_var must be finite and >= 0, got -0.1"),
    (np.ones(2), np.ones(2), math.inf, "noise_var must be finite and >= 0, got inf"),
])
def test_problem_rejects_bad_inputs(eigenvalues, target_sq, noise_var, message):
    with pytest.raises(ValueError, match=message):
        Problem(eigenvalues, target_sq, noise_var)


def test_problem_converts_and_derives():
    problem = Problem([2.0, 0.5], [1.0, 4.0], 1)
    assert problem.eigenvalues.dtype == np.float64
    assert isinstance(problem.noise_var, float)
    assert problem.dim == 2
    assert problem.initial_risk == 4.0


def test_problem_signal_and_kernel():
    problem = Problem(np.array([1.0, 0.25]), np.array([2.0, 4.0]), 0.0)
    times = np.array([0.0, 1.0, 3.0])
    np.testing.assert_allclose(problem.signal(times), 2.0 * np.exp(-2 * times) + 1.0 * np.exp(-0.5 * times))
    np.testing.assert_allclose(problem.kernel(times), np.exp(-2 * times) + 0.0625 * np.exp(-0.5 * times))
    assert problem.signal(0.0) == pytest.approx(problem.initial_risk)


@pytest.mark.parametrize("capacity, source", [(2.0, 1.0), (1.5, 0.25), (3.0, 2.0)])
def test_power_law_problem_normalized_exponents(capacity, source):
    problem = power_law_problem(200, capacity, source, 0.1)
    j = np.arange(1, 201, dtype=np.float64)
    assert problem.initial_risk == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(problem.eigenvalues, j**-capacity, rtol=1e-14)
    weighted = problem.eigenvalues * problem.target_sq
    np.testing.assert_allclose(weighted / weighted[0], j ** (-1.0 - source * capacity), rtol=1e-12)
    assert (problem.source, problem.capacity, problem.noise_var) == (source, capacity, 0.1)
    assert problem.dim == 200


def test_power_law_problem_without_normalization():
    problem = power_law_problem(50, 2.0, 0.5, 0.0, normalize=False)
    j = np.arange(1, 51, dtype=np.float64)
    np.testing.assert_allclose(problem.eigenvalues * problem.target_sq, j**-2.0, rtol=1e-14)
    assert problem.initial_risk == pytest.approx(np.sum(j**-2.0))


@pytest.mark.parametrize("d, capacity, source, message", [
    (0, 2.0, 1.0, "d must be a positive integer, got 0"),
    (10.0, 2.0, 1.0, "d must be a positive integer, got 10.0"),
    (True, 2.0, 1.0, "d must be a positive integer, got True"),
    (10, 1.0, 1.0, "capacity beta must be > 1 for a summable spectrum, got 1.0"),
    (10, math.nan, 1.0, "capacity beta must be > 1 for a summable spectrum, got nan"),
    (10, 2.0, 0.0, "source exponent s must be > 0, got 0.0"),
    (10, 2.0, math.inf, "source exponent s must be > 0, got inf"),
])
def test_power_law_problem_rejects_bad_inputs(d, capacity, source, message):
    with pytest.raises(ValueError, match=message):
        power_law_problem(d, capacity, source, 0.0)


def test_power_law_problem_rejects_negative_noise():
    with pytest.raises(ValueError, match="noise_var must be finite and >= 0"):
        power_law_problem(10, 2.0, 1.0, -1.0)


def test_strongly_convex_problem_shape():
    problem = strongly_convex_problem(8, 100.0, 0.2)
    assert problem.dim == 8
    assert problem.eigenvalues[0] == 1.0
    assert problem.eigenvalues[-1] == pytest.approx(0.01, rel=1e-14)
    np.testing.assert_allclose(problem.eigenvalues[1:] / problem.eigenvalues[:-1], 100.0 ** (-1 / 7), rtol=1e-12)
    np.testing.assert_allclose(problem.eigenvalues * problem.target_sq, np.full(8, 1 / 8), rtol=1e-14)
    assert problem.initial_risk == pytest.approx(1.0)
    assert problem.noise_var == 0.2


def test_strongly_convex_problem_rejects_bad_inputs():
    with pytest.raises(ValueError, match="condition number must be >= 1, got 0.5"):
        strongly_convex_problem(8, 0.5, 0.0)
    with pytest.raises(ValueError, match="condition number must be >= 1, got nan"):
        strongly_convex_problem(8, math.nan, 0.0)
    with pytest.raises(ValueError, match="d must be a positive integer, got -1"):
        strongly_convex_problem(-1, 10.0, 0.0)


@pytest.mark.parametrize("exponent", [0.5, 1.0, 2.0])
def test_zipf_problem_shape(exponent):
    problem = zipf_problem(30, 0.05, exponent=exponent)
    j = np.arange(1, 31, dtype=np.float64)
    assert problem.dim == 30
    assert problem.eigenvalues.sum() == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_allclose(problem.eigenvalues / problem.eigenvalues[0], j**-exponent, rtol=1e-14)
    np.testing.assert_array_equal(problem.target_sq, np.full(30, 1 / 30))
    assert problem.initial_risk == pytest.approx(1 / 30)


def test_zipf_problem_rejects_bad_inputs():
    with pytest.raises(ValueError, match="Zipf exponent must be > 0, got 0.0"):
        zipf_problem(10, 0.0, exponent=0.0)
    with pytest.raises(ValueError, match="d must be a positive integer, got 0"):
        zipf_problem(0, 0.0)


# regime


@pytest.mark.parametrize("source, capacity, expected", [
    (1.0, 2.0, "easy"), (0.25, 2.0, "hard"), (0.5, 2.0, "easy"), (0.49, 2.0, "hard"), (0.7, 4.0, "hard"),
    (0.75, 4.0, "easy"), (0.01, 1.01, "easy"),
])
def test_regime_boundary(source, capacity, expected):
    assert regime(source, capacity) == expected


@pytest.mark.parametrize("source, capacity", [(0.5, 1.0), (0.0, 2.0), (-1.0, 2.0)])
def test_regime_rejects_bad_exponents(source, capacity):
    with pytest.raises(ValueError, match=r"need s > 0 and beta > 1, got s="):
        regime(source, capacity)


def test_regime_rejects_nan_source():
    with pytest.raises(ValueError, match="need s > 0 and beta > 1"):
        regime(math.nan, 2.0)


# sgd_monte_carlo


def test_monte_carlo_matches_exact_risk():
    problem = power_law_problem(20, 2.0, 1.0, 0.05)
    lr = np.full(300, 0.1)
    runs = sgd_monte_carlo(problem, lr, seeds=2000, seed=1, record=8)
    exact = sgd_risk(problem, lr, record=8)
    np.testing.assert_array_equal(runs.steps, exact.steps)
    assert runs.runs.shape == (2000, runs.steps.size)
    # Step 0 is deterministic (stderr 0), so it is compared to float32 rounding instead.
    assert runs.mean[0] == pytest.approx(exact.risk[0, 0], rel=1e-6)
    z_scores = (runs.mean[1:] - exact.risk[0, 1:]) / runs.stderr[1:]
    assert np.all(np.abs(z_scores) < 4), z_scores


def test_monte_carlo_matches_exact_risk_with_batch():
    problem = power_law_problem(20, 2.0, 1.0, 0.05)
    lr = schedules.cosine(0.3, 200).values()
    runs = sgd_monte_carlo(problem, lr, 4, seeds=2000, seed=0, record=6)
    exact = sgd_risk(problem, lr, 4, record=6)
    z_scores = (runs.mean[1:] - exact.risk[0, 1:]) / runs.stderr[1:]
    assert np.all(np.abs(z_scores) < 4), z_scores


def test_monte_carlo_same_seed_same_runs():
    problem = power_law_problem(10, 2.0, 1.0, 0.1)
    lr = np.full(50, 0.2)
    first = sgd_monte_carlo(problem, lr, seeds=8, seed=5, record=5)
    second = sgd_monte_carlo(problem, lr, seeds=8, seed=5, record=5)
    other = sgd_monte_carlo(problem, lr, seeds=8, seed=6, record=5)
    np.testing.assert_array_equal(first.runs, second.runs)
    assert not np.array_equal(first.runs[:, 1:], other.runs[:, 1:])


def test_monte_carlo_float64_and_noiseless():
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    curve = sgd_monte_carlo(problem, np.full(20, 0.2), seeds=4, dtype=torch.float64)
    assert curve.runs.shape == (4, 21)
    np.testing.assert_allclose(curve.runs[:, 0], problem.initial_risk, rtol=1e-14)
    assert np.all(curve.runs[:, -1] < curve.runs[:, 0])


def test_monte_carlo_curve_mean_and_stderr():
    runs = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 7.0]])
    curve = MonteCarloCurve(np.array([0, 1]), runs)
    np.testing.assert_allclose(curve.mean, [3.0, 5.0])
    np.testing.assert_allclose(curve.stderr, [2.0 / math.sqrt(3), math.sqrt(7.0) / math.sqrt(3)])


def test_monte_carlo_divergence_raises():
    problem = power_law_problem(20, 2.0, 1.0, 0.0)
    with pytest.raises(DivergenceError, match=r"Monte-Carlo SGD diverged \(max learning rate 50\); lower it"):
        sgd_monte_carlo(problem, np.full(200, 50.0), seeds=4)


@pytest.mark.parametrize("seeds, error", [(1, ValueError), (0, ValueError), (True, TypeError), (2.0, TypeError)])
def test_monte_carlo_rejects_bad_seeds(seeds, error):
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(error, match="seeds must be an integer >= 2"):
        sgd_monte_carlo(problem, np.full(5, 0.1), seeds=seeds)


def test_monte_carlo_rejects_many_schedules():
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="sgd_monte_carlo takes one schedule, got 2; loop over schedules"):
        sgd_monte_carlo(problem, np.full((2, 5), 0.1), seeds=4)


def test_monte_carlo_rejects_bad_record_and_batch():
    problem = power_law_problem(10, 2.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"recorded steps must lie in \[0, 5\]"):
        sgd_monte_carlo(problem, np.full(5, 0.1), seeds=4, record=[6])
    with pytest.raises(ValueError, match="batch sizes must be >= 1"):
        sgd_monte_carlo(problem, np.full(5, 0.1), 0, seeds=4)


def test_as_schedule_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="got the scalar 0.1; for a constant rate pass"):
        as_schedule_matrix(0.1)
    with pytest.raises(TypeError, match="learning rates must be real numbers, got dtype <U3"):
        as_schedule_matrix(["0.1", "0.2"])
    with pytest.raises(ValueError, match=r"pad them and their batch sizes with lgcore.experiments.scaling.pad_runs\(rates, batches\)"):
        as_schedule_matrix([np.ones(3), np.ones(4)])
    with pytest.raises(ValueError, match="got -0.5 at schedule 1, step 2"):
        as_schedule_matrix([[0.1, 0.1, 0.1], [0.1, 0.1, -0.5]])


def test_sgd_monte_carlo_accepts_numpy_integer_seeds():
    problem = power_law_problem(5, 2.0, 0.5, 0.1)
    curve = sgd_monte_carlo(problem, np.full(3, 0.1), seeds=np.int64(4))
    assert curve.runs.shape == (4, 4)


def test_prepare_runs_validates_and_broadcasts():
    rates, sizes, steps = prepare_runs([[0.1, 0.2], [0.3, 0.4]], 2, 2)
    np.testing.assert_array_equal(rates, [[0.1, 0.2], [0.3, 0.4]])
    np.testing.assert_array_equal(sizes, np.full((2, 2), 2.0))
    np.testing.assert_array_equal(steps, [0, 2])
    with pytest.raises(ValueError, match="batch sizes must be >= 1"):
        prepare_runs([0.1, 0.2], 0, None)
