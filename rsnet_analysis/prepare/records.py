"""Build the record table: cleaned and masked text and a status for every input row.

Nothing is dropped here. Every row of the raw table from
:func:`rsnet_analysis.io.read_inputs` comes out once, in the same order, with a
``status`` saying whether it is analysed (``kept``) or why not (``empty``,
``non_answer``, ``duplicate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.privacy import PiiMasker
from rsnet_analysis.text import JapaneseTokenizer
from rsnet_analysis.text.normalize import clean_text

__all__ = [
    "NON_ANSWERS",
    "TextPreparer",
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


class TextPreparer:
    """Masks and tokenizes one cleaned answer with a single MeCab pass (picklable).

    Parameters
    ----------
    mask : callable, optional
        A ``str -> str`` masker to use instead of :class:`~rsnet_analysis.privacy.PiiMasker`
        (then the tokenizer tags the masked text again, and per-row ``extra`` strings are not
        used: a custom masker sees the text only).
    tokenizer : JapaneseTokenizer, optional
        Default ``JapaneseTokenizer()``.

    Notes
    -----
    Masking runs on the cleaned text, whose lines :func:`~rsnet_analysis.text.normalize.clean_text`
    has joined with `` / ``; the masker reads that separator as a line break, so a name alone on a
    signature line is still found (see :func:`rsnet_analysis.privacy.patterns.line_view`).
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

    def __call__(self, text: str, kept: bool, extra: Sequence[str] = ()) -> tuple[str, list[str]]:
        """Mask one answer and tokenize it when it is kept.

        Parameters
        ----------
        text : str
            The cleaned answer.
        kept : bool
            Whether the answer is analysed (only then is it tokenized).
        extra : sequence of str, optional
            The row's own identity strings (name, e-mail, phone), masked wherever they occur.

        Returns
        -------
        tuple of (str, list of str)
            The masked text and, for a kept answer, its tokens (else ``[]``).
        """
        if self.mask is not None:
            masked = self.mask(text)
            return masked, (self.tokenizer(masked) if kept else [])
        if not kept:
            return self.masker.mask(text, extra), []
        done = self.masker.mask_tagged(text, extra)
        if done.tagged is None:  # no Japanese in the text: nothing was tagged yet
            return done.text, self.tokenizer(done.text)
        return done.text, self.tokenizer.tokenize_tagged(done.tagged, done.blocked)


def build_record_table(
    raw: pd.DataFrame,
    *,
    mask: Callable[[str], str] | None = None,
    tokenizer: JapaneseTokenizer | None = None,
    progress: bool = False,
    identity: Sequence[Iterable[str] | str | None] | pd.Series | None = None,
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
    identity : sequence or pandas.Series, optional
        One entry per row, by position: the respondent's own strings from the export's identity
        columns (名前, メールアドレス, 電話番号) as a tuple of str, a str, or None / NaN. They are
        masked wherever they occur in that row's text (see :mod:`rsnet_analysis.privacy.identity`).
        Ignored with a custom ``mask``.

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
    ValueError
        When ``identity`` does not have one entry per row.
    """
    records = raw.copy()
    originals = records["text_original"].fillna("").astype(str)
    cleaned = [clean_text(t) for t in originals]
    statuses = _statuses(cleaned, _column(records, "respondent"), _column(records, "source_file"))
    prepare = TextPreparer(mask=mask, tokenizer=tokenizer)
    rows = list(zip(cleaned, statuses, _identities(identity, len(records)), strict=True))
    masked, tokens = _mask_and_tokenize(prepare, rows, progress)
    records["text_clean"] = pd.Series(cleaned, index=records.index, dtype=object)
    records["text_masked"] = pd.Series(masked, index=records.index, dtype=object)
    records["status"] = pd.Series(statuses, index=records.index, dtype=object)
    records["tokens"] = pd.Series(tokens, index=records.index, dtype=object)
    return records


def _mask_and_tokenize(
    prepare: TextPreparer, rows: list[tuple[str, str, tuple[str, ...]]], progress: bool
) -> tuple[list[str], list[list[str]]]:
    """The masked text and the tokens of every (cleaned text, status, identity) row."""
    from rsnet_analysis.progress import track

    masked: list[str] = []
    tokens: list[list[str]] = []
    for text, status, extra in track(rows, desc="mask + tokenize", enabled=progress):
        m, toks = prepare(text, status == "kept", extra) if text else (text, [])
        masked.append(m)
        tokens.append(toks)
    return masked, tokens


def _identities(
    identity: Sequence[Iterable[str] | str | None] | pd.Series | None, n: int
) -> list[tuple[str, ...]]:
    """One tuple of identity strings per row (empty for missing values)."""
    if identity is None:
        return [()] * n
    values = list(identity.tolist() if isinstance(identity, pd.Series) else identity)
    if len(values) != n:
        raise ValueError(f"identity has {len(values)} entries for {n} rows; give one per row")
    out: list[tuple[str, ...]] = []
    for value in values:
        if isinstance(value, str):
            out.append((value,))
        elif value is None or (isinstance(value, float) and value != value):  # None or NaN
            out.append(())
        else:
            out.append(tuple(str(v) for v in value if isinstance(v, str) and v.strip()))
    return out


def _column(records: pd.DataFrame, name: str) -> list[str]:
    if name in records:
        return records[name].fillna("").astype(str).tolist()
    return [""] * len(records)


def _statuses(cleaned: list[str], respondents: list[str], files: list[str]) -> list[str]:
    """The status of every row: empty, non_answer, duplicate or kept."""
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
    return statuses


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
