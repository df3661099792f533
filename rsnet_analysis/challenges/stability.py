"""Clusterwise stability (Hennig 2007): whether a cluster reappears when answers are resampled.

The partition is fitted again on ``n_resamples`` random subsamples of ``SUBSAMPLE_FRACTION`` of
the answers (at most ``STABILITY_SAMPLE``), with the same method and another seed. A cluster's
stability is the mean, over the refits, of the best Jaccard similarity between its members in
the subsample and any cluster of the refit: 1 when it always reappears intact, below about 0.5
when it is not a reliable cluster. The cost is bounded whatever the number of answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rsnet_analysis.progress import track

__all__ = ["STABILITY_SAMPLE", "SUBSAMPLE_FRACTION", "best_jaccard", "resample_fits", "stability"]

SUBSAMPLE_FRACTION = 0.8
STABILITY_SAMPLE = 5000


def best_jaccard(old: np.ndarray, new: np.ndarray, clusters: Sequence[int]) -> dict[int, float]:
    """For each cluster of ``old``, its best Jaccard similarity with any cluster of ``new``.

    Parameters
    ----------
    old, new : numpy.ndarray of int
        Two labellings of the same answers.
    clusters : sequence of int
        Clusters of ``old`` to score (absent ones are skipped).

    Returns
    -------
    dict of int to float
    """
    out: dict[int, float] = {}
    for c in clusters:
        a = old == c
        if not a.any():
            continue
        best = 0.0
        for label in np.unique(new[a]):
            b = new == label
            best = max(best, int(np.sum(a & b)) / int(np.sum(a | b)))
        out[int(c)] = best
    return out


def resample_fits(
    n: int,
    refit: Callable[[np.ndarray, int], np.ndarray],
    *,
    seed: int,
    n_resamples: int,
    progress: bool = False,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Refit on ``n_resamples`` subsamples; returns ``(indices, labels)`` pairs.

    Parameters
    ----------
    n : int
        Number of answers.
    refit : callable
        ``refit(indices, seed) -> labels`` fits the method on the answers ``indices``.
    seed : int
    n_resamples : int
    progress : bool, default False

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
    """
    m = min(max(2, int(round(SUBSAMPLE_FRACTION * n))), STABILITY_SAMPLE)
    fits = []
    for r in track(range(n_resamples), desc="stability / 安定性", enabled=progress):
        rng = np.random.default_rng([seed, r + 1])
        idx = np.sort(rng.choice(n, m, replace=False))
        fits.append((idx, refit(idx, seed + r + 1)))
    return fits


def stability(labels: np.ndarray, fits: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    """Mean best Jaccard of every cluster over the refits (NaN without refits).

    Parameters
    ----------
    labels : numpy.ndarray of int
        The partition to score.
    fits : sequence of (indices, labels)
        From :func:`resample_fits`.

    Returns
    -------
    dict of int to float
    """
    clusters = [int(c) for c in np.unique(labels)]
    if not fits:
        return {c: float("nan") for c in clusters}
    if len(clusters) < 2:
        return {c: 1.0 for c in clusters}
    scores: dict[int, list[float]] = {c: [] for c in clusters}
    for idx, new in fits:
        for c, v in best_jaccard(labels[idx], new, clusters).items():
            scores[c].append(v)
    return {c: float(np.mean(v)) if v else float("nan") for c, v in scores.items()}
