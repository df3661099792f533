"""Reading large inputs in chunks: the raw table as a stream of row blocks, memory bounded.

:func:`iter_inputs` is the streaming twin of :func:`~rsnet_analysis.ingest.read_inputs`: the same
raw-table contract, record ids, pseudonyms and notices, but the rows come as
:class:`pandas.DataFrame` chunks of at most ``chunk_rows`` input rows, so no step holds a large
file whole. A CSV/TSV or JSON Lines file of at least :data:`STREAM_FILE_BYTES` is read this way:

1. its first :data:`HEAD_ROWS` rows (at most :data:`HEAD_BYTES`) decide what the whole-file
   reader decides from every row: the encoding, the delimiter, the header (one or two rows), the
   free-text questions, the date column and the columns that identify people;
2. then the file is decoded as a stream with that encoding and cut into chunks of rows.

Smaller files, workbooks and session notes are read whole, as one chunk each. Differences from
the whole-file reader, all documented in ``docs/scale.md``: column roles are judged on the first
rows only; a JSON Lines key that first appears after them is not read; the checks that look at the
whole text at once (mixed encodings, a quote running over many rows) look at the first rows only,
and a byte that does not decode later in the file stops the run with the file's name; notices
about blank rows and unreadable dates are given per chunk.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rsnet_analysis.contract import BASE_COLUMNS
from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.decode import decode_bytes
from rsnet_analysis.ingest.files import SurveyFile
from rsnet_analysis.ingest.formats import _check_is_table, _delimiter, _json_objects, _json_value
from rsnet_analysis.ingest.paths import CSV_SUFFIXES, JSONL_SUFFIXES
from rsnet_analysis.ingest.sheets import (
    Sheet,
    _fit,
    _is_blank_row,
    dedupe_header,
    row_list,
    rows_to_sheet,
)
from rsnet_analysis.ingest.sniff import check_not_html, check_workbook_bytes

if TYPE_CHECKING:
    from rsnet_analysis.ingest.reader import ColumnRoles

__all__ = [
    "CHUNK_ROWS",
    "HEAD_BYTES",
    "HEAD_ROWS",
    "STREAM_FILE_BYTES",
    "FileStream",
    "StreamRead",
    "iter_inputs",
    "open_stream",
    "stream_bytes",
    "streamable",
]

#: Files at least this large (and CSV/TSV/JSON Lines) are read in chunks.
STREAM_FILE_BYTES = 8_000_000
#: Rows (and bytes) at the start of a file that decide its columns.
HEAD_ROWS = 20_000
HEAD_BYTES = 16_000_000
#: Input rows per chunk.
CHUNK_ROWS = 50_000


def stream_bytes(paths: str | Path | Iterable[str | Path]) -> int:
    """Bytes of the CSV/TSV and JSON Lines files among ``paths`` (folders searched as the reader does)."""
    from rsnet_analysis.ingest.paths import collect_inputs

    total = 0
    for path in collect_inputs(paths).files:
        if path.suffix.lower() in CSV_SUFFIXES + JSONL_SUFFIXES:
            try:
                total += path.stat().st_size
            except OSError:
                continue
    return total


def streamable(path: Path) -> bool:
    """Whether ``path`` is read in chunks in a streaming run (a large CSV/TSV/JSON Lines file)."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + JSONL_SUFFIXES:
        return False
    try:
        return path.stat().st_size >= STREAM_FILE_BYTES
    except OSError:
        return False


