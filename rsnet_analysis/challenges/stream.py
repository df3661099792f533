"""Discovery for more answers than are worth holding at once: fit on a sample, place the rest.

:func:`discover_streaming` reads the kept answers chunk by chunk from a store (a
:class:`~rsnet_analysis.prepare.stream.KeptAnswers`: ``len``, ``take(rows)`` and ``chunks()``):

1. **Fit** on a random sample of :data:`PARTITION_SAMPLE` answers exactly as
   :func:`~rsnet_analysis.challenges.discover_challenges` does on all answers: vectors (the
   vectorizer is fitted on 20,000 of them), codebook evidence, the partition with its named
   challenges, new themes and miscellany threshold, and stability over resamples of the sample.
2. **Place** every answer, chunk by chunk: its vector, its rule and theme evidence, and the
   cluster the fitted partition gives it (:func:`~rsnet_analysis.challenges.partition.assign`,
   the partition's own last step). Cluster sizes, term counts and centroids are added up; the
   vectors and evidence of the chunk go to a temporary folder.
3. **Describe**: clusters are numbered by size over all answers; top terms are the c-TF-IDF of
   all answers; representatives the answers closest to the centroid of all members (the best
   :data:`CANDIDATES` per cluster are kept while reading, then near-duplicates are skipped);
   labels of new themes and stability come from the sample. A second pass over the chunks
   writes the per-answer columns.

Memory is the fit on the sample plus one chunk, plus 8 bytes per answer (its cluster); the
answers, their vectors and evidence stay on disk. With at most :data:`PARTITION_SAMPLE` answers
this is :func:`~rsnet_analysis.challenges.discover_challenges` itself, and gives its result.
"""

from __future__ import annotations

import heapq
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from rsnet_analysis.challenges.codebook import Codebook
from rsnet_analysis.challenges.coding import LONG_ANSWER_TOKENS, score_records
from rsnet_analysis.challenges.describe import cluster_kind, cluster_row, cluster_table
from rsnet_analysis.challenges.discover import (
    ChallengeResult,
    _fit,
    _Fitted,
    _records,
    _resample,
    _selection,
    discover_challenges,
)
from rsnet_analysis.challenges.features import feature_frame
from rsnet_analysis.challenges.naming import (
    MISC_LABEL,
    TermCounts,
    phrase_counts,
    representatives,
    theme_phrase,
)
from rsnet_analysis.challenges.partition import MISC, assign
from rsnet_analysis.challenges.stability import stability
from rsnet_analysis.challenges.themes import TermIndex
from rsnet_analysis.progress import stage

__all__ = ["CANDIDATES", "PARTITION_SAMPLE", "AnswerStore", "discover_streaming"]

#: Answers the partition is fitted on (the others are placed on it).
PARTITION_SAMPLE = 50_000
#: Candidates per cluster kept while reading, for the representatives.
CANDIDATES = 64

Chunk = tuple[list[str], list[str], list[list[str]], list[list[str]]]


class AnswerStore(Protocol):
    """Kept answers in chunks: record ids, masked texts, tokens and lemmas."""

    def __len__(self) -> int:
        """Number of answers."""
        ...

    def take(self, rows: np.ndarray) -> Chunk:
        """The answers at the (sorted) positions ``rows``."""
        ...

    def chunks(self) -> Iterator[tuple[int, Chunk]]:
        """Every chunk with the position of its first answer, in order."""
        ...


def discover_streaming(
    answers: AnswerStore,
    *,
    k: int | str = "auto",
    seed: int = 0,
    codebook: Codebook | None = None,
    progress: bool = False,
    n_resamples: int = 10,
) -> ChallengeResult:
    """Find the challenges of the answers in ``answers`` (see the module docstring).

    Parameters are those of :func:`~rsnet_analysis.challenges.discover_challenges`; the answers
    come from a store instead of lists.

    Returns
    -------
    ChallengeResult
        ``records`` in the store's order.
    """
    n = len(answers)
    if n <= PARTITION_SAMPLE:
        ids, texts, tokens, lemmas = answers.take(np.arange(n))
        return discover_challenges(
            texts, tokens, lemmas, ids, k=k, seed=seed, codebook=codebook, progress=progress,
            n_resamples=n_resamples,
        )
    with threadpool_limits(limits=1):
        run = _Run(answers, k, seed, codebook, progress)
        try:
            return run.result(n_resamples)
        finally:
            run.close()


