"""Separated binary data on the vertices of the unit hypercube.

The data model of the expressive-power chapter. An input ``x`` in ``[0, 1]^d``
has three parts:

* coordinates ``0 .. k-1`` (the *relevant* ones) are a uniform vertex
  ``c`` of ``{0, 1}^k``, and the label is ``y = table[c]`` for a lookup table
  of ``2^k`` labels, half of them 1;
* coordinates ``k .. d-2`` are 0 (``irrelevant="zero"``: the data lie on a
  ``k``-dimensional face of the cube, the low-dimensional case) or uniform
  bits (``irrelevant="random"``: the data fill the cube);
* coordinate ``d-1`` is the *clue* ``1/2 + clue * (2y - 1)``. With
  ``clue > 0`` the two classes are linearly separable through this coordinate
  alone, with l-inf margin ``clue``; an attack of l-inf radius above ``clue``
  erases it.

Two points with different labels differ in a relevant coordinate by 1, so the
classes are at l-inf distance at least 1, that is ``2 * half_separation`` with
``half_separation = 1/2``. This is the lower-bound construction of the
expressive-power chapter. One linear unit solves the clean problem, but a
classifier that is robust at a radius above ``clue`` has to know the label of
every one of the ``2^k`` vertices.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

HALF_SEPARATION = 0.5
IRRELEVANT = ("zero", "random")


@dataclass(frozen=True)
class HypercubeData:
    """Inputs ``x`` ``[n, d]`` in ``[0, 1]``, labels ``y`` ``[n]`` in {0, 1}, and the vertex ``index`` ``[n]``.

    ``index`` is the relevant vertex ``c`` read as a binary number (coordinate
    ``j`` has weight ``2^j``), so ``y == table[index]``.
    """

    x: torch.Tensor
    y: torch.Tensor
    index: torch.Tensor
    table: torch.Tensor
    clue: float

    @property
    def k(self) -> int:
        """Number of relevant coordinates."""
        return int(self.table.numel()).bit_length() - 1

    @property
    def d(self) -> int:
        """Input dimension."""
        return self.x.shape[1]

    def __len__(self) -> int:
        return len(self.y)


def random_table(k: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw a balanced lookup table: ``2^k`` labels in {0, 1}, exactly half of them 1, as int64 ``[2^k]``."""
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 24:
        raise ValueError(f"k (relevant coordinates) must be an integer in [1, 24], got {k!r}; "
                         "the table has 2^k entries")
    size = 2 ** k
    return (torch.randperm(size, generator=generator) < size // 2).long()


def linf_separation(x: torch.Tensor, y: torch.Tensor, *, chunk: int = 1024) -> float:
    """Return the smallest l-inf distance between two points of different labels.

    ``x`` is ``[n, d]`` and ``y`` is ``[n]``. Returns ``inf`` when one label is
    absent. Compares in chunks of ``chunk`` rows, so memory is ``chunk * n * d``.
    """
    if x.ndim != 2 or y.shape != x.shape[:1]:
        raise ValueError(f"x must be [n, d] and y [n], got {tuple(x.shape)} and {tuple(y.shape)}")
    positive, negative = x[y == 1], x[y != 1]
    if len(positive) == 0 or len(negative) == 0:
        return float("inf")
    smallest = float("inf")
    for start in range(0, len(positive), chunk):
        block = positive[start:start + chunk]
        distances = (block[:, None, :] - negative[None, :, :]).abs().amax(dim=2)
        smallest = min(smallest, float(distances.min()))
    return smallest


def sample_hypercube(n: int, d: int, table: torch.Tensor, *, clue: float = 0.1, irrelevant: str = "zero",
                     check: bool = True, generator: torch.Generator | None = None) -> HypercubeData:
    """Sample ``n`` labelled points of the hypercube data model (see the module docstring).

    ``table`` (from :func:`random_table`) fixes ``k`` and the labels; ``d``
    must be at least ``k + 1`` (the last coordinate is the clue). With
    ``check``, the l-inf distance between the classes is computed and a
    ``ValueError`` is raised unless it is at least ``2 * HALF_SEPARATION``.
    Returns float32 inputs.
    """
    if table.ndim != 1 or table.numel() < 2 or table.numel() & (table.numel() - 1):
        raise ValueError(f"table must be 1-D with 2^k entries (k >= 1), got shape {tuple(table.shape)}; "
                         "draw it with random_table(k)")
    k = table.numel().bit_length() - 1
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(d, int) or isinstance(d, bool) or d < k + 1:
        raise ValueError(f"d={d!r} is too small for k={k} relevant coordinates plus the clue; "
                         f"pass d >= {k + 1}")
    if not 0.0 <= clue < HALF_SEPARATION:
        raise ValueError(f"clue={clue} must be in [0, {HALF_SEPARATION}) so that the clue coordinate "
                         "stays in [0, 1] and below the class separation")
    if irrelevant not in IRRELEVANT:
        raise ValueError(f"irrelevant={irrelevant!r} is unknown; use one of {', '.join(IRRELEVANT)}")

    bits = torch.randint(0, 2, (n, d - 1), generator=generator)
    if irrelevant == "zero":
        bits[:, k:] = 0
    index = (bits[:, :k] * (2 ** torch.arange(k))).sum(dim=1)
    y = table[index]

    x = torch.empty(n, d)
    x[:, :d - 1] = bits.float()
    x[:, d - 1] = 0.5 + clue * (2 * y.float() - 1)
    if check:
        separation = linf_separation(x, y)
        if separation < 2 * HALF_SEPARATION:
            raise ValueError(f"classes are at l-inf distance {separation:.4g}, below "
                             f"{2 * HALF_SEPARATION}; the table or the coordinates are inconsistent")
    return HypercubeData(x, y, index, table, float(clue))


def seen_fraction(train: HypercubeData, test: HypercubeData) -> float:
    """Return the fraction of test points whose relevant vertex occurs in the training set."""
    seen = torch.zeros(train.table.numel(), dtype=torch.bool)
    seen[train.index] = True
    return float(seen[test.index].float().mean())


def robust_accuracy_ceiling(k: int, n_train: int) -> float:
    """Expected best robust test accuracy from ``n_train`` samples, when a radius above the clue is attacked.

    Once the attack erases the clue, a vertex never seen in training carries
    no information about its label, so any classifier is right on it with
    probability 1/2 over the draw of the table. A vertex is unseen with
    probability ``(1 - 2^-k)^n_train``, so the ceiling is
    ``1 - (1 - 2^-k)^n_train / 2``. (A balanced table makes the unseen labels
    weakly dependent; the formula ignores that.)
    """
    if not isinstance(k, int) or k < 1 or not isinstance(n_train, int) or n_train < 0:
        raise ValueError(f"k must be a positive integer and n_train a non-negative one, got {k!r}, {n_train!r}")
    return 1.0 - 0.5 * (1.0 - 2.0 ** -k) ** n_train
