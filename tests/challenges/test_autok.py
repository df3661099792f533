"""Automatic number of clusters: the valley merge on blobs of known number."""

from __future__ import annotations

import numpy as np
import pytest

from rsnet_analysis.challenges.autok import VALLEY_NEIGHBOURS, valley_k


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
