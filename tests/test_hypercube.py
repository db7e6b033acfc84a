"""Tests of the separated hypercube data model."""

import pytest
import torch

from lgcore.data.hypercube import (HALF_SEPARATION, linf_separation, random_table, robust_accuracy_ceiling,
                                   sample_hypercube, seen_fraction)


def test_random_table_is_balanced():
    table = random_table(5, generator=torch.Generator().manual_seed(0))
    assert table.shape == (32,)
    assert int(table.sum()) == 16


@pytest.mark.parametrize("irrelevant", ["zero", "random"])
def test_sample_is_separated_and_labelled(irrelevant):
    table = random_table(4, generator=torch.Generator().manual_seed(1))
    data = sample_hypercube(300, 9, table, clue=0.1, irrelevant=irrelevant,
                            generator=torch.Generator().manual_seed(2))
    assert data.x.shape == (300, 9)
    assert data.k == 4
    assert data.x.min() >= 0.0
    assert data.x.max() <= 1.0
    assert torch.equal(data.y, table[data.index])
    assert linf_separation(data.x, data.y) >= 2 * HALF_SEPARATION


def test_zero_irrelevant_coordinates_lie_on_a_face():
    table = random_table(3, generator=torch.Generator().manual_seed(0))
    data = sample_hypercube(100, 8, table, irrelevant="zero", generator=torch.Generator().manual_seed(0))
    assert torch.all(data.x[:, 3:7] == 0)


def test_clue_separates_classes_linearly():
    table = random_table(3, generator=torch.Generator().manual_seed(0))
    data = sample_hypercube(200, 5, table, clue=0.1, generator=torch.Generator().manual_seed(0))
    clue = data.x[:, -1]
    assert torch.allclose(clue[data.y == 1], torch.tensor(0.6))
    assert torch.allclose(clue[data.y == 0], torch.tensor(0.4))


def test_linf_separation_of_known_points():
    x = torch.tensor([[0.0, 0.0], [0.3, 0.1], [1.0, 0.0]])
    y = torch.tensor([0, 1, 0])
    assert linf_separation(x, y) == pytest.approx(0.3)
    assert linf_separation(x, torch.zeros(3, dtype=torch.long)) == float("inf")


def test_linf_separation_chunks_agree():
    generator = torch.Generator().manual_seed(0)
    x, y = torch.rand(50, 3, generator=generator), torch.randint(0, 2, (50,), generator=generator)
    assert linf_separation(x, y, chunk=7) == linf_separation(x, y)


def test_seen_fraction_and_ceiling():
    table = random_table(2, generator=torch.Generator().manual_seed(0))
    train = sample_hypercube(400, 3, table, generator=torch.Generator().manual_seed(0))
    test = sample_hypercube(100, 3, table, generator=torch.Generator().manual_seed(1))
    assert seen_fraction(train, test) == 1.0
    assert robust_accuracy_ceiling(2, 0) == 0.5
    assert robust_accuracy_ceiling(3, 8) == pytest.approx(1 - 0.5 * (7 / 8) ** 8)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    (dict(n=10, d=5, clue=0.5), "clue=0.5"),
    (dict(n=10, d=2, clue=0.1), "pass d >= 4"),
    (dict(n=0, d=5, clue=0.1), "n must be a positive integer"),
    (dict(n=10, d=5, clue=0.1, irrelevant="noise"), "irrelevant='noise'"),
])
def test_sample_rejects_bad_arguments(kwargs, fragment):
    table = random_table(3, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        sample_hypercube(table=table, **kwargs)


def test_bad_table_and_k_raise():
    with pytest.raises(ValueError, match="2\\^k entries"):
        sample_hypercube(10, 5, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="got 0"):
        random_table(0)
