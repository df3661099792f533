"""Charts with Japanese labels: challenge sizes, trends across waves, segment residuals.

Free functions that take plain DataFrames and return :class:`matplotlib.figure.Figure` objects
built without pyplot (no global figure registry, Agg canvas), so they are safe in scripts,
tests and notebooks. The Japanese font is IPAexGothic from ``matplotlib-fontja`` (installs with
pip). :func:`save_figure` writes PNGs whose bytes depend only on the data (fixed dpi, no
software/version metadata).

Small cells: the tables arrive already suppressed (``n == "<5"``, shares and residuals blank).
The charts never draw a suppressed value: trend points are skipped, heat-map cells are grey and
marked ``<5``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic with matplotlib's font manager)
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rsnet_analysis.contract import HIDDEN, SUPPRESSED
from rsnet_analysis.report.heatmap import _draw_heatmap, _heatmap_axes, _heatmap_grid, _heatmap_size

FONT_FAMILY = "IPAexGothic"
"""Font used for every chart (ships with matplotlib-fontja)."""

DPI = 150
"""Resolution of saved PNGs."""

PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
)
"""Line colours for the trend chart (colour-blind friendly enough, distinct in grey print)."""

_RC: dict[str, object] = {
    "font.family": [FONT_FAMILY],
    "font.size": 10,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "normal",
    "svg.hashsalt": "rsnet",
}


@contextlib.contextmanager
def japanese_style() -> Iterator[None]:
    """Context in which figures are built and drawn with the Japanese font and house style."""
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        yield


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _name(key: str, names: Mapping[str, str] | None) -> str:
    if names and key in names and names[key]:
        return str(names[key])
    if key.startswith("cluster:"):
        return f"名前のない課題 {key.split(':', 1)[1]}"
    return key


def _numeric(values: pd.Series) -> pd.Series:
    """Numbers of a column that may hold ``"<5"``; suppressed and blank cells become NaN."""
    return pd.to_numeric(values.where(values.astype(str) != SUPPRESSED), errors="coerce")


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555555")
    return fig


def challenge_sizes_figure(
    sizes: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    title: str = "課題ごとの回答者数",
    xlabel: str = "回答者数（人）",
) -> Figure:
    """Horizontal bar chart of respondents per challenge, largest on top.

    Parameters
    ----------
    sizes : pandas.DataFrame
        Columns ``challenge`` (key), ``n`` (respondents; ``"<5"`` rows are left out) and
        optionally ``share`` (0–1, printed next to the bar) and ``name``.
    names : mapping, optional
        Challenge key to Japanese name; a ``name`` column wins over it.
    title, xlabel : str
        Chart title and axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    with japanese_style():
        data = sizes.copy() if sizes is not None else pd.DataFrame()
        if data.empty or "n" not in data:
            return _empty(_new_figure(7, 2), "表示できる課題がありません")
        data["_n"] = _numeric(data["n"])
        data = data.dropna(subset=["_n"])
        if data.empty:
            return _empty(_new_figure(7, 2), "表示できる課題がありません（5人未満のみ）")
        data = data.sort_values(["_n", "challenge"], ascending=[True, False], kind="mergesort")
        labels = [
            str(row["name"])
            if "name" in data and str(row.get("name", ""))
            else _name(row["challenge"], names)
            for _, row in data.iterrows()
        ]
        fig = _new_figure(7.5, 0.9 + 0.42 * len(data))
        ax = fig.add_subplot()
        y = np.arange(len(data))
        ax.barh(y, data["_n"], color="#4c72b0", height=0.65)
        ax.set_yticks(y, labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        top = float(data["_n"].max())
        ax.set_xlim(0, top * 1.22 if top > 0 else 1)
        shares = _numeric(data["share"]) if "share" in data else pd.Series(np.nan, index=data.index)
        for yi, n, share in zip(y, data["_n"], shares, strict=True):
            text = f"{int(n)}人" + (f"（{share * 100:.1f}%）" if pd.notna(share) else "")
            ax.text(float(n + top * 0.01), float(yi), text, va="center", fontsize=9, color="#333333")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return fig


def _draw_trend(ax: Axes, x: np.ndarray, part: pd.DataFrame, color: str, label: str) -> None:
    """Draw one challenge's line across the waves, with its Wilson intervals as error bars.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The trend chart's axes.
    x : numpy.ndarray
        Position of each wave on the x axis (shifted a little per challenge).
    part : pandas.DataFrame
        The challenge's rows, one per wave in order, with ``_share``, ``_ci_low`` and ``_ci_high``
        (0–1, NaN where not shown: the line breaks there and no error bar is drawn).
    color : str
        Line colour.
    label : str
        Legend entry.
    """
    y = part["_share"].to_numpy(dtype=float) * 100
    low = part["_ci_low"].to_numpy(dtype=float) * 100
    high = part["_ci_high"].to_numpy(dtype=float) * 100
    shown = ~np.isnan(y)
    ax.plot(x, y, color=color, marker="o", linewidth=1.8, label=label)
    ok = shown & ~np.isnan(low) & ~np.isnan(high)
    if ok.any():
        err = np.vstack([y[ok] - low[ok], high[ok] - y[ok]])
        ax.errorbar(
            x[ok],
            y[ok],
            yerr=np.clip(err, 0, None),
            fmt="none",
            ecolor=color,
            elinewidth=1,
            capsize=3,
            alpha=0.8,
        )


def trends_figure(
    trends: pd.DataFrame,
    *,
    challenges: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    wave_labels: Mapping[str, str] | None = None,
    title: str = "課題ごとの回答者の割合（波ごと、95%信頼区間）",
) -> Figure:
    """Share of respondents per challenge across waves, with Wilson intervals as error bars.

    Parameters
    ----------
    trends : pandas.DataFrame
        ``trends.csv`` columns: ``wave, challenge, n, share, ci_low, ci_high`` (waves in
        chronological order of first appearance). Suppressed cells (``n == "<5"`` or blank share)
        are not drawn; the line is broken there.
    challenges : sequence of str, optional
        Which challenges to draw, in legend order; default all (at most 8, largest first).
    names : mapping, optional
        Challenge key to Japanese name.
    wave_labels : mapping, optional
        Wave to label on the x axis (e.g. ``"2023"`` to ``"2023年"``).
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    with japanese_style():
        needed = {"wave", "challenge", "share"}
        if trends is None or trends.empty or not needed <= set(trends.columns):
            return _empty(_new_figure(7, 2), "波ごとの比較はありません")
        data = trends.copy()
        data["wave"] = data["wave"].astype(str)
        data["_share"] = _numeric(data["share"])
        if "n" in data:
            data.loc[data["n"].astype(str).isin([SUPPRESSED, HIDDEN]), "_share"] = np.nan
        for col in ("ci_low", "ci_high"):
            data["_" + col] = _numeric(data[col]) if col in data else np.nan
        waves = list(dict.fromkeys(data["wave"]))
        if challenges is None:
            order = (
                data.groupby("challenge")["_share"]
                .max()
                .dropna()
                .sort_values(ascending=False, kind="mergesort")
            )
            challenges = list(order.index[:8])
        challenges = [c for c in challenges if c in set(data["challenge"])]
        if not challenges or data["_share"].notna().sum() == 0:
            return _empty(_new_figure(7, 2), "表示できる値がありません（5人未満のみ）")
        fig = _new_figure(8, 4.6)
        ax = fig.add_subplot()
        x_of = {w: i for i, w in enumerate(waves)}
        spread = 0.06 if len(challenges) > 1 else 0.0
        for i, key in enumerate(challenges):
            part = data[data["challenge"] == key].set_index("wave").reindex(waves)
            offset = (i - (len(challenges) - 1) / 2) * spread
            x = np.array([x_of[w] + offset for w in waves])
            _draw_trend(ax, x, part, PALETTE[i % len(PALETTE)], _name(key, names))
        ax.set_xticks(range(len(waves)), [(wave_labels or {}).get(w, w) for w in waves])
        ax.set_xlim(-0.5, len(waves) - 0.5)
        ax.set_ylabel("回答者に占める割合（%）")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
        return fig


def _small_cells(data: pd.DataFrame, min_cell: int) -> pd.Series:
    """Cells of the heat map that are not drawn.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows of one segment column, with ``_res`` (the residual as a number).
    min_cell : int
        Smallest count that is drawn.

    Returns
    -------
    pandas.Series of bool
        Suppressed counts and counts below ``min_cell``; without an ``n`` column, blank residuals.
    """
    if "n" in data:
        counts = _numeric(data["n"])
        return counts.isna() | (counts < min_cell)
    return data["_res"].isna()


def segment_heatmap_figure(
    segments: pd.DataFrame,
    segment_col: str,
    *,
    challenges: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
    min_cell: int = 5,
) -> Figure:
    """Heat map of adjusted standardised residuals, challenge by segment.

    Parameters
    ----------
    segments : pandas.DataFrame
        ``segments.csv`` (long format): ``segment_col, segment, challenge, n, residual``.
        Cells with ``n == "<5"`` (or a count below ``min_cell``) or a blank residual are drawn
        grey and labelled ``<5``; segments and challenges without any shown cell are left out.
    segment_col : str
        Which segment column to draw (e.g. ``自治体区分``).
    challenges : sequence of str, optional
        Rows to draw, in order; default all challenges of that segment column, sorted.
    names : mapping, optional
        Challenge key to Japanese name.
    title : str, optional
        Defaults to 「{segment_col}別の特徴（調整済み残差）」.
    min_cell : int, default 5
        Smallest count that is drawn (a defence in case a table arrives unsuppressed).

    Returns
    -------
    matplotlib.figure.Figure
        Red cells: the challenge is raised more often in that segment than expected; blue: less.
        ``|residual| >= 1.96`` is roughly significant at the 5 % level.
    """
    with japanese_style():
        title = title or f"{segment_col}別の特徴（調整済み残差）"
        needed = {"segment_col", "segment", "challenge", "residual"}
        if segments is None or segments.empty or not needed <= set(segments.columns):
            return _empty(_new_figure(7, 2), "区分ごとの比較はありません")
        data = segments[segments["segment_col"].astype(str) == segment_col].copy()
        if data.empty:
            return _empty(_new_figure(7, 2), f"{segment_col}の比較はありません")
        data["_res"] = _numeric(data["residual"])
        small = _small_cells(data, min_cell)
        data.loc[small, "_res"] = np.nan
        visible = data[data["_res"].notna()]
        if visible["segment"].nunique() < 2 or visible["challenge"].nunique() < 1:
            return _empty(_new_figure(7, 2), f"{segment_col}の比較はありません（比べられる区分が2つ未満）")
        segs, rows = _heatmap_axes(data, visible, challenges)
        values, marks = _heatmap_grid(data, small, rows, segs)
        row_labels = [_name(r, names) for r in rows]
        fig = _new_figure(*_heatmap_size(row_labels, segs, title))
        _draw_heatmap(fig, values, marks, segs, row_labels, title)
        return fig


def save_figure(fig: Figure, path: str | Path, *, dpi: int = DPI) -> Path:
    """Save a figure as a PNG whose bytes depend only on its content.

    Save each figure once: a second drawing of the same figure may lay it out a pixel apart
    (constrained layout is iterative), so build a fresh figure for every file.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or Path
        Target file; parent folders are created.
    dpi : int, default DPI
        Resolution.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(figure_png_bytes(fig, dpi=dpi))
    return target


def figure_png_bytes(fig: Figure, *, dpi: int = DPI) -> bytes:
    """Render a figure to PNG bytes (deterministic, as :func:`save_figure`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int, default DPI
        Resolution.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    with japanese_style():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
