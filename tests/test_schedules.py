import io
import math

import numpy as np
import pytest
import torch

from lgcore import schedules
from lgcore.schedules import (constant, constant_batch, continuous_batch, cosine, eight_one_one, exponential,
                              from_values, lambda_lr, linear, multi_stage_batch, power_decay, step_decay,
                              two_stage_batch, two_stage_for_budget, wsd)

SQRT_TENTH = 10**-0.5   # the first 8-1-1 factor, 0.31622776601683794


def example_schedules():
    """One schedule of every kind, with and without warmup, for the checks shared by all of them."""
    return [
        constant(0.1, 50), constant(0.1, 50, warmup=7),
        cosine(1.0, 50), cosine(2.0, 60, warmup=10, final=0.2),
        linear(1.0, 50), linear(0.5, 60, warmup=10, final=0.05),
        exponential(1.0, 50, final=0.01), exponential(1.0, 60, final=0.01, warmup=10),
        wsd(1.0, 50), wsd(1.0, 60, warmup=10, shape="cosine"), wsd(1.0, 60, warmup=10, shape="sqrt", final=0.1),
        wsd(1.0, 60, decay_fraction=0.5, shape="power", exponent=2),
        eight_one_one(1.0, 50), eight_one_one(1.0, 60, warmup=10), step_decay(1.0, 40, (0.5,), (0.2,)),
        power_decay(1.0, 50, exponent=3), power_decay(1.0, 60, exponent=0.5, warmup=10),
        from_values(np.linspace(1.0, 0.1, 50)),
    ]


def schedule_id(schedule):
    return f"{schedule.name}-warmup{schedule.warmup}"


ALL_SCHEDULES = example_schedules()


# Values at boundary steps, computed by hand from the formulas in the module docstring.

def test_constant_boundaries():
    schedule = constant(0.1, 10, warmup=4)
    assert schedule(0) == pytest.approx(0.025, rel=1e-15)
    assert schedule(3) == 0.1
    assert schedule(4) == 0.1
    assert schedule(9) == 0.1
    assert constant(0.1, 10)(0) == 0.1


def test_cosine_boundaries():
    schedule = cosine(1.0, 10)
    assert schedule(0) == 1.0
    assert schedule(5) == pytest.approx(0.5, rel=1e-14)
    # (1 + cos(0.9 pi)) / 2 = (1 - 0.9510565162951535) / 2
    assert schedule(9) == pytest.approx(0.024471741852423234, rel=1e-13)


def test_cosine_warmup_and_final():
    schedule = cosine(2.0, 12, warmup=2, final=0.2)
    assert schedule(0) == 1.0
    assert schedule(1) == 2.0
    assert schedule(2) == pytest.approx(2.0, rel=1e-15)
    assert schedule(7) == pytest.approx(1.1, rel=1e-14)
    assert schedule(11) == pytest.approx(0.2 + 1.8 * 0.024471741852423234, rel=1e-13)


def test_linear_boundaries():
    schedule = linear(1.0, 10, warmup=2, final=0.1)
    assert schedule(0) == 0.5
    assert schedule(1) == 1.0
    assert schedule(2) == pytest.approx(1.0, rel=1e-15)
    assert schedule(6) == pytest.approx(0.55, rel=1e-14)
    assert schedule(9) == pytest.approx(0.2125, rel=1e-14)

    np.testing.assert_allclose(linear(0.5, 4).values(), [0.5, 0.375, 0.25, 0.125], rtol=1e-15)


def test_exponential_boundaries():
    schedule = exponential(1.0, 10, final=0.01)
    assert schedule(0) == 1.0
    assert schedule(5) == pytest.approx(0.1, rel=1e-14)
    assert schedule(9) == pytest.approx(10**-1.8, rel=1e-14)

    with_warmup = exponential(1.0, 15, final=0.01, warmup=5)
    assert with_warmup(0) == pytest.approx(0.2, rel=1e-15)
    assert with_warmup(4) == 1.0
    assert with_warmup(5) == 1.0
    assert with_warmup(14) == pytest.approx(10**-1.8, rel=1e-14)


