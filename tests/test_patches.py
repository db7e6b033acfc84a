"""Tests of the patch data generator."""

import pytest
import torch

from lgcore.data.patches import sample_patches, unit_feature


def test_unit_feature_has_unit_norm():
    feature = unit_feature(50, generator=torch.Generator().manual_seed(0))
    assert feature.shape == (50,)
    assert feature.norm().item() == pytest.approx(1.0)


def test_sample_patches_structure():
    generator = torch.Generator().manual_seed(0)
    feature = unit_feature(30, generator=generator)
    data = sample_patches(20, feature, num_patches=3, alpha=2.0, noise_std=0.5, generator=generator)
    assert data.x.shape == (20, 3, 30)
    assert int(data.y.sum()) == 10
    rows = torch.arange(20)
    signal = data.x[rows, data.signal_patch]
    assert torch.allclose(signal, 2.0 * data.sign.unsqueeze(1) * feature)
    assert torch.allclose(data.noise @ feature, torch.zeros(20, 3), atol=1e-5)
    assert torch.all(data.noise[rows, data.signal_patch] == 0)
    assert torch.allclose(data.x - data.noise, data.x.clone().zero_().index_put_(
        (rows, data.signal_patch), signal))


def test_sample_patches_same_seed_same_data():
    feature = unit_feature(10, generator=torch.Generator().manual_seed(1))
    first = sample_patches(8, feature, generator=torch.Generator().manual_seed(2))
    second = sample_patches(8, feature, generator=torch.Generator().manual_seed(2))
    assert torch.equal(first.x, second.x)
    assert torch.equal(first.to("cpu").y, second.y)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), "n must be"), (dict(num_patches=1), "num_patches"), (dict(alpha=0.0), "alpha"),
    (dict(noise_std=-1.0), "noise_std"),
])
def test_sample_patches_rejects_bad_arguments(kwargs, message):
    arguments = dict(n=4, feature=unit_feature(5)) | kwargs
    with pytest.raises(ValueError, match=message):
        sample_patches(**arguments)


def test_sample_patches_rejects_non_unit_feature():
    with pytest.raises(ValueError, match="unit vector"):
        sample_patches(4, torch.ones(5))


def test_unit_feature_rejects_small_dimension():
    with pytest.raises(ValueError, match="d must be"):
        unit_feature(1)
