"""Per-format readers: CSV/TSV text, Excel workbooks and JSON Lines to a :class:`~.sheets.Sheet`."""

from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
import json
import math
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.decode import decode_bytes, read_bytes
from rsnet_analysis.ingest.quotes import check_quotes
from rsnet_analysis.ingest.sheets import Sheet, dedupe_header, norm_header, row_list, rows_to_sheet
from rsnet_analysis.ingest.sniff import check_not_html, check_workbook_bytes

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["NotATableError", "read_csv", "read_jsonl", "read_xlsx"]


class NotATableError(InputError):
    """A ``.txt`` file that is prose (a README, notes), not a delimited table."""


def _delimiter(path: Path, text: str) -> str:
    """Tab for .tsv files or when the first line has more tabs than commas, else comma."""
    first_line = text.split("\n", 1)[0]
    if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(","):
        return "\t"
    return ","


def _check_is_table(path: Path, rows: list[tuple[int, list[str]]]) -> None:
    """A ``.txt`` input must be a table: a header of two or more columns that most rows match."""
    filled = [cells for _n, cells in rows if any(c.strip() for c in cells)]
    width = len(filled[0]) if filled else 0
    same = sum(len(cells) == width for cells in filled[1:])
    if width < 2 or len(filled) < 2 or same < 0.8 * (len(filled) - 1):
        raise NotATableError(
            f"ファイル {path} は表（コンマ区切りかタブ区切り）ではない文章のファイルのようです。"
            "回答の表なら CSV で保存し直し、情報交換会のメモなら拡張子を .md にしてください。"
        )


def read_csv(path: Path, notices: list[str]) -> Sheet:
    """Read a delimited text file (comma, or tab when the header has more tabs).

    Raises
    ------
    InputError
        For a workbook or web page under a text name, undecodable bytes, a quote that runs over
        rows (:func:`~.quotes.check_quotes`); :class:`NotATableError` for a ``.txt`` file that
        is not a table.
    """
    data = read_bytes(path)
    check_workbook_bytes(data, path, expect_workbook=False)
    check_not_html(data, path)
    text, _encoding = decode_bytes(data, path)
    delimiter = _delimiter(path, text)
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    spans: list[tuple[int, int]] = []
    try:
        start = 1
        for number, cells in enumerate(reader, start=1):  # Excel's row number: one per record
            rows.append((number, cells))
            spans.append((start, reader.line_num))  # physical lines, for a text editor
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(
            f"ファイル {path} の {reader.line_num} 行目を CSV として読めません（{err}）。"
            "Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存し直してください。"
        ) from None
    if path.suffix.lower() == ".txt":
        _check_is_table(path, rows)
    check_quotes(text, rows, spans, delimiter, path)
    return rows_to_sheet(rows, path, notices)


