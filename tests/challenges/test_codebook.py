"""Tests for the codebook: rule language, loading/validation, coding."""

from __future__ import annotations

import numpy as np
import pytest

from rsnet_analysis.challenges import (
    Codebook,
    RuleSyntaxError,
    parse_rule,
    score_records,
)
from rsnet_analysis.challenges.coding import LONG_ANSWER_TOKENS
from rsnet_analysis.challenges.rules import And, Near, Not, Or, Text, Word
from rsnet_analysis.errors import InputError, RsnetError

KEYS = [
    "polarization",
    "program_design",
    "motivation",
    "retention",
    "kpi",
    "turnover",
    "know_how",
    "sme_support",
    "citizen_reskilling",
    "budget_time",
    "buy_in",
]


# --- rule parser ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("研修", Word("研修")),
        ("DX", Word("dx")),
        ('"e-ラーニング"', Word("e-ラーニング")),
        ('text:"ついていけない"', Text("ついていけない")),
        ("text:ついていけない", Text("ついていけない")),
        ("a & b", And((Word("a"), Word("b")))),
        ("a and b", And((Word("a"), Word("b")))),
        ("a | b", Or((Word("a"), Word("b")))),
        ("a or b", Or((Word("a"), Word("b")))),
        ("!a", Not(Word("a"))),
        ("not a", Not(Word("a"))),
        # precedence: not > and > or
        ("a | b & c", Or((Word("a"), And((Word("b"), Word("c")))))),
        ("!a & b", And((Not(Word("a")), Word("b")))),
        ("(a | b) & c", And((Or((Word("a"), Word("b"))), Word("c")))),
        ("near(得意, 苦手, 5)", Near("得意", "苦手", 5)),
        ('near(a,b,3) | !text:"x"', Or((Near("a", "b", 3), Not(Text("x"))))),
        ("near", Word("near")),
        ("text", Word("text")),
    ],
)
def test_parse_rule(rule: str, expected: object) -> None:
    assert parse_rule(rule) == expected


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("", "空"),
        ("a &", "途中"),
        ("(a | b", "')'"),
        ("a b", "演算子"),
        ("near(a, b)", "','"),
        ("near(a, b, x)", "距離"),
        ('text:"abc', "閉じる"),
        ("a & | b", "不正"),
        ("a )", "演算子"),
        ('""', "空の文字列"),
    ],
)
def test_parse_rule_errors(rule: str, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as exc:
        parse_rule(rule)
    assert fragment in str(exc.value)
    assert repr(rule) in str(exc.value)
    assert isinstance(exc.value, RsnetError)


def _score(rule: str, texts: list[str], tokens: list[list[str]]) -> list[bool]:
    cb = Codebook.from_dict(
        {"version": 1, "challenges": {"x": {"name": "X", "rules": [{"rule": rule, "weight": 1}]}}}
    )
    return [bool(v) for v in score_records(texts, tokens, cb).scores[:, 0] > 0]


def test_rule_evaluation_semantics() -> None:
    texts = ["得意な人と苦手な人", "苦手", "研修プログラムを組む", "ついていけない職員", "Aaa DX"]
    tokens = [
        ["得意", "人", "苦手", "人"],
        ["苦手"],
        ["研修プログラム", "組む"],
        ["職員"],
        ["aaa", "DX"],
    ]
    assert _score("得意 & 苦手", texts, tokens) == [True, False, False, False, False]
    assert _score("得意 | 組む", texts, tokens) == [True, False, True, False, False]
    assert _score("苦手 & !得意", texts, tokens) == [False, True, False, False, False]
    # a word matches inside a compound token; one-character words only whole tokens
    assert _score("研修", texts, tokens) == [False, False, True, False, False]
    assert _score("人", texts, tokens) == [True, False, False, False, False]
    # text: is a substring of the text, not of tokens
    assert _score('text:"ついていけ"', texts, tokens) == [False, False, False, True, False]
    assert _score("ついていけ", texts, tokens) == [False] * 5
    # case-insensitive
    assert _score("dx", texts, tokens) == [False, False, False, False, True]
    assert _score('text:"aaa dx"', texts, tokens) == [False, False, False, False, True]
    # near counts token distance
    assert _score("near(得意, 苦手, 2)", texts, tokens)[0] is True
    assert _score("near(得意, 人, 1)", texts, tokens)[0] is True
    assert _score("near(得意, 苦手, 1)", texts, tokens)[0] is False


# --- loading and validation ----------------------------------------------------------------


def test_shipped_codebook_has_the_eleven_keys() -> None:
    cb = Codebook.load()
    assert cb.keys == KEYS
    assert cb.version >= 1
    assert cb.updated
    for c in cb.challenges:
        assert c.name and c.short and c.description
        assert len(c.terms) >= 10
        assert c.rules
    assert cb.name("polarization") == "人材の二極化"
    assert cb.name("") == ""
    assert cb.name("generative_ai") == "generative_ai"


def _write(tmp_path, text: str):
    p = tmp_path / "cb.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_user_codebook(tmp_path) -> None:
    p = _write(
        tmp_path,
        "version: 2\nupdated: 2025-01-01\nsettings:\n  min_score: 1\nchallenges:\n"
        "  ai_rules:\n    name: 生成AIのルール\n    terms: [生成AI, {ガイドライン: 2}]\n"
        "    rules: ['生成AI & (ルール | 規程)']\n",
    )
    cb = Codebook.load(p)
    assert cb.version == 2 and cb.keys == ["ai_rules"] and cb.settings.min_score == 1.0
    assert cb.challenge("ai_rules").terms == (("生成ai", 1.0), ("ガイドライン", 2.0))
    assert cb.short("ai_rules") == "生成AIのルール"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("version: 1\nchallenges: [a, b\n", ["cb.yaml", "YAML"]),
        ("- a\n- b\n", ["cb.yaml", "マッピング"]),
        ("challenges: {x: {name: X, terms: [a]}}\n", ["version"]),
        ("version: 1\nchallenges: {}\n", ["challenges"]),
        ("version: 1\nfoo: 1\nchallenges: {x: {name: X, terms: [a]}}\n", ["foo"]),
        ("version: 1\nchallenges: {x: {name: X, term: [a]}}\n", ["課題 x", "term"]),
        ("version: 1\nchallenges: {x: {terms: [a]}}\n", ["課題 x", "name"]),
        ("version: 1\nchallenges: {x: {name: X}}\n", ["課題 x", "terms"]),
        ("version: 1\nchallenges: {Bad-Key: {name: X, terms: [a]}}\n", ["Bad-Key"]),
        ("version: 1\nchallenges: {x: {name: X, terms: {a: many}}}\n", ["重み", "x"]),
        (
            "version: 1\nsettings: {min_scor: 1}\nchallenges: {x: {name: X, terms: [a]}}\n",
            ["min_scor"],
        ),
        (
            "version: 1\nchallenges: {kpi: {name: X, rules: ['(目標 | 指標 & 設定']}}\n",
            ["cb.yaml", "課題 kpi", "(目標 | 指標 & 設定", "')'"],
        ),
        (
            "version: 1\nchallenges: {kpi: {name: X, rules: [{rule: a, wieght: 2}]}}\n",
            ["kpi", "weight"],
        ),
    ],
)
def test_codebook_validation_messages(tmp_path, text: str, fragments: list[str]) -> None:
    with pytest.raises(InputError) as exc:
        Codebook.load(_write(tmp_path, text))
    for fragment in fragments:
        assert fragment in str(exc.value)


