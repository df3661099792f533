"""Statuses: Excel error values, and duplicates by respondent, not by answer id (issue 11, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import assign_statuses, build_record_table, is_excel_error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#DIV/0!", True), ("#N/A", True), ("#VALUE!", True), ("#REF!", True), ("#NAME?", True),
        ("#NULL!", True), ("#NUM!", True), ("#SPILL!", True), (" #n/a ", True), ("＃Ｎ／Ａ", True),
        ("#1 研修の定着", False), ("N/A", False), ("#", False), ("#N/Aです", False), ("", False),
    ],
)
def test_is_excel_error(value: str, expected: bool) -> None:
    assert is_excel_error(value) is expected


def test_error_value_is_a_status_of_its_own() -> None:
    assert "error_value" in STATUSES
    assert assign_statuses(["#REF!", "特になし", "研修"], ["a", "a", "a"], ["f"] * 3) == [
        "error_value", "non_answer", "kept"
    ]


ANSWERS = """回答ID,氏名,自治体名,所属部署,課題
A-001,吉田 花子,札幌市,情報政策課,研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。
A-002,吉田 花子,札幌市,情報政策課,研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。
A-003,佐藤 一郎,札幌市,人事課,研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。
A-004,鈴木 次郎,札幌市,情報政策課,研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。
A-005,森 三郎,小布施町,総務課,研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。
"""


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # --id-col names the answer: each submission has its own id, yet the same text from the
        # same municipality and department is a duplicate
        ({"id_col": "回答ID"}, ["kept", "duplicate", "kept", "duplicate", "kept"]),
        ({}, ["kept", "duplicate", "kept", "duplicate", "kept"]),
        # --respondent-col names the person: 鈴木 (row 5) is someone else in the same department
        ({"id_col": "回答ID", "respondent_col": "氏名"}, ["kept", "duplicate", "kept", "kept", "kept"]),
    ],
)
def test_duplicates_are_judged_by_respondent_not_by_answer_id(
    tmp_path: Path, kwargs: dict[str, str], expected: list[str]
) -> None:
    path = tmp_path / "form.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    result = read_inputs(path, text_cols="課題", **kwargs)
    records = build_record_table(result.table, mask=lambda s: s)
    assert records["status"].tolist() == expected
    assert not records["respondent"].str.contains("A-00").any()  # the answer id is never the key
    if "respondent_col" not in kwargs:
        assert records["respondent"].tolist()[:3] == ["札幌市|情報政策課"] * 2 + ["札幌市|人事課"]
        assert any("『自治体名・所属部署』" in n and "--respondent-col" in n for n in result.notices)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("詳細は別途提出した資料をご参照ください。", True),
        ("別紙のとおり", True),
        ("別添資料参照", True),
        ("添付ファイルの通り", True),
        ("別紙の研修計画をもとに、各課で研修を進めた。", False),
        ("研修資料を参照できるようにした。", False),
        ("詳細は不明です", False),
    ],
)
def test_an_answer_that_only_points_elsewhere_is_a_non_answer(text: str, expected: bool) -> None:
    from rsnet_analysis.prepare.status import is_non_answer

    assert is_non_answer(text) is expected


def test_the_secretariats_introduction_and_summaries_are_facilitation() -> None:
    texts = [
        "第2部では参加者33名が4つのグループに分かれました。", "研修が定着しない。",
        "その後、もくもく会を試しているとのこと。", "まとめ：スキル差が話題でした。",
    ]
    notes = [("", "記録"), ("松本市 DX推進課", "グループA"), ("", "グループA"), ("", "まとめ")]
    statuses = assign_statuses(texts, ["", "松本市", "", ""], ["n.md"] * 4, notes=notes)
    assert statuses == ["facilitation", "kept", "kept", "facilitation"]
    # a file where nobody is named has no introduction to tell apart
    assert assign_statuses(texts[:2], ["", ""], ["m.md"] * 2, notes=[("", ""), ("", "")]) == ["kept", "kept"]
