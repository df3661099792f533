import numpy as np
import pandas as pd
import pytest

from rsnet_analysis.challenges import CLUSTER_COLUMNS
from rsnet_analysis.challenges.discover import (
    MISC_LABEL,
    discover_challenges,
    is_label_term,
)
from rsnet_analysis.text import JapaneseTokenizer, load_stopwords

# (text, coded challenge or "" for answers the codebook leaves open)
ANSWERS = [
    ("研修の予算が確保できない", "budget_time"),
    ("担当者が二年で異動してしまいノウハウが残らない", "turnover"),
    ("生成AIの業務利用のガイドラインを作りたい", ""),
    ("業務が忙しく研修の時間が取れない", "budget_time"),
    ("人事異動で引継ぎがうまくいかない。〔氏名〕", "turnover"),
    ("ChatGPTなど生成AIの情報漏えいが心配", ""),
    ("外部講師を呼ぶ予算がない", "budget_time"),
    ("異動のたびに担当者の知見が失われる", "turnover"),
    ("生成AIを使った文書作成のルールづくり", ""),
    ("研修に参加する時間の余裕がない", "budget_time"),
    ("幹部の理解が得られない", "buy_in"),
    ("管理職を巻き込むのが難しい", "buy_in"),
    ("生成AIの活用とガイドラインの整備", ""),
    ("首長や幹部のコミットメントが弱い", "buy_in"),
    ("管理職の意識改革が必要", "buy_in"),
    ("研修の財源と予算の確保が課題", "budget_time"),
    ("担当の異動で取り組みが止まる", "turnover"),
    ("生成AIの利用ルールと情報漏えい対策", ""),
    ("庁内の幹部に理解してもらえない", "buy_in"),
    ("リスキリング研修の予算が足りない", "budget_time"),
    ("職員の異動が多く引継ぎが不十分", "turnover"),
    ("ChatGPTの業務利用を検討中", ""),
    ("幹部職員の巻き込みが課題", "buy_in"),
    ("時間も予算もない", "budget_time"),
]
TEXTS = [a for a, _ in ANSWERS]
CODES = [c for _, c in ANSWERS]
IDS = [f"survey:{i + 2}" for i in range(len(ANSWERS))]
SHORT = {"budget_time": "予算・時間", "turnover": "担当者の異動", "buy_in": "庁内の理解"}


class FakeCodebook:
    keys = ["budget_time", "turnover", "buy_in", "kpi"]

    def short(self, key):
        return SHORT.get(key, key)


@pytest.fixture(scope="module")
def tokens():
    return JapaneseTokenizer().tokenize_many(TEXTS)


@pytest.fixture(scope="module")
def result(tokens):
    return discover_challenges(
        TEXTS, tokens, IDS, seed=0, codebook=FakeCodebook(), coded=pd.DataFrame({"challenge": CODES})
    )


def test_clusters_table_columns_exactly(result):
    assert list(result.clusters.columns) == CLUSTER_COLUMNS
    assert list(result.records.columns) == ["record_id", "cluster", "cluster_label"]
    assert result.clusters["size"].sum() == len(TEXTS)
    assert result.clusters["share"].sum() == pytest.approx(1.0, abs=1e-5)
    assert list(result.clusters["cluster"]) == list(range(1, result.k + 1))
    assert result.clusters["size"].is_monotonic_decreasing
    assert result.clusters["stability"].between(0, 1).all()


def test_every_record_assigned_in_input_order(result):
    assert list(result.records["record_id"]) == IDS
    assert result.records["cluster"].isin(result.clusters["cluster"]).all()
    label_of = dict(zip(result.clusters["cluster"], result.clusters["label"], strict=True))
    assert (result.records["cluster_label"] == result.records["cluster"].map(label_of)).all()


