"""Word lists of the answers: frequency by part of speech, KWIC concordance, characteristic words."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from rsnet_analysis.contract import MIN_CELL

if TYPE_CHECKING:  # pragma: no cover
    from rsnet_analysis.text import JapaneseTokenizer

#: Segments with fewer respondents than this are left out of :func:`characteristic_words`
#: (the small-cell rule of the contract).
MIN_SEGMENT_RESPONDENTS = MIN_CELL

FREQUENCY_COLUMNS = ["term", "pos", "count", "documents"]
KWIC_COLUMNS = ["record_id", "left", "keyword", "right"]
CHARACTERISTIC_COLUMNS = [
    "segment",
    "term",
    "count",
    "segment_documents",
    "share_in_segment",
    "share_overall",
    "lift",
    "jaccard",
]

_SPACES = re.compile(r"\s+")


def kept_records(records: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that are analysed (``status == "kept"``), in their original order.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table. A table without a ``status`` column is taken as all kept.

    Returns
    -------
    pandas.DataFrame
        The kept rows.
    """
    if "status" not in records.columns:
        return records
    return records.loc[records["status"].eq("kept")]


def _record_sort_key(record_id: str) -> tuple[str, int, str]:
    """Sort ``"survey_2023:12"`` before ``"survey_2023:100"`` (file, then row as a number)."""
    stem, sep, row = str(record_id).rpartition(":")
    if sep and row.isdigit():
        return (stem, int(row), "")
    return (str(record_id), -1, "")


def _cached_lists(values: Iterable[Any]) -> list[list[str]]:
    """A cached list column as lists (a missing value is an empty list)."""
    return [list(t) if isinstance(t, Iterable) and not isinstance(t, str) else [] for t in values]


def _token_lists(
    records: pd.DataFrame, tokenizer: JapaneseTokenizer | None = None
) -> list[list[str]]:
    """Token lists of the kept rows: the cached ``tokens`` column, or tokenize ``text_masked``."""
    kept = kept_records(records)
    if "tokens" in kept.columns and tokenizer is None:
        return _cached_lists(kept["tokens"])
    if "text_masked" not in kept.columns:
        raise ValueError(
            "レコード表に tokens 列も text_masked 列もありません。run_analysis の結果の records を渡してください。"
            " / The record table has neither a 'tokens' nor a 'text_masked' column."
        )
    tok = tokenizer if tokenizer is not None else _default_tokenizer()
    return [tok(str(t)) for t in kept["text_masked"].fillna("")]


def _default_tokenizer() -> JapaneseTokenizer:
    from rsnet_analysis.text import JapaneseTokenizer

    return JapaneseTokenizer()


def _normalise_pos(pos: str | Sequence[str] | None) -> frozenset[str] | None:
    if pos is None:
        return None
    if isinstance(pos, str):
        return frozenset({pos})
    return frozenset(pos)


