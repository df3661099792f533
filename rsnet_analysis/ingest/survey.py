"""Survey rows in raw-table form: one row per input row and question, identities pseudonymised.

For each input row and each free-text question of the file: the record id
(:data:`~rsnet_analysis.contract.RECORD_ID_SCHEME`), the question, the respondent key, the ISO
date, the answer as read, the row's identity strings, and every other column under its
original name. Excel error values (``#N/A`` …) in attribute cells are read as blank.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.contract import BASE_COLUMNS, IDENTITY_COLUMN, QUESTION_COLUMN
from rsnet_analysis.ingest.dates import to_iso
from rsnet_analysis.ingest.identity import identity_strings, pseudonym
from rsnet_analysis.ingest.profiles import ColumnProfile
from rsnet_analysis.ingest.roles import ORGANISATION_HEADERS, ROW_NUMBER_HEADERS, Roles
from rsnet_analysis.ingest.sheets import Sheet, norm_header, row_list

__all__ = ["EXCEL_ERRORS", "FileRecords", "is_excel_error", "respondent_basis", "survey_records"]

#: Error values Excel (and Google Sheets) show instead of a cell's value.
EXCEL_ERRORS: frozenset[str] = frozenset(
    {
        "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
        "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#ERROR!",
    }
)


def is_excel_error(value: str) -> bool:
    """Whether a cell holds an Excel error value such as ``#N/A`` or ``#DIV/0!`` (any width/case).

    Examples
    --------
    >>> is_excel_error("#N/A"), is_excel_error(" ＃ｄｉｖ/0！ "), is_excel_error("#1 の課題")
    (True, True, False)
    """
    return unicodedata.normalize("NFKC", value).strip().upper() in EXCEL_ERRORS


@dataclass
class FileRecords:
    """Rows of one file in raw-table form, and the attribute columns they carry."""

    rows: list[dict[str, object]]
    extra_columns: list[str]


def _blank_errors(sheet: Sheet, keep: set[int], path: Path, notices: list[str]) -> None:
    """Blank Excel error values in attribute cells (question cells keep them: status error_value)."""
    hits: list[int] = []
    columns: dict[str, None] = {}
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        for i, value in enumerate(cells):
            if i not in keep and value and value.lstrip()[:1] in "#＃" and is_excel_error(value):
                cells[i] = ""
                hits.append(number)
                columns[sheet.header[i]] = None
    if hits:
        names = "、".join(f"『{c}』" for c in list(columns)[:5])
        notices.append(
            f"{path.name}: 列 {names} に Excel のエラー値（#N/A、#DIV/0! など）が {len(hits)} 件あり、"
            f"空欄として読みました（{row_list(sorted(set(hits)))}）。元の表の数式を確かめてください。"
        )


def respondent_basis(header: Sequence[str], roles: Roles, profiles: Mapping[str, ColumnProfile]) -> list[str]:
    """The columns whose values, joined, tell respondents apart (never the answer id).

    ``--respondent-col`` when given; else the organisation and department columns
    (:data:`~.roles.ORGANISATION_HEADERS`: 自治体名, 所属部署 …); else every attribute column
    except dates, running numbers and ids, and long free text.
    """
    if roles.respondent:
        return [roles.respondent]
    normed = {name: norm_header(name) for name in header}
    basis = []
    for group in ORGANISATION_HEADERS:
        match = next((name for key in group for name, n in normed.items() if n == key), None)
        if match is not None and match not in roles.question_headers:
            basis.append(match)
    if basis:
        return basis
    skip = set(roles.question_headers) | {roles.time, roles.id}
    return [
        name
        for name in header
        if name not in skip
        and normed[name] not in ROW_NUMBER_HEADERS
        and not (profiles[name].mean_len >= 20 and profiles[name].unique_share >= 0.5)
        and not profiles[name].mostly_dates
    ]


def _key_function(header: Sequence[str], basis: Sequence[str]) -> Callable[[list[str]], str]:
    """``cells -> key``: the basis columns' non-blank values joined with ``|``."""
    position = {name: i for i, name in enumerate(header)}
    index = [position[name] for name in basis]
    return lambda cells: "|".join(v for v in (cells[i].strip() for i in index) if v)