def test_wsd_linear_boundaries():
    # 100 steps after warmup, so 20 decay steps from step 90 on.
    schedule = wsd(1.0, 110, decay_fraction=0.2, warmup=10)
    assert schedule.decay_steps == 20
    assert schedule.decay_start == 90
    assert schedule(0) == pytest.approx(0.1, rel=1e-15)
    assert schedule(9) == 1.0
    assert schedule(10) == 1.0
    assert schedule(89) == 1.0
    assert schedule(90) == 1.0
    assert schedule(91) == pytest.approx(0.95, rel=1e-14)
    assert schedule(100) == pytest.approx(0.5, rel=1e-14)
    assert schedule(109) == pytest.approx(0.05, rel=1e-13)


@pytest.mark.parametrize("shape, exponent, midpoint, last", [
    ("cosine", None, 0.5, 0.006155829702431115),        # (1 - cos(0.05 pi)) / 2
    ("sqrt", None, 0.2928932188134524, 0.025320565519103666),  # 1 - sqrt(0.5), 1 - sqrt(0.95)
    ("power", 2, 0.25, 0.0025),                          # 0.5**2, 0.05**2
])
def test_wsd_shapes(shape, exponent, midpoint, last):
    schedule = wsd(1.0, 110, decay_fraction=0.2, warmup=10, shape=shape, exponent=exponent)
    assert schedule(89) == 1.0
    assert schedule(90) == 1.0
    assert schedule(100) == pytest.approx(midpoint, rel=1e-13)
    assert schedule(109) == pytest.approx(last, rel=1e-12)


def test_wsd_final_and_rounding():
    assert wsd(1.0, 110, warmup=10, final=0.1)(109) == pytest.approx(0.145, rel=1e-14)

    # round(0.25 * 10) is 2 because Python rounds halves to even.
    schedule = wsd(1.0, 10, decay_fraction=0.25)
    assert schedule.decay_start == 8
    assert schedule(7) == 1.0
    assert schedule(9) == pytest.approx(0.5, rel=1e-15)

    # decay_fraction=1 decays over all steps after warmup, like linear().
    np.testing.assert_allclose(wsd(1.0, 30, decay_fraction=1.0, warmup=5).values(),
                               linear(1.0, 30, warmup=5).values(), rtol=1e-15)


def test_eight_one_one_boundaries():
    schedule = eight_one_one(1.0, 100)
    assert schedule.milestone_steps == (80, 90)
    assert schedule(0) == 1.0
    assert schedule(79) == 1.0
    assert schedule(80) == pytest.approx(SQRT_TENTH, rel=1e-15)
    assert schedule(89) == pytest.approx(SQRT_TENTH, rel=1e-15)
    assert schedule(90) == pytest.approx(0.1, rel=1e-15)
    assert schedule(99) == pytest.approx(0.1, rel=1e-15)

    with_warmup = eight_one_one(1.0, 100, warmup=10)
    assert with_warmup(0) == pytest.approx(0.1, rel=1e-15)
    assert with_warmup(9) == 1.0
    assert with_warmup(10) == 1.0
    assert with_warmup(80) == pytest.approx(SQRT_TENTH, rel=1e-15)


def test_step_decay_factors_are_absolute():
    schedule = step_decay(2.0, 20, milestones=(0.5, 0.75), factors=(0.3, 0.1))
    assert schedule(9) == 2.0
    assert schedule(10) == pytest.approx(0.6, rel=1e-15)
    assert schedule(14) == pytest.approx(0.6, rel=1e-15)
    assert schedule(15) == pytest.approx(0.2, rel=1e-15)   # 2.0 * 0.1, not 2.0 * 0.3 * 0.1
    assert schedule(19) == pytest.approx(0.2, rel=1e-15)


def test_power_decay_boundaries():
    schedule = power_decay(1.0, 12, exponent=3, warmup=2)
    assert schedule(0) == 0.5
    assert schedule(1) == 1.0
    assert schedule(2) == 1.0
    assert schedule(7) == pytest.approx(0.125, rel=1e-14)
    assert schedule(11) == pytest.approx(0.001, rel=1e-12)


