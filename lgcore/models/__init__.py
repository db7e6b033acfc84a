"""Models shared by the chapters."""

from lgcore.models.mlp import MLP, Normalize
from lgcore.models.readout import CoarseReadout
from lgcore.models.resnet import PreActResNet18
from lgcore.models.two_layer import FixedReadoutReLU

__all__ = ["MLP", "CoarseReadout", "FixedReadoutReLU", "Normalize", "PreActResNet18"]
