"""Tests of the VC-dimension counting of the expressive-power lower bound."""

import math

import pytest

from lgcore.theory.expressive_power import binary_entropy, log2_sauer_shelah, required_vc_dimension


def test_binary_entropy_values():
    assert binary_entropy(0.5) == pytest.approx(1.0)
    assert binary_entropy(0.0) == 0.0
    assert binary_entropy(0.25) == pytest.approx(0.8112781, rel=1e-6)


def test_sauer_shelah_full_dimension_counts_all_labellings():
    assert log2_sauer_shelah(10, 10) == pytest.approx(10.0)
    assert log2_sauer_shelah(10, 1) == pytest.approx(math.log2(11))


def test_zero_error_needs_full_shattering():
    assert required_vc_dimension(12, 0.0) == 12


def test_required_dimension_grows_with_points():
    values = [required_vc_dimension(2 ** k) for k in range(2, 12)]
    assert values == sorted(values)
    assert values[-1] > 2 ** 11 / 11 * 0.1


def test_bad_error_raises():
    with pytest.raises(ValueError, match="error must be in"):
        required_vc_dimension(8, 0.5)