def test_from_values_returns_array():
    rates = [0.0, 0.3, 0.2, 0.1]
    schedule = from_values(rates)
    assert schedule.peak == 0.3
    assert schedule.total_steps == 4
    assert [schedule(step) for step in range(4)] == rates
    assert schedule == from_values(np.array(rates))
    assert hash(schedule) == hash(from_values(np.array(rates)))


def test_from_values_copies_input():
    rates = np.array([0.1, 0.2])
    schedule = from_values(rates)
    rates[0] = 5.0
    assert schedule(0) == 0.1
    with pytest.raises(ValueError, match="read-only"):
        schedule.rates[0] = 5.0


def test_names():
    assert constant(0.1, 10).name == "constant"
    assert cosine(0.1, 10).name == "cosine"
    assert linear(0.1, 10).name == "linear"
    assert exponential(0.1, 10, final=0.01).name == "exponential"
    assert wsd(0.1, 10).name == "WSD"
    assert wsd(0.1, 10, shape="sqrt").name == "WSD (sqrt)"
    assert wsd(0.1, 10, shape="power", exponent=2).name == "WSD (power, p=2)"
    assert eight_one_one(0.1, 100).name == "8-1-1"
    assert step_decay(0.1, 100).name == "8-1-1"
    assert step_decay(0.1, 100, (0.5,), (0.1,)).name == "step decay at 0.5"
    assert power_decay(0.1, 10, exponent=3).name == "power decay (p=3)"
    assert power_decay(0.1, 10, exponent=0.5).name == "power decay (p=0.5)"
    assert from_values([0.1]).name == "custom"


# Properties every schedule shares.

@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=schedule_id)
def test_values_match_calls(schedule):
    values = schedule.values()
    assert values.dtype == np.float64
    assert values.shape == (schedule.total_steps,)
    expected = np.array([schedule(step) for step in range(schedule.total_steps)])
    np.testing.assert_allclose(values, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=schedule_id)
def test_schedule_stays_positive(schedule):
    values = schedule.values()
    assert values[0] > 0
    assert (values > 0).all()
    assert values.max() == pytest.approx(schedule.peak, rel=1e-15)


@pytest.mark.parametrize("make", [
    lambda warmup, start: constant(0.1, 20, warmup, warmup_start=start),
    lambda warmup, start: cosine(0.1, 20, warmup, warmup_start=start),
    lambda warmup, start: linear(0.1, 20, warmup, warmup_start=start),
    lambda warmup, start: exponential(0.1, 20, 0.001, warmup, warmup_start=start),
    lambda warmup, start: wsd(0.1, 20, warmup=warmup, warmup_start=start),
    lambda warmup, start: eight_one_one(0.1, 20, warmup, warmup_start=start),
    lambda warmup, start: power_decay(0.1, 20, 2, warmup, warmup_start=start),
], ids=["constant", "cosine", "linear", "exponential", "wsd", "8-1-1", "power_decay"])
def test_warmup_zero_only_on_request(make):
    for warmup in (1, 2, 3, 5, 15):
        assert make(warmup, None)(0) == pytest.approx(0.1 / warmup, rel=1e-15)
        assert make(warmup, None)(warmup - 1) == 0.1
        assert make(warmup, 0.0)(0) == 0.0
    assert make(0, None)(0) == 0.1


def test_warmup_start_interpolates():
    schedule = linear(1.0, 10, warmup=4, warmup_start=0.2)
    assert schedule(0) == 0.2
    assert schedule(2) == pytest.approx(0.6, rel=1e-15)
    assert schedule(4) == 1.0

    zero_start = linear(1.0, 10, warmup=4, warmup_start=0.0)
    np.testing.assert_allclose(zero_start.values()[:5], [0.0, 0.25, 0.5, 0.75, 1.0], rtol=1e-15)


