"""New themes: clusters the codebook does not explain, recognised by words of their own.

A cluster of answers is a *new theme* (a challenge nobody has a name for yet, such as generative
AI in 2024) when it has **core terms**: words that a good share of its answers use
(``coverage`` ≥ :data:`MIN_COVERAGE`) and that are much more frequent in it than elsewhere
(``lift`` ≥ :data:`MIN_LIFT`), at least one of them noun-like, together covering at least half of
its answers (:data:`MIN_UNION_COVERAGE`). Words of the codebook's own terms and stop words are not
core terms. A cluster without core terms is a fragment of something else, not a theme.

The core terms act for a theme as the codebook's terms act for a named challenge: each weighs
``log2(lift)`` (at most 3, on the codebook's scale where 2 is enough), and an answer using them
has *theme evidence*. Since a new theme is usually a new subject (標準化, 情報セキュリティ) and
the codebook's challenges are kinds of problem (予算, 幹部の理解), an answer with theme evidence
of at least the codebook's threshold counts under the theme, its codebook challenges becoming
secondary (:func:`subject_rule`).

Two themes that share a core term, or whose answers use each other's core terms
(:data:`CROSS_SHARE`), are one theme (:func:`merge_themes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from rsnet_analysis.challenges.features import identity_analyzer

__all__ = [
    "CROSS_SHARE",
    "MIN_COVERAGE",
    "MIN_LIFT",
    "MIN_UNION_COVERAGE",
    "TermIndex",
    "merge_themes",
    "subject_rule",
]

#: Share of a theme's answers that must use a word for it to be a core term.
MIN_COVERAGE = 0.2
#: How much more frequent in the theme than overall a core term must be.
MIN_LIFT = 3.0
#: Share of a theme's answers that must use at least one of its core terms.
MIN_UNION_COVERAGE = 0.5
#: Share of one theme's answers using the other's core terms above which two themes merge.
CROSS_SHARE = 0.2
#: Most weight one core term carries (the codebook's threshold is 2).
MAX_WEIGHT = 3.0
#: A core term is used by at least this many answers (two in corpora under ``SMALL_CORPUS``).
MIN_DOCS = 3
SMALL_CORPUS = 200

_VERB_LIKE = re.compile(r"[\u3040-\u309f]$")  # verb and adjective lemmas end in hiragana


class TermIndex:
    """Which answer uses which word (terms and lemmas), as a binary document-term matrix.

    Parameters
    ----------
    tokens, lemmas : sequence of sequence of str
        The readable terms and the content lemmas of each answer.
    """

    def __init__(self, tokens: Sequence[Sequence[str]], lemmas: Sequence[Sequence[str]]) -> None:
        docs = [sorted(set(t) | set(lem)) for t, lem in zip(tokens, lemmas, strict=True)]
        vectorizer = CountVectorizer(analyzer=identity_analyzer, lowercase=False, binary=True)
        try:
            self.matrix = vectorizer.fit_transform(docs).tocsc().astype(np.float32)
            self.terms = [str(t) for t in vectorizer.get_feature_names_out()]
        except ValueError:  # no words at all
            self.matrix = sp.csc_matrix((len(docs), 0), dtype=np.float32)
            self.terms = []
        self.column = {t: j for j, t in enumerate(self.terms)}
        self.df = np.asarray(self.matrix.sum(axis=0)).ravel()
        self.n = len(docs)

    def subset(self, rows: np.ndarray) -> TermIndex:
        """The index of some of the answers (for refits on subsamples)."""
        out = object.__new__(TermIndex)
        out.matrix = self.matrix[rows]
        out.terms, out.column = self.terms, self.column
        out.df = np.asarray(out.matrix.sum(axis=0)).ravel()
        out.n = len(rows)
        return out

    def uses(self, core: Iterable[str]) -> np.ndarray:
        """Boolean mask of the answers using at least one of the words."""
        cols = [self.column[t] for t in core if t in self.column]
        if not cols:
            return np.zeros(self.n, dtype=bool)
        return np.asarray(self.matrix[:, cols].sum(axis=1)).ravel() > 0

    def evidence(self, core: dict[str, float]) -> np.ndarray:
        """Sum of the weights of the core terms each answer uses."""
        cols = [self.column[t] for t in core if t in self.column]
        if not cols:
            return np.zeros(self.n)
        weights = np.array([core[self.terms[j]] for j in cols])
        return np.asarray(self.matrix[:, cols] @ weights).ravel()

    def core_terms(
        self,
        members: np.ndarray,
        *,
        stop: frozenset[str] = frozenset(),
        known: frozenset[str] = frozenset(),
    ) -> dict[str, float]:
        """The core terms of a group of answers (see the module docstring); ``{}`` when none.

        Parameters
        ----------
        members : numpy.ndarray of bool
            The group.
        stop : frozenset of str
            Words that are never core terms (stop words).
        known : frozenset of str
            The codebook's terms: a word that is one, contains one or is part of one is known
            vocabulary, not a new theme's.

        Returns
        -------
        dict of str to float
            Core term → weight, strongest first.
        """
        size = int(members.sum())
        min_docs = 2 if self.n < SMALL_CORPUS else MIN_DOCS
        if size < min_docs or not self.terms:
            return {}
        inside = np.asarray(self.matrix[members].sum(axis=0)).ravel()
        coverage = inside / size
        lift = (inside / np.maximum(self.df, 1)) / (size / self.n)
        candidates = np.flatnonzero((coverage >= MIN_COVERAGE) & (lift >= MIN_LIFT) & (inside >= min_docs))
        core = {
            self.terms[j]: float(min(MAX_WEIGHT, np.log2(lift[j])))
            for j in sorted(candidates, key=lambda j: (-coverage[j] * lift[j], self.terms[j]))
            if self.terms[j] not in stop and not _known(self.terms[j], known)
        }
        if not core or all(_VERB_LIKE.search(t) for t in core):
            return {}
        if self.uses(core)[members].mean() < MIN_UNION_COVERAGE:
            return {}
        return core


def _known(term: str, known: frozenset[str]) -> bool:
    """A word that is, contains or is part of one of the codebook's multi-character terms."""
    return term in known or any(len(k) > 1 and (k in term or term in k) for k in known)


