"""Column roles of one file: the answer id, the respondent, the date, the segments, the free text.

Free-text questions are matched across files by :mod:`.questions`; identifying columns are found
by :mod:`.identity`. Everything here works on :func:`~.profiles.profile_sheet` profiles, computed
once per file, so no step is quadratic in the number of columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.profiles import ColumnProfile
from rsnet_analysis.ingest.sheets import norm_header, shown_columns

__all__ = [
    "ORGANISATION_HEADERS",
    "ROW_NUMBER_HEADERS",
    "Roles",
    "detect_time",
    "find_column",
    "free_text_columns",
    "require_column",
]

# Header names (normalised, see norm_header) that mean "answer date", best first.
_TIME_HEADERS: tuple[str, ...] = (
    "回答日", "回答日時", "回答日付", "記入日", "提出日", "受付日", "日付", "年月日", "日時",
    "タイムスタンプ", "開催日", "date", "timestamp", "datetime", "answereddate", "answeredat",
    "submittedat", "created", "createdat", "time", "完了時刻", "開始時刻",
)
_TIME_HEADER_PARTS: tuple[str, ...] = ("回答日", "日付", "タイムスタンプ", "日時", "date", "timestamp")
#: Headers of running numbers and answer ids: never part of the respondent key.
ROW_NUMBER_HEADERS = frozenset(
    {"no", "no.", "番号", "通し番号", "連番", "#", "id", "回答id", "回答番号", "responseid", "行",
     "受付番号", "受付id", "answerid", "submissionid"}
)
#: Headers (normalised) that name the answering organisation and its department, in key order:
#: without ``--respondent-col`` the respondent is these values joined.
ORGANISATION_HEADERS: tuple[tuple[str, ...], ...] = (
    ("自治体名", "自治体", "団体名", "市区町村名", "市区町村", "市町村名", "市町村", "所属自治体",
     "所属団体", "組織名", "organization", "organisation", "municipality"),
    ("所属部署", "部署", "部署名", "所属", "所属課", "所属部局", "部局", "部局名", "課名", "担当課",
     "課室名", "所属課室", "department"),
)
# Attribute headers that are never a free-text question, however long their values.
_ATTRIBUTE_HEADERS = frozenset(
    {h for group in ORGANISATION_HEADERS for h in group}
    | {"自治体区分", "都道府県", "地域", "役割", "職位", "役職", "区分", "備考"}
)
_MIN_QUESTION_LEN = 15
_MIN_SENTENCES = 0.3
_MIN_BEST_SENTENCES = 0.1  # the main column of a file where no column is mostly unique


def find_column(header: Sequence[str], wanted: str) -> str | None:
    """Find a column by exact name, then by normalised name (NFKC, no spaces, case-folded)."""
    if wanted in header:
        return wanted
    key = norm_header(wanted)
    return next((name for name in header if norm_header(name) == key), None)


def require_column(header: Sequence[str], wanted: str, path: Path, option: str) -> str:
    """:func:`find_column`, or an InputError listing the columns there are."""
    found = find_column(header, wanted)
    if found is None:
        raise InputError(
            f"ファイル {path} に列『{wanted}』がありません。使える列: {shown_columns(header)}。"
            f"{option} で列名を指定してください。"
        )
    return found


def detect_time(profiles: Mapping[str, ColumnProfile], exclude: set[str]) -> str | None:
    """Find the answer-date column by its header (a header part needs date values too)."""
    normed = {name: norm_header(name) for name in profiles if name not in exclude}
    by_norm: dict[str, str] = {}
    for name, n in normed.items():
        by_norm.setdefault(n, name)
    for key in _TIME_HEADERS:
        if key in by_norm:
            return by_norm[key]
    for part in _TIME_HEADER_PARTS:
        for name, n in normed.items():
            if part in n and profiles[name].mostly_dates:
                return name
    return None


def _is_attribute(name: str) -> bool:
    return norm_header(name) in _ATTRIBUTE_HEADERS


def free_text_columns(
    profiles: Mapping[str, ColumnProfile], exclude: set[str]
) -> tuple[list[str], list[str]]:
    """Every free-text column of a file, in header order, and shorter ones worth mentioning.

    The column with the longest answers among mostly unique, non-number, non-date columns is
    always one (as when a single column was chosen), unless no column is mostly unique and
    fewer than 10 % of its values read like sentences (a list of file names or codes: no
    free text at all); any other column counts when its answers
    read like sentences: at least 15 characters on average and 30 % with punctuation or 25+
    characters, and its header is not a known attribute (自治体名, 所属部署 …). A known
    attribute whose values do not read like sentences is never one (when every answer column
    is blank, the municipality names are not the answers).

    Returns
    -------
    (list of str, list of str)
        The free-text columns, and other mostly unique columns whose header says free text
        (自由記述, 意見, 要望 …) or whose answers average 10+ characters, for the notice.
    """
    scored = []
    for name, prof in profiles.items():
        if name in exclude or not prof.filled or prof.mostly_dates:
            continue
        if _is_attribute(name) and prof.sentence_share < _MIN_BEST_SENTENCES:
            continue  # 自治体名 of a file whose answer columns are blank is no answer
        scored.append((1 if prof.eligible_text else 0, prof.mean_len, -prof.index, name))
    if not scored:
        return [], []
    best = max(scored)[3]
    if not profiles[best].eligible_text and profiles[best].sentence_share < _MIN_BEST_SENTENCES:
        return [], []  # file names, codes, labels: nothing here reads like an answer
    chosen = {best}
    for eligible, mean_len, _i, name in scored:
        prof = profiles[name]
        if (
            eligible
            and mean_len >= _MIN_QUESTION_LEN
            and prof.sentence_share >= _MIN_SENTENCES
            and not _is_attribute(name)
        ):
            chosen.add(name)
    hints = ("自由記述", "自由回答", "意見", "要望", "感想", "コメント", "comment")
    others = [
        name
        for eligible, mean_len, _i, name in sorted(scored, reverse=True)
        if eligible and name not in chosen and not _is_attribute(name)
        and (mean_len >= 10 or any(h in norm_header(name) for h in hints))
    ]
    ordered = [name for name in profiles if name in chosen]
    return ordered, others


@dataclass
class Roles:
    """The columns of one file chosen for each role.

    Attributes
    ----------
    questions : list of (str, str)
        (question name, header in this file) of every free-text question the file answers, in
        the run's question order.
    id : str or None
        The answer id column.
    respondent : str or None
        The column naming the person (``--respondent-col``).
    time : str or None
        The answer date column.
    segments : list of str
        Attribute columns to compare by.
    identity : list of str
        Columns that identify a person (pseudonymised in the raw table).
    """

    questions: list[tuple[str, str]]
    id: str | None
    respondent: str | None
    time: str | None
    segments: list[str]
    identity: list[str] = field(default_factory=list)

    @property
    def question_headers(self) -> list[str]:
        """The headers of this file's question columns."""
        return [header for _q, header in self.questions]
