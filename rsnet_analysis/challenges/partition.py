"""The partition of answers into named challenges, new themes and the miscellany.

:func:`fit_partition` runs, on the unit answer vectors ``E``:

1. **Seeds.** Each codebook challenge with at least :func:`min_seed_count` answers whose rule
   evidence reaches ``min_score`` (and is their strongest) starts a centroid at their mean.
2. **Free clusters.** ``n_free`` more centroids come from k-means on the answers without such
   evidence: candidates for challenges the codebook does not know.
3. **Rounds** (:data:`ROUNDS`). Spherical k-means over every answer with word evidence as a
   bonus (:mod:`rsnet_analysis.challenges.assign`); then each free cluster is tested for core
   terms (:mod:`rsnet_analysis.challenges.themes`): a cluster with core terms is a new theme, one
   without is dropped (its answers go where they fit best in the next round), themes that share
   their words are merged. Without a codebook (no rule evidence) there is no word bonus and the
   free clusters start from :data:`N_INIT_PLAIN` k-means restarts: the partition is plain
   spherical k-means, and the core terms only name the clusters.
4. **Subject rule.** An answer using a theme's core terms with evidence of at least
   ``min_score`` counts under the theme (its named challenges become secondary).
5. **A theme that is a named challenge after all** (at least half its answers have that
   challenge's rule evidence) is folded into it.
6. **Miscellany.** An answer with no word evidence at all whose similarity to its challenge is
   among the lowest :data:`MISC_QUANTILE` of all answers fits nothing: it goes to the miscellany
   (label -1), which is never a challenge.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.cluster import KMeans

from rsnet_analysis.challenges.assign import evidence_bonus, scores, spherical_lloyd
from rsnet_analysis.challenges.themes import TermIndex, merge_themes, subject_rule

__all__ = ["MISC", "Partition", "assign", "fit_partition", "free_cluster_count", "min_seed_count"]

MISC = -1
ROUNDS = 3
MISC_QUANTILE = 0.05
#: Fewer answers than this have no miscellany (a twentieth of them would be one or two answers).
MISC_MIN_ANSWERS = 50
#: A theme whose answers carry one named challenge's rule evidence this often is that challenge.
FOLD_SHARE = 0.5
#: Sample on which the free clusters are initialised (bounded cost).
INIT_SAMPLE = 5000
#: k-means restarts of the free clusters: few when they are candidates beside the codebook's
#: challenges (dropped or merged later), more when there is no codebook and they are the partition.
N_INIT_CANDIDATES = 4
N_INIT_PLAIN = 10


@dataclass
class Partition:
    """Result of :func:`fit_partition`.

    Attributes
    ----------
    labels : numpy.ndarray of int
        ``0 .. len(keys) - 1`` for named challenges (index into ``keys``), larger ids for new
        themes, ``MISC`` (-1) for the miscellany.
    keys : list of str
        The named challenges that got a cluster, in codebook order.
    themes : dict of int to dict
        New theme id → its core terms and weights.
    centroids : dict of int to numpy.ndarray
        Centroid of every named challenge and theme.
    score_matrix : numpy.ndarray
        Final scores ``(n, n_clusters)`` in the order of :attr:`columns`.
    columns : list of int
        Cluster id of each column of ``score_matrix``.
    dropped : int
        Free clusters dropped for having no words of their own.
    theme_evidence : dict of int to numpy.ndarray
        Core-term evidence of every answer for each new theme.
    named_cols, subject_themes, folded, misc_threshold, keep_free
        What :func:`assign` needs to place other answers as the last step placed these: the
        codebook columns of the named challenges, the themes of the subject rule (before any
        was folded), the themes folded into a named challenge (theme → its label), the
        similarity at or below which an answer without word evidence is miscellany (None: no
        miscellany), and whether free clusters were kept as they are (fixed ``k``).
    word_bonus : bool
        Whether new themes' core terms add to similarities (False without a codebook: then the
        partition is plain spherical k-means, and the words only name the clusters).
    """

    labels: np.ndarray
    keys: list[str]
    themes: dict[int, dict[str, float]]
    centroids: dict[int, np.ndarray]
    score_matrix: np.ndarray
    columns: list[int]
    dropped: int = 0
    theme_evidence: dict[int, np.ndarray] = field(default_factory=dict)
    named_cols: list[int] = field(default_factory=list)
    subject_themes: dict[int, dict[str, float]] = field(default_factory=dict)
    folded: dict[int, int] = field(default_factory=dict)
    misc_threshold: float | None = None
    keep_free: bool = False
    word_bonus: bool = True


def min_seed_count(n: int) -> int:
    """Fewest rule-coded answers for a named challenge to get a cluster: 1 % of answers, ≥ 3."""
    return max(3, math.ceil(0.01 * n))


def free_cluster_count(n: int) -> int:
    """Free clusters tried beside the named ones: about ``sqrt(n) / 4``, between 4 and 12.

    They are candidates: those without words of their own are dropped and similar ones merged,
    so the number of new themes found is decided by the data, not by this count.
    """
    return int(min(12, max(4, round(math.sqrt(n) / 4))))


def _seeds(evidence: np.ndarray | None, keys: list[str], min_score: float, n: int) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Columns of the named challenges with enough seeds, the strongest column, the seed mask."""
    if evidence is None or not len(keys):
        return [], np.zeros(n, dtype=int), np.zeros(n, dtype=bool)
    best = np.argmax(evidence, axis=1)
    strong = evidence[np.arange(n), best] >= min_score
    need = min_seed_count(n)
    named = [j for j in range(len(keys)) if int(np.sum(strong & (best == j))) >= need]
    return named, best, strong


