"""The Excel workbook ``report.xlsx``: the sheets of :mod:`.sheets`, styled, with stable bytes.

Shares are written as numbers with a percentage format (:data:`NUMBER_FORMATS`), so they sort and
sum in Excel and read as 12.3%.

Every text cell stays text (:func:`_keep_text`): openpyxl turns a string that starts with ``=``
into a formula cell and ``#N/A`` into an error value, so such cells are written back as string
cells, and those that start like a formula (:func:`~.tables.starts_like_formula`) also carry
Excel's quote prefix, so that editing the cell later does not make it a formula either. The
workbook holds no ``<f>`` element; the text itself is unchanged.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def _style_sheet(sheet: Any, table: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    # printed (or saved as PDF) a sheet keeps its columns on one page width, landscape
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_setup.orientation = "landscape"
    if len(table.columns):
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(table.columns))}{max(len(table), 1) + 1}"
        )
    for i, col in enumerate(table.columns, start=1):
        number_format = NUMBER_FORMATS.get(str(col))
        if number_format:
            for cell in sheet[get_column_letter(i)][1:]:
                cell.number_format = number_format
        values = [str(col)] + [str(v) for v in table[col].head(300) if pd.notna(v)]
        width = max(display_width(v) for v in values) + 2
        limit = 60 if col in _WIDE_COLUMNS else 36
        sheet.column_dimensions[get_column_letter(i)].width = max(8, min(limit, width))
        if col in _WIDE_COLUMNS:
            for cell in sheet[get_column_letter(i)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _as_text(cell: Any, value: Any) -> None:
    from openpyxl.cell.cell import ERROR_CODES

    if not isinstance(value, str):
        return
    formula = starts_like_formula(value)
    if formula or value in ERROR_CODES:
        cell.data_type = "s"
    if formula:
        cell.quotePrefix = True


def _keep_text(sheet: Any, table: pd.DataFrame) -> None:
    """Make every text cell of a written sheet a string cell (no formula, no error value)."""
    from openpyxl.cell.cell import ERROR_CODES

    def risky(value: Any) -> bool:
        return starts_like_formula(value) or (isinstance(value, str) and value in ERROR_CODES)

    for j in range(table.shape[1]):
        _as_text(sheet.cell(row=1, column=j + 1), table.columns[j])
        column = table.iloc[:, j]
        if pd.api.types.is_numeric_dtype(column.dtype):
            continue
        values = column.astype(object)
        if not may_need_escape(values, also="#"):  # Excel's error values start with #
            continue
        flagged = values.map(risky).to_numpy(dtype=bool)
        for i in flagged.nonzero()[0]:
            _as_text(sheet.cell(row=int(i) + 2, column=j + 1), column.iloc[i])


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
    import datetime

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    sheets = workbook_sheets(result, context)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name in SHEETS:
            table = sheets[name]
            if table.columns.empty:
                table = pd.DataFrame({"内容": ["（この分析では該当する表がありません）"]})
            table.to_excel(writer, sheet_name=name, index=False)
            _keep_text(writer.sheets[name], table)
            _style_sheet(writer.sheets[name], table)
        fixed = datetime.datetime(2000, 1, 1)
        props = writer.book.properties
        props.creator = "rsnet-analysis"
        props.lastModifiedBy = "rsnet-analysis"
        props.title = "課題分析レポート（表）"
        props.created = fixed
        props.modified = fixed
    target.write_bytes(_normalise_xlsx(buffer.getvalue()))
    return target
