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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

from rsnet_analysis.text.classify import (
    _COUNTER,
    _NOUN,
    _NUM,
    _PREFIX,
    _SKIP,
    _SUFFIX,
    _UNK,
    _WORD,
    DEFAULT_POS,
    _Compiled,
)
from rsnet_analysis.text.dictionary import load_domain_terms, load_stopwords, unidic_lite_version
from rsnet_analysis.text.normalize import normalize_width
from rsnet_analysis.text.tagger import Feature, Tagged

__all__ = [
    "DEFAULT_POS",
    "JapaneseTokenizer",
    "Token",
    "load_domain_terms",
    "load_stopwords",
    "unidic_lite_version",
]


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
    def tag(self, text: str) -> Tagged:
        """Normalise ``text`` (width, dashes) and run MeCab over it once.

        The pipeline tags each answer once (in :mod:`rsnet_analysis.privacy`, which masks
        names on the same tagging) and calls :meth:`tokenize_tagged`; calling the tokenizer on a
        string does both steps.

        Parameters
        ----------
        text : str
            Any text; ``ﾃﾞｼﾞﾀﾙ`` and ``ＤＸ`` are read as デジタル and DX.

        Returns
        -------
        Tagged
        """
        if not isinstance(text, str):
            raise TypeError(f"JapaneseTokenizer expects str, got {type(text).__name__}")
        return self._compiled().tagger.tag(normalize_width(text))

    def __call__(self, text: str) -> list[str]:
        """Tokenize one text into content-word terms.

        Parameters
        ----------
        text : str
            An answer (normalised here: full-width letters and half-width katakana are folded).

        Returns
        -------
        list of str
            Terms in text order; never empty strings.
        """
        return self.tokenize_tagged(self.tag(text))

    def tokenize_tagged(
        self,
        tagged: Tagged,
        blocked: Sequence[tuple[int, int]] = (),
        *,
        lemmas: list[str] | None = None,
    ) -> list[str]:
        """Tokenize a text that was already tagged (see :meth:`tag`).

        Parameters
        ----------
        tagged : Tagged
            One MeCab pass over the text.
        blocked : sequence of (int, int)
            Character spans that are not words (masked personal information): they emit
            nothing and break compounds, like a 〔…〕 placeholder.
        lemmas : list of str, optional
            When given, filled (in the same pass) with the text's content lemmas, one per content
            word and no compounds: the lemma of every noun (numerals excluded), verb, adjective and
            adjectival noun that is not auxiliary-like, and each domain term's canonical form. Stop
            words are kept. These are the features answers are compared by; joined compounds
            (人材育成) are too specific to recur across answers and serve as readable terms.

        Returns
        -------
        list of str
            The kept terms, in text order.
        """
        return _tokenize(self, tagged, blocked, None, lemmas)

    def analyze(self, text: str) -> list[Token]:
        """Return every token of ``text`` with its part of speech.

        Domain terms and compounds appear as one token; particles, symbols, numerals and stop
        words appear with ``keep=False`` (placeholders and whitespace do not appear). The
        lemmas of the kept tokens are exactly what calling the tokenizer returns.

        Parameters
        ----------
        text : str
            An answer.

        Returns
        -------
        list of Token
            Tokens in text order.
        """
        return self.analyze_tagged(self.tag(text))

    def analyze_tagged(
        self, tagged: Tagged, blocked: Sequence[tuple[int, int]] = ()
    ) -> list[Token]:
        """:meth:`analyze` for a text that was already tagged.

        Parameters
        ----------
        tagged : Tagged
            One MeCab pass over the text.
        blocked : sequence of (int, int)
            Spans that are not words (see :meth:`tokenize_tagged`).

        Returns
        -------
        list of Token
        """
        detail: list[Token] = []
        _tokenize(self, tagged, blocked, detail)
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


