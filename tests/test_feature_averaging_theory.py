import math

import pytest
import torch

from lgcore.data import orthogonal_centers
from lgcore.models import FixedReadoutReLU
from lgcore.theory import feature_averaging as theory

D, K = 64, 8


@pytest.fixture
def clusters():
    """Return ``K`` orthogonal centers of norm sqrt(D) in float64 and the label of each cluster (its parity)."""
    centers = orthogonal_centers(K, D, generator=torch.Generator().manual_seed(0)).double()
    label_of_cluster = torch.arange(K) % 2
    return centers, label_of_cluster


def network_with_neurons(neurons: torch.Tensor) -> FixedReadoutReLU:
    """Build a FixedReadoutReLU whose first-layer weights are ``neurons`` ``[num_classes, width, d]``."""
    num_classes, width, d = neurons.shape
    model = FixedReadoutReLU(d, num_classes, width).double()
    with torch.no_grad():
        model.weight.copy_(neurons.reshape(num_classes * width, d))
    return model


def averaging_network(centers, label_of_cluster, width: int = 3) -> FixedReadoutReLU:
    """Build the ideal feature-averaging network: every neuron of a label points along the sum of its centers."""
    sums = theory.label_sums(centers, label_of_cluster)
    units = sums / sums.norm(dim=1, keepdim=True)
    return network_with_neurons(units[:, None, :].expand(2, width, -1))


def fine_grained_network(centers, label_of_cluster) -> FixedReadoutReLU:
    """Build a network in which each label owns one neuron per center of that label, pointing along the center."""
    units = centers / centers.norm(dim=1, keepdim=True)
    return network_with_neurons(torch.stack([units[label_of_cluster == label] for label in (0, 1)]))


def predictions(model, x):
    with torch.no_grad():
        return model(x).argmax(dim=1)


# Closed forms


def test_cosine_with_center_values():
    assert theory.cosine_with_center(2) == pytest.approx(1.0)
    assert theory.cosine_with_center(4) == pytest.approx(math.sqrt(0.5))
    assert theory.cosine_with_center(50) == pytest.approx(0.2)


def test_averaging_radius_values():
    assert theory.averaging_radius(100, 4) == pytest.approx(5.0)
    assert theory.averaging_radius(D, K) == pytest.approx(math.sqrt(8.0))


def test_fine_grained_radius_values():
    assert theory.fine_grained_radius(50) == pytest.approx(5.0)
    assert theory.fine_grained_radius(2) == pytest.approx(1.0)


def test_cosine_matches_label_sums(clusters):
    centers, label_of_cluster = clusters
    sums = theory.label_sums(centers, label_of_cluster)
    alignment = theory.cosines(sums, centers)
    own = label_of_cluster[None, :] == torch.arange(2)[:, None]
    torch.testing.assert_close(alignment[own], torch.full((K,), theory.cosine_with_center(K), dtype=torch.float64))
    torch.testing.assert_close(alignment[~own], torch.zeros(K, dtype=torch.float64), atol=1e-6, rtol=0)


# label_sums and cosines


def test_label_sums(clusters):
    centers, label_of_cluster = clusters
    sums = theory.label_sums(centers, label_of_cluster)
    assert sums.shape == (2, D)
    torch.testing.assert_close(sums[0], centers[0::2].sum(dim=0))
    torch.testing.assert_close(sums[1], centers[1::2].sum(dim=0))
    assert sums.norm(dim=1).tolist() == pytest.approx([math.sqrt(K / 2 * D)] * 2)


