"""Column roles: which column is the free text, the id, the date and the segments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.dates import parse_date
from rsnet_analysis.ingest.sheets import Sheet, norm_header

# Header names (normalised, see norm_header) that mean "answer date", best first.
_TIME_HEADERS: tuple[str, ...] = (
    "回答日",
    "回答日時",
    "回答日付",
    "記入日",
    "提出日",
    "受付日",
    "日付",
    "年月日",
    "日時",
    "タイムスタンプ",
    "開催日",
    "date",
    "timestamp",
    "datetime",
    "answereddate",
    "answeredat",
    "submittedat",
    "created",
    "createdat",
    "time",
    "完了時刻",
    "開始時刻",
)
_TIME_HEADER_PARTS: tuple[str, ...] = ("回答日", "日付", "タイムスタンプ", "日時", "date", "timestamp")
# Headers of running numbers: never part of the respondent key.
ROW_NUMBER_HEADERS = frozenset(
    {"no", "no.", "番号", "通し番号", "連番", "#", "id", "回答id", "回答番号", "responseid", "行"}
)


def _find_column(header: Sequence[str], wanted: str) -> str | None:
    """Find a column by exact name, then by normalised name."""
    if wanted in header:
        return wanted
    key = norm_header(wanted)
    for name in header:
        if norm_header(name) == key:
            return name
    return None


def _require_column(header: Sequence[str], wanted: str, path: Path, option: str) -> str:
    found = _find_column(header, wanted)
    if found is None:
        raise InputError(
            f"ファイル {path} に列『{wanted}』がありません。使える列: {', '.join(header)}。"
            f"{option} で列名を指定してください。"
        )
    return found


def _detect_time(header: Sequence[str], sheet: Sheet, exclude: set[str]) -> str | None:
    """Find the answer-date column by its header."""
    normed = {name: norm_header(name) for name in header if name not in exclude}
    for key in _TIME_HEADERS:
        for name, n in normed.items():
            if n == key:
                return name
    for part in _TIME_HEADER_PARTS:
        for name, n in normed.items():
            if part in n and mostly_dates(sheet, header.index(name)):
                return name
    return None


def _column_values(sheet: Sheet, index: int) -> list[str]:
    return [row[index] for row in sheet.rows]


def mostly_dates(sheet: Sheet, index: int, share: float = 0.8) -> bool:
    """Whether at least ``share`` of the filled cells of a column read as dates."""
    values = [v for v in _column_values(sheet, index) if v.strip()]
    if not values:
        return False
    parsed = sum(parse_date(v) is not None for v in values)
    return parsed / len(values) >= share


def _pick_text(sheet: Sheet, exclude: set[str]) -> tuple[str | None, list[str]]:
    """The free-text column: longest mean length among mostly-unique columns.

    Returns the chosen column and the other candidates, best first.
    """
    scored: list[tuple[int, float, int, str]] = []
    for index, name in enumerate(sheet.header):
        if name in exclude:
            continue
        values = [v.strip() for v in _column_values(sheet, index)]
        filled = [v for v in values if v]
        if not filled:
            continue
        if mostly_dates(sheet, index):
            continue
        mean_len = sum(len(v) for v in filled) / len(filled)
        unique_share = len(set(filled)) / len(filled)
        numeric = all(re.fullmatch(r"[\d.,\-+\s]+", v) for v in filled)
        eligible = 1 if unique_share >= 0.5 and not numeric else 0
        scored.append((eligible, mean_len, -index, name))
    if not scored:
        return None, []
    scored.sort(reverse=True)
    ranked = [name for eligible, mean_len, _i, name in scored if eligible and mean_len >= 15]
    best = scored[0][3]
    others = [n for n in ranked if n != best]
    return best, others


@dataclass
class Roles:
    """The columns of one file chosen for each role."""

    text: str
    id: str | None
    time: str | None
    segments: list[str]


def resolve_roles(
    sheet: Sheet,
    path: Path,
    *,
    text_col: str | None,
    id_col: str | None,
    time_col: str | None,
    segment_cols: Sequence[str],
    notices: list[str],
    auto_text: dict[tuple[str, tuple[str, ...]], list[str]],
) -> Roles:
    """Resolve the named columns of one file and detect the others (text, date)."""
    header = sheet.header
    text = _require_column(header, text_col, path, "--text-col") if text_col else None
    ident = _require_column(header, id_col, path, "--id-col") if id_col else None
    time = _require_column(header, time_col, path, "--time-col") if time_col else None
    segments = [_require_column(header, s, path, "--segment-col") for s in segment_cols]
    if time is None:
        time = _detect_time(header, sheet, exclude={c for c in (text, ident) if c})
    if text is None:
        exclude = {c for c in (ident, time) if c} | set(segments)
        text, others = _pick_text(sheet, exclude)
        if text is None:
            raise InputError(
                f"ファイル {path} に自由記述の列が見つかりません。使える列: {', '.join(header)}。"
                "--text-col で列名を指定してください。"
            )
        auto_text.setdefault((text, tuple(others)), []).append(path.name)
    if text in {ident, time}:
        raise InputError(
            f"ファイル {path} の列『{text}』が自由記述と ID・日付の両方に指定されています。"
            "別々の列を指定してください。"
        )
    return Roles(text=text, id=ident, time=time, segments=segments)


def free_text_like(sheet: Sheet, exclude: set[str]) -> set[str]:
    """Other long, mostly unique columns (free text): not part of the respondent key."""
    out: set[str] = set()
    for index, name in enumerate(sheet.header):
        if name in exclude:
            continue
        filled = [v.strip() for v in _column_values(sheet, index) if v.strip()]
        if not filled:
            continue
        mean_len = sum(len(v) for v in filled) / len(filled)
        if mean_len >= 20 and len(set(filled)) / len(filled) >= 0.5:
            out.add(name)
    return out
