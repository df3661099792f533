"""The streamed record table: the same statuses, masked texts, tokens and lemmas, chunk by chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rsnet_analysis.ingest import read_inputs, sample_inputs
from rsnet_analysis.prepare import build_record_table, stream_record_table


@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_record_table_equals_the_whole_table(jobs: int) -> None:
    raw = read_inputs(sample_inputs()).table
    raw = pd.concat([raw, raw.iloc[:40]], ignore_index=True)  # repeats in a later chunk: duplicates
    whole = build_record_table(raw, identity=raw["identity"], jobs=1)
    chunks = [raw.iloc[i : i + 97] for i in range(0, len(raw), 97)]
    streamed = stream_record_table(chunks, jobs=jobs)
    try:
        table = streamed.table
        assert table["status"].tolist() == whole["status"].tolist()
        assert "duplicate" in set(table["status"])
        assert table["text_masked"].tolist() == whole["text_masked"].tolist()
        assert not {"text_original", "text_clean", "identity", "tokens", "lemmas", "token_pos"} & set(table.columns)
        kept = whole[whole["status"] == "kept"]
        ids, texts, tokens, lemmas = streamed.kept.take(np.arange(len(streamed.kept)))
        assert ids == kept["record_id"].tolist() and texts == kept["text_masked"].tolist()
        assert tokens == kept["tokens"].tolist() and lemmas == kept["lemmas"].tolist()
        rows = np.array([3, 99, len(kept) - 1])
        assert streamed.kept.take(rows)[0] == [ids[i] for i in rows]
    finally:
        streamed.kept.close()
    assert not streamed.kept.folder.exists()