def _free_centroids(E: np.ndarray, pool: np.ndarray, n_free: int, seed: int, n_init: int) -> np.ndarray:
    """k-means centroids of the answers ``pool`` (on a bounded sample)."""
    if n_free < 1 or len(pool) < 2:
        return np.zeros((0, E.shape[1]), dtype=np.float32)
    if len(pool) > INIT_SAMPLE:
        rng = np.random.default_rng([seed, 7919])
        pool = np.sort(rng.choice(pool, INIT_SAMPLE, replace=False))
    n_free = min(n_free, len(np.unique(E[pool].round(6), axis=0)))
    if n_free < 1:
        return np.zeros((0, E.shape[1]), dtype=np.float32)
    km = KMeans(n_clusters=n_free, n_init=n_init, random_state=seed).fit(E[pool])
    return km.cluster_centers_.astype(np.float32)


@dataclass
class _State:
    """Centroids in column order: named challenges first, then free clusters / themes."""

    ids: list[int]
    C: np.ndarray
    themes: dict[int, dict[str, float]] = field(default_factory=dict)


def _bonus(
    state: _State, key_bonus: np.ndarray, index: TermIndex, min_score: float, n_named: int, word_bonus: bool
) -> np.ndarray:
    bonus = np.zeros((index.n, len(state.ids)), dtype=np.float32)
    bonus[:, :n_named] = key_bonus
    if not word_bonus:
        return bonus
    for col, cid in enumerate(state.ids[n_named:], start=n_named):
        if cid in state.themes:
            bonus[:, col] = evidence_bonus(index.evidence(state.themes[cid])[:, None], min_score)[:, 0]
    return bonus


def _round(
    E: np.ndarray,
    state: _State,
    bonus: np.ndarray,
    index: TermIndex,
    n_named: int,
    stop: frozenset[str],
    known: frozenset[str],
    keep_free: bool,
) -> tuple[np.ndarray, _State, int]:
    """One round: Lloyd, then themes found among the free clusters, merged; the rest dropped."""
    cols, C = spherical_lloyd(E, state.C, bonus)
    labels = np.asarray(state.ids)[cols]
    themes = {}
    for cid in state.ids[n_named:]:
        core = index.core_terms(labels == cid, stop=stop, known=known)
        if core:
            themes[cid] = core
    if keep_free:  # a fixed k: every free cluster stays, themes or not
        return labels, _State(state.ids, C, themes), 0
    labels, themes = merge_themes(index, labels, themes)
    kept = state.ids[:n_named] + sorted(themes)
    if not kept:  # nothing has words of its own (tiny or uniform input): keep the clusters
        return labels, _State(state.ids, C, {}), 0
    newC = np.vstack([_centroid(E, labels, cid, C[state.ids.index(cid)]) for cid in kept])
    return labels, _State(kept, newC, themes), len(state.ids) - len(kept)


def _centroid(E: np.ndarray, labels: np.ndarray, cid: int, fallback: np.ndarray) -> np.ndarray:
    members = labels == cid
    if not members.any():
        return fallback
    v = E[members].mean(axis=0)
    norm = np.linalg.norm(v)
    return (v / norm if norm > 0 else fallback).astype(np.float32)


