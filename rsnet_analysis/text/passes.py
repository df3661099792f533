"""One pass over a tagged text: the rules that turn MeCab nodes into terms.

:func:`terms_pass` builds the kept terms (and the content lemmas) in one loop over local
variables, the path every answer of a run takes. :func:`detail_pass` applies the same rules with
a :class:`_Run` state object and records every :class:`Token` (``JapaneseTokenizer.analyze``);
the tests check that the two agree. The rules themselves are described in
:mod:`rsnet_analysis.text.tokenizer`; what each node is comes from
:mod:`rsnet_analysis.text.classify`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rsnet_analysis.text.classify import (
    _COUNTER,
    _NOUN,
    _NUM,
    _PREFIX,
    _SKIP,
    _SUFFIX,
    _UNK,
    _WORD,
    NOUN_POS,
    SURFACE_IF_LETTER,
    _Compiled,
    content_lemma,
)
from rsnet_analysis.text.tagger import Feature, Tagged

if TYPE_CHECKING:
    from rsnet_analysis.text.tokenizer import JapaneseTokenizer

__all__ = ["Token", "detail_pass", "terms_pass"]


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


class _Run:
    """The state of one pass over a tagged text: kept terms, the pending noun run and prefix.

    ``detail`` collects every :class:`Token` (for :meth:`JapaneseTokenizer.analyze`); when it
    is None only the terms are built (the reference for :func:`terms_pass`, which is faster).
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


