import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from lgcore.models import MLP
from lgcore.robust import accuracy, fgsm, pgd, project, random_start, robust_accuracy, robust_accuracy_curve


def binary_linear(w: torch.Tensor, b: float = 0.0) -> nn.Linear:
    """Build a two-class linear model whose logit difference (class 1 minus class 0) is ``w . x + b``."""
    model = nn.Linear(len(w), 2)
    with torch.no_grad():
        model.weight.copy_(torch.stack([-w / 2, w / 2]))
        model.bias.copy_(torch.tensor([-b / 2, b / 2]))
    return model


def separable_data(n: int = 200, d: int = 20, gap: float = 4.0, seed: int = 0):
    """Sample two Gaussian blobs with labels 0 and 1, centered at ``-gap/2`` and ``+gap/2`` on the first axis."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, d, generator=generator) * 0.3
    x[:, 0] += (y.float() - 0.5) * gap
    return x, y


def trained_linear(x: torch.Tensor, y: torch.Tensor, steps: int = 50) -> nn.Linear:
    torch.manual_seed(0)
    model = nn.Linear(x.shape[1], 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model


@pytest.fixture(scope="module")
def separable_problem():
    """Separable blobs and a logistic-regression model trained on them, shared by the tests of this module."""
    x, y = separable_data()
    return trained_linear(x, y), x, y


class ModeRecorder(nn.Module):
    """Linear model that records ``self.training`` at each forward pass, and can raise on demand."""

    def __init__(self, d: int, classes: int, fail: bool = False):
        super().__init__()
        self.linear = nn.Linear(d, classes)
        self.modes: list[bool] = []
        self.fail = fail

    def forward(self, x):
        self.modes.append(self.training)
        if self.fail:
            raise RuntimeError("forward failed on purpose")
        return self.linear(x)


@pytest.fixture
def image_model():
    torch.manual_seed(0)
    model = MLP(3 * 8 * 8, [32], 10)
    x = torch.rand(16, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 10, (16,), generator=torch.Generator().manual_seed(2))
    return model, x, y


# project and random_start


def test_project_linf_clamps():
    delta = torch.tensor([[0.5, -0.5, 0.05]])
    torch.testing.assert_close(project(delta, 0.1, "linf"), torch.tensor([[0.1, -0.1, 0.05]]))


def test_project_l2_scales_outside_only():
    delta = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    projected = project(delta, 1.0, "l2")
    torch.testing.assert_close(projected, torch.tensor([[0.6, 0.8], [0.3, 0.4]]))


def test_project_l2_per_example_images():
    delta = torch.randn(4, 3, 5, 5) * 10
    norms = project(delta, 0.5, "l2").flatten(1).norm(dim=1)
    torch.testing.assert_close(norms, torch.full((4,), 0.5))


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_random_start_inside_ball(norm):
    x = torch.zeros(500, 3, 4, 4)
    delta = random_start(x, 0.3, norm, generator=torch.Generator().manual_seed(0))
    assert delta.shape == x.shape
    if norm == "linf":
        assert delta.abs().max() <= 0.3
        assert delta.abs().mean().item() == pytest.approx(0.15, rel=0.05)  # uniform in [-eps, eps]
    else:
        radii = delta.flatten(1).norm(dim=1)
        assert radii.max() <= 0.3 * (1 + 1e-6)
        # Uniform in the 48-dimensional ball: almost all mass lies near the surface.
        assert radii.median().item() > 0.3 * 0.98


def test_random_start_generator_reproducible():
    x = torch.zeros(3, 5)
    first = random_start(x, 1.0, "l2", generator=torch.Generator().manual_seed(4))
    second = random_start(x, 1.0, "l2", generator=torch.Generator().manual_seed(4))
    assert torch.equal(first, second)


# PGD: constraints and modes


@pytest.mark.parametrize("norm, eps", [("linf", 8 / 255), ("l2", 0.5)])
def test_pgd_stays_in_ball_and_bounds(image_model, norm, eps):
    model, x, y = image_model
    adversarial = pgd(model, x, y, eps, norm=norm, steps=5, bounds=(0.0, 1.0),
                      generator=torch.Generator().manual_seed(0))
    delta = (adversarial - x).flatten(1)
    size = delta.abs().max(dim=1).values if norm == "linf" else delta.norm(dim=1)
    assert (size <= eps * (1 + 1e-5)).all()
    assert adversarial.min() >= 0.0
    assert adversarial.max() <= 1.0
    assert not adversarial.requires_grad
    assert F.cross_entropy(model(adversarial), y) > F.cross_entropy(model(x), y)


@pytest.mark.parametrize("norm, eps", [("linf", 0.25), ("l2", 1.5)])
def test_pgd_stays_in_ball_unbounded(norm, eps):
    torch.manual_seed(0)
    model = MLP(10, [16], 3)
    x = 5 * torch.randn(32, 10)
    y = torch.randint(0, 3, (32,))
    adversarial = pgd(model, x, y, eps, norm=norm, steps=7)
    delta = adversarial - x
    size = delta.abs().max(dim=1).values if norm == "linf" else delta.norm(dim=1)
    assert (size <= eps * (1 + 1e-5)).all()


def test_pgd_unbounded_does_not_clamp():
    # On a linear model every l-inf sign step has the same sign, so delta is exactly
    # eps * sign(gradient) in every coordinate, also where x + delta leaves [0, 1].
    w = torch.randn(10, generator=torch.Generator().manual_seed(0))
    model = binary_linear(w)
    x = 5 * torch.randn(64, 10, generator=torch.Generator().manual_seed(1))
    y = (x @ w > 0).long()
    adversarial = pgd(model, x, y, 0.5, steps=3, random_init=False, bounds=None)

    assert (x < -1).any()
    assert (x > 2).any()
    assert (adversarial < -1).any()
    assert (adversarial > 2).any()
    expected = x - 0.5 * (2 * y[:, None] - 1) * torch.sign(w)
    torch.testing.assert_close(adversarial, expected)


def test_pgd_bounds_clamp_inside_range():
    w = torch.ones(4)
    model = binary_linear(w)
    x = torch.tensor([[0.95, 0.5, 0.02, 0.5]])
    adversarial = pgd(model, x, torch.tensor([0]), 0.1, steps=3, random_init=False, bounds=(0.0, 1.0))
    torch.testing.assert_close(adversarial, torch.tensor([[1.0, 0.6, 0.12, 0.6]]))


@pytest.mark.parametrize("initially_training", [True, False])
def test_pgd_restores_mode(initially_training):
    model = ModeRecorder(4, 2)
    model.train(initially_training)
    pgd(model, torch.randn(3, 4), torch.tensor([0, 1, 0]), 0.1, steps=2)
    assert model.training is initially_training
    assert model.modes == [False, False]


def test_pgd_restores_mode_after_error():
    model = ModeRecorder(4, 2, fail=True)
    model.train()
    with pytest.raises(RuntimeError, match="forward failed on purpose"):
        pgd(model, torch.randn(3, 4), torch.tensor([0, 1, 0]), 0.1)
    assert model.modes == [False]
    assert model.training is True


def test_pgd_eps_zero_returns_input():
    model = ModeRecorder(4, 2)
    x = torch.randn(3, 4)
    adversarial = pgd(model, x, torch.tensor([0, 1, 0]), 0.0)
    assert torch.equal(adversarial, x)
    assert adversarial is not x
    assert model.modes == []


def test_pgd_custom_loss():
    # Minimizing the logit of the true class is an alternative objective; it must also be maximized.
    w = torch.tensor([1.0, 0.0])
    model = binary_linear(w)
    x = torch.tensor([[1.0, 0.0]])
    loss_fn = lambda logits, y: -logits.gather(1, y[:, None]).sum()
    adversarial = pgd(model, x, torch.tensor([1]), 0.5, norm="l2", steps=4, random_init=False, loss_fn=loss_fn)
    torch.testing.assert_close(adversarial, torch.tensor([[0.5, 0.0]]))


# PGD: strength


def test_pgd_lowers_accuracy_of_trained_model(separable_problem):
    model, x, y = separable_problem
    assert accuracy(model, x, y) == 1.0

    # The flipping radius of a linear model is the logit gap over the dual norm of the weight difference.
    with torch.no_grad():
        logits = model(x)
        gaps = (logits[:, 1] - logits[:, 0]).abs()
        w_diff = model.weight[1] - model.weight[0]
    l2_radii = gaps / w_diff.norm()
    linf_radii = gaps / w_diff.abs().sum()
    assert robust_accuracy(model, x, y, 0.5 * l2_radii.min().item(), norm="l2", steps=20) == 1.0
    assert robust_accuracy(model, x, y, 1.05 * l2_radii.max().item(), norm="l2", steps=20) == 0.0
    assert robust_accuracy(model, x, y, 0.5 * linf_radii.min().item(), norm="linf", steps=20) == 1.0
    assert robust_accuracy(model, x, y, 1.05 * linf_radii.max().item(), norm="linf", steps=20) == 0.0


def test_pgd_l2_finds_minimal_radius():
    # For a linear model, the smallest l-2 perturbation that flips x is |w . x + b| / |w|.
    d = 10
    w = torch.randn(d, generator=torch.Generator().manual_seed(0))
    model = binary_linear(w, b=0.3)
    x = torch.randn(6, d, generator=torch.Generator().manual_seed(1))
    logit_gap = x @ w + 0.3
    y = (logit_gap > 0).long()
    exact = (logit_gap.abs() / w.norm()).tolist()

    for index, radius in enumerate(exact):
        example, target = x[index:index + 1], y[index:index + 1]

        def flips(eps: float) -> bool:
            adversarial = pgd(model, example, target, eps, norm="l2", steps=40,
                              generator=torch.Generator().manual_seed(0))
            return model(adversarial).argmax(dim=1).item() != target.item()

        low, high = 0.0, 2.0 * radius
        assert flips(high)
        for _ in range(14):
            middle = (low + high) / 2
            low, high = (low, middle) if flips(middle) else (middle, high)
        assert high == pytest.approx(radius, rel=0.03)


# FGSM


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_fgsm_one_step_on_linear_model(norm):
    w = torch.tensor([2.0, -1.0, 0.5])
    model = binary_linear(w)
    x = torch.tensor([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    y = torch.tensor([1, 0])
    adversarial = fgsm(model, x, y, 0.1, norm=norm)
    direction = torch.sign(w) if norm == "linf" else w / w.norm()
    expected = x - 0.1 * (2 * y[:, None] - 1) * direction
    torch.testing.assert_close(adversarial, expected)


def test_fgsm_respects_bounds():
    model = binary_linear(torch.tensor([1.0, 1.0]))
    adversarial = fgsm(model, torch.tensor([[0.05, 0.5]]), torch.tensor([1]), 0.1, bounds=(0.0, 1.0))
    torch.testing.assert_close(adversarial, torch.tensor([[0.0, 0.4]]))


def test_fgsm_rejects_bad_norm():
    with pytest.raises(ValueError, match="unknown norm 'l1'; use one of linf, l2"):
        fgsm(nn.Linear(2, 2), torch.zeros(1, 2), torch.tensor([0]), 0.1, norm="l1")


# Argument checks


@pytest.mark.parametrize("arguments, message", [
    (dict(eps=0.1, norm="l1"), "unknown norm 'l1'; use one of linf, l2"),
    (dict(eps=-0.1), "eps must be a finite number >= 0, got -0.1"),
    (dict(eps=math.nan), "eps must be a finite number >= 0, got nan"),
    (dict(eps=0.1, steps=0), "steps must be a positive integer, got 0"),
    (dict(eps=0.1, steps=2.0), "steps must be a positive integer, got 2.0"),
    (dict(eps=0.1, step_size=0.0), "step_size must be positive, got 0.0"),
    (dict(eps=0.1, bounds=(1.0, 0.0)), r"bounds must be \(low, high\) with low < high, got \(1.0, 0.0\)"),
    (dict(eps=0.1, bounds=(0.0, 0.5)), r"inputs span \[0, 0.9\], outside bounds \(0.0, 0.5\)"),
])
def test_pgd_rejects_bad_arguments(arguments, message):
    x = torch.tensor([[0.0, 0.9]])
    with pytest.raises(ValueError, match=message):
        pgd(nn.Linear(2, 2), x, torch.tensor([0]), **arguments)


def test_pgd_rejects_length_mismatch():
    with pytest.raises(ValueError, match="x has 3 examples but y has 2 labels"):
        pgd(nn.Linear(2, 2), torch.zeros(3, 2), torch.tensor([0, 1]), 0.1)


# Accuracy and robust accuracy


def test_accuracy_counts_in_batches():
    model = binary_linear(torch.tensor([1.0]))
    x = torch.tensor([[1.0], [2.0], [-1.0], [-3.0], [0.5]])
    y = torch.tensor([1, 1, 0, 1, 0])
    assert accuracy(model, x, y) == pytest.approx(3 / 5)
    assert accuracy(model, x, y, batch_size=2) == pytest.approx(3 / 5)


def test_accuracy_restores_mode():
    model = ModeRecorder(2, 2)
    model.train()
    accuracy(model, torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), batch_size=3)
    assert model.modes == [False, False]
    assert model.training is True


def test_accuracy_rejects_bad_input():
    with pytest.raises(ValueError, match="x has 2 examples but y has 1 labels"):
        accuracy(nn.Linear(2, 2), torch.zeros(2, 2), torch.zeros(1, dtype=torch.long))
    with pytest.raises(ValueError, match="cannot measure accuracy on an empty set"):
        accuracy(nn.Linear(2, 2), torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))


def test_robust_accuracy_eps_zero_is_clean():
    x, y = separable_data(n=40)
    model = trained_linear(x, y, steps=5)
    assert robust_accuracy(model, x, y, 0.0) == accuracy(model, x, y)


def test_robust_accuracy_batches_and_attack(separable_problem):
    model, x, y = separable_problem
    x, y = x[:50], y[:50]
    calls = []

    def attack(model, x, y, eps, **kwargs):
        calls.append((len(x), eps, kwargs))
        return fgsm(model, x, y, eps, **kwargs)

    batched = robust_accuracy(model, x, y, 0.8, attack=attack, batch_size=20, norm="l2")
    assert [call[0] for call in calls] == [20, 20, 10]
    assert all(call[1:] == (0.8, {"norm": "l2"}) for call in calls)
    assert batched == robust_accuracy(model, x, y, 0.8, attack=fgsm, norm="l2")


def test_robust_accuracy_rejects_length_mismatch():
    with pytest.raises(ValueError, match="x has 2 examples but y has 3 labels"):
        robust_accuracy(nn.Linear(2, 2), torch.zeros(2, 2), torch.zeros(3, dtype=torch.long), 0.1)


def test_robust_accuracy_curve_decreases(separable_problem):
    model, x, y = separable_problem
    radii = [0.0, 0.5, 1.0, 2.0, 4.0]
    curve = robust_accuracy_curve(model, x, y, radii, norm="l2", steps=10, random_init=False)
    assert isinstance(curve, np.ndarray)
    assert curve.shape == (5,)
    assert curve[0] == 1.0
    assert curve[-1] == 0.0
    assert (np.diff(curve) <= 0).all()
    assert curve[2] == robust_accuracy(model, x, y, 1.0, norm="l2", steps=10, random_init=False)


def test_crossing_radius_interpolates():
    from lgcore.robust import crossing_radius

    assert crossing_radius([0.0, 1.0, 2.0], [1.0, 0.8, 0.2], level=0.5) == pytest.approx(1.5)
    assert crossing_radius([0.0, 1.0], [1.0, 0.9]) == float("inf")
    assert crossing_radius([0.5, 1.0], [0.1, 0.0]) == 0.5


def test_crossing_radius_rejects_bad_input():
    from lgcore.robust import crossing_radius

    with pytest.raises(ValueError, match=r"radii must increase strictly, got \[0.0, 0.0\]"):
        crossing_radius([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="must be 1-D of the same length"):
        crossing_radius([0.0, 1.0], [1.0])


def test_pgd_rejects_infinite_eps_and_missing_batch():
    model = torch.nn.Linear(4, 2)
    with pytest.raises(ValueError, match="eps must be a finite number >= 0, got inf"):
        pgd(model, torch.zeros(2, 4), torch.zeros(2, dtype=torch.long), float("inf"))
    with pytest.raises(ValueError, match=r"x must have a batch dimension, \[B, \*\], got shape \(4,\)"):
        pgd(model, torch.zeros(4), torch.zeros(1, dtype=torch.long), 0.1)
