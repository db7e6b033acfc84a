"""Counting behind the expressive-power lower bound: how large a VC dimension robust classifiers need.

Suppose a hypothesis class reaches robust error at most ``error`` on every
labelling of ``m`` points (the erased-clue vertices of
:mod:`lgcore.data.hypercube`, one per vertex). Then for each of the ``2^m``
labellings some member agrees with it on all but ``error * m`` points, so the
class restricted to those points has at least ``2^m / |Hamming ball|``
distinct patterns. The Hamming ball of radius ``error * m`` contains at most
``2^(H(error) m)`` labellings (``H`` the binary entropy, ``error <= 1/2``), and
by the Sauer-Shelah lemma a class of VC dimension ``V`` has at most
``sum_{i <= V} C(m, i)`` patterns on ``m`` points. The smallest ``V`` that
satisfies both is a lower bound on the VC dimension; it grows like
``m / log m``, so exponentially in ``k`` when ``m = 2^k``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, logsumexp


def binary_entropy(p: float) -> float:
    """Binary entropy ``H(p)`` in bits, for ``p`` in [0, 1]."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if p in (0.0, 1.0):
        return 0.0
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def log2_sauer_shelah(points: int, vc_dimension: int) -> float:
    """Return ``log2 sum_{i <= V} C(m, i)``: the most patterns a class of VC dimension ``V`` has on ``m`` points."""
    i = np.arange(0, min(vc_dimension, points) + 1)
    log_binomials = gammaln(points + 1) - gammaln(i + 1) - gammaln(points - i + 1)
    return float(logsumexp(log_binomials) / math.log(2))


def required_vc_dimension(points: int, error: float = 0.25) -> int:
    """Return the smallest VC dimension that allows robust error ``error`` on every labelling of ``points`` points.

    ``error`` must be in [0, 1/2). Solves ``log2_sauer_shelah(m, V) >= (1 - H(error)) m`` by bisection.
    """
    if not isinstance(points, int) or points < 1:
        raise ValueError(f"points must be a positive integer, got {points!r}")
    if not 0.0 <= error < 0.5:
        raise ValueError(f"error must be in [0, 0.5), got {error}; at 1/2 a constant classifier suffices")
    needed = (1.0 - binary_entropy(error)) * points
    low, high = 0, points
    while low < high:
        middle = (low + high) // 2
        if log2_sauer_shelah(points, middle) >= needed - 1e-9:
            high = middle
        else:
            low = middle + 1
    return low
