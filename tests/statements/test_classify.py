"""classify_statements: aligned output, determinism, and strong rules the classifier never overrules."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rsnet_analysis.contract import KIND_COLUMNS, KINDS
from rsnet_analysis.statements import (
    StatementKinds,
    absorb_evidence,
    classify_statements,
    score_kinds,
    strong_rules,
)

sys.path.insert(0, str(Path(__file__).parent))
from kinds_helpers import SURVEY_Q2, note, records  # noqa: E402

BOOK = StatementKinds.load()

PRACTICES = [
    "若手向けの勉強会を月1回開いています。",
    "研修の案内を所属長経由で送るようにしました。",
    "各課に推進員を置くようにしました。",
    "勉強会の資料を共有フォルダで公開しました。",
    "研修の後にふりかえり会を入れるようにしました。",
    "ノーコードツールの勉強会を始めました。",
    "管理職向けの勉強会を開きました。",
    "窓口の手続きを動画にまとめました。",
]
RESULTS = [
    "案内を変えたら申込みが前年の2倍に増えました。",
    "待ち時間が平均10分短くなりました。",
    "自分でアプリを作れる職員が3人から9人に増えました。",
    "相談件数が半年で40件から75件に増えました。",
    "研修のあと質問が出るようになりました。",
    "受講率は9割を超えました。",
]
CHALLENGES = [
    "研修の時間が取れないのが課題です。",
    "何から手をつければいいのか分かりません。",
    "担当が異動すると取組が止まってしまうのが悩みです。",
    "予算が足りず、外部講師を呼べません。",
    "管理職の理解が得られず、職員を研修に出せない。",
    "学んだことが現場に定着しないのが課題です。",
]
REQUESTS = [
    "他の自治体の研修体系を教えてほしいです。",
    "同じ規模の町とつながれる分科会があると助かります。",
    "評価指標の事例を知りたいです。",
]
#: Worded like the practices (勉強会, 開いています) but a clear challenge: the rule must win.
TRAP = "勉強会を月1回開いていますが、参加者が集まらず続けるのが難しい。できていないことばかりです。"


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    rows = [{"text": t, "question": SURVEY_Q2} for t in PRACTICES * 2 + RESULTS * 2]
    rows += [{"text": t} for t in CHALLENGES + REQUESTS]
    rows += [note("まとめ（ファシリテーター）：各自治体の工夫が共有されました。"), {"text": TRAP}]
    recs = records(rows)
    recs.index = pd.RangeIndex(100, 100 + len(recs))  # not 0..n-1: the output keeps the index
    return recs


def test_output_is_aligned_with_the_records_given(corpus: pd.DataFrame) -> None:
    out = classify_statements(corpus)
    assert list(out.columns) == list(KIND_COLUMNS)
    assert out.index.equals(corpus.index)
    assert set(out["kind"]) <= set(KINDS)
    assert out["kind_confidence"].between(0, 1).all()
    assert (out["kind_reason"].str.len() > 0).all()


def test_the_same_input_and_seed_give_the_same_output(corpus: pd.DataFrame) -> None:
    first = classify_statements(corpus, seed=3)
    pd.testing.assert_frame_equal(first, classify_statements(corpus.copy(), seed=3))
    assert classify_statements(corpus.iloc[::-1], seed=3).loc[corpus.index].equals(first)


def test_the_classifier_never_overrules_a_strong_rule(corpus: pd.DataFrame) -> None:
    ev = score_kinds(corpus, BOOK)
    best, strong = strong_rules(absorb_evidence(ev.scores, ev.hints, BOOK.settings), BOOK.settings)
    out = classify_statements(corpus)
    assert strong.sum() >= 20
    assert (out["kind"].to_numpy()[strong] == np.array(KINDS)[best[strong]]).all()
    trap = out[corpus["text_masked"].str.startswith("勉強会を月1回開いていますが")].iloc[0]
    assert trap["kind"] == "challenge"
    assert trap["kind_reason"].startswith("ルール: 課題")


def test_weak_evidence_is_decided_with_the_classifier_and_says_so(corpus: pd.DataFrame) -> None:
    out = classify_statements(corpus)
    reasons = out["kind_reason"]
    assert reasons.str.startswith("ルール:").any()
    assert reasons.str.contains("分類器").any()


def test_no_classifier_for_a_tiny_corpus_and_fallback_to_the_question_hint() -> None:
    recs = records([{"text": "研修の様子について。", "question": SURVEY_Q2}, {"text": "議会です。"}])
    out = classify_statements(recs)
    assert not out["kind_reason"].str.contains("分類器").any()
    assert out["kind"].tolist() == ["practice", "challenge"]  # hinted, then the default kind
    assert "設問の見出し" in out["kind_reason"].iloc[0] and "既定" in out["kind_reason"].iloc[1]


def test_empty_input_and_missing_columns() -> None:
    empty = records([{"text": "研修が課題です。"}]).iloc[:0]
    out = classify_statements(empty)
    assert out.empty and list(out.columns) == list(KIND_COLUMNS)
    with pytest.raises(KeyError, match="lemmas"):
        classify_statements(pd.DataFrame({"text_masked": ["a"], "tokens": [[]]}))


def test_a_model_fitted_on_a_sample_is_applied_to_other_statements(corpus: pd.DataFrame) -> None:
    from rsnet_analysis.statements import fit_kind_model

    whole = classify_statements(corpus, seed=3)
    model = fit_kind_model(corpus, seed=3)
    assert model is not None and model.n_train > 0
    # the model of all statements, applied in two parts, gives the one-call result
    half = len(corpus) // 2
    parts = pd.concat([classify_statements(corpus.iloc[:half], seed=3, model=model),
                       classify_statements(corpus.iloc[half:], seed=3, model=model)])
    pd.testing.assert_frame_equal(parts, whole)
    rules_only = classify_statements(corpus, seed=3, model=None)
    assert not rules_only["kind_reason"].str.contains("分類器").any()
    with pytest.raises(ValueError):
        classify_statements(corpus, model="again")
