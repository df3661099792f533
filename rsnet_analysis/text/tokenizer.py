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
from itertools import islice
from os import PathLike
from typing import Any

from rsnet_analysis.text.classify import DEFAULT_POS, _Compiled
from rsnet_analysis.text.dictionary import load_domain_terms, load_stopwords, unidic_lite_version
from rsnet_analysis.text.normalize import normalize_width
from rsnet_analysis.text.passes import Token, detail_pass, terms_pass
from rsnet_analysis.text.tagger import Tagged

__all__ = [
    "BATCH",
    "DEFAULT_POS",
    "JapaneseTokenizer",
    "Token",
    "load_domain_terms",
    "load_stopwords",
    "unidic_lite_version",
]

#: Texts :meth:`JapaneseTokenizer.tokenize_many` hands MeCab at a time.
BATCH = 200


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
        return self._compiled().tagger.tag(_folded(text))

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
        return terms_pass(self, self.tag(text), (), None)

    def tokenize_tagged(
        self,
        tagged: Tagged,
        blocked: Sequence[tuple[int, int]] = (),
        *,
        lemmas: list[str] | None = None,
        token_pos: list[str] | None = None,
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
        token_pos : list of str, optional
            When given, filled (in the same pass) with the part of speech of each returned term,
            one per term and in the same order: the ``pos`` that :meth:`analyze_tagged` gives the
            term's :class:`Token` (UniDic ``pos1``; ``"名詞"`` for compounds and domain terms).
            The values are interned strings, so a cached list holds references to a few shared
            objects.

        Returns
        -------
        list of str
            The kept terms, in text order.
        """
        return terms_pass(self, tagged, blocked, lemmas, token_pos)

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
        detail_pass(self, tagged, blocked, detail)
        return detail

    def tokenize_many(self, texts: Iterable[str], *, progress: bool = False) -> list[list[str]]:
        """Tokenize many texts: ``[tok(t) for t in texts]``, faster.

        The texts are taken :data:`BATCH` at a time; MeCab runs over a whole batch, then the terms
        of each text are built (see :meth:`MorphTagger.tag_many
        <rsnet_analysis.text.tagger.MorphTagger.tag_many>`): about 0.83 of the time of one call
        per text.

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

        tagger = self._compiled().tagger
        remaining = iter(track(texts, desc="tokenize", enabled=progress))
        out: list[list[str]] = []
        while batch := [_folded(text) for text in islice(remaining, BATCH)]:
            out += [terms_pass(self, tagged, (), None) for tagged in tagger.tag_many(batch)]
        return out


def _folded(text: str) -> str:
    """``text`` width-folded (:func:`normalize_width`); TypeError when it is not a string."""
    if not isinstance(text, str):
        raise TypeError(f"JapaneseTokenizer expects str, got {type(text).__name__}")
    return normalize_width(text)
