"""Personal-information masking for free-text answers.

Respondents sign their answers with their name, e-mail address or phone number, and sometimes write
their LINE ID, a blog, their home address or their birth date. Before an answer is tokenized (and so
before anything can become a term, a label or a quoted voice) :func:`mask_pii` replaces those items
with bracketed placeholders:

=============  ============  =====================================================
kind           placeholder   found by
=============  ============  =====================================================
``name``       〔氏名〕      MeCab + context rules (:mod:`.names`), Latin rules (:mod:`.latin`)
``email``      〔メール〕    regular expression (:mod:`.patterns`)
``phone``      〔電話〕      regular expression (:mod:`.patterns`)
``id``         〔ID〕        handles, chat IDs after their label, staff numbers (:mod:`.kinds`)
``url``        〔URL〕       personal web addresses; public sites stay (:mod:`.kinds`)
``address``    〔住所〕      street addresses, 〒 postal codes (:mod:`.address`)
``birthdate``  〔生年月日〕  a full date written as a birth date (:mod:`.kinds`)
=============  ============  =====================================================

The brackets 〔〕 are reserved for these placeholders: any other 〔 or 〕 in the input becomes
（ or ）, so a placeholder in the output always means "something was masked here".

How items are found
-------------------
* Patterns are matched on a *detection view* of the text in which full-width digits, letters and
  symbols are mapped one-to-one to their half-width forms (so offsets stay valid and raw,
  non-NFKC text is handled as well), and in which the cleaner's line separator `` / `` reads as a
  line break (:func:`~rsnet_analysis.privacy.patterns.line_view`): masking runs after
  :func:`~rsnet_analysis.text.normalize.clean_text` has joined the lines, and a signature line
  stays a line. A phone number needs the shape of a Japanese number (starts with 0 or +81, 10 or
  11 digits); after a label such as ``TEL:`` shorter numbers are accepted too.
* **Person names** in Japanese combine two signals. fugashi + unidic-lite tags surnames and given
  names (``固有名詞 / 人名 / 姓|名``); a tagged name is masked only in a context where respondents
  write names: before an honorific or role, before a self-introduction or sign-off word, after a
  label (担当, 記入者, 回答者, 記録, 文責 …), after a department, alone in brackets, as a full name,
  as a speaker in session notes, or alone at the end of a line (signature). Place and common nouns
  that are also surnames (千葉, 林) count only in the strongest contexts (千葉さん, 担当：福岡), never
  before a place word (千葉県). A name is masked whole: with its reading in brackets
  (岡田（おかだ）) and every katakana part (グエン・ヴァン・ナム).
* **Per-row strings** (``extra=``): the respondent's own name, e-mail and phone from the export's
  identity columns, masked wherever they occur in that row (:mod:`.identity`).

The tagger is created lazily on first use and is not part of the pickled state, so :class:`PiiMasker`
objects and :func:`mask_pii` can be pickled and sent to worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import AbstractContextManager
from itertools import compress
from typing import Any, NamedTuple

from rsnet_analysis.privacy.address import find_addresses
from rsnet_analysis.privacy.identity import Identity, compile_identity, identity_name_spans
from rsnet_analysis.privacy.kinds import find_birthdates, find_ids, find_urls
from rsnet_analysis.privacy.latin import LatinNames
from rsnet_analysis.privacy.lexicon import (
    DEPARTMENT_SUFFIXES,
    HONORIFIC_SUFFIXES,
    NAME_FOLLOWERS,
    NAME_LABELS,
    PLACEHOLDERS,
)
from rsnet_analysis.privacy.names import _KANA_OPENING_RE, MAX_NOUN_KEYS, _NameRules
from rsnet_analysis.privacy.patterns import (
    _BRACKET_EXTENSION_RE,
    _EMAIL_RE,
    _EXTENSION_RE,
    _FOREIGN_PHONE_RE,
    _HAS_JAPANESE_RE,
    _LABELLED_PHONE_RE,
    _MAX_ROUNDS,
    _PHONE_RE,
    _PLACEHOLDER_RE,
    NAME_VIEW_PLACEHOLDERS,
    PiiSpan,
    _escape_brackets,
    _Spans,
    _Tok,
    detect_folding,
    line_view,
    name_folding,
)
from rsnet_analysis.text.tagger import Feature, Tagged, shared_tagger

Extra = Iterable[str] | str | None
#: The fields of each raw MeCab feature string, decoded once per process.
_FIELDS: dict[str, tuple[str, str, str, str, str]] = {}
#: What a raw feature string is to the name rules (:func:`_noun_class`), once per process.
_NOUN_CLASS: dict[str, int] = {}
#: Any decimal digit (what the phone patterns' ``\d`` matches).
_DIGIT_RE = re.compile(r"\d")
_OTHER, _NOUN, _PERSON = 0, 1, 2


def _noun_class(f: Feature) -> int:
    """``_PERSON`` (a tagged personal name), ``_NOUN`` (another proper or common noun), else ``_OTHER``.

    Only proper and common nouns can start a name (``_NameRules._runs``).
    """
    if f.pos1 != "名詞" or f.pos2 not in ("固有名詞", "普通名詞"):
        return _OTHER
    return _PERSON if f.pos2 == "固有名詞" and f.pos3 == "人名" else _NOUN


class Masked(NamedTuple):
    """A masked answer with the MeCab pass the tokenizer can reuse (:meth:`PiiMasker.mask_tagged`)."""

    text: str
    tagged: Tagged | None
    blocked: list[tuple[int, int]]


class PiiMasker(_NameRules):
    """Find and mask personal information in Japanese free text.

    Parameters
    ----------
    honorifics : tuple of str, optional
        Words after a name that mark it as a person's name. Default :data:`HONORIFIC_SUFFIXES`.
    followers : tuple of str, optional
        Self-introduction words after a name. Default :data:`NAME_FOLLOWERS`.
    labels : tuple of str, optional
        Words before a name that introduce it. Default :data:`NAME_LABELS`.
    departments : tuple of str, optional
        Endings of department names after which a name is a signature.
        Default :data:`DEPARTMENT_SUFFIXES`.

    Notes
    -----
    The fugashi tagger is built on first use and dropped when pickling. :meth:`find`, :meth:`mask`
    and :meth:`mask_tagged` take ``extra``: strings of the row (the respondent's name, e-mail,
    phone) masked wherever they occur.
    """

    def __init__(
        self,
        *,
        honorifics: tuple[str, ...] = HONORIFIC_SUFFIXES,
        followers: tuple[str, ...] = NAME_FOLLOWERS,
        labels: tuple[str, ...] = NAME_LABELS,
        departments: tuple[str, ...] = DEPARTMENT_SUFFIXES,
    ) -> None:
        self.honorifics = tuple(honorifics)
        self.followers = tuple(followers)
        self.labels = tuple(labels)
        self.departments = tuple(departments)
        self._compile()

    # -- pickling -----------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "honorifics": self.honorifics,
            "followers": self.followers,
            "labels": self.labels,
            "departments": self.departments,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._compile()

    def __repr__(self) -> str:
        return "PiiMasker()"

    def _compile(self) -> None:
        self._compile_context()
        self._latin = LatinNames(self.labels)

    # -- tagging ------------------------------------------------------------------------------
    @staticmethod
    def tag_ahead(texts: Iterable[str]) -> AbstractContextManager[None]:
        """Tag, together, the texts that masking ``texts`` one by one will tag.

        Inside the block, masking one of ``texts`` finds its MeCab pass ready (see
        :meth:`MorphTagger.ahead <rsnet_analysis.text.tagger.MorphTagger.ahead>`, which is faster
        than tagging between the other work). What is tagged ahead is each text's name view:
        masking tags exactly that when the text holds no personal information found by pattern
        (most answers); the others are tagged as usual. The masks are the same either way.

        Parameters
        ----------
        texts : iterable of str
            The answers about to be masked (a few hundred).

        Returns
        -------
        context manager
        """
        return shared_tagger().ahead(map(name_folding, texts))

    @staticmethod
    def _toks(tagged: Tagged) -> list[_Tok]:
        feature = shared_tagger().feature
        fields = _FIELDS
        toks: list[_Tok] = []
        for surface, start, raw in zip(tagged.surfaces, tagged.starts, tagged.features, strict=True):
            if not surface:
                continue
            f = fields.get(raw)
            if f is None:
                g = feature(raw)
                f = fields[raw] = (g.pos1, g.pos2 or "", g.pos3 or "", g.pos4 or "", g.kana or "")
            toks.append(_Tok(start, start + len(surface), surface, *f))
        return toks

    def _may_hold_names(self, tagged: Tagged, view: str) -> bool:
        """False when :meth:`_find_names` would find nothing in this tagging of ``view``.

        That is so when no token can start a name (no candidate of ``_runs``), no token is
        tagged as a personal name, and the rules that read the text alone (a kanji word before a
        reading, a name in kana opening a message) find nothing. Most answers are such (three in
        four generated answers), and the check skips the name rules' walk over every morpheme.
        It looks up each morpheme's feature string in C (:data:`_NOUN_CLASS`) and decides on
        the nouns alone, by (surface, feature string), each pair once per masker.
        """
        raws = tagged.features
        classes = list(map(_NOUN_CLASS.get, raws))
        if None in classes:  # a feature string not seen before
            feature = shared_tagger().feature
            for i, raw in enumerate(raws):
                if classes[i] is None:
                    classes[i] = _NOUN_CLASS[raw] = _noun_class(feature(raw))
        if any(classes):
            if _PERSON in classes:
                return True
            surfaces, starts = tagged.surfaces, tagged.starts
            known: dict[tuple[str, str], bool] = self.__dict__.setdefault("_noun_candidates", {})
            for i in compress(range(len(classes)), classes):
                key = (surfaces[i], raws[i])
                ok = known.get(key)
                if ok is None:
                    if len(known) >= MAX_NOUN_KEYS:  # unknown words keep coming in a large input: start again
                        known.clear()
                    toks = self._toks(Tagged(tagged.text, [surfaces[i]], [starts[i]], [raws[i]]))
                    ok = known[key] = bool(toks) and self._starts_a_run(toks[0])
                if ok:
                    return True
        return bool(self._names_before_readings(view) or _KANA_OPENING_RE.match(view))

    def _tokens(self, view: str) -> list[_Tok]:
        return self._toks(shared_tagger().tag(view))

    # -- finding ------------------------------------------------------------------------------
    def find(self, text: str, extra: Extra = None) -> list[PiiSpan]:
        """Return the personal information found in ``text``, sorted by position.

        Parameters
        ----------
        text : str
            One answer (ideally NFKC-normalised; full-width digits and symbols are handled too).
        extra : iterable of str, optional
            Strings of this row to find wherever they occur: the respondent's own name, e-mail
            address and phone number (see :mod:`rsnet_analysis.privacy.identity`).

        Returns
        -------
        list of PiiSpan
            Non-overlapping spans. Existing placeholders are never reported.
        """
        return self._find(text, compile_identity(extra))[0]

    def _find(self, text: str, ident: Identity) -> tuple[list[PiiSpan], Tagged | None]:
        """The spans of :meth:`find`, and MeCab's pass over the text names were looked for in."""
        if not text:
            return [], None
        view = line_view(detect_folding(text))
        spans = _Spans(text)
        for pattern, kind in ident.patterns:
            for m in pattern.finditer(view):
                spans.add(m.start(), m.end(), kind)  # type: ignore[arg-type]
        self._regex_spans(view, spans)
        tagged = None
        if _HAS_JAPANESE_RE.search(view):
            tagged = self._name_spans(text, spans, ident)
        return sorted(spans.found, key=lambda s: s.start), tagged

    def _regex_spans(self, view: str, spans: _Spans) -> None:
        """Everything found by pattern: web addresses, e-mail, phone, birth dates, IDs, addresses, Latin names."""
        find_urls(view, spans)
        if "@" in view or "(at)" in view or "[at]" in view:  # what every address holds
            for m in _EMAIL_RE.finditer(view):
                spans.add(m.start(), m.end(), "email")
        if _DIGIT_RE.search(view):  # every kind of phone number below has digits
            self._phone_spans(view, spans)
        find_birthdates(view, spans)
        find_ids(view, spans)
        find_addresses(view, spans)
        self._latin.find(view, spans)

    @staticmethod
    def _phone_spans(view: str, spans: _Spans) -> None:
        """Phone numbers: domestic, +81, labelled, foreign, and their extensions."""
        for m in _PHONE_RE.finditer(view):
            digits = sum(c.isdigit() for c in m.group())
            if m.group().startswith("+81"):
                if 9 <= digits - 2 <= 11:
                    spans.add(m.start(), m.end(), "phone")
            elif digits in (10, 11):
                spans.add(m.start(), m.end(), "phone")
        for m in _LABELLED_PHONE_RE.finditer(view):
            if sum(c.isdigit() for c in m.group(1)) >= 6:
                spans.add(m.start(1), m.end(1), "phone")
        for m in _FOREIGN_PHONE_RE.finditer(view):
            if 8 <= sum(c.isdigit() for c in m.group()) <= 15:
                spans.add(m.start(), m.end(), "phone")
        for span in [s for s in spans.found if s.kind == "phone"]:
            ext = _BRACKET_EXTENSION_RE.match(view, span.end)
            if ext:
                spans.extend(span, span.start, ext.end())
        for m in _EXTENSION_RE.finditer(view):
            spans.add(m.start(), m.end(), "phone")

    def _name_spans(self, text: str, spans: _Spans, ident: Identity) -> Tagged:
        """Names written in Japanese: one MeCab pass over the text with the other kinds masked.

        Names are looked for in the text with the other kinds already replaced, so that masking
        masked text sees the same context and changes nothing.
        """
        name_view = name_folding(text)
        pieces: list[str] = []
        shifts: list[tuple[int, int, int]] = []  # (inter_start, inter_end, orig_start)
        pos = inter_len = 0
        for span in sorted(spans.found, key=lambda s: s.start):
            pieces.append(name_view[pos : span.start])
            shifts.append((inter_len, inter_len + span.start - pos, pos))
            inter_len += span.start - pos
            holder = NAME_VIEW_PLACEHOLDERS[span.kind]
            pieces.append(holder)
            inter_len += len(holder)
            pos = span.end
        pieces.append(name_view[pos:])
        shifts.append((inter_len, inter_len + len(text) - pos, pos))
        inter = "".join(pieces)
        tagged = shared_tagger().tag(inter)
        lines = line_view(inter)
        if not ident.names and not self._may_hold_names(tagged, lines):
            return tagged  # most answers: no token the name rules could start from
        toks = self._toks(tagged)
        known = identity_name_spans(self, lines, toks, ident) if ident.names else []
        for start, end in self._find_names(lines, toks, known):
            for lo, hi, orig in shifts:
                if lo <= start and end <= hi:
                    spans.add(orig + start - lo, orig + end - lo, "name")
                    break
        return tagged

    # -- masking ------------------------------------------------------------------------------
    def mask(self, text: str, extra: Extra = None) -> str:
        """Replace personal information in ``text`` with placeholders.

        Parameters
        ----------
        text : str
            One answer.
        extra : iterable of str, optional
            Strings of this row to mask wherever they occur (the respondent's own name, e-mail
            address, phone number).

        Returns
        -------
        str
            The text with each found item replaced by its placeholder (:data:`PLACEHOLDERS`); stray
            〔 〕 become （ ）. Masking masked text changes nothing.
        """
        return self._mask_rounds(text, compile_identity(extra))[0] if text else text

    def mask_tagged(self, text: str, extra: Extra = None) -> Masked:
        """Mask ``text`` and return MeCab's pass over the result, for the tokenizer to reuse.

        Parameters
        ----------
        text : str
            One answer.
        extra : iterable of str, optional
            Strings of this row to mask wherever they occur (see :meth:`find`).

        Returns
        -------
        Masked
            The masked text (as :meth:`mask` returns it), the tagging of its last round (None when
            the text has no Japanese, so no tagging was needed) and the placeholder spans in the
            tagged text. A text without personal information is tagged once; one in which
            something was masked is tagged once more, on the masked text.
        """
        masked, tagged = self._mask_rounds(text, compile_identity(extra))
        blocked = [m.span() for m in _PLACEHOLDER_RE.finditer(masked)]
        if tagged is not None and tagged.text != name_folding(masked):
            tagged = None  # pragma: no cover - the last round always tags the masked text
        return Masked(masked, tagged, blocked)

    def _mask_rounds(self, text: str, ident: Identity) -> tuple[str, Tagged | None]:
        """Mask until nothing changes; the tagging of the last round (one round without PII)."""
        masked, tagged = self._mask_round(text, ident)
        if masked != text:
            # a placeholder can change the context of a neighbouring word (佐藤長佐藤様); masking
            # again until nothing changes keeps mask(mask(x)) == mask(x)
            for _ in range(_MAX_ROUNDS):
                again, tagged = self._mask_round(masked, ident)
                if again == masked:
                    break
                masked = again
        return masked, tagged

    def _mask_round(self, text: str, ident: Identity) -> tuple[str, Tagged | None]:
        spans, tagged = self._find(text, ident)
        if not spans and "〔" not in text and "〕" not in text:
            return text, tagged
        out: list[str] = []
        pos = 0
        for span in spans:
            out.append(_escape_brackets(text[pos : span.start]))
            out.append(PLACEHOLDERS[span.kind])
            pos = span.end
        out.append(_escape_brackets(text[pos:]))
        return "".join(out), tagged

    def __call__(self, text: str, extra: Extra = None) -> str:
        """Same as :meth:`mask`."""
        return self.mask(text, extra)


