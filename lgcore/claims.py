"""Claims: a sentence of a paper turned into a check on our own results.

A chapter creates one :class:`Claims` book-keeper and calls
:meth:`Claims.check` for each claim. A check

* compares the measured value with the bound the paper implies, within a
  tolerance whose reason is stated (measured seed spread, finite size, ...);
* writes a JSON record with the chapter's provenance (scale, seeds, lgcore
  version and commit, torch version, hardware) that ``book/reproduction.md``
  renders as one table;
* glues the value for the prose (myst-nb ``glue``) when running in a kernel;
* raises ``AssertionError`` naming the claim, the value and the bound when it
  fails, at ``book`` and ``paper`` scale. At ``smoke`` scale a failure is
  recorded and logged, not raised, because smoke runs are too small to show
  the effects.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lgcore import runtime, scale

logger = logging.getLogger(__name__)

RECORDS_ENV_VAR = "LGCORE_CLAIMS_DIR"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def records_dir() -> Path:
    """Return the folder that contains the claim records.

    ``LGCORE_CLAIMS_DIR`` wins; otherwise ``_build/claims`` at the book's root
    when lgcore sits in a checkout of the book, else ``~/.cache/lgcore/claims``.
    """
    from_env = os.environ.get(RECORDS_ENV_VAR)
    if from_env:
        return Path(from_env)
    root = Path(__file__).resolve().parents[1]
    if (root / "_toc.yml").exists():
        return root / "_build" / "claims"
    return Path.home() / ".cache" / "lgcore" / "claims"


@dataclass(frozen=True)
class ClaimResult:
    """One checked claim, as stored in the JSON record."""

    id: str
    statement: str
    value: float
    bound: str
    paper_value: str
    why: str
    passed: bool


def _as_float(value: Any, claim_id: str) -> float:
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"claim {claim_id!r}: value must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def describe_bound(*, at_least: float | None = None, at_most: float | None = None,
                   expected: float | None = None, rtol: float | None = None,
                   atol: float | None = None) -> str:
    """Return the bound as text, for example ``>= 0.95`` or ``0.447 ± 10%``."""
    if expected is not None:
        parts = []
        if rtol:
            parts.append(f"{rtol:.0%}" if rtol >= 0.01 else f"{rtol:g} rel")
        if atol:
            parts.append(f"{atol:g}")
        return f"{expected:.4g} ± " + " + ".join(parts)
    if at_least is not None and at_most is not None:
        return f"in [{at_least:.4g}, {at_most:.4g}]"
    if at_least is not None:
        return f">= {at_least:.4g}"
    return f"<= {at_most:.4g}"


def within(value: float, *, at_least: float | None = None, at_most: float | None = None,
           expected: float | None = None, rtol: float | None = None, atol: float | None = None) -> bool:
    """Return whether ``value`` satisfies the bound; NaN and infinity never do."""
    if not math.isfinite(value):
        return False
    if expected is not None:
        return abs(value - expected) <= (atol or 0.0) + (rtol or 0.0) * abs(expected)
    if at_least is not None and value < at_least:
        return False
    if at_most is not None and value > at_most:
        return False
    return True


def _validate_bound(claim_id: str, at_least, at_most, expected, rtol, atol) -> None:
    for name, bound in (("at_least", at_least), ("at_most", at_most), ("expected", expected),
                        ("rtol", rtol), ("atol", atol)):
        if bound is not None and not math.isfinite(bound):
            raise ValueError(f"claim {claim_id!r}: {name}={bound} is not a finite number")
    has_interval = at_least is not None or at_most is not None
    if expected is None and not has_interval:
        raise ValueError(f"claim {claim_id!r} has no bound; pass at_least=, at_most= or expected= with rtol=/atol=")
    if expected is not None and has_interval:
        raise ValueError(f"claim {claim_id!r}: pass either expected= (with rtol/atol) or at_least/at_most, not both")
    if expected is not None and not (rtol or atol):
        raise ValueError(f"claim {claim_id!r}: expected={expected} needs a tolerance, rtol= or atol= > 0")
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if tolerance is not None and tolerance < 0:
            raise ValueError(f"claim {claim_id!r}: {name}={tolerance} is negative; tolerances must be >= 0")
    if at_least is not None and at_most is not None and at_least > at_most:
        raise ValueError(f"claim {claim_id!r}: at_least={at_least} is above at_most={at_most}")


def in_kernel() -> bool:
    """Return whether the code runs in a Jupyter kernel (where glue can publish values)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def glue(name: str, value: Any) -> Any:
    """Publish ``value`` under ``name`` for the prose (``{glue:text}`name:.3f```); return it.

    Outside a Jupyter kernel (a chapter run as a script) this does nothing.
    """
    if isinstance(value, np.generic):
        value = value.item()  # glue formats text/plain, and numpy's repr is "np.float64(...)"
    if in_kernel():
        from myst_nb import glue as myst_glue

        myst_glue(name, value, display=False)
    return value


