"""One figure style for the book, and the theory-versus-experiment overlay."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib import pyplot as plt

# Colour-blind-safe palette (Okabe and Ito); experiments are markers, theory is lines.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

STYLE = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
}


def use_style() -> None:
    """Apply the book's figure style to matplotlib's global settings."""
    mpl.rcParams.update(STYLE)


def overlay(ax: plt.Axes, x: Sequence[float] | np.ndarray, *, experiment: Sequence[float] | np.ndarray,
            theory: Sequence[float] | np.ndarray | None = None, spread: Sequence[float] | np.ndarray | None = None,
            label: str = "", color: str | None = None) -> plt.Axes:
    """Draw an experiment as markers (with a shaded ``±spread``) and its theory as a line in one colour.

    All arrays have the length of ``x``. The legend shows ``label`` for the
    experiment and ``"<label>, theory"`` for the theory. Returns ``ax``.
    """
    x = np.asarray(x, dtype=float)
    experiment = np.asarray(experiment, dtype=float)
    if experiment.shape != x.shape:
        raise ValueError(f"experiment has shape {experiment.shape} but x has {x.shape}")
    color = color or ax._get_lines.get_next_color()
    ax.plot(x, experiment, "o", color=color, label=label or "experiment")
    if spread is not None:
        spread = np.asarray(spread, dtype=float)
        if spread.shape != x.shape:
            raise ValueError(f"spread has shape {spread.shape} but x has {x.shape}")
        ax.fill_between(x, experiment - spread, experiment + spread, color=color, alpha=0.2, linewidth=0)
    if theory is not None:
        theory = np.asarray(theory, dtype=float)
        if theory.shape != x.shape:
            raise ValueError(f"theory has shape {theory.shape} but x has {x.shape}")
        ax.plot(x, theory, "-", color=color, alpha=0.8, label=f"{label}, theory" if label else "theory")
    return ax


def mark(ax: plt.Axes, positions: dict[str, float], *, axis: str = "x") -> plt.Axes:
    """Draw labelled dashed reference lines, for example the theory's radii; ``positions`` maps label to value."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    for index, (label, value) in enumerate(positions.items()):
        line = ax.axvline if axis == "x" else ax.axhline
        line(value, linestyle="--", color="0.35", linewidth=1.0)
        if axis == "x":
            ax.annotate(label, (value, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12 - 11 * index),
                        textcoords="offset points", fontsize=8, color="0.25")
        else:
            ax.annotate(label, (1.0, value), xycoords=("axes fraction", "data"), xytext=(-3, 3),
                        textcoords="offset points", fontsize=8, color="0.25", ha="right")
    return ax
