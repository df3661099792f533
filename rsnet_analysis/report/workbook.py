"""The Excel workbook ``report.xlsx``: the sheets of :mod:`.sheets`, styled, with stable bytes.

Written with XlsxWriter in its constant-memory mode: each row goes to a temporary file as it is
written, so a sheet of any length costs the memory of one row (openpyxl, used before, held every
cell as an object: 7 s and a few hundred MB for the 250,000 cells of a 100,000-answer run).

Shares are written as numbers with a percentage format (:data:`NUMBER_FORMATS`), so they sort and
sum in Excel and read as 12.3%.

Every text cell stays text: it is written as a string cell, never parsed as a formula, a number,
a URL or an error value (``#N/A``), and text that starts like a formula
(:func:`~.tables.starts_like_formula`) also carries Excel's quote prefix, so that editing the cell
later does not make it a formula either. The workbook holds no ``<f>`` element; the text itself
is unchanged (beyond Excel's limit of 32,767 characters a cell, which ``records.csv`` does not
have).
"""

from __future__ import annotations

import datetime
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Mapping
from numbers import Number
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report.labels import FIXED_TIMESTAMP, SHEETS
from rsnet_analysis.report.sheets import workbook_sheets
from rsnet_analysis.report.tables import may_need_escape, starts_like_formula
from rsnet_analysis.report.textwrap_ja import display_width

#: Number formats by header (shares as percentages, changes with a sign, p-values to 3 places).
NUMBER_FORMATS: dict[str, str] = {
    "割合": "0.0%",
    "95%信頼区間（下限）": "0.0%",
    "95%信頼区間（上限）": "0.0%",
    "前回の割合": "0.0%",
    "変化（割合の差）": "+0.0%;-0.0%;0.0%",
    "p値（補正後）": "0.000",
    "p値（表全体）": "0.000",
    "調整済み残差": "+0.00;-0.00;0.00",
    "期待度数": "0.0",
    "カイ二乗値（表全体）": "0.00",
    "安定性（0〜1）": "0.00",
    "確からしさ": "0.00",
}


_WIDE_COLUMNS = {
    "回答（個人情報は伏せ字）", "内容（個人情報は伏せ字）", "話を聞ける自治体（取り組みを報告）", "課題の根拠",
    "メンバー（自治体）", "値", "内容", "代表的な声", "特徴語",
}


#: Header cells: white bold text on dark blue, wrapped.
_HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "pattern": 1, "valign": "vcenter", "text_wrap": True}
#: Options of the workbook: strings are written as they are (no formula, number or URL guessed).
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


class _Formats:
    """One XlsxWriter format per combination of header, number format, wrapping and quote prefix."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._made: dict[tuple[bool, str | None, bool, bool], Any] = {}

    def get(self, *, header: bool = False, number: str | None = None, wide: bool = False, quote: bool = False) -> Any:
        key = (header, number, wide, quote)
        if key not in self._made:
            props: dict[str, Any] = dict(_HEADER) if header else {}
            if number:
                props["num_format"] = number
            if wide:
                props.update(text_wrap=True, valign="top")
            if quote:
                props["quote_prefix"] = True
            self._made[key] = self._book.add_format(props) if props else None
        return self._made[key]


def _column_width(table: pd.DataFrame, col: Any) -> float:
    """Display width of a column: its header and first 300 values, between 8 and 36 (60 if wide)."""
    values = [str(col)] + [str(v) for v in table[col].head(300) if pd.notna(v)]
    width = max(display_width(v) for v in values) + 2
    limit = 60 if col in _WIDE_COLUMNS else 36
    return max(8, min(limit, width))


def _write_text(sheet: Any, row: int, col: int, text: str, fmt: Any) -> None:
    """One string cell, written as text whatever it holds.

    XlsxWriter copies a string that starts with ``<r>`` and ends with ``</r>`` into the sheet
    unescaped, as rich text of its own making: an answer written that way could carry a formula
    element or break the file. Such a string is written as a rich string of three plain pieces,
    each escaped; the cell reads back as the same text.
    """
    if text.startswith("<r>") and text.endswith("</r>"):
        pieces: tuple[Any, ...] = (text[:1], text[1:2], text[2:])
        sheet.write_rich_string(row, col, *pieces, *(() if fmt is None else (fmt,)))  # a None last would be a piece
    else:
        sheet.write_string(row, col, text, fmt)


def _write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any, quoted: Any, check: bool) -> None:
    """One cell by the type of its value (missing: an empty cell with the column's format)."""
    if isinstance(value, str) and value:
        _write_text(sheet, row, col, value, quoted if check and starts_like_formula(value) else fmt)
    elif value is None or value is pd.NA or value is pd.NaT or value == "":
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, Number) and not isinstance(value, complex | np.complexfloating):
        number = float(value)  # type: ignore[arg-type]
        if math.isnan(number):
            if fmt is not None:
                sheet.write_blank(row, col, None, fmt)
        elif math.isinf(number):
            text = "inf" if number > 0 else "-inf"
            _write_text(sheet, row, col, text, quoted if starts_like_formula(text) else fmt)
        else:
            sheet.write_number(row, col, number, fmt)
    else:
        text = value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else str(value)
        _write_text(sheet, row, col, text, quoted if starts_like_formula(text) else fmt)