class _Run:
    """The state of one pass over a tagged text: kept terms, the pending noun run and prefix.

    ``detail`` collects every :class:`Token` (for :meth:`JapaneseTokenizer.analyze`); when it
    is None only the terms are built, which is the fast path of the pipeline.
    """

    __slots__ = ("out", "detail", "run", "run_surf", "prefix", "prefix_surf", "ok_cache", "is_ok",
                 "min_length", "max_compound", "feature_of", "join")

    def __init__(self, st: _Compiled, tok: JapaneseTokenizer, detail: list[Token] | None) -> None:
        self.out: list[str] = []
        self.detail = detail
        self.run: list[str] = []  # units (prefix + noun + suffixes) of the current noun run
        self.run_surf: list[str] = []  # their surfaces, kept only when ``detail`` is a list
        self.prefix = ""  # pending prefix
        self.prefix_surf = ""
        self.ok_cache, self.is_ok = st.ok_cache, st.ok
        self.min_length, self.max_compound = tok.min_length, tok.max_compound
        self.feature_of = st.tagger.feature
        self.join = tok.join_compounds

    def keep(self, token: str) -> bool:
        ok = self.ok_cache.get(token)
        return self.is_ok(token, self.min_length) if ok is None else ok

    def emit(self, token: str, surface: str, pos: str, pos2: str, unknown: bool, source: str) -> None:
        ok = self.keep(token)
        if ok:
            self.out.append(token)
        if self.detail is not None:
            self.detail.append(Token(surface, token, pos, pos2, ok, unknown, source))

    def flush(self) -> None:
        """Emit the pending noun run (the caller checks that there is one) and clear it."""
        run = self.run
        if self.detail is None:
            for token in ("".join(run),) if len(run) <= self.max_compound else run:
                if self.keep(token):
                    self.out.append(token)
        elif len(run) == 1:
            self.emit(run[0], self.run_surf[0], "名詞", "", False, "mecab")
        elif len(run) <= self.max_compound:
            self.emit("".join(run), "".join(self.run_surf), "名詞", "複合語", False, "compound")
        else:
            for unit, surf in zip(run, self.run_surf, strict=True):
                self.emit(unit, surf, "名詞", "", False, "mecab")
        run.clear()
        self.run_surf.clear()

    def boundary(self) -> None:
        """White space, a placeholder or a skipped word: the noun run and the prefix end."""
        if self.run:
            self.flush()
        self.prefix = self.prefix_surf = ""

    def skipped(self, feature: Feature, surface: str, norm: str, unknown: bool) -> None:
        """Record a token that is not kept (``detail`` only)."""
        if self.detail is not None:
            token = Token(surface, norm or surface, feature.pos1, feature.pos2 or "", False, unknown, "mecab")
            self.detail.append(token)

    def protected(self, canonical: str | None, surface: str, joinable: bool) -> None:
        """A domain term (canonical form) or a placeholder (``canonical`` None) replaces nodes."""
        if canonical is None:
            self.boundary()
        elif self.join and joinable:
            self.run.append(self.prefix + canonical)
            if self.detail is not None:
                self.run_surf.append(self.prefix_surf + surface)
            self.prefix = self.prefix_surf = ""
        else:
            self.boundary()
            self.emit(canonical, surface, "名詞", "辞書語", False, "domain")

    def node(self, kind: int, norm: str, surface: str, raw: str, unknown: bool) -> None:
        """Add one MeCab node of a decided ``kind`` (see :mod:`rsnet_analysis.text.classify`)."""
        if kind == _NOUN:
            self.noun(norm, surface)
        elif kind == _SUFFIX:
            self.suffix(norm, surface)
        elif kind == _PREFIX:
            self.prefix += norm
            if self.detail is not None:
                self.prefix_surf += surface
        elif kind == _WORD:
            self.word(norm, surface, raw, unknown)
        else:  # skipped: particles, symbols, numerals, stop words, dropped counters
            self.boundary()
            if self.detail is not None:
                self.skipped(self.feature_of(raw), surface, norm, unknown)

    def noun(self, norm: str, surface: str) -> None:
        if self.run and not self.join:
            self.flush()
        self.run.append(self.prefix + norm)
        if self.detail is not None:
            self.run_surf.append(self.prefix_surf + surface)
        self.prefix = self.prefix_surf = ""

    def suffix(self, norm: str, surface: str) -> None:
        if self.run and not self.prefix:
            self.run[-1] += norm
            if self.detail is not None:
                self.run_surf[-1] += surface
        self.prefix = self.prefix_surf = ""

    def word(self, norm: str, surface: str, raw: str, unknown: bool) -> None:
        self.boundary()
        if self.detail is not None:
            feature = self.feature_of(raw)
            self.emit(norm, surface, feature.pos1, feature.pos2 or "", unknown, "mecab")
        elif self.keep(norm):
            self.out.append(norm)


