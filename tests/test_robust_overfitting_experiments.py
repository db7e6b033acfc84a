"""Tests of the robust-overfitting experiment recipes on tiny sizes."""

import math

import numpy as np
import pytest

from lgcore.data import load_digits, split
from lgcore.experiments import robust_overfitting as ro

TINY_DIGITS = ro.DigitsConfig(hidden=(16,), epochs=2, eval_every_epochs=1, eval_train_size=50,
                              train_attack_steps=2, eval_attack_steps=2)
TINY_PATCHES = ro.PatchConfig(d=40, n_train=10, n_test=20, steps=20, eval_every=10, attack_steps=2)


@pytest.fixture(scope="module")
def digits():
    train, test = split(load_digits(), 100, seed=0)
    return train.subset(slice(0, 200)), test


def test_run_memorization_bumps_memorize(digits):
    train, test = digits
    result = ro.run_memorization(train, test, TINY_DIGITS, seed=0, progress=False)
    assert result["bumps_robust_train"] == 1.0
    assert result["bumps_clean_test"] == pytest.approx(result["clean_clean_test"], abs=0.02)
    assert result["bump_parameters"] == 200 * (4 * 64 + 2)


def test_run_adversarial_digits_records_per_epoch(digits):
    train, test = digits
    history = ro.run_adversarial_digits(train, test, TINY_DIGITS, seed=0, progress=False)
    epochs = history.series("epoch")[1]
    assert epochs.tolist() == [0.0, 1.0, 2.0]
    for name in ("clean_test", "robust_train", "robust_test"):
        values = history.series(name)[1]
        assert np.all((values >= 0) & (values <= 1))


def test_run_patches_records_alignments():
    run = ro.run_patches(TINY_PATCHES, seed=0, progress=False)
    assert run.history.series("feature")[0].tolist() == [0, 10, 20]
    assert set(run.accuracies) == {"clean_train", "clean_test", "robust_train", "robust_test"}
    assert run.history.series("noise")[1][0] >= run.history.series("noise_mean")[1][0]


def test_stage_boundaries_of_synthetic_curves():
    steps = np.array([0, 1, 2, 3, 4])
    feature = np.array([0.0, 2.0, 2.5, 2.7, 2.8])
    noise = np.array([0.5, 0.6, 1.5, 3.0, 4.0])
    assert ro.stage_boundaries(steps, feature, noise) == (1.0, 3.0)
    never_leads = ro.stage_boundaries(steps, noise * 0, noise)
    assert all(math.isnan(value) for value in never_leads)
    assert math.isnan(ro.stage_boundaries(steps, feature, noise * 0)[1])


def test_stage_boundaries_rejects_bad_shapes():
    with pytest.raises(ValueError, match="1-D of one length"):
        ro.stage_boundaries(np.arange(3), np.arange(3), np.arange(4))
