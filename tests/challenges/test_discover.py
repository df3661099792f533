"""Challenge discovery: one assignment per answer, new themes sized in full, codebook only where it fits."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import v_measure_score

from rsnet_analysis.challenges import MISC_LABEL, Codebook, discover, discover_challenges, is_label_term
from rsnet_analysis.challenges.features import feature_frame
from rsnet_analysis.challenges.naming import theme_phrase
from rsnet_analysis.challenges.themes import TermIndex, merge_themes, subject_rule
from rsnet_analysis.contract import CLUSTER_COLUMNS
from rsnet_analysis.prepare import build_record_table

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_corpus  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


def _kept(raw: pd.DataFrame) -> pd.DataFrame:
    rec = build_record_table(raw)
    return rec[rec["status"] == "kept"].reset_index(drop=True)


def _raw(lines: list[str], source: str) -> pd.DataFrame:
    """One survey answer per line, as a raw table from file ``source``."""
    return pd.DataFrame(
        {
            "record_id": [f"{source}:{i}" for i in range(len(lines))], "source_file": source,
            "source_row": range(len(lines)), "source_type": "survey", "respondent": "", "date": "",
            "text_original": lines,
        }
    )


def _run(kept: pd.DataFrame, **kw):
    kw.setdefault("codebook", Codebook.load())
    kw.setdefault("seed", 0)
    return discover_challenges(
        kept["text_masked"].tolist(), kept["tokens"].tolist(), kept["lemmas"].tolist(),
        kept["record_id"].tolist(), **kw,
    )


#: The sample's second question (what members did and what came of it): not challenges.
PRACTICE_QUESTION = "この1年で取り組んだこと・その成果（自由記述）"


@pytest.fixture(scope="module")
def sample(sample_kept: pd.DataFrame) -> pd.DataFrame:
    """The sample's challenge statements: the challenge question and the session notes."""
    return sample_kept[sample_kept["question"] != PRACTICE_QUESTION].reset_index(drop=True)


@pytest.fixture(scope="module")
def result(sample):
    return _run(sample, n_resamples=3)


def test_clusters_table_columns_and_kinds(result) -> None:
    assert list(result.clusters.columns) == CLUSTER_COLUMNS
    assert set(result.clusters["kind"]) <= {"named", "new", "misc"}
    assert result.clusters["cluster"].tolist() == list(range(1, len(result.clusters) + 1))
    assert result.clusters["size"].sum() == len(result.records)


def test_every_answer_gets_one_challenge_in_input_order(result, sample) -> None:
    assert result.records["record_id"].tolist() == sample["record_id"].tolist()
    assert result.records["cluster"].notna().all()
    kinds = result.records["cluster"].map(result.clusters.set_index("cluster")["kind"])
    named = kinds == "named"
    assert (result.records.loc[named, "challenge"] != "").all()
    assert (result.records.loc[~named, "challenge"] == "").all()
    assert result.records["challenge_score"].between(0, 1).all()
    assert (result.records["challenge_reason"] != "").all()


def test_named_challenges_come_from_the_codebook(result) -> None:
    named = result.clusters[result.clusters["kind"] == "named"]
    assert set(named["challenge"]) <= set(Codebook.load().keys)
    assert len(named) >= 10
    assert result.codebook_used


def test_the_new_2024_challenge_is_a_named_new_theme(result, sample) -> None:
    new = result.clusters[result.clusters["kind"] == "new"]
    assert len(new) >= 1
    ai = new[new["label"].str.contains("生成AI|ChatGPT|AI")]
    assert len(ai) == 1, new[["label", "core_terms"]]
    members = result.records["cluster"] == int(ai["cluster"].iloc[0])
    texts = sample.loc[members.to_numpy(), "text_masked"]
    # 23 of 29 on the sample (the notes' introduction is now set aside as facilitation)
    assert texts.str.contains("AI|ChatGPT|Copilot|プロンプト").mean() >= 0.75
    assert members.sum() >= 15  # sized in full, not only the answers no rule touched


