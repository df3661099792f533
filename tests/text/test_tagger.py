"""The shared MeCab pass: the fast path (MeCab's output string) equals walking fugashi's nodes."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsnet_analysis.text import JapaneseTokenizer, unidic_lite_version
from rsnet_analysis.text.tagger import MorphTagger

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_VERSION = "1.0.8"
FAST = MorphTagger()
NODES = MorphTagger(via_parse=False)

TRICKY = [
    "",
    " ",
    "  東京 ",
    "\t東京\n\nです",
    "東京\u3000都庁",
    "a\x1fb",  # the separator of MeCab's output: walked node by node
    "a\x1eb",
    "東京\x00です",
    "\ud800孤立サロゲート",
    "a\x00\ud800b",  # both: replaced one for one
    "\ud800\x1f東京",
    "研修 ",  # white space after the last morpheme only
    "人材 育成\tと\x0bDX 推進  の  研修",  # MeCab's white space between morphemes: offsets shifted
    "\n\n研修\n \n",
    "人材\xa0育成\u2003研修\r\n",  # white space for Python, morphemes for MeCab
    "方の方が上手な上手",  # homographs: one surface, several dictionary entries
    "ＡＩとｶﾀｶﾅと😀",
    "〔氏名〕です。",
    "kintoneとPower BIとe-ラーニング",
    ",,,、、、",
    "2024年4月1日（月）10:00〜12:00",
]


def _golden_texts(name: str) -> list[list[str]]:
    with (GOLDEN_DIR / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r and not r[0].startswith("#")]
    return rows[1:]


GOLDEN = [r[1] for r in _golden_texts(f"tokenize_unidic-lite-{GOLDEN_VERSION}.tsv")]


def _same(text: str) -> None:
    fast, nodes = FAST.tag(text), NODES.tag(text)
    assert fast == nodes
    assert [FAST.feature(f) for f in fast.features] == [NODES.feature(f) for f in nodes.features]


@pytest.mark.parametrize("text", TRICKY + GOLDEN)
def test_fast_tagging_equals_walking_the_nodes(text: str) -> None:
    _same(text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("東京都の方上手な人材育成、。 \t\nａAＩ1１〔〕ーｰ-\x1f\x00😀")), max_size=30))
def test_fast_tagging_equals_walking_the_nodes_on_any_text(text: str) -> None:
    _same(text)


def test_tag_many_equals_tagging_one_text_at_a_time() -> None:
    texts = TRICKY + GOLDEN + TRICKY  # repeated texts, fallbacks (U+001F, NUL, surrogates) among them
    assert MorphTagger().tag_many(texts) == [NODES.tag(t) for t in texts]
    assert FAST.tag_many([]) == []


def test_texts_tagged_ahead_are_looked_up_inside_the_block_only() -> None:
    tagger = MorphTagger()
    ahead = ["人材育成の研修", "東京\x00です", "a\x1fb", "人材育成の研修"]
    with tagger.ahead(ahead):
        first = tagger.tag("人材育成の研修")
        assert tagger.tag("人材育成の研修") is first  # a lookup
        assert tagger.tag("研修の定着") == NODES.tag("研修の定着")  # not ahead: tagged as usual
        with tagger.ahead(["研修の定着"]):
            assert tagger.tag("研修の定着") is tagger.tag("研修の定着")
        assert tagger.tag("人材育成の研修") is first  # the outer block's texts are back
        assert [tagger.tag(t) for t in ahead] == [NODES.tag(t) for t in ahead]
    assert tagger.tag("人材育成の研修") is not first
    assert tagger.tag("人材育成の研修") == first


def test_the_texts_tagged_ahead_are_dropped_when_the_block_fails() -> None:
    tagger = MorphTagger()
    with pytest.raises(RuntimeError), tagger.ahead(["研修"]):
        raise RuntimeError
    assert tagger._ahead == {}


def test_tagger_pickles_without_its_state() -> None:
    tagger = MorphTagger()
    tagger.tag("人材育成")
    clone = pickle.loads(pickle.dumps(tagger))
    assert clone.tag("人材育成") == tagger.tag("人材育成")
    assert repr(pickle.loads(pickle.dumps(NODES))) == "MorphTagger(via_parse=False)"


@pytest.mark.skipif(unidic_lite_version() != GOLDEN_VERSION, reason="lemmas are pinned to unidic-lite 1.0.8")
@pytest.mark.parametrize(("text", "expected"), [(r[1], r[2]) for r in _golden_texts("lemmas_unidic-lite-1.0.8.tsv")])
def test_golden_lemmas(text: str, expected: str) -> None:
    tok = JapaneseTokenizer()
    lemmas: list[str] = []
    tok.tokenize_tagged(tok.tag(text), lemmas=lemmas)
    assert lemmas == (expected.split(" | ") if expected else [])


def test_unknown_word_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import rsnet_analysis.text.tagger as tagger_module

    monkeypatch.setattr(tagger_module, "MAX_UNKNOWN_KEYS", 5)
    tagger = MorphTagger()
    words = [f"ｘｙｚ{chr(0x61 + i)}{chr(0x61 + j)}qq" for i in range(6) for j in range(6)]
    for word in words:
        text = f"{word}と{word[::-1]}の導入"
        assert tagger.tag(text) == NODES.tag(text)
        info = tagger.cache_info()
        assert info["unknown_keys"] <= info["max_unknown_keys"] == 5
    # forgetting changes no result: the first texts again
    assert tagger.tag(f"{words[0]}の導入") == NODES.tag(f"{words[0]}の導入")


def test_unknown_word_keys_carry_their_surface() -> None:
    tagged = FAST.tag("kintoneとｋｉｎｔｏｎｅとqwerty")
    assert tagged == NODES.tag("kintoneとｋｉｎｔｏｎｅとqwerty")
    assert tagged.surfaces == ["kintone", "と", "ｋｉｎｔｏｎｅ", "と", "qwerty"]