def _spans(st: _Compiled, text: str, blocked: Sequence[tuple[int, int]]) -> list[tuple[int, int, str | None, str]]:
    """Domain terms and placeholders of ``text``, plus the blocked spans (as placeholders)."""
    spans = st.protected_spans(text)
    if not blocked:
        return spans
    extra: list[tuple[int, int, str | None, str]] = [
        (int(a), int(b), None, "") for a, b in blocked if b > a
    ]
    kept = [s for s in spans if not any(a < s[1] and s[0] < b for a, b, _c, _s in extra)]
    return sorted(kept + extra, key=lambda s: (s[0], s[1]))


def _tokenize(
    tok: JapaneseTokenizer,
    tagged: Tagged,
    blocked: Sequence[tuple[int, int]],
    detail: list[Token] | None,
    lemmas: list[str] | None = None,
) -> list[str]:
    """Turn one tagged text into terms (and, with ``detail``, every token).

    This loop runs once per MeCab node and is most of the tokenizer's time: decisions are cached
    per raw feature string, and the domain-term and placeholder spans are passed in text order.
    """
    st = tok._compiled()
    state = _Run(st, tok, detail)
    if not tagged.surfaces:
        return state.out
    spans = _spans(st, tagged.text, blocked)
    cache, unk_cache, feature_of = st.cache, st.unk_cache, st.tagger.feature
    lemma_cache, lemma_of = st.lemma_cache, st.lemma
    n_spans, si = len(spans), 0
    span_start = spans[0][0] if spans else len(tagged.text) + 1
    span_done = after_numeral = False
    prev_end = 0
    for surface, start, raw in zip(tagged.surfaces, tagged.starts, tagged.features, strict=True):
        if start > prev_end:  # white space before the node
            state.boundary()
        end = prev_end = start + len(surface)
        if end > span_start:  # the node overlaps protected spans: they replace it
            while si < n_spans and spans[si][0] < end:
                if not span_done:
                    span_done = True
                    canonical = spans[si][2]
                    state.protected(canonical, spans[si][3], bool(st.joinable.get(canonical or "")))
                    if lemmas is not None and canonical:
                        lemmas.extend(st.lemma_parts.get(canonical, (canonical,)))
                if spans[si][1] <= end:
                    si += 1
                    span_done = False
                    span_start = spans[si][0] if si < n_spans else len(tagged.text) + 1
                else:
                    break
            after_numeral = False
            continue
        if lemmas is not None:
            lemma = lemma_cache.get(raw)
            if lemma is None:
                lemma = lemma_cache[raw] = lemma_of(feature_of(raw), surface)
            if lemma:
                lemmas.append(surface if lemma == "\x00" else lemma)
        decision = cache.get(raw)
        if decision is None:
            decision = cache[raw] = st.classify(feature_of(raw), surface)
        kind, norm = decision
        unknown = kind == _UNK
        if unknown:
            decision = unk_cache.get(surface)
            if decision is None:
                decision = unk_cache[surface] = st.classify_unknown(surface)
            kind, norm = decision
        elif kind == _COUNTER:
            kind = _SKIP if after_numeral else _NOUN
        after_numeral = kind == _NUM
        state.node(kind, norm, surface, raw, unknown)
    if state.run:
        state.flush()
    return state.out
