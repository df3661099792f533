"""Property test across the whole front of the pipeline: read -> clean -> mask -> tokenize.

Whatever Unicode a respondent types, no stage may crash, drop a row or duplicate one.
"""

from __future__ import annotations

import csv
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import build_record_table
from rsnet_analysis.text import JapaneseTokenizer

TOKENIZER = JapaneseTokenizer()

# Arbitrary text (surrogates excluded: they cannot be written to a file) mixed with the
# characters that matter here: Japanese, full-width forms, brackets used for placeholders.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list("ＤＸﾃﾞｼﾞﾀﾙ〔〕・ー－研修佐藤です@0120-12-3456\n\r\t ,\"")),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT, min_size=1, max_size=12))
def test_every_row_survives_every_stage(texts: list[str]) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["回答者ID", "課題"])
            for i, text in enumerate(texts):
                writer.writerow([f"R{i:03d}", text])
        # a file whose answers are all blank is a user error with its own message
        if all(not t.strip() for t in texts):
            return
        table = build_record_table(read_inputs([path], text_cols="課題", id_col="回答者ID").table)
    assert len(table) == len(texts)
    assert table["record_id"].is_unique
    assert table["回答者ID"].tolist() == [f"R{i:03d}" for i in range(len(texts))]
    kept = table.loc[table["status"] == "kept", "text_masked"].tolist()
    tokens = TOKENIZER.tokenize_many(kept)
    assert len(tokens) == len(kept)
    for row in tokens:
        assert all(isinstance(t, str) and t and not t.startswith("〔") for t in row)