def fit_partition(
    E: np.ndarray,
    evidence: np.ndarray | None,
    keys: list[str],
    index: TermIndex,
    *,
    min_score: float,
    n_free: int,
    seed: int,
    stop: frozenset[str] = frozenset(),
    known: frozenset[str] = frozenset(),
    keep_free: bool = False,
    max_named: int | None = None,
) -> Partition:
    """Partition the answers (see the module docstring).

    Parameters
    ----------
    E : numpy.ndarray
        Unit answer vectors ``(n, d)``.
    evidence : numpy.ndarray or None
        Rule evidence ``(n, len(keys))``; None when the codebook is not used.
    keys : list of str
        Codebook keys (columns of ``evidence``).
    index : TermIndex
        Which answer uses which word.
    min_score : float
        Evidence that is enough to name a challenge (the codebook's ``min_score``).
    n_free : int
        Free clusters to start from.
    seed : int
    stop, known : frozenset of str
        Stop words, and the codebook's terms (never a new theme's core terms).
    keep_free : bool, default False
        Keep every free cluster (a fixed number of clusters was asked for): no dropping, merging,
        subject rule or miscellany.
    max_named : int, optional
        Keep at most this many named challenges (the best supported).

    Returns
    -------
    Partition
    """
    n = len(E)
    named_cols, best, strong = _seeds(evidence, keys, min_score, n)
    if max_named is not None and len(named_cols) > max_named:
        support = {j: int(np.sum(strong & (best == j))) for j in named_cols}
        top = sorted(named_cols, key=lambda j: (-support[j], j))[:max_named]
        named_cols = [j for j in named_cols if j in top]
    K = len(named_cols)
    key_C = [E[strong & (best == j)].mean(axis=0) for j in named_cols]
    # without a codebook the free clusters are the partition: more restarts, and no word bonus
    # (a cluster's own core terms pulling answers towards it would only reinforce the start)
    word_bonus = evidence is not None
    n_init = N_INIT_CANDIDATES if word_bonus else N_INIT_PLAIN
    free_C = _free_centroids(E, np.flatnonzero(~strong) if K else np.arange(n), n_free, seed, n_init)
    C = np.vstack(key_C + [free_C]) if K else free_C
    if len(C) == 0:
        C = E.mean(axis=0, keepdims=True)
    state = _State(list(range(len(C))), C.astype(np.float32))
    key_bonus = (
        evidence_bonus(evidence[:, named_cols], min_score)
        if K and evidence is not None
        else np.zeros((n, 0), np.float32)
    )
    dropped = 0
    labels = np.zeros(n, dtype=int)
    for _ in range(ROUNDS):
        bonus = _bonus(state, key_bonus, index, min_score, K, word_bonus)
        labels, state, gone = _round(E, state, bonus, index, K, stop, known, keep_free)
        dropped += gone
    centroids = {cid: state.C[col] for col, cid in enumerate(state.ids)}
    part = Partition(
        labels=np.zeros(n, dtype=int), keys=[keys[j] for j in named_cols], themes=dict(state.themes),
        centroids=centroids, score_matrix=np.zeros((n, 0), np.float32), columns=list(state.ids),
        dropped=dropped, named_cols=list(named_cols), subject_themes=dict(state.themes), keep_free=keep_free,
        word_bonus=word_bonus,
    )
    labels, part.score_matrix, theme_ev = _place(part, E, evidence, index, min_score)
    if not keep_free:
        labels, part.themes, part.folded = _fold_into_named(labels, state.themes, best, strong, named_cols)
        labels, part.misc_threshold = _miscellany(labels, part.score_matrix, state.ids, evidence, theme_ev)
    part.labels = labels
    part.theme_evidence = {t: theme_ev[t] for t in part.themes if t in theme_ev}
    return part


def _place(
    part: Partition, E: np.ndarray, evidence: np.ndarray | None, index: TermIndex, min_score: float
) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """Scores with word evidence, the best cluster, the subject rule: labels before fold and misc."""
    ids = part.columns
    K = len(part.named_cols)
    bonus = np.zeros((len(E), len(ids)), dtype=np.float32)
    if K and evidence is not None:
        bonus[:, :K] = evidence_bonus(evidence[:, part.named_cols], min_score)
    theme_ev: dict[int, np.ndarray] = {}
    for col, cid in enumerate(ids[K:], start=K):
        if cid in part.subject_themes:
            theme_ev[cid] = index.evidence(part.subject_themes[cid])
            if part.word_bonus:
                bonus[:, col] = evidence_bonus(theme_ev[cid][:, None], min_score)[:, 0]
    C = np.vstack([part.centroids[cid] for cid in ids]) if ids else np.zeros((0, E.shape[1]), np.float32)
    score_matrix = scores(E, C, bonus)
    labels = np.asarray(ids)[np.argmax(score_matrix, axis=1)]
    theme_ids = sorted(part.subject_themes)
    if not part.keep_free and theme_ids:
        labels = subject_rule(labels, np.column_stack([theme_ev[t] for t in theme_ids]), theme_ids, min_score)
    return labels, score_matrix, theme_ev