def test_missing_codebook_file(tmp_path) -> None:
    with pytest.raises(InputError, match="見つかりません"):
        Codebook.load(tmp_path / "nope.yaml")


# --- coding ----------------------------------------------------------------------------------

GOLDEN = [
    ("ITに詳しい職員と苦手な職員の差がどんどん広がっている。", "polarization"),
    ("年配の職員が新しいシステムについていけず、若手に頼りきりになっている。", "polarization"),
    ("パソコンが得意な人とそうでない人で、仕事のスピードに大きな開きがある。", "polarization"),
    (
        "階層別にどんな研修を用意すればいいのか、カリキュラムの組み方に悩んでいる。",
        "program_design",
    ),
    ("基礎から応用までどういう順序で研修を組み立てるべきか決められない。", "program_design"),
    ("研修に手を挙げる職員が少なく、いつも同じ顔ぶれになってしまう。", "motivation"),
    ("職員のやる気をどう引き出すか。受け身の姿勢が変わらない。", "motivation"),
    ("学ぶ意欲を高めるインセンティブがなく、自分ごとにしてもらえない。", "motivation"),
    ("研修を受けても現場で活かされず、しばらくすると忘れてしまう。", "retention"),
    ("研修が一過性で終わってしまい、学びが定着しない。", "retention"),
    ("受講後のフォローアップの仕組みがなく、学び続ける人がほとんどいない。", "retention"),
    ("人材育成の成果を何で測ればよいのか、KPIの設定に悩んでいる。", "kpi"),
    ("研修の効果測定の方法がわからず、議会に費用対効果を説明できない。", "kpi"),
    ("担当者が2~3年で異動するため、ノウハウが引き継がれない。", "turnover"),
    ("人事異動のたびに一からやり直しで、前任からの引継ぎも十分ではない。", "turnover"),
    ("DXを何から始めればよいのか分からず、手探りの状態が続いている。", "know_how"),
    ("先進自治体の進め方を参考にしたいが、具体的な情報が少ない。", "know_how"),
    ("地元の中小企業のDXを支援したいが、経営者の関心が低い。", "sme_support"),
    ("商工会と連携して小規模事業者のデジタル化を後押ししたい。", "sme_support"),
    ("市民向けのリスキリング講座を開いても参加者が集まらない。", "citizen_reskilling"),
    ("子育て中の女性や求職者がデジタルスキルを学び直せる機会を増やしたい。", "citizen_reskilling"),
    ("研修に充てる予算がつかず、外部講師を呼べない。", "budget_time"),
    ("通常業務が多忙で、研修を受ける時間が取れない。", "budget_time"),
    ("幹部の理解が得られず、全庁的な取り組みにならない。", "buy_in"),
    ("DXは情報政策課の仕事だと思われていて、他部署を巻き込めない。", "buy_in"),
    ("首長や管理職の関心が薄く、庁内に温度差がある。", "buy_in"),
]

