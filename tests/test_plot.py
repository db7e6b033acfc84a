import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from lgcore import plot  # noqa: E402


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.fixture
def restore_style():
    with mpl.rc_context():
        yield


def test_use_style_sets_rcparams(restore_style):
    plot.use_style()
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["savefig.bbox"] == "tight"
    assert [to_hex(color) for color in mpl.rcParams["axes.prop_cycle"].by_key()["color"]] == \
        [color.lower() for color in plot.PALETTE]


def test_overlay_experiment_only(ax):
    assert plot.overlay(ax, [1, 2, 3], experiment=[0.1, 0.2, 0.3]) is ax
    (line,) = ax.get_lines()
    assert line.get_marker() == "o"
    assert line.get_linestyle() == "None"
    assert line.get_label() == "experiment"
    np.testing.assert_array_equal(line.get_ydata(), [0.1, 0.2, 0.3])
    assert len(ax.collections) == 0


def test_overlay_theory_and_spread(ax):
    plot.overlay(ax, np.arange(4), experiment=[1, 2, 3, 4], theory=[1.1, 2.1, 2.9, 4.2], spread=[0.1, 0.2, 0.1, 0.3],
                 label="width 64", color="#D55E00")
    experiment, theory = ax.get_lines()
    assert experiment.get_label() == "width 64"
    assert theory.get_label() == "width 64, theory"
    assert theory.get_linestyle() == "-"
    np.testing.assert_array_equal(theory.get_ydata(), [1.1, 2.1, 2.9, 4.2])
    assert experiment.get_color() == theory.get_color() == "#D55E00"

    (band,) = ax.collections
    assert isinstance(band, PolyCollection)
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].min() == pytest.approx(0.9)
    assert vertices[:, 1].max() == pytest.approx(4.3)
    assert to_hex(band.get_facecolor()[0], keep_alpha=False) == "#d55e00"


def test_overlay_colours_follow_cycle(ax):
    plot.overlay(ax, [0, 1], experiment=[0, 1], theory=[0, 1])
    plot.overlay(ax, [0, 1], experiment=[1, 0], theory=[1, 0])
    first, first_theory, second, second_theory = ax.get_lines()
    assert first.get_color() == first_theory.get_color()
    assert second.get_color() == second_theory.get_color()
    assert first.get_color() != second.get_color()


@pytest.mark.parametrize("arguments, message", [
    (dict(experiment=[1, 2]), r"experiment has shape \(2,\) but x has \(3,\)"),
    (dict(experiment=[1, 2, 3], theory=[1, 2]), r"theory has shape \(2,\) but x has \(3,\)"),
    (dict(experiment=[1, 2, 3], spread=[[1, 2, 3]]), r"spread has shape \(1, 3\) but x has \(3,\)"),
])
def test_overlay_rejects_shape_mismatch(ax, arguments, message):
    with pytest.raises(ValueError, match=message):
        plot.overlay(ax, [0, 1, 2], **arguments)


def test_mark_vertical_lines(ax):
    ax.plot([0, 10], [0, 1])
    assert plot.mark(ax, {"sqrt(d/k)": 2.0, "sqrt(d/2)": 7.0}) is ax
    lines = ax.get_lines()[1:]
    assert [line.get_xdata()[0] for line in lines] == [2.0, 7.0]
    assert all(line.get_linestyle() == "--" for line in lines)
    assert [text.get_text() for text in ax.texts] == ["sqrt(d/k)", "sqrt(d/2)"]
    # Labels stack downwards so that close lines do not overlap.
    assert ax.texts[0].xyann[1] > ax.texts[1].xyann[1]


def test_mark_horizontal_lines(ax):
    plot.mark(ax, {"chance": 0.5}, axis="y")
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [0.5, 0.5]
    assert ax.texts[0].get_text() == "chance"


def test_mark_rejects_axis(ax):
    with pytest.raises(ValueError, match="axis must be 'x' or 'y', got 'z'"):
        plot.mark(ax, {"a": 1.0}, axis="z")