def test_the_miscellany_is_small_unnamed_and_never_a_challenge(result) -> None:
    misc = result.clusters[result.clusters["kind"] == "misc"]
    assert len(misc) <= 1
    if len(misc):
        assert misc["label"].iloc[0] == MISC_LABEL
        assert misc["challenge"].iloc[0] == ""
        assert misc["share"].iloc[0] <= 0.10


def test_labels_and_top_terms_are_clean(result) -> None:
    for _, row in result.clusters.iterrows():
        assert "〔" not in row["label"] and "栗鼠" not in row["label"]
        for term in row["top_terms"].split():
            assert is_label_term(term), term


def test_reasons_name_rules_or_similarity(result) -> None:
    reasons = result.records["challenge_reason"]
    assert reasons.str.startswith("ルール一致").any()
    assert reasons.str.contains("回答群に近い|新しい課題").any()


def test_deterministic_for_a_seed(sample) -> None:
    a = _run(sample, n_resamples=0)
    b = _run(sample, n_resamples=0)
    pd.testing.assert_frame_equal(a.records, b.records)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)


def test_foreign_domain_is_almost_uncoded() -> None:
    lines = (DATA / "foreign_defects.txt").read_text(encoding="utf-8").splitlines()
    raw = _raw(lines, "d")
    out = _run(_kept(raw), n_resamples=0)
    assert not out.codebook_used
    assert (out.records["challenge"] != "").mean() <= 0.02
    assert "named" not in set(out.clusters["kind"])
    assert out.notices and "コードブック" in out.notices[0]


def test_long_answers_raising_several_challenges_keep_the_codebook(sample) -> None:
    # four of the sample's answers written as one (about 40 tokens, several challenges each): the
    # length scaling must not take such answers for another domain
    rng = np.random.default_rng(0)
    texts = sample["text_masked"].tolist()
    lines = ["".join(rng.choice(texts, 4, replace=False)) for _ in range(60)]
    raw = _raw(lines, "m")
    kept = _kept(raw)
    assert kept["tokens"].map(len).median() > 30
    out = _run(kept, n_resamples=0)
    assert out.codebook_used
    assert (out.records["challenge"] != "").mean() >= 0.8


def test_long_texts_touching_challenges_in_passing_are_uncoded() -> None:
    # news-like articles of twelve sentences (about 110 tokens), three of them from policy
    # proposals that name budgets, citizens, targets or training in passing. Before the evidence of
    # long answers was scaled by their length, most of them looked strongly coded and the codebook
    # named their clusters.
    proposals = (DATA / "foreign_proposals.txt").read_text(encoding="utf-8").splitlines()
    news = (DATA / "foreign_news.txt").read_text(encoding="utf-8").splitlines()
    rng = np.random.default_rng(0)
    lines = ["".join(rng.permutation([*rng.choice(proposals, 3, replace=False), *rng.choice(news, 9, replace=False)]))
             for _ in range(60)]
    raw = _raw(lines, "p")
    out = _run(_kept(raw), n_resamples=0)
    assert not out.codebook_used
    assert (out.records["challenge"] != "").mean() <= 0.02
    assert "named" not in set(out.clusters["kind"])


@pytest.mark.parametrize(("n", "k"), [(20, 4), (2000, 8), (50000, 8)])
def test_auto_k_lands_near_the_true_number_on_a_known_structure(n: int, k: int) -> None:
    texts, lemmas, truth = synthetic_corpus(n, k, seed=0)
    out = discover_challenges(texts, lemmas, lemmas, [f"s:{i}" for i in range(n)], n_resamples=0)
    found = int((out.clusters["kind"] != "misc").sum())
    # half to twice the true k, as issue 9 asks. (Before near-duplicate clusters were merged, valley
    # merging kept pieces of this generator's topics apart: 16 for 8 at n = 2,000, 22 at 50,000.)
    assert k / 2 <= found <= 2 * k, out.clusters[["cluster", "size", "label"]]
    assert out.clusters["size"].max() <= 0.5 * n  # no collapse into a few giant clusters
    assert v_measure_score(truth, out.records["cluster"]) >= 0.8


