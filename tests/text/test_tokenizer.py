"""Tests for rsnet_analysis.tokenize (golden table pinned to unidic-lite 1.0.8)."""

from __future__ import annotations

import copy
import csv
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from rsnet_analysis.text import (
    JapaneseTokenizer,
    Token,
    load_domain_terms,
    load_stopwords,
    unidic_lite_version,
)

GOLDEN_VERSION = "1.0.8"
GOLDEN_FILE = Path(__file__).parent / "golden" / f"tokenize_unidic-lite-{GOLDEN_VERSION}.tsv"


def _golden_rows() -> list[tuple[str, str, list[str]]]:
    with GOLDEN_FILE.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    assert header == ["id", "text", "expected"]
    return [(r[0], r[1], r[2].split(" | ") if len(r) > 2 and r[2] else []) for r in body]


GOLDEN = _golden_rows()
needs_pinned_dictionary = pytest.mark.skipif(
    unidic_lite_version() != GOLDEN_VERSION,
    reason=f"golden tokens are pinned to unidic-lite {GOLDEN_VERSION}; installed: {unidic_lite_version()}",
)


@pytest.fixture(scope="module")
def tok() -> JapaneseTokenizer:
    return JapaneseTokenizer()


def test_golden_table_is_large_enough() -> None:
    assert len(GOLDEN) >= 45


@needs_pinned_dictionary
@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in GOLDEN], ids=[i for i, _, _ in GOLDEN])
def test_golden(tok: JapaneseTokenizer, text: str, expected: list[str]) -> None:
    assert tok(text) == expected


@pytest.mark.parametrize(
    "text",
    ["リスキリング", "リスキリングを推進する", "市民へのリスキリング機会", "リスキルとリ・スキリング", "学び直し"],
)
def test_reskilling_is_one_token_and_no_squirrel(tok: JapaneseTokenizer, text: str) -> None:
    tokens = tok(text)
    assert "リスキリング" in tokens
    assert not any("栗鼠" in t or t in ("リス", "キリング") for t in tokens)
    assert not any("栗鼠" in t.lemma for t in tok.analyze(text))


@pytest.mark.parametrize(
    "variant", ["DX", "ＤＸ", "dx", "Dx", "デジタルトランスフォーメーション", "デジタル・トランスフォーメーション"]
)
def test_dx_variants(tok: JapaneseTokenizer, variant: str) -> None:
    assert tok(f"{variant}を進める") == ["DX", "進める"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("人財育成に力を入れる", "人材育成"),
        ("人財の確保", "人材"),
        ("生成ＡＩの活用", "生成AI"),
        ("ジェネレーティブAIの活用", "生成AI"),
        ("キントーンで作る", "kintone"),
        ("Ｅラーニングで学ぶ", "eラーニング"),
        ("e-ラーニングで学ぶ", "eラーニング"),
        ("引継が難しい", "引き継ぎ"),
        ("ＫＰＩの設定", "KPI"),
        ("powerbiで可視化", "Power BI"),
    ],
)
def test_spelling_variants_merge(tok: JapaneseTokenizer, text: str, term: str) -> None:
    assert term in tok(text)


def test_latin_terms_only_at_word_boundaries(tok: JapaneseTokenizer) -> None:
    assert "AI" not in tok("OpenAIの製品")
    assert tok("AIとRPA") == ["AI", "RPA"]


def test_compounds(tok: JapaneseTokenizer) -> None:
    assert tok("人材育成") == ["人材育成"]
    assert tok("情報政策課") == ["情報政策課"]
    assert JapaneseTokenizer(join_compounds=False)("情報政策課") == ["情報", "政策", "課"]
    # runs longer than max_compound stay separate words
    assert len(JapaneseTokenizer(max_compound=2)("庁内業務改善計画")) > 1


