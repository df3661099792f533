"""The Excel workbook ``report.xlsx``: the result tables as sheets, with stable bytes.

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

from rsnet_analysis.contract import MIN_CELL, SUPPRESSED, AnalysisResult
from rsnet_analysis.privacy import suppress_small_cells
from rsnet_analysis.report.context import rerun_command
from rsnet_analysis.report.labels import FIXED_TIMESTAMP, SHEETS, _table, challenge_names
from rsnet_analysis.report.tables import records_for_output, starts_like_formula
from rsnet_analysis.report.textwrap_ja import display_width


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, rows)
    elif isinstance(value, list | tuple):
        rows.append((prefix, "、".join(map(str, value))))
    else:
        rows.append((prefix, "" if value is None else str(value)))


def _with_names(table: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    if "challenge" not in table:
        return table
    out = table.copy()
    at = list(out.columns).index("challenge") + 1
    out.insert(
        at,
        "challenge_name",
        [names.get(str(k), str(k)) if str(k) not in ("", "nan") else "" for k in out["challenge"]],
    )
    return out


_DERIVED: dict[str, tuple[str, ...]] = {
    "n": ("share", "ci_low", "ci_high", "change", "p_adj", "expected", "residual"),
    "n_latest": ("share_latest", "growth", "p_value"),
    "n_previous": ("share_previous", "growth", "p_value"),
}


def suppress_again(table: pd.DataFrame, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Defensive small-cell suppression before a table is shown.

    The trend and segment tables arrive suppressed; this makes sure that a count below
    ``min_cell`` (zero included) that slipped through shows as ``"<5"`` with its derived figures
    blank. Cells already suppressed are left as they are.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with count columns ``n``, ``n_latest`` or ``n_previous``.
    min_cell : int, default MIN_CELL
        Smallest count that may be shown.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    counts = [c for c in _DERIVED if c in table]
    small_any = any(
        (pd.to_numeric(table[c].where(table[c].astype(str) != SUPPRESSED), errors="coerce") < min_cell).any()
        for c in counts
    )
    if not small_any:
        return table.copy()
    depends: dict[str, list[str]] = {}
    for count in counts:
        for col in _DERIVED[count]:
            if col in table:
                depends.setdefault(col, []).append(count)
    return suppress_small_cells(table, counts, min_cell, depends=depends)


def workbook_sheets(result: AnalysisResult) -> dict[str, pd.DataFrame]:
    """The tables of ``report.xlsx``, by sheet name (see :data:`SHEETS`).

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        Sheet name to table; the 回答 sheet is ``records_for_output`` (masked text only) with a
        ``challenge_name`` column, 設定 lists the summary as 項目/値 rows and the rerun command.
    """
    names = challenge_names(result)
    records = records_for_output(result) if not _table(result, "records").empty else pd.DataFrame()
    settings_rows: list[tuple[str, str]] = [
        ("再実行のコマンド", rerun_command(result.summary or {}))
    ]
    _flatten("", result.summary or {}, settings_rows)
    return {
        "回答": _with_names(records, names),
        "クラスタ": _with_names(_table(result, "clusters"), names),
        "推移": _with_names(suppress_again(_table(result, "trends")), names),
        "区分比較": _with_names(suppress_again(_table(result, "segments")), names),
        "新しい課題": _with_names(suppress_again(_table(result, "emerging")), names),
        "分科会候補": _table(result, "subgroups"),
        "設定": pd.DataFrame(settings_rows, columns=["項目", "値"]),
    }


_WIDE_COLUMNS = {"text_masked", "challenge_reason", "members", "値", "representative_record_ids"}


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
    if len(table.columns):
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(table.columns))}{max(len(table), 1) + 1}"
        )
    for i, col in enumerate(table.columns, start=1):
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
        flagged = column.astype(object).map(risky).to_numpy(dtype=bool)
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


def write_workbook(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``report.xlsx``: one sheet per table, styled headers, fitted columns, stable bytes.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    path : str or Path
        Target file.

    Returns
    -------
    Path
    """
    import datetime

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    sheets = workbook_sheets(result)
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