def detail_pass(
    tok: JapaneseTokenizer,
    tagged: Tagged,
    blocked: Sequence[tuple[int, int]],
    detail: list[Token] | None,
    lemmas: list[str] | None = None,
) -> list[str]:
    """Turn one tagged text into terms (and, with ``detail``, every token).

    One :class:`_Run` step per MeCab node: decisions are cached per raw feature string, and the
    domain-term and placeholder spans are passed in text order.
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
                if lemma > SURFACE_IF_LETTER:
                    lemmas.append(lemma)
                elif lemma := content_lemma(lemma, surface):
                    lemmas.append(lemma)
        decision = cache.get(raw)
        if decision is None:
            decision = cache[raw] = st.classify(feature_of(raw), surface)
        kind, norm = decision
        unknown = kind == _UNK
        if unknown:
            decision = unk_cache.get(surface)
            if decision is None:
                decision = st.decide_unknown(surface)
            kind, norm = decision
        elif kind == _COUNTER:
            kind = _SKIP if after_numeral else _NOUN
        after_numeral = kind == _NUM
        state.node(kind, norm, surface, raw, unknown)
    if state.run:
        state.flush()
    return state.out


def terms_pass(
    tok: JapaneseTokenizer,
    tagged: Tagged,
    blocked: Sequence[tuple[int, int]],
    lemmas: list[str] | None,
    token_pos: list[str] | None = None,
) -> list[str]:
    """The kept terms of one tagged text (and its content lemmas), without :class:`Token` records.

    The same rules as :class:`_Run` (the tests compare the two), written as one loop over
    local variables: this is most of the tokenizer's own time. ``token_pos`` gets each term's ``Token.pos`` (interned).
    """
    st = tok._compiled()
    out: list[str] = []
    if not tagged.surfaces:
        return out
    text_end = len(tagged.text) + 1
    spans = _spans(st, tagged.text, blocked)
    flush = _flusher(st, tok, out, token_pos)
    decisions, decide, unk_cache, join = st.decisions, st.decide, st.unk_cache, tok.join_compounds
    ok_cache, is_ok, min_length = st.ok_cache, st.ok, tok.min_length
    run: list[str] = []
    prefix, after_numeral, span_done, prev_end, si = "", False, False, 0, 0
    span_start = spans[0][0] if spans else text_end
    for surface, start, raw in zip(tagged.surfaces, tagged.starts, tagged.features, strict=True):
        if start > prev_end:  # white space before the node
            if run:
                run = flush(run)
            prefix = ""
        end = prev_end = start + len(surface)
        if end > span_start:  # protected spans replace the node
            events, si, span_done = _protected(st, spans, si, span_done, end, lemmas)
            run, prefix = _apply_protected(events, run, prefix, join, flush), ""
            span_start = spans[si][0] if si < len(spans) else text_end
            after_numeral = False
            continue
        kind, norm, lemma = decisions.get(raw) or decide(raw, surface)
        if lemma and lemmas is not None:
            if lemma > SURFACE_IF_LETTER:
                lemmas.append(lemma)
            elif lemma := content_lemma(lemma, surface):
                lemmas.append(lemma)
        if kind == _SKIP:  # most nodes: particles, symbols, stop words
            if run:
                run = flush(run)
            prefix, after_numeral = "", False
            continue
        if kind == _UNK:
            kind, norm = unk_cache.get(surface) or st.decide_unknown(surface)
        elif kind == _COUNTER:
            kind = _SKIP if after_numeral else _NOUN
        after_numeral = kind == _NUM
        if kind == _NOUN:
            if run and not join:
                run = flush(run)
            run.append(prefix + norm)
            prefix = ""
        elif kind == _SUFFIX:
            if run and not prefix:
                run[-1] += norm
            prefix = ""
        elif kind == _PREFIX:
            prefix += norm
        else:
            if run:
                run = flush(run)
            prefix = ""
            if kind == _WORD and (ok_cache.get(norm) or (norm not in ok_cache and is_ok(norm, min_length))):
                out.append(norm)
                if token_pos is not None:
                    token_pos.append(st.word_pos(raw))
    if run:
        flush(run)
    return out


def _flusher(st: _Compiled, tok: JapaneseTokenizer, out: list[str], token_pos: list[str] | None) -> Callable[[list[str]], list[str]]:
    """``flush(run)``: emit a noun run (one compound, or its units when too long; nouns in ``token_pos``); returns ``[]``."""
    ok_cache, is_ok, min_length, max_compound = st.ok_cache, st.ok, tok.min_length, tok.max_compound

    def flush(run: list[str]) -> list[str]:
        for token in ("".join(run),) if len(run) <= max_compound else run:
            ok = ok_cache.get(token)
            if ok or (ok is None and is_ok(token, min_length)):
                out.append(token)
                if token_pos is not None:
                    token_pos.append(NOUN_POS)
        return []

    return flush


def _apply_protected(
    events: list[tuple[str | None, bool]],
    run: list[str],
    prefix: str,
    join: bool,
    flush: Callable[[list[str]], list[str]],
) -> list[str]:
    """Add the domain terms and placeholders a node met to the noun run (see ``_Run.protected``)."""
    for canonical, joinable in events:
        if canonical is not None and join and joinable:
            run.append(prefix + canonical)
        else:
            if run:
                run = flush(run)
            if canonical is not None:
                flush([canonical])
        prefix = ""
    return run


def _protected(
    st: _Compiled,
    spans: list[tuple[int, int, str | None, str]],
    si: int,
    done: bool,
    end: int,
    lemmas: list[str] | None,
) -> tuple[list[tuple[str | None, bool]], int, bool]:
    """The spans a node ending at ``end`` meets: ``(canonical, joinable)`` of each new one.

    A span covering several nodes counts at the first (``done`` says it was counted); the
    returned index is the first span not yet passed.
    """
    events: list[tuple[str | None, bool]] = []
    while si < len(spans) and spans[si][0] < end:
        if not done:
            done = True
            canonical = spans[si][2]
            events.append((canonical, bool(st.joinable.get(canonical or ""))))
            if lemmas is not None and canonical:
                lemmas.extend(st.lemma_parts.get(canonical, (canonical,)))
        if spans[si][1] <= end:
            si += 1
            done = False
        else:
            break
    return events, si, done