def test_no_placeholders_stopwords_numerals(tok: JapaneseTokenizer) -> None:
    stop = load_stopwords()
    for _, text, _ in GOLDEN:
        for t in tok(text + "〔氏名〕〔メール〕〔電話〕〔所属〕123件、２０２４年。"):
            assert t
            assert t not in stop
            assert "〔" not in t and "〕" not in t
            assert t not in ("氏名", "メール", "電話")
            assert not re.fullmatch(r"[\d０-９.,]+", t)
    assert tok("〔氏名〕") == []
    assert tok("課題は今後のことです") == []


def test_analyze_matches_call(tok: JapaneseTokenizer) -> None:
    for _, text, _ in GOLDEN:
        tokens = tok.analyze(text)
        assert all(isinstance(t, Token) and t.surface and t.pos for t in tokens)
        assert [t.lemma for t in tokens if t.keep] == tok(text)


@pytest.mark.parametrize("params", [{}, {"join_compounds": False}, {"max_compound": 2}, {"pos": ("名詞", "動詞")}])
def test_token_pos_is_the_part_of_speech_analyze_gives(params: dict) -> None:
    """The fast pass tags each term as the reference pass does (the cached ``token_pos``)."""
    tok = JapaneseTokenizer(**params)
    for _, text, _ in GOLDEN:
        tagged = tok.tag(text + " 〔氏名〕さんとkintoneを導入し、DX推進。庁内業務改善計画。")
        tags: list[str] = []
        terms = tok.tokenize_tagged(tagged, [(0, 2)], token_pos=tags)
        reference = [(t.lemma, t.pos) for t in tok.analyze_tagged(tagged, [(0, 2)]) if t.keep]
        assert list(zip(terms, tags, strict=True)) == reference


def test_token_pos_example(tok: JapaneseTokenizer) -> None:
    tags: list[str] = []
    assert tok.tokenize_tagged(tok.tag("新しい研修を企画したい。大事です。"), token_pos=tags) == ["新しい", "研修", "企画", "大事"]
    assert tags == ["形容詞", "名詞", "名詞", "形状詞"]


def test_analyze_lemma_fallback_for_unknown_words(tok: JapaneseTokenizer) -> None:
    tokens = JapaneseTokenizer(use_builtin_terms=False).analyze("ZyxwvツールをQqq導入")
    assert [t.lemma for t in tokens if t.keep][:1] == ["Zyxwv"]
    assert all(t.lemma for t in tokens)


def test_determinism(tok: JapaneseTokenizer) -> None:
    texts = [t for _, t, _ in GOLDEN]
    assert tok.tokenize_many(texts) == JapaneseTokenizer().tokenize_many(texts) == [tok(t) for t in texts]


def test_tokenize_many_equals_one_call_per_text_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import rsnet_analysis.text.tokenizer as tokenizer_module

    texts = [t for _, t, _ in GOLDEN][:20] + ["", " ", "a\x1fb", "ＡＩ\x00研修", "〔氏名〕の研修"]
    expected = [JapaneseTokenizer()(t) for t in texts]
    monkeypatch.setattr(tokenizer_module, "BATCH", 3)  # batches of 3 and a last one of 1
    assert JapaneseTokenizer().tokenize_many(iter(texts)) == expected
    assert JapaneseTokenizer().tokenize_many([]) == []
    with pytest.raises(TypeError, match="expects str"):
        JapaneseTokenizer().tokenize_many(["研修", None])  # type: ignore[list-item]


@pytest.mark.parametrize("used", [False, True])
def test_pickle_deepcopy_clone(used: bool) -> None:
    tok = JapaneseTokenizer(stopwords=["庁内"], domain_terms={"スマート自治体": "スマート自治体"})
    text = "庁内でスマート自治体とリスキリングを進める"
    expected = ["スマート自治体", "リスキリング", "進める"]
    if used:
        assert tok(text) == expected
    for other in (pickle.loads(pickle.dumps(tok)), copy.deepcopy(tok)):
        assert "_state" not in other.__dict__
        assert other(text) == expected
    vec = TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False)
    cloned = clone(vec)
    assert cloned.tokenizer(text) == expected
    assert clone(tok).get_params() == tok.get_params()


