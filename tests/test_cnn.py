"""Tests of the two-layer patch CNN."""

import pytest
import torch

from lgcore.models.cnn import PatchCNN


def test_patch_cnn_matches_formula():
    model = PatchCNN(4, 2, power=2.0, generator=torch.Generator().manual_seed(0))
    x = torch.randn(3, 5, 4)
    pre = torch.einsum("bpd,crd->bcrp", x, model.filters)
    expected = torch.relu(pre).pow(2).sum(dim=(2, 3))
    assert model(x).shape == (3, 2)
    assert torch.allclose(model(x), expected)


def test_alignments_of_known_filters():
    model = PatchCNN(3, 1)
    with torch.no_grad():
        model.filters.copy_(torch.tensor([[[-2.0, 0, 0]], [[1.0, 1.0, 0]]]))
    feature = torch.tensor([1.0, 0, 0])
    assert model.feature_alignment(feature).tolist() == [[2.0], [1.0]]
    noise = torch.zeros(2, 2, 3)
    noise[0, 1] = torch.tensor([0, 3.0, 0])   # sample of class 1: filter (1, 1, 0) has pre-activation 3
    noise[1, 0] = torch.tensor([0, 0, 5.0])   # sample of class 0: filter (-2, 0, 0) has pre-activation 0
    assert model.noise_alignment(noise, torch.tensor([1, 0])).tolist() == [3.0, 0.0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(d=0), "d must be"), (dict(width=0), "width must be"), (dict(num_classes=1), "num_classes"),
    (dict(power=0.5), "power"), (dict(init_std=0.0), "init_std"),
])
def test_patch_cnn_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PatchCNN(**(dict(d=4, width=2) | kwargs))


def test_patch_cnn_rejects_bad_shapes():
    model = PatchCNN(4, 2)
    with pytest.raises(ValueError, match=r"\[B, P, 4\]"):
        model(torch.randn(3, 4))
    with pytest.raises(ValueError, match="noise must be"):
        model.noise_alignment(torch.randn(2, 3, 5), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="two classes"):
        PatchCNN(4, 2, num_classes=3).feature_alignment(torch.ones(4))
