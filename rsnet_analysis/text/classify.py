"""What each MeCab node is (noun, prefix, suffix, content word, skipped), decided once per feature.

:class:`_Compiled` holds the per-tokenizer state built on first use and never pickled: the fugashi
Tagger, the domain-term regex and the decision caches.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from rsnet_analysis.text.dictionary import (
    _fullwidth,
    _key,
    _trie_regex,
    load_domain_terms,
    load_stopwords,
)
from rsnet_analysis.text.tagger import Feature, MorphTagger, Tagged, shared_tagger

if TYPE_CHECKING:
    from rsnet_analysis.text.tokenizer import JapaneseTokenizer

DEFAULT_POS: tuple[str, ...] = ("名詞", "動詞", "形容詞", "形状詞")

#: Part of speech of every noun, compound and domain term the tokenizer emits (one shared object,
#: so that cached part-of-speech lists hold references to it, not copies).
NOUN_POS = sys.intern("名詞")

# Node kinds decided once per distinct MeCab feature string (cached).
_SKIP = 0  # emits nothing and breaks a compound (particle, symbol, numeral, stop word ...)
_NOUN = 1  # joins compounds
_PREFIX = 2  # attaches to the following noun
_SUFFIX = 3  # attaches to the preceding noun
_WORD = 4  # standalone content word (verb, adjective, Latin-script word)
_UNK = 5  # unknown noun: decided per surface
_NUM = 6  # numeral: like _SKIP, and a following counter (回, 人, 時間) is dropped too
_COUNTER = 7  # noun that can be a counter (助数詞可能): a noun unless right after a numeral

_NOUN_EXCLUDED_POS2 = frozenset({"数詞", "代名詞", "助動詞語幹"})
_DROPPED_PREFIXES = frozenset({"御", "お", "ご", "第"})
_DROPPED_SUFFIXES = frozenset(
    {"さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "達", "たち", "ら", "等", "など", "共", "ども"}
)
_JOINING_SUFFIX_POS2 = frozenset({"名詞的", "形状詞的"})

_LATIN = re.compile(r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９+＋#＃&＆.\-_/@]+")
_ALNUM_CHAR = re.compile(r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]")
_HAS_WORD_CHAR = re.compile(r"[^\W\d_]")
#: :meth:`_Compiled.lemma` of an unknown word: its surface when that has a letter, else none.
SURFACE_IF_LETTER = "\x01"


def content_lemma(lemma: str, surface: str) -> str:
    r"""Resolve a cached :meth:`_Compiled.lemma` for one node: ``""`` when it is not a content word.

    Parameters
    ----------
    lemma : str
        The cached value (``""``, ``"\x00"``, :data:`SURFACE_IF_LETTER` or the lemma).
    surface : str
        The node's surface.

    Returns
    -------
    str
    """
    if lemma == "\x00":
        return surface
    if lemma == SURFACE_IF_LETTER:
        return surface if _HAS_WORD_CHAR.search(surface) else ""
    return lemma
_LEMMA_SUBSCRIPT = re.compile(r"-[A-Za-z][A-Za-z\s'.-]*$")
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
_KATAKANA_WORD = re.compile(r"[\u30a0-\u30ffー]+")

#: Entries kept at most in each cache keyed by surface or term (unknown words, kept terms), about
#: 10 MB each; a full cache is emptied. Their values depend on the key alone, so emptying one
#: changes no result. The caches keyed by feature string hold one entry per dictionary entry seen.
MAX_SURFACE_CACHE = 100_000


class _Compiled:
    """Per-instance state built on first use and never pickled (the tagger is shared)."""

    __slots__ = (
        "tagger", "pattern", "terms", "joinable", "stop", "cache", "unk_cache", "ok_cache", "pos",
        "lemma_cache", "lemma_parts", "decisions", "pos_cache",
    )

    def __init__(self, tok: JapaneseTokenizer) -> None:
        self.tagger: MorphTagger = shared_tagger()
        stop = set(load_stopwords(None)) if tok.use_builtin_stopwords else set()
        if tok.stopwords is not None:
            stop |= load_stopwords(tok.stopwords)
        self.stop = frozenset(stop)
        self.pos = frozenset(tok.pos)
        self.cache: dict[str, tuple[int, str]] = {}
        self.unk_cache: dict[str, tuple[int, str]] = {}
        self.ok_cache: dict[str, bool] = {}
        self.lemma_cache: dict[str, str] = {}
        self.decisions: dict[str, tuple[int, str, str]] = {}
        self.pos_cache: dict[str, str] = {}

        terms = load_domain_terms(None) if tok.use_builtin_terms else {}
        if tok.domain_terms is not None:
            terms.update(load_domain_terms(tok.domain_terms))
        self.terms: dict[str, str] = {}
        variants: set[str] = set()
        for variant, canonical in terms.items():
            for v in {variant, _fullwidth(variant)}:
                variants.add(v)
                self.terms[_key(v)] = canonical
        # A canonical form that MeCab reads as one kana/kanji noun joins compounds like a noun.
        self.joinable: dict[str, bool] = {}
        self.lemma_parts: dict[str, tuple[str, ...]] = {}
        for canonical in set(terms.values()):
            tagged = self.tagger.tag(canonical)
            self.lemma_parts[canonical] = self._parts(tagged, canonical)
            self.joinable[canonical] = (
                len(tagged.surfaces) == 1
                and self.classify(self.tagger.feature(tagged.features[0]), tagged.surfaces[0])[0]
                == _NOUN
                and not _LATIN.fullmatch(canonical)
            )
        self.pattern = _terms_pattern(variants)

    def protected_spans(self, text: str) -> list[tuple[int, int, str | None, str]]:
        """Find the domain terms and 〔…〕 placeholders of ``text`` (the pre-pass).

        Returns
        -------
        list of tuple
            ``(start, end, canonical, surface)`` in text order; ``canonical`` is None for a
            placeholder (whose surface is then ``""``).
        """
        spans: list[tuple[int, int, str | None, str]] = []
        terms, alnum = self.terms, _ALNUM_CHAR
        for m in self.pattern.finditer(text):
            start, end = m.span()
            if m.lastgroup != "ph":
                # Latin-script terms only match at word boundaries (no AI inside OpenAI).
                if (start > 0 and alnum.match(text, start) and alnum.match(text, start - 1)) or (
                    end < len(text) and alnum.match(text, end) and alnum.match(text, end - 1)
                ):
                    continue
                surface = m.group()
                spans.append((start, end, terms.get(surface.casefold()) or terms.get(_key(surface)), surface))
            else:
                spans.append((start, end, None, ""))
        return spans

    def classify(self, feature: Feature, surface: str) -> tuple[int, str]:
        """Decide what a MeCab node is, by feature name. Returns (kind, normalised form)."""
        pos1, pos2 = feature.pos1, feature.pos2
        lemma = feature.lemma
        norm = _LEMMA_SUBSCRIPT.sub("", lemma) if lemma else ""
        if pos1 == "名詞":
            if pos2 == "数詞":
                return _NUM, ""
            if pos2 in _NOUN_EXCLUDED_POS2 or "名詞" not in self.pos:
                return _SKIP, ""
            if not lemma:
                return _UNK, ""
            if pos2 == "固有名詞":  # UniDic gives readings (サトウ) as lemmas of proper nouns
                norm = feature.orthBase or surface
            if norm in self.stop or feature.orthBase in self.stop:
                return _SKIP, norm
            norm = _readable_lemma(norm, feature.orthBase)
            return (_COUNTER if feature.pos3 == "助数詞可能" else _NOUN), norm
        if pos1 == "接頭辞":
            if not norm or norm in _DROPPED_PREFIXES or not _is_kanji(norm):
                return _SKIP, ""
            return _PREFIX, norm
        if pos1 == "接尾辞":
            if pos2 not in _JOINING_SUFFIX_POS2 or norm in _DROPPED_SUFFIXES or surface in _DROPPED_SUFFIXES:
                return _SKIP, ""
            return _SUFFIX, norm or surface
        if pos1 in ("動詞", "形容詞", "形状詞") and pos1 in self.pos:
            if pos2 in ("非自立可能", "助動詞語幹") and pos1 != "形容詞":
                return _SKIP, norm
            if not norm or norm in self.stop or feature.orthBase in self.stop:
                return _SKIP, norm
            return _WORD, _readable_lemma(norm, feature.orthBase)
        if pos1 in self.pos and pos1 not in ("補助記号", "記号", "空白", "助詞", "助動詞") and norm:
            return (_SKIP, norm) if norm in self.stop else (_WORD, norm)
        return _SKIP, ""

    def _parts(self, tagged: Tagged, canonical: str) -> tuple[str, ...]:
        """The lemmas a domain term contributes to the feature vectors.

        A compound the dictionary lists for readability (DX推進, 人事異動) contributes its parts,
        which it shares with other answers (DX, 推進); a term the dictionary repairs, because MeCab
        misreads a loanword (リスキリング as 栗鼠 + キリング), contributes itself.
        """
        parts: list[str] = []
        for surface, raw in zip(tagged.surfaces, tagged.features, strict=True):
            lemma = content_lemma(self.lemma(self.tagger.feature(raw), surface), surface)
            if not lemma:
                continue
            if _KATAKANA_WORD.fullmatch(surface) and not _KATAKANA_WORD.fullmatch(lemma):
                return (canonical,)
            parts.append(lemma)
        return tuple(parts) if len(parts) >= 2 else (canonical,)

    @staticmethod
    def lemma(feature: Feature, surface: str) -> str:
        r"""The content lemma of a node for the feature vectors: ``""`` when it is not a content word.

        Nouns (except numerals), verbs, adjectives and adjectival nouns that are not auxiliary-like
        (非自立可能); the lemma without UniDic's loanword subscript, the written form of proper
        nouns. ``"\x00"`` stands for "the surface", and :data:`SURFACE_IF_LETTER` for "the
        surface if it has a letter" (unknown words, whose lemma is unknown), so that the value
        cached per feature string never depends on the surface (:func:`content_lemma` resolves
        both); all unknown nouns share one feature string, so a cached choice made on the first
        one seen (e.g. a radical such as ⺀) would have decided for every later one.
        """
        if feature.pos1 not in _CONTENT_POS or feature.pos2 in ("数詞", "非自立可能", "助動詞語幹"):
            return ""
        if not feature.lemma:
            return SURFACE_IF_LETTER
        if feature.pos2 == "固有名詞":
            return "\x00"
        return _LEMMA_SUBSCRIPT.sub("", feature.lemma) or "\x00"

    def decide(self, raw: str, surface: str) -> tuple[int, str, str]:
        """Kind, normalised form and content lemma of a node, cached per raw feature string.

        The kind and form are :meth:`classify`'s, the lemma :meth:`lemma`'s; the first surface
        seen with a feature string decides, as in the caches of the reference pass.
        """
        feature = self.tagger.feature(raw)
        decision = self.cache.get(raw)
        if decision is None:
            decision = self.cache[raw] = self.classify(feature, surface)
        lemma = self.lemma_cache.get(raw)
        if lemma is None:
            lemma = self.lemma_cache[raw] = self.lemma(feature, surface)
        out = self.decisions[raw] = (decision[0], decision[1], lemma)
        return out

    def word_pos(self, raw: str) -> str:
        """The part of speech (``pos1``, interned) of a content word's raw feature string, cached."""
        pos = self.pos_cache.get(raw)
        if pos is None:
            pos = self.pos_cache[raw] = sys.intern(self.tagger.feature(raw).pos1)
        return pos

    def decide_unknown(self, surface: str) -> tuple[int, str]:
        """:meth:`classify_unknown`, cached per surface."""
        decision = self.unk_cache.get(surface)
        if decision is None:
            if len(self.unk_cache) >= MAX_SURFACE_CACHE:
                self.unk_cache.clear()
            decision = self.unk_cache[surface] = self.classify_unknown(surface)
        return decision

    def classify_unknown(self, surface: str) -> tuple[int, str]:
        """Decide what an unknown noun is (its lemma is None: the surface is the term)."""
        if surface in self.stop:
            return _SKIP, surface
        if _LATIN.fullmatch(surface):
            return _WORD, surface
        return _NOUN, surface

    def ok(self, token: str, min_length: int) -> bool:
        """Whether a final token is emitted (not a stop word, long enough, has a letter)."""
        ok = (
            len(token) >= min_length
            and token not in self.stop
            and _HAS_WORD_CHAR.search(token) is not None
        )
        if len(self.ok_cache) >= MAX_SURFACE_CACHE:
            self.ok_cache.clear()
        self.ok_cache[token] = ok
        return ok