def test_codebook_mapping_and_unnamed_cluster(result):
    mapped = set(result.clusters["challenge"]) - {""}
    assert mapped == {"budget_time", "turnover", "buy_in"}
    for _, row in result.clusters[result.clusters["challenge"] != ""].iterrows():
        assert row["label"].startswith(SHORT[row["challenge"]])
    # the generative-AI answers no code fits are never absorbed into a named cluster: they form
    # an unnamed theme (HDBSCAN's dense core) and, for the few outside it, the miscellany cluster
    gen_ai = [i for i, c in enumerate(CODES) if c == ""]
    clusters = result.clusters.set_index("cluster").loc[sorted(set(result.records["cluster"].iloc[gen_ai]))]
    assert (clusters["challenge"] == "").all()
    assert any("生成AI" in label.split("・") for label in clusters["label"])


def test_labels_and_top_terms_are_clean(result):
    stop = load_stopwords()
    for _, row in result.clusters.iterrows():
        assert row["label"]
        terms = row["top_terms"].split()
        assert terms
        for term in terms + ([] if row["challenge"] else row["label"].split("・")):
            assert term not in stop
            assert "〔" not in term and "氏名" not in term
            assert "栗鼠" not in term
    assert result.clusters["label"].is_unique


def test_representatives(result, tokens):
    members = result.records.groupby("cluster")["record_id"].apply(set)
    for _, row in result.clusters.iterrows():
        reps = row["representative_record_ids"].split()
        assert len(reps) == min(3, row["size"])
        assert len(set(reps)) == len(reps)
        assert set(reps) <= members[row["cluster"]]
        texts = [TEXTS[IDS.index(r)] for r in reps]
        assert len(set(texts)) == len(texts)


def test_representatives_skip_near_duplicates():
    texts = ["研修の予算がない"] * 4 + ["研修の予算が足りない", "予算の確保が難しい"]
    texts += ["異動で引継ぎができない"] * 3 + ["担当者の異動", "人事異動が多い"]
    ids = [f"r:{i:02d}" for i in range(len(texts))]
    toks = JapaneseTokenizer().tokenize_many(texts)
    res = discover_challenges(texts, toks, ids, k=2, seed=0, n_resamples=2)
    for _, row in res.clusters.iterrows():
        reps = row["representative_record_ids"].split()
        rep_texts = [texts[ids.index(r)] for r in reps]
        assert len(set(rep_texts)) == len(rep_texts) == 3


def test_deterministic_for_a_seed(tokens):
    coded = pd.DataFrame({"challenge": CODES})
    a = discover_challenges(TEXTS, tokens, IDS, seed=3, codebook=FakeCodebook(), coded=coded)
    b = discover_challenges(TEXTS, tokens, IDS, seed=3, codebook=FakeCodebook(), coded=coded)
    assert a.records.to_csv(index=False) == b.records.to_csv(index=False)
    assert a.clusters.to_csv(index=False) == b.clusters.to_csv(index=False)
    c = discover_challenges(TEXTS, tokens, IDS, seed=4, codebook=FakeCodebook(), coded=coded)
    assert list(c.clusters.columns) == CLUSTER_COLUMNS  # another seed may differ, but stays valid


def test_input_order_does_not_change_ids(tokens):
    order = np.random.default_rng(0).permutation(len(TEXTS))
    res = discover_challenges(
        [TEXTS[i] for i in order], [tokens[i] for i in order], [IDS[i] for i in order],
        k=3, seed=0, n_resamples=0,
    )
    assert res.clusters["cluster"].tolist() == [1, 2, 3]
    assert res.records["record_id"].tolist() == [IDS[i] for i in order]


def test_twenty_answers_without_codebook(tokens):
    res = discover_challenges(TEXTS[:20], tokens[:20], IDS[:20], seed=0)
    assert 2 <= res.k <= 5
    assert res.records["cluster"].notna().all() and len(res.records) == 20
    assert (res.records["cluster_label"].str.len() > 0).all()
    assert (res.clusters["challenge"] == "").all()  # nothing to map to: stays unnamed
    assert not res.k_selection.empty and res.k_selection["silhouette"].notna().any()


