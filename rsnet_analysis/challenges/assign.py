"""Assigning answers to challenges: spherical k-means with evidence, and confidence.

Every answer goes to the challenge (named or new) it is most similar to, once the evidence of
words is added: the score of answer *i* for challenge *c* is

    cos(x_i, mu_c) + EVIDENCE_WEIGHT * min(evidence_ic / min_score, 2) / 2

where ``evidence`` is the codebook's rule evidence for a named challenge and the core-term
evidence for a new theme (:mod:`rsnet_analysis.challenges.themes`). Lloyd iterations move each
centroid to the normalised mean of its answers (spherical k-means; Dhillon and Modha 2001), so a
named challenge starts from the answers its rules found and grows to every answer that reads like
them; a little evidence breaks ties towards the challenge whose words the answer uses. Pure
numpy in float32, in chunks, so results do not depend on threads and memory stays bounded.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["EVIDENCE_WEIGHT", "confidence", "evidence_bonus", "spherical_lloyd"]

#: Weight of word evidence against cosine similarity (cosines between answers lie around 0.1-0.6).
EVIDENCE_WEIGHT = 0.1
#: Rows scored at a time.
CHUNK = 20000


def evidence_bonus(evidence: np.ndarray, min_score: float) -> np.ndarray:
    """Map evidence scores to the bonus added to similarities (0 to ``EVIDENCE_WEIGHT``).

    Parameters
    ----------
    evidence : numpy.ndarray
        Shape ``(n, k)``: evidence of each answer for each challenge (0 where none).
    min_score : float
        The evidence that is enough to name a challenge.

    Returns
    -------
    numpy.ndarray
        Same shape, float32.
    """
    scaled = np.minimum(np.maximum(evidence, 0.0) / max(min_score, 1e-9), 2.0) / 2.0
    return (EVIDENCE_WEIGHT * scaled).astype(np.float32)


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def scores(E: np.ndarray, centroids: np.ndarray, bonus: np.ndarray | None) -> np.ndarray:
    """Similarity plus bonus of every answer for every centroid, shape ``(n, k)``."""
    out = np.empty((len(E), len(centroids)), dtype=np.float32)
    for start in range(0, len(E), CHUNK):
        stop = start + CHUNK
        out[start:stop] = E[start:stop] @ centroids.T
        if bonus is not None:
            out[start:stop] += bonus[start:stop]
    return out


def spherical_lloyd(
    E: np.ndarray,
    centroids: np.ndarray,
    bonus: np.ndarray | None = None,
    *,
    max_iter: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations on unit vectors with an additive bonus per answer and centroid.

    Parameters
    ----------
    E : numpy.ndarray
        Unit answer vectors, shape ``(n, d)``.
    centroids : numpy.ndarray
        Initial centroids, shape ``(k, d)`` (normalised here).
    bonus : numpy.ndarray, optional
        Shape ``(n, k)``, from :func:`evidence_bonus`.
    max_iter : int, default 50

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Labels (0 .. k-1) and the final centroids. A centroid left without answers keeps its
        position.
    """
    C = _normalise(np.asarray(centroids, dtype=np.float32))
    labels = np.full(len(E), -1)
    for _ in range(max_iter):
        new = np.argmax(scores(E, C, bonus), axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        _move_centroids(E, labels, C)
    return labels, C


def _move_centroids(E: np.ndarray, labels: np.ndarray, C: np.ndarray) -> None:
    """Move each centroid that has answers to their normalised mean, in place.

    The sums come from one product with a sparse cluster-by-answer matrix of ones, whose rows
    list each cluster's answers in order: one pass over ``E``, where a boolean mask and a copy of
    the members per cluster made ``k`` passes. Each sum is added in the same order, in the same
    precision, as ``E[labels == c].mean(axis=0)`` adds it and is divided as that divides it, so
    the centroids are the same to the last bit (tested).
    """
    k, n = len(C), len(labels)
    counts = np.bincount(labels, minlength=k)
    indptr = np.concatenate(([0], np.cumsum(counts)))
    order = np.argsort(labels, kind="stable")  # each cluster's answers in their order
    members = sparse.csr_matrix((np.ones(n, dtype=E.dtype), order, indptr), shape=(k, n))
    present = counts > 0
    means = (members @ E)[present] / counts[present, None]  # divided in float64, as numpy's mean divides
    C[present] = _normalise(means.astype(E.dtype, copy=False))


def confidence(score_matrix: np.ndarray, labels: np.ndarray, temperature: float = 0.05) -> np.ndarray:
    """How clearly each answer belongs to its challenge: a two-way softmax of best vs runner-up.

    Parameters
    ----------
    score_matrix : numpy.ndarray
        Shape ``(n, k)``, from :func:`scores`.
    labels : numpy.ndarray of int
        Chosen column per answer.
    temperature : float, default 0.05
        A score margin of 0.05 gives a confidence of 0.73; 0.15 gives 0.95.

    Returns
    -------
    numpy.ndarray
        Values in [0.5, 1] (1 when there is a single challenge).
    """
    n, k = score_matrix.shape
    if k < 2 or n == 0:
        return np.ones(n)
    chosen = score_matrix[np.arange(n), labels]
    rest = score_matrix.copy()
    rest[np.arange(n), labels] = -np.inf
    margin = chosen - rest.max(axis=1)
    return 1.0 / (1.0 + np.exp(-np.clip(margin / temperature, -50, 50)))
