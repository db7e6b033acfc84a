"""Pre-activation ResNet-18 (He et al., 2016), the standard network of adversarial-training papers on CIFAR-10.

Input ``[B, 3, 32, 32]`` in ``[0, 1]``; the network normalizes internally
(:class:`lgcore.models.Normalize`), so attacks work in pixel units.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from lgcore.models.mlp import Normalize

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2471, 0.2435, 0.2616)


class PreActBlock(nn.Module):
    """Two 3x3 convolutions, each after batch norm and ReLU, with an identity or 1x1 shortcut."""

    def __init__(self, in_channels: int, channels: int, stride: int):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=1, padding=1, bias=False)
        self.shortcut = (nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False)
                         if stride != 1 or in_channels != channels else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActResNet18(nn.Module):
    """Pre-activation ResNet-18: four stages of two blocks, ``width`` channels in the first stage.

    ``width=64`` is the standard network (about 11 million parameters); smaller
    widths give the same architecture for tests. Output logits ``[B, num_classes]``.
    """

    def __init__(self, num_classes: int = 10, *, width: int = 64, in_channels: int = 3,
                 mean: Sequence[float] = CIFAR10_MEAN, std: Sequence[float] = CIFAR10_STD):
        super().__init__()
        if not isinstance(width, int) or isinstance(width, bool) or width < 1:
            raise ValueError(f"width must be a positive integer, got {width!r}")
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        self.normalize = Normalize(mean, std)
        self.stem = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        blocks, channels = [], width
        for stage, stride in enumerate((1, 2, 2, 2)):
            out_channels = width * 2 ** stage
            blocks += [PreActBlock(channels, out_channels, stride), PreActBlock(out_channels, out_channels, 1)]
            channels = out_channels
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(channels)
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.blocks(self.stem(self.normalize(x)))
        out = F.adaptive_avg_pool2d(F.relu(self.bn(out)), 1).flatten(1)
        return self.head(out)
