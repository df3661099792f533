"""Why each row is analysed or not: empty, non-answer (特になし), Excel error, duplicate, or kept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.ingest import is_excel_error

__all__ = [
    "FACILITATOR_SPEAKERS",
    "NON_ANSWERS",
    "assign_statuses",
    "is_excel_error",
    "is_facilitation",
    "is_non_answer",
    "status_counts",
]

#: Whole answers (after :func:`~rsnet_analysis.normalize.clean_text`, lower-cased, with
#: punctuation and spaces trimmed from both ends) that say nothing.
NON_ANSWERS: frozenset[str] = frozenset(
    {
        "特になし", "特に無し", "特にない", "特に無い", "とくになし", "とくにない",
        "特になし です", "特になしです", "特にないです", "特にありません", "とくにありません",
        "特に無いです", "特にございません", "特になかった",
        "なし", "無し", "ナシ", "ない", "無い", "なしです", "ないです", "ありません",
        "ございません", "該当なし", "該当無し", "該当ありません", "該当しない", "該当者なし",
        "以上", "なし 以上", "特になし 以上", "無", "未記入", "記入なし", "回答なし", "無回答", "0",
        "n/a", "na", "n.a", "nan", "none", "nothing", "nil", "no", "null", "-", "x", "×",
    }
)

# An answer that only points elsewhere: 別紙のとおり, 詳細は別途提出した資料をご参照ください.
_REFERENCE_RE = re.compile(
    r"(?:(?:詳細|詳しく|内容)は、?)?"
    r"(?:別紙|別添(?:資料)?|添付(?:資料|ファイル)?|別途(?:提出|送付)?(?:した|の)?資料|提出資料|資料)"
    r"(?:の|を|に)?(?:とおり|通り|ご?参照(?:ください|願います|のこと)?|記載(?:のとおり)?)(?:です|ください)?"
)

# Only punctuation, symbols or spaces (ASCII and Japanese), including the lone long-vowel mark.
_PUNCT_ONLY_RE = re.compile(r"^[\W_ー]*$")
# Characters trimmed from both ends before the list look-up (keeps n/a intact).
_TRIM = " \t\n.,;:!?。、．，・…‥-ー~〜()[]「」『』【】\"'"


def is_non_answer(text_clean: str) -> bool:
    """Tell whether a cleaned answer is a non-answer such as 特になし or ``-``.

    Parameters
    ----------
    text_clean : str
        The answer after :func:`~rsnet_analysis.normalize.clean_text`.

    Returns
    -------
    bool
        True for an answer that consists only of punctuation or symbols, or that
        is (apart from punctuation at either end) one of :data:`NON_ANSWERS`, or that only
        points to another document (``別紙のとおり``, ``詳細は別途提出した資料をご参照ください``).
        An answer that merely contains なし (``予算なしで困っている``) is not one.
        The empty string is not a non-answer (it is ``empty``).

    Examples
    --------
    >>> is_non_answer("特になし。"), is_non_answer("予算がなしで困る")
    (True, False)
    """
    text = text_clean.strip()
    if not text:
        return False
    if _PUNCT_ONLY_RE.match(text):
        return True
    core = text.casefold().strip(_TRIM)
    return core in NON_ANSWERS or text.casefold() in NON_ANSWERS or bool(_REFERENCE_RE.fullmatch(core))


#: Speakers of session notes who run the session rather than speak for a member.
FACILITATOR_SPEAKERS: tuple[str, ...] = (
    "事務局", "ファシリテーター", "ファシリ", "司会", "進行", "記録", "書記", "運営", "主催",
)
#: Openings of a facilitator's line: agenda, summary, minutes.
FACILITATOR_OPENINGS: tuple[str, ...] = (
    "まとめ", "本日のテーマ", "本日の進行", "今日のテーマ", "記録:", "記録：", "文責", "次回", "進行:",
    "進行：", "日時:", "日時：", "参加:", "参加：", "参加者:", "参加者：",
)


def is_facilitation(text: str, speaker: str = "", group: str = "") -> bool:
    """Whether a session-note line is the facilitator's, not a member's voice.

    Parameters
    ----------
    text : str
        The cleaned statement.
    speaker : str, optional
        Its organisation prefix (組織名): 事務局, ファシリテーター, 司会 … mark the facilitator.
    group : str, optional
        The heading it is under: a まとめ heading holds the facilitator's summary.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_facilitation("本日のテーマは研修の定着です"), is_facilitation("研修が定着しない", "松本市")
    (True, False)
    """
    who = speaker.strip()
    if who and any(who.startswith(s) or who.endswith(s) for s in FACILITATOR_SPEAKERS):
        return True
    if who:
        return False  # a member named as the speaker is a member, under whatever heading
    if "まとめ" in group or "総括" in group:
        return True
    head = text.strip().lstrip("【[（(").replace(" ", "")
    return head.startswith(FACILITATOR_OPENINGS)


def _introductions(
    files: Sequence[str], notes: Sequence[tuple[str, str] | None], done: set[str] | None = None
) -> set[int]:
    """Positions of the unattributed note paragraphs before a file's first attributed statement.

    A record of a session opens with the secretariat's description (「第2部では、参加者33名が…」)
    before the members' statements; in a file where no statement names its speaker, nothing is
    taken for an introduction. ``done`` (updated in place) holds the files whose first attributed
    statement an earlier chunk has already seen.
    """
    out: set[int] = set()
    pending: dict[str, list[int]] = {}
    done = set() if done is None else done
    for i, (file, note) in enumerate(zip(files, notes, strict=True)):
        if note is None or file in done:
            continue
        if note[0].strip():
            out.update(pending.pop(file, []))
            done.add(file)
        else:
            pending.setdefault(file, []).append(i)
    return out


def assign_statuses(
    cleaned: Sequence[str],
    respondents: Sequence[str],
    files: Sequence[str],
    questions: Sequence[str] | None = None,
    notes: Sequence[tuple[str, str] | None] | None = None,
    *,
    seen: set[bytes] | None = None,
    attributed: set[str] | None = None,
) -> list[str]:
    """The status of every row: empty, non_answer, error_value, duplicate, facilitation or kept.

    Parameters
    ----------
    cleaned : sequence of str
        Cleaned answers (:func:`~rsnet_analysis.text.clean_text`).
    respondents : sequence of str
        Who wrote each answer (``""`` when unknown: never a duplicate). Without
        ``--respondent-col`` this is the municipality and department, so the same text sent
        twice from one department (each submission with its own answer id) is a duplicate.
    files : sequence of str
        The file of each answer (a repeat in another file is a new answer).
    questions : sequence of str, optional
        The question each answer answers; a repeat under another question is a new answer.
    notes : sequence of (speaker, group) or None, optional
        For session-note records, the speaker's organisation and the heading; a facilitator's
        line (:func:`is_facilitation`), and an unattributed paragraph before a file's first
        attributed statement (the secretariat's introduction), are set aside as
        ``facilitation``, not a member's voice.
    seen : set of bytes, optional
        The answers kept so far, to carry over to the next call when a table comes in chunks;
        updated in place. It holds a 16-byte digest of each kept (file, question, respondent,
        text), not the text, so it stays small.
    attributed : set of str, optional
        With ``seen``: the note files whose first attributed statement an earlier chunk held
        (updated in place), so that their later unattributed paragraphs are not introductions.

    Returns
    -------
    list of str
        ``error_value`` marks a cell that holds an Excel error value (``#N/A``, ``#DIV/0!`` …,
        :func:`is_excel_error`) instead of an answer.

    Examples
    --------
    >>> assign_statuses(["研修", "研修", "#N/A", "なし", ""], ["a", "a", "a", "a", "a"], ["f"] * 5)
    ['kept', 'duplicate', 'error_value', 'non_answer', 'empty']
    """
    asked = questions if questions is not None else [""] * len(cleaned)
    note_info = notes if notes is not None else [None] * len(cleaned)
    intro = _introductions(files, note_info, attributed)
    known: set[Any] = set() if seen is None else seen
    key = _digest if seen is not None else _as_tuple
    statuses: list[str] = []
    for i, (text, who, file, question, note) in enumerate(zip(cleaned, respondents, files, asked, note_info, strict=True)):
        if not text:
            statuses.append("empty")
        elif note is not None and (i in intro or is_facilitation(text, *note)):
            statuses.append("facilitation")
        elif is_excel_error(text):
            statuses.append("error_value")
        elif is_non_answer(text):
            statuses.append("non_answer")
        elif who and key(file, question, who, text) in known:
            statuses.append("duplicate")
        else:
            known.add(key(file, question, who, text))
            statuses.append("kept")
    return statuses


def _as_tuple(*parts: str) -> tuple[str, ...]:
    return parts


def _digest(*parts: str) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def status_counts(records: pd.DataFrame) -> dict[str, int]:
    """Count records by status.

    Parameters
    ----------
    records : pandas.DataFrame
        A table from :func:`build_record_table`.

    Returns
    -------
    dict of str to int
        Keys :data:`~rsnet_analysis.contract.STATUSES` (always all of them, in that order);
        values sum to ``len(records)``.
    """
    counts = records["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}
