r"""Regular expressions and detection views for e-mail and phone; the span records.

Line boundaries: :func:`rsnet_analysis.text.normalize.clean_text` joins the lines of an answer with
`` / `` before masking, so every rule that looks for the start or the end of a line reads the
*line view* of :func:`line_view`, in which each `` / `` is `` \n `` (same length, so offsets stay
valid). MeCab still tags the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rsnet_analysis.privacy.lexicon import PLACEHOLDERS, PiiKind
from rsnet_analysis.text.normalize import LINE_SEPARATOR

_LINE_BREAK_VIEW = " \n "
assert len(_LINE_BREAK_VIEW) == len(LINE_SEPARATOR)


def line_view(view: str) -> str:
    r"""``view`` with each line separator of the cleaner (`` / ``) read as a line break.

    Parameters
    ----------
    view : str
        A detection or name view of one answer.

    Returns
    -------
    str
        The same text, same length, with `` / `` replaced by `` \n ``.
    """
    return view.replace(LINE_SEPARATOR, _LINE_BREAK_VIEW) if LINE_SEPARATOR in view else view

#: Characters mapped one-to-one for detection only (full-width forms, dash and long-vowel variants,
#: itaiji in surnames). The output keeps the original characters outside masked spans.
_DETECT_TABLE: dict[int, int] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    **{ord(c): ord("-") for c in "－‐‑‒–—―−ｰー"},
    **{ord(c): ord(h) for c, h in zip("（）＠．＿＋：　／［］", "()@._+: /[]", strict=True)},
    ord("髙"): ord("高"),
    ord("﨑"): ord("崎"),
    ord("\x00"): ord(" "),
    ord("〔"): ord("（"),
    ord("〕"): ord("）"),
}

#: The view names are looked for in: the same mapping, except that the katakana long-vowel mark
#: stays a long-vowel mark (エミリー must not become エミリ-), and half-width ｰ becomes ー.
_NAME_TABLE: dict[int, int] = {
    **{k: v for k, v in _DETECT_TABLE.items() if k not in (ord("ー"), ord("ｰ"))},
    ord("ｰ"): ord("ー"),
}


class _Folding:
    """``str.translate`` with a one-to-one table, by regular expression.

    ``str.translate`` looks every character up in the table (about 10 µs for a 55-character
    answer); most answers hold none or a few of the table's characters, which one scan of a
    character class finds (well under 1 µs) and a callback replaces. The result is the same.
    """

    __slots__ = ("_chars", "_mapping")

    def __init__(self, table: dict[int, int]) -> None:
        self._mapping = {chr(k): chr(v) for k, v in table.items()}
        self._chars = re.compile("[" + "".join(re.escape(c) for c in sorted(self._mapping)) + "]")

    def __call__(self, text: str) -> str:
        if self._chars.search(text) is None:
            return text
        mapping = self._mapping
        return self._chars.sub(lambda m: mapping[m.group()], text)


#: ``text.translate(_DETECT_TABLE)`` and ``text.translate(_NAME_TABLE)``.
detect_folding, name_folding = _Folding(_DETECT_TABLE), _Folding(_NAME_TABLE)
#: Each placeholder as the name view reads it.
NAME_VIEW_PLACEHOLDERS: dict[str, str] = {kind: name_folding(holder) for kind, holder in PLACEHOLDERS.items()}

_MAX_ROUNDS = 5
_CONTEXT = 64  # characters of context looked at on each side of a candidate name

_SEP = r"[- \t]{0,2}"
_DOT_PHONE = r"0\d{1,4}\.\d{1,4}\.\d{3,4}"  # 070.1234.5678: dots only when every separator is one
_PHONE_RE = re.compile(
    r"(?<![A-Za-z0-9.,@+-])(?<![A-Za-z0-9/:]/)"  # "/" only as a list separator, not in a path
    r"(?:" + _DOT_PHONE + r"|"
    # +81 international form: +81-3-1234-5678, +81 90 1234 5678
    r"\+81[- \t]?\(?0?\)?\d{1,4}[- \t)]{0,2}\d{1,4}[- \t]{0,2}\d{3,4}"
    r"|"
    # area code in parentheses: (03)1234-5678
    r"\(0\d{1,4}\)[ \t]?\d{1,4}" + _SEP + r"\d{3,4}"
    r"|"
    # domestic: 03-1234-5678, 011(123)4567, 0120-123-456, 09012345678
    r"0\d{1,4}(?:" + _SEP + r"|[ \t]?\([ \t]?)\d{1,4}(?:" + _SEP + r"|[ \t]?\)[ \t]?)\d{3,4}"
    r")"
    r"(?![A-Za-z0-9.,/]*\d)(?![A-Za-z0-9])"
)
_EXTENSION_RE = re.compile(r"(?:内線|ext\.?|Ext\.?|EXT\.?)[ \t]?[:#]?[ \t]?\d{2,6}(?!\d)")
#: An extension in brackets right after a number belongs to it: 0263-12-3456（内線2231）.
_BRACKET_EXTENSION_RE = re.compile(
    r"[ \t]?\([ \t]?(?:内線|ext\.?|Ext\.?|EXT\.?)[ \t]?[:#]?[ \t]?\d{2,6}[ \t]?\)"
)
#: A number with a foreign country code: +84 90 123 4567, +1 415-555-0134 (8 to 15 digits).
_FOREIGN_PHONE_RE = re.compile(
    r"(?<![\w+])\+(?!81)[1-9]\d{0,2}[ \t-]?(?:\(\d{1,4}\)[ \t-]?)?\d{1,4}(?:[ \t-]?\d{2,4}){1,3}(?![\w])"
)
_LABELLED_PHONE_RE = re.compile(
    r"(?:TEL|Tel|tel|FAX|Fax|fax|電話番号|電話|携帯|直通|代表)[ \t]?(?:番号)?[ \t]?[:.]?[ \t]?"
    r"(\(?\d{2,5}\)?[- \t]?\d{1,4}[- \t]?\d{3,4})(?![A-Za-z0-9])"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    r"\s?(?:@|\(at\)|\[at\])\s?"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
#: A romanised Japanese word (Hepburn syllables): Kenji, Sato, Ohno, Shun'ichi.
_ROMAJI = r"(?:(?:[kgsztdnhbpmyrwfjc]|sh|ch|ts|[kgnhbpmr]y|j)?[aeiou]h?|n'?|(?<=[aeiou])[kstpc](?=[kstpc]))+"
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_KATAKANA_RE = re.compile(r"^[\u30a1-\u30faー]+$")
_KANJI_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff々〆ヶ]+$")
_HAS_JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class PiiSpan:
    """One item of personal information found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets in the text given to :func:`find_pii` (``text[start:end] == text``).
    kind : {"name", "email", "phone", "id", "url", "address", "birthdate"}
        What was found; :data:`PLACEHOLDERS` gives its replacement.
    text : str
        The matched characters.
    """

    start: int
    end: int
    kind: PiiKind
    text: str


class _Spans:
    """Non-overlapping spans found in one text; existing placeholders are never reported.

    Parameters
    ----------
    text : str
        The text the offsets refer to.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = [False] * len(text)
        for m in _PLACEHOLDER_RE.finditer(text):
            for i in range(m.start(), m.end()):
                self.taken[i] = True
        self.found: list[PiiSpan] = []

    def free(self, start: int, end: int) -> bool:
        """True when no character of ``[start, end)`` belongs to an earlier span or placeholder."""
        return not any(self.taken[start:end])

    def add(self, start: int, end: int, kind: PiiKind) -> bool:
        """Add a span, trimmed of white space, unless it overlaps an earlier one; True when added."""
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end or any(self.taken[start:end]):
            return False
        for i in range(start, end):
            self.taken[i] = True
        self.found.append(PiiSpan(start, end, kind, text[start:end]))
        return True

    def protect(self, start: int, end: int) -> None:
        """Keep ``[start, end)`` as it is: no later span may overlap it (a public web address)."""
        for i in range(start, end):
            self.taken[i] = True

    def extend(self, span: PiiSpan, start: int, end: int) -> PiiSpan:
        """Grow a found span to ``[start, end)`` when the added characters are free."""
        if not self.free(start, span.start) or not self.free(span.end, end):
            return span
        grown = PiiSpan(start, end, span.kind, self.text[start:end])
        self.found[self.found.index(span)] = grown
        for i in range(start, end):
            self.taken[i] = True
        return grown


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    surface: str
    pos1: str
    pos2: str
    pos3: str
    pos4: str
    kana: str = ""

    @property
    def is_person(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "人名"

    @property
    def is_place(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "地名"


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