@pytest.mark.parametrize("schedule", [
    cosine(1.0, 10**9), linear(1.0, 10**9), wsd(1.0, 10**9, shape="cosine"), wsd(1.0, 10**9, shape="sqrt"),
    power_decay(1.0, 10**9, exponent=2), exponential(1.0, 10**9, final=1e-6),
], ids=lambda schedule: schedule.name)
def test_last_step_above_final_long_run(schedule):
    last = schedule(schedule.total_steps - 1)
    assert last > 0
    assert last < 1e-5


def test_last_step_above_positive_final():
    assert linear(1.0, 100, final=0.1)(99) > 0.1
    assert cosine(1.0, 100, final=0.1)(99) > 0.1
    assert exponential(1.0, 100, final=0.1)(99) > 0.1
    assert wsd(1.0, 100, final=0.1, shape="sqrt")(99) > 0.1


# Step arguments.

def test_step_accepts_numpy_int():
    schedule = cosine(1.0, 10)
    assert schedule(np.int64(5)) == schedule(5)


@pytest.mark.parametrize("step", [1.0, True, "1", None])
def test_step_rejects_non_int(step):
    with pytest.raises(TypeError, match="step must be an int"):
        cosine(1.0, 10)(step)


@pytest.mark.parametrize("step", [-1, 10, 10**12])
def test_step_out_of_range(step):
    with pytest.raises(IndexError, match=rf"step {step} is out of range\. Valid steps are 0 to 9 for total_steps=10"):
        cosine(1.0, 10)(step)


# Invalid arguments.

