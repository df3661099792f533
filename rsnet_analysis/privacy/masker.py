

"""Personal-information masking for free-text answers.

Respondents sign their answers with their name, e-mail address or phone number. Before an answer is
tokenized (and so before anything can become a term, a label or a quoted voice) :func:`mask_pii`
replaces those items with bracketed placeholders:

========  ===========
kind      placeholder
========  ===========
``name``  〔氏名〕
``email`` 〔メール〕
``phone`` 〔電話〕
========  ===========

The brackets 〔〕 are reserved for these placeholders: any other 〔 or 〕 in the input becomes
（ or ）, so a placeholder in the output always means "something was masked here".

How items are found
-------------------
* **E-mail and phone** are found with regular expressions on a *detection view* of the text in which
  full-width digits, letters and symbols are mapped one-to-one to their half-width forms (so offsets
  stay valid and raw, non-NFKC text is handled as well). A phone number needs the shape of a Japanese
  number (starts with 0 or +81, 10 or 11 digits), so years, dates, money, counts and 8-digit codes are
  not touched; after a label such as ``TEL:`` or ``電話：`` shorter numbers are accepted too.
  ``内線1234`` is masked as a phone number.
* **Person names** are found by combining two signals. fugashi + unidic-lite tags surnames and given
  names (``固有名詞 / 人名 / 姓|名``); a tagged name is masked only in a context where respondents
  write names: before an honorific or role (:data:`HONORIFIC_SUFFIXES`), before a self-introduction
  or sign-off word (:data:`NAME_FOLLOWERS`), after a label (:data:`NAME_LABELS`), after a department
  (:data:`DEPARTMENT_SUFFIXES`), alone in brackets, as a full name (surname + given name), or at the end
  of the answer or of a line (signature position). A name directly followed by a place or organisation
  word (佐賀市, 高橋町, 大塚製薬) is not a person. Place names tagged ``地名`` (佐賀, 松本) count
  as names only before a personal honorific (千葉さん), never before 市長/知事.
  Further contexts: a job title + の before the name (係長の西田), a title or short note in brackets
  after it (高木(係長), 佐藤(人事)), a masked phone or e-mail right after it, two surnames joined by
  と before a particle (福田と村井が). Words the tagger reads as common nouns (平野, 荒木) count as
  surnames when the dictionary gives them a surname reading before a given name, in strong contexts
  only. Katakana names joined by ・ are one name (ジョン・スミス); the name view keeps the long-vowel
  mark ー (only the phone view maps it to a hyphen). Latin names are masked after a label
  (記入者: John Smith) or as two romanised Japanese words alone on a line (Kenji Sato).

The tagger is created lazily on first use and is not part of the pickled state, so :class:`PiiMasker`
objects and :func:`mask_pii` can be pickled and sent to worker processes.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from rsnet_analysis.privacy.lexicon import (
    _PERSONAL_ONLY_HONORIFICS,
    DEPARTMENT_SUFFIXES,
    END_FOLLOWERS,
    HONORIFIC_SUFFIXES,
    NAME_FOLLOWERS,
    NAME_LABELS,
    PLACE_OFFICE_TITLES,
    PLACEHOLDERS,
    ROLE_WORDS,
    PiiKind,
)
from rsnet_analysis.privacy.names import _NameRules
from rsnet_analysis.privacy.patterns import (
    _DETECT_TABLE,
    _EMAIL_RE,
    _EXTENSION_RE,
    _HAS_JAPANESE_RE,
    _LABELLED_PHONE_RE,
    _LATIN_NAME,
    _MAX_ROUNDS,
    _NAME_TABLE,
    _PHONE_RE,
    _PLACEHOLDER_RE,
    _ROMAJI_NAME_LINE_RE,
    PiiSpan,
    _alternation,
    _Tok,
)
from rsnet_analysis.text.tagger import Tagged, shared_tagger


class Masked(NamedTuple):
    """A masked answer with the MeCab pass the tokenizer can reuse (:meth:`PiiMasker.mask_tagged`)."""

    text: str
    tagged: Tagged | None
    blocked: list[tuple[int, int]]


class _Spans:
    """Non-overlapping spans found in one text; existing placeholders are never reported."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = [False] * len(text)
        for m in _PLACEHOLDER_RE.finditer(text):
            for i in range(m.start(), m.end()):
                self.taken[i] = True
        self.found: list[PiiSpan] = []

    def add(self, start: int, end: int, kind: PiiKind) -> None:
        """Add a span, trimmed of white space, unless it overlaps an earlier one."""
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end or any(self.taken[start:end]):
            return
        for i in range(start, end):
            self.taken[i] = True
        self.found.append(PiiSpan(start, end, kind, text[start:end]))


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
    The fugashi tagger is built on first use and dropped when pickling.
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
        hon = _alternation(self.honorifics)
        personal = _alternation(tuple(h for h in self.honorifics if h not in PLACE_OFFICE_TITLES))
        self._honorific_re = re.compile(rf"^\s?(?:{hon})")
        self._personal_honorific_re = re.compile(rf"^\s?(?:{personal})")
        self._follower_re = re.compile(rf"^\s?(?:{_alternation(self.followers)})")
        end = _alternation(END_FOLLOWERS)
        self._end_follower_re = re.compile(
            rf"^\s?(?:{end})(?:\s*[。.!！]?\s*(?:$|\n)|\s?(?:ご?連絡|お問い?合わ?せ|お願い|問い合わせ))"
        )
        self._contact_re = re.compile(
            r"^\s?(?:と申します|ともうします|でございます|まで\s?(?:ご?連絡|お問い?合わ?せ|お願い))"
        )
        self._label_re = re.compile(
            rf"(?:{_alternation(self.labels)})"
            r"(?:\s?[:：=]\s?|\s?[、,は]\s?|\s?の\s?|\s)?$"
        )
        self._latin_label_re = re.compile(
            rf"(?:{_alternation(self.labels)})[ \t]?[:：=]?[ \t]?({_LATIN_NAME})"
            r"(?=[ \t]*(?:$|\n|[(（、,。]|さん|様|氏))",
            flags=re.MULTILINE,
        )
        # a job title followed by の introduces a name (係長の西田が, 上司の佐藤から)
        titles = tuple(h for h in self.honorifics if h not in _PERSONAL_ONLY_HONORIFICS)
        self._role_of_re = re.compile(
            rf"(?:{_alternation(titles + ROLE_WORDS)}|[長監官])\s?の\s?$"  # DX推進監の大谷
        )
        # a title or a short note in brackets after a name: 高木(係長), 佐藤(人事)
        self._bracket_title_re = re.compile(rf"^\s?[(（]\s?(?:{hon})\s?[)）]")
        self._bracket_note_re = re.compile(r"^[(（][^()（）\n\d株有財社]{1,8}[)）]")
        # a masked phone number or e-mail address right after a name: 一ノ瀬(内線4455)まで
        contact = "|".join(
            re.escape(PLACEHOLDERS[k].translate(_NAME_TABLE)) for k in ("phone", "email")
        )
        self._contact_follows_re = re.compile(rf"^\s?[(（<\[]?\s?(?:{contact})")
        self._dept_re = re.compile(rf"(?:{_alternation(self.departments)})(?:\s?の\s?|\s)?$")
        self._open_bracket_re = re.compile(
            rf"[(（【\[［〈<＜]\s?(?:(?:{_alternation(self.labels)})\s?[:：]?\s?)?$"
        )
        self._close_bracket_re = re.compile(r"^\s?(?:" + hon + r")?\s?[)）】\]］〉>＞]")
        org = r"(?:[(（][^()（）\n]{1,20}(?:" + _alternation(self.departments) + r")[)）])"
        self._line_end_re = re.compile(
            r"^\s?(?:" + hon + r")?\s?" + org + r"?[。.．!！]?[ \t　]*(?:\n|$)"
        )
        self._separator_follows_re = re.compile(r"^\s?[/／]")
        self._boundary_before_re = re.compile(r"(?:^|[\n。．.!！?？、,:：\s/／・\-―>])\s?$")

    # -- tagging ------------------------------------------------------------------------------
    @staticmethod
    def _toks(tagged: Tagged) -> list[_Tok]:
        feature = shared_tagger().feature
        toks: list[_Tok] = []
        for surface, start, raw in zip(tagged.surfaces, tagged.starts, tagged.features, strict=True):
            if not surface:
                continue
            f = feature(raw)
            toks.append(
                _Tok(start, start + len(surface), surface, f.pos1, f.pos2 or "", f.pos3 or "", f.pos4 or "")
            )
        return toks

    def _tokens(self, view: str) -> list[_Tok]:
        return self._toks(shared_tagger().tag(view))

    # -- finding ------------------------------------------------------------------------------
    def find(self, text: str) -> list[PiiSpan]:
        """Return the personal information found in ``text``, sorted by position.

        Parameters
        ----------
        text : str
            One answer (ideally NFKC-normalised; full-width digits and symbols are handled too).

        Returns
        -------
        list of PiiSpan
            Non-overlapping spans. Existing placeholders are never reported.
        """
        return self._find(text)[0]

    def _find(self, text: str) -> tuple[list[PiiSpan], Tagged | None]:
        """The spans of :meth:`find`, and MeCab's pass over the text names were looked for in."""
        if not text:
            return [], None
        view = text.translate(_DETECT_TABLE)
        spans = _Spans(text)
        self._regex_spans(view, spans)
        tagged = None
        if _HAS_JAPANESE_RE.search(view):
            tagged = self._name_spans(text, spans)
        return sorted(spans.found, key=lambda s: s.start), tagged

    def _regex_spans(self, view: str, spans: _Spans) -> None:
        """E-mail addresses, phone numbers and names in Latin letters, by regular expression."""
        for m in _EMAIL_RE.finditer(view):
            spans.add(m.start(), m.end(), "email")
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
        for m in _EXTENSION_RE.finditer(view):
            spans.add(m.start(), m.end(), "phone")
        # names in latin letters: after a label (記入者: John Smith) or as a romanised Japanese
        # name on a line of its own (Kenji Sato)
        for m in self._latin_label_re.finditer(view):
            if any(c.islower() for c in m.group(1)):
                spans.add(m.start(1), m.end(1), "name")
        for m in _ROMAJI_NAME_LINE_RE.finditer(view):
            spans.add(m.start(1), m.end(1), "name")

    def _name_spans(self, text: str, spans: _Spans) -> Tagged:
        """Names written in Japanese: one MeCab pass over the text with the other kinds masked.

        Names are looked for in the text with e-mails and phones already replaced, so that masking
        masked text sees the same context and changes nothing.
        """
        name_view = text.translate(_NAME_TABLE)
        pieces: list[str] = []
        shifts: list[tuple[int, int, int]] = []  # (inter_start, inter_end, orig_start)
        pos = inter_len = 0
        for span in sorted(spans.found, key=lambda s: s.start):
            pieces.append(name_view[pos : span.start])
            shifts.append((inter_len, inter_len + span.start - pos, pos))
            inter_len += span.start - pos
            holder = PLACEHOLDERS[span.kind].translate(_NAME_TABLE)
            pieces.append(holder)
            inter_len += len(holder)
            pos = span.end
        pieces.append(name_view[pos:])
        shifts.append((inter_len, inter_len + len(text) - pos, pos))
        inter = "".join(pieces)
        tagged = shared_tagger().tag(inter)
        for start, end in self._find_names(inter, self._toks(tagged)):
            for lo, hi, orig in shifts:
                if lo <= start and end <= hi:
                    spans.add(orig + start - lo, orig + end - lo, "name")
                    break
        return tagged

    # -- masking ------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        """Replace personal information in ``text`` with placeholders.

        Parameters
        ----------
        text : str
            One answer.

        Returns
        -------
        str
            The text with each found item replaced by its placeholder (:data:`PLACEHOLDERS`); stray
            〔 〕 become （ ）. Masking masked text changes nothing.
        """
        if not text:
            return text
        masked = self._mask_once(text)
        if masked == text:
            return masked
        # a placeholder can change the context of a neighbouring word (佐藤長佐藤様); masking
        # again until nothing changes keeps mask(mask(x)) == mask(x). Texts without personal
        # information take a single round.
        for _ in range(_MAX_ROUNDS):
            again = self._mask_once(masked)
            if again == masked:
                break
            masked = again
        return masked

    def mask_tagged(self, text: str) -> Masked:
        """Mask ``text`` and return MeCab's pass over the result, for the tokenizer to reuse.

        Parameters
        ----------
        text : str
            One answer.

        Returns
        -------
        Masked
            The masked text (as :meth:`mask` returns it), the tagging of its last round (None when
            the text has no Japanese, so no tagging was needed) and the placeholder spans in the
            tagged text. A text without personal information is tagged once; one in which
            something was masked is tagged once more, on the masked text.
        """
        masked, tagged = self._mask_round(text)
        if masked != text:
            for _ in range(_MAX_ROUNDS):
                again, tagged = self._mask_round(masked)
                if again == masked:
                    break
                masked = again
        blocked = [m.span() for m in _PLACEHOLDER_RE.finditer(masked)]
        if tagged is not None and tagged.text != masked.translate(_NAME_TABLE):
            tagged = None  # pragma: no cover - the last round always tags the masked text
        return Masked(masked, tagged, blocked)

    def _mask_once(self, text: str) -> str:
        return self._mask_round(text)[0]

    def _mask_round(self, text: str) -> tuple[str, Tagged | None]:
        spans, tagged = self._find(text)
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

    __call__ = mask


def _escape_brackets(segment: str) -> str:
    """Turn 〔 〕 that are not part of a placeholder into （ ）."""
    if "〔" not in segment and "〕" not in segment:
        return segment
    parts = _PLACEHOLDER_RE.split(segment)
    holders = _PLACEHOLDER_RE.findall(segment)
    out = [parts[0].replace("〔", "（").replace("〕", "）")]
    for holder, part in zip(holders, parts[1:], strict=True):
        out.append(holder)
        out.append(part.replace("〔", "（").replace("〕", "）"))
    return "".join(out)


_DEFAULT = PiiMasker()


def find_pii(text: str) -> list[PiiSpan]:
    """Find names, e-mail addresses and phone numbers in ``text``.

    Parameters
    ----------
    text : str
        One answer.

    Returns
    -------
    list of PiiSpan
        Non-overlapping spans sorted by position.

    Examples
    --------
    >>> [(s.kind, s.text) for s in find_pii("担当の佐藤です。03-1234-5678")]
    [('name', '佐藤'), ('phone', '03-1234-5678')]
    """
    return _DEFAULT.find(text)


def mask_pii(text: str) -> str:
    """Replace names, e-mail addresses and phone numbers with 〔氏名〕〔メール〕〔電話〕.

    Parameters
    ----------
    text : str
        One answer (NFKC-normalised text is expected; raw full-width text works too).

    Returns
    -------
    str
        The masked text. Deterministic and idempotent.

    Examples
    --------
    >>> mask_pii("情報政策課 田中より（tanaka@city.example.lg.jp）")
    '情報政策課 〔氏名〕より（〔メール〕）'
    """
    return _DEFAULT.mask(text)