def test_tfidf_and_pipeline() -> None:
    texts = [t for _, t, _ in GOLDEN if t != "特になし"]
    vec = TfidfVectorizer(tokenizer=JapaneseTokenizer(), token_pattern=None, lowercase=False)
    X = vec.fit_transform(texts)
    names = set(vec.get_feature_names_out())
    assert X.shape[0] == len(texts)
    assert {"リスキリング", "DX", "人材育成", "生成AI"} <= names
    assert "栗鼠" not in names
    pipe = make_pipeline(TfidfVectorizer(tokenizer=JapaneseTokenizer(), token_pattern=None, lowercase=False), Normalizer())
    out = pickle.loads(pickle.dumps(pipe.fit(texts))).transform(texts[:3])
    assert out.shape[0] == 3


def test_user_domain_terms_extend_dictionary(tmp_path: Path) -> None:
    text = "スマート自治体の実現とリスキリング"
    assert "スマート自治体" not in JapaneseTokenizer()(text)
    path = tmp_path / "terms.tsv"
    path.write_text("variant\tcanonical\tnote\nスマート自治体\tスマート自治体\ttest\nすまーと自治体\tスマート自治体\t\n", encoding="utf-8")
    for terms in (path, str(path), {"スマート自治体": "スマート自治体"}):
        tokens = JapaneseTokenizer(domain_terms=terms)(text)
        assert tokens[0] == "スマート自治体"
        assert "リスキリング" in tokens  # shipped dictionary still applies
    assert load_domain_terms(path)["すまーと自治体"] == "スマート自治体"
    assert JapaneseTokenizer(domain_terms=path, use_builtin_terms=False)("リスキリング") != ["リスキリング"]


def test_shipped_resources() -> None:
    terms = load_domain_terms()
    assert len(terms) >= 50
    assert terms["リスキリング"] == "リスキリング" and terms["人財"] == "人材"
    assert {"こと", "課題", "事"} <= load_stopwords()


def test_extra_stopwords_and_pos() -> None:
    assert "研修" not in JapaneseTokenizer(stopwords=["研修"])("研修を受ける")
    assert JapaneseTokenizer(pos=("名詞",))("研修を受ける") == ["研修"]


def test_rejects_non_str(tok: JapaneseTokenizer) -> None:
    with pytest.raises(TypeError):
        tok(None)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    tokens = _PROPERTY_TOK(text)
    assert isinstance(tokens, list)
    assert all(isinstance(t, str) and t for t in tokens)
    assert [t.lemma for t in _PROPERTY_TOK.analyze(text) if t.keep] == tokens
    tagged, tags = _PROPERTY_TOK.tag(text), []
    terms = _PROPERTY_TOK.tokenize_tagged(tagged, token_pos=tags)
    assert list(zip(terms, tags, strict=True)) == [(t.lemma, t.pos) for t in _PROPERTY_TOK.analyze_tagged(tagged) if t.keep]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["リスキリング", "ＤＸ", "〔氏名〕", " ", "の", "研修", "a", "1", "\n", "課"]), max_size=12))
def test_domain_fragments_never_crash(parts: list[str]) -> None:
    tokens = _PROPERTY_TOK("".join(parts))
    assert all(t and "〔" not in t for t in tokens)


_PROPERTY_TOK = JapaneseTokenizer()


