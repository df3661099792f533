"""Rule evidence of every statement for every kind, from its text and its context columns.

The statement text is scored with the challenge stage's own scorer
(:func:`~rsnet_analysis.challenges.score_records`) after :func:`rule_text` has marked its start
and end (``^`` and ``$``) and written every number as ``#``, so that rules can say "starts with
まとめ" (``text:"^まとめ"``) or "a number of people" (``text:"#人"``). The context columns (the
question's header, the speaker's organisation and the note's heading) are scored the same way,
each against its own block of the rule file, and their evidence is added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsnet_analysis.challenges import Codebook, score_records
from rsnet_analysis.contract import KINDS
from rsnet_analysis.statements.kinds import CONTEXT_FIELDS, StatementKinds

__all__ = ["KindEvidence", "rule_text", "score_kinds"]

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


def rule_text(text: str) -> str:
    """The text the kind rules read: ``^`` + text with numbers as ``#`` + ``$``.

    Parameters
    ----------
    text : str
        Masked, normalised statement text (``text_masked``).

    Returns
    -------
    str

    Examples
    --------
    >>> rule_text("受講者が40人から95人に増えた")
    '^受講者が#人から#人に増えた$'
    """
    return "^" + _NUMBER_RE.sub("#", str(text or "")) + "$"


@dataclass(frozen=True)
class KindEvidence:
    """Rule evidence per statement and kind.

    Attributes
    ----------
    scores : numpy.ndarray
        ``(n_statements, len(KINDS))`` evidence, columns in :data:`~rsnet_analysis.contract.KINDS`
        order: the text's and the context's evidence added.
    hints : numpy.ndarray
        The part of ``scores`` that comes from the question's header alone (weak evidence).
    matched : list of list of (str, str, float)
        Per statement, every (kind, term or rule, weight) that matched, strongest first; context
        matches are prefixed with the field (``question:`` …).
    """

    scores: np.ndarray
    hints: np.ndarray
    matched: list[list[tuple[str, str, float]]]


def _block_scores(
    texts: Sequence[str], tokens: Sequence[Sequence[str]], book: Codebook, prefix: str
) -> tuple[np.ndarray, list[list[tuple[str, str, float]]]]:
    """Score one block; return evidence in KINDS columns and the labelled matches."""
    rs = score_records(texts, tokens, book)
    out = np.zeros((len(texts), len(KINDS)), dtype=float)
    weights = {c.key: {**dict(c.terms), **{r.expr: r.weight for r in c.rules}} for c in book.challenges}
    matched: list[list[tuple[str, str, float]]] = [[] for _ in texts]
    for j, key in enumerate(rs.keys):
        out[:, KINDS.index(key)] = rs.scores[:, j]
    for i, j, found in rs.matched.pairs():
        key = rs.keys[j]
        matched[i].extend((key, prefix + m, weights[key][m]) for m in found)
    return out, matched


def _context_scores(values: list[str], book: Codebook, prefix: str) -> tuple[np.ndarray, list[list[tuple[str, str, float]]]]:
    """:func:`_block_scores` of a context column, each distinct value scored once.

    A context column (the question's header, the speaker, the note's heading) holds a few values
    repeated on every row; a value's evidence depends on the value alone. The rows of one value
    share its list of matches (read, never changed).
    """
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), sort=False)
    names = [str(v) for v in distinct]
    scores, found = _block_scores(names, [[v] if v else [] for v in names], book, prefix)
    return scores[codes], [found[c] for c in codes.tolist()]


def _column(records: pd.DataFrame, name: str) -> list[str]:
    if name not in records.columns:
        return [""] * len(records)
    return ["" if pd.isna(v) else str(v) for v in records[name].tolist()]


def score_kinds(records: pd.DataFrame, kinds: StatementKinds) -> KindEvidence:
    """Score every statement against every kind with the rule file's text and context blocks.

    Parameters
    ----------
    records : pandas.DataFrame
        Statements with ``text_masked`` and ``tokens`` (from
        :func:`~rsnet_analysis.prepare.build_record_table`); ``question``, ``組織名`` and
        ``グループ`` are read when present.
    kinds : StatementKinds
        The rule file.

    Returns
    -------
    KindEvidence
    """
    texts = [rule_text(t) for t in _column(records, "text_masked")]
    tokens = [list(t) if isinstance(t, list | tuple) else [] for t in records["tokens"].tolist()]
    scores, matched = _block_scores(texts, tokens, kinds.text, "")
    hints = np.zeros_like(scores)
    for name, book in kinds.context.items():
        values = _column(records, CONTEXT_FIELDS[name])
        extra, found = _context_scores(values, book, f"{name}:")
        scores += extra
        if name == "question":
            hints = extra
        for i, more in enumerate(found):
            matched[i].extend(more)
    for row in matched:
        row.sort(key=lambda m: (-m[2], KINDS.index(m[0]), m[1]))
    return KindEvidence(scores, hints, matched)
