"""Build the 2024 sample survey wave from its hand-written source CSV.

Reads ``survey_2024_source.csv`` (UTF-8, one row per answer; the label columns ``label``, ``kind``,
``link``, ``kind_q2``, ``link_q2`` come last, as in ``build_2023.py``) and writes

- ``data/sample/survey_2024.xlsx``: sheet ``回答`` with every column except ``label`` and a
  second sheet ``集計メモ``. 回答日 values written as ``YYYY-MM-DD`` become real Excel date cells;
  every other form (``2024/6/28``, ``2024年7月3日``, ``R6.7.3`` …) stays a string, and a leading
  apostrophe (``'2024-07-03``, Excel's own "keep as text" mark) forces an ISO date to stay a string.
- ``data/sample/labels_2024.csv`` (UTF-8 with BOM): ``record_id,label,split`` where ``record_id`` is
  ``survey_2024:{Excel row}`` (header = 1) and ``split`` is ``test`` for md5(record_id) % 5 in (0, 1);
- ``data/sample/kinds_2024.csv`` (UTF-8 with BOM): ``record_id,question,kind,link,split``, the kind of
  statement of every non-empty answer of both free-text questions (second question: ``…:{row}:q2``).

The workbook is byte-reproducible: fixed document timestamps and fixed zip entry times.

Run: ``.venv/bin/python data/sample/source/build_2024.py``
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from build_2023 import LABEL_COLUMNS, kind_rows  # the same label columns and kind file layout

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "survey_2024_source.csv"
XLSX = HERE.parent / "survey_2024.xlsx"
LABELS = HERE.parent / "labels_2024.csv"
KINDS = HERE.parent / "kinds_2024.csv"
STEM = "survey_2024"
FIXED = dt.datetime(2024, 9, 2, 9, 0, 0)
DATE_COL = "回答日"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def split_of(record_id: str) -> str:
    """Return ``test`` or ``dev`` for a record id, from its md5 hash.

    Parameters
    ----------
    record_id : str
        Stable record id such as ``survey_2024:2``.

    Returns
    -------
    str
        ``test`` when the hash modulo 5 is 0 or 1, else ``dev``.
    """
    return "test" if int(hashlib.md5(record_id.encode()).hexdigest(), 16) % 5 in (0, 1) else "dev"


def cell_value(column: str, value: str) -> str | dt.date | None:
    """Convert one source value to what the Excel cell should hold.

    Parameters
    ----------
    column : str
        Column name.
    value : str
        Raw value from the source CSV.

    Returns
    -------
    str or datetime.date or None
        ``None`` for empty values, a date for ISO dates in 回答日, otherwise the string.
    """
    if value == "":
        return None
    if column == DATE_COL:
        if value.startswith("'"):
            return value[1:]
        if ISO.match(value):
            return dt.date.fromisoformat(value)
    return value


def reproducible(data: bytes) -> bytes:
    """Rewrite an xlsx zip with a fixed modified timestamp and fixed entry times.

    Parameters
    ----------
    data : bytes
        The workbook as saved by openpyxl.

    Returns
    -------
    bytes
        The same workbook with deterministic bytes.
    """
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            dst.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build(
    source: Path = SOURCE, xlsx: Path = XLSX, labels: Path = LABELS, kinds: Path = KINDS
) -> int:
    """Write the workbook and the label files; return the number of answer rows.

    Parameters
    ----------
    source : Path
        Hand-written source CSV.
    xlsx : Path
        Workbook to write.
    labels : Path
        Challenge label CSV to write.
    kinds : Path
        Kind-of-statement label CSV to write.

    Returns
    -------
    int
        Number of answers written.
    """
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c not in LABEL_COLUMNS]

    wb = Workbook()
    wb.properties.creator = "全国自治体リスキリングネットワーク事務局"
    wb.properties.created = FIXED
    ws = wb.active
    ws.title = "回答"
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    label_rows: list[tuple[str, str, str]] = []
    for excel_row, row in enumerate(rows, start=2):
        ws.append([cell_value(c, row[c]) for c in columns])
        record_id = f"{STEM}:{excel_row}"
        label_rows.append((record_id, row["label"], split_of(record_id)))
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy/m/d"
            if cell.column > len(columns) - 3:
                cell.alignment = wrap
    for letter, width in zip("ABCDEFGHIJK", (11, 12, 10, 12, 12, 20, 10, 14, 60, 60, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"

    memo = wb.create_sheet("集計メモ")
    for line in (
        ["項目", "メモ"],
        ["調査名", "2024年度 会員自治体アンケート（DX・人材育成）"],
        ["回答期間", "2024年6月10日～8月30日（フォーム回答とExcel提出の混在）"],
        ["注意", "回答日の書式が統一されていない行あり。重複送信あり（同一回答者ID）。"],
        ["注意", "自由記述に氏名・連絡先が含まれる回答あり。外部共有前に必ずマスキングすること。"],
        ["集計", "自治体区分別・役割別のクロス集計は別ファイル"],
    ):
        memo.append(line)
    memo.column_dimensions["B"].width = 70

    buffer = io.BytesIO()
    wb.save(buffer)
    xlsx.write_bytes(reproducible(buffer.getvalue()))

    with labels.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "label", "split"])
        writer.writerows(label_rows)
    with kinds.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "question", "kind", "link", "split"])
        writer.writerows(kind_rows(STEM, rows))
    return len(rows)


if __name__ == "__main__":
    print(f"{build()} answers -> {XLSX.name}, {LABELS.name}")
