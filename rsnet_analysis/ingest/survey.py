"""Survey rows in raw-table form: respondent key, ISO date, original text, every other column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.contract import BASE_COLUMNS
from rsnet_analysis.ingest.dates import to_iso
from rsnet_analysis.ingest.roles import (
    ROW_NUMBER_HEADERS,
    Roles,
    free_text_like,
    mostly_dates,
    norm_header,
)
from rsnet_analysis.ingest.sheets import Sheet, row_list


@dataclass
class FileRecords:
    """Rows of one file in raw-table form (without record_id)."""

    rows: list[dict[str, object]]
    extra_columns: list[str]


def survey_records(sheet: Sheet, path: Path, roles: Roles, notices: list[str]) -> FileRecords:
    """Turn a survey sheet into raw-table rows."""
    header = sheet.header
    text_i = header.index(roles.text)
    id_i = header.index(roles.id) if roles.id else None
    time_i = header.index(roles.time) if roles.time else None
    key_cols = [
        i
        for i, name in enumerate(header)
        if i not in (text_i, time_i)
        and norm_header(name) not in ROW_NUMBER_HEADERS
        and not mostly_dates(sheet, i)
        and name not in free_text_like(sheet, exclude={roles.text})
    ]
    # an input column named like a base column (e.g. "date") keeps its values as "date_input"
    out_names = {name: (f"{name}_input" if name in BASE_COLUMNS else name) for name in header}
    renamed = [name for name in header if name != roles.text and out_names[name] != name]
    if renamed:
        notices.append(
            f"{path.name}: 列 {', '.join(renamed)} は表の固定列と同じ名前なので、"
            f"{', '.join(out_names[n] for n in renamed)} という名前で残します。"
        )
    extra = [out_names[name] for name in header if name != roles.text]
    rows: list[dict[str, object]] = []
    bad_dates: list[int] = []
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        if id_i is not None:
            respondent = cells[id_i].strip()
        else:
            respondent = "|".join(cells[i].strip() for i in key_cols if cells[i].strip())
        date = ""
        if time_i is not None:
            date = to_iso(cells[time_i])
            if not date and cells[time_i].strip():
                bad_dates.append(number)
        row: dict[str, object] = {
            "source_row": number,
            "source_type": "survey",
            "respondent": respondent,
            "date": date,
            "text_original": cells[text_i],
        }
        for name, value in zip(header, cells, strict=True):
            if name != roles.text:
                row[out_names[name]] = value
        rows.append(row)
    if bad_dates:
        notices.append(
            f"{path.name}: 列『{roles.time}』の {len(bad_dates)} 件が日付として読めず、date を空にしました"
            f"（{row_list(bad_dates)}）。"
        )
    return FileRecords(rows=rows, extra_columns=extra)
