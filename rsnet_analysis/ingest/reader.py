"""Read survey exports and session notes into one raw table.

:func:`read_inputs` is the single entry point. It reads CSV/TSV text files
(UTF-8 with or without BOM, or cp932 as Excel saves it), Excel workbooks,
JSON Lines and Markdown session notes, and returns a :class:`ReadResult` whose
table follows the raw-table contract (:data:`rsnet_analysis.contract.BASE_COLUMNS`):
one row per survey row and free-text question, or per note bullet/paragraph, in order,
everything as strings (the private identity column holds tuples).

Anything wrong with an input raises :class:`~rsnet_analysis.errors.InputError`
with a Japanese message that names the file (and row or column) and says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rsnet_analysis.contract import (
    BASE_COLUMNS,
    IDENTITY_COLUMN,
    NOTE_COLUMNS,
    NOTE_QUESTION,
    PSEUDONYM_PREFIX,
)
from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.files import SurveyFile, read_survey_file
from rsnet_analysis.ingest.formats import NotATableError
from rsnet_analysis.ingest.identity import pseudonym, run_salt
from rsnet_analysis.ingest.notes import read_markdown
from rsnet_analysis.ingest.paths import MD_SUFFIXES, collect_inputs, record_stems
from rsnet_analysis.ingest.questions import QuestionBook, load_question_map, parse_text_col
from rsnet_analysis.ingest.survey import respondent_basis, survey_records

if TYPE_CHECKING:
    from rsnet_analysis.ingest.chunks import FileStream, StreamRead

__all__ = ["ColumnRoles", "ReadResult", "read_inputs"]


@dataclass
class ColumnRoles:
    """The input columns chosen for each role (original header names).

    Attributes
    ----------
    text : str or None
        The column of the first question in the first survey file (``None`` when only notes
        were read).
    questions : list of str
        The free-text questions of the run, in order (the ``question`` values of survey records).
    id : str or None
        The answer id column, if one was named.
    respondent : str or None
        The column naming the person, if one was named.
    time : str or None
        The answer date column, named or detected.
    segments : list of str
        Attribute columns to compare by (``--segment-col``).
    identity : list of str
        Columns that identify a person, written as pseudonyms.
    by_file : dict
        Per survey file (by name), the columns chosen in that file: ``questions`` (question →
        header), ``id``, ``respondent``, ``time``, ``segments`` and ``identity`` (the top-level
        fields above are the first file's, or the run's).
    """

    text: str | None = None
    questions: list[str] = field(default_factory=list)
    id: str | None = None
    respondent: str | None = None
    time: str | None = None
    segments: list[str] = field(default_factory=list)
    identity: list[str] = field(default_factory=list)
    by_file: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ReadResult:
    """What :func:`read_inputs` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The raw table: :data:`BASE_COLUMNS`, then every other input column under its
        original name, one row per survey row and question or note bullet/paragraph.
    notices : list of str
        Messages for the user (Japanese), e.g. which column was taken as free text.
    columns : ColumnRoles
        The original names of the columns chosen for each role (from the first survey
        file when several files are read; questions and identity columns of the whole run).
    files : list of pathlib.Path
        The files read, in the order their rows appear.
    """

    table: pd.DataFrame
    notices: list[str]
    columns: ColumnRoles
    files: list[Path] = field(default_factory=list)


def _question_book(text_cols: str | Sequence[str], questions: str | Path | None) -> QuestionBook:
    specs = [parse_text_col(spec) for spec in ([text_cols] if isinstance(text_cols, str) else text_cols)]
    if questions is not None:
        specs += load_question_map(questions)
    return QuestionBook(specs=specs)


def _basis_notice(bases: dict[tuple[str, ...], list[str]], respondent_col: str | None) -> list[str]:
    if respondent_col or not bases:
        return []
    parts = [f"『{'・'.join(basis)}』（{', '.join(files)}）" for basis, files in bases.items() if basis]
    if not parts:
        return []
    return [
        f"回答者は {'、'.join(parts)} の組み合わせで見分け、同じ回答者の同じ回答を重複とします。"
        "回答した人を表す列があれば --respondent-col で指定してください。"
    ]


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    ordered = list(BASE_COLUMNS) + [c for c in columns if c not in BASE_COLUMNS]
    defaults: dict[str, object] = {IDENTITY_COLUMN: ()}
    frame = pd.DataFrame(
        [[row.get(c, defaults.get(c, "")) for c in ordered] for row in rows], columns=ordered, dtype=object
    )
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    text_cols: str | Sequence[str] = (),
    questions: str | Path | None = None,
    id_col: str | None = None,
    respondent_col: str | None = None,
    time_col: str | None = None,
    segment_cols: Sequence[str] = (),
    sheet: str | int | None = None,
) -> ReadResult:
    """Read survey exports and session notes into one raw table.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files or folders. A folder contributes every supported file inside it
        (recursively; hidden files, Excel lock files and README files skipped, and a ``.txt``
        that is not a table skipped with a notice). Files are read in path order. Formats by
        extension: ``.csv``/``.txt``/``.tsv`` (UTF-8 with or without BOM, or cp932; comma or
        tab separated), ``.xlsx``/``.xlsm``, ``.jsonl``/``.ndjson``, ``.md``/``.markdown``
        (session notes).
    text_cols : str or sequence of str, default ()
        The free-text questions: a column name (matched exactly, then after NFKC, whitespace
        removal and case folding), or ``名前=見出し1|見出し2`` for a question worded differently
        in different files. Empty: every free-text column of each file is a question (the
        choice is announced; columns of later files are paired by header, else by order).
    questions : str or Path, optional
        A CSV mapping headers to questions (``question,header``), added after ``text_cols``.
    id_col : str, optional
        The answer id column (kept, and never part of the respondent key).
    respondent_col : str, optional
        The column naming the person who answered. Without it the respondent is the
        organisation and department columns joined (自治体名, 所属部署 …; see
        :func:`~.survey.respondent_basis`).
    time_col : str, optional
        Answer date column; detected from headers such as 回答日, 日付, date,
        タイムスタンプ when not given.
    segment_cols : sequence of str, default ()
        Attribute columns for comparison; must exist in every survey file.
    sheet : str or int, optional
        Excel sheet name or 0-based index; the first sheet by default.

    Returns
    -------
    ReadResult
        The raw table (see ``docs/architecture.md``), notices and the chosen columns.

    Raises
    ------
    InputError
        For a missing, empty, header-only or blank file, undecodable or mixed encodings, a
        quote that runs over rows, a corrupt or encrypted workbook, a web page saved as CSV,
        an unknown column or sheet; the message names the file (and row or column) and what
        to do, and never quotes the file's content at length.
    """
    options = {"id_col": id_col, "respondent_col": respondent_col, "time_col": time_col,
               "segment_cols": segment_cols, "sheet": sheet}
    run, _plans = _read_files(paths, text_cols, questions, options, stream=False)
    return run.result(respondent_col)


def _read_files(
    paths: str | Path | Iterable[str | Path],
    text_cols: str | Sequence[str],
    questions: str | Path | None,
    options: dict[str, Any],
    *,
    stream: bool,
) -> tuple[_Run, list[Any]]:
    """Read (or, with ``stream``, open the large ones of) the input files, in path order."""
    from rsnet_analysis.ingest.chunks import streamable

    inputs = collect_inputs(paths)
    run = _Run(
        book=_question_book(text_cols, questions),
        stems=record_stems(inputs.files),
        salt=run_salt(inputs.files),
        notices=list(inputs.notices),
        options=options,
    )
    plans: list[Any] = []
    for path in inputs.files:
        try:
            if stream and streamable(path):
                plans.append(run.open_stream(path))
            else:
                start = len(run.rows)
                run.read(path)
                plans.append((start, len(run.rows)))
        except NotATableError as err:
            if path not in inputs.from_folder:
                raise
            run.notices.append(f"{err.message} このファイルは読み飛ばしました。")
        except InputError:
            raise
        except Exception as err:  # never let a library traceback reach the user
            raise InputError(
                f"ファイル {path} を読めませんでした（{type(err).__name__}: {str(err)[:120]}）。"
                "ファイルが壊れていないか確かめ、CSV UTF-8 か .xlsx で保存し直してください。"
            ) from err
    return run, plans


def _plan_run(
    paths: str | Path | Iterable[str | Path],
    text_cols: str | Sequence[str],
    questions: str | Path | None,
    chunk_rows: int,
    options: dict[str, Any],
) -> StreamRead:
    """The body of :func:`~rsnet_analysis.ingest.chunks.iter_inputs`."""
    from rsnet_analysis.ingest.chunks import StreamRead

    run, plans = _read_files(paths, text_cols, questions, options, stream=True)
    roles, identity = run.finish(options["respondent_col"])
    streamed = [plan[0].path for plan in plans if len(plan) == 3]
    return StreamRead(
        columns=roles, notices=run.notices, files=run.read_files, streamed=streamed,
        chunks=run.chunks(plans, chunk_rows, list(run.columns), identity),
    )


@dataclass
class _Run:
    """What one call of :func:`read_inputs` has read so far."""

    book: QuestionBook
    stems: dict[Path, str]
    salt: bytes
    notices: list[str]
    options: dict[str, Any]
    rows: list[dict[str, object]] = field(default_factory=list)
    columns: dict[str, None] = field(default_factory=dict)
    surveys: list[tuple[Path, SurveyFile]] = field(default_factory=list)
    bases: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    read_files: list[Path] = field(default_factory=list)

    def read(self, path: Path) -> None:
        """Read one file and add its rows."""
        if path.suffix.lower() in MD_SUFFIXES:
            rows, extra = read_markdown(path), list(NOTE_COLUMNS)
            for row in rows:
                row.update(record_id=f"{self.stems[path]}:{row['source_row']}",
                           source_file=path.name, question=NOTE_QUESTION)
        else:
            survey = read_survey_file(path, self.book, notices=self.notices, **self.options)
            self.surveys.append((path, survey))
            basis = respondent_basis(survey.sheet.header, survey.roles, survey.profiles)
            self.bases.setdefault(tuple(basis), []).append(path.name)
            records = survey_records(
                survey.sheet, path, self.stems[path], survey.roles,
                numbers={q: self.book.number(q) for q, _h in survey.roles.questions},
                basis=basis, salt=self.salt, notices=self.notices,
            )
            rows, extra = records.rows, records.extra_columns
        self.read_files.append(path)
        self.columns.update(dict.fromkeys(extra))
        self.rows.extend(rows)

    def open_stream(self, path: Path) -> tuple[FileStream, SurveyFile, list[str]]:
        """Open a large file for chunked reading and decide its columns on its first rows."""
        from rsnet_analysis.ingest.chunks import _extra_columns, open_stream
        from rsnet_analysis.ingest.files import resolve_survey

        stream = open_stream(path, self.notices)
        options = {k: v for k, v in self.options.items() if k != "sheet"}
        survey = resolve_survey(stream.head, path, self.book, **options)
        self.surveys.append((path, survey))
        basis = respondent_basis(survey.sheet.header, survey.roles, survey.profiles)
        self.bases.setdefault(tuple(basis), []).append(path.name)
        self.read_files.append(path)
        self.columns.update(dict.fromkeys(_extra_columns(stream.head.header, survey)))
        return stream, survey, basis

    def chunks(
        self, plans: list[Any], chunk_rows: int, columns: list[str], identity: list[str]
    ) -> Iterator[pd.DataFrame]:
        """The raw table in chunks, file by file (see :func:`~.chunks.iter_inputs`)."""
        for plan in plans:
            if len(plan) == 2:  # read whole
                for start in range(plan[0], plan[1], chunk_rows):
                    yield _frame(self.rows[start : min(plan[1], start + chunk_rows)], columns)
                continue
            stream, survey, basis = plan
            path = stream.path
            numbers = {q: self.book.number(q) for q, _h in survey.roles.questions}
            for part in stream.body_chunks(chunk_rows, self.notices):
                rows = survey_records(
                    part, path, self.stems[path], survey.roles, numbers=numbers, basis=basis,
                    salt=self.salt, notices=self.notices,
                ).rows
                _pseudonymise_rows(rows, identity, self.salt)
                self.notices[:] = list(dict.fromkeys(self.notices))  # the same notice per chunk once
                yield _frame(rows, columns)
        self.rows = []

    def finish(self, respondent_col: str | None) -> tuple[ColumnRoles, list[str]]:
        """The run's notices (choices first) and roles, once every file is read or opened."""
        if not self.read_files:
            raise InputError("読める回答ファイルがありませんでした。" + " ".join(self.notices))
        self.book.check_all_found()
        self.notices[:0] = self.book.notices() + _basis_notice(self.bases, respondent_col)
        identity = list(dict.fromkeys(c for _p, s in self.surveys for c in s.roles.identity))
        if identity:
            self.notices.append(_identity_notice(self.surveys))
            _pseudonymise_rows(self.rows, identity, self.salt)
        roles = ColumnRoles(questions=self.book.names(), identity=identity)
        if self.surveys:
            first = self.surveys[0][1].roles
            roles.text = first.question_headers[0]
            roles.id, roles.respondent = first.id, first.respondent
            roles.time, roles.segments = first.time, list(first.segments)
        for path, survey in self.surveys:
            own = survey.roles
            roles.by_file[path.name] = {
                "questions": dict(own.questions), "id": own.id, "respondent": own.respondent,
                "time": own.time, "segments": list(own.segments), "identity": list(own.identity),
            }
        return roles, identity

    def result(self, respondent_col: str | None) -> ReadResult:
        """The raw table, the notices (choices first) and the roles of the run."""
        roles, _identity = self.finish(respondent_col)
        return ReadResult(
            table=_frame(self.rows, list(self.columns)), notices=self.notices, columns=roles,
            files=self.read_files,
        )


def _pseudonymise_rows(rows: list[dict[str, object]], columns: list[str], salt: bytes) -> None:
    """A column that identifies people in one file is pseudonymised in every file.

    (A file where only a few cells of the column are e-mail addresses was not flagged on its
    own.) Values already pseudonymised are left as they are.
    """
    for row in rows:
        for col in columns:
            value = row.get(col)
            if isinstance(value, str) and value and not value.startswith(PSEUDONYM_PREFIX):
                row[col] = pseudonym(value, salt)


def _identity_notice(surveys: list[tuple[Path, SurveyFile]]) -> str:
    """Which columns were pseudonymised, and why."""
    parts = []
    for path, survey in surveys:
        if survey.identity_reasons:
            cols = ", ".join(f"{c}（{why}）" for c, why in survey.identity_reasons.items())
            parts.append(f"{path.name}: {cols}")
    return (
        "個人を特定できる列は、出力に元の値を書かず仮名（「仮名-」で始まる記号。同じ値には同じ仮名）に"
        f"置き換えました — {'; '.join(parts)}。"
    )