def _write_sheet(book: Any, formats: _Formats, name: str, table: pd.DataFrame) -> None:
    """One styled sheet: header row, cells by type, frozen header, filter, fitted columns."""
    sheet = book.add_worksheet(name)
    columns = list(table.columns)
    sheet.freeze_panes(1, 0)
    # printed (or saved as PDF) a sheet keeps its columns on one page width, landscape
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(len(table), 1), len(columns) - 1)
    cell_formats, quoted, checks = [], [], []
    for j, col in enumerate(columns):
        number, wide = NUMBER_FORMATS.get(str(col)), col in _WIDE_COLUMNS
        cell_formats.append(formats.get(number=number, wide=wide))
        quoted.append(formats.get(number=number, wide=wide, quote=True))
        column = table.iloc[:, j]
        checks.append(not pd.api.types.is_numeric_dtype(column.dtype) and may_need_escape(column.astype(object)))
        sheet.set_column(j, j, _column_width(table, col))
        text = str(col)
        _write_text(sheet, 0, j, text, formats.get(header=True, quote=starts_like_formula(text)))
    lists = [table.iloc[:, j].tolist() for j in range(len(columns))]
    for i, values in enumerate(zip(*lists, strict=True), start=1):
        for j, value in enumerate(values):
            _write_cell(sheet, i, j, value, cell_formats[j], quoted[j], checks[j])


def _normalise_xlsx(data: bytes) -> bytes:
    """Fix the zip entry times and the document dates so the same workbook gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + FIXED_TIMESTAMP + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return target_buffer.getvalue()


def write_workbook(result: AnalysisResult, path: str | Path, context: Mapping[str, Any] | None = None) -> Path:
    """Write ``report.xlsx``: one sheet per table, styled headers, fitted columns, stable bytes.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    path : str or Path
        Target file.
    context : mapping, optional
        The run's report context (so the 概要 sheet shows what the HTML shows).

    Returns
    -------
    Path
    """
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxFileError

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sheets = workbook_sheets(result, context)
    with tempfile.TemporaryDirectory(prefix="rsnet-xlsx-", dir=target.parent) as tmp:
        draft = Path(tmp) / "report.xlsx"
        book = xlsxwriter.Workbook(str(draft), {**_OPTIONS, "tmpdir": tmp})
        book.set_properties(
            {"title": "課題分析レポート（表）", "author": "rsnet-analysis", "created": datetime.datetime(2000, 1, 1)}
        )
        formats = _Formats(book)
        for name in SHEETS:
            table = sheets[name]
            if table.columns.empty:
                table = pd.DataFrame({"内容": ["（この分析では該当する表がありません）"]})
            _write_sheet(book, formats, name, table)
        try:
            book.close()
        except XlsxFileError as error:  # a full disk or a folder gone: the OSError it wraps
            cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else None
            if cause is None:
                raise
            raise cause from error
        target.write_bytes(_normalise_xlsx(draft.read_bytes()))
    return target