def merge_themes(
    index: TermIndex, labels: np.ndarray, themes: dict[int, dict[str, float]]
) -> tuple[np.ndarray, dict[int, dict[str, float]]]:
    """Merge themes that share a core term or use each other's core terms (in place of labels).

    Parameters
    ----------
    index : TermIndex
    labels : numpy.ndarray of int
        Cluster of each answer.
    themes : dict of int to dict
        Theme cluster → core terms.

    Returns
    -------
    (numpy.ndarray, dict)
        New labels (merged themes take the smallest id) and the merged themes' core terms.
    """
    ids = sorted(themes)
    parent = {c: c for c in ids}

    def root(c: int) -> int:
        while parent[c] != c:
            c = parent[c]
        return c

    uses = {c: index.uses(themes[c]) for c in ids}
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            cross = max(uses[a][labels == b].mean(), uses[b][labels == a].mean())
            if set(themes[a]) & set(themes[b]) or cross >= CROSS_SHARE:
                parent[root(b)] = root(a)
    labels = labels.copy()
    merged: dict[int, dict[str, float]] = {}
    for c in ids:
        r = root(c)
        labels[labels == c] = r
        merged.setdefault(r, {})
        for term, weight in themes[c].items():
            merged[r][term] = max(weight, merged[r].get(term, 0.0))
    return labels, merged


def subject_rule(
    labels: np.ndarray, evidence: np.ndarray, theme_ids: Sequence[int], threshold: float
) -> np.ndarray:
    """Answers with theme evidence of at least ``threshold`` count under their strongest theme.

    Parameters
    ----------
    labels : numpy.ndarray of int
        Current cluster of each answer.
    evidence : numpy.ndarray
        Shape ``(n, len(theme_ids))``: theme evidence of each answer.
    theme_ids : sequence of int
        The cluster id of each column of ``evidence``.
    threshold : float
        The codebook's ``min_score``.

    Returns
    -------
    numpy.ndarray of int
        New labels.
    """
    if not len(theme_ids):
        return labels
    best = np.argmax(evidence, axis=1)
    strong = evidence[np.arange(len(labels)), best] >= threshold
    out = labels.copy()
    out[strong] = np.asarray(theme_ids)[best[strong]]
    return out
