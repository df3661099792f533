"""The whole analysis as one call: read, clean, tokenize once, discover, compare, summarise.

The CLI and the notebooks are thin layers over :func:`run_analysis` and :func:`write_outputs`.
Each stage's result is passed forward once; nothing goes back to an earlier module.
"""

from __future__ import annotations

import gc
import json
import platform
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from rsnet_analysis import __version__, challenges, ingest, prepare, statements, trends
from rsnet_analysis.challenges import ChallengeResult
from rsnet_analysis.contract import (
    DEFAULT_SEGMENT_COLUMNS,
    KIND_COLUMNS,
    NOTE_QUESTION,
    QUESTION_COLUMN,
    AnalysisResult,
    AnalysisSettings,
)
from rsnet_analysis.errors import RsnetError
from rsnet_analysis.ingest import ColumnRoles, ReadResult, StreamRead
from rsnet_analysis.progress import progress_bar, stage, stage_label, track
from rsnet_analysis.report import FigureJob, OutputFolder, records_for_output, write_csv, write_reports

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
    "xlsxwriter",
)

#: Python's garbage collector during a run: young objects are collected every 50,000
#: allocations (Python's default: 700) and the oldest generation is examined ten times less often.
#: With the answers' word lists alive (millions of objects), the default settings spent 6.6 s of
#: a 100,000-answer run in 5,200 collections, 22 of them full ones of about 0.25 s; with these and
#: :func:`_settle`, 1.1 s, for the same peak memory (1,002-1,030 MB against 1,010-1,057 MB). The
#: streaming path goes back to Python's thresholds, after one full collection, before it counts
#: (its memory is what it bounds: with these thresholds through the count, the peak of a
#: 1,000,000-answer run, in that stage, rose from 3,878 to 4,055 MB).
GC_THRESHOLDS = (50_000, 20, 100)


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

    Notes
    -----
    The whole run uses one BLAS/OpenMP thread (the worker processes of ``jobs`` are the
    parallelism): with several, k-means and the classifiers ran up to four times slower on a
    shared two-core machine, and the last digits of some results depended on the thread count.
    """
    with threadpool_limits(limits=1), _few_collections():
        return _run(settings, progress=progress, jobs=jobs, stream=stream)


class _Collector:
    """What :func:`_few_collections` restores, shared by runs that overlap (in threads)."""

    lock = threading.Lock()
    runs = 0
    thresholds: tuple[int, int, int] = (700, 10, 10)
    own_freeze = False


@contextmanager
def _few_collections() -> Iterator[None]:
    """Restore the garbage collector after a run as it was before.

    A run uses :data:`GC_THRESHOLDS` (:func:`_run`; the streaming path only until it counts).
    Objects set aside by :func:`_settle` are handed back to the collector at the end, unless the
    program had frozen objects of its own before (then nothing is frozen or unfrozen here). Runs
    that overlap in threads restore the collector when the last one ends.
    """
    with _Collector.lock:
        if _Collector.runs == 0:
            _Collector.thresholds = gc.get_threshold()
            _Collector.own_freeze = gc.get_freeze_count() == 0
        _Collector.runs += 1
    try:
        yield
    finally:
        with _Collector.lock:
            _Collector.runs -= 1
            if _Collector.runs == 0:
                gc.set_threshold(*_Collector.thresholds)
                if _Collector.own_freeze:
                    gc.unfreeze()
                _Collector.own_freeze = False


def _release_free_memory() -> None:
    """Give the memory freed so far back to the system (glibc's ``malloc_trim``).

    Python returns freed objects to the C allocator, which keeps their pages: after discovery of
    100,000 answers about 200 MB stay resident unused while the comparison, the tables and the
    reports (the charts in a worker process) run. Trimming takes a few milliseconds and changes
    no result; where the C library has no ``malloc_trim`` (macOS, Windows, musl) nothing is done.
    """
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim  # Windows: TypeError; macOS, musl: AttributeError
    except (AttributeError, ImportError, OSError, TypeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


def _settle() -> None:
    """Set every object alive now aside from the garbage collector (:func:`gc.freeze`).

    Called after the stages that build what the rest of the run keeps (the raw table, the record
    table with its word lists, the challenges): full collections then stop walking them again.
    Unreachable objects are still freed as soon as nothing refers to them.
    """
    if _Collector.own_freeze:
        gc.freeze()


def _run(settings: AnalysisSettings, *, progress: bool, jobs: int | None, stream: bool | None) -> AnalysisResult:
    """The body of :func:`run_analysis`."""
    paths = _input_paths(settings)
    book = challenges.Codebook.load(settings.codebook)
    if stream is None:
        stream = ingest.stream_bytes(paths) >= STREAM_MIN_BYTES
    run = _streamed if stream else _in_memory
    gc.set_threshold(*GC_THRESHOLDS)  # restored by _few_collections
    read, table, clusters, found = run(settings, paths, book, progress, jobs)
    if stream:  # the output table of every answer is counted next: memory first (see GC_THRESHOLDS)
        gc.collect()
        gc.set_threshold(*_Collector.thresholds)
    _release_free_memory()

    with stage("compare"), progress_bar(2, desc=stage_label("compare"), enabled=progress) as update:
        waves = trends.assign_waves(table, period=settings.period)
        table["wave"] = waves
        segment_cols = _segment_columns(table, read.columns)
        notices = list(read.notices) + [n for f in found for n in f.notices] + ([STREAM_NOTICE] if stream else [])
        notices += trends.wave_notices(table, waves, settings.period)
        names, kinds = challenges.unit_names(clusters, book)
        update(1)
        tables = trends.build_tables(
            table, clusters, names=names, kinds=kinds, segment_cols=segment_cols, seed=settings.seed
        )
        notices += tables.notices  # on small segments (trends.segment_merges)
        update(1)
    table = tables.records
    summary = _summary(settings, paths, read, table, found, segment_cols, notices)
    if stream:
        summary["streaming"] = {"partition_sample": challenges.PARTITION_SAMPLE}
    return AnalysisResult(
        records=table,
        clusters=tables.clusters,
        counts=tables.counts,
        trends=tables.trends,
        segments=tables.segments,
        emerging=tables.emerging,
        subgroups=tables.subgroups,
        practices=tables.practices,
        summary=summary,
        notices=notices,
        extras={"codebook": book, "segment_cols": segment_cols, "names": names, "kinds": kinds},
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


def _n_jobs(jobs: int | None, kept: np.ndarray) -> int:
    """Processes to use: ``jobs`` (at least 1), or the default for this many kept answers."""
    return prepare.default_jobs(int(kept.sum())) if jobs is None else max(1, int(jobs))


def _in_memory(
    settings: AnalysisSettings, paths: list[Path], book: challenges.Codebook, progress: bool, jobs: int | None
) -> tuple[ReadResult, pd.DataFrame, pd.DataFrame, list[ChallengeResult]]:
    """Read, prepare, classify and discover with every answer in memory."""
    with stage("read"):
        read = ingest.read_inputs(paths, **_read_options(settings))
    with stage("mask+tokenise"):
        table = _with_region(prepare.build_record_table(read.table, progress=progress, jobs=jobs))
    # the record table holds every row and column of the raw table: the raw table is let go
    # (an empty copy keeps its columns; nothing after this point reads its rows)
    read = replace(read, table=read.table.iloc[:0].copy())
    _settle()
    kept = _kept(table)
    n_jobs = _n_jobs(jobs, kept)
    if n_jobs < 2 or not _one_group(table, kept):
        with stage("kinds"):
            table = _classify_statements(table, kept, settings.seed)
        table, clusters, found = _discover(table, kept, settings, book, progress)
        _settle()
        return read, table, clusters, found
    # one question: the statement kinds are found in a second thread while the challenges are
    # found here (neither reads the other's columns; the columns come out in the order of the
    # one-thread path). A thread, not a process: the answers, their words and the libraries are
    # not copied into a second process (at 100,000 answers a worker process added about 0.5 GB);
    # the NumPy, SciPy and scikit-learn steps of either side release the GIL while they run.
    # A daemon thread: when discovery fails or the user presses Ctrl-C, the run ends at once
    # instead of waiting for the kinds.
    needed = [c for c in ("text_masked", "tokens", "lemmas", *statements.CONTEXT_FIELDS.values()) if c in table]
    records = table.loc[kept, needed]
    outcome: dict[str, Any] = {}

    def classify() -> None:
        try:
            outcome["kinds"] = statements.classify_statements(records, seed=settings.seed)
        except BaseException as error:  # raised again in the main thread below
            outcome["error"] = error

    worker = threading.Thread(target=classify, name="rsnet-kinds", daemon=True)
    worker.start()
    found_table, clusters, found = _discover(table, kept, settings, book, progress)
    _settle()
    with stage("kinds"):
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    kinds = outcome["kinds"]
    table = _with_kinds(table, kinds)
    for col in found_table.columns.difference(table.columns, sort=False):
        table[col] = found_table[col]
    return read, table, clusters, found


def _streamed(
    settings: AnalysisSettings, paths: list[Path], book: challenges.Codebook, progress: bool, jobs: int | None
) -> tuple[StreamRead, pd.DataFrame, pd.DataFrame, list[ChallengeResult]]:
    """Read and prepare in chunks, keep the answers on disk, fit on a sample (``docs/scale.md``).

    The kinds of statement are classified chunk by chunk, and every question's answers are
    clustered together (one discovery; the counts are still per question).
    """
    with stage("read"):
        read = ingest.iter_inputs(paths, **_read_options(settings))
    with stage("mask+tokenise"):  # the chunks are read here, as they are masked
        streamed = prepare.stream_record_table(read.chunks, jobs=jobs, progress=progress)
    _settle()
    try:
        table = _with_region(streamed.table)
        kept = _kept(table)
        context = [c for c in dict.fromkeys(statements.CONTEXT_FIELDS.values()) if c in table and c != "record_id"]
        answers = table.loc[kept, ["record_id", *context]]
        n_jobs = _n_jobs(jobs, kept)
        if n_jobs < 2:
            with stage("kinds"):
                kinds = _kinds_streamed(answers, streamed.kept, settings.seed)
            found = challenges.discover_streaming(
                streamed.kept, k=settings.k, seed=settings.seed, codebook=book, progress=progress
            )
        else:
            # the kinds are found in a worker (reading the stored chunks) while the challenges are
            # found here: discovery does not read them
            from joblib.externals.loky import get_reusable_executor

            executor = get_reusable_executor(max_workers=1, reuse=False)
            try:
                pending = executor.submit(_kinds_streamed, answers, streamed.kept, settings.seed)
                del answers
                found = challenges.discover_streaming(
                    streamed.kept, k=settings.k, seed=settings.seed, codebook=book, progress=progress
                )
                with stage("kinds"):
                    kinds = pending.result()
            finally:
                executor.shutdown(wait=True)
    finally:
        streamed.kept.close()
    table = _with_kinds(table, kinds)
    table = _attach_challenges(table, kept, found)
    clusters = found.clusters.copy()
    clusters["question"] = _question_groups(table, kept)[0][0]
    return read, table, clusters[list(found.clusters.columns)], [found]


#: Statements the kinds classifier of a streamed run is fitted on (then applied to every chunk).
KINDS_SAMPLE = 50_000


def _kinds_streamed(answers: pd.DataFrame, kept: prepare.KeptAnswers, seed: int) -> pd.DataFrame:
    """The kinds of statement of a streamed run's kept answers, one stored chunk at a time.

    ``answers`` holds the record id and the context columns of every kept answer (table index).
    The classifier is fitted once, on a random sample of :data:`KINDS_SAMPLE` kept answers (all of
    them when there are fewer, which gives the in-memory result), and applied to every chunk. Runs
    in the main process or in a worker, on one BLAS thread either way.
    """
    position = pd.Series(np.arange(len(answers)), index=answers["record_id"].astype(str).to_numpy())

    def frame(ids: list[str], texts: list[str], tokens: list[list[str]], lemmas: list[list[str]]) -> pd.DataFrame:
        part = answers.iloc[position.loc[list(ids)].to_numpy()].copy()
        part["text_masked"], part["tokens"], part["lemmas"] = texts, tokens, lemmas
        return part

    with threadpool_limits(limits=1):
        n = len(kept)
        sample = np.arange(n)
        if n > KINDS_SAMPLE:
            sample = np.sort(np.random.default_rng([seed, 61]).choice(n, KINDS_SAMPLE, replace=False))
        model = statements.fit_kind_model(frame(*kept.take(sample)), seed=seed)
        found = [
            statements.classify_statements(frame(*chunk), seed=seed, model=model) for _start, chunk in kept.chunks()
        ]
    return pd.concat(found) if found else pd.DataFrame(columns=list(KIND_COLUMNS))


def _attach_challenges(table: pd.DataFrame, kept: np.ndarray, found: ChallengeResult) -> pd.DataFrame:
    """Add the per-record challenge columns of one discovery (empty for excluded rows)."""
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


def _questions(table: pd.DataFrame, kept: np.ndarray) -> tuple[pd.Series, pd.Series, list[str]]:
    """The question of every row, which rows are session notes, the questions in order of appearance."""
    question = table[QUESTION_COLUMN].fillna("").astype(str) if QUESTION_COLUMN in table else pd.Series("", index=table.index)
    is_note = table["source_type"].astype(str).eq("note") if "source_type" in table else pd.Series(False, index=table.index)
    order = [q for q in dict.fromkeys(question[kept & ~is_note.to_numpy()]) if q]
    return question, is_note, order or [NOTE_QUESTION]


def _one_group(table: pd.DataFrame, kept: np.ndarray) -> bool:
    """Whether every kept row is discovered in one group whatever its kind (one question, notes).

    With several questions the practices and results of the others join the first one
    (:func:`_question_groups`): then discovery needs the kinds first.
    """
    question, is_note, order = _questions(table, kept)
    return len(order) == 1 and bool(np.all(((question.to_numpy() == order[0]) | is_note.to_numpy())[kept]))


def _question_groups(table: pd.DataFrame, kept: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Kept rows per question, in the order the questions appear; notes join the first question.

    Session notes talk about the same challenges as the survey's first question, so they are
    clustered with it (and counted apart, as statements); so are the practices and results of the
    other questions, which are about those challenges too: a question about what members did has
    too few statements of each challenge to find them on its own, and its practices are then tied
    to the first question's challenges and new themes (counted per question all the same).
    """
    question, is_note, order = _questions(table, kept)
    did = table["kind"].isin(["practice", "result"]).to_numpy() if "kind" in table else np.zeros(len(table), dtype=bool)
    groups = []
    for position, q in enumerate(order):
        rows = kept & (question.to_numpy() == q)
        if position == 0:
            rows |= kept & (is_note.to_numpy() | did)
        else:
            rows &= ~did
        if rows.any():
            groups.append((q, rows))
    return groups


def _discover(
    table: pd.DataFrame, kept: np.ndarray, settings: AnalysisSettings, book: challenges.Codebook, progress: bool
) -> tuple[pd.DataFrame, pd.DataFrame, list[ChallengeResult]]:
    """Challenges of every question, cluster ids numbered on across questions."""
    table = table.copy()
    table["cluster"] = pd.array([pd.NA] * len(table), dtype="Int64")
    for col in ("cluster_label", "challenge", "challenge_secondary", "challenge_reason"):
        table[col] = ""
    table["challenge_score"] = np.nan
    tables, found, offset = [], [], 0
    for question, rows in _question_groups(table, kept):
        part = table.loc[rows]
        result = challenges.discover_challenges(
            part["text_masked"].tolist(), part["tokens"].tolist(), part["lemmas"].tolist(),
            part["record_id"].tolist(), k=settings.k, seed=settings.seed, codebook=book, progress=progress,
        )
        idx = table.index[rows]
        table.loc[idx, "cluster"] = pd.array(result.records["cluster"].to_numpy() + offset, dtype="Int64")
        for col in ("cluster_label", "challenge", "challenge_secondary", "challenge_reason"):
            table.loc[idx, col] = result.records[col].fillna("").astype(str).to_numpy()
        table.loc[idx, "challenge_secondary"] = [_shift_units(s, offset) for s in table.loc[idx, "challenge_secondary"]]
        table.loc[idx, "challenge_score"] = result.records["challenge_score"].to_numpy()
        clusters = result.clusters.copy()
        clusters["cluster"] = clusters["cluster"] + offset
        clusters["question"] = question
        tables.append(clusters)
        found.append(result)
        offset += len(clusters)
    return table, pd.concat(tables, ignore_index=True), found


def _classify_statements(table: pd.DataFrame, kept: np.ndarray, seed: int) -> pd.DataFrame:
    """The kind of statement of every kept record (challenge, practice, result, request …)."""
    return _with_kinds(table, statements.classify_statements(table.loc[kept], seed=seed))


def _with_kinds(table: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the kind columns of the records in ``found`` (same index); empty elsewhere."""
    table = table.copy()
    for col in KIND_COLUMNS:
        table[col] = pd.Series("" if col != "kind_confidence" else np.nan, index=table.index, dtype=object)
        table.loc[found.index, col] = found[col]
    table["kind_confidence"] = pd.to_numeric(table["kind_confidence"], errors="coerce")
    return table


def _shift_units(secondary: str, offset: int) -> str:
    """Renumber ``cluster:<id>`` secondaries of a question by the question's id offset."""
    out = []
    for unit in secondary.split():
        out.append(f"cluster:{int(unit[8:]) + offset}" if unit.startswith("cluster:") else unit)
    return " ".join(out)


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
    found: list[ChallengeResult],
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
        "clusters": int(sum(len(f.clusters) for f in found)),
        "k_chosen": [int(f.k) for f in found],
        "codebook_used": [bool(f.codebook_used) for f in found],
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
    jobs: int | None = None,
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
    jobs : int, optional
        The run's ``--jobs``: 1 keeps the work in this process; None lets a large run draw its
        charts in a worker process while the tables are written
        (:class:`~rsnet_analysis.report.FigureJob`). The files are the same either way.

    Returns
    -------
    list of Path
        The files written, at their final place, in writing order: the CSV files
        (``records``, ``counts`` — the one table every count of the reports comes from —,
        ``clusters``, ``trends``, ``segments``, ``emerging``, ``subgroups``), ``summary.json``,
        then the report files.

    Raises
    ------
    OutputFolderError
        When the folder cannot be used (see :func:`~rsnet_analysis.report.check_output_folder`).
    """
    if isinstance(out_dir, OutputFolder):
        return out_dir.publish(lambda staging: _write_files(result, staging, reports, progress, jobs))
    with OutputFolder(out_dir) as folder:
        return folder.publish(lambda staging: _write_files(result, staging, reports, progress, jobs))


def _write_files(result: AnalysisResult, out: Path, reports: bool, progress: bool, jobs: int | None) -> list[Path]:
    """Write the tables, ``summary.json`` and (optionally) the reports into ``out``.

    With reports, the charts are started first (in a worker process for a large run), so that
    they are drawn while the tables are written.
    """
    _release_free_memory()
    if not reports:
        return _write_tables(result, out, progress)
    with FigureJob(result, out / "figures", parallel=FigureJob.wanted(result, jobs)) as figures:
        written = _write_tables(result, out, progress)
        with stage("report"), progress_bar(1, desc=stage_label("report"), enabled=progress) as update:
            written += write_reports(result, out, figures=figures)
            update(1)
    return written


def _write_tables(result: AnalysisResult, out: Path, progress: bool) -> list[Path]:
    """The CSV files and ``summary.json``."""
    written: list[Path] = []
    with stage("write"):
        tables = {
            "records.csv": records_for_output(result),
            "counts.csv": result.counts,
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
    return written
