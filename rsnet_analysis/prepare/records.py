"""Build the record table: cleaned and masked text and a status for every input row.

Nothing is dropped here. Every row of the raw table from
:func:`rsnet_analysis.io.read_inputs` comes out once, in the same order, with a
``status`` saying whether it is analysed (``kept``) or why not (``empty``,
``non_answer``, ``duplicate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.text.normalize import clean_text

__all__ = [
    "NON_ANSWERS",
    "build_record_table",
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


def _default_mask() -> Callable[[str], str]:
    """Import the PII masker lazily (privacy.py pulls in its own resources)."""
    from rsnet_analysis.privacy import mask_pii

    return mask_pii


def build_record_table(
    raw: pd.DataFrame, *, mask: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Add ``text_clean``, ``text_masked`` and ``status`` to the raw table.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table from :func:`rsnet_analysis.io.read_inputs` (``ReadResult.table``);
        needs ``text_original`` and ``respondent`` (``source_file`` is used when present).
    mask : callable, optional
        ``str -> str`` that replaces personal information with placeholders.
        Defaults to :func:`rsnet_analysis.privacy.mask_pii`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``raw`` (same rows, same order, same index) with three more columns:

        - ``text_clean``: :func:`~rsnet_analysis.normalize.clean_text` of the original;
        - ``text_masked``: ``mask(text_clean)``;
        - ``status``: ``empty`` (nothing left after cleaning), ``non_answer``
          (see :func:`is_non_answer`), ``duplicate`` (the same ``text_clean`` from the
          same respondent in the same file as an earlier kept row), else ``kept``.
          Rows with an empty ``respondent`` are never marked duplicate: without a
          respondent there is no telling a repeat from two people agreeing. A repeat in
          another file (another survey wave) is a new answer, not a duplicate.

    Raises
    ------
    KeyError
        When ``raw`` has no ``text_original`` column.
    """
    if mask is None:
        mask = _default_mask()
    records = raw.copy()
    originals = records["text_original"].fillna("").astype(str)
    cleaned = [clean_text(t) for t in originals]
    respondents = (
        records["respondent"].fillna("").astype(str).tolist()
        if "respondent" in records
        else [""] * len(records)
    )
    files = (
        records["source_file"].fillna("").astype(str).tolist()
        if "source_file" in records
        else [""] * len(records)
    )
    seen: set[tuple[str, str, str]] = set()
    statuses: list[str] = []
    for text, who, file in zip(cleaned, respondents, files, strict=True):
        if not text:
            statuses.append("empty")
        elif is_non_answer(text):
            statuses.append("non_answer")
        elif who and (file, who, text) in seen:
            statuses.append("duplicate")
        else:
            seen.add((file, who, text))
            statuses.append("kept")
    records["text_clean"] = pd.Series(cleaned, index=records.index, dtype=object)
    records["text_masked"] = pd.Series([mask(t) for t in cleaned], index=records.index, dtype=object)
    records["status"] = pd.Series(statuses, index=records.index, dtype=object)
    return records


def status_counts(records: pd.DataFrame) -> dict[str, int]:
    """Count records by status.

    Parameters
    ----------
    records : pandas.DataFrame
        A table from :func:`build_record_table`.

    Returns
    -------
    dict of str to int
        Keys ``kept``, ``empty``, ``non_answer``, ``duplicate`` (always all four,
        in that order); values sum to ``len(records)``.
    """
    counts = records["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}