@pytest.mark.parametrize("make, error, message", [
    (lambda: cosine(0.0, 10), ValueError, r"peak must be a finite learning rate > 0, got 0\.0"),
    (lambda: cosine(-1.0, 10), ValueError, r"peak must be a finite learning rate > 0, got -1\.0"),
    (lambda: cosine(math.nan, 10), ValueError, r"peak must be a finite learning rate > 0, got nan"),
    (lambda: cosine(math.inf, 10), ValueError, r"peak must be a finite learning rate > 0, got inf"),
    (lambda: cosine("0.1", 10), TypeError, r"peak must be a real number, got str"),
    (lambda: constant(0.0, 10), ValueError, r"lr must be a finite learning rate > 0, got 0\.0"),
    (lambda: cosine(0.1, 10, final=0.2), ValueError, r"final must be a finite learning rate in \[0, peak=0\.1\]"),
    (lambda: linear(0.1, 10, final=-0.01), ValueError, r"final must be .* got -0\.01"),
    (lambda: linear(0.1, 10, final=math.nan), ValueError, r"final must be .* got nan"),
    (lambda: exponential(0.1, 10, final=0.0), ValueError, r"final must be > 0 for exponential decay"),
    (lambda: cosine(0.1, 0), ValueError, r"total_steps must be a positive int, got 0"),
    (lambda: cosine(0.1, 10.0), TypeError, r"total_steps must be an int, got float 10\.0"),
    (lambda: cosine(0.1, True), TypeError, r"total_steps must be an int, got bool"),
    (lambda: cosine(0.1, 10, warmup=10), ValueError, r"warmup longer than training: warmup=10 steps but "
                                                     r"total_steps=10\. Use warmup < total_steps"),
    (lambda: cosine(0.1, 10, warmup=-1), ValueError, r"warmup must be >= 0 steps, got -1"),
    (lambda: cosine(0.1, 10, warmup=2.0), TypeError, r"warmup must be an int number of steps, got float"),
    (lambda: cosine(0.1, 10, warmup_start=0.0), ValueError, r"warmup_start=0\.0 has no effect with warmup=0"),
    (lambda: cosine(0.1, 10, warmup=2, warmup_start=0.2), ValueError,
     r"warmup_start must be a finite learning rate in \[0, peak=0\.1\], got 0\.2"),
    (lambda: wsd(0.1, 10, decay_fraction=1.5), ValueError, r"decay_fraction must be in \(0, 1\], got 1\.5"),
    (lambda: wsd(0.1, 10, decay_fraction=-0.1), ValueError, r"decay_fraction must be in \(0, 1\], got -0\.1"),
    (lambda: wsd(0.1, 10, decay_fraction=0.0), ValueError, r"gives round\(0\.0 \* 10\) = 0 decay steps\. "
                                                           r"Use constant\(\)"),
    (lambda: wsd(0.1, 12, decay_fraction=0.04, warmup=2), ValueError, r"round\(0\.04 \* 10\) = 0 decay steps"),
    (lambda: wsd(0.1, 10, shape="step"), ValueError, r"unknown shape 'step'\. Valid shapes are linear, cosine, "
                                                     r"sqrt, power"),
    (lambda: wsd(0.1, 10, shape="power"), ValueError, r"shape='power' needs an exponent"),
    (lambda: wsd(0.1, 10, shape="power", exponent=0), ValueError, r"exponent must be a finite number > 0, got 0"),
    (lambda: wsd(0.1, 10, exponent=2), ValueError, r"exponent=2 applies only to shape='power'"),
    (lambda: power_decay(0.1, 10, exponent=-1), ValueError, r"exponent must be a finite number > 0, got -1"),
    (lambda: power_decay(0.1, 10, exponent=math.inf), ValueError, r"exponent must be a finite number > 0, got inf"),
    (lambda: step_decay(0.1, 100, milestones=(0.9, 0.8)), ValueError,
     r"milestones must be strictly increasing fractions of total_steps in \(0, 1\), got \(0\.9, 0\.8\)"),
    (lambda: step_decay(0.1, 100, milestones=(0.5, 1.0)), ValueError, r"milestones must be strictly increasing"),
    (lambda: step_decay(0.1, 100, milestones=(0.0, 0.5)), ValueError, r"milestones must be strictly increasing"),
    (lambda: step_decay(0.1, 100, factors=(0.5, 0.0)), ValueError, r"factors must be in \(0, 1\], got \(0\.5, 0\.0\)"),
    (lambda: step_decay(0.1, 100, factors=(0.5, 2.0)), ValueError, r"factors must be in \(0, 1\]"),
    (lambda: step_decay(0.1, 100, factors=(0.5,)), ValueError,
     r"milestones and factors must have the same length, got 2 milestones"),
    (lambda: eight_one_one(0.1, 5), ValueError, r"fall at steps \(4, 4\) of total_steps=5 .* a stage with no steps"),
    (lambda: eight_one_one(0.1, 100, warmup=80), ValueError, r"fall at steps \(80, 90\) .* warmup=80"),
    (lambda: from_values([]), ValueError, r"values must be a non-empty 1-D array .* got shape \(0,\)"),
    (lambda: from_values([[0.1, 0.2]]), ValueError, r"values must be a non-empty 1-D array .* got shape \(1, 2\)"),
    (lambda: from_values([0.1, math.nan]), ValueError, r"values must be finite, got nan at step 1"),
    (lambda: from_values([0.1, -0.1]), ValueError, r"values must be >= 0, got -0\.1 at step 1"),
    (lambda: from_values([0.0, 0.0]), ValueError, r"values are all 0"),
    (lambda: from_values(["a"]), TypeError, r"values must be an array of real numbers"),
])
def test_invalid_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# torch LambdaLR adapter.

@pytest.mark.parametrize("schedule", [cosine(0.5, 12, warmup=3), eight_one_one(0.2, 20, warmup=2),
                                      linear(0.3, 8, warmup=2, warmup_start=0.0)], ids=schedule_id)
def test_lambda_lr_matches_schedule(schedule):
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1, bias=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=schedule.peak)
    scheduler = lambda_lr(optimizer, schedule)
    inputs, targets = torch.randn(4, 1), torch.randn(4, 1)

    # Three steps past the end, as a loop that calls scheduler.step() after its last optimizer step would take.
    for k in range(schedule.total_steps + 3):
        expected = schedule(min(k, schedule.total_steps - 1))
        assert optimizer.param_groups[0]["lr"] == pytest.approx(expected, rel=1e-12, abs=0)

        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()


