"""The whole analysis as one call: read, clean, tokenize once, discover, compare, summarise.

The CLI and the notebooks are thin layers over :func:`run_analysis` and :func:`write_outputs`.
Each stage's result is passed forward once; nothing goes back to an earlier module.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rsnet_analysis import __version__, challenges, ingest, prepare, trends
from rsnet_analysis.challenges import ChallengeResult
from rsnet_analysis.contract import (
    DEFAULT_SEGMENT_COLUMNS,
    AnalysisResult,
    AnalysisSettings,
)
from rsnet_analysis.errors import RsnetError
from rsnet_analysis.ingest import ColumnRoles, ReadResult, StreamRead
from rsnet_analysis.progress import progress_bar, stage, stage_label, track
from rsnet_analysis.report import OutputFolder, records_for_output, write_csv, write_reports

__all__ = ["package_versions", "run_analysis", "write_outputs"]

#: Packages whose versions are recorded with every run.
RECORDED_PACKAGES: tuple[str, ...] = (
    "rsnet-analysis",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "fugashi",
    "unidic-lite",
    "matplotlib",
    "openpyxl",
)


#: Inputs of at least this many bytes (CSV/TSV/JSON Lines) take the streaming path, about 300,000
#: answers (``docs/scale.md``): below it the whole run fits in about 2 GB of memory.
STREAM_MIN_BYTES = 60_000_000

STREAM_NOTICE = (
    f"入力が大きいため、ファイルを分割して読み込み、回答 {challenges.PARTITION_SAMPLE:,} 件の見本で課題を見つけてから全件を割り当てました"
    "（メモリを一定に保つため。結果の読み方は docs/scale.md）。"
)


def package_versions() -> dict[str, str]:
    """Return the versions of Python and the packages that shape the result."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["rsnet-analysis"] = __version__
    return versions


def _input_paths(settings: AnalysisSettings) -> list[Path]:
    if settings.inputs:
        return [Path(p) for p in settings.inputs]
    return ingest.sample_inputs()