def _terms_pattern(variants: set[str]) -> re.Pattern[str]:
    """The pre-pass regex: a 〔…〕 placeholder or the longest domain term, case-insensitive.

    The look-ahead on the possible first characters changes no match, but lets the regex engine
    reject most positions with one character test. The terms form two tries, by whether their
    first character has a case: the engine skips an alternative that starts with a character
    without case (kanji, kana) with one comparison, but tries every case-insensitive one in full,
    so those come last, behind one look-ahead. A character of the text can only start terms of
    one of the two tries, so the match at each position is the one a single trie would give.
    """
    cased = {v for v in variants if _has_case(v[0])}
    parts = [r"(?P<ph>〔[^〔〕]*〕)"]
    if variants - cased:
        parts.append("(?P<term>" + _trie_regex(variants - cased) + ")")
    if cased:
        cased_first = "".join(re.escape(c) for c in sorted({v[0] for v in cased}))
        parts.append(f"(?P<cased>(?=[{cased_first}])" + _trie_regex(cased) + ")")
    first = "".join(re.escape(c) for c in sorted({v[0] for v in variants} | {"〔"}))
    return re.compile(f"(?=[{first}])(?:{'|'.join(parts)})", re.IGNORECASE)


def _has_case(c: str) -> bool:
    """Whether a case-insensitive match treats ``c`` as a letter with case (Ａ, k, ſ, not 人 or ー)."""
    return c.lower() != c or c.upper() != c or c.casefold() != c


def _readable_lemma(lemma: str, orth_base: str | None) -> str:
    """Prefer the written base form when UniDic's lemma uses kanji nobody writes.

    UniDic lemmatises やる as 遣る and できる as 出来る; an analyst reading top terms expects
    what respondents wrote. When the word was written in hiragana but its lemma starts with a
    kanji, the written base form (``orthBase``) is used instead.
    """
    if orth_base and lemma and _is_kanji(lemma[0]) and "\u3041" <= orth_base[0] <= "\u309f":
        return orth_base
    return lemma


def _is_kanji(s: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" or c == "々" for c in s)
