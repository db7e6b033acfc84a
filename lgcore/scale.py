"""Scale presets: one variable picks how big every experiment is.

``LGCORE_SCALE`` selects one of three presets:

* ``smoke``: seconds; used by the unit tests. Claims are recorded, not asserted.
* ``book``: the default; what CI executes and the rendered book shows, about
  1 to 1.5 minutes per chapter on 2 idle CPU cores.
* ``paper``: one GPU, approaching the sizes of the paper's own experiments.

A chapter states each size once with :func:`pick`, so the same code runs at
all three scales.
"""

from __future__ import annotations

import os
from typing import TypeVar

SCALES = ("smoke", "book", "paper")
DEFAULT_SCALE = "book"
ENV_VAR = "LGCORE_SCALE"

T = TypeVar("T")


def validate(name: str) -> str:
    """Return ``name`` lower-cased if it is a known scale, else raise ``ValueError``."""
    normalized = str(name).strip().lower()
    if normalized not in SCALES:
        raise ValueError(
            f"unknown scale {name!r}; valid scales are {', '.join(SCALES)}. "
            f"Set {ENV_VAR} to one of them, or unset it for {DEFAULT_SCALE!r}."
        )
    return normalized


def current() -> str:
    """Return the active scale, read from ``LGCORE_SCALE`` at each call (default ``book``)."""
    return validate(os.environ.get(ENV_VAR) or DEFAULT_SCALE)


def pick(*, smoke: T, book: T, paper: T, scale: str | None = None) -> T:
    """Return the value for the active scale (or for ``scale`` when given).

    Example: ``steps = pick(smoke=20, book=2_000, paper=50_000)``.
    """
    name = validate(scale) if scale is not None else current()
    return {"smoke": smoke, "book": book, "paper": paper}[name]


def asserts_claims(scale: str | None = None) -> bool:
    """Return whether claims are asserted at this scale: at ``book`` and ``paper``, not at ``smoke``."""
    name = validate(scale) if scale is not None else current()
    return name != "smoke"
