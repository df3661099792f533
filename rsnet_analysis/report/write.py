"""Writing every report file of a run: HTML, Markdown, newsletter, workbook and figures."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report import charts as plotting
from rsnet_analysis.report.context import report_context
from rsnet_analysis.report.figures import FigureJob
from rsnet_analysis.report.render import render_html, render_markdown, render_newsletter
from rsnet_analysis.report.workbook import write_workbook


def _css_width(png: Path) -> int:
    """Width in CSS pixels at which a saved figure shows its text at the intended size."""
    header = png.read_bytes()[:24]
    pixels = int.from_bytes(header[16:20], "big")
    return round(pixels * 96 / plotting.DPI)


def write_reports(
    result: AnalysisResult, out_dir: str | Path, *, figures: FigureJob | None = None, jobs: int | None = None
) -> list[Path]:
    """Write ``report.html``, ``report.md``, ``newsletter.txt``, ``report.xlsx`` and ``figures/*.png``.

    For a large run the charts are drawn in a worker process while the workbook is written
    (:class:`~rsnet_analysis.report.figures.FigureJob`); the files are the same either way.

    Parameters
    ----------
    result : AnalysisResult
        The run (from :func:`rsnet_analysis.pipeline.run_analysis`).
    out_dir : str or Path
        Output folder (created if needed).
    figures : FigureJob, optional
        The charts, already started by the caller (for ``out_dir / "figures"``); by default
        started here.
    jobs : int, optional
        With ``figures`` None: 1 draws the charts in this process, None decides by size
        (:meth:`FigureJob.wanted`).

    Returns
    -------
    list of Path
        In a fixed order: ``report.html``, ``report.md``, ``newsletter.txt``, ``report.xlsx``,
        then the figures (challenge sizes, trends, one heat map per segment column).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    job = figures or FigureJob(result, out / "figures", parallel=FigureJob.wanted(result, jobs))
    try:
        context = report_context(result)
        xlsx_path = write_workbook(result, out / "report.xlsx", context)
        return _write_texts(out, context, job.figures(), xlsx_path)
    finally:
        job.close()


def _write_texts(out: Path, context: dict[str, Any], figures: list[dict[str, Any]], xlsx_path: Path) -> list[Path]:
    """The HTML, Markdown and newsletter files (the figures embedded); all files in report order."""
    for figure in figures:
        encoded = base64.b64encode(figure["path"].read_bytes()).decode("ascii")
        figure["data_uri"] = f"data:image/png;base64,{encoded}"
        figure["href"] = f"figures/{figure['file']}"
        figure["width"] = _css_width(figure["path"])
    context["figures"] = figures
    html_path = out / "report.html"
    html_path.write_text(render_html(context), encoding="utf-8", newline="\n")
    md_path = out / "report.md"
    md_path.write_text(render_markdown(context), encoding="utf-8", newline="\n")
    news_path = out / "newsletter.txt"
    news_path.write_text(render_newsletter(context), encoding="utf-8", newline="\n")
    return [html_path, md_path, news_path, xlsx_path, *(f["path"] for f in figures)]