def test_label_sums_rejects_shapes():
    with pytest.raises(ValueError, match=r"need centers \[k, d\] and label_of_cluster \[k\], got \(4, 8\) and \(3,\)"):
        theory.label_sums(torch.zeros(4, 8), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got \(8,\) and \(8,\)"):
        theory.label_sums(torch.zeros(8), torch.zeros(8, dtype=torch.long))


def test_cosines_shape_and_values():
    neurons = torch.randn(2, 5, 6)
    directions = torch.randn(3, 6)
    result = theory.cosines(neurons, directions)
    assert result.shape == (2, 5, 3)
    expected = torch.nn.functional.cosine_similarity(neurons[..., None, :], directions, dim=-1)
    torch.testing.assert_close(result, expected)
    assert (result.abs() <= 1 + 1e-6).all()


def test_cosines_scale_invariant():
    neurons = torch.tensor([[1.0, 0.0], [3.0, 3.0]])
    torch.testing.assert_close(theory.cosines(neurons, torch.tensor([[10.0, 0.0]])),
                               torch.tensor([[1.0], [math.sqrt(0.5)]]))


def test_cosines_zero_neuron_is_zero():
    assert theory.cosines(torch.zeros(1, 3), torch.eye(3)).tolist() == [[0.0, 0.0, 0.0]]


def test_cosines_rejects_dimension_mismatch():
    with pytest.raises(ValueError, match="neurons live in dimension 5 but directions in 4"):
        theory.cosines(torch.zeros(2, 5), torch.zeros(3, 4))


# Averaging attack


def test_ideal_averaging_network_neurons(clusters):
    centers, label_of_cluster = clusters
    model = averaging_network(centers, label_of_cluster)
    alignment = theory.cosines(model.neurons(), centers)
    assert alignment.shape == (2, 3, K)
    assert alignment[0, :, 0::2].flatten().tolist() == pytest.approx([theory.cosine_with_center(K)] * 12)


def test_averaging_attack_flips_just_above_radius(clusters):
    centers, label_of_cluster = clusters
    model = averaging_network(centers, label_of_cluster)
    x, label = centers, label_of_cluster
    assert predictions(model, x).tolist() == label.tolist()

    radius = theory.averaging_radius(D, K)
    below = theory.averaging_attack(x, label, centers, label_of_cluster, 0.99 * radius)
    above = theory.averaging_attack(x, label, centers, label_of_cluster, 1.01 * radius)
    assert predictions(model, below).tolist() == label.tolist()
    assert predictions(model, above).tolist() == (1 - label).tolist()


def test_averaging_attack_geometry(clusters):
    centers, label_of_cluster = clusters
    x = centers + 0.1 * torch.randn(K, D, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    label = label_of_cluster
    moved = theory.averaging_attack(x, label, centers, label_of_cluster, 2.5)
    delta = moved - x
    torch.testing.assert_close(delta.norm(dim=1), torch.full((K,), 2.5, dtype=torch.float64))
    sums = theory.label_sums(centers, label_of_cluster)
    toward_other = theory.cosines(delta, (sums[1] - sums[0])[None]).squeeze(1)
    torch.testing.assert_close(toward_other, torch.where(label == 0, 1.0, -1.0).double())


def test_averaging_attack_zero_radius(clusters):
    centers, label_of_cluster = clusters
    assert torch.equal(theory.averaging_attack(centers, label_of_cluster, centers, label_of_cluster, 0.0), centers)


def test_averaging_attack_rejects_bad_input(clusters):
    centers, label_of_cluster = clusters
    with pytest.raises(ValueError, match="radius must be >= 0, got -1.0"):
        theory.averaging_attack(centers, label_of_cluster, centers, label_of_cluster, -1.0)
    three_labels = torch.arange(K) % 3
    with pytest.raises(ValueError, match="the averaging attack needs two labels, got 3"):
        theory.averaging_attack(centers, three_labels, centers, three_labels, 1.0)


# Nearest-center attack


def test_nearest_center_attack_flips_fine_grained(clusters):
    centers, label_of_cluster = clusters
    model = fine_grained_network(centers, label_of_cluster)
    cluster = torch.arange(K)
    x, label = centers, label_of_cluster
    assert predictions(model, x).tolist() == label.tolist()

    radius = theory.fine_grained_radius(D)
    below = theory.nearest_center_attack(x, cluster, centers, label_of_cluster, 0.99 * radius)
    above = theory.nearest_center_attack(x, cluster, centers, label_of_cluster, 1.01 * radius)
    assert predictions(model, below).tolist() == label.tolist()
    assert predictions(model, above).tolist() == (1 - label).tolist()


def test_fine_grained_network_resists_averaging_attack(clusters):
    # Against one neuron per center, the averaging direction flips the label only at radius
    # 2 sqrt(d k) / (k + 2), which is above sqrt(d / k) for k > 2 (4.53 against 2.83 here).
    centers, label_of_cluster = clusters
    model = fine_grained_network(centers, label_of_cluster)
    moved = theory.averaging_attack(centers, label_of_cluster, centers, label_of_cluster,
                                    1.01 * theory.averaging_radius(D, K))
    assert predictions(model, moved).tolist() == label_of_cluster.tolist()


def test_nearest_center_attack_geometry(clusters):
    centers, label_of_cluster = clusters
    cluster = torch.tensor([0, 1, 2, 3])
    moved = theory.nearest_center_attack(centers[cluster], cluster, centers, label_of_cluster, 1.5)
    delta = moved - centers[cluster]
    torch.testing.assert_close(delta.norm(dim=1), torch.full((4,), 1.5, dtype=torch.float64))
    # Label-0 clusters move towards center 1 (the first of label 1), label-1 clusters towards center 0.
    targets = torch.tensor([1, 0, 1, 0])
    expected = centers[targets] - centers[cluster]
    torch.testing.assert_close(theory.cosines(delta, expected).diagonal(), torch.ones(4, dtype=torch.float64))


def test_nearest_center_attack_rejects_radius(clusters):
    centers, label_of_cluster = clusters
    with pytest.raises(ValueError, match="radius must be >= 0, got -0.5"):
        theory.nearest_center_attack(centers, torch.arange(K), centers, label_of_cluster, -0.5)


# Argument checks


@pytest.mark.parametrize("d, k, message", [
    (10, 3, "k must be an even integer >= 2 \\(two labels of k/2 clusters\\), got 3"),
    (10, 0, "k must be an even integer >= 2"),
    (10, 4.0, "got 4.0"),
    (3, 4, "d must be an integer >= k=4, got 3"),
    (10.0, 4, "d must be an integer >= k=4, got 10.0"),
])
def test_averaging_radius_rejects_sizes(d, k, message):
    with pytest.raises(ValueError, match=message):
        theory.averaging_radius(d, k)


@pytest.mark.parametrize("k", [1, 3, 0])
def test_cosine_with_center_rejects_k(k):
    with pytest.raises(ValueError, match=f"k must be an even integer >= 2 .*got {k}"):
        theory.cosine_with_center(k)


@pytest.mark.parametrize("d", [1, 0, 4.0])
def test_fine_grained_radius_rejects_d(d):
    with pytest.raises(ValueError, match=f"d must be an integer >= 2, got {d}"):
        theory.fine_grained_radius(d)


def test_cosines_rejects_one_dimensional_directions():
    with pytest.raises(ValueError, match=r"directions must have shape \[p, d\], got \(3,\)"):
        theory.cosines(torch.zeros(2, 3), torch.ones(3))