# -- frequency list ------------------------------------------------------------------------------
def frequency_table(
    records: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    pos: str | Sequence[str] | None = None,
    top: int | None = 50,
) -> pd.DataFrame:
    """Frequency list of the terms in the kept answers (KH Coder's 抽出語リスト).

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows are used).
    tokenizer : JapaneseTokenizer or None
        Tokenizer whose :meth:`~rsnet_analysis.text.JapaneseTokenizer.analyze` gives each
        term its part of speech, tokenizing ``text_masked`` again. When None, the cached columns
        are read instead: with ``pos`` None, ``tokens`` is counted and ``pos`` is left empty;
        with ``pos`` given, ``tokens`` with its ``token_pos`` (both from the record table's one
        MeCab pass, the same terms and parts of speech as ``analyze`` gives). Only when the table
        lacks those columns is ``text_masked`` tokenized, with the default tokenizer.
    pos : str, sequence of str or None
        Keep only terms of these parts of speech (UniDic ``pos1``: ``"名詞"``, ``"動詞"``,
        ``"形容詞"``, ``"形状詞"``). Compounds and domain terms count as ``"名詞"``. Only words
        the tokenizer keeps (content words, not stop words) are counted.
    top : int or None, default 50
        Number of rows returned; None returns all.

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``pos``, ``count`` (occurrences), ``documents`` (answers containing
        the term), sorted by ``count`` descending, then ``documents`` descending, then ``term``
        and ``pos``. The index is 0..n-1.
    """
    wanted = _normalise_pos(pos)
    kept = kept_records(records)
    counts: Counter[tuple[str, str]] = Counter()
    documents: Counter[tuple[str, str]] = Counter()
    if tokenizer is None and wanted is None and "tokens" in kept.columns:
        for tokens in _token_lists(kept):
            keys = [(t, "") for t in tokens]
            counts.update(keys)
            documents.update(set(keys))
    elif tokenizer is None and wanted is not None and {"tokens", "token_pos"} <= set(kept.columns):
        for tokens, tags in zip(_cached_lists(kept["tokens"]), _cached_lists(kept["token_pos"]), strict=True):
            if len(tokens) != len(tags):
                raise ValueError(
                    "レコード表の tokens と token_pos の長さが違います。build_record_table で作り直してください。"
                    " / The record table's 'tokens' and 'token_pos' differ in length."
                )
            keys = [(t, p) for t, p in zip(tokens, tags, strict=True) if p in wanted]
            counts.update(keys)
            documents.update(set(keys))
    else:
        tok = tokenizer if tokenizer is not None else _default_tokenizer()
        texts = kept["text_masked"].fillna("").astype(str) if "text_masked" in kept.columns else None
        if texts is None:
            raise ValueError("レコード表に text_masked 列がありません。 / The record table has no 'text_masked' column.")
        for text in texts:
            keys = [
                (t.lemma, t.pos)
                for t in tok.analyze(text)
                if t.keep and (wanted is None or t.pos in wanted)
            ]
            counts.update(keys)
            documents.update(set(keys))
    rows = [
        {"term": term, "pos": p, "count": n, "documents": documents[(term, p)]}
        for (term, p), n in counts.items()
    ]
    table = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS)
    table = table.sort_values(
        ["count", "documents", "term", "pos"], ascending=[False, False, True, True], kind="mergesort"
    )
    if top is not None:
        table = table.head(top)
    return table.reset_index(drop=True).astype({"count": "int64", "documents": "int64"})


