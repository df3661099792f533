"""Identifying columns (issue 11, items 3-4, the reading side): found, pseudonymised, kept apart."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rsnet_analysis.contract import IDENTITY_COLUMN, PRIVATE_COLUMNS, PSEUDONYM_PREFIX
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.ingest.identity import identity_strings, pseudonym, value_kind

HEADER = ["回答ID", "氏名", "メールアドレス", "電話番号", "担当", "自治体名", "所属部署", "自治体区分", "課題"]
ROWS = [
    ["A-1", "吉田 花子", "h-yoshida@city.example.lg.jp", "011-123-4567", "k.sato@pref.example.jp", "札幌市",
     "情報政策課", "政令指定都市", "吉田が中心となり研修を企画していますが、参加者が増えません。"],
    ["A-2", "Taro Yamada", "t.yamada@town.example.jp", "090-1234-5678", "m.ito@pref.example.jp", "小布施町",
     "総務課", "町", "職員が少なく研修に出す時間が取れないのが一番の悩みです。"],
    ["A-3", "森 一郎", "mori@vill.example.jp", "0765-12-3456", "a.ueda@pref.example.jp", "舟橋村",
     "総務課", "村", "庁内に相談できる相手がおらず、何から始めればよいかわかりません。"],
]
SECRETS = ["吉田 花子", "h-yoshida", "011-123-4567", "k.sato", "Taro Yamada", "t.yamada", "090-1234-5678",
           "m.ito", "森 一郎", "mori@", "0765-12-3456", "a.ueda", "@"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("h-yoshida@city.example.lg.jp", "email"),
        ("ｓａｔｏ＠ｅｘａｍｐｌｅ．ｊｐ", "email"),
        ("011-123-4567", "phone"),
        ("090-1234-5678", "phone"),
        ("(03)1234-5678", "phone"),
        ("+81-90-1234-5678", "phone"),
        ("09012345678", "phone"),
        ("吉田 花子", "name"),
        ("吉田　花子", "name"),
        ("ヨシダ ハナコ", "name"),
        ("Taro Yamada", "name"),
        ("YAMADA Taro", "name"),
        ("ＡＢＥ　ＨＩＲＯＳＨＩ", "name"),
        ("北海道 札幌市", None),
        ("総務部 情報政策課", None),
        ("0001234567", None),
        ("2024", None),
        ("R24-0001", None),
        ("政令指定都市", None),
        ("Power BI", None),
    ],
)
def test_value_kind(value: str, kind: str | None) -> None:
    assert value_kind(value) == kind


def test_identity_columns_hold_pseudonyms_and_the_identity_column_the_values(tmp_path: Path) -> None:
    result = read_inputs(write_csv(tmp_path / "form.csv", HEADER, ROWS), text_cols="課題")
    table = result.table
    assert result.columns.identity == ["氏名", "メールアドレス", "電話番号", "担当"]
    for col in result.columns.identity:
        assert table[col].str.startswith(PSEUDONYM_PREFIX).all(), col
    assert table["自治体名"].tolist() == ["札幌市", "小布施町", "舟橋村"]  # not identity
    assert table[IDENTITY_COLUMN].iloc[0] == (
        "吉田 花子", "吉田", "花子", "h-yoshida@city.example.lg.jp", "011-123-4567", "k.sato@pref.example.jp"
    )
    assert IDENTITY_COLUMN in PRIVATE_COLUMNS
    public = table.drop(columns=[c for c in PRIVATE_COLUMNS if c in table])
    text = public.to_csv(index=False)
    for secret in SECRETS:
        assert secret not in text, secret
    notice = next(n for n in result.notices if "仮名" in n)
    assert "氏名（見出し）" in notice and "担当（メールアドレス）" in notice


def test_pseudonyms_are_stable_per_input_and_shared_across_files(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", HEADER, ROWS)
    b = write_csv(tmp_path / "b.csv", HEADER, [[*ROWS[0][:-1], "別の回答です。研修の定着が課題です。"]])
    first = read_inputs([a, b], text_cols="課題").table
    again = read_inputs([a, b], text_cols="課題").table
    assert first["メールアドレス"].tolist() == again["メールアドレス"].tolist()
    assert first["メールアドレス"].iloc[0] == first["メールアドレス"].iloc[3]  # same person, two files
    alone = read_inputs([a], text_cols="課題").table
    assert alone["メールアドレス"].iloc[0] != first["メールアドレス"].iloc[0]  # other input, other salt


def test_pseudonym_normalises_and_keeps_blank() -> None:
    salt = b"s"
    assert pseudonym("Sato@Example.JP ", salt) == pseudonym("sato@example.jp", salt)
    assert pseudonym("", salt) == "" and pseudonym("  ", salt) == ""
    assert pseudonym("a", salt) != pseudonym("a", b"t")


def test_identity_strings_include_name_parts() -> None:
    assert identity_strings(["ＡＢＥ　ＨＩＲＯＳＨＩ", "", "abe@example.jp"]) == (
        "ＡＢＥ　ＨＩＲＯＳＨＩ", "ABE HIROSHI", "ABE", "HIROSHI", "abe@example.jp"
    )


def test_id_column_of_email_addresses_is_pseudonymised(tmp_path: Path) -> None:
    result = read_inputs(
        write_csv(tmp_path / "form.csv", HEADER, ROWS), text_cols="課題", id_col="メールアドレス"
    )
    assert result.columns.id == "メールアドレス"
    assert result.table["メールアドレス"].str.startswith(PSEUDONYM_PREFIX).all()
    assert not result.table["respondent"].str.contains("@").any()


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("メールマガジンの購読", ["はい", "いいえ", "はい", "はい"]),
        ("都道府県", ["北海道", "長野県", "富山県", "長野県"]),
        ("所在地", ["北海道 札幌市", "長野県 小布施町", "富山県 舟橋村", "長野県 長野市"]),
        ("回答番号", ["0001", "0002", "0003", "0004"]),
    ],
)
def test_ordinary_columns_are_not_identity(tmp_path: Path, header: str, values: list[str]) -> None:
    rows = [[v, f"研修の定着が課題です（{i}）"] for i, v in enumerate(values)]
    result = read_inputs(write_csv(tmp_path / "x.csv", [header, "課題"], rows), text_cols="課題")
    assert result.columns.identity == []
    assert result.table[header].tolist() == values


def test_an_answer_is_never_an_identity_column(tmp_path: Path) -> None:
    rows = [["連絡は sato@example.jp まで。研修の日程が合いません"], ["担当 田中 03-1234-5678 予算が足りない"]]
    result = read_inputs(write_csv(tmp_path / "x.csv", ["連絡先・ご意見"], rows), text_cols="連絡先・ご意見")
    assert result.columns.identity == []
    assert result.table["text_original"].tolist() == [r[0] for r in rows]


def test_a_column_flagged_in_one_file_is_pseudonymised_in_every_file(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", HEADER, ROWS)
    mostly_blank = [["B-1", "", "", "", "", "札幌市", "情報政策課", "政令指定都市", "研修の定着が課題です。"],
                    ["B-2", "", "", "", "", "舟橋村", "総務課", "村", "予算が足りません。"],
                    ["B-3", "", "", "", "k.sato@pref.example.jp", "小布施町", "総務課", "町", "人が足りません。"]]
    # in b.csv alone, 担当 is not flagged: one e-mail address among three values
    b = write_csv(tmp_path / "b.csv", HEADER, [[*r[:4], "担当なし" if i < 2 else r[4], *r[5:]]
                                               for i, r in enumerate(mostly_blank)])
    table = read_inputs([a, b], text_cols="課題").table
    assert table["担当"].str.startswith(PSEUDONYM_PREFIX).all()
    assert not table.drop(columns=[c for c in PRIVATE_COLUMNS if c in table]).to_csv().count("@")