def _pseudonymise(sheet: Sheet, columns: Sequence[str], salt: bytes) -> list[tuple[str, ...]]:
    """Replace identity cells by pseudonyms in place; return each row's identity strings."""
    index = [sheet.header.index(name) for name in columns]
    identities: list[tuple[str, ...]] = []
    for cells in sheet.rows:
        identities.append(identity_strings(cells[i] for i in index))
        for i in index:
            cells[i] = pseudonym(cells[i], salt)
    return identities


def _rows(
    sheet: Sheet,
    path: Path,
    stem: str,
    questions: Sequence[tuple[str, int, int]],
    attrs: Sequence[tuple[int, str]],
    key: Callable[[list[str]], str],
    identities: Sequence[tuple[str, ...]],
    time_i: int | None,
) -> tuple[list[dict[str, object]], list[int]]:
    """The raw-table rows (input row by question) and the rows whose date could not be read."""
    rows: list[dict[str, object]] = []
    bad_dates: list[int] = []
    for number, cells, identity in zip(sheet.row_numbers, sheet.rows, identities, strict=True):
        date = to_iso(cells[time_i]) if time_i is not None else ""
        if time_i is not None and not date and cells[time_i].strip():
            bad_dates.append(number)
        base: dict[str, object] = {out: cells[i] for i, out in attrs}
        base.update(source_file=path.name, source_row=number, source_type="survey",
                    respondent=key(cells), date=date)
        base[IDENTITY_COLUMN] = identity
        for question, i, n in questions:
            row = dict(base)
            row["record_id"] = f"{stem}:{number}" if n == 1 else f"{stem}:{number}:q{n}"
            row[QUESTION_COLUMN] = question
            row["text_original"] = cells[i]
            rows.append(row)
    return rows, bad_dates


def survey_records(
    sheet: Sheet,
    path: Path,
    stem: str,
    roles: Roles,
    *,
    numbers: Mapping[str, int],
    basis: Sequence[str],
    salt: bytes,
    notices: list[str],
) -> FileRecords:
    """Turn a survey sheet into raw-table rows, one per input row and question.

    Parameters
    ----------
    sheet : Sheet
        The file's table (its identity cells are replaced by pseudonyms).
    path : Path
        The file.
    stem : str
        The file's record-id prefix.
    roles : Roles
        The columns chosen for each role in this file.
    numbers : mapping of str to int
        The run-wide number of each question (1 = the first: ids without suffix).
    basis : sequence of str
        The columns of the respondent key (:func:`respondent_basis`).
    salt : bytes
        The run's pseudonym salt.
    notices : list of str
        Receives what the user should know.

    Returns
    -------
    FileRecords
    """
    header = sheet.header
    questions = [(q, header.index(h), numbers[q]) for q, h in roles.questions]
    _blank_errors(sheet, {i for _q, i, _n in questions}, path, notices)
    identities = _pseudonymise(sheet, roles.identity, salt)
    key = _key_function(header, basis)
    time_i = header.index(roles.time) if roles.time else None
    # an input column named like a base column (e.g. "date") keeps its values as "date_input"
    attrs = [(i, f"{name}_input" if name in BASE_COLUMNS else name)
             for i, name in enumerate(header) if name not in roles.question_headers]
    renamed = [header[i] for i, out in attrs if out != header[i]]
    if renamed:
        notices.append(
            f"{path.name}: 列 {', '.join(renamed)} は表の固定列と同じ名前なので、"
            f"{', '.join(n + '_input' for n in renamed)} という名前で残します。"
        )
    rows, bad_dates = _rows(sheet, path, stem, questions, attrs, key, identities, time_i)
    if bad_dates:
        notices.append(
            f"{path.name}: 列『{roles.time}』の {len(bad_dates)} 件が日付として読めず、date を空にしました"
            f"（{row_list(bad_dates)}）。"
        )
    return FileRecords(rows=rows, extra_columns=[out for _i, out in attrs])
