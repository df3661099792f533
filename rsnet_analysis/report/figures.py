"""The report's charts, saved as PNG files from the result tables.

:func:`make_figures` draws them in this process. :class:`FigureJob` draws them in a worker process
for a large run, while this process writes the tables, the workbook and the report's text: the
charts take the same few seconds at any size (about 8 s of CPU for eight charts on this 2-core
machine), and matplotlib holds the GIL, so a thread would not overlap them. The worker is sent
only the tables the charts read (:func:`figure_inputs`, no per-answer rows) and writes the same
bytes as :func:`make_figures`.
"""

from __future__ import annotations

import time
from dataclasses import replace
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


#: Records from which :class:`FigureJob` draws the charts in a worker process (when two cores are
#: free): below it, the other report files take too little time for starting a worker (about 3 s
#: of CPU to load the libraries) to pay.
PARALLEL_FIGURES_MIN_ROWS = 20_000


#: Seconds :meth:`FigureJob.figures` waits for the worker (the charts take seconds; a worker that
#: has not answered by then is killed and the charts are drawn in this process).
FIGURE_TIMEOUT = 600.0


def figure_inputs(result: AnalysisResult) -> AnalysisResult:
    """The part of a run the charts read: every table but the per-answer ones, and the names.

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    AnalysisResult
        The tables of ``result`` (the charts read ``counts``, ``trends``, ``segments`` and
        ``clusters``) with no rows of ``records`` or ``practices`` (their columns only), no
        summary or notices, and only the challenge names of ``extras`` (no codebook).
    """
    extras = result.extras if isinstance(result.extras, dict) else {}
    return replace(
        result,
        records=result.records.iloc[:0],
        practices=result.practices.iloc[:0],
        summary={},
        notices=[],
        extras={k: extras[k] for k in ("names",) if k in extras},
    )


def _draw_in_worker(inputs: AnalysisResult, fig_dir: Path) -> tuple[list[dict[str, Any]], float]:
    """In the worker: :func:`make_figures` and the CPU seconds it took."""
    start = time.process_time()
    figures = make_figures(inputs, fig_dir)
    return figures, time.process_time() - start


class FigureJob:
    """The charts of a run, drawn in a worker process (or here) while the caller does other work.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    fig_dir : Path
        Folder for the PNGs (created).
    parallel : bool
        Draw in a worker process; False draws in this process when :meth:`figures` is called.
        When no worker can be started, or the worker dies or hangs (:data:`FIGURE_TIMEOUT`), the
        charts are drawn here.

    Examples
    --------
    >>> job = FigureJob(result, out / "figures", parallel=True)  # doctest: +SKIP
    >>> write_tables(...)  # doctest: +SKIP
    >>> figures = job.figures()  # what make_figures(result, out / "figures") returns  # doctest: +SKIP
    """

    def __init__(self, result: AnalysisResult, fig_dir: Path, *, parallel: bool) -> None:
        self.result = result
        self.fig_dir = Path(fig_dir)
        self._done: list[dict[str, Any]] | None = None
        self._executor: Any = None
        self._future: Any = None
        if parallel:
            try:
                from joblib.externals.loky import ProcessPoolExecutor

                self._executor = ProcessPoolExecutor(max_workers=1)
                self._future = self._executor.submit(_draw_in_worker, figure_inputs(result), self.fig_dir)
            except (OSError, RuntimeError):  # no process can be started here: draw in this process
                self.close()

    @staticmethod
    def wanted(result: AnalysisResult, jobs: int | None = None) -> bool:
        """Whether to draw in a worker: ``jobs`` other than 1, two cores, a large run.

        Parameters
        ----------
        result : AnalysisResult
            The run.
        jobs : int, optional
            The run's ``--jobs``; 1 keeps everything in this process. None decides by size.

        Returns
        -------
        bool
            True from :data:`PARALLEL_FIGURES_MIN_ROWS` records on (or whenever ``jobs`` is 2 or
            more), when at least two cores are available and ``jobs`` is not 1.
        """
        from rsnet_analysis.prepare.workers import available_cpus

        if jobs is not None and jobs < 2 or available_cpus() < 2:
            return False
        return jobs is not None or len(result.records) >= PARALLEL_FIGURES_MIN_ROWS

    def figures(self) -> list[dict[str, Any]]:
        """What :func:`make_figures` returns for the run (waits for the worker).

        Returns
        -------
        list of dict
            One per figure, in a fixed order: ``file``, ``path``, ``title``, ``alt``.
        """
        if self._done is None:
            if self._future is not None:
                from concurrent.futures.process import BrokenProcessPool

                from rsnet_analysis.progress import add_cpu

                try:
                    figures, cpu = self._future.result(timeout=FIGURE_TIMEOUT)
                    add_cpu(cpu)
                    self._done = figures
                except (BrokenProcessPool, TimeoutError):  # the worker died or hangs: draw here
                    self._done = None
                finally:
                    self.close()  # a worker still running is killed first
            if self._done is None:
                self._done = make_figures(self.result, self.fig_dir)
        return self._done

    def __enter__(self) -> FigureJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (at once, when the caller stops before the charts are done)."""
        if self._executor is not None:
            if self._future is not None and not self._future.done():
                self._future.cancel()
                self._executor.shutdown(wait=True, kill_workers=True)
            else:
                self._executor.shutdown(wait=True)
        self._executor = self._future = None