def cell_to_str(value: object) -> str:
    """Excel cell value as text: dates as ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _open_workbook(path: Path) -> Workbook:
    """Open a workbook with openpyxl; every failure becomes an InputError."""
    data = read_bytes(path)
    check_workbook_bytes(data, path, expect_workbook=True)
    check_not_html(data, path)
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        return openpyxl.load_workbook(path, read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise InputError(
            f"ファイル {path} を Excel ブック (.xlsx) として開けません（{type(err).__name__}）。"
            "ファイルが壊れているか、拡張子だけが .xlsx の別形式です。"
            "Excel で開いて .xlsx で保存し直すか、CSV UTF-8 で書き出してください。"
        ) from None


def _table_rows(worksheet: Worksheet) -> int:
    """Rows of a sheet that fill at least two cells (a cover sheet's lines and blank rows do not)."""
    return sum(
        1
        for values in worksheet.iter_rows(values_only=True)
        if sum(v is not None and str(v).strip() != "" for v in values) >= 2
    )


def _pick_sheet(workbook: Workbook, path: Path, sheet: str | int | None, notices: list[str]) -> Worksheet:
    """The sheet asked for by name (matched loosely) or 0-based index.

    By default the sheet with the most rows of two or more filled cells: workbooks exported for
    people often open on a cover sheet (表紙: a title, a contact) with the answers on the next
    sheet and a tally (集計) after it. A notice names the sheet read when it is not the first.
    """
    names = workbook.sheetnames
    if sheet is None:
        if len(names) == 1:
            return workbook.worksheets[0]
        sizes = [_table_rows(ws) for ws in workbook.worksheets]
        chosen = workbook.worksheets[sizes.index(max(sizes))]
        if chosen is not workbook.worksheets[0]:
            notices.append(
                f"{path.name}: 先頭のシート『{names[0]}』ではなく、表の行が最も多いシート『{chosen.title}』を読みました"
                f"（ほかのシート: {', '.join(n for n in names if n != chosen.title)}）。別のシートは --sheet で指定してください。"
            )
        return chosen
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise InputError(
                f"ファイル {path} にシート番号 {sheet} はありません（0 から {len(names) - 1} まで）。"
                f"シート: {', '.join(names)}"
            )
        return workbook.worksheets[sheet]
    wanted = str(sheet)
    match = [n for n in names if n == wanted] or [
        n for n in names if norm_header(n) == norm_header(wanted)
    ]
    if not match:
        raise InputError(
            f"ファイル {path} にシート『{wanted}』がありません。"
            f"あるシート: {', '.join(names)}。--sheet でシート名を指定してください。"
        )
    return workbook[match[0]]


def read_xlsx(path: Path, sheet: str | int | None, notices: list[str]) -> Sheet:
    """Read one sheet of an Excel workbook with openpyxl (default: the one with the most table rows).

    Raises
    ------
    InputError
        For an encrypted or old-format workbook, a corrupt file, an unknown sheet, or a sheet
        without answers (naming the other sheets).
    """
    workbook = _open_workbook(path)
    try:
        names = workbook.sheetnames
        worksheet = _pick_sheet(workbook, path, sheet, notices)
        rows = [
            (number, [cell_to_str(v) for v in values])
            for number, values in enumerate(
                worksheet.iter_rows(min_row=1, max_row=worksheet.max_row, values_only=True), start=1
            )
        ]
    finally:
        workbook.close()
    try:
        return rows_to_sheet(rows, path, notices)
    except InputError as err:
        if len(names) > 1:
            raise InputError(f"{err.message}（シート『{worksheet.title}』。ほかのシート: "
                             f"{', '.join(n for n in names if n != worksheet.title)}）") from None
        raise


def _json_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return cell_to_str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _json_objects(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    """The numbered objects of a JSON Lines text (blank lines skipped)."""
    objects: list[tuple[int, dict[str, object]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(
                f"ファイル {path} の {number} 行目が JSON として読めません（{err.msg}, {err.colno} 文字目）。"
                "1 行に 1 つの JSON オブジェクト {\"列名\": \"値\", ...} を書いてください。"
            ) from None
        if not isinstance(obj, dict):
            raise InputError(
                f"ファイル {path} の {number} 行目が JSON オブジェクトではありません。"
                "1 行に 1 つの {\"列名\": \"値\", ...} を書いてください。"
            )
        objects.append((number, {str(k): v for k, v in obj.items()}))
    return objects


def read_jsonl(path: Path, notices: list[str]) -> Sheet:
    """Read JSON Lines: one object per line, keys in order of first appearance."""
    data = read_bytes(path)
    check_not_html(data, path)
    text, _encoding = decode_bytes(data, path)
    objects = _json_objects(text, path)
    if not objects:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    header = list(dict.fromkeys(key for _n, obj in objects for key in obj))
    sheet = Sheet(header=dedupe_header(header), rows=[], row_numbers=[], header_row=0)
    blank = []
    for number, obj in objects:
        cells = [_json_value(obj.get(h)) for h in header]
        if all(not c.strip() for c in cells):
            blank.append(number)
            continue
        sheet.rows.append(cells)
        sheet.row_numbers.append(number)
    if not sheet.rows:
        raise InputError(f"ファイル {path} の行はすべて値が空です。回答を書き出したファイルを指定してください。")
    if blank:
        notices.append(f"{path.name}: 値が空の行 {len(blank)} 行を読み飛ばしました（{row_list(blank)}）。")
    return sheet
