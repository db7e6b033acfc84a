"""Tests of PGD adversarial training and of the bump memorizer."""

import pytest
import torch
from torch import nn

from lgcore.robust import robust_accuracy
from lgcore.robust.bumps import ClassifierWithBumps, MemorizationBumps, linf_distance_to_points
from lgcore.robust.training import adversarial_fit, pgd_loss


def two_blobs(n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = (0.3 + 0.4 * y.float()).unsqueeze(1) + 0.05 * torch.randn(n, 4, generator=generator)
    return x.clamp(0, 1), y


def test_pgd_loss_attacks_the_batch():
    model = nn.Linear(4, 2)
    x, y = two_blobs(8)
    clean = nn.functional.cross_entropy(model(x), y)
    attacked = pgd_loss(0.2, steps=5, generator=torch.Generator().manual_seed(0))(model, x, y)
    assert attacked > clean


def test_pgd_loss_ramp_starts_clean():
    model = nn.Linear(4, 2)
    x, y = two_blobs(8)
    loss = pgd_loss(0.2, steps=5, ramp_steps=10)
    first = loss(model, x, y)  # radius 0 at the first call
    assert first == nn.functional.cross_entropy(model(x), y)
    assert loss(model, x, y) > first


def test_adversarial_fit_learns_robust_blobs():
    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    x, y = two_blobs()
    history = adversarial_fit(model, x, y, 0.1, optimizer=torch.optim.SGD(model.parameters(), lr=0.5),
                              steps=60, attack_steps=3, eval_fn=lambda m: {"w": float(m.weight.detach().norm())},
                              eval_every=30, progress=False)
    assert history.series("w")[0].tolist() == [0, 30, 60]
    assert robust_accuracy(model, x, y, 0.1, bounds=(0, 1)) == 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(eps=-0.1), "eps must be >= 0, got -0.1"), (dict(norm="l1"), "unknown norm 'l1'"),
    (dict(steps=0), "steps must be a positive integer, got 0"),
    (dict(ramp_steps=-1), "ramp_steps must be a non-negative integer, got -1"),
])
def test_pgd_loss_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pgd_loss(**(dict(eps=0.1) | kwargs))


def test_adversarial_fit_rejects_bad_arguments():
    model = nn.Linear(4, 2)
    x, y = two_blobs(8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="attack_steps"):
        adversarial_fit(model, x, y, 0.1, optimizer=optimizer, steps=1, attack_steps=0)
    with pytest.raises(ValueError, match="outside bounds"):
        adversarial_fit(model, x + 2, y, 0.1, optimizer=optimizer, steps=1)


def test_bumps_flat_top_and_support():
    points = torch.tensor([[0.5, 0.5]])
    bumps = MemorizationBumps(points, torch.tensor([1]), 2, delta=0.1, width=0.05)
    inside = torch.tensor([[0.58, 0.43]])
    outside = torch.tensor([[0.66, 0.5]])
    assert bumps(inside).tolist() == [[0.0, 1.0]]
    assert bumps(outside).tolist() == [[0.0, 0.0]]
    assert bumps.parameter_count() == 1 * (4 * 2 + 2)


def test_classifier_with_bumps_is_robust_on_training_points():
    x, y = two_blobs(16)
    clean = nn.Linear(4, 2)
    with torch.no_grad():
        clean.weight.copy_(torch.tensor([[5.0] * 4, [-5.0] * 4]))  # predicts the wrong class on label 1
    model = ClassifierWithBumps(clean, MemorizationBumps(x, y, 2, delta=0.05, width=0.02))
    assert robust_accuracy(model, x, y, 0.05, bounds=(0, 1)) == 1.0
    far = torch.full((1, 4), 0.0)
    assert torch.allclose(model(far), torch.softmax(clean(far), dim=1))


def test_linf_distance_to_points():
    distance = linf_distance_to_points(torch.tensor([[0.0, 0.0], [1.0, 3.0]]), torch.tensor([[0.5, 0.2]]))
    assert distance.tolist() == pytest.approx([0.5, 2.8])
    with pytest.raises(ValueError, match="features"):
        linf_distance_to_points(torch.zeros(1, 3), torch.zeros(1, 2))


@pytest.mark.parametrize("kwargs, message", [
    (dict(delta=-1.0), "delta"), (dict(width=0.0), "width"), (dict(num_classes=1), "labels must lie"),
])
def test_bumps_reject_bad_arguments(kwargs, message):
    arguments = dict(points=torch.zeros(2, 3), labels=torch.tensor([0, 1]), num_classes=2, delta=0.1,
                     width=0.1) | kwargs
    with pytest.raises(ValueError, match=message):
        MemorizationBumps(**arguments)


def test_bumps_reject_mismatch_and_low_height():
    with pytest.raises(ValueError, match="equal length"):
        MemorizationBumps(torch.zeros(2, 3), torch.tensor([0]), 2, delta=0.1, width=0.1)
    bumps = MemorizationBumps(torch.zeros(2, 3), torch.tensor([0, 1]), 2, delta=0.1, width=0.1)
    with pytest.raises(ValueError, match="height"):
        ClassifierWithBumps(nn.Linear(3, 2), bumps, height=1.0)
    with pytest.raises(ValueError, match="features"):
        bumps(torch.zeros(1, 4))
