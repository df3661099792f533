"""Automatic number of clusters: the valley merge on blobs of known number."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rsnet_analysis.challenges.autok import VALLEY_NEIGHBOURS, choose_k, rule_of_thumb_k, valley_k


def _blobs(n: int, k: int, dim: int = 20, spread: float = 0.05, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors around ``k`` orthogonal directions."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:k]
    X = centres[np.arange(n) % k] + spread * rng.standard_normal((n, dim))
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("k", [2, 3, VALLEY_NEIGHBOURS])
def test_valley_merge_ends_with_few_clusters(k: int) -> None:
    # with VALLEY_NEIGHBOURS clusters or fewer left, each cluster's nearest neighbours used to
    # include itself: a self-merge that never ended (the call hung on 1,500 answers in 3 groups)
    assert valley_k(_blobs(1500, k), seed=0) == k


def test_valley_k_finds_separated_groups() -> None:
    assert valley_k(_blobs(3000, 8), seed=1) == 8


def test_small_clear_structure_uses_the_silhouette() -> None:
    assert choose_k(_blobs(300, 3), seed=0) == 3


def test_small_without_structure_takes_the_rule_of_thumb() -> None:
    # no groups at all (noise on the sphere): sqrt(n / 2), not the largest k tried
    noise = _blobs(450, 1, dim=50, spread=10.0)
    assert choose_k(noise, seed=0) == rule_of_thumb_k(450) == 15
    assert [rule_of_thumb_k(n) for n in (4, 20, 100, 999)] == [2, 3, 7, 22]


def _lattice_topics(n: int, k: int, words: int = 8, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors of answers that use 4-7 of their topic's ``words`` words (k topics).

    The vectors sit on a few lattice points, so a kernel density between two pieces of one topic
    dips between the points without any valley of the topic itself.
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((n, k * words), dtype=np.float32)
    for i in range(n):
        t = i % k
        X[i, t * words + rng.choice(words, size=int(rng.integers(4, 8)), replace=False)] = 1.0
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [3, 6])
def test_pieces_of_one_topic_are_merged(k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    X = _lattice_topics(2500, k)
    assert valley_k(X, seed=0) == k
    # without the near-duplicate merge the pieces stay apart: the test can tell
    monkeypatch.setattr("rsnet_analysis.challenges.autok.NEAR_DUPLICATE_COS", 2.0)
    assert valley_k(X, seed=0) > k


def test_separated_groups_that_share_a_direction_stay_apart() -> None:
    # five tight groups far apart, all shifted by one common component: their centroids have a
    # cosine of 0.77, but they do not overlap, so they are not pieces of one group
    rng = np.random.default_rng(0)
    X = 0.3 * np.ones(30) + np.vstack([np.eye(30)[i] + 0.05 * rng.standard_normal((300, 30)) for i in range(5)])
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    assert valley_k(X, seed=0) == 5


@pytest.mark.parametrize("n", [120, 1200])
def test_answers_with_few_distinct_vectors_try_no_more_clusters_than_there_are(n: int) -> None:
    # 「特になし」 over and over: k-means asked for more clusters than distinct points warns
    # (ConvergenceWarning, printed to the analyst's terminal) and finds the same partition
    X = np.repeat(np.eye(8, dtype=np.float32)[:4], n // 4, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = choose_k(X, seed=0)
    assert 2 <= k <= 4
