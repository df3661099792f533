"""Street addresses and postal codes (〔住所〕).

An address is one span from 〒 (or from the prefecture or city) through the block numbers and the
building and room, as written in Japan:

- ``〒380-0836 長野県長野市南県町5-12-8``, ``横浜市港北区日吉本町3丁目14番2号``,
  ``〇〇郡△△町大字中山456番地``, ``北海道帯広市西5条南12丁目4-3``,
  ``川崎市中原区小杉町2-7-15 サンハイツ305号室``;
- a postal code alone after 〒 or 郵便番号.

A postal code whose last four digits are 8000 or above is a large organisation's own code
(事業所個別番号: 〒849-8501 佐賀県, 〒100-8926 for a ministry): it and the address after it stay.

A place name needs block numbers to be an address: 松本市, 長野市の方, 中央2丁目の公民館 (no
municipality), 国道20号, 第3-2回, 町内会3-1 (only 町 and one hyphen) stay.
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.patterns import _Spans

__all__ = ["find_addresses"]

_PLACE_CH = r"[\u4e00-\u9fff\u30a1-\u30faー々〇○◯△ヶケノ]"
#: Block numbers: 2丁目3-4, 5丁目12番8号, 1234番地2, 4丁351-2-708号, 3-15-7.
_NUM = (
    r"(?:\d{1,5}(?:(?:丁目|丁|番地|番|号|-|の)\d{1,5})+(?:丁目|番地|番|号)?|\d{1,5}(?:丁目|番地|番|号))"
    r"(?![\d条線])"
)
_BUILDING = (
    r"(?:[ \t]?(?:[\u30a1-\u30faー\u4e00-\u9fffA-Za-z][\u30a1-\u30faー\u4e00-\u9fffA-Za-z々\-]{1,15})"
    r"[ \t]?\d{1,4}(?:号室|号|室)?(?![\d\-]))"
)
_ADDRESS_RE = re.compile(
    r"(?P<pre>(?:(?:(?<![ぁ-ん])|(?<=[はがをにでへもとの]))(?![はがをにでへもとのや])[ぁ-ん]{2,5}(?=[市町村]))?"
    rf"(?:{_PLACE_CH}|\d{{1,3}}(?:条|線|地割))+?)"
    rf"(?P<num>{_NUM})(?P<room>{_BUILDING})?"
)
_POSTAL_RE = re.compile(r"〒[ \t]?\d{3}-?\d{4}(?!\d)|(?<=郵便番号)[ \t]?[:]?[ \t]?\d{3}-\d{4}(?!\d)")
_PREFECTURE_RE = re.compile(r"東京都|北海道|京都府|大阪府|[\u4e00-\u9fff]{2,3}県")
_CITY_RE = re.compile(r"[市区郡]|東京都|北海道|京都府|大阪府|[\u4e00-\u9fff]{2,3}県|大字")
_TOWN_RE = re.compile(r"[町村]")
#: Words glued before an address that are not part of it (自宅松本市…).
_LEADING_WORDS_RE = re.compile(r"^(?:自宅|実家|住所|現住所|新住所|旧住所|所在地|送付先|宛先|居住地|本籍)")
_HAS_ADDRESS_HINT_RE = re.compile(r"〒|郵便番号|\d(?:丁|番|号|-\d)")


def _valid(pre: str, num: str) -> bool:
    """Tell whether ``pre`` + ``num`` is a street address, not a place name and a number."""
    if _CITY_RE.search(pre):
        return bool(re.search(r"丁|番|号|-", num))
    if _TOWN_RE.search(pre):
        return bool(re.search(r"丁|番|号", num)) or num.count("-") >= 2
    return False


def _start_of(pre: str) -> int:
    """Offset in ``pre`` where the address starts (the prefecture, or after a glued word)."""
    m = _PREFECTURE_RE.search(pre)
    if m:
        return m.start()
    lead = _LEADING_WORDS_RE.match(pre)
    return lead.end() if lead and lead.end() < len(pre) else 0


def find_addresses(view: str, spans: _Spans) -> None:
    """Mask street addresses (with 〒 and the postal code when written before them) and postal codes.

    Parameters
    ----------
    view : str
        The detection view of one answer.
    spans : _Spans
        Where the spans go.
    """
    if not _HAS_ADDRESS_HINT_RE.search(view):
        return
    postal = {m.end(): m.start() for m in _POSTAL_RE.finditer(view)}
    office = {end for end in postal if view[end - 4] in "89"}
    used: set[int] = set()
    for m in _ADDRESS_RE.finditer(view):
        pre, num = m.group("pre"), m.group("num")
        if not _valid(pre, num):
            continue
        start = m.start() + _start_of(pre)
        for end_at in (start, start - 1, start - 2):
            if end_at in postal and view[end_at:start].strip() == "":
                start = postal[end_at]
                used.add(end_at)
                break
        if start in postal.values() and any(postal[e] == start for e in office):
            spans.protect(start, m.end())
        else:
            spans.add(start, m.end(), "address")
    for end, start in postal.items():
        if end not in used and end not in office:
            spans.add(start, end, "address")