class Claims:
    """Book-keeper of one chapter's claims.

    Parameters
    ----------
    chapter:
        The chapter's slug, for example ``"robustness/feature-averaging"``.
    paper:
        The BibTeX key of the paper in ``book/references.bib``.
    seeds:
        The seeds of the chapter's experiments, stored in the record.
    """

    def __init__(self, chapter: str, *, paper: str, seeds: list[int] | tuple[int, ...] | int | None = None,
                 folder: str | Path | None = None):
        if not chapter or not re.fullmatch(r"[a-z0-9][a-z0-9/_-]*", chapter):
            raise ValueError(f"chapter slug {chapter!r} is invalid; use lower-case words and '/', "
                             "for example 'robustness/feature-averaging'")
        self.chapter = chapter
        self.paper = paper
        self.provenance = runtime.provenance(seeds)
        self.results: list[ClaimResult] = []
        self.path = Path(folder or records_dir()) / (chapter.replace("/", "__") + ".json")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write()

    def check(self, claim_id: str, statement: str, value: Any, *, why: str,
              at_least: float | None = None, at_most: float | None = None,
              expected: float | None = None, rtol: float | None = None, atol: float | None = None,
              paper_value: str = "") -> ClaimResult:
        """Check one claim, record it, glue its value under ``claim_id`` and return the result.

        ``why`` gives the reason for the tolerance (a measured spread, a finite
        size effect); ``paper_value`` is what the paper states, as text.
        Raises ``AssertionError`` on failure at ``book`` and ``paper`` scale.
        """
        if not _ID_PATTERN.fullmatch(claim_id or ""):
            raise ValueError(f"claim id {claim_id!r} is invalid; use lower-case letters, digits, '-' and '_'")
        if any(result.id == claim_id for result in self.results):
            raise ValueError(f"claim id {claim_id!r} was already checked in {self.chapter}; ids must be unique")
        if not why or not why.strip():
            raise ValueError(f"claim {claim_id!r}: why= must give the reason for the tolerance")
        _validate_bound(claim_id, at_least, at_most, expected, rtol, atol)
        measured = _as_float(value, claim_id)

        bounds = dict(at_least=at_least, at_most=at_most, expected=expected, rtol=rtol, atol=atol)
        result = ClaimResult(
            id=claim_id, statement=statement, value=measured, bound=describe_bound(**bounds),
            paper_value=paper_value, why=why, passed=within(measured, **bounds),
        )
        self.results.append(result)
        self._write()
        glue(claim_id, measured)

        if not result.passed:
            message = (f"claim {self.chapter}:{claim_id} failed: {statement}. "
                       f"Measured {measured:.6g}, required {result.bound} ({why}).")
            if scale.asserts_claims():
                raise AssertionError(message)
            logger.warning("%s Not asserted at smoke scale.", message)
        return result

    def _write(self) -> None:
        record = {
            "chapter": self.chapter,
            "paper": self.paper,
            "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "provenance": self.provenance,
            "claims": [asdict(result) for result in self.results],
        }
        temporary = self.path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(record, indent=2))
        os.replace(temporary, self.path)


def load_records(folder: str | Path | None = None) -> list[dict]:
    """Read every chapter's claim record from ``folder`` (default :func:`records_dir`), sorted by chapter."""
    folder = Path(folder or records_dir())
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            records.append(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            raise ValueError(f"claim record {path} is not valid JSON ({error}); delete it and rerun its chapter") from error
    return sorted(records, key=lambda record: record["chapter"])


TABLE_COLUMNS = ("claim", "statement", "paper", "ours", "required", "result", "why this tolerance")
TABLE_WIDTHS = (14, 22, 12, 7, 9, 6, 30)  # relative column widths of the rendered table


def provenance_line(record: dict) -> str:
    """Describe where one chapter's record came from: scale, seeds, lgcore version and commit, hardware, time."""
    provenance = record["provenance"]
    commit = provenance.get("git_commit") or "no git checkout"
    seeds = ", ".join(str(seed) for seed in provenance.get("seeds", [])) or "none"
    return (f"scale {provenance['scale']}; seeds {seeds}; lgcore {provenance['lgcore_version']} "
            f"(commit {commit}); torch {provenance['torch_version']}; {provenance['hardware']}; "
            f"written {record.get('written', 'at an unknown time')}")


def table_rows(record: dict) -> list[tuple[str, ...]]:
    """Flatten one chapter's claim record into rows of :data:`TABLE_COLUMNS`, one per claim."""
    return [(claim["id"], claim["statement"], claim["paper_value"] or "", f"{claim['value']:.4g}", claim["bound"],
             "pass" if claim["passed"] else "FAIL", claim["why"]) for claim in record["claims"]]