UNNAMED = [
    "生成AIの利用ガイドラインをどう作るか検討しています。",
    "ネットワークに参加できてよかったです。今後ともよろしくお願いします。",
    "特に困っていることはありません。",
    "〔氏名〕です。連絡先は〔メール〕までお願いします。",
]


@pytest.fixture(scope="module")
def tokenize():
    """The project tokenizer, or fugashi lemmas as a stand-in; skip if neither is available."""
    try:
        from rsnet_analysis.text import JapaneseTokenizer

        return JapaneseTokenizer()
    except Exception:  # noqa: BLE001 - any failure means: use the stand-in
        pass
    fugashi = pytest.importorskip("fugashi")
    try:
        tagger = fugashi.Tagger()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no MeCab dictionary: {exc}")

    def lemmas(text: str) -> list[str]:
        return [
            (w.feature.lemma or w.surface).split("-")[0]
            for w in tagger(text)
            if w.feature.pos1 in ("名詞", "動詞", "形容詞", "形状詞")
        ]

    return lemmas


def _evidence(tokenize, texts: list[str]):
    return score_records(texts, [tokenize(t) for t in texts], Codebook.load())


@pytest.mark.parametrize(("text", "key"), GOLDEN)
def test_golden_rule_evidence(tokenize, text: str, key: str) -> None:
    rs = _evidence(tokenize, [text])
    best = int(rs.scores[0].argmax())
    assert rs.keys[best] == key, rs.matched[0][best]
    assert rs.scores[0, best] >= Codebook.load().settings.min_score
    assert rs.matched[0][best], "the matched terms and rules are the reason shown"


def test_golden_evidence_in_a_corpus(tokenize) -> None:
    texts = [t for t, _ in GOLDEN] + UNNAMED
    rs = _evidence(tokenize, texts)
    best = [rs.keys[j] for j in rs.scores.argmax(axis=1)]
    assert best[: len(GOLDEN)] == [k for _, k in GOLDEN]
    min_score = Codebook.load().settings.min_score
    assert (rs.scores[len(GOLDEN) :].max(axis=1) < min_score).all()


