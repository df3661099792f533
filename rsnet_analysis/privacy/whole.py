"""Whole names: a found name is widened over its reading and over every katakana part of it.

- 岡田（おかだ）, 髙橋 一郎（たかはし いちろう）: a reading in kana in brackets right after a name is
  part of it (a reading in katakana only when it is the dictionary's reading of the name, so
  栗原（ファシリテーター） keeps its role);
- グエン・ヴァン・ナム: the katakana words joined by ・ or ＝ around a found name are the rest of it;
  a chain with a tagged personal name before a personal honorific is a name (ファン・ティ・ホアさん).

Names are therefore never half-masked (no グエン・ヴァン・〔氏名〕).
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.context import reading_after
from rsnet_analysis.privacy.patterns import _KATAKANA_RE, _Tok

__all__ = ["katakana_chains", "with_readings"]

_KATAKANA_CHAIN_RE = re.compile(r"[\u30a1-\u30faー]{2,}(?:[・=＝][\u30a1-\u30faー]{1,}){1,4}")


def katakana_chains(
    view: str, toks: list[_Tok], found: list[tuple[int, int]], honorific: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Widen names to their whole katakana chain (グエン・ヴァン・ナム).

    Parameters
    ----------
    view : str
        The line view the tokens were tagged from.
    toks : list of _Tok
        MeCab's tokens of ``view``.
    found : list of (int, int)
        Name spans found so far.
    honorific : re.Pattern
        Personal honorifics (さん, 様 …) anchored at the start; a chain with a tagged personal
        name before one is a name too (ファン・ティ・ホアさん).

    Returns
    -------
    list of (int, int)
        The spans, sorted, with chains in place of their parts.
    """
    if "・" not in view and "=" not in view and "＝" not in view:
        return found
    persons = {t.start for t in toks if t.is_person}
    if not persons and not found:
        return found
    out = list(found)
    for m in _KATAKANA_CHAIN_RE.finditer(view):
        a, b = m.span()
        inside = [f for f in out if f[0] < b and a < f[1]]
        named = any(a <= p < b for p in persons) and honorific.match(view[b : b + 8])
        if inside and all(a <= f[0] and f[1] <= b for f in inside) or (not inside and named):
            out = [f for f in out if f not in inside] + [(a, b)]
    # two katakana names joined by ・ (ジョン・スミス) found as two runs become one
    return sorted(out)


def with_readings(view: str, toks: list[_Tok], found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping spans and widen each over a reading in brackets right after it.

    Parameters
    ----------
    view : str
        The line view the tokens were tagged from.
    toks : list of _Tok
        MeCab's tokens of ``view`` (their dictionary readings check a katakana reading).
    found : list of (int, int)
        Name spans, possibly overlapping.

    Returns
    -------
    list of (int, int)
        Sorted, non-overlapping spans; katakana names joined by ・, ＝ or a space become one.
    """
    out: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        kana = "".join(t.kana for t in toks if start <= t.start and t.end <= end)
        reading = reading_after(view, end, kana)
        if reading:
            end = reading.end()
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif out and _KATAKANA_RE.match(view[start:end]) and _KATAKANA_RE.match(
            view[out[-1][0] : out[-1][1]]
        ) and view[out[-1][1] : start] in ("・", "=", "＝", " "):
            out[-1] = (out[-1][0], end)  # a foreign name written in katakana is one name
        else:
            out.append((start, end))
    return out
