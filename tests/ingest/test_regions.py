import pandas as pd
import pytest

from rsnet_analysis.ingest.regions import PREFECTURES_BY_REGION, REGIONS, add_region, region_of


def test_all_47_prefectures_once():
    names = [p for prefectures in PREFECTURES_BY_REGION.values() for p in prefectures]
    assert len(names) == 47
    assert len(set(names)) == 47
    assert tuple(PREFECTURES_BY_REGION) == REGIONS
    assert [len(PREFECTURES_BY_REGION[r]) for r in REGIONS] == [1, 6, 7, 9, 7, 5, 4, 8]


@pytest.mark.parametrize(
    ("prefecture", "region"),
    [
        ("北海道", "北海道"),
        ("青森県", "東北"),
        ("福島", "東北"),
        ("東京都", "関東"),
        ("東京", "関東"),
        ("神奈川県", "関東"),
        ("新潟県", "中部"),
        ("愛知", "中部"),
        ("三重県", "近畿"),
        ("京都府", "近畿"),
        ("京都", "近畿"),
        ("大阪府", "近畿"),
        ("大阪", "近畿"),
        ("鳥取県", "中国"),
        ("山口県", "中国"),
        ("香川県", "四国"),
        ("高知", "四国"),
        ("福岡県", "九州・沖縄"),
        ("鹿児島県", "九州・沖縄"),
        ("沖縄", "九州・沖縄"),
        (" 埼玉県 ", "関東"),
        ("東京　都", "関東"),
    ],
)
def test_region_of(prefecture, region):
    assert region_of(prefecture) == region


@pytest.mark.parametrize("value", ["", "東京市", "Tokyo", "都", None, float("nan"), 13])
def test_region_of_unknown(value):
    assert region_of(value) is None


def test_every_prefecture_full_and_short_name():
    for region, prefectures in PREFECTURES_BY_REGION.items():
        for prefecture in prefectures:
            assert region_of(prefecture) == region
            short = prefecture if prefecture == "北海道" else prefecture[:-1]
            assert region_of(short) == region


def test_add_region_copies_and_blanks_unknown():
    records = pd.DataFrame({"都道府県": ["大阪府", "", "不明県", "沖縄県"], "x": [1, 2, 3, 4]})
    out = add_region(records)
    assert out["地域"].tolist() == ["近畿", "", "", "九州・沖縄"]
    assert "地域" not in records.columns
    custom = add_region(records.rename(columns={"都道府県": "pref"}), "pref", "region")
    assert custom["region"].tolist() == ["近畿", "", "", "九州・沖縄"]


def test_add_region_without_column():
    out = add_region(pd.DataFrame({"x": [1]}))
    assert out["地域"].tolist() == [""]
