"""Regular expressions and detection views for e-mail, phone and Latin names; the span records."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rsnet_analysis.privacy.lexicon import PLACEHOLDERS, PiiKind

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
#: A person's name in latin letters on a line of its own (a signature): two romanised Japanese
#: words in title case (Kenji Sato, SATO Kenji). English words (Power BI, Microsoft Teams) are not.
_ROMAJI_NAME_LINE_RE = re.compile(
    rf"(?im)^[ \t]*((?-i:[A-Z]){_ROMAJI}[ \t]+(?-i:[A-Z]){_ROMAJI})[ \t]*$"
)
#: Title-case latin words (John Smith, Sato Kenji) directly after a name label.
_LATIN_NAME = r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ \t]+(?:[A-Z]\.|[A-Z][a-z]+|[A-Z]{2,})){0,3}"
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
    kind : {"name", "email", "phone"}
        What was found; :data:`PLACEHOLDERS` gives its replacement.
    text : str
        The matched characters.
    """

    start: int
    end: int
    kind: PiiKind
    text: str


@dataclass
class _Tok:
    start: int
    end: int
    surface: str
    pos1: str
    pos2: str
    pos3: str
    pos4: str

    @property
    def is_person(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "人名"

    @property
    def is_place(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "地名"
