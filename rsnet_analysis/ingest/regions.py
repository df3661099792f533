"""Prefecture → region, using the usual eight-region division (八地方区分).

The eight regions, listed north to south: 北海道, 東北, 関東, 中部, 近畿, 中国, 四国, 九州・沖縄.
三重県 is counted in 近畿 and 新潟県 in 中部,
as in the division taught in school.

Prefecture names are accepted with or without their suffix (東京 / 東京都, 大阪 / 大阪府, 青森 / 青森県),
in full-width or half-width form and with surrounding spaces.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

REGIONS: tuple[str, ...] = (
    "北海道",
    "東北",
    "関東",
    "中部",
    "近畿",
    "中国",
    "四国",
    "九州・沖縄",
)
"""The eight regions, north to south; use this order whenever regions are listed."""

PREFECTURES_BY_REGION: dict[str, tuple[str, ...]] = {
    "北海道": ("北海道",),
    "東北": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "関東": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"),
    "中部": (
        "新潟県",
        "富山県",
        "石川県",
        "福井県",
        "山梨県",
        "長野県",
        "岐阜県",
        "静岡県",
        "愛知県",
    ),
    "近畿": ("三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "中国": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "四国": ("徳島県", "香川県", "愛媛県", "高知県"),
    "九州・沖縄": (
        "福岡県",
        "佐賀県",
        "長崎県",
        "熊本県",
        "大分県",
        "宮崎県",
        "鹿児島県",
        "沖縄県",
    ),
}
"""The 47 prefectures (official names, JIS order) grouped by region."""


def _short_name(prefecture: str) -> str:
    """Drop the 都/道/府/県 suffix, except for 北海道 whose name keeps it."""
    if prefecture == "北海道":
        return prefecture
    return prefecture[:-1]


_LOOKUP: dict[str, str] = {}
for _region, _prefectures in PREFECTURES_BY_REGION.items():
    for _prefecture in _prefectures:
        _LOOKUP[_prefecture] = _region
        _LOOKUP[_short_name(_prefecture)] = _region


def region_of(prefecture: str) -> str | None:
    """Return the region of a prefecture, or None when the name is not a prefecture.

    Parameters
    ----------
    prefecture : str
        A prefecture name, with or without its suffix (``東京都`` or ``東京``). Width variants and
        surrounding whitespace are ignored. Missing values (None, NaN, ``""``) give None.

    Returns
    -------
    str or None
        One of :data:`REGIONS`, or None.

    Examples
    --------
    >>> region_of("東京都"), region_of("大阪"), region_of("沖縄県"), region_of("東京市")
    ('関東', '近畿', '九州・沖縄', None)
    """
    if not isinstance(prefecture, str):
        return None
    key = unicodedata.normalize("NFKC", prefecture).strip().replace(" ", "")
    return _LOOKUP.get(key)


def add_region(
    records: pd.DataFrame, prefecture_col: str = "都道府県", out_col: str = "地域"
) -> pd.DataFrame:
    """Return a copy of ``records`` with a region column derived from the prefecture.

    Parameters
    ----------
    records : pandas.DataFrame
        Any table with a prefecture column.
    prefecture_col : str, default "都道府県"
        The column holding prefecture names.
    out_col : str, default "地域"
        The name of the new column. Values are one of :data:`REGIONS`, or ``""`` when the prefecture
        is missing or not recognised.

    Returns
    -------
    pandas.DataFrame
        A copy with ``out_col`` added (or replaced); the input is not modified. When
        ``prefecture_col`` is absent, every region is ``""``.
    """
    out = records.copy()
    if prefecture_col not in out.columns:
        out[out_col] = ""
        return out
    out[out_col] = [region_of(value) or "" for value in out[prefecture_col]]
    return out