# The pre-pass regex holds two tries (terms that start with a cased letter, and the others); these
# results were pinned with the single-trie regex it replaced.
_MIXED_TERMS = {"人材DX": "人材DX", "DX人材": "DX人材", "ｋｐｉ管理": "KPI管理", "〔注〕": "注記", "ſaaS": "SaaS", "kpi": "KPI"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("人材DXとDX人材", ["人材DX", "DX人材"]),
        ("人材dxの推進", ["人材DX", "推進"]),
        ("KPI管理とkpi", ["KPI", "管理", "KPI"]),
        ("〔注〕の扱い", ["扱い"]),  # a placeholder before a term that looks like one
        ("SAAS導入", ["SaaS", "導入"]),  # ſ matches s case-insensitively
        ("ｓａａｓ導入", ["SaaS", "導入"]),
        ("OpenAIとAI活用", ["OpenAI", "AI", "活用"]),
        ("人材育成とDX推進", ["人材育成", "DX推進"]),
        ("KPIs", ["KPIs"]),
        ("人材Dx人材", ["人材DX", "人材"]),
    ],
)
def test_domain_terms_with_and_without_case(text: str, expected: list[str]) -> None:
    assert JapaneseTokenizer(domain_terms=_MIXED_TERMS)(text) == expected


_CACHE_EXAMPLES = [
    "リスキリング研修を始めた",
    "ＤＸ推進とＡＩ活用",
    "ｋｉｎｔｏｎｅとqwertyを導入",
    "ﾃﾞｼﾞﾀﾙ人材の育成に取り組む",
    "3 回の研修と〔氏名〕さんの情報政策課",
    "人財育成、再チャレンジ、未活用の業務効率化",
    "kintone導入 と Power BI",
]


def _uncached(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str], list[str]]:
    """A new tokenizer's first pass over a text, on a new tagger that walks MeCab's nodes (no cache is warm)."""
    import rsnet_analysis.text.classify as classify_module
    from rsnet_analysis.text.tagger import MorphTagger

    with monkeypatch.context() as m:
        m.setattr(classify_module, "shared_tagger", lambda: MorphTagger(via_parse=False))
        tok = JapaneseTokenizer()
        lemmas: list[str] = []
        token_pos: list[str] = []
        tokens = tok.tokenize_tagged(tok.tag(text), lemmas=lemmas, token_pos=token_pos)
    return tokens, lemmas, token_pos


def test_warm_and_small_caches_give_the_uncached_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import rsnet_analysis.text.classify as classify_module
    import rsnet_analysis.text.tagger as tagger_module

    expected = [_uncached(t, monkeypatch) for t in _CACHE_EXAMPLES]
    assert expected[0][0] == ["リスキリング", "研修"]
    assert expected[1][0] == ["DX推進", "AI", "活用"]
    assert expected[2][0] == ["kintone", "qwerty", "導入"]
    monkeypatch.setattr(classify_module, "MAX_SURFACE_CACHE", 2)
    monkeypatch.setattr(tagger_module, "MAX_UNKNOWN_KEYS", 2)
    tok = JapaneseTokenizer()
    for _ in range(3):  # cold, then warm caches that are emptied again and again
        for text, want in zip(_CACHE_EXAMPLES, expected, strict=True):
            lemmas: list[str] = []
            token_pos: list[str] = []
            assert (tok.tokenize_tagged(tok.tag(text), lemmas=lemmas, token_pos=token_pos), lemmas, token_pos) == want
            assert tok(text) == want[0]


def test_lemmas_of_unknown_words_do_not_depend_on_the_order_of_texts() -> None:
    # every unknown noun has the same feature string: a cached choice made on the first one seen
    # (a radical without a letter) used to drop the lemma of every later unknown noun
    def lemmas_in_order(texts: list[str]) -> dict[str, list[str]]:
        tok = JapaneseTokenizer()
        out = {}
        for text in texts:
            lemmas: list[str] = []
            tok.tokenize_tagged(tok.tag(text), lemmas=lemmas)
            out[text] = lemmas
        return out

    texts = ["⺀⺀の件", "qwertyを導入"]
    first, second = lemmas_in_order(texts), lemmas_in_order(texts[::-1])
    assert first == second
    assert first["qwertyを導入"] == ["qwerty", "導入"]
    assert first["⺀⺀の件"] == ["件"]
