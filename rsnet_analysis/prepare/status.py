"""Why each row is analysed or not: empty, non-answer (特になし), Excel error, duplicate, or kept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.ingest import is_excel_error

__all__ = ["NON_ANSWERS", "assign_statuses", "is_excel_error", "is_non_answer", "status_counts"]

#: Whole answers (after :func:`~rsnet_analysis.normalize.clean_text`, lower-cased, with
#: punctuation and spaces trimmed from both ends) that say nothing.
NON_ANSWERS: frozenset[str] = frozenset(
    {
        "特になし", "特に無し", "特にない", "特に無い", "とくになし", "とくにない",
        "特になし です", "特になしです", "特にないです", "特にありません", "とくにありません",
        "特に無いです", "特にございません", "特になかった",
        "なし", "無し", "ナシ", "ない", "無い", "なしです", "ないです", "ありません",
        "ございません", "該当なし", "該当無し", "該当ありません", "該当しない", "該当者なし",
        "以上", "なし 以上", "特になし 以上",
        "n/a", "na", "n.a", "none", "nothing", "nil", "no", "null", "-", "x", "×",
    }
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
        is (apart from punctuation at either end) one of :data:`NON_ANSWERS`.
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
    return core in NON_ANSWERS or text.casefold() in NON_ANSWERS


def assign_statuses(
    cleaned: Sequence[str],
    respondents: Sequence[str],
    files: Sequence[str],
    questions: Sequence[str] | None = None,
    *,
    seen: set[bytes] | None = None,
) -> list[str]:
    """The status of every row: ``empty``, ``non_answer``, ``error_value``, ``duplicate`` or ``kept``.

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
    seen : set of bytes, optional
        The answers kept so far, to carry over to the next call when a table comes in chunks;
        updated in place. It holds a 16-byte digest of each kept (file, question, respondent,
        text), not the text, so it stays small.

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
    known: set[Any] = set() if seen is None else seen
    key = _digest if seen is not None else _as_tuple
    statuses: list[str] = []
    for text, who, file, question in zip(cleaned, respondents, files, asked, strict=True):
        if not text:
            statuses.append("empty")
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
