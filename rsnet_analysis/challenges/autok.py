"""The number of clusters when no codebook guides the partition (``k="auto"``).

:func:`choose_k` runs k-means for every candidate k on a bounded sample and scores each
partition by the mean silhouette (cosine) on a bounded subsample; it returns the smallest k whose
score is within :data:`TOLERANCE` of the best, since more clusters always fit text a little
better. The partition then drops clusters without words of their own and merges those that share
them (:mod:`rsnet_analysis.challenges.partition`), so the final number can be smaller.
Cost is bounded: at most :data:`FIT_SAMPLE` answers are clustered per candidate.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

__all__ = ["FIT_SAMPLE", "K_MAX", "TOLERANCE", "candidate_ks", "choose_k"]

FIT_SAMPLE = 3000
SCORE_SAMPLE = 2000
K_MAX = 40
TOLERANCE = 0.05


def candidate_ks(n: int) -> list[int]:
    """Candidate numbers of clusters: 2 .. min(K_MAX, max(sqrt(n), n / 4)), coarse above 12."""
    hi = int(min(K_MAX, max(2, math.isqrt(n), n // 4)))
    grid = list(range(2, 13)) + [14, 16, 18, 20, 23, 26, 30, 35, 40]
    return [k for k in grid if k <= hi] or [2]


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
    rng = np.random.default_rng([seed, 1013])
    fit_rows = np.sort(rng.choice(n, min(n, FIT_SAMPLE), replace=False))
    X = E[fit_rows]
    score_rows = np.sort(rng.choice(len(X), min(len(X), SCORE_SAMPLE), replace=False))
    results = []
    for k in candidate_ks(n):
        if k >= len(X):
            break
        labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(X)
        if len(np.unique(labels[score_rows])) < 2:
            continue
        results.append((k, float(silhouette_score(X[score_rows], labels[score_rows], metric="cosine"))))
    if not results:
        return 2
    best = max(s for _, s in results)
    return min(k for k, s in results if s >= best - TOLERANCE * abs(best))
