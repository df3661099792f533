"""Per-row strings to mask everywhere: the respondent's own name, e-mail and phone.

A survey export often carries the respondent's identity in columns of its own (名前, メールアドレス,
電話番号). Those values are passed to the masker with the row's answer
(``PiiMasker().mask(text, extra=("吉田 裕子", "yoshida@…", "0263-11-2233"))``) and masked wherever
they occur in that answer, even where no rule would see a name:

- an e-mail address, case-insensitively;
- a phone number, by its digits, whatever the separators (0263-11-2233 = 0263112233);
- a name in Latin letters, as a whole and word by word, at word boundaries;
- a Japanese name as a whole (with or without the space), its surname and given name separately,
  and their readings in kana (ゆうこ, ユウコ for 裕子, from the dictionary), where MeCab's word
  boundaries fall on both ends and no place word is glued after it (松本 is masked in 松本も,
  not in 松本市). A one-character name, or a word the dictionary reads as an ordinary word
  (希望, 光), is masked only in a name context (林さん, 担当：林).

:func:`compile_identity` is cached; the readings come from one MeCab pass over the name itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rsnet_analysis.privacy.patterns import _EMAIL_RE, _Tok
from rsnet_analysis.text.tagger import shared_tagger

if TYPE_CHECKING:  # pragma: no cover
    from rsnet_analysis.privacy.names import _NameRules

__all__ = ["Identity", "compile_identity", "identity_name_spans"]

_BLANK = frozenset({"", "nan", "none", "null", "-", "—", "なし", "特になし", "n/a"})
_KANJI_RE = re.compile(r"[\u4e00-\u9fff々〆ヶ]")


@dataclass(frozen=True)
class Identity:
    """The compiled strings of one row (see :func:`compile_identity`).

    Attributes
    ----------
    patterns : tuple of (re.Pattern, str)
        Regular expressions for e-mail addresses, phone numbers and Latin names, with their kind,
        matched on the detection view.
    names : tuple of str
        Japanese name strings (whole names, parts, readings), longest first.
    short : frozenset of str
        The strings among ``names`` that are masked only in a name context.
    """

    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()
    names: tuple[str, ...] = ()
    short: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.patterns or self.names)


def _phone_pattern(value: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return None
    variants = [digits]
    if value.lstrip().startswith("+81"):
        variants.append("0" + digits[2:])
    body = "|".join(r"[-\s()]*".join(variants_one) for variants_one in variants)
    return re.compile(rf"(?<![\d+])(?:\+81[-\s]?)?(?:{body})(?!\d)")


def _latin_patterns(value: str) -> list[re.Pattern[str]]:
    words = [w for w in re.split(r"[\s,]+", value) if w]
    out = []
    if len(words) >= 2:
        whole = [r"\s+".join(map(re.escape, words)), r"\s+".join(map(re.escape, reversed(words)))]
        out.append(re.compile(rf"(?i)(?<![A-Za-z])(?:{'|'.join(whole)})(?![A-Za-z])"))
    out += [re.compile(rf"(?i)(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])") for w in words if len(w) >= 3]
    return out


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def _japanese_strings(value: str) -> tuple[list[str], list[str]]:
    """Whole name, parts and readings of a Japanese name; and which of them are short."""
    parts = [p for p in re.split(r"[\s・]+", value) if p]
    tagger = shared_tagger()
    if len(parts) == 1 and len(parts[0]) >= 3:  # 吉田裕子 written without a space
        tagged = tagger.tag(parts[0])
        feats = [tagger.feature(f) for f in tagged.features]
        if len(tagged.surfaces) == 2 and all(f.pos3 == "人名" for f in feats):
            parts = list(tagged.surfaces)
    strings = ["".join(parts), " ".join(parts)] if len(parts) > 1 else []
    strings += parts
    for part in parts:
        if _KANJI_RE.search(part):
            tagged = tagger.tag(part)
            kana = [tagger.feature(f).kana for f in tagged.features]
            if kana and all(kana):
                reading = "".join(k for k in kana if k)
                strings += [reading, _hiragana(reading)]
    strings = sorted(set(strings), key=len, reverse=True)
    short = [s for s in strings if len(s) <= 1 or (len(s) <= 2 and not _KANJI_RE.search(s))]
    return strings, short


@lru_cache(maxsize=4096)
def _compile(values: tuple[str, ...]) -> Identity:
    patterns: list[tuple[re.Pattern[str], str]] = []
    names: list[str] = []
    short: list[str] = []
    for raw in values:
        value = unicodedata.normalize("NFKC", raw).strip()
        if value.lower() in _BLANK:
            continue
        if _EMAIL_RE.fullmatch(value.replace(" ", "")):
            email = re.escape(value.replace(" ", ""))
            patterns.append((re.compile(rf"(?i)(?<![A-Za-z0-9._%+-]){email}(?![A-Za-z0-9-])"), "email"))
        elif re.fullmatch(r"[+\d\-()\s]+", value):
            phone = _phone_pattern(value)
            if phone is not None:
                patterns.append((phone, "phone"))
        elif re.fullmatch(r"[A-Za-z][A-Za-z.'\-\s,]*", value):
            patterns += [(p, "name") for p in _latin_patterns(value)]
        else:
            strings, shorts = _japanese_strings(value)
            names += strings
            short += shorts
    ordered = tuple(sorted(set(names), key=len, reverse=True))
    return Identity(tuple(patterns), ordered, frozenset(short))


def compile_identity(extra: Iterable[str] | str | None) -> Identity:
    """Compile the identity strings of one row.

    Parameters
    ----------
    extra : iterable of str, str or None
        The row's own name, e-mail address and phone number (any of them may be missing or
        empty). A single string counts as one value.

    Returns
    -------
    Identity
        Patterns for e-mail, phone and Latin names and the Japanese name strings; falsy when
        there is nothing to mask.

    Examples
    --------
    >>> ident = compile_identity(("吉田 裕子", "0263-11-2233"))
    >>> ident.names[:2]
    ('吉田 裕子', '吉田裕子')
    """
    if extra is None:
        return Identity()
    if isinstance(extra, str):
        extra = (extra,)
    values = tuple(str(v) for v in extra if isinstance(v, str) and v.strip())
    return _compile(values) if values else Identity()


def identity_name_spans(rules: _NameRules, view: str, toks: list[_Tok], ident: Identity) -> list[tuple[int, int]]:
    """Where the Japanese name strings of ``ident`` occur in ``view`` as a person's name.

    Parameters
    ----------
    rules : _NameRules
        The masker, for its context rules.
    view : str
        The line view of the name view that ``toks`` were tagged from.
    toks : list of _Tok
        MeCab's tokens of the view.
    ident : Identity
        The row's identity strings.

    Returns
    -------
    list of (int, int)
        Character spans, possibly overlapping (the caller merges them).
    """
    starts = {t.start: k for k, t in enumerate(toks)}
    ends = {t.end: k for k, t in enumerate(toks)}
    found: list[tuple[int, int]] = []
    for s in ident.names:
        pos = view.find(s)
        while pos >= 0:
            end = pos + len(s)
            if pos in starts and end in ends and _accepted(rules, view, toks, starts[pos], ends[end] + 1, s in ident.short):
                found.append((pos, end))
            pos = view.find(s, pos + 1)
    return found


def _accepted(rules: _NameRules, view: str, toks: list[_Tok], i: int, j: int, short: bool) -> bool:
    """Tell whether ``toks[i:j]`` (an identity string) is used as a name here."""
    run = toks[i:j]
    plain_word = not all(t.is_person or t.is_place for t in run) and len(run) == 1
    if short or plain_word:
        return rules._is_name(view, toks, i, j, person=True)
    return not rules._place_follows(view, toks, j) and not rules._glued_before(view, toks, i)
