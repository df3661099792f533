"""Spherical k-means with evidence (rsnet_analysis.challenges.assign)."""

from __future__ import annotations

import numpy as np
import pytest

from rsnet_analysis.challenges.assign import _move_centroids, _normalise, confidence, scores, spherical_lloyd


def _blobs(n: int, k: int, d: int, seed: int, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    E = rng.standard_normal((k, d))[truth] * 2 + rng.standard_normal((n, d))
    return (E / np.linalg.norm(E, axis=1, keepdims=True)).astype(dtype), truth


@pytest.mark.parametrize(("n", "k", "d", "dtype"), [(5000, 12, 100, np.float32), (300, 4, 30, np.float64), (7, 5, 8, np.float32)])
def test_centroids_move_to_the_mean_of_their_answers_bit_for_bit(n: int, k: int, d: int, dtype: type) -> None:
    E, labels = _blobs(n, k, d, seed=n, dtype=dtype)
    labels[labels == 1] = 0  # a cluster left without answers keeps its centroid
    start = _normalise(np.random.default_rng(1).standard_normal((k, d)))
    expected = start.copy()
    for c in range(k):  # the definition: the normalised mean of each cluster's answers
        members = labels == c
        if members.any():
            expected[c] = _normalise(E[members].mean(axis=0, keepdims=True))[0]
    moved = start.copy()
    _move_centroids(E, labels, moved)
    assert np.array_equal(moved, expected)
    assert np.array_equal(moved[1], start[1])


def test_lloyd_recovers_well_separated_groups_and_is_deterministic() -> None:
    E, truth = _blobs(2000, 5, 50, seed=3)
    first = E[[np.flatnonzero(truth == c)[0] for c in range(5)]]
    labels, C = spherical_lloyd(E, first)
    again, C2 = spherical_lloyd(E, first)
    assert np.array_equal(labels, again) and np.array_equal(C, C2)
    assert np.array_equal(labels, truth)  # each group seeded with one of its answers
    np.testing.assert_allclose(np.linalg.norm(C, axis=1), 1.0, rtol=1e-5)


def test_confidence_grows_with_the_margin() -> None:
    s = scores(np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32), None)
    conf = confidence(np.array([[0.5, 0.45], [0.5, 0.2]]), np.array([0, 0]))
    assert s.shape == (3, 3) and 0.5 < conf[0] < conf[1] <= 1.0