def test_fixed_k(tokens):
    for k in (2, 5):
        res = discover_challenges(TEXTS, tokens, IDS, k=k, seed=0, n_resamples=2)
        assert res.k == k
        assert res.k_selection.empty
    res = discover_challenges(
        TEXTS, tokens, IDS, k=2, seed=0, coded=pd.DataFrame({"challenge": CODES}), n_resamples=0
    )
    assert res.k == 2 and res.clusters["stability"].isna().all()


def test_tiny_and_invalid_inputs(tokens):
    res = discover_challenges(TEXTS[:2], tokens[:2], IDS[:2])
    assert res.k == 1 and len(res.records) == 2
    assert discover_challenges([], [], []).k == 0
    with pytest.raises(ValueError):
        discover_challenges(TEXTS[:2], tokens[:2], ["a", "a"])
    with pytest.raises(ValueError):
        discover_challenges(TEXTS, tokens, IDS, k=0)
    with pytest.raises(ValueError):
        discover_challenges(TEXTS, tokens[:3], IDS)


@pytest.mark.parametrize(
    ("term", "ok"),
    [("生成AI", True), ("ガイドライン", True), ("〔氏名〕", False), ("栗鼠", False), ("こと", False),
     ("する", False), ("の", False), ("2023", False), ("・", False), ("", False)],
)
def test_is_label_term(term, ok):
    assert is_label_term(term) is ok


# two clearly separated themes that no code covers, beside three coded ones
_GEN_AI = [
    f"生成AIの利用ガイドライン{x}" for x in
    ("がない", "を作りたい", "が必要", "の整備", "を検討中", "が未整備", "の改定", "づくり", "が急務", "の周知")
]
_CASHLESS = [
    f"商店街のキャッシュレス決済{x}" for x in
    ("の支援", "を広めたい", "が進まない", "の補助", "の説明会", "の普及", "に消極的", "の推進", "の手数料", "の相談")
]


def _two_theme_corpus():
    coded = [(t, c) for t, c in ANSWERS if c]
    rows = coded + [(t, "") for t in _GEN_AI] + [(t, "") for t in _CASHLESS]
    texts = [t for t, _ in rows]
    return texts, [c for _, c in rows], [f"r:{i:03d}" for i in range(len(rows))]


# two unrelated leftovers: fewer than a theme's minimum size (3), so they are noise
_NOISE = ["回答が遅れて申し訳ありません", "kintoneの全庁展開を進めています"]


def test_auto_k_two_separated_themes_plus_noise_go_to_miscellany():
    texts, codes, ids = _two_theme_corpus()
    texts, codes = texts + _NOISE, codes + [""] * len(_NOISE)
    ids = ids + [f"n:{i}" for i in range(len(_NOISE))]
    toks = JapaneseTokenizer().tokenize_many(texts)
    res = discover_challenges(
        texts, toks, ids, seed=0, codebook=FakeCodebook(), coded=pd.DataFrame({"challenge": codes}),
        n_resamples=3,
    )
    sel = res.k_selection
    assert list(sel.columns) == ["k", "free_clusters", "silhouette", "stability", "stability_mean"]
    assert len(sel) == 1 and sel["free_clusters"].iloc[0] == 2
    assert sel["stability"].iloc[0] >= 0.75
    by_id = res.records.set_index("record_id")["cluster"]
    gen_ai = {by_id[i] for i, t in zip(ids, texts, strict=True) if t in _GEN_AI}
    cashless = {by_id[i] for i, t in zip(ids, texts, strict=True) if t in _CASHLESS}
    noise = {by_id[i] for i, t in zip(ids, texts, strict=True) if t in _NOISE}
    assert len(gen_ai) == 1 and len(cashless) == 1 and gen_ai != cashless
    table = res.clusters.set_index("cluster")
    # each theme is pure: no leftover answer was pulled into it
    for theme in (gen_ai, cashless):
        assert table.loc[next(iter(theme)), "size"] == 10
        assert table.loc[next(iter(theme)), "challenge"] == ""
    assert noise == {table.index[table["label"] == MISC_LABEL][0]}
    assert res.k == 3 + 2 + 1


