"""The report's charts, saved as PNG files from the result tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report import charts as plotting
from rsnet_analysis.report.context import _survey_questions, _waves, challenge_sizes
from rsnet_analysis.report.labels import (
    N_LEADING,
    SEGMENT_SLUGS,
    _number,
    _shown_count,
    _table,
    challenge_names,
    wave_label,
)


def make_figures(result: AnalysisResult, fig_dir: Path) -> list[dict[str, Any]]:
    """Draw and save the charts.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    fig_dir : Path
        Folder for the PNGs (created).

    Returns
    -------
    list of dict
        One per figure, in a fixed order: ``file`` (name), ``path`` (Path), ``title``, ``alt``.
    """
    names = challenge_names(result)
    questions = _survey_questions(_table(result, "counts"))
    question = questions[0] if questions else ""
    waves = _waves(_table(result, "counts"), question) if question else []
    sizes = challenge_sizes(result, question or None)
    out: list[dict[str, Any]] = []

    def _save(fig: Any, file: str, title: str, alt: str) -> None:
        path = plotting.save_figure(fig, fig_dir / file)
        out.append({"file": file, "path": path, "title": title, "alt": alt})

    latest = wave_label(waves[-1]) if waves else ""
    title = f"課題ごとの回答者数（{latest}）" if latest else "課題ごとの回答者数"
    _save(
        plotting.challenge_sizes_figure(sizes, names=names, title=title),
        "challenge_sizes.png",
        title,
        "課題ごとの回答者数の横棒グラフ（5人未満の課題は省略）",
    )
    trends = _table(result, "trends")
    if "question" in trends:
        trends = trends[trends["question"].astype(str) == question]
    if "statement" in trends:
        trends = trends[trends["statement"].astype(str) == "challenge"]
    if len(waves) > 1 and not trends.empty:
        top = list(sizes["challenge"].head(N_LEADING))
        _save(
            plotting.trends_figure(
                trends,
                challenges=top or None,
                names=names,
                wave_labels={w: wave_label(w) for w in waves},
            ),
            "trends.png",
            "主な課題の推移",
            "主な課題について、回答者に占める割合を波ごとに示した折れ線グラフ（縦線は95%信頼区間）",
        )
    segments = _table(result, "segments")
    if {"segment_col", "challenge", "residual", "n"} <= set(segments.columns):
        order = {k: i for i, k in enumerate(sizes["challenge"])}
        for i, col in enumerate(dict.fromkeys(segments["segment_col"].astype(str))):
            part = segments[segments["segment_col"].astype(str) == col]
            visible = part[
                part["n"].map(_shown_count).notna() & part["residual"].map(_number).notna()
            ]
            if visible["segment"].nunique() < 2:
                continue  # one segment alone compares with nothing
            rows = sorted(
                set(visible["challenge"]), key=lambda k: (order.get(k, len(order)), str(k))
            )
            slug = SEGMENT_SLUGS.get(col, f"{i + 1}")
            _save(
                plotting.segment_heatmap_figure(segments, col, challenges=rows, names=names),
                f"segments_{slug}.png",
                f"{col}別の特徴",
                f"{col}ごとに課題の多い・少ないを調整済み残差で示したヒートマップ（5人未満のセルは灰色）",
            )
    return out


# --------------------------------------------------------------------------------------------
