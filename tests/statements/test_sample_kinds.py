"""The sample's kind labels: complete, consistent with the build rules, and met by the method."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis.challenges import Codebook
from rsnet_analysis.contract import KINDS
from rsnet_analysis.ingest import read_inputs, sample_inputs
from rsnet_analysis.prepare import build_record_table
from rsnet_analysis.statements import (
    StatementKinds,
    absorb_evidence,
    classify_statements,
    score_kinds,
    strong_rules,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
Q2 = "この1年で取り組んだこと・その成果（自由記述）"


@pytest.fixture(scope="module")
def kept() -> pd.DataFrame:
    table = build_record_table(read_inputs(sample_inputs()).table)
    return table[table["status"] == "kept"].reset_index(drop=True)


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    files = [SAMPLE / f"kinds_{x}.csv" for x in ("2023", "2024", "notes")]
    return pd.concat([pd.read_csv(f, encoding="utf-8-sig", dtype=str).fillna("") for f in files])


def test_every_kept_statement_has_exactly_one_kind_label(kept, labels) -> None:
    assert labels["record_id"].is_unique
    assert set(kept["record_id"]) <= set(labels["record_id"])
    assert set(labels["kind"]) == set(KINDS)


def test_labels_follow_the_split_rule_and_name_codebook_links(labels) -> None:
    def split(rid: str) -> str:
        return "test" if int(hashlib.md5(rid.encode()).hexdigest(), 16) % 5 in (0, 1) else "dev"

    assert (labels["split"] == labels["record_id"].map(split)).all()
    keys = set(Codebook.load().keys) | {"generative_ai"}
    assert set(labels["link"]) - {""} <= keys
    assert (labels.loc[labels["kind"] == "challenge", "link"] != "").all()


def test_the_second_question_is_filled_for_about_sixty_percent(kept, labels) -> None:
    q2 = labels[labels["question"] == Q2]
    assert q2["record_id"].str.fullmatch(r"survey_202[34]:\d+:q2").all()
    for stem, n_rows in (("survey_2023", 181), ("survey_2024", 189)):
        share = q2["record_id"].str.startswith(stem + ":").sum() / n_rows
        assert 0.55 <= share <= 0.65, (stem, share)
    counts = q2["kind"].value_counts()
    assert counts["practice"] >= 60 and counts["result"] >= 60 and counts["request"] >= 20


def test_the_method_meets_the_floors_on_the_test_split(kept, labels) -> None:
    out = kept[["record_id"]].join(classify_statements(kept, seed=0))
    scored = out.merge(labels, on="record_id", suffixes=("", "_gold"))
    test = scored[scored["split"] == "test"]
    pred_pr = test["kind"].isin(["practice", "result"])
    gold_pr = test["kind_gold"].isin(["practice", "result"])
    assert (pred_pr & gold_pr).sum() / pred_pr.sum() >= 0.85
    assert (pred_pr & gold_pr).sum() / gold_pr.sum() >= 0.75
    pred_c, gold_c = test["kind"] == "challenge", test["kind_gold"] == "challenge"
    assert (pred_c & gold_c).sum() / pred_c.sum() >= 0.90
    notes = scored[scored["question"] == "note"]
    fac = notes["kind_gold"] == "facilitation"
    assert (notes.loc[fac, "kind"] == "facilitation").all()
    assert (notes.loc[~fac, "kind"] != "facilitation").all()


def test_strong_rules_stand_and_a_disagreeing_classifier_is_named(kept) -> None:
    book = StatementKinds.load()
    ev = score_kinds(kept, book)
    best, strong = strong_rules(absorb_evidence(ev.scores, ev.hints, book.settings), book.settings)
    out = classify_statements(kept, seed=0)
    assert (out["kind"].to_numpy()[strong] == [KINDS[b] for b in best[strong]]).all()
    said = out["kind_reason"].to_numpy()[strong]
    disagree = [r for r in said if "分類器" in r]
    assert disagree, "the sample should have strong rules the classifier disagrees with"
    assert all(r.startswith("ルール: ") and r.endswith("強いルールを優先") for r in disagree)