def test_lambda_lr_state_dict_weights_only():
    schedule = cosine(0.5, 10)
    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.5)
    scheduler = lambda_lr(optimizer, schedule)
    buffer = io.BytesIO()
    torch.save(scheduler.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state["lr_lambdas"] == [None]


def test_lambda_lr_rejects_other_lr():
    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"param group 0 has lr=0\.1 but schedule\.peak=0\.5\. "
                                         r"Build the optimizer with lr=schedule\.peak"):
        lambda_lr(optimizer, cosine(0.5, 10))


def test_lambda_lr_rejects_earlier_initial_lr():
    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.5)
    optimizer.param_groups[0]["initial_lr"] = 0.1
    with pytest.raises(ValueError, match=r"param group 0 has initial_lr=0\.1"):
        lambda_lr(optimizer, cosine(0.5, 10))


# Batch-size schedules.

def test_constant_batch():
    schedule = constant_batch(32, 5)
    assert schedule.values().dtype == np.int64
    assert schedule.values().tolist() == [32] * 5
    assert schedule(4) == 32
    assert isinstance(schedule(4), int)
    assert schedule.samples() == 160
    assert schedule.name == "batch 32"


def test_two_stage_batch():
    schedule = two_stage_batch(32, 256, 10, 0.3)
    assert schedule(2) == 32
    assert schedule(3) == 256
    assert schedule.values().tolist() == [32] * 3 + [256] * 7
    assert schedule.samples() == 3 * 32 + 7 * 256
    assert schedule.name == "batch 32→256 at step 3"


def test_two_stage_batch_edges():
    assert two_stage_batch(32, 256, 10, 0.0).values().tolist() == [256] * 10
    assert two_stage_batch(32, 256, 10, 0.0).name == "batch 256"
    assert two_stage_batch(32, 256, 10, 1.0).values().tolist() == [32] * 10
    # round(0.25 * 10) is 2 because Python rounds halves to even.
    assert two_stage_batch(32, 256, 10, 0.25).values().tolist() == [32] * 2 + [256] * 8


def test_multi_stage_batch():
    schedule = multi_stage_batch((16, 64, 256), (0.25, 0.5), 8)
    assert schedule.values().tolist() == [16, 16, 64, 64, 256, 256, 256, 256]
    assert schedule.samples() == 2 * 16 + 2 * 64 + 4 * 256
    assert schedule.name == "batch 16→64→256 at steps 2, 4"
    assert multi_stage_batch((8,), (), 3).values().tolist() == [8, 8, 8]


def test_continuous_batch_linear():
    schedule = continuous_batch(8, 64, 8)
    assert schedule.values().tolist() == [8, 16, 24, 32, 40, 48, 56, 64]
    assert schedule.samples() == 288
    assert schedule.name == "batch 8→64 (linear)"
    # 1.5 rounds to 2 (half to even).
    assert continuous_batch(1, 2, 3).values().tolist() == [1, 2, 2]
    assert continuous_batch(5, 50, 1).values().tolist() == [5]


def test_continuous_batch_geometric():
    schedule = continuous_batch(1, 128, 8, shape="geometric")
    assert schedule.values().tolist() == [1, 2, 4, 8, 16, 32, 64, 128]
    assert schedule.samples() == 255
    assert continuous_batch(128, 1, 8, shape="geometric").values().tolist() == [128, 64, 32, 16, 8, 4, 2, 1]


def test_two_stage_for_budget_arithmetic():
    schedule = two_stage_for_budget(32, 256, 10_000, 3_000)
    # 3000 // 32 = 93 small steps use 2976 examples, and (10000 - 2976) // 256 = 27 large steps use 6912.
    assert schedule.total_steps == 120
    assert schedule(92) == 32
    assert schedule(93) == 256
    assert schedule.samples() == 2976 + 6912
    assert 0 <= 10_000 - schedule.samples() < 256


def test_two_stage_for_budget_edges():
    only_large = two_stage_for_budget(32, 256, 10_000, 0)
    assert only_large.total_steps == 39
    assert only_large.values().tolist() == [256] * 39

    # 312 small steps use 9984 examples, and the 16 left over do not fill a large batch.
    only_small = two_stage_for_budget(32, 256, 10_000, 10_000)
    assert only_small.total_steps == 312
    assert only_small.samples() == 9984