@dataclass
class FileStream:
    """A large file opened for chunked reading: how to decode it and its first rows as a table.

    Attributes
    ----------
    path : Path
    encoding : str
        The codec found on the first bytes (``utf-8-sig``, ``utf-8`` or ``cp932``).
    delimiter : str or None
        The CSV delimiter; None for JSON Lines.
    head : Sheet
        The first rows as a table (header resolved), from which the columns are decided.
    keys : list of str
        JSON Lines only: the keys of the head, in order (the columns).
    """

    path: Path
    encoding: str
    delimiter: str | None
    head: Sheet
    keys: list[str] = field(default_factory=list)

    def body_chunks(self, chunk_rows: int, notices: list[str]) -> Iterator[Sheet]:
        """The whole body again, as tables of at most ``chunk_rows`` rows (header excluded)."""
        width = len(self.head.header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        blank: list[int] = []
        for number, cells in self._records():
            if number <= self.head.header_row:
                continue
            if _is_blank_row(cells):
                blank.append(number)
                continue
            rows.append(_fit(cells, width)[0])
            numbers.append(number)
            if len(rows) == chunk_rows:
                yield Sheet(self.head.header, rows, numbers, self.head.header_row)
                rows, numbers = [], []
        if rows:
            yield Sheet(self.head.header, rows, numbers, self.head.header_row)
        if blank:
            notices.append(f"{self.path.name}: 空の行 {len(blank)} 行を読み飛ばしました（{row_list(blank)}）。")

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Numbered records of the whole file (Excel's numbering: one per record)."""
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            try:
                if self.delimiter is None:
                    for number, line in enumerate(text, start=1):
                        yield from self._json_record(number, line)
                else:
                    reader = csv.reader(text, delimiter=self.delimiter, strict=False)
                    yield from enumerate(reader, start=1)
            except UnicodeDecodeError:
                raise InputError(
                    f"ファイル {self.path} の途中に {self.encoding} として読めないバイトがあります"
                    "（先頭の部分とは別の文字コードで保存された行が混ざっています）。"
                    "ファイル全体を「CSV UTF-8」で保存し直してください。"
                ) from None
            except csv.Error as err:
                raise InputError(
                    f"ファイル {self.path} を CSV として読めません（{err}）。"
                    "Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存し直してください。"
                ) from None

    def _json_record(self, number: int, line: str) -> Iterator[tuple[int, list[str]]]:
        if not line.strip():
            return
        objects = _json_objects(line.rstrip("\r\n"), self.path)
        for _n, obj in objects:
            yield number, [_json_value(obj.get(k)) for k in self.keys]


def open_stream(path: Path, notices: list[str]) -> FileStream:
    """Open a large file for chunked reading: decode and check its start, read its first rows.

    Raises
    ------
    InputError
        As the whole-file reader would for the first rows (a workbook or web page under a text
        name, undecodable bytes, not a table, a blank file).
    """
    with path.open("rb") as f:
        data = f.read(HEAD_BYTES)
        complete = not f.read(1)
    if not complete:  # cut after the last line break: no half character, no half line
        data = data[: data.rfind(b"\n") + 1] or data
    check_workbook_bytes(data, path, expect_workbook=False)
    check_not_html(data, path)
    text, encoding = decode_bytes(data, path)
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _jsonl_head(path, text, encoding, complete, notices)
    delimiter = _delimiter(path, text)
    rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False), start=1))
    if not complete:
        rows = rows[:-1]  # the last record may run on past the bytes read
    rows = rows[: HEAD_ROWS + 2]
    if path.suffix.lower() == ".txt":
        _check_is_table(path, rows)
    head = rows_to_sheet(rows, path, [])  # notices about the body come from the full pass
    return FileStream(path, _stream_codec(encoding), delimiter, head)


def _jsonl_head(path: Path, text: str, encoding: str, complete: bool, notices: list[str]) -> FileStream:
    lines = text.split("\n")
    if not complete:
        lines = lines[:-1]
    objects = _json_objects("\n".join(lines[: HEAD_ROWS]), path)
    if not objects:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    keys = list(dict.fromkeys(key for _n, obj in objects for key in obj))
    rows = [[_json_value(obj.get(k)) for k in keys] for _n, obj in objects]
    head = Sheet(header=dedupe_header(keys), rows=rows, row_numbers=[n for n, _obj in objects], header_row=0)
    return FileStream(path, _stream_codec(encoding), None, head, keys)


def _stream_codec(encoding: str) -> str:
    """The codec name for a text stream (``utf-8-sig`` drops the BOM at the start only)."""
    return codecs.lookup(encoding).name if encoding != "utf-8-sig" else "utf-8-sig"


def _extra_columns(header: Sequence[str], survey: SurveyFile) -> list[str]:
    """The attribute columns :func:`~.survey.survey_records` writes for this header."""
    questions = set(survey.roles.question_headers)
    return [f"{n}_input" if n in BASE_COLUMNS else n for n in header if n not in questions]


@dataclass
class StreamRead:
    """What :func:`iter_inputs` returns: the run's columns now, its rows as they are read.

    Attributes
    ----------
    columns : ColumnRoles
        As :attr:`~.reader.ReadResult.columns`.
    notices : list of str
        The notices known before the rows are read; notices about rows are appended while
        :attr:`chunks` is consumed.
    files : list of Path
        The files, in the order their rows come.
    streamed : list of Path
        The files read in chunks (the others were read whole).
    chunks : iterator of pandas.DataFrame
        Raw-table chunks (:data:`~rsnet_analysis.contract.BASE_COLUMNS` and the run's other
        columns, the same in every chunk), in input order.
    """

    columns: ColumnRoles
    notices: list[str]
    files: list[Path]
    streamed: list[Path]
    chunks: Iterator[pd.DataFrame]


def iter_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    text_cols: str | Sequence[str] = (),
    questions: str | Path | None = None,
    id_col: str | None = None,
    respondent_col: str | None = None,
    time_col: str | None = None,
    segment_cols: Sequence[str] = (),
    sheet: str | int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> StreamRead:
    """Read inputs as a stream of raw-table chunks (see the module docstring).

    Parameters are those of :func:`~rsnet_analysis.ingest.read_inputs`, plus ``chunk_rows``, the
    most input rows per chunk. Every file is opened (and its columns decided) before this
    returns, so problems with any file are reported before the long work starts.

    Returns
    -------
    StreamRead

    Raises
    ------
    InputError
        As :func:`~rsnet_analysis.ingest.read_inputs` (and while chunks are read, for a byte
        that does not decode further down a large file).
    """
    from rsnet_analysis.ingest.reader import _plan_run

    return _plan_run(
        paths, text_cols, questions, chunk_rows,
        {"id_col": id_col, "respondent_col": respondent_col, "time_col": time_col,
         "segment_cols": segment_cols, "sheet": sheet},
    )
