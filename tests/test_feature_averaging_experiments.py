"""Tests of the feature-averaging experiment recipes on tiny sizes."""

import numpy as np
import pytest
import torch

from lgcore.data import load_digits, split
from lgcore.experiments import feature_averaging as fa

TINY = fa.ClusterConfig(k=4, d=80, n_train=80, n_test=40, width=2, steps=40, eval_every=20, pgd_steps=3)


@pytest.fixture(scope="module")
def tiny_run():
    return fa.run_clusters(TINY, seed=0, progress=False, device="cpu")


def test_run_clusters_records_alignment(tiny_run):
    steps, values = tiny_run.binary_history.series("cos_average_min")
    assert steps.tolist() == [0, 20, 40]
    assert values[-1] > values[0]
    assert tiny_run.fine_history.last("cos_own_min") > 0.5


def test_run_clusters_same_seed_same_weights():
    first = fa.run_clusters(TINY, seed=3, progress=False, device="cpu")
    second = fa.run_clusters(TINY, seed=3, progress=False, device="cpu")
    assert torch.equal(first.binary.weight, second.binary.weight)
    assert torch.equal(first.fine.weight, second.fine.weight)


def test_alignment_keys_and_ranges(tiny_run):
    binary = fa.alignment(tiny_run.binary, tiny_run.test.centers, fine=False)
    fine = fa.alignment(tiny_run.fine, tiny_run.test.centers, fine=True)
    assert set(binary) == {"cos_average_min", "cos_center_mean", "cos_center_min", "cos_center_max", "cos_other_max"}
    assert set(fine) == {"cos_own_min", "cos_other_max"}
    assert binary["cos_center_min"] <= binary["cos_center_mean"] <= binary["cos_center_max"]
    for value in [*binary.values(), *fine.values()]:
        assert -1.0 <= value <= 1.0


def test_alignment_of_ideal_averaging_network():
    centers = torch.eye(4) * 2.0
    model = fa.FixedReadoutReLU(4, 2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0, 1, 0], [0, 1, 0, 1]]))  # even clusters, then odd
    summary = fa.alignment(model, centers, fine=False)
    assert summary["cos_average_min"] == pytest.approx(1.0)
    assert summary["cos_center_mean"] == pytest.approx(np.sqrt(0.5))
    assert summary["cos_other_max"] == pytest.approx(0.0)


def test_cluster_robustness_shapes_and_zero_radius(tiny_run):
    radii = [0.0, 1.0, 50.0]
    curves = fa.cluster_robustness(tiny_run, radii)
    assert set(curves) == {"pgd_binary", "pgd_fine", "averaging_binary", "nearest_center_fine"}
    for values in curves.values():
        assert values.shape == (3,)
    assert curves["pgd_binary"][0] == curves["averaging_binary"][0]
    assert curves["pgd_binary"][2] < 0.5  # a radius far beyond the cluster distance breaks it


def test_run_digits_on_sklearn_digits():
    train, heldout = split(load_digits(), 300, seed=0)
    config = fa.DigitsConfig(hidden=(32,), epochs=2, pgd_steps=2)
    result = fa.run_digits(train, heldout, config, [0.0, 0.5], seed=0, progress=False, device="cpu")
    assert 0.5 < result.clean_binary <= 1.0
    assert 0.5 < result.clean_fine <= 1.0
    assert result.robust_binary.shape == (2,)
    assert result.robust_binary[0] == pytest.approx(result.clean_binary)
    assert result.robust_fine[1] <= result.robust_fine[0]