@pytest.mark.parametrize("schedule", [
    constant_batch(8, 7), two_stage_batch(8, 64, 13, 0.4), multi_stage_batch((4, 8, 16, 32), (0.1, 0.3, 0.9), 50),
    continuous_batch(3, 100, 17, shape="geometric"), two_stage_for_budget(16, 96, 5_000, 1_000),
], ids=lambda schedule: schedule.name)
def test_batch_values_match_calls(schedule):
    values = schedule.values()
    assert values.dtype == np.int64
    assert values.shape == (schedule.total_steps,)
    assert values.tolist() == [schedule(step) for step in range(schedule.total_steps)]
    assert schedule.samples() == int(values.sum())
    assert values.min() >= 1


@pytest.mark.parametrize("make, error, message", [
    (lambda: constant_batch(32.0, 5), TypeError, r"batch_size must be an int batch size, got float 32\.0"),
    (lambda: constant_batch(True, 5), TypeError, r"batch_size must be an int batch size, got bool"),
    (lambda: constant_batch(0, 5), ValueError, r"batch_size must be a batch size >= 1, got 0"),
    (lambda: constant_batch(32, 0), ValueError, r"total_steps must be a positive int, got 0"),
    (lambda: two_stage_batch(32, -1, 10, 0.5), ValueError, r"large must be a batch size >= 1, got -1"),
    (lambda: two_stage_batch(32, 64, 10, 1.5), ValueError, r"switch_fraction must be a fraction of training in "
                                                           r"\[0, 1\], got 1\.5"),
    (lambda: multi_stage_batch((8, 16), (0.5, 0.7), 10), ValueError,
     r"fractions must have one entry fewer than sizes, got 2 fractions"),
    (lambda: multi_stage_batch((8, 16, 32), (0.7, 0.5), 10), ValueError,
     r"fractions must be strictly increasing fractions of total_steps in \(0, 1\), got \(0\.7, 0\.5\)"),
    (lambda: multi_stage_batch((8, 16, 32), (0.5, 0.52), 10), ValueError,
     r"fall at steps \(5, 5\) of total_steps=10, which leaves a stage with no steps"),
    (lambda: multi_stage_batch((), (), 10), ValueError, r"sizes must contain at least one batch size"),
    (lambda: multi_stage_batch((8, 16.5), (0.5,), 10), TypeError, r"sizes must be an int batch size, got float"),
    (lambda: continuous_batch(8, 64, 10, shape="cubic"), ValueError,
     r"unknown shape 'cubic'\. Valid shapes are linear, geometric"),
    (lambda: continuous_batch(0, 64, 10), ValueError, r"start must be a batch size >= 1, got 0"),
    (lambda: two_stage_for_budget(32, 256, 1_000, 1_001), ValueError,
     r"switch_samples must be in \[0, data_budget=1000\], got 1001"),
    (lambda: two_stage_for_budget(32, 256, 1_000, -1), ValueError, r"switch_samples must be in \[0, data_budget"),
    (lambda: two_stage_for_budget(32, 256, 0, 0), ValueError, r"data_budget must be >= 1 examples, got 0"),
    (lambda: two_stage_for_budget(32, 256, 1e4, 0), TypeError, r"data_budget must be an int number of examples"),
    (lambda: two_stage_for_budget(32, 256, 100, 10), ValueError,
     r"data_budget=100 with switch_samples=10 gives no steps"),
])
def test_invalid_batch_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_batch_step_range():
    schedule = constant_batch(8, 4)
    with pytest.raises(IndexError, match=r"step 4 is out of range\. Valid steps are 0 to 3"):
        schedule(4)
    with pytest.raises(TypeError, match=r"step must be an int, got float"):
        schedule(1.0)


def test_public_names_exist():
    for name in schedules.__all__:
        assert hasattr(schedules, name), name


def test_lambda_lr_rejects_a_number_as_schedule():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match="schedule must be an lgcore.schedules.Schedule, got float"):
        schedules.lambda_lr(optimizer, 0.1)