class _Run:
    """One streaming discovery: the fit on the sample, then the passes over the chunks."""

    def __init__(self, answers: AnswerStore, k: int | str, seed: int, codebook: Codebook | None, progress: bool) -> None:
        self.answers, self.seed, self.codebook, self.progress = answers, seed, codebook, progress
        n = len(answers)
        self.sample = np.sort(np.random.default_rng([seed, 53]).choice(n, PARTITION_SAMPLE, replace=False))
        self.s_ids, self.s_texts, self.s_tokens, self.s_lemmas = answers.take(self.sample)
        rids = np.asarray(self.s_ids, dtype=object)
        if len(set(rids)) != len(rids):
            raise ValueError("record_id が重複しています / record_ids must be unique")
        self.fitted: _Fitted = _fit(self.s_texts, self.s_tokens, self.s_lemmas, rids, k, seed, codebook, progress)
        self.folder = Path(tempfile.mkdtemp(prefix="rsnet-place-"))
        self.labels = np.zeros(n, dtype=np.int64)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def result(self, n_resamples: int) -> ChallengeResult:
        sizes, first, sums, terms = self._place()
        order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
        mapping = {old: new for new, old in enumerate(order, start=1)}
        part = self.fitted.part
        with stage("stability"):
            fits = _resample(self.fitted, self.seed, n_resamples, self.progress)
            stab = stability(_mapped(part.labels, mapping), fits)
        centroids = {mapping[c]: (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32) for c, v in sums.items()}
        top = {mapping[c]: t for c, t in terms.top_terms(self.fitted.stop).items()}
        with stage("describe"):
            clusters = self._clusters(order, mapping, sizes, top, stab, {})
            records, candidates = self._records(clusters, mapping, centroids)
            reps = {c: self._representatives(c, found, centroids[c]) for c, found in candidates.items()}
            clusters["representative_record_ids"] = clusters["cluster"].map(lambda c: " ".join(reps.get(c, [])))
        selection = _selection(clusters, part, self.labels == MISC, stab, fits)
        return ChallengeResult(
            records, clusters, int(clusters.shape[0]), selection, self.seed, self.fitted.notices,
            self.fitted.evidence is not None,
        )

    def _chunk_evidence(self, texts: list[str], tokens: list[list[str]]) -> tuple[np.ndarray | None, Sequence[Any]]:
        if self.fitted.evidence is None or self.codebook is None:
            return None, []
        rs = score_records(texts, tokens, self.codebook, long_answer_tokens=LONG_ANSWER_TOKENS)
        return rs.scores, rs.matched

    def _place(self) -> tuple[Counter[int], dict[int, str], dict[int, np.ndarray], TermCounts]:
        """First pass: place every answer; sizes, first record ids, vector sums and term counts."""
        sizes: Counter[int] = Counter()
        first: dict[int, str] = {}
        sums: dict[int, np.ndarray] = {}
        terms = TermCounts()
        for i, (start, (ids, texts, tokens, lemmas)) in enumerate(self.answers.chunks()):
            with stage("vectorise"):
                E = self.fitted.embedder.vectors(feature_frame(texts, lemmas))
            with stage("code"):
                evidence, matched = self._chunk_evidence(texts, tokens)
            with stage("cluster"):
                placed = assign(self.fitted.part, E, evidence, TermIndex(tokens, lemmas), self.fitted.min_score)
            labels = placed.labels
            self.labels[start : start + len(ids)] = labels
            for c in np.unique(labels).tolist():
                rows = np.flatnonzero(labels == c)
                sizes[c] += len(rows)
                low = min(ids[j] for j in rows.tolist())
                first[c] = min(first.get(c, low), low)
                sums[c] = sums.get(c, 0.0) + E[rows].sum(axis=0, dtype=np.float64)
            terms.add(tokens, labels)
            np.save(self.folder / f"E_{i:05d}.npy", E)
            with (self.folder / f"placed_{i:05d}.pkl").open("wb") as f:
                pickle.dump((evidence, matched, labels, placed.score_matrix, placed.theme_evidence), f)
        return sizes, first, sums, terms

    def _clusters(
        self, order: list[int], mapping: dict[int, int], sizes: Counter[int], terms: dict[int, list[str]],
        stab: dict[int, float], reps: dict[int, list[str]],
    ) -> pd.DataFrame:
        part, n = self.fitted.part, int(sum(sizes.values()))
        sample_labels = _mapped(part.labels, mapping)
        overall: Counter[str] | None = None
        rows, raw = [], {}
        for original in order:
            c = mapping[original]
            kind, challenge, core = cluster_kind(original, part)
            if kind == "new":
                overall = overall if overall is not None else phrase_counts(self.s_texts, self.s_tokens)
                raw[c] = theme_phrase(
                    self.s_texts, self.s_tokens, sample_labels == c,
                    core or dict.fromkeys(terms.get(c, [])[:2], 1.0), self.fitted.stop, overall,
                )
            elif kind == "named":
                raw[c] = self.codebook.short(challenge) if self.codebook is not None else challenge
            else:
                raw[c] = MISC_LABEL
            rows.append(cluster_row(c, kind, sizes[original], n, terms.get(c, []), challenge, core, reps.get(c, []), stab))
        return cluster_table(rows, raw, terms)

    def _records(
        self, clusters: pd.DataFrame, mapping: dict[int, int], centroids: dict[int, np.ndarray]
    ) -> tuple[pd.DataFrame, dict[int, list[tuple[float, str, np.ndarray, str, list[str]]]]]:
        """Second pass: the per-answer columns, and the representative candidates of each cluster."""
        fitted, parts = self.fitted, []
        candidates: dict[int, list[tuple[float, str, np.ndarray, str, list[str]]]] = {}
        for i, (_start, (ids, texts, tokens, lemmas)) in enumerate(self.answers.chunks()):
            E = np.load(self.folder / f"E_{i:05d}.npy")
            with (self.folder / f"placed_{i:05d}.pkl").open("rb") as f:
                evidence, matched, original, score_matrix, theme_ev = pickle.load(f)
            labels = _mapped(original, mapping)
            part = replace(fitted.part, labels=original, score_matrix=score_matrix, theme_evidence=theme_ev)
            parts.append(_records(
                np.asarray(ids, dtype=object), labels, part, clusters, evidence, fitted.keys, matched,
                fitted.min_score, self.codebook, E, TermIndex(tokens, lemmas), centroids,
            ))
            for c in np.unique(labels).tolist():
                rows = np.flatnonzero(labels == c).tolist()
                sims = (E[rows] @ centroids[c]).tolist()
                best = heapq.nsmallest(CANDIDATES, zip(sims, rows, strict=True), key=lambda x: (-round(x[0], 6), ids[x[1]]))
                found = [(-round(s, 6), ids[j], E[j].copy(), texts[j], lemmas[j]) for s, j in best]
                candidates[c] = heapq.nsmallest(CANDIDATES, candidates.get(c, []) + found, key=lambda x: (x[0], x[1]))
        return pd.concat(parts, ignore_index=True), candidates

    def _representatives(
        self, c: int, found: list[tuple[float, str, np.ndarray, str, list[str]]], centroid: np.ndarray
    ) -> list[str]:
        frame = feature_frame([f[3] for f in found], [f[4] for f in found])
        E = np.vstack([f[2] for f in found])
        ids = np.asarray([f[1] for f in found], dtype=object)
        return representatives(
            np.arange(len(found)), E, centroid, lambda rows: self.fitted.embedder.features(rows, frame), ids
        )


def _mapped(labels: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """Original cluster ids renumbered (ids the mapping does not know stay as they are)."""
    return np.array([mapping.get(c, c) for c in np.asarray(labels).tolist()], dtype=int)
