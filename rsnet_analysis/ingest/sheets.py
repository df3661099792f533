"""Rectangular tables from CSV/TSV, Excel and JSON Lines files, before column roles are applied."""

from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.decode import decode_bytes, read_bytes


@dataclass
class Sheet:
    """A rectangular table read from one file before roles are applied."""

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int = 1


def norm_header(name: str) -> str:
    """Header as compared: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


def _dedupe_header(header: list[str]) -> list[str]:
    """Name blank headers 列N and make duplicate headers unique (課題, 課題.1)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        name = name.strip() or f"列{i}"
        candidate, k = name, 1
        while candidate in seen:
            candidate = f"{name}.{k}"
            k += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _is_blank_row(cells: Sequence[str]) -> bool:
    return all(not c.strip() for c in cells)


def _rows_to_sheet(
    rows: Iterable[tuple[int, list[str]]], path: Path, notices: list[str]
) -> Sheet:
    """Build a Sheet from numbered rows: first non-blank row is the header."""
    header: list[str] | None = None
    header_row = 1
    body: list[list[str]] = []
    numbers: list[int] = []
    blank: list[int] = []
    long_rows: list[int] = []
    for number, cells in rows:
        if header is None:
            if _is_blank_row(cells):
                continue
            header_row = number
            while cells and not cells[-1].strip() and len(cells) > 1:
                cells = cells[:-1]
            header = _dedupe_header(cells)
            continue
        if _is_blank_row(cells):
            blank.append(number)
            continue
        width = len(header)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            extra = cells[width - 1 :]
            if any(c.strip() for c in cells[width:]):
                long_rows.append(number)
                cells = cells[: width - 1] + [",".join(extra)]
            else:
                cells = cells[:width]
        body.append(cells)
        numbers.append(number)
    if header is None:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    if not body:
        if blank:
            raise InputError(
                f"ファイル {path} の回答の行がすべて空です（見出しは {header_row} 行目）。"
                "回答を書き出したファイルを指定してください。"
            )
        raise InputError(
            f"ファイル {path} には見出しの行（{header_row} 行目: {', '.join(header)}）しかなく、"
            "回答の行がありません。回答を含めて書き出し直してください。"
        )
    if blank:
        notices.append(f"{path.name}: 空の行 {len(blank)} 行を読み飛ばしました（{row_list(blank)}）。")
    if long_rows:
        notices.append(
            f"{path.name}: 見出しより列の多い行があり、はみ出したセルを最後の列『{header[-1]}』に"
            f"コンマでつなげました（{row_list(long_rows)}）。文中のコンマはセルを \" で囲むと区切りになりません。"
        )
    return Sheet(header=header, rows=body, row_numbers=numbers, header_row=header_row)


def row_list(numbers: Sequence[int], limit: int = 10) -> str:
    """Row numbers for a notice: the first ``limit``, then how many more."""
    shown = "、".join(f"{n} 行目" for n in numbers[:limit])
    return shown + (f" ほか {len(numbers) - limit} 行" if len(numbers) > limit else "")


def read_csv(path: Path, notices: list[str]) -> Sheet:
    """Read a delimited text file (comma, or tab when the header has more tabs)."""
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"ファイル {path} は CSV ではなく Excel ブック（zip 形式）のようです。"
            "拡張子を .xlsx に直すか、Excel で「CSV UTF-8 (コンマ区切り)」として保存してください。"
        )
    text, _encoding = decode_bytes(data, path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, cells))
    except csv.Error as err:
        raise InputError(
            f"ファイル {path} の {reader.line_num} 行目を CSV として読めません（{err}）。"
            "Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存し直してください。"
        ) from None
    return _rows_to_sheet(rows, path, notices)


def _cell_to_str(value: object) -> str:
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


def read_xlsx(path: Path, sheet: str | int | None, notices: list[str]) -> Sheet:
    """Read one sheet of an Excel workbook with openpyxl (default: the first sheet)."""
    read_bytes(path)  # missing / empty file messages
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise InputError(
            f"ファイル {path} を Excel ブック (.xlsx) として開けません（{type(err).__name__}）。"
            "ファイルが壊れているか、拡張子だけが .xlsx の別形式です。"
            "Excel で開いて .xlsx で保存し直すか、CSV UTF-8 で書き出してください。"
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(
                    f"ファイル {path} にシート番号 {sheet} はありません（0 から {len(names) - 1} まで）。"
                    f"シート: {', '.join(names)}"
                )
            worksheet = workbook.worksheets[sheet]
        else:
            wanted = str(sheet)
            match = [n for n in names if n == wanted] or [
                n for n in names if norm_header(n) == norm_header(wanted)
            ]
            if not match:
                raise InputError(
                    f"ファイル {path} にシート『{wanted}』がありません。"
                    f"あるシート: {', '.join(names)}。--sheet でシート名を指定してください。"
                )
            worksheet = workbook[match[0]]
        rows = [
            (number, [_cell_to_str(v) for v in values])
            for number, values in enumerate(
                worksheet.iter_rows(min_row=1, max_row=worksheet.max_row, values_only=True), start=1
            )
        ]
    finally:
        workbook.close()
    try:
        return _rows_to_sheet(rows, path, notices)
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
        return _cell_to_str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def read_jsonl(path: Path, notices: list[str]) -> Sheet:
    """Read JSON Lines: one object per line, keys in order of first appearance."""
    text, _encoding = decode_bytes(read_bytes(path), path)
    header: list[str] = []
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
        for key in obj:
            if str(key) not in header:
                header.append(str(key))
        objects.append((number, {str(k): v for k, v in obj.items()}))
    if not objects:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    rows = [(number, [_json_value(obj.get(h)) for h in header]) for number, obj in objects]
    sheet = Sheet(header=_dedupe_header(header), rows=[], row_numbers=[], header_row=0)
    blank = []
    for number, cells in rows:
        if _is_blank_row(cells):
            blank.append(number)
            continue
        sheet.rows.append(cells)
        sheet.row_numbers.append(number)
    if not sheet.rows:
        raise InputError(f"ファイル {path} の行はすべて値が空です。回答を書き出したファイルを指定してください。")
    if blank:
        notices.append(f"{path.name}: 値が空の行 {len(blank)} 行を読み飛ばしました（{row_list(blank)}）。")
    return sheet
