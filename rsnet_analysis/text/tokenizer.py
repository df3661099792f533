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
    _SPACE,
    _SUFFIX,
    _UNK,
    _UNSAFE,
    _WORD,
    DEFAULT_POS,
    _Compiled,
)
from rsnet_analysis.text.dictionary import load_domain_terms, load_stopwords, unidic_lite_version

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
