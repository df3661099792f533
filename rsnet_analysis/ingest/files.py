"""One survey file: its table, column profiles, roles and identifying columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.formats import read_csv, read_jsonl, read_xlsx
from rsnet_analysis.ingest.identity import detect_identity
from rsnet_analysis.ingest.paths import JSONL_SUFFIXES, XLSX_SUFFIXES
from rsnet_analysis.ingest.profiles import ColumnProfile, profile_sheet
from rsnet_analysis.ingest.questions import QuestionBook
from rsnet_analysis.ingest.roles import Roles, detect_time, free_text_columns, require_column
from rsnet_analysis.ingest.sheets import Sheet, shown_columns

__all__ = ["SurveyFile", "read_survey_file", "resolve_survey"]


@dataclass
class SurveyFile:
    """A survey file as read, before it becomes raw-table rows.

    Attributes
    ----------
    sheet : Sheet
        The table.
    profiles : dict of str to ColumnProfile
        One profile per column (computed once).
    roles : Roles
        The columns chosen for each role.
    identity_reasons : dict of str to str
        The identifying columns and why (for the notice).
    """

    sheet: Sheet
    profiles: dict[str, ColumnProfile]
    roles: Roles
    identity_reasons: dict[str, str]


def _read_sheet(path: Path, sheet: str | int | None, notices: list[str]) -> Sheet:
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, notices)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(path, notices)
    return read_csv(path, notices)


def _found_questions(
    book: QuestionBook,
    sheet: Sheet,
    profiles: dict[str, ColumnProfile],
    path: Path,
    exclude: set[str],
) -> list[tuple[str, str]]:
    """The file's (question, header) pairs when no question is named: every free-text column."""
    found, others = free_text_columns(profiles, exclude)
    if not found:
        blank = [name for name, prof in profiles.items() if not prof.filled and name not in exclude]
        empty = (
            f"すべて空欄の列: {''.join(f'『{name}』' for name in blank)}（回答が書き出されているか、"
            "別のシートや列に入っていないか確かめてください）。"
            if blank else ""
        )
        raise InputError(
            f"ファイル {path} に自由記述の列が見つかりません。{empty}使える列: {shown_columns(sheet.header)}。"
            "--text-col で列名を指定してください。"
        )
    return book.match_found(found, path, others)


def read_survey_file(
    path: Path,
    book: QuestionBook,
    *,
    id_col: str | None,
    respondent_col: str | None,
    time_col: str | None,
    segment_cols: Sequence[str],
    sheet: str | int | None,
    notices: list[str],
) -> SurveyFile:
    """Read one survey file and resolve its columns.

    Named columns must exist (matched loosely); the date column is detected when not named;
    identifying columns (by header or values) are found among all but the free-text questions,
    and never chosen as free text.

    Raises
    ------
    InputError
        For anything the user has to fix, naming the file and column.
    """
    return resolve_survey(
        _read_sheet(path, sheet, notices), path, book, id_col=id_col, respondent_col=respondent_col,
        time_col=time_col, segment_cols=segment_cols,
    )


def resolve_survey(
    table: Sheet,
    path: Path,
    book: QuestionBook,
    *,
    id_col: str | None,
    respondent_col: str | None,
    time_col: str | None,
    segment_cols: Sequence[str],
) -> SurveyFile:
    """Resolve the columns of a table read from ``path`` (see :func:`read_survey_file`).

    A streaming run resolves them on the first rows of a large file (:mod:`.chunks`).
    """
    profiles = profile_sheet(table)
    header = table.header
    ident = require_column(header, id_col, path, "--id-col") if id_col else None
    person = require_column(header, respondent_col, path, "--respondent-col") if respondent_col else None
    time = require_column(header, time_col, path, "--time-col") if time_col else None
    segments = [require_column(header, s, path, "--segment-col") for s in segment_cols]
    named = {c for c in (ident, person, time) if c} | set(segments)
    identity_guess = detect_identity(profiles, exclude=())
    if book.named:
        questions = book.match_named(header, path)
        if time is None:
            time = detect_time(profiles, exclude={c for c in (ident, person) if c} | {h for _q, h in questions})
    else:
        if time is None:
            time = detect_time(profiles, exclude={c for c in (ident, person) if c})
        exclude = named | set(identity_guess) | ({time} if time else set())
        questions = _found_questions(book, table, profiles, path, exclude)
    headers = {h for _q, h in questions}
    clash = headers & {c for c in (ident, person, time) if c}
    if clash:
        raise InputError(
            f"ファイル {path} の列『{sorted(clash)[0]}』が自由記述と ID・回答者・日付の両方に"
            "指定されています。別々の列を指定してください。"
        )
    reasons = {c: why for c, why in identity_guess.items() if c not in headers}
    roles = Roles(questions=questions, id=ident, respondent=person, time=time,
                  segments=segments, identity=list(reasons))
    return SurveyFile(sheet=table, profiles=profiles, roles=roles, identity_reasons=reasons)
