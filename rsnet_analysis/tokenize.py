"""Japanese tokenizer for challenge analysis, on fugashi + unidic-lite.

This is the only module that reads fugashi/MeCab features, and it reads them by name
(``feature.pos1``, ``feature.lemma`` ...), never by position.

How a text becomes tokens
-------------------------
1. **Pre-pass** (one precompiled regular expression over the text): known domain terms are found
   by longest match (``resources/domain_terms.tsv`` plus the user's terms), placeholders such as
   〔氏名〕〔メール〕〔電話〕 (anything in 〔…〕) and whitespace are cut out. Domain terms become one
   token with their canonical form (ＤＸ / dx / デジタルトランスフォーメーション → ``DX``,
   リスキリング stays one word instead of リス(栗鼠) + キリング). Latin-script terms match only at
   word boundaries (``AI`` is not found inside ``OpenAI``), case- and width-insensitively.
2. **MeCab** (fugashi) tokenizes the text between them.
3. **Filtering and joining**: content words are kept by lemma (UniDic's loanword suffix
   ``-computer`` removed, the surface used when the lemma is ``None`` for unknown words such as
   kintone); consecutive nouns are joined into one compound (人材 + 育成 → 人材育成,
   情報 + 政策 + 課 → 情報政策課), up to ``max_compound`` nouns; longer runs stay separate words.

Default policy (suited to challenge analysis)
---------------------------------------------
- Nouns (名詞) except numerals (数詞), pronouns (代名詞) and auxiliary stems (助動詞語幹).
- Verbs (動詞), adjectives (形容詞) and adjectival nouns (形状詞) by lemma, except the
  "light"/auxiliary-like verbs that UniDic tags 非自立可能 (する, なる, ある, いる, できる, 見る,
  いく, くる …) and stop words (思う, 言う, 行う, 考える …).
- Kanji prefixes (再, 未, 非, 各 …) join the following noun; お/ご/御 are dropped. Noun-like
  and adjectival suffixes (課, 化, 的, 者, 性 …) join the preceding noun; honorifics and plural
  markers (さん, 様, 氏, たち, 等, など) are dropped.
- A domain term whose canonical form is a single kana/kanji noun for MeCab (人財 → 人材) joins
  compounds like any noun (人財育成 → 人材育成); other domain terms and Latin-script words
  (DX, kintone, RPA) stay standalone tokens, because compounds such as 「kintone導入」 are too
  specific to recur across answers. List a compound in the dictionary to keep it (DX推進).
- Stop words (``resources/stopwords_ja.txt``): formal nouns (こと, もの, ため, よう, 方 …),
  time words (今後, 現状, 年度 …), and 課題/問題/取り組み, which every answer in a challenge
  survey contains and which therefore carry no information here.
- Numerals, symbols, particles, auxiliaries, whitespace and 〔…〕 placeholders never become
  tokens and always break a compound.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_POS",
    "JapaneseTokenizer",
    "Token",
    "load_domain_terms",
    "load_stopwords",
    "unidic_lite_version",
]

DEFAULT_POS: tuple[str, ...] = ("名詞", "動詞", "形容詞", "形状詞")

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
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_SPACE = re.compile(r"\s")
_HAS_WORD_CHAR = re.compile(r"[^\W\d_]")
_LEMMA_SUBSCRIPT = re.compile(r"-[A-Za-z][A-Za-z\s'.-]*$")

_DICT_HELP = (
    "MeCab の辞書が見つかりません。`pip install unidic-lite` で辞書を入れてから再実行してください。\n"
    "The MeCab dictionary was not found. Install it with `pip install unidic-lite` and run again."
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token as the tokenizer sees it.

    Parameters
    ----------
    surface : str
        The text as written (for compounds, the joined surfaces).
    lemma : str
        The normalised form used as the term: UniDic lemma without its loanword subscript, the
        domain dictionary's canonical form, or the surface when the lemma is unknown.
    pos : str
        Part of speech (品詞, UniDic ``pos1``); ``"名詞"`` for compounds and domain terms.
    pos_detail : str
        Sub-category (UniDic ``pos2``); ``"複合語"`` for joined compounds, ``"辞書語"`` for domain
        terms, ``""`` when there is none.
    keep : bool
        Whether calling the tokenizer emits this token (content word, not a stop word).
    unknown : bool
        True when MeCab did not know the word (its lemma fell back to the surface).
    source : str
        ``"mecab"``, ``"domain"`` (domain dictionary) or ``"compound"``.
    """

    surface: str
    lemma: str
    pos: str
    pos_detail: str
    keep: bool
    unknown: bool = False
    source: str = "mecab"