# -- KWIC ----------------------------------------------------------------------------------------
def kwic(records: pd.DataFrame, keyword: str, *, width: int = 20) -> pd.DataFrame:
    """KWIC concordance: every occurrence of ``keyword`` in the masked answers, with context.

    Matching is literal on ``text_masked`` after NFKC normalisation of the keyword (so ``ＤＸ``
    finds ``DX``), and ignores letter case. Line breaks in the context are shown as spaces.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows are used).
    keyword : str
        The word to look for.
    width : int, default 20
        Characters of context on each side.

    Returns
    -------
    pandas.DataFrame
        Columns ``record_id``, ``left``, ``keyword`` (as written in the answer), ``right``;
        one row per occurrence, sorted by record (file, then row number) and position.

    Raises
    ------
    ValueError
        If ``keyword`` is empty or ``width`` is negative.
    """
    needle = unicodedata.normalize("NFKC", keyword or "").strip()
    if not needle:
        raise ValueError("KWIC のキーワードが空です。 / The KWIC keyword is empty.")
    if width < 0:
        raise ValueError(f"width must be >= 0, got {width}")
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    kept = kept_records(records)
    rows: list[tuple[tuple[str, int, str], int, dict[str, str]]] = []
    for record_id, text in zip(kept["record_id"], kept["text_masked"].fillna(""), strict=True):
        text = str(text)
        for match in pattern.finditer(text):
            start, end = match.span()
            rows.append(
                (
                    _record_sort_key(record_id),
                    start,
                    {
                        "record_id": str(record_id),
                        "left": _SPACES.sub(" ", text[max(0, start - width) : start]),
                        "keyword": match.group(0),
                        "right": _SPACES.sub(" ", text[end : end + width]),
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return pd.DataFrame([r[2] for r in rows], columns=KWIC_COLUMNS)


# -- co-occurrence -------------------------------------------------------------------------------


# -- characteristic words ------------------------------------------------------------------------
def characteristic_words(
    records: pd.DataFrame,
    segment_col: str,
    *,
    top: int = 10,
    min_documents: int = MIN_SEGMENT_RESPONDENTS,
    min_count: int = 2,
    tokenizer: JapaneseTokenizer | None = None,
) -> pd.DataFrame:
    """Words characteristic of each segment (KH Coder's 特徴語), ranked by Jaccard coefficient.

    For a segment S and a term w over the kept answers: ``count`` = answers in S containing w;
    ``share_in_segment`` = count / answers in S; ``share_overall`` = answers containing w / all
    answers; ``lift`` = share_in_segment / share_overall; ``jaccard`` = count / (answers in S +
    answers with w - count), the coefficient KH Coder uses to rank 特徴語.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows).
    segment_col : str
        Attribute column, e.g. ``"自治体区分"``. Rows with an empty value are not a segment
        (they still count in the overall shares).
    top : int, default 10
        Terms per segment.
    min_documents : int, default 5
        Segments with fewer respondents than this (distinct ``respondent`` values, or answers
        when there is no ``respondent`` column) are left out, so no small group is described.
    min_count : int, default 2
        Fewest answers in the segment that must contain a term for it to be listed.
    tokenizer : JapaneseTokenizer or None
        Used only when the table has no ``tokens`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment``, ``term``, ``count``, ``segment_documents``, ``share_in_segment``,
        ``share_overall``, ``lift``, ``jaccard``; segments in sorted order, and within each the
        terms by ``jaccard`` descending, then ``count`` descending, then term.

    Raises
    ------
    KeyError
        If ``segment_col`` is not a column of ``records``.
    """
    if segment_col not in records.columns:
        raise KeyError(
            f"列『{segment_col}』がありません。使える列: {', '.join(map(str, records.columns))} "
            f"/ Column {segment_col!r} not found."
        )
    kept = kept_records(records)
    token_sets = [set(t) for t in _token_lists(kept, tokenizer)]
    segments = kept[segment_col].astype("string").fillna("").str.strip().tolist()
    respondents = (
        kept["respondent"].astype(str).tolist() if "respondent" in kept.columns else [str(i) for i in kept.index]
    )
    total = len(token_sets)
    overall: Counter[str] = Counter()
    for terms in token_sets:
        overall.update(terms)

    members: dict[str, list[int]] = {}
    people: dict[str, set[str]] = {}
    for i, segment in enumerate(segments):
        if not segment:
            continue
        members.setdefault(segment, []).append(i)
        people.setdefault(segment, set()).add(respondents[i])

    rows: list[dict[str, Any]] = []
    for segment in sorted(members):
        if len(people[segment]) < min_documents:
            continue
        docs = members[segment]
        n_seg = len(docs)
        inside: Counter[str] = Counter()
        for i in docs:
            inside.update(token_sets[i])
        scored = []
        for term, count in inside.items():
            if count < min_count:
                continue
            share_in = count / n_seg
            share_all = overall[term] / total
            scored.append(
                {
                    "segment": segment,
                    "term": term,
                    "count": count,
                    "segment_documents": n_seg,
                    "share_in_segment": round(share_in, 6),
                    "share_overall": round(share_all, 6),
                    "lift": round(share_in / share_all, 6),
                    "jaccard": round(count / (n_seg + overall[term] - count), 6),
                }
            )
        scored.sort(key=lambda r: (-float(str(r["jaccard"])), -int(str(r["count"])), str(r["term"])))
        rows.extend(scored[:top])
    return pd.DataFrame(rows, columns=CHARACTERISTIC_COLUMNS).astype(
        {"count": "int64", "segment_documents": "int64"}
    )
