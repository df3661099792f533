"""The steps of :func:`rsnet_analysis.report.charts.segment_heatmap_figure`.

The grid of residuals and of the marks of grey cells, the figure's size and the drawing, as small
functions. They take plain values (the chart module resolves names and builds the figure), so this
module imports nothing of the charts'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from rsnet_analysis.contract import HIDDEN, SUPPRESSED
from rsnet_analysis.report.textwrap_ja import display_width


def _marks(data: pd.DataFrame, small: pd.Series) -> list[str]:
    """What a grey cell says: the table's own mark (``<5``, or ``x`` for a count hidden as a partner)."""
    if "n" not in data:
        return [SUPPRESSED if s else "" for s in small]
    return [
        (str(n) if str(n) in (SUPPRESSED, HIDDEN) else SUPPRESSED) if s else ""
        for n, s in zip(data["n"], small, strict=True)
    ]


def _heatmap_axes(
    data: pd.DataFrame, visible: pd.DataFrame, challenges: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """Columns (segments) and rows (challenges) of the heat map.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows of one segment column.
    visible : pandas.DataFrame
        Those of its rows whose residual is shown.
    challenges : sequence of str or None
        The rows asked for, in order; None: every shown challenge, sorted.

    Returns
    -------
    tuple of (list of str, list of str)
        Segments in table order and challenges, each with at least one shown cell.
    """
    shown_segments = set(visible["segment"].astype(str))
    segs = [s for s in dict.fromkeys(data["segment"].astype(str)) if s in shown_segments]
    rows = list(challenges) if challenges is not None else sorted(set(visible["challenge"]))
    rows = [r for r in rows if r in set(visible["challenge"])]
    return segs, rows


def _heatmap_grid(
    data: pd.DataFrame, small: pd.Series, rows: list[str], segs: list[str]
) -> tuple[np.ndarray, pd.DataFrame]:
    """Residuals and grey-cell marks laid out as rows (challenges) x columns (segments).

    Parameters
    ----------
    data : pandas.DataFrame
        The rows of one segment column, with ``_res`` (the residual, NaN where not shown).
    small : pandas.Series of bool
        Cells that are not drawn (suppressed or too small).
    rows, segs : list of str
        Challenges and segments, in drawing order.

    Returns
    -------
    tuple of (numpy.ndarray, pandas.DataFrame)
        The residuals as floats (NaN: grey cell) and, cell by cell, the mark of a grey cell.
    """
    grid = (
        data.assign(segment=data["segment"].astype(str))
        .pivot_table(
            index="challenge", columns="segment", values="_res", aggfunc="first", dropna=False
        )
        .reindex(index=rows, columns=segs)
    )
    marks = (
        data.assign(segment=data["segment"].astype(str), _mark=_marks(data, small))
        .pivot_table(
            index="challenge", columns="segment", values="_mark", aggfunc="first", dropna=False
        )
        .reindex(index=rows, columns=segs)
        .fillna(SUPPRESSED)
    )
    return grid.to_numpy(dtype=float), marks


def _heatmap_size(row_labels: list[str], segs: list[str], title: str) -> tuple[float, float]:
    """Width and height of the figure in inches.

    Parameters
    ----------
    row_labels : list of str
        The challenge names shown as row labels.
    segs : list of str
        The segments (columns).
    title : str
        The figure's title.

    Returns
    -------
    tuple of (float, float)
        Wide enough for the row labels, the segment columns and the title, at most 14 in.
    """
    # wide enough for the segment columns and for the title (about 0.19 in per full-width character)
    label_width = 0.09 * max(display_width(label) for label in row_labels)
    width = min(14.0, max(3.2 + 0.95 * len(segs), 0.3 + 0.1 * display_width(title), label_width + 1.6 + 0.95 * len(segs)))
    height = 1.4 + 0.4 * len(row_labels)
    return width, height


def _colour_limit(values: np.ndarray) -> int:
    """Residual at the ends of the colour scale: the largest shown ``|residual|``, at least 3, rounded up.

    Parameters
    ----------
    values : numpy.ndarray
        The residuals (NaN: grey cell).

    Returns
    -------
    int
    """
    finite = values[~np.isnan(values)]
    limit = max(3.0, float(np.abs(finite).max())) if finite.size else 3.0
    return math.ceil(limit)


def _heatmap_ticks(ax: Axes, segs: list[str], row_labels: list[str]) -> None:
    """Segment names under the columns (tilted when long or many), challenge names beside the rows.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The heat map's axes.
    segs : list of str
        The segments (columns).
    row_labels : list of str
        The challenge names (rows).
    """
    # a column is about 0.95 in wide: about 11 display columns of tick text fit under it
    tilt = len(segs) > 6 or max(display_width(s) for s in segs) > 11
    ax.set_xticks(
        range(len(segs)),
        segs,
        rotation=30 if tilt else 0,
        ha="right" if tilt else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _label_cells(ax: Axes, values: np.ndarray, marks: pd.DataFrame, limit: int) -> None:
    """Write each cell's residual, or the mark of a grey cell, in the cell.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The heat map's axes.
    values : numpy.ndarray
        The residuals (NaN: grey cell).
    marks : pandas.DataFrame
        The marks of grey cells, laid out as ``values``.
    limit : int
        The end of the colour scale; cells beyond 60 % of it are labelled in white.
    """
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            value = values[i, j]
            if np.isnan(value):
                label = str(marks.iat[i, j])
                ax.text(j, i, label, ha="center", va="center", fontsize=8, color="#777777")
                continue
            strong = abs(value) >= 0.6 * limit
            ax.text(
                j,
                i,
                f"{value:.1f}".replace("-0.0", "0.0"),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if strong else "#222222",
                fontweight="normal",
            )


def _draw_heatmap(
    fig: Figure,
    values: np.ndarray,
    marks: pd.DataFrame,
    segs: list[str],
    row_labels: list[str],
    title: str,
) -> None:
    """Draw the cells, their labels, the colour bar and the title on an empty figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure (sized by :func:`_heatmap_size`).
    values : numpy.ndarray
        The residuals, rows x segments (NaN: grey cell).
    marks : pandas.DataFrame
        The marks of grey cells, laid out as ``values``.
    segs : list of str
        The segments (columns).
    row_labels : list of str
        The challenge names (rows).
    title : str
        The figure's title.
    """
    limit = _colour_limit(values)
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#e6e6e6")
    image = ax.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        norm=TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit),
        aspect="auto",
    )
    _heatmap_ticks(ax, segs, row_labels)
    _label_cells(ax, values, marks, limit)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.set_label("調整済み残差（赤：多い・青：少ない）", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    # over the whole figure, not the cells alone: a narrow table would cut a long title
    fig.suptitle(title, x=0.02, ha="left", fontsize=matplotlib.rcParams["axes.titlesize"])
