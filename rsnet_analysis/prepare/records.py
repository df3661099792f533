"""Build the record table: cleaned and masked text, a status and tokens for every input row.

Nothing is dropped here. Every row of the raw table from
:func:`rsnet_analysis.ingest.read_inputs` comes out once, in the same order, with a
``status`` saying whether it is analysed (``kept``) or why not (``empty``,
``non_answer``, ``duplicate``; see :mod:`.status`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from rsnet_analysis.contract import QUESTION_COLUMN
from rsnet_analysis.prepare.status import assign_statuses
from rsnet_analysis.privacy import PiiMasker
from rsnet_analysis.text import JapaneseTokenizer
from rsnet_analysis.text.normalize import clean_text

__all__ = ["TextPreparer", "build_record_table"]


class TextPreparer:
    """Masks and tokenizes one cleaned answer with a single MeCab pass (picklable).

    Parameters
    ----------
    mask : callable, optional
        A ``str -> str`` masker to use instead of :class:`~rsnet_analysis.privacy.PiiMasker`
        (then the tokenizer tags the masked text again).
    tokenizer : JapaneseTokenizer, optional
        Default ``JapaneseTokenizer()``.
    """

    def __init__(
        self,
        *,
        mask: Callable[[str], str] | None = None,
        tokenizer: JapaneseTokenizer | None = None,
    ) -> None:
        self.mask = mask
        self.tokenizer = tokenizer if tokenizer is not None else JapaneseTokenizer()
        self.masker = PiiMasker()

    def __call__(self, text: str, kept: bool) -> tuple[str, list[str]]:
        """Return the masked text and, for a kept answer, its tokens (else ``[]``)."""
        if self.mask is not None:
            masked = self.mask(text)
            return masked, (self.tokenizer(masked) if kept else [])
        if not kept:
            return self.masker.mask(text), []
        done = self.masker.mask_tagged(text)
        if done.tagged is None:  # no Japanese in the text: nothing was tagged yet
            return done.text, self.tokenizer(done.text)
        return done.text, self.tokenizer.tokenize_tagged(done.tagged, done.blocked)


def build_record_table(
    raw: pd.DataFrame,
    *,
    mask: Callable[[str], str] | None = None,
    tokenizer: JapaneseTokenizer | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Add ``text_clean``, ``text_masked``, ``status`` and ``tokens`` to the raw table.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table from :func:`rsnet_analysis.ingest.read_inputs` (``ReadResult.table``);
        needs ``text_original`` and ``respondent`` (``source_file`` is used when present).
    mask : callable, optional
        ``str -> str`` that replaces personal information with placeholders. By default
        :class:`~rsnet_analysis.privacy.PiiMasker` masks each answer and the tokenizer reuses its
        MeCab pass (one pass per answer).
    tokenizer : JapaneseTokenizer, optional
        The tokenizer for the ``tokens`` column (default settings when None).
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        A copy of ``raw`` (same rows, same order, same index) with four more columns:

        - ``text_clean``: :func:`~rsnet_analysis.text.clean_text` of the original;
        - ``text_masked``: the cleaned text with personal information masked;
        - ``status``: ``empty`` (nothing left after cleaning), ``non_answer``
          (see :func:`is_non_answer`), ``duplicate`` (the same ``text_clean`` from the
          same respondent in the same file as an earlier kept row), else ``kept``.
          Rows with an empty ``respondent`` are never marked duplicate: without a
          respondent there is no telling a repeat from two people agreeing. A repeat in
          another file (another survey wave) is a new answer, not a duplicate;
        - ``tokens``: the content-word terms of kept rows (``[]`` for the others), computed once
          here and reused by every later stage.

    Raises
    ------
    KeyError
        When ``raw`` has no ``text_original`` column.
    """
    from rsnet_analysis.progress import track

    records = raw.copy()
    originals = records["text_original"].fillna("").astype(str)
    cleaned = [clean_text(t) for t in originals]
    statuses = assign_statuses(
        cleaned,
        _column(records, "respondent"),
        _column(records, "source_file"),
        _column(records, QUESTION_COLUMN),
    )
    prepare = TextPreparer(mask=mask, tokenizer=tokenizer)
    masked: list[str] = []
    tokens: list[list[str]] = []
    for text, status in track(
        list(zip(cleaned, statuses, strict=True)), desc="mask + tokenize", enabled=progress
    ):
        m, toks = prepare(text, status == "kept") if text else (text, [])
        masked.append(m)
        tokens.append(toks)
    records["text_clean"] = pd.Series(cleaned, index=records.index, dtype=object)
    records["text_masked"] = pd.Series(masked, index=records.index, dtype=object)
    records["status"] = pd.Series(statuses, index=records.index, dtype=object)
    records["tokens"] = pd.Series(tokens, index=records.index, dtype=object)
    return records


def _column(records: pd.DataFrame, name: str) -> list[str]:
    if name in records:
        return records[name].fillna("").astype(str).tolist()
    return [""] * len(records)
