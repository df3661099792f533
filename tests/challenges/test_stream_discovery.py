"""Discovery fitted on a sample and placing every answer (the streaming path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import v_measure_score

from rsnet_analysis.challenges import (
    ChallengeResult,
    Codebook,
    discover_challenges,
    discover_streaming,
    stream,
)
from rsnet_analysis.challenges.discover import _fit
from rsnet_analysis.challenges.partition import assign
from rsnet_analysis.challenges.themes import TermIndex
from rsnet_analysis.contract import CLUSTER_COLUMNS


class _Store:
    """The kept answers of the sample as an answer store, in chunks of 70."""

    def __init__(self, kept: pd.DataFrame) -> None:
        self.cols = [kept[c].tolist() for c in ("record_id", "text_masked", "tokens", "lemmas")]

    def __len__(self) -> int:
        return len(self.cols[0])

    def take(self, rows):  # noqa: ANN001, ANN201
        return tuple([col[i] for i in rows.tolist()] for col in self.cols)

    def chunks(self):  # noqa: ANN201
        for start in range(0, len(self), 70):
            yield start, tuple(col[start : start + 70] for col in self.cols)


@pytest.fixture(scope="module")
def kept(sample_kept: pd.DataFrame) -> pd.DataFrame:
    return sample_kept


@pytest.fixture(scope="module")
def in_memory(kept: pd.DataFrame) -> ChallengeResult:
    return discover_challenges(
        kept["text_masked"].tolist(), kept["tokens"].tolist(), kept["lemmas"].tolist(),
        kept["record_id"].tolist(), codebook=Codebook.load(), n_resamples=3,
    )


def test_up_to_the_sample_size_it_is_the_in_memory_discovery(kept: pd.DataFrame, in_memory: ChallengeResult) -> None:
    got = discover_streaming(_Store(kept), codebook=Codebook.load(), n_resamples=3)
    pd.testing.assert_frame_equal(got.records, in_memory.records)
    pd.testing.assert_frame_equal(got.clusters, in_memory.clusters)


def test_placing_the_fitted_answers_again_gives_their_labels(kept: pd.DataFrame) -> None:
    rids = np.asarray(kept["record_id"].tolist(), dtype=object)
    fitted = _fit(kept["text_masked"].tolist(), kept["tokens"].tolist(), kept["lemmas"].tolist(), rids,
                  "auto", 0, Codebook.load(), False)
    placed = assign(fitted.part, fitted.E, fitted.evidence, TermIndex(kept["tokens"], kept["lemmas"]), fitted.min_score)
    assert np.array_equal(placed.labels, fitted.part.labels)
    assert np.array_equal(placed.score_matrix, fitted.part.score_matrix)


def test_fitted_on_a_sample_every_answer_is_placed(
    kept: pd.DataFrame, in_memory: ChallengeResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "PARTITION_SAMPLE", 250)
    got = discover_streaming(_Store(kept), codebook=Codebook.load(), n_resamples=3)
    again = discover_streaming(_Store(kept), codebook=Codebook.load(), n_resamples=3)
    pd.testing.assert_frame_equal(got.records, again.records)  # deterministic
    assert got.records["record_id"].tolist() == kept["record_id"].tolist()
    assert list(got.clusters.columns) == CLUSTER_COLUMNS
    assert got.clusters["size"].sum() == len(kept)
    assert got.clusters["cluster"].tolist() == list(range(1, len(got.clusters) + 1))
    sizes = got.records["cluster"].value_counts()
    assert (got.clusters.set_index("cluster")["size"] == sizes.reindex(got.clusters["cluster"]).to_numpy()).all()
    members = got.records.groupby("cluster")["record_id"].apply(set)
    for c, reps in zip(got.clusters["cluster"], got.clusters["representative_record_ids"], strict=True):
        assert reps and set(reps.split()) <= members[c]
    agreement = v_measure_score(in_memory.records["cluster"], got.records["cluster"])
    assert agreement > 0.5, agreement
