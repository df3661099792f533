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


@pytest.mark.parametrize("stream", [False, True])
def test_shown_attributes_are_masked_like_the_answers(stream: bool) -> None:
    # a municipality cell with an address, a department cell with a name: both reach the member
    # lists of the proposed sub-groups and the practices, so they are masked once per value
    raw = read_inputs(sample_inputs()).table.iloc[:60].copy()
    raw.loc[raw.index[3], "自治体名"] = "川越市 東京都千代田区千代田1-1-1"
    raw.loc[raw.index[5], "所属部署"] = "総務課 山田太郎（内線1234）"
    raw.loc[raw.index[7], "自治体名"] = "金美村"  # the masker alone reads it as a name: a bare name is kept
    raw.loc[raw.index[9], "所属部署"] = "総務課山田太郎"  # a department's every value is masked
    if stream:
        streamed = stream_record_table([raw.iloc[:30], raw.iloc[30:]], jobs=1)
        table = streamed.table
        streamed.kept.close()
    else:
        table = build_record_table(raw, identity=raw["identity"], jobs=1)
    assert table["自治体名"].iloc[3] == "川越市 〔住所〕"
    assert "山田" not in table["所属部署"].iloc[5] and "1234" not in table["所属部署"].iloc[5]
    assert table["自治体名"].iloc[7] == "金美村"
    assert table["所属部署"].iloc[9] == "総務課〔氏名〕"
    others = [i for i in range(60) if i not in (3, 5, 9)]
    assert table["自治体名"].iloc[others].tolist() == raw["自治体名"].iloc[others].tolist()
    assert table["所属部署"].iloc[others].tolist() == raw["所属部署"].iloc[others].tolist()
