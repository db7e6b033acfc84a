"""Tests of the explicit robust memorizer."""

import itertools

import pytest
import torch
from torch import nn

from lgcore.data.hypercube import random_table, sample_hypercube
from lgcore.experiments.expressive_power import clue_classifier
from lgcore.robust.memorizer import RobustMemorizer, build_memorizer, memorized, parameter_count

DELTA, EPS = 0.3, 0.5


def all_vertices(d):
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=d)))


def test_bump_is_one_on_delta_ball_and_zero_outside_eps():
    center = torch.tensor([[0.2, 0.7]])
    model = RobustMemorizer(center, torch.tensor([1]), attack_radius=DELTA, half_separation=EPS)
    inside = center + torch.tensor([[DELTA, -DELTA], [0.0, 0.1]])
    outside = center + torch.tensor([[EPS + 0.01, 0.0], [0.0, -0.6]])
    assert torch.allclose(model.bumps(inside), torch.ones(2, 1))
    assert torch.allclose(model.bumps(outside), torch.zeros(2, 1))


def test_robust_on_every_corner_of_every_delta_ball():
    d = 4
    vertices = all_vertices(d)
    labels = random_table(d, generator=torch.Generator().manual_seed(0))
    model = build_memorizer(vertices, labels, attack_radius=DELTA, half_separation=EPS)
    corners = torch.tensor(list(itertools.product([-DELTA, DELTA], repeat=d)))
    perturbed = (vertices[:, None, :] + corners[None, :, :]).reshape(-1, d)
    expected = labels.repeat_interleave(len(corners))
    assert torch.equal(model(perturbed).argmax(dim=1), expected)
    assert torch.equal(model(vertices).argmax(dim=1), labels)


def test_robust_with_fallback_against_it():
    d = 3
    table = random_table(d - 1, generator=torch.Generator().manual_seed(1))
    data = sample_hypercube(40, d, table, clue=0.1, generator=torch.Generator().manual_seed(0))
    wrong = clue_classifier(d, 0.1)
    with torch.no_grad():
        wrong.weight.neg_()
        wrong.bias.neg_()
    model = build_memorizer(data.x, data.y, attack_radius=0.2, half_separation=EPS, fallback=wrong)
    corners = torch.tensor(list(itertools.product([-0.2, 0.2], repeat=d)))
    perturbed = (data.x[:, None, :] + corners[None, :, :]).reshape(-1, d)
    assert torch.equal(model(perturbed).argmax(dim=1), data.y.repeat_interleave(len(corners)))


def test_parameter_count_is_linear_in_n_and_d():
    vertices = all_vertices(3)
    labels = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    model = build_memorizer(vertices, labels, attack_radius=DELTA, half_separation=EPS)
    assert parameter_count(model) == 6 * 8 * 3 + 2 * 8 + 1
    with_fallback = build_memorizer(vertices, labels, attack_radius=DELTA, half_separation=EPS,
                                    fallback=nn.Linear(3, 1))
    assert parameter_count(with_fallback) == parameter_count(model) + 3


def test_duplicates_get_one_bump():
    x = torch.tensor([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    model = build_memorizer(x, torch.tensor([1, 1, 0]), attack_radius=DELTA, half_separation=EPS)
    assert len(model.centers) == 2


def test_memorized_mask():
    centers = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    x = torch.tensor([[0.1, -0.1], [0.5, 0.5], [1.0, 1.0]])
    assert memorized(centers, x, 0.2).tolist() == [True, False, True]


def test_memorizer_rejects_bad_inputs():
    x = torch.tensor([[0.0], [0.4]])
    with pytest.raises(ValueError, match="l-inf distance 0.4"):
        build_memorizer(x, torch.tensor([0, 1]), attack_radius=0.1, half_separation=EPS)
    with pytest.raises(ValueError, match="attack_radius=0.6"):
        build_memorizer(x, torch.tensor([0, 0]), attack_radius=0.6, half_separation=EPS)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        RobustMemorizer(x, torch.tensor([0, 2]), attack_radius=0.1, half_separation=EPS)
    with pytest.raises(ValueError, match=r"nn.Linear\(1, 1\)"):
        RobustMemorizer(x, torch.tensor([0, 1]), attack_radius=0.1, half_separation=0.2,
                        fallback=nn.Linear(2, 1))