def test_two_themes_without_noise_have_no_miscellany():
    texts, codes, ids = _two_theme_corpus()
    toks = JapaneseTokenizer().tokenize_many(texts)
    res = discover_challenges(
        texts, toks, ids, seed=0, codebook=FakeCodebook(), coded=pd.DataFrame({"challenge": codes}),
        n_resamples=2,
    )
    assert res.k == 3 + 2
    assert MISC_LABEL not in set(res.clusters["label"])


def test_miscellany_cluster_is_explicit_and_unnamed(result):
    misc = result.clusters[result.clusters["label"] == MISC_LABEL]
    assert len(misc) <= 1
    if len(misc):
        assert misc["challenge"].iloc[0] == ""
        members = result.records[result.records["cluster"] == misc["cluster"].iloc[0]]
        # only answers the codebook left open end up there
        assert all(CODES[IDS.index(r)] == "" for r in members["record_id"])


def test_weakly_coded_answer_may_join_a_free_theme():
    texts, codes, ids = _two_theme_corpus()
    # a generative-AI answer that the codebook coded as budget_time from thin evidence
    texts = texts + ["生成AIの利用ガイドラインの予算"]
    codes = codes + ["budget_time"]
    ids = ids + ["w:0"]
    toks = JapaneseTokenizer().tokenize_many(texts)
    strong = pd.DataFrame({"challenge": codes, "challenge_score": 0.9})
    weak = strong.copy()
    weak.loc[len(weak) - 1, "challenge_score"] = 0.3
    kw = {"seed": 0, "codebook": FakeCodebook(), "n_resamples": 0}
    res_strong = discover_challenges(texts, toks, ids, coded=strong, **kw)
    res_weak = discover_challenges(texts, toks, ids, coded=weak, **kw)

    def cluster_challenge(res):
        table = res.clusters.set_index("cluster")
        return table.loc[res.records.set_index("record_id").loc["w:0", "cluster"], "challenge"]

    assert cluster_challenge(res_strong) == "budget_time"
    assert cluster_challenge(res_weak) == ""


def test_auto_k_one_theme_with_noise_keeps_one_free_cluster(tokens, result):
    # the module corpus: one uncoded theme (generative AI)
    sel = result.k_selection
    assert len(sel) == 1 and sel["free_clusters"].iloc[0] == 1
    assert sel["stability"].notna().all()


def test_place_words_and_generic_verbs_do_not_label():
    for term in ("町", "県", "市", "使う", "増える"):
        assert not is_label_term(term)
    assert is_label_term("自治体") and is_label_term("ChatGPT")


# a small, loose theme (three answers about parking) beside the two clear ones and some noise
_PARKING = ["庁舎の駐車場が狭い", "駐車場の台数が足りない", "来庁者の駐車場が混む"]
_LEFTOVERS = ["回答が遅れて申し訳ありません", "kintoneの全庁展開を進めています", "特に問題はありません"]


def _fold_corpus():
    texts, codes, ids = _two_theme_corpus()
    extra = _PARKING + _LEFTOVERS
    return texts + extra, codes + [""] * len(extra), ids + [f"x:{i}" for i in range(len(extra))]