@pytest.mark.parametrize("text", UNNAMED)
def test_unnamed_has_no_strong_evidence(tokenize, text: str) -> None:
    rs = _evidence(tokenize, [text])
    assert rs.scores[0].max() < Codebook.load().settings.min_score


def test_several_challenges_in_one_answer(tokenize) -> None:
    text = "予算も時間もなく、幹部の理解も得られない。担当者も2年で異動してしまう。"
    rs = _evidence(tokenize, [text])
    strong = {rs.keys[j] for j in np.flatnonzero(rs.scores[0] >= Codebook.load().settings.min_score)}
    assert {"budget_time", "buy_in", "turnover"} <= strong


def test_the_evidence_of_a_long_answer_is_scaled_by_its_length(tokenize) -> None:
    short = "予算も時間もなく、幹部の理解も得られない。"
    filler = "地域の公園の清掃活動について、季節ごとの参加者の様子を詳しく書きます。"
    texts = [short, short + filler * 12]
    tokens = [tokenize(t) for t in texts]
    book = Codebook.load()
    raw = score_records(texts, tokens, book).scores
    scaled = score_records(texts, tokens, book, long_answer_tokens=LONG_ANSWER_TOKENS)
    assert len(tokens[0]) <= LONG_ANSWER_TOKENS < len(tokens[1])
    np.testing.assert_array_equal(scaled.scores[0], raw[0])  # a sentence or two: in full
    np.testing.assert_allclose(scaled.scores[1], raw[1] * np.sqrt(LONG_ANSWER_TOKENS / len(tokens[1])))
    assert raw[1].max() == raw[0].max() > scaled.scores[1].max()  # the same words, said in passing
    assert scaled.matched == score_records(texts, tokens, book).matched  # the reasons stay
    for bad in (0, -5):
        with pytest.raises(ValueError, match="long_answer_tokens"):
            score_records(texts, tokens, book, long_answer_tokens=bad)


def test_deterministic(tokenize) -> None:
    texts = [t for t, _ in GOLDEN]
    a, b = _evidence(tokenize, texts), _evidence(tokenize, texts)
    assert np.array_equal(a.scores, b.scores) and a.matched == b.matched


def test_empty_and_mismatched_inputs() -> None:
    rs = score_records([], [], Codebook.load())
    assert rs.scores.shape == (0, len(Codebook.load().keys))
    with pytest.raises(InputError):
        score_records(["a"], [], Codebook.load())


def test_matched_terms_read_like_a_list_of_lists_but_store_only_matches() -> None:
    from rsnet_analysis.challenges.coding import MatchedTerms

    matched = MatchedTerms(3, 2, {1: {0: ["研修", "講師"]}})
    as_lists = [[[], []], [["研修", "講師"], []], [[], []]]
    assert len(matched) == 3 and list(matched) == as_lists and matched == as_lists
    assert matched[-2][0] == ["研修", "講師"] and matched[0:2] == as_lists[0:2]
    with pytest.raises(IndexError):
        matched[3]


def test_matched_pairs_list_only_the_matches_in_order() -> None:
    from rsnet_analysis.challenges.coding import MatchedTerms

    matched = MatchedTerms(4, 3, {2: {1: ["b"], 0: ["a"]}, 0: {2: ["c", "d"]}})
    assert list(matched.pairs()) == [(0, 2, ["c", "d"]), (2, 0, ["a"]), (2, 1, ["b"])]
    expected = [(i, j, cell) for i, row in enumerate(matched) for j, cell in enumerate(row) if cell]
    assert list(matched.pairs()) == expected


@pytest.mark.parametrize(
    "substring",
    ["ついていけ", "いけな", "職員", "員", "DX", "aaa d", "人と苦", "けない職", "ないつ", "手得", "😀x", "x😀", "#人", "ABC"],
)
def test_text_rules_match_exactly_where_the_substring_occurs(substring: str) -> None:
    """A substring whose neighbouring characters never meet in the corpus is skipped without a scan; no other is."""
    texts = ["得意な人と苦手な人", "苦手", "ついていけない職員", "Aaa DX", "😀x絵文字", "#人の参加"]
    tokens = [[] for _ in texts]
    expected = [substring.casefold() in t.casefold() for t in texts]
    assert _score(f'text:"{substring}"', texts, tokens) == expected