_DEFAULT = PiiMasker()


def find_pii(text: str, extra: Extra = None) -> list[PiiSpan]:
    """Find names, e-mail addresses, phone numbers, IDs, personal URLs, addresses and birth dates.

    Parameters
    ----------
    text : str
        One answer.
    extra : iterable of str, optional
        Strings of this row to find wherever they occur (the respondent's own name, e-mail, phone).

    Returns
    -------
    list of PiiSpan
        Non-overlapping spans sorted by position.

    Examples
    --------
    >>> [(s.kind, s.text) for s in find_pii("担当の佐藤です。03-1234-5678")]
    [('name', '佐藤'), ('phone', '03-1234-5678')]
    """
    return _DEFAULT.find(text, extra)


def mask_pii(text: str, extra: Extra = None) -> str:
    """Replace personal information with 〔氏名〕〔メール〕〔電話〕〔ID〕〔URL〕〔住所〕〔生年月日〕.

    Parameters
    ----------
    text : str
        One answer (NFKC-normalised text is expected; raw full-width text works too).
    extra : iterable of str, optional
        Strings of this row to mask wherever they occur (the respondent's own name, e-mail, phone).

    Returns
    -------
    str
        The masked text. Deterministic and idempotent.

    Examples
    --------
    >>> mask_pii("情報政策課 田中より（tanaka@city.example.lg.jp）")
    '情報政策課 〔氏名〕より（〔メール〕）'
    >>> mask_pii("吉田が中心となりました。", extra=("吉田 裕子",))
    '〔氏名〕が中心となりました。'
    """
    return _DEFAULT.mask(text, extra)