def test_unstable_theme_is_folded_into_miscellany_and_stable_one_survives(monkeypatch):
    import rsnet_analysis.challenges.discover as ch

    texts, codes, ids = _fold_corpus()
    toks = JapaneseTokenizer().tokenize_many(texts)
    kw = {"seed": 0, "codebook": FakeCodebook(), "coded": pd.DataFrame({"challenge": codes}), "n_resamples": 10}
    before = discover_challenges(texts, toks, ids, **kw)
    by_id = before.records.set_index("record_id")["cluster"]
    table = before.clusters.set_index("cluster")
    parking = {by_id[i] for i, t in zip(ids, texts, strict=True) if t in _PARKING}
    gen_ai = {by_id[i] for i, t in zip(ids, texts, strict=True) if t in _GEN_AI}
    assert len(parking) == 1 and len(gen_ai) == 1
    parking_stab = table.loc[next(iter(parking)), "stability"]
    gen_ai_stab = table.loc[next(iter(gen_ai)), "stability"]
    assert ch.FOLD_STABILITY <= parking_stab < gen_ai_stab  # both kept at the default threshold

    # a threshold between the two: the parking theme is not reliable enough and is folded
    monkeypatch.setattr(ch, "FOLD_STABILITY", (parking_stab + gen_ai_stab) / 2)
    after = discover_challenges(texts, toks, ids, **kw)
    again = discover_challenges(texts, toks, ids, **kw)
    assert after.clusters.to_csv(index=False) == again.clusters.to_csv(index=False)
    assert after.records.to_csv(index=False) == again.records.to_csv(index=False)
    assert after.k == before.k - 1
    clusters = after.clusters
    assert list(clusters["cluster"]) == list(range(1, after.k + 1))
    assert clusters["size"].is_monotonic_decreasing and clusters["size"].sum() == len(texts)
    assert clusters["share"].sum() == pytest.approx(1.0, abs=1e-5)
    misc = clusters[clusters["label"] == MISC_LABEL]
    assert len(misc) == 1 and misc["challenge"].iloc[0] == ""
    misc_id = int(misc["cluster"].iloc[0])
    rec = after.records.set_index("record_id")
    assert {rec.loc[i, "cluster"] for i, t in zip(ids, texts, strict=True) if t in _PARKING} == {misc_id}
    assert (rec.loc[rec["cluster"] == misc_id, "cluster_label"] == MISC_LABEL).all()
    misc_members = set(rec.index[rec["cluster"] == misc_id])
    assert set(misc["representative_record_ids"].iloc[0].split()) <= misc_members
    assert misc["size"].iloc[0] == len(misc_members)
    # the stable theme survives, unchanged, with its stability
    new_gen_ai = {rec.loc[i, "cluster"] for i, t in zip(ids, texts, strict=True) if t in _GEN_AI}
    assert len(new_gen_ai) == 1 and new_gen_ai != {misc_id}
    row = clusters.set_index("cluster").loc[next(iter(new_gen_ai))]
    assert row["size"] == 10 and row["stability"] == gen_ai_stab and "生成AI" in row["label"]
    # named clusters are never folded
    assert set(clusters["challenge"]) - {""} == set(before.clusters["challenge"]) - {""}
    assert after.k_selection["free_clusters"].iloc[0] == before.k_selection["free_clusters"].iloc[0] - 1
    assert after.k_selection["stability"].iloc[0] >= ch.FOLD_STABILITY


def test_fold_creates_miscellany_when_absent():
    from rsnet_analysis.challenges.discover import _fold_unstable

    labels = np.array([1, 1, 2, 2, 3, 3, 4])
    stab = {1: 0.1, 2: 0.3, 3: 0.2, 4: 0.95}  # 1 is a seed (codebook) cluster: never folded
    folded, free, misc = _fold_unstable(labels, {2, 3, 4}, None, stab)
    assert misc == 5 and free == {4}
    assert folded.tolist() == [1, 1, 5, 5, 5, 5, 4]
    # nothing unstable, or no stability measured: nothing changes
    assert _fold_unstable(labels, {2}, None, {1: 0.9, 2: 0.6})[0] is labels
    assert _fold_unstable(labels, {2}, None, {1: float("nan"), 2: float("nan")})[2] is None
