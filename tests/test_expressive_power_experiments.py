"""Tests of the expressive-power experiment recipes on tiny sizes."""

import pytest
import torch

from lgcore.experiments import expressive_power as ep
from lgcore.robust import pgd

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_pgd_without_bounds_leaves_the_cube():
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]))
        model.bias.zero_()
    x = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    adversarial = pgd(model, x, torch.tensor([0, 1]), 0.25, steps=3, bounds=None)
    assert torch.allclose(adversarial[0], torch.full((3,), -0.25))
    assert torch.allclose(adversarial[1], torch.full((3,), 1.25))


def test_robust_correct_needs_clean_correct():
    model = ep.clue_classifier(3, 0.1)
    two_logits = torch.nn.Sequential(model, torch.nn.Linear(1, 2))
    with torch.no_grad():
        two_logits[1].weight.copy_(torch.tensor([[-0.5], [0.5]]))
        two_logits[1].bias.zero_()
    x = torch.tensor([[0.0, 0.0, 0.6], [0.0, 0.0, 0.4]])
    y = torch.tensor([1, 1])
    assert ep.clean_correct(two_logits, x, y).tolist() == [True, False]
    assert ep.robust_correct(two_logits, x, y, 0.05, steps=3).tolist() == [True, False]
    assert ep.robust_correct(two_logits, x, y, 0.2, steps=3).tolist() == [False, False]


def test_run_memorizer_tiny():
    config = ep.MemorizerConfig(d=5, n_train=30, n_test=40, pgd_steps=3)
    result = ep.run_memorizer(config, seed=0)
    assert result.robust_train == 1.0
    assert result.clean_test == 1.0
    assert result.robust_test == pytest.approx(result.memorized_fraction, abs=1e-6)
    assert result.parameters == 6 * result.unique_train * 5 + 2 * result.unique_train + 1 + 5


def test_run_adversarial_tiny():
    config = ep.AdversarialConfig(d=4, n_train=40, n_test=40, hidden=(16,), steps=30, ramp_steps=10,
                                  pgd_steps_test=3, log_every=10)
    result = ep.run_adversarial(config, k=2, seed=0, device="cpu")
    assert 0.0 <= result.robust_test <= result.clean_test <= 1.0
    assert result.robust_train <= result.clean_train
    assert result.history.series("loss")[0].tolist() == [10, 20, 30]
    assert result.ceiling == pytest.approx(1 - 0.5 * 0.75 ** 40)


def test_run_adversarial_same_seed_same_result():
    config = ep.AdversarialConfig(d=4, n_train=20, n_test=20, hidden=(8,), steps=10, ramp_steps=5,
                                  pgd_steps_test=2, log_every=5)
    first, second = (ep.run_adversarial(config, 2, 3, device="cpu"),
                     ep.run_adversarial(config, 2, 3, device="cpu"))
    assert first.robust_test == second.robust_test
    assert first.history.rows == second.history.rows
