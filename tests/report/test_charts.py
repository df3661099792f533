"""Tests of rsnet_analysis.plotting: Japanese glyphs, suppressed cells, deterministic PNGs."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from rsnet_analysis.report import charts as plotting

# labels with the characters that most often come out as empty boxes
NAMES = {
    "polarization": "人材の二極化",
    "kpi": "何を成果とするか・目標の立て方",
    "cluster:3": "（名前のない課題）〔氏名〕ー生成AI・ルール",
}


def sizes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "challenge": ["kpi", "polarization", "cluster:3", "turnover"],
            "n": [14, 10, 8, "<5"],
            "share": [0.335, 0.278, 0.222, None],
        }
    )


def trends() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ["2023", "cluster:3", "<5", None, None, None],
            ["2023", "kpi", 6, 0.25, 0.12, 0.45],
            ["2023", "polarization", 12, 0.5, 0.31, 0.69],
            ["2024", "cluster:3", 8, 0.222, 0.117, 0.38],
            ["2024", "kpi", 14, 0.335, 0.24, 0.55],
            ["2024", "polarization", 10, 0.278, 0.158, 0.44],
        ],
        columns=["wave", "challenge", "n", "share", "ci_low", "ci_high"],
    )


def segments() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ["自治体区分", "市", "kpi", 6, 2.5],
            ["自治体区分", "市", "polarization", "<5", None],
            ["自治体区分", "町", "kpi", "<5", None],
            ["自治体区分", "町", "polarization", 7, -1.2],
            ["自治体区分", "村", "kpi", 2, 9.9],
            ["自治体区分", "村", "polarization", 8, -2.2],
            ["地域", "中部", "kpi", 9, 0.4],
        ],
        columns=["segment_col", "segment", "challenge", "n", "residual"],
    )


def draw_strictly(fig: Figure) -> bytes:
    """Render with every warning (missing glyphs included) turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return plotting.figure_png_bytes(fig)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_backend_is_agg_and_font_is_japanese() -> None:
    fig = plotting.challenge_sizes_figure(sizes(), names=NAMES)
    assert fig.canvas.get_default_filetype() == "png"
    assert type(fig.canvas).__name__ == "FigureCanvasAgg"
    label = fig.axes[0].get_yticklabels()[0]
    assert label.get_fontname() == plotting.FONT_FAMILY


@pytest.mark.parametrize(
    "build",
    [
        lambda: plotting.challenge_sizes_figure(
            sizes(), names=NAMES, title="課題〔全体〕ー・テスト"
        ),
        lambda: plotting.trends_figure(
            trends(), names=NAMES, wave_labels={"2023": "2023年", "2024": "2024年"}
        ),
        lambda: plotting.segment_heatmap_figure(segments(), "自治体区分", names=NAMES),
        lambda: plotting.challenge_sizes_figure(pd.DataFrame()),
        lambda: plotting.trends_figure(pd.DataFrame()),
        lambda: plotting.segment_heatmap_figure(pd.DataFrame(), "地域"),
    ],
    ids=["sizes", "trends", "heatmap", "sizes-empty", "trends-empty", "heatmap-empty"],
)
def test_no_missing_glyph_warnings(build) -> None:  # noqa: ANN001
    data = draw_strictly(build())
    assert data.startswith(b"\x89PNG")


def test_missing_glyph_check_does_fail() -> None:
    """A glyph the font lacks must make the strict drawing fail (the check is not decoration)."""
    fig = plotting.challenge_sizes_figure(sizes(), names={"kpi": "絵文字\U0001f600"})
    with pytest.raises(UserWarning, match="missing from font"):
        draw_strictly(fig)


def test_sizes_chart_leaves_out_suppressed_and_sorts() -> None:
    fig = plotting.challenge_sizes_figure(sizes(), names=NAMES)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [NAMES["cluster:3"], NAMES["polarization"], NAMES["kpi"]]
    assert "14人（33.5%）" in texts(fig)


def test_trends_chart_skips_suppressed_points() -> None:
    fig = plotting.trends_figure(trends(), challenges=["cluster:3", "kpi"], names=NAMES)
    lines = fig.axes[0].get_lines()
    by_label = {line.get_label(): line for line in lines if not line.get_label().startswith("_")}
    ys = np.asarray(by_label[NAMES["cluster:3"]].get_ydata(), dtype=float)
    assert np.isnan(ys[0]) and ys[1] == pytest.approx(22.2)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2023", "2024"]


def test_heatmap_hides_small_cells() -> None:
    fig = plotting.segment_heatmap_figure(
        segments(), "自治体区分", challenges=["kpi", "polarization"], names=NAMES
    )
    shown = texts(fig)
    assert "2.5" in shown and "-2.2" in shown and "-1.2" in shown
    assert "9.9" not in shown  # n = 2 slipped through unsuppressed: still hidden
    assert shown.count("<5") == 3
    image = fig.axes[0].images[0].get_array()
    assert image.mask.sum() == 3


def test_saved_png_is_deterministic_and_has_no_software_tag(tmp_path: Path) -> None:
    a = plotting.save_figure(plotting.trends_figure(trends(), names=NAMES), tmp_path / "a.png")
    b = plotting.save_figure(plotting.trends_figure(trends(), names=NAMES), tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert b"matplotlib" not in a.read_bytes()
    assert b"Software" not in a.read_bytes()


def test_global_style_is_left_alone() -> None:
    before = matplotlib.rcParams["axes.unicode_minus"]
    plotting.challenge_sizes_figure(sizes())
    assert matplotlib.rcParams["axes.unicode_minus"] == before


def test_saved_file_is_a_png_at_fixed_dpi(tmp_path: Path) -> None:
    fig = plotting.challenge_sizes_figure(sizes(), names=NAMES)
    path = plotting.save_figure(fig, tmp_path / "sub" / "x.png")
    data = path.read_bytes()
    assert io.BytesIO(data).read(4) == b"\x89PNG"
    width = int.from_bytes(data[16:20], "big")
    assert width == round(fig.get_figwidth() * plotting.DPI)


def _segments(segments: list[str], challenges: list[str], col: str = "役割") -> pd.DataFrame:
    rows = [
        {"segment_col": col, "segment": s, "challenge": c, "n": 12, "residual": 1.0 + i - j}
        for i, s in enumerate(segments)
        for j, c in enumerate(challenges)
    ]
    return pd.DataFrame(rows)


def _overlap(fig: Figure) -> bool:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels() if t.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_heatmap_tick_labels_never_overlap() -> None:
    """segments_role.png: three long role names under three narrow columns."""
    fig = plotting.segment_heatmap_figure(_segments(["DX推進担当", "人事・研修担当", "企画・その他"], ["a", "b"]), "役割")
    assert not _overlap(fig)


def test_a_heatmap_of_one_segment_is_not_drawn_and_the_title_is_whole() -> None:
    one = plotting.segment_heatmap_figure(_segments(["市"], ["a"]), "役割")
    assert not one.axes[0].images  # a message, not a 1 x 1 map
    fig = plotting.segment_heatmap_figure(_segments(["長野県", "その他"], ["a", "b"], "都道府県"), "都道府県")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    title = fig._suptitle.get_window_extent(renderer)  # type: ignore[union-attr]
    assert title.x0 >= 0 and title.x1 <= fig.bbox.width