def test_fixed_k(sample) -> None:
    out = _run(sample, k=6, n_resamples=0)
    assert out.k == 6
    assert "misc" not in set(out.clusters["kind"])


def test_tiny_and_invalid_inputs() -> None:
    empty = discover_challenges([], [], [], [])
    assert empty.k == 0 and empty.records.empty
    two = discover_challenges(["研修", "予算"], [["研修"], ["予算"]], [["研修"], ["予算"]], ["a", "b"])
    assert len(two.records) == 2
    with pytest.raises(ValueError):
        discover_challenges(["a"], [], [], ["x"])
    with pytest.raises(ValueError):
        discover_challenges(["a", "b"], [["a"], ["b"]], [["a"], ["b"]], ["x", "x"])
    with pytest.raises(ValueError):
        discover_challenges(["a"], [["a"]], [["a"]], ["x"], k=0)


@pytest.mark.parametrize(
    ("term", "ok"),
    [("生成AI", True), ("ガイドライン", True), ("〔氏名〕", False), ("栗鼠", False), ("こと", False),
     ("する", False), ("の", False), ("2023", False), ("・", False), ("", False), ("onerror", False),
     ("img", False), ("<script>", False)],
)
def test_is_label_term(term: str, ok: bool) -> None:
    assert is_label_term(term) is ok


THEME = [["生成AI", "ルール"], ["生成AI", "研修"], ["生成AI", "ルール", "情報"], ["生成AI", "利用"]]
OTHER = [["予算", "確保"], ["異動", "担当"], ["研修", "時間"], ["予算", "時間"]] * 3


def test_core_terms_are_the_words_of_a_group() -> None:
    docs = THEME + OTHER
    index = TermIndex(docs, docs)
    members = np.array([True] * len(THEME) + [False] * len(OTHER))
    core = index.core_terms(members)
    assert "生成AI" in core and "予算" not in core
    assert index.core_terms(members, known=frozenset({"生成AI"})) .get("生成AI") is None
    verbs = TermIndex([["増える"]] * 4 + OTHER, [["増える"]] * 4 + OTHER)
    assert verbs.core_terms(members) == {}  # no noun-like word: not a theme


def test_themes_sharing_words_merge_and_the_subject_rule_moves_answers() -> None:
    docs = THEME + THEME + OTHER
    index = TermIndex(docs, docs)
    labels = np.array([10] * 4 + [11] * 4 + [0] * len(OTHER))
    merged, themes = merge_themes(index, labels, {10: {"生成AI": 2.0}, 11: {"生成AI": 2.0, "ルール": 1.5}})
    assert set(merged[:8]) == {10} and set(themes) == {10}
    evidence = np.array([[3.0], [0.0], [1.0]])
    assert subject_rule(np.array([0, 0, 0]), evidence, [10], 2.0).tolist() == [10, 0, 0]


def test_a_theme_is_named_with_a_phrase_its_answers_use() -> None:
    texts = ["生成AIの利用ルールがない", "生成AIの利用ルールを作る", "生成AIの利用ルール策定", "予算の確保"]
    tokens = [["生成AI", "利用ルール"], ["生成AI", "利用ルール", "作る"], ["生成AI", "利用ルール", "策定"], ["予算", "確保"]]
    members = np.array([True, True, True, False])
    name = theme_phrase(texts, tokens, members, {"生成AI": 3.0, "利用ルール": 2.0}, frozenset())
    assert name == "生成AIの利用ルール"


def test_fitted_rows_are_embedded_as_every_other_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # the rows the SVD is fitted on keep their fit-time projection; it must equal a fresh one
    texts, lemmas, _truth = synthetic_corpus(60, 3, seed=2)
    monkeypatch.setattr(discover, "FIT_SAMPLE", 25)
    monkeypatch.setattr(discover, "EMBED_CHUNK", 7)
    E, _rows, embedder = discover._embed(texts, lemmas, 0, False)
    np.testing.assert_array_equal(E, embedder.vectors(feature_frame(texts, lemmas)))
