"""The number of clusters when no codebook guides the partition (``k="auto"``).

From :data:`VALLEY_MIN_N` answers on, :func:`valley_k` over-clusters a bounded sample (k-means at
:data:`K_MAX`) and merges neighbouring clusters while their union shows no valley of density
between them (:func:`valley_ratio` above :data:`VALLEY_TAU`); the clusters of at least 1 % of the
sample are counted. The threshold was set on four labelled public corpora (news titles, news
title + body, car defect reports, policy proposals) at 1,000, 2,500 and full size (up to 8,000),
two seeds each: at 0.55 the chosen k lay within half to twice the true number in 24 of 24 runs
(geometric mean of chosen / true 1.08); at 0.5, in 22 of 24 (0.85, mostly too few); at 0.6, in
21 of 24 (1.27). Earlier, on 21 sets of 1,000 to 50,000 texts, valley merging was the only rule
tried that held across sizes.

Before any valley test, two clusters whose mean directions nearly coincide (cosine of the
centroids at least :data:`NEAR_DUPLICATE_COS`) and that overlap (centroids closer than the sum of
the clusters' radii) are merged: they are pieces of one group, however the density between them
looks. This matters where answers draw on a small vocabulary: their vectors sit on a few lattice
points, and the kernel density shows dips between the points that are no valley (a synthetic
corpus of topics with 8 words each kept 16-22 clusters for 8 topics, 18 for 4; with this step 8
and 4). The overlap condition keeps apart tight groups far from each other that share a common
component (direction alone merged five such blobs, at a centroid cosine of 0.77, into 2): the
synthetic topics' pieces lie 0.22-0.51 of their summed radii apart, those blobs 2.6. On the four
real corpora above the chosen k was the same with and without the step in all 24 runs, at a
cosine of 0.75 and of 0.8 (at 0.7 one run changed); nine in ten neighbouring clusters there have
a cosine below 0.72, the synthetic topics' pieces 0.74-0.87 and different synthetic topics 0.1-0.2.

Below :data:`VALLEY_MIN_N` answers, no data-driven rule tried was reliable on text (valley merging, silhouette,
stability, HDBSCAN, CH, DB, gap and BIC missed on most sets of 50 to 700 texts; the silhouette
kept near the largest k tried, 2.7 times the true k on average). :func:`choose_k` then scores
k-means partitions by the mean silhouette (cosine) on a bounded subsample and uses it only when
the data show a clear structure (best score at least :data:`CLEAR_SILHOUETTE`, "reasonable
structure" in Kaufman and Rousseeuw's reading); otherwise it takes the rule of thumb
``sqrt(n / 2)`` (Mardia, Kent and Bibby 1979), which on the same corpora at 50 to 700 texts was
within half to twice the true k in 40 of 50 samples (the silhouette rule: 15 of 50). A notice
tells the user the number is only a guide and to set ``--k`` when they know better. The
partition then drops clusters without words of their own and merges those that share them
(:mod:`rsnet_analysis.challenges.partition`), so the final number can be smaller. Cost is bounded:
at most :data:`FIT_SAMPLE` answers are clustered per candidate.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

__all__ = [
    "FIT_SAMPLE",
    "CLEAR_SILHOUETTE",
    "K_MAX",
    "NEAR_DUPLICATE_COS",
    "NEAR_DUPLICATE_OVERLAP",
    "TOLERANCE",
    "VALLEY_MIN_N",
    "VALLEY_TAU",
    "candidate_ks",
    "choose_k",
    "rule_of_thumb_k",
    "valley_k",
    "valley_ratio",
]

FIT_SAMPLE = 3000
SCORE_SAMPLE = 2000
K_MAX = 40
TOLERANCE = 0.05
#: From this many answers on, the number of clusters comes from valley merging.
VALLEY_MIN_N = 1000
#: Two neighbouring clusters merge while their valley ratio is above this.
VALLEY_TAU = 0.55
#: Below VALLEY_MIN_N answers the silhouette decides only from this score on (clear structure).
CLEAR_SILHOUETTE = 0.5
#: Each cluster is compared with this many nearest clusters.
VALLEY_NEIGHBOURS = 4
#: Two clusters whose centroids have at least this cosine, and that overlap
#: (:data:`NEAR_DUPLICATE_OVERLAP`), are one (merged before valley tests).
NEAR_DUPLICATE_COS = 0.75
#: ... overlap: their centroids are closer than this times the sum of their radii.
NEAR_DUPLICATE_OVERLAP = 1.0


def candidate_ks(n: int) -> list[int]:
    """Candidate numbers of clusters: 2 .. min(K_MAX, max(sqrt(n), n / 4)), coarse above 12."""
    hi = int(min(K_MAX, max(2, math.isqrt(n), n // 4)))
    grid = list(range(2, 13)) + [14, 16, 18, 20, 23, 26, 30, 35, 40]
    return [k for k in grid if k <= hi] or [2]


def valley_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """How little density dips between two clusters (1: none, so they are one; near 0: a clear gap).

    Both clusters are projected on the line through their means; a Gaussian kernel density
    (Silverman's bandwidth) is evaluated on 64 points; the ratio is the lowest density between
    the two medians over the lower of the two peaks on either side.

    Parameters
    ----------
    a, b : numpy.ndarray
        The vectors of the two clusters.

    Returns
    -------
    float
    """
    direction = a.mean(axis=0) - b.mean(axis=0)
    norm = float(np.linalg.norm(direction))
    if norm < 1e-12:
        return 1.0
    pa, pb = a @ (direction / norm), b @ (direction / norm)
    x = np.concatenate([pa, pb])
    sd = float(x.std())
    if sd < 1e-12:
        return 1.0
    h = 1.06 * sd * len(x) ** (-1 / 5)
    ma, mb = float(np.median(pa)), float(np.median(pb))
    lo, hi = min(ma, mb), max(ma, mb)
    grid = np.linspace(lo - 2 * h, hi + 2 * h, 64)
    dens = np.exp(-0.5 * ((grid[:, None] - x[None, :]) / h) ** 2).sum(axis=1)
    if ((grid >= lo) & (grid <= hi)).sum() < 3:
        return 1.0
    i0, i1 = sorted((int(np.argmin(np.abs(grid - ma))), int(np.argmin(np.abs(grid - mb)))))
    dip = i0 + int(np.argmin(dens[i0 : i1 + 1]))
    peak = min(float(dens[: dip + 1].max()), float(dens[dip:].max()))
    return float(dens[dip] / max(peak, 1e-12))


def valley_k(E: np.ndarray, *, seed: int = 0, tau: float = VALLEY_TAU) -> int:
    """The number of clusters by over-clustering and valley merging (see the module docstring).

    Parameters
    ----------
    E : numpy.ndarray
        Unit answer vectors (at least :data:`VALLEY_MIN_N` for a reliable answer).
    seed : int, default 0
    tau : float, default VALLEY_TAU

    Returns
    -------
    int
        At least 2.
    """
    rng = np.random.default_rng([seed, 1013])
    X = E[np.sort(rng.choice(len(E), min(len(E), FIT_SAMPLE), replace=False))]
    n_clusters = max(1, min(K_MAX, len(X) - 1, _distinct_rows(X)))
    labels = KMeans(n_clusters=n_clusters, n_init=3, random_state=seed).fit_predict(X)
    memo: dict[tuple[int, int], float] = {}
    while True:
        ids = np.unique(labels)
        if len(ids) <= 1:
            break
        centres = np.stack([X[labels == i].mean(axis=0) for i in ids])
        twins = _near_duplicate(X, labels, ids, centres)
        if twins is not None:  # pieces of one group: merged, no valley test needed
            keep, drop = twins
            labels[labels == drop] = keep
            memo = {k: v for k, v in memo.items() if keep not in k and drop not in k}
            continue
        dist = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
        np.fill_diagonal(dist, np.inf)
        best, pair = -1.0, None
        for a in range(len(ids)):
            # never the cluster itself: with VALLEY_NEIGHBOURS clusters or fewer left, the sorted
            # row would end with its own (infinite) distance, and a self-merge would loop forever
            for b in np.argsort(dist[a])[: min(VALLEY_NEIGHBOURS, len(ids) - 1)]:
                key = (int(min(ids[a], ids[b])), int(max(ids[a], ids[b])))
                if key not in memo:
                    memo[key] = valley_ratio(X[labels == key[0]], X[labels == key[1]])
                if memo[key] > best:
                    best, pair = memo[key], key
        if pair is None or best <= tau:
            break
        labels[labels == pair[1]] = pair[0]
        memo = {k: v for k, v in memo.items() if pair[0] not in k and pair[1] not in k}
    sizes = np.bincount(labels)
    return int(max(2, (sizes >= max(3, int(0.01 * len(X)))).sum()))


def _near_duplicate(X: np.ndarray, labels: np.ndarray, ids: np.ndarray, centres: np.ndarray) -> tuple[int, int] | None:
    """The two clusters to merge as pieces of one group (most similar first), or None.

    Their centroids have a cosine of at least :data:`NEAR_DUPLICATE_COS` and lie closer together
    than the clusters' own radii (root mean square distance to the centroid) added up, times
    :data:`NEAR_DUPLICATE_OVERLAP`: direction alone would merge tight, well-separated groups
    that share a common component.
    """
    unit = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    cosine = unit @ unit.T
    rows, cols = np.triu_indices(len(ids), 1)
    close = np.flatnonzero(cosine[rows, cols] >= NEAR_DUPLICATE_COS)
    radius: dict[int, float] = {}
    for c in close[np.argsort(-cosine[rows, cols][close], kind="stable")]:
        a, b = int(rows[c]), int(cols[c])
        for i in (a, b):
            if i not in radius:
                radius[i] = float(np.sqrt(((X[labels == ids[i]] - centres[i]) ** 2).sum(axis=1).mean()))
        if np.linalg.norm(centres[a] - centres[b]) < NEAR_DUPLICATE_OVERLAP * (radius[a] + radius[b]):
            return int(min(ids[a], ids[b])), int(max(ids[a], ids[b]))
    return None


def choose_k(E: np.ndarray, *, seed: int = 0) -> int:
    """Choose the number of clusters of unit vectors ``E`` (see the module docstring).

    Parameters
    ----------
    E : numpy.ndarray
        Unit answer vectors.
    seed : int, default 0

    Returns
    -------
    int
    """
    n = len(E)
    if n < 4:
        return 1
    if n >= VALLEY_MIN_N:
        return valley_k(E, seed=seed)
    rng = np.random.default_rng([seed, 1013])
    fit_rows = np.sort(rng.choice(n, min(n, FIT_SAMPLE), replace=False))
    X = E[fit_rows]
    score_rows = np.sort(rng.choice(len(X), min(len(X), SCORE_SAMPLE), replace=False))
    results = []
    distinct = _distinct_rows(X)
    for k in candidate_ks(n):
        if k >= len(X) or k > distinct:  # more clusters than distinct answers: nothing to split
            break
        labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(X)
        if len(np.unique(labels[score_rows])) < 2:
            continue
        results.append((k, float(silhouette_score(X[score_rows], labels[score_rows], metric="cosine"))))
    best = max((s for _, s in results), default=-1.0)
    if best < CLEAR_SILHOUETTE:
        return rule_of_thumb_k(n)
    return min(k for k, s in results if s >= best - TOLERANCE * abs(best))


def _distinct_rows(X: np.ndarray) -> int:
    """The number of distinct rows of ``X`` (k-means finds no more clusters than that)."""
    return int(len(np.unique(X, axis=0)))


def rule_of_thumb_k(n: int) -> int:
    """``sqrt(n / 2)`` rounded, between 2 and :data:`K_MAX` (used without a clear structure)."""
    return int(min(K_MAX, max(2, round(math.sqrt(n / 2)))))