def _relative_name(path: Path) -> str:
    """Show a path relative to the working folder when possible (no absolute paths in outputs)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def run_analysis(
    settings: AnalysisSettings,
    *,
    progress: bool = False,
    jobs: int | None = None,
    stream: bool | None = None,
) -> AnalysisResult:
    """Run the whole analysis.

    The run is a sequence of named stages (:data:`rsnet_analysis.progress.STAGES`), each timed
    by :func:`rsnet_analysis.progress.stage`.

    Parameters
    ----------
    settings : AnalysisSettings
        What to read and how to analyse it.
    progress : bool, default False
        Show progress bars (on stderr) for the long steps.
    jobs : int, optional
        Processes that mask and tokenise (``--jobs``); None chooses (one for small inputs, else
        up to two). The result does not depend on it.
    stream : bool, optional
        Use the streaming path for large inputs (see ``docs/scale.md``); None decides by size.

    Returns
    -------
    AnalysisResult
        All tables of the run.

    Raises
    ------
    RsnetError
        For any input the user has to fix; the message says what and where.
    """
    paths = _input_paths(settings)
    book = challenges.Codebook.load(settings.codebook)
    if stream is None:
        stream = ingest.stream_bytes(paths) >= STREAM_MIN_BYTES
    run = _streamed if stream else _in_memory
    read, table, found = run(settings, paths, book, progress, jobs)

    with stage("compare"), progress_bar(5, desc=stage_label("compare"), enabled=progress) as update:
        waves = trends.assign_waves(table, period=settings.period)
        table["wave"] = waves
        segment_cols = _segment_columns(table, read.columns)
        notices = list(read.notices) + list(found.notices) + ([STREAM_NOTICE] if stream else [])
        notices += trends.wave_notices(table, waves)
        notices += trends.segment_notices(table, segment_cols)
        trend_table = trends.wave_trends(table, waves=waves)
        update(1)
        segment_table = trends.segments_all(table, segment_cols)
        update(1)
        emerging = trends.find_emerging(table, found.clusters, waves=waves)
        update(1)
        subgroups = trends.propose_subgroups(table, seed=settings.seed)
        update(1)
        if "自治体名" in table.columns:
            subgroups = pd.concat([subgroups, trends.regional_groups(table)], ignore_index=True)
        update(1)

    summary = _summary(settings, paths, read, table, found, segment_cols, notices)
    if stream:
        summary["streaming"] = {"partition_sample": challenges.PARTITION_SAMPLE}
    return AnalysisResult(
        records=table,
        clusters=found.clusters,
        trends=trend_table,
        segments=segment_table,
        emerging=emerging,
        subgroups=subgroups,
        summary=summary,
        notices=notices,
        extras={"codebook": book, "segment_cols": segment_cols},
    )


def _read_options(settings: AnalysisSettings) -> dict[str, Any]:
    return {
        "text_cols": settings.text_cols, "questions": settings.questions, "id_col": settings.id_col,
        "respondent_col": settings.respondent_col, "time_col": settings.time_col,
        "segment_cols": settings.segment_cols, "sheet": settings.sheet,
    }


def _kept(table: pd.DataFrame) -> np.ndarray:
    kept = table["status"].eq("kept").to_numpy()
    if kept.sum() == 0:
        raise RsnetError(
            "分析できる回答がありません（すべて空欄・非回答・重複でした）。"
            "自由記述の列が正しいか --text-col で指定して確かめてください。"
        )
    return kept


def _with_region(table: pd.DataFrame) -> pd.DataFrame:
    if "都道府県" in table.columns and "地域" not in table.columns:
        return ingest.add_region(table, prefecture_col="都道府県", out_col="地域")
    return table


def _in_memory(
    settings: AnalysisSettings, paths: list[Path], book: challenges.Codebook, progress: bool, jobs: int | None
) -> tuple[ReadResult, pd.DataFrame, ChallengeResult]:
    """Read, prepare and discover with every answer in memory."""
    with stage("read"):
        read = ingest.read_inputs(paths, **_read_options(settings))
    with stage("mask+tokenise"):
        table = _with_region(prepare.build_record_table(read.table, progress=progress, jobs=jobs))
    kept = _kept(table)
    found = challenges.discover_challenges(
        table.loc[kept, "text_masked"].tolist(),
        table.loc[kept, "tokens"].tolist(),
        table.loc[kept, "lemmas"].tolist(),
        table.loc[kept, "record_id"].tolist(),
        k=settings.k,
        seed=settings.seed,
        codebook=book,
        progress=progress,
    )
    return read, _attach_challenges(table, kept, found), found


def _streamed(
    settings: AnalysisSettings, paths: list[Path], book: challenges.Codebook, progress: bool, jobs: int | None
) -> tuple[StreamRead, pd.DataFrame, ChallengeResult]:
    """Read and prepare in chunks, keep the answers on disk, fit on a sample (``docs/scale.md``)."""
    with stage("read"):
        read = ingest.iter_inputs(paths, **_read_options(settings))
    with stage("mask+tokenise"):  # the chunks are read here, as they are masked
        streamed = prepare.stream_record_table(read.chunks, jobs=jobs, progress=progress)
    try:
        table = _with_region(streamed.table)
        kept = _kept(table)
        found = challenges.discover_streaming(
            streamed.kept, k=settings.k, seed=settings.seed, codebook=book, progress=progress
        )
    finally:
        streamed.kept.close()
    return read, _attach_challenges(table, kept, found), found


def _attach_challenges(table: pd.DataFrame, kept: np.ndarray, found: ChallengeResult) -> pd.DataFrame:
    """Add the per-record challenge columns (empty for excluded rows)."""
    table = table.copy()
    n = len(table)
    table["cluster"] = pd.array([pd.NA] * n, dtype="Int64")
    for col in ("cluster_label", "challenge", "challenge_secondary", "challenge_reason"):
        table[col] = ""
    table["challenge_score"] = np.nan
    idx = table.index[kept]
    table.loc[idx, "cluster"] = pd.array(found.records["cluster"].to_numpy(), dtype="Int64")
    for col in ("cluster_label", "challenge", "challenge_secondary", "challenge_reason"):
        table.loc[idx, col] = found.records[col].fillna("").astype(str).to_numpy()
    table.loc[idx, "challenge_score"] = found.records["challenge_score"].to_numpy()
    return table


def _segment_columns(table: pd.DataFrame, roles: ColumnRoles) -> list[str]:
    """The segment columns as the reader resolved them, or the defaults that are present."""
    if roles.segments:
        return list(roles.segments)
    return [c for c in DEFAULT_SEGMENT_COLUMNS if c in table.columns]


def _summary(
    settings: AnalysisSettings,
    paths: Sequence[Path],
    read: ReadResult | StreamRead,
    table: pd.DataFrame,
    found: ChallengeResult,
    segment_cols: Sequence[str],
    notices: Sequence[str],
) -> dict[str, Any]:
    counts = prepare.status_counts(table)
    by_file: dict[str, dict[str, int]] = {}
    for name, part in table.groupby("source_file", sort=True):
        by_file[str(name)] = {"rows": int(len(part)), **prepare.status_counts(part)}
    roles = read.columns
    return {
        "tool": "rsnet-analysis",
        "version": __version__,
        "inputs": [_relative_name(p) for p in paths],
        "rows_read": int(len(table)),
        "kept": int(counts["kept"]),
        "excluded": {k: int(v) for k, v in counts.items() if k != "kept"},
        "by_file": by_file,
        "columns": asdict(roles),
        "segment_columns": list(segment_cols),
        "clusters": int(len(found.clusters)),
        "k_chosen": found.k,
        "codebook_used": found.codebook_used,
        "settings": settings.to_dict(),
        "versions": package_versions(),
        "notices": list(notices),
    }


def write_outputs(
    result: AnalysisResult,
    out_dir: str | Path | OutputFolder,
    *,
    reports: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write every output file of a run into ``out_dir``, replacing the previous run's as a set.

    The files are written into a staging folder and swapped in only when all are complete
    (:class:`~rsnet_analysis.report.OutputFolder`): an interrupted run leaves the previous output
    as it was, a second run on the same folder is refused, and the user's other files in the
    folder are never touched.

    Parameters
    ----------
    result : AnalysisResult
        The run to write.
    out_dir : str, Path or OutputFolder
        Output folder (created if needed), or one already opened (and locked) by the caller.
    reports : bool, default False
        Also write the report files (:func:`~rsnet_analysis.report.write_reports`) in the same set.
    progress : bool, default False
        Show progress bars (stages ``write`` and ``report``).

    Returns
    -------
    list of Path
        The files written, at their final place, in writing order: the CSV files,
        ``summary.json``, then the report files.

    Raises
    ------
    OutputFolderError
        When the folder cannot be used (see :func:`~rsnet_analysis.report.check_output_folder`).
    """
    if isinstance(out_dir, OutputFolder):
        return out_dir.publish(lambda staging: _write_files(result, staging, reports, progress))
    with OutputFolder(out_dir) as folder:
        return folder.publish(lambda staging: _write_files(result, staging, reports, progress))


def _write_files(result: AnalysisResult, out: Path, reports: bool, progress: bool) -> list[Path]:
    """Write the tables, ``summary.json`` and (optionally) the reports into ``out``."""
    written: list[Path] = []
    with stage("write"):
        tables = {
            "records.csv": records_for_output(result),
            "clusters.csv": result.clusters,
            "trends.csv": result.trends,
            "segments.csv": result.segments,
            "emerging.csv": result.emerging,
            "subgroups.csv": result.subgroups,
        }
        for name, table in track(tables.items(), total=len(tables), desc=stage_label("write"), enabled=progress):
            written.append(write_csv(table, out / name))
        summary_path = out / "summary.json"
        summary_path.write_text(
            json.dumps(result.summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        written.append(summary_path)
    if reports:
        with stage("report"), progress_bar(1, desc=stage_label("report"), enabled=progress) as update:
            written += write_reports(result, out)
            update(1)
    return written
