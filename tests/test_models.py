import re

import pytest
import torch
from torch import nn

from lgcore.models import MLP, CoarseReadout, FixedReadoutReLU, Normalize


class FixedLogits(nn.Module):
    """Model that returns fixed logits whatever the input."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.logits = logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits


# MLP


def test_mlp_flattens_images():
    model = MLP(3 * 4 * 4, [16, 8], 5)
    assert model(torch.randn(7, 3, 4, 4)).shape == (7, 5)
    assert model.in_features == 48


def test_mlp_layer_structure():
    model = MLP(10, [6, 4], 3, activation="tanh", bias=False)
    linear = [layer for layer in model.net if isinstance(layer, nn.Linear)]
    assert [(layer.in_features, layer.out_features) for layer in linear] == [(10, 6), (6, 4), (4, 3)]
    assert all(layer.bias is None for layer in linear)
    assert sum(isinstance(layer, nn.Tanh) for layer in model.net) == 2
    assert isinstance(model.net[-1], nn.Linear)


def test_mlp_without_hidden_is_linear():
    model = MLP(4, [], 2)
    (linear,) = [layer for layer in model.net if isinstance(layer, nn.Linear)]
    x = torch.randn(3, 4)
    torch.testing.assert_close(model(x), linear(x))


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh", "identity"])
def test_mlp_activations(activation):
    assert MLP(4, [3], 2, activation=activation)(torch.randn(2, 4)).shape == (2, 2)


@pytest.mark.parametrize("in_features, hidden, out_features", [(0, [4], 2), (4, [0], 2), (4, [3], -1),
                                                               (4, [2.5], 2)])
def test_mlp_rejects_bad_widths(in_features, hidden, out_features):
    widths = [in_features, *hidden, out_features]
    with pytest.raises(ValueError, match=re.escape(f"layer widths must be positive integers, got {widths}")):
        MLP(in_features, hidden, out_features)


def test_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; use one of relu, gelu, tanh, identity"):
        MLP(4, [3], 2, activation="swish")


# Normalize


def test_normalize_per_channel():
    layer = Normalize([0.5, 0.25], [0.5, 2.0])
    x = torch.ones(1, 2, 3, 3)
    y = layer(x)
    assert torch.allclose(y[0, 0], torch.full((3, 3), 1.0))
    assert torch.allclose(y[0, 1], torch.full((3, 3), 0.375))


def test_normalize_buffers_follow_state_dict():
    layer = Normalize([0.1, 0.2, 0.3], [1.0, 1.0, 1.0])
    assert set(layer.state_dict()) == {"mean", "std"}
    assert list(layer.parameters()) == []


def test_normalize_rejects_length_mismatch():
    with pytest.raises(ValueError, match="mean and std need one value per channel, got 3 and 2"):
        Normalize([0.1, 0.2, 0.3], [1.0, 1.0])


@pytest.mark.parametrize("std", [[1.0, 0.0], [1.0, -2.0]])
def test_normalize_rejects_non_positive_std(std):
    with pytest.raises(ValueError, match=re.escape(f"std must be positive, got {std}")):
        Normalize([0.0, 0.0], std)


# FixedReadoutReLU


def test_fixed_readout_shapes():
    model = FixedReadoutReLU(6, 3, 4, generator=torch.Generator().manual_seed(0))
    assert model(torch.randn(5, 6)).shape == (5, 3)
    assert model.neurons().shape == (3, 4, 6)
    assert [name for name, _ in model.named_parameters()] == ["weight"]


def test_fixed_readout_averages_relu():
    model = FixedReadoutReLU(5, 2, 3, init_std=1.0, generator=torch.Generator().manual_seed(1))
    x = torch.randn(4, 5)
    neurons = model.neurons()
    expected = torch.stack([torch.relu(x @ neurons[c].T).mean(dim=1) for c in range(2)], dim=1)
    torch.testing.assert_close(model(x), expected)


def test_fixed_readout_init_std():
    model = FixedReadoutReLU(100, 2, 50, init_std=0.01, generator=torch.Generator().manual_seed(0))
    assert model.weight.std().item() == pytest.approx(0.01, rel=0.05)


def test_fixed_readout_flattens_input():
    model = FixedReadoutReLU(12, 2, 2)
    assert model(torch.randn(3, 3, 4)).shape == (3, 2)


@pytest.mark.parametrize("arguments, message", [
    ((0, 2, 4), "in_features must be an integer >= 1, got 0"),
    ((4, 1, 4), "num_classes must be an integer >= 2, got 1"),
    ((4, 2, 0), "width must be an integer >= 1, got 0"),
    ((4, 2, 2.0), "width must be an integer >= 1, got 2.0"),
])
def test_fixed_readout_rejects_sizes(arguments, message):
    with pytest.raises(ValueError, match=message):
        FixedReadoutReLU(*arguments)


def test_fixed_readout_rejects_init_std():
    with pytest.raises(ValueError, match="init_std must be positive, got 0.0"):
        FixedReadoutReLU(4, 2, 2, init_std=0.0)


# CoarseReadout


def test_coarse_readout_follows_top_fine_logit():
    # Fine classes 0..3, coarse classes: fine 0 and 2 are coarse 0, fine 1 and 3 are coarse 1.
    fine = torch.tensor([[10.0, 0.0, 9.0, 1.0],   # top fine 0 -> coarse 0
                         [0.0, 0.0, 0.0, 8.0],    # top fine 3 -> coarse 1
                         [5.0, 12.0, 5.0, 5.0]])  # top fine 1 -> coarse 1
    readout = CoarseReadout(FixedLogits(fine), [0, 1, 0, 1])
    coarse = readout(torch.zeros(3, 1))
    assert coarse.shape == (3, 2)
    assert coarse.argmax(dim=1).tolist() == [0, 1, 1]


def test_coarse_readout_is_logsumexp():
    fine = torch.randn(6, 5)
    coarse = CoarseReadout(FixedLogits(fine), [2, 0, 1, 0, 2])(torch.zeros(6, 1))
    expected = torch.stack([torch.logsumexp(fine[:, [1, 3]], dim=1), fine[:, 2],
                            torch.logsumexp(fine[:, [0, 4]], dim=1)], dim=1)
    torch.testing.assert_close(coarse, expected)


def test_coarse_readout_many_small_logits():
    # Log-sum-exp is a smooth maximum: many fine classes just below the top can outweigh it.
    # The coarse class follows the top fine logit when it leads by more than log(class size).
    crowd = torch.tensor([[5.0, 4.0, 4.0, 4.0, 4.0]])
    assert CoarseReadout(FixedLogits(crowd), [0, 1, 1, 1, 1])(torch.zeros(1, 1)).argmax().item() == 1
    leading = torch.tensor([[5.0 + 1.4, 4.0, 4.0, 4.0, 4.0]])  # lead 2.4 > log(4) = 1.39
    assert CoarseReadout(FixedLogits(leading), [0, 1, 1, 1, 1])(torch.zeros(1, 1)).argmax().item() == 0


def test_coarse_readout_passes_gradients():
    model = nn.Linear(3, 4)
    readout = CoarseReadout(model, [0, 1, 1, 0])
    readout(torch.randn(2, 3)).sum().backward()
    assert model.weight.grad is not None
    assert (model.weight.grad.abs().sum(dim=1) > 0).all()


def test_coarse_readout_mapping_is_buffer():
    readout = CoarseReadout(nn.Linear(3, 4), [0, 1, 1, 0])
    assert readout.num_coarse == 2
    assert readout.state_dict()["coarse_of_fine"].tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("mapping", [[0], [], [[0, 1], [1, 0]]])
def test_coarse_readout_rejects_short_mapping(mapping):
    with pytest.raises(ValueError, match="coarse_of_fine must list the coarse class of each fine class"):
        CoarseReadout(nn.Identity(), mapping)


@pytest.mark.parametrize("mapping, classes", [([0, 2, 2], "[0, 2]"), ([1, 1, 2], "[1, 2]"), ([0, -1, 1], "[-1, 0, 1]")])
def test_coarse_readout_rejects_gaps(mapping, classes):
    with pytest.raises(ValueError, match=re.escape(f"coarse classes must be 0..C-1 with none empty, got {classes}")):
        CoarseReadout(nn.Identity(), mapping)


def test_coarse_readout_rejects_logit_count():
    readout = CoarseReadout(nn.Linear(3, 5), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="model returned 5 logits but coarse_of_fine maps 4 fine classes"):
        readout(torch.randn(2, 3))


def test_mlp_rejects_boolean_width():
    with pytest.raises(ValueError, match=r"layer widths must be positive integers, got \[4, True, 2\]"):
        MLP(4, [True], 2)
