"""Build the record table: cleaned and masked text, a status and tokens for every input row.

Nothing is dropped here. Every row of the raw table from
:func:`rsnet_analysis.ingest.read_inputs` comes out once, in the same order, with a
``status`` saying whether it is analysed (``kept``) or why not (``empty``,
``non_answer``, ``duplicate``; see :mod:`.status`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext

import pandas as pd

from rsnet_analysis.contract import IDENTITY_COLUMN, QUESTION_COLUMN
from rsnet_analysis.prepare.status import assign_statuses
from rsnet_analysis.prepare.workers import default_jobs, map_chunks, prepare_rows
from rsnet_analysis.privacy import PiiMasker, mask_pii
from rsnet_analysis.text import JapaneseTokenizer
from rsnet_analysis.text.normalize import clean_text

__all__ = ["SHOWN_ATTRIBUTES", "TextPreparer", "build_record_table", "mask_attributes"]

#: Attribute columns whose values the reports show one by one (the members of a proposed
#: sub-group, the municipality of a practice, a session note's speaker group): typed by people,
#: so masked like the answers (「川越市 東京都千代田区千代田1-1-1」 -> 「川越市 〔住所〕」).
SHOWN_ATTRIBUTES: tuple[str, ...] = ("自治体名", "所属部署", "役割", "職位", "組織名", "グループ")
#: The shown attribute whose bare values are left unmasked (see :func:`mask_attributes`).
_MUNICIPALITY = "自治体名"
#: A municipality value with more than a name in it (see :func:`mask_attributes`).
_MORE_THAN_A_NAME = re.compile(r"[0-9０-９@＠]|\S\s+\S|[()（）\[\]［］【】〔〕<>＜＞]")


def mask_attributes(
    table: pd.DataFrame, mask: Callable[[str], str] | None = None, cache: dict[str, str] | None = None
) -> None:
    """Mask personal information in the :data:`SHOWN_ATTRIBUTES` columns of ``table``, in place.

    Every value of the department, role, position, organisation and group columns is masked
    (「総務課山田太郎」 -> 「総務課〔氏名〕」, 「渡部課長」 -> 「〔氏名〕課長」). The masker leaves
    department and job names alone: it changes none of the 180 distinct values of the sample, the
    holdouts and ``bench_scale``'s generator, nor any of the 102 common ones listed in
    ``tests/prepare/test_records.py``.

    In 自治体名 only values that carry more than a name are masked: a digit, ``@``, white space
    between words or brackets (an address, a phone number, an e-mail, 「川越市 山田太郎」). A bare
    municipality name is left as it is: the masker reads some of them alone as people's names
    (金美村), and a municipality that became 〔氏名〕 would lose its region and its practices.

    Each distinct value is masked once (``cache`` keeps the results across chunks of a stream).

    Parameters
    ----------
    table : pandas.DataFrame
        A raw or record table.
    mask : callable, optional
        ``str -> str``; :func:`~rsnet_analysis.privacy.mask_pii` by default.
    cache : dict, optional
        Value -> masked value, filled here.
    """
    fn = mask or mask_pii
    memo = {} if cache is None else cache
    for col in SHOWN_ATTRIBUTES:
        if col not in table.columns:
            continue
        changed = {}
        every = col != _MUNICIPALITY
        for value in table[col].dropna().unique():
            if not isinstance(value, str) or not (every or _MORE_THAN_A_NAME.search(value.strip())):
                continue
            masked = memo.get(value)
            if masked is None:
                masked = memo[value] = fn(value)
            if masked != value:
                changed[value] = masked
        if changed:
            table[col] = table[col].map(lambda v, c=changed: c.get(v, v) if isinstance(v, str) else v)


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

    def ahead(self, texts: Iterable[str]) -> AbstractContextManager[None]:
        """Tag ``texts`` together before they are prepared one by one (faster, same results).

        See :meth:`PiiMasker.tag_ahead <rsnet_analysis.privacy.PiiMasker.tag_ahead>`; with a
        ``mask`` function of the caller's, nothing is tagged ahead.

        Parameters
        ----------
        texts : iterable of str
            The cleaned answers about to be prepared.

        Returns
        -------
        context manager
        """
        return nullcontext() if self.mask is not None else self.masker.tag_ahead(texts)

    def __call__(
        self, text: str, kept: bool, extra: Sequence[str] = ()
    ) -> tuple[str, list[str], list[str], list[str]]:
        """Mask one answer and, when it is kept, tokenize it in the same MeCab pass.

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
        tuple of (str, list of str, list of str, list of str)
            The masked text and, for a kept answer, its tokens, lemmas and the part of speech of
            each token (else ``[]``); see
            :meth:`~rsnet_analysis.text.JapaneseTokenizer.tokenize_tagged` for the three lists.
        """
        lemmas: list[str] = []
        token_pos: list[str] = []
        if self.mask is not None:
            masked = self.mask(text)
            if not kept:
                return masked, [], [], []
            tagged, blocked = self.tokenizer.tag(masked), []
        elif not kept:
            return self.masker.mask(text, extra), [], [], []
        else:
            done = self.masker.mask_tagged(text, extra)
            masked, blocked = done.text, done.blocked
            # no Japanese in the text: nothing was tagged yet
            tagged = done.tagged if done.tagged is not None else self.tokenizer.tag(masked)
            blocked = blocked if done.tagged is not None else []
        tokens = self.tokenizer.tokenize_tagged(tagged, blocked, lemmas=lemmas, token_pos=token_pos)
        return masked, tokens, lemmas, token_pos


def build_record_table(
    raw: pd.DataFrame,
    *,
    mask: Callable[[str], str] | None = None,
    tokenizer: JapaneseTokenizer | None = None,
    progress: bool = False,
    identity: Sequence[Iterable[str] | str | None] | pd.Series | None = None,
    jobs: int | None = None,
) -> pd.DataFrame:
    """Add ``text_clean``, ``text_masked``, ``status``, ``tokens``, ``lemmas``, ``token_pos`` to the raw table.

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
        Ignored with a custom ``mask``. Default: the raw table's
        :data:`~rsnet_analysis.contract.IDENTITY_COLUMN` when it has one.
    jobs : int, optional
        Processes that mask and tokenise (:mod:`rsnet_analysis.prepare.workers`). None chooses:
        one for small inputs or a custom ``mask``, else ``min(2, cores)``. The result is the same
        for any number.

    Returns
    -------
    pandas.DataFrame
        A copy of ``raw`` (same rows, same order, same index) with six more columns:

        - ``text_clean``: :func:`~rsnet_analysis.text.clean_text` of the original;
        - ``text_masked``: the cleaned text with personal information masked;
        - ``status``: ``empty`` (nothing left after cleaning), ``non_answer``
          (see :func:`is_non_answer`), ``duplicate`` (the same ``text_clean`` from the
          same respondent in the same file as an earlier kept row), else ``kept``.
          Rows with an empty ``respondent`` are never marked duplicate: without a
          respondent there is no telling a repeat from two people agreeing. A repeat in
          another file (another survey wave) is a new answer, not a duplicate;
        - ``tokens``: the content-word terms of kept rows (``[]`` for the others), computed once
          here and reused by every later stage;
        - ``lemmas``: the content lemmas of kept rows (no compounds; the features answers are
          compared by), from the same pass;
        - ``token_pos``: the part of speech (UniDic ``pos1``) of each entry of ``tokens``, same
          length, from the same pass (what :func:`rsnet_analysis.explore.frequency_table` filters
          on); each a shared, interned string such as ``"名詞"``.

    Raises
    ------
    KeyError
        When ``raw`` has no ``text_original`` column.
    ValueError
        When ``identity`` does not have one entry per row.
    """
    records = raw.copy()
    mask_attributes(records, mask)
    originals = records["text_original"].fillna("").astype(str)
    cleaned = [clean_text(t) for t in originals]
    statuses = assign_statuses(
        cleaned,
        _column(records, "respondent"),
        _column(records, "source_file"),
        _column(records, QUESTION_COLUMN),
        _note_speakers(records),
    )
    prepare = TextPreparer(mask=mask, tokenizer=tokenizer)
    if identity is None and IDENTITY_COLUMN in records:
        identity = records[IDENTITY_COLUMN]
    rows = list(zip(cleaned, statuses, _identities(identity, len(records)), strict=True))
    if jobs is None:
        jobs = 1 if mask is not None else default_jobs(sum(s == "kept" for s in statuses))
    masked, tokens, lemmas, token_pos = _mask_and_tokenize(prepare, rows, progress, max(1, int(jobs)))
    records["text_clean"] = pd.Series(cleaned, index=records.index, dtype=object)
    records["text_masked"] = pd.Series(masked, index=records.index, dtype=object)
    records["status"] = pd.Series(statuses, index=records.index, dtype=object)
    records["tokens"] = pd.Series(tokens, index=records.index, dtype=object)
    records["lemmas"] = pd.Series(lemmas, index=records.index, dtype=object)
    records["token_pos"] = pd.Series(token_pos, index=records.index, dtype=object)
    return records


def _mask_and_tokenize(
    prepare: TextPreparer, rows: list[tuple[str, str, tuple[str, ...]]], progress: bool, jobs: int
) -> tuple[list[str], list[list[str]], list[list[str]], list[list[str]]]:
    """The masked text, tokens, lemmas and token parts of speech of every (cleaned text, status, identity) row."""
    from rsnet_analysis.progress import add_cpu, progress_bar, stage_label, track

    label = stage_label("mask+tokenise")
    if jobs == 1:
        return _unzip(prepare_rows(prepare, track(rows, desc=label, enabled=progress)))
    with progress_bar(len(rows), desc=label, enabled=progress) as update:

        def advance(n: int, cpu: float) -> None:
            add_cpu(cpu)
            update(n)

        return _unzip(map_chunks(prepare, rows, jobs, on_chunk=advance))


def _unzip(
    results: Iterable[tuple[str, list[str], list[str], list[str]]],
) -> tuple[list[str], list[list[str]], list[list[str]], list[list[str]]]:
    masked: list[str] = []
    tokens: list[list[str]] = []
    lemmas: list[list[str]] = []
    token_pos: list[list[str]] = []
    for m, toks, lems, tags in results:
        masked.append(m)
        tokens.append(toks)
        lemmas.append(lems)
        token_pos.append(tags)  # from a worker: shared within its chunk (pickle keeps one copy each)
    return masked, tokens, lemmas, token_pos


def _note_speakers(records: pd.DataFrame) -> list[tuple[str, str] | None]:
    """(speaker, heading) of every session-note record, None for survey rows."""
    kinds = _column(records, "source_type")
    speakers, groups = _column(records, "組織名"), _column(records, "グループ")
    return [
        (s, g) if kind == "note" else None for kind, s, g in zip(kinds, speakers, groups, strict=True)
    ]


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
