import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsnet_analysis.ingest import parse_date, to_iso

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023/7/3", D(2023, 7, 3)),
        ("2023/07/03", D(2023, 7, 3)),
        ("2023-07-03", D(2023, 7, 3)),
        ("2023.7.3", D(2023, 7, 3)),
        ("2023年7月3日", D(2023, 7, 3)),
        ("2023 年 7 月 3 日", D(2023, 7, 3)),
        ("２０２３年７月３日", D(2023, 7, 3)),
        ("２０２３／７／３", D(2023, 7, 3)),
        ("2023/7/3 10:15:00", D(2023, 7, 3)),
        ("2023-07-03T10:15:00+09:00", D(2023, 7, 3)),
        ("2023年7月3日(月)", D(2023, 7, 3)),
        ("20230703", D(2023, 7, 3)),
        ("  2023/7/3  ", D(2023, 7, 3)),
        ("R5.7.3", D(2023, 7, 3)),
        ("R5/7/3", D(2023, 7, 3)),
        ("r5.7.3", D(2023, 7, 3)),
        ("Ｒ５．７．３", D(2023, 7, 3)),
        ("R05-07-03", D(2023, 7, 3)),
        ("令和5年7月3日", D(2023, 7, 3)),
        ("令和５年７月３日", D(2023, 7, 3)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和6年1月10日", D(2024, 1, 10)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("H30.4.1", D(2018, 4, 1)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("45110", D(2023, 7, 3)),
        ("45110.5", D(2023, 7, 3)),
        (45110, D(2023, 7, 3)),
        (45110.75, D(2023, 7, 3)),
        (dt.datetime(2023, 7, 3, 12, 30), D(2023, 7, 3)),
        (D(2023, 7, 3), D(2023, 7, 3)),
        (pd.Timestamp("2023-07-03 09:00"), D(2023, 7, 3)),
    ],
)
def test_parse_date_formats(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "不明",
        "そのうち",
        "2023",  # a bare year is not a serial number
        "7/3",
        "2023/13/1",
        "2023/2/30",
        "令和0年1月1日",
        "R5.13.1",
        "123",
        float("nan"),
        pd.NaT,
        True,
        -5,
        10**12,
        ["2023-07-03"],
        object(),
    ],
)
def test_parse_date_unreadable_is_none(value: object) -> None:
    assert parse_date(value) is None


def test_to_iso() -> None:
    assert to_iso("令和5年7月3日") == "2023-07-03"
    assert to_iso("未定") == ""


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.floats(), st.datetimes(), st.none()))
def test_parse_date_never_raises(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, dt.date)
