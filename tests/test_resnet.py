"""Tests of the pre-activation ResNet-18 and of the CIFAR-10 adversarial-training path."""

import pytest
import torch

from lgcore.data import ImageData
from lgcore.experiments import robust_overfitting as ro
from lgcore.models import PreActResNet18


def test_preact_resnet18_shapes_and_size():
    model = PreActResNet18(10, width=4)
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    standard = sum(p.numel() for p in PreActResNet18(10).parameters())
    assert 11_000_000 < standard < 11_300_000  # the usual 11.2 million parameters


def test_preact_resnet18_rejects_bad_arguments():
    with pytest.raises(ValueError, match="width must be a positive integer, got 0"):
        PreActResNet18(10, width=0)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2, got 1"):
        PreActResNet18(1)


def test_build_model_rejects_unknown_architecture():
    images = ImageData(torch.rand(4, 3, 32, 32), torch.arange(4) % 2, ("a", "b"))
    with pytest.raises(ValueError, match="unknown architecture 'vgg'; use 'mlp' or 'preact-resnet18'"):
        ro.build_model(ro.DigitsConfig(architecture="vgg"), images)


def test_adversarial_resnet_path_runs(monkeypatch):
    # The paper preset's code path (PreAct-ResNet-18, PGD training, step decay) on 16 tiny images.
    monkeypatch.setattr(ro, "PreActResNet18", lambda classes, in_channels: PreActResNet18(
        classes, width=2, in_channels=in_channels))
    generator = torch.Generator().manual_seed(0)
    images = ImageData(torch.rand(16, 3, 32, 32, generator=generator), torch.arange(16) % 10,
                       tuple(str(c) for c in range(10)))
    config = ro.DigitsConfig(architecture="preact-resnet18", epochs=2, batch_size=8, eps=8 / 255,
                             train_attack_steps=2, train_attack_step_size=2 / 255, eval_attack_steps=2,
                             eval_every_epochs=1, eval_train_size=8, lr_milestones=(1,), weight_decay=5e-4)
    history = ro.run_adversarial_digits(images, images, config, seed=0, progress=False, device="cpu")
    assert history.series("epoch")[1].tolist() == [0.0, 1.0, 2.0]
    assert history.series("lr")[1][-1] == pytest.approx(config.lr * 0.1)