def unidic_lite_version() -> str | None:
    """Return the installed unidic-lite version, or None when it is not installed.

    Returns
    -------
    str or None
        For example ``"1.0.8"``.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unidic-lite")
    except PackageNotFoundError:
        return None


def _read_resource(name: str) -> str:
    return resources.files("rsnet_analysis").joinpath("resources", name).read_text(encoding="utf-8")


def _parse_terms_tsv(text: str) -> dict[str, str]:
    terms: dict[str, str] = {}
    lines = (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    for row in csv.reader(lines, delimiter="\t"):
        if len(row) < 2 or (row[0].strip() == "variant" and row[1].strip() == "canonical"):
            continue
        variant, canonical = row[0].strip(), row[1].strip()
        if variant and canonical:
            terms[variant] = canonical
    return terms


def load_domain_terms(source: str | PathLike[str] | Mapping[str, str] | None = None) -> dict[str, str]:
    """Load a domain dictionary as ``{variant: canonical}``.

    Parameters
    ----------
    source : str, path-like, mapping or None
        None for the dictionary shipped in the package; a path to a TSV file with the columns
        ``variant``, ``canonical``, ``note`` (UTF-8, ``#`` comments, header optional); or a mapping.

    Returns
    -------
    dict of str to str
        Variant → canonical form.
    """
    if source is None:
        return _parse_terms_tsv(_read_resource("domain_terms.tsv"))
    if isinstance(source, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in source.items() if str(k).strip() and str(v).strip()}
    return _parse_terms_tsv(Path(source).read_text(encoding="utf-8-sig"))


def load_stopwords(source: str | PathLike[str] | Iterable[str] | None = None) -> frozenset[str]:
    """Load a stop-word list.

    Parameters
    ----------
    source : str, path-like, iterable of str or None
        None for the list shipped in the package (``resources/stopwords_ja.txt``); a path to a
        text file with one word per line (``#`` starts a comment); or an iterable of words.

    Returns
    -------
    frozenset of str
        The stop words.
    """
    if source is None:
        text = _read_resource("stopwords_ja.txt")
    elif isinstance(source, str | PathLike):
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        return frozenset(w.strip() for w in source if w and w.strip())
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(w for w in words if w)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def _key(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def _trie_regex(words: Iterable[str]) -> str:
    """Build a regex that matches any of ``words``, preferring the longest (a character trie)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        terminal = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            return (body if len(branches) > 1 else "(?:" + body + ")") + "?"
        return body

    return emit(trie)


class _Compiled:
    """Per-instance state built on first use and never pickled (holds the fugashi Tagger)."""

    __slots__ = ("tagger", "pattern", "terms", "joinable", "stop", "cache", "unk_cache", "ok_cache", "pos")

    def __init__(self, tok: JapaneseTokenizer) -> None:
        import fugashi

        try:
            self.tagger = fugashi.Tagger()
        except RuntimeError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(_DICT_HELP) from exc
        stop = set(load_stopwords(None)) if tok.use_builtin_stopwords else set()
        if tok.stopwords is not None:
            stop |= load_stopwords(tok.stopwords)
        self.stop = frozenset(stop)
        self.pos = frozenset(tok.pos)
        self.cache: dict[str, tuple[int, str]] = {}
        self.unk_cache: dict[str, tuple[int, str]] = {}
        self.ok_cache: dict[str, bool] = {}

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
        for canonical in set(terms.values()):
            nodes = list(self.tagger(canonical))
            self.joinable[canonical] = (
                len(nodes) == 1
                and self.classify(nodes[0].feature, nodes[0].surface)[0] == _NOUN
                and not _LATIN.fullmatch(canonical)
            )
        parts = [r"(?P<ph>〔[^〔〕]*〕)"]
        if variants:
            parts.append("(?P<term>" + _trie_regex(variants) + ")")
        # The look-ahead on the possible first characters changes no match, but lets the regex
        # engine reject most positions with one character test: case-insensitive alternatives
        # get no first-character optimisation of their own, and trying every branch at every
        # position made this pre-pass cost a third of the tokenizer's time.
        first = "".join(re.escape(c) for c in sorted({v[0] for v in variants} | {"〔"}))
        self.pattern = re.compile(f"(?=[{first}])(?:{'|'.join(parts)})", re.IGNORECASE)

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
            if m.lastgroup == "term":
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

    def classify(self, feature: Any, surface: str) -> tuple[int, str]:
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
        self.ok_cache[token] = ok
        return ok


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


class JapaneseTokenizer:
    """Picklable Japanese tokenizer: ``tok(text) -> list[str]`` of content words.

    Usable as ``TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False)``. The
    constructor only stores its arguments (scikit-learn style); the fugashi Tagger, the domain
    dictionary regex and the caches are built on first use and are dropped when pickling, so the
    object survives ``pickle``, ``copy.deepcopy`` and ``sklearn.base.clone``.

    Parameters
    ----------
    domain_terms : str, path-like, mapping or None
        Extra domain terms added to (and overriding) the shipped dictionary: a TSV path with the
        columns ``variant``, ``canonical``, ``note``, or a ``{variant: canonical}`` mapping.
    stopwords : str, path-like, iterable of str or None
        Extra stop words added to the shipped list: a text file (one word per line) or words.
    pos : sequence of str
        UniDic ``pos1`` values whose words are kept. Default ``("名詞", "動詞", "形容詞", "形状詞")``.
    join_compounds : bool
        Join consecutive nouns into one compound (人材 + 育成 → 人材育成).
    max_compound : int
        Longest compound kept, counted in nouns (affixes such as 課, 化 do not count); longer
        runs of nouns are emitted as separate words.
    min_length : int
        Shortest token kept, in characters.
    use_builtin_terms : bool
        Use the dictionary shipped in ``resources/domain_terms.tsv``.
    use_builtin_stopwords : bool
        Use the stop words shipped in ``resources/stopwords_ja.txt``.

    Examples
    --------
    >>> tok = JapaneseTokenizer()
    >>> tok("ＤＸ推進とリスキリングのため人財育成に取り組んでいます。")
    ['DX推進', 'リスキリング', '人材育成', '取り組む']
    """

    def __init__(
        self,
        *,
        domain_terms: str | PathLike[str] | Mapping[str, str] | None = None,
        stopwords: str | PathLike[str] | Iterable[str] | None = None,
        pos: Sequence[str] = DEFAULT_POS,
        join_compounds: bool = True,
        max_compound: int = 3,
        min_length: int = 1,
        use_builtin_terms: bool = True,
        use_builtin_stopwords: bool = True,
    ) -> None:
        self.domain_terms = domain_terms
        self.stopwords = stopwords
        self.pos = pos
        self.join_compounds = join_compounds
        self.max_compound = max_compound
        self.min_length = min_length
        self.use_builtin_terms = use_builtin_terms
        self.use_builtin_stopwords = use_builtin_stopwords

    _PARAMS = (
        "domain_terms",
        "stopwords",
        "pos",
        "join_compounds",
        "max_compound",
        "min_length",
        "use_builtin_terms",
        "use_builtin_stopwords",
    )

    # -- scikit-learn style parameters -------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters.

        Parameters
        ----------
        deep : bool
            Ignored (no nested estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter name → value.
        """
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> JapaneseTokenizer:
        """Set constructor parameters and forget the built state.

        Parameters
        ----------
        **params
            Parameter name → new value.

        Returns
        -------
        JapaneseTokenizer
            ``self``.
        """
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"Unknown parameter {name!r} for JapaneseTokenizer; valid: {self._PARAMS}")
            setattr(self, name, value)
        self.__dict__.pop("_state", None)
        return self

    def __repr__(self) -> str:
        defaults = JapaneseTokenizer().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"JapaneseTokenizer({', '.join(changed)})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_state", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _compiled(self) -> _Compiled:
        state = self.__dict__.get("_state")
        if state is None:
            if not isinstance(self.max_compound, int) or self.max_compound < 1:
                raise ValueError(f"max_compound must be a positive integer, got {self.max_compound!r}")
            state = self.__dict__["_state"] = _Compiled(self)
        return state

    # -- tokenizing --------------------------------------------------------------------------
    def __call__(self, text: str) -> list[str]:
        """Tokenize one text into content-word terms.

        Parameters
        ----------
        text : str
            A (masked, normalised) answer.

        Returns
        -------
        list of str
            Terms in text order; never empty strings.
        """
        if not isinstance(text, str):
            raise TypeError(f"JapaneseTokenizer expects str, got {type(text).__name__}")
        return self._run(text, None)

    def analyze(self, text: str) -> list[Token]:
        """Return every token of ``text`` with its part of speech.

        Domain terms and compounds appear as one token; particles, symbols, numerals and stop
        words appear with ``keep=False`` (placeholders and whitespace do not appear). The
        lemmas of the kept tokens are exactly what calling the tokenizer returns.

        Parameters
        ----------
        text : str
            A (masked, normalised) answer.

        Returns
        -------
        list of Token
            Tokens in text order.
        """
        if not isinstance(text, str):
            raise TypeError(f"JapaneseTokenizer expects str, got {type(text).__name__}")
        detail: list[Token] = []
        self._run(text, detail)
        return detail

    def tokenize_many(self, texts: Iterable[str], *, progress: bool = False) -> list[list[str]]:
        """Tokenize many texts (tokenize once, cache the result).

        Parameters
        ----------
        texts : iterable of str
            Answers.
        progress : bool
            Show a progress bar (:func:`rsnet_analysis.progress.track`).

        Returns
        -------
        list of list of str
            One token list per text, in order.
        """
        from rsnet_analysis.progress import track

        return [self(t) for t in track(texts, desc="tokenize", enabled=progress)]

    def _run(self, text: str, detail: list[Token] | None) -> list[str]:
        """Tokenize ``text``: return the kept terms, and append every token to ``detail``.

        This loop runs once per MeCab node and is most of the tokenizer's time, so it binds
        what it uses to local names, reads a node's attributes only when they are needed (the
        surface for offsets, unknown words and ``detail``; the white space only when the text
        has white space or protected spans) and calls ``flush`` only when a noun run is pending.

        Parameters
        ----------
        text : str
            The text to tokenize.
        detail : list of Token or None
            When a list, every token (kept or not) is appended to it, as ``analyze`` returns.

        Returns
        -------
        list of str
            The kept terms, in text order.
        """
        st = self._compiled()
        out: list[str] = []
        if not text:
            return out
        if _UNSAFE.search(text):  # NUL ends a C string; lone surrogates cannot be encoded
            text = _UNSAFE.sub(" ", text)
        spans = st.protected_spans(text)

        cache, unk_cache, ok_cache = st.cache, st.unk_cache, st.ok_cache
        classify, classify_unknown, is_ok = st.classify, st.classify_unknown, st.ok
        joinable = st.joinable
        join = self.join_compounds
        max_compound, min_length = self.max_compound, self.min_length
        want = detail is not None  # build Token objects (analyze) besides the terms
        run: list[str] = []  # units (prefix + noun + suffixes) of the current noun run
        run_surf: list[str] = []  # their surfaces, kept only when ``want``
        prefix = prefix_surf = ""  # pending prefix (its surface kept only when ``want``)

        def emit(token: str, surface: str, pos: str, pos2: str, unknown: bool, source: str) -> None:
            ok = ok_cache.get(token)
            if ok is None:
                ok = is_ok(token, min_length)
            if ok:
                out.append(token)
            if detail is not None:
                detail.append(Token(surface, token, pos, pos2, ok, unknown, source))

        def flush() -> None:
            """Emit the pending noun run (the caller checks that there is one) and clear it."""
            if not want:
                for token in ("".join(run),) if len(run) <= max_compound else run:
                    ok = ok_cache.get(token)
                    if ok is None:
                        ok = is_ok(token, min_length)
                    if ok:
                        out.append(token)
            elif len(run) == 1:
                emit(run[0], run_surf[0], "名詞", "", False, "mecab")
            elif len(run) <= max_compound:
                emit("".join(run), "".join(run_surf), "名詞", "複合語", False, "compound")
            else:
                for unit, surf in zip(run, run_surf, strict=True):
                    emit(unit, surf, "名詞", "", False, "mecab")
            run.clear()
            run_surf.clear()

        def skipped(node: Any, surface: str, norm: str, unknown: bool) -> None:
            """Record a token that is not kept (``detail`` only)."""
            if detail is not None:
                f = node.feature
                token = Token(surface, norm or surface, f.pos1, _field(f.pos2), False, unknown, "mecab")
                detail.append(token)

        n_spans = len(spans)
        si = 0
        no_span = len(text) + 1
        span_start = spans[0][0] if spans else no_span
        span_done = False
        p = 0  # character offset of the current node in text
        after_numeral = False
        track = bool(spans) or _SPACE.search(text) is not None  # white space matters
        for node in st.tagger(text):
            surface = node.surface if want else None  # else read only when needed
            if track:
                ws = node.white_space
                if ws:
                    p += len(ws)
                    if run:
                        flush()
                    prefix = prefix_surf = ""
            if si < n_spans:  # offsets matter until the last protected span has been passed
                surface = node.surface
                if not text.startswith(surface, p):  # pragma: no cover - defensive resync
                    found = text.find(surface, p)
                    p = found if found >= 0 else p
                p_end = p + len(surface)
                if p_end > span_start:
                    # The node overlaps one or more protected spans: they replace it.
                    while si < n_spans and spans[si][0] < p_end:
                        if not span_done:
                            span_done = True
                            canonical, term_surface = spans[si][2], spans[si][3]
                            if canonical is None:  # placeholder
                                if run:
                                    flush()
                                prefix = prefix_surf = ""
                            elif join and joinable.get(canonical):
                                run.append(prefix + canonical)
                                if want:
                                    run_surf.append(prefix_surf + term_surface)
                                prefix = prefix_surf = ""
                            else:
                                if run:
                                    flush()
                                prefix = prefix_surf = ""
                                emit(canonical, term_surface, "名詞", "辞書語", False, "domain")
                        if spans[si][1] <= p_end:
                            si += 1
                            span_done = False
                            span_start = spans[si][0] if si < n_spans else no_span
                        else:
                            break
                    p = p_end
                    after_numeral = False
                    continue
                p = p_end

            fr = node.feature_raw
            decision = cache.get(fr)
            if decision is None:
                if surface is None:
                    surface = node.surface
                decision = cache[fr] = classify(node.feature, surface)
            kind, norm = decision
            if kind == _SKIP:  # the most common kind: particles, symbols, stop words ...
                after_numeral = False
                if run:
                    flush()
                prefix = prefix_surf = ""
                if want:
                    skipped(node, surface, norm, False)
                continue
            unknown = kind == _UNK
            if unknown:
                if surface is None:
                    surface = node.surface
                decision = unk_cache.get(surface)
                if decision is None:
                    decision = unk_cache[surface] = classify_unknown(surface)
                kind, norm = decision
            elif kind == _COUNTER:
                kind = _SKIP if after_numeral else _NOUN
            after_numeral = kind == _NUM
            if kind == _NOUN:
                if run and not join:
                    flush()
                run.append(prefix + norm)
                if want:
                    run_surf.append(prefix_surf + surface)
                prefix = prefix_surf = ""
            elif kind == _SUFFIX:
                if run and not prefix:
                    run[-1] += norm
                    if want:
                        run_surf[-1] += surface
                prefix = prefix_surf = ""
            elif kind == _PREFIX:
                prefix += norm
                if want:
                    prefix_surf += surface
            else:  # _WORD, _NUM, or _SKIP decided for an unknown word or a counter
                if run:
                    flush()
                prefix = prefix_surf = ""
                if kind == _WORD:
                    if want:
                        f = node.feature
                        emit(norm, surface, f.pos1, _field(f.pos2), unknown, "mecab")
                    else:
                        ok = ok_cache.get(norm)
                        if ok is None:
                            ok = is_ok(norm, min_length)
                        if ok:
                            out.append(norm)
                elif want:
                    skipped(node, surface, norm, unknown)
        if run:
            flush()
        return out


def _field(value: str | None) -> str:
    return "" if value in (None, "*") else value
