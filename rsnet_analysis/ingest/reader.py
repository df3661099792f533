"""Read survey exports and session notes into one raw table.

:func:`read_inputs` is the single entry point. It reads CSV/TSV text files
(UTF-8 with or without BOM, or cp932 as Excel saves it), Excel workbooks,
JSON Lines and Markdown session notes, and returns a :class:`ReadResult` whose
table follows the raw-table contract (:data:`rsnet_analysis.contract.BASE_COLUMNS`):
one row per survey row or note bullet/paragraph, in order, everything as strings.

Anything wrong with an input raises :class:`~rsnet_analysis.errors.InputError`
with a Japanese message that names the file (and row or column) and says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsnet_analysis.contract import BASE_COLUMNS, NOTE_COLUMNS
from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.notes import read_markdown
from rsnet_analysis.ingest.paths import (
    JSONL_SUFFIXES,
    MD_SUFFIXES,
    XLSX_SUFFIXES,
    expand_paths,
    record_stems,
)
from rsnet_analysis.ingest.roles import resolve_roles
from rsnet_analysis.ingest.sheets import read_csv, read_jsonl, read_xlsx
from rsnet_analysis.ingest.survey import survey_records


@dataclass
class ColumnRoles:
    """The input columns chosen for each role (original header names).

    Attributes
    ----------
    text : str or None
        The free-text column (``None`` when only notes were read).
    id : str or None
        The respondent id column, if one was named.
    time : str or None
        The answer date column, named or detected.
    segments : list of str
        Attribute columns to compare by (``--segment-col``).
    """

    text: str | None = None
    id: str | None = None
    time: str | None = None
    segments: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    """What :func:`read_inputs` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The raw table: :data:`BASE_COLUMNS`, then every other input column under its
        original name, one row per survey row or note bullet/paragraph.
    notices : list of str
        Messages for the user (Japanese), e.g. which column was taken as free text.
    columns : ColumnRoles
        The original names of the columns chosen for each role (from the first survey
        file when several files are read).
    files : list of pathlib.Path
        The files read, in the order their rows appear.
    """

    table: pd.DataFrame
    notices: list[str]
    columns: ColumnRoles
    files: list[Path] = field(default_factory=list)


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    time_col: str | None = None,
    segment_cols: Sequence[str] = (),
    sheet: str | int | None = None,
) -> ReadResult:
    """Read survey exports and session notes into one raw table.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files or folders. A folder contributes every supported file inside it
        (recursively, hidden files and Excel lock files skipped). Files are read in
        path order. Formats by extension: ``.csv``/``.txt``/``.tsv`` (UTF-8 with or
        without BOM, or cp932; comma or tab separated), ``.xlsx``/``.xlsm``,
        ``.jsonl``/``.ndjson``, ``.md``/``.markdown`` (session notes).
    text_col : str, optional
        The free-text column. Matched exactly, then after NFKC, whitespace removal
        and case folding (``TEXT`` finds ``text``, ``課題 `` finds ``課題``). When not
        given, the column with the longest mean text among mostly-unique columns is
        used and a notice says which.
    id_col : str, optional
        Respondent id column. Without it the respondent is the attribute values
        (all columns except text, dates and running numbers) joined with ``|``.
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
        For a missing, empty, header-only or blank file, undecodable bytes, a corrupt
        workbook, an unknown column or sheet; the message names the file (and row or
        column) and what to do.
    """
    files = expand_paths(paths)
    stems = record_stems(files)
    notices: list[str] = []
    auto_text: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    roles_out: ColumnRoles | None = None
    all_rows: list[dict[str, object]] = []
    columns: list[str] = []
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix in MD_SUFFIXES:
                rows = read_markdown(path)
                extra = list(NOTE_COLUMNS)
            else:
                if suffix in XLSX_SUFFIXES:
                    table = read_xlsx(path, sheet, notices)
                elif suffix in JSONL_SUFFIXES:
                    table = read_jsonl(path, notices)
                else:
                    table = read_csv(path, notices)
                roles = resolve_roles(
                    table,
                    path,
                    text_col=text_col,
                    id_col=id_col,
                    time_col=time_col,
                    segment_cols=segment_cols,
                    notices=notices,
                    auto_text=auto_text,
                )
                if roles_out is None:
                    roles_out = ColumnRoles(
                        text=roles.text, id=roles.id, time=roles.time, segments=list(roles.segments)
                    )
                file_records = survey_records(table, path, roles, notices)
                rows, extra = file_records.rows, file_records.extra_columns
        except InputError:
            raise
        except Exception as err:  # never let a library traceback reach the user
            raise InputError(
                f"ファイル {path} を読めませんでした（{type(err).__name__}: {err}）。"
                "ファイルが壊れていないか確かめ、CSV UTF-8 か .xlsx で保存し直してください。"
            ) from err
        for name in extra:
            if name not in columns:
                columns.append(name)
        stem = stems[path]
        for row in rows:
            row["record_id"] = f"{stem}:{row['source_row']}"
            row["source_file"] = path.name
            all_rows.append(row)
    for (name, others), used_in in reversed(auto_text.items()):
        also = f"ほかの候補: {', '.join(others)}。" if others else ""
        notices.insert(
            0,
            f"自由記述列として『{name}』を使います（{', '.join(used_in)}）。{also}"
            "別の列を使うには --text-col で列名を指定してください。",
        )
    ordered = list(BASE_COLUMNS) + columns
    frame = pd.DataFrame.from_records(
        [[row.get(c, "") for c in ordered] for row in all_rows], columns=ordered
    )
    for name in ordered:
        if name != "source_row":
            frame[name] = frame[name].astype(object)
    frame["source_row"] = frame["source_row"].astype("int64")
    return ReadResult(
        table=frame,
        notices=notices,
        columns=roles_out or ColumnRoles(),
        files=files,
    )