def assign(
    part: Partition, E: np.ndarray, evidence: np.ndarray | None, index: TermIndex, min_score: float
) -> Partition:
    """Place other answers on a fitted partition, as its last step placed the answers it was fitted on.

    Parameters
    ----------
    part : Partition
        From :func:`fit_partition`.
    E : numpy.ndarray
        Unit vectors of the answers to place.
    evidence : numpy.ndarray or None
        Their rule evidence (None when the partition was fitted without).
    index : TermIndex
        Their words.
    min_score : float

    Returns
    -------
    Partition
        ``part`` with the labels, scores and theme evidence of these answers.
    """
    labels, score_matrix, theme_ev = _place(part, E, evidence, index, min_score)
    if not part.keep_free:
        for theme, named in part.folded.items():
            labels[labels == theme] = named
        if part.misc_threshold is not None:
            labels = _apply_miscellany(labels, score_matrix, part.columns, evidence, theme_ev, part.misc_threshold)
    return replace(
        part, labels=labels, score_matrix=score_matrix,
        theme_evidence={t: theme_ev[t] for t in part.themes if t in theme_ev},
    )


def _fold_into_named(
    labels: np.ndarray,
    themes: dict[int, dict[str, float]],
    best: np.ndarray,
    strong: np.ndarray,
    named_cols: list[int],
) -> tuple[np.ndarray, dict[int, dict[str, float]], dict[int, int]]:
    """A theme whose answers mostly carry one named challenge's rule evidence joins it."""
    labels = labels.copy()
    kept = {}
    folded: dict[int, int] = {}
    for cid, core in themes.items():
        members = labels == cid
        if not members.any():
            continue
        coded = best[members & strong]
        counts = {j: int(np.sum(coded == j)) for j in named_cols}
        top = max(counts, key=lambda j: (counts[j], -j)) if counts else None
        if top is not None and counts[top] / members.sum() >= FOLD_SHARE:
            folded[cid] = named_cols.index(top)
            labels[members] = folded[cid]
        else:
            kept[cid] = core
    return labels, kept, folded


def _miscellany(
    labels: np.ndarray,
    score_matrix: np.ndarray,
    ids: list[int],
    evidence: np.ndarray | None,
    theme_ev: dict[int, np.ndarray],
) -> tuple[np.ndarray, float | None]:
    """Answers without any word evidence and least similar to their challenge: the miscellany.

    Returns the labels and the similarity threshold (None for fewer than MISC_MIN_ANSWERS).
    """
    n = len(labels)
    if n < MISC_MIN_ANSWERS:
        return labels, None
    threshold = float(np.quantile(_own_scores(labels, score_matrix, ids), MISC_QUANTILE))
    return _apply_miscellany(labels, score_matrix, ids, evidence, theme_ev, threshold), threshold


def _own_scores(labels: np.ndarray, score_matrix: np.ndarray, ids: list[int]) -> np.ndarray:
    col = {cid: i for i, cid in enumerate(ids)}
    which = np.array([col.get(c, -1) for c in labels.tolist()], dtype=np.int64)
    rows = np.arange(len(labels))
    return np.where(which >= 0, score_matrix[rows, np.maximum(which, 0)].astype(np.float64), -np.inf)


def _apply_miscellany(
    labels: np.ndarray,
    score_matrix: np.ndarray,
    ids: list[int],
    evidence: np.ndarray | None,
    theme_ev: dict[int, np.ndarray],
    threshold: float,
) -> np.ndarray:
    words = np.zeros(len(labels), dtype=bool)
    if evidence is not None and evidence.size:
        words |= evidence.max(axis=1) > 0
    for ev in theme_ev.values():
        words |= ev > 0
    low = _own_scores(labels, score_matrix, ids) <= threshold
    out = labels.copy()
    out[low & ~words] = MISC
    return out
