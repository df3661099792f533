"""Automatic number of clusters: the valley merge on blobs of known number."""

from __future__ import annotations

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
