import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsnet_analysis.contract import BASE_COLUMNS, NOTE_COLUMNS
from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import build_record_table, status_counts
from rsnet_analysis.report import write_csv

HEADER = ["回答日", "都道府県", "自治体名", "課題"]
ROWS = [
    ["2023/7/3", "北海道", "札幌市", "ＤＸ人材の育成が進まず、研修の定着が課題です"],
    ["令和5年7月4日", "長野県", "小布施町", "職員が少なく研修に出す時間が取れない"],
    ["2023-07-05", "大阪府", "大阪市", "髙橋課長と﨑山係長が異動し、ノウハウが失われた"],
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def message(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    return str(excinfo.value)


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings_read_exactly(tmp_path: Path, encoding: str) -> None:
    path = write_bytes(tmp_path / f"survey_{encoding}.csv", csv_text(HEADER, ROWS).encode(encoding))
    result = read_inputs(path, text_cols="課題")
    table = result.table
    assert table["text_original"].tolist() == [r[3] for r in ROWS]  # 髙 﨑 (cp932-only kanji) intact
    assert table["自治体名"].tolist() == ["札幌市", "小布施町", "大阪市"]
    assert table["date"].tolist() == ["2023-07-03", "2023-07-04", "2023-07-05"]
    assert table["source_row"].tolist() == [2, 3, 4]
    assert list(table.columns) == [*BASE_COLUMNS, "回答日", "都道府県", "自治体名"]
    assert "\ufeff" not in "".join(table.columns)


def test_utf16_with_bom_tab_separated(tmp_path: Path) -> None:
    text = "\t".join(HEADER) + "\r\n" + "\r\n".join("\t".join(r) for r in ROWS) + "\r\n"
    path = write_bytes(tmp_path / "unicode_text.txt", text.encode("utf-16"))
    table = read_inputs(path, text_cols="課題").table
    assert table["text_original"].tolist() == [r[3] for r in ROWS]


def test_undecodable_bytes(tmp_path: Path) -> None:
    good = csv_text(HEADER, ROWS[:2]).encode("cp932")
    path = write_bytes(tmp_path / "broken.csv", good + b"2023/7/9,\x85\xff,x,y\r\n")
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    msg = message(excinfo)
    assert str(path) in msg
    assert "4 行目" in msg
    assert "UTF-8 でも Shift_JIS (cp932) でも読めません" in msg
    assert "CSV UTF-8 (コンマ区切り)" in msg


def test_corrupt_utf8_is_not_silently_read_as_cp932(tmp_path: Path) -> None:
    data = csv_text(HEADER, ROWS).encode("utf-8")
    cut = data.index("小布施".encode()) + 1  # break a multi-byte character on line 3
    path = write_bytes(tmp_path / "corrupt.csv", data[:cut] + data[cut + 1 :])
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert "3 行目" in message(excinfo) and "corrupt.csv" in message(excinfo)


# ---------------------------------------------------------------------------------------------
# Excel, JSON Lines
# ---------------------------------------------------------------------------------------------


def test_xlsx_first_sheet_by_default_and_sheet_selection(tmp_path: Path) -> None:
    import datetime as dt

    path = write_xlsx(
        tmp_path / "wave.xlsx",
        {
            "2024回答": [
                ["回答日", "自治体名", "人数", "課題"],
                [dt.datetime(2024, 7, 1), "神戸市", 3, "生成AIの利用ルールが決まらない"],
                [None, None, None, None],
                [45480, "舟橋村", 1.5, "相談相手がいない"],
            ],
            "メモ": [["id", "text"], ["a1", "シート2の回答"]],
        },
    )
    first = read_inputs(path, text_cols="課題")
    assert first.table["text_original"].tolist() == ["生成AIの利用ルールが決まらない", "相談相手がいない"]
    assert first.table["回答日"].tolist() == ["2024-07-01", "45480"]
    assert first.table["date"].tolist() == ["2024-07-01", "2024-07-07"]
    assert first.table["人数"].tolist() == ["3", "1.5"]
    assert first.table["source_row"].tolist() == [2, 4]
    assert any("空の行 1 行" in n for n in first.notices)

    by_name = read_inputs(path, sheet="メモ", text_cols="TEXT", respondent_col="ID")
    assert by_name.table["text_original"].tolist() == ["シート2の回答"]
    assert by_name.table["respondent"].tolist() == ["a1"]
    assert by_name.columns.text == "text" and by_name.columns.respondent == "id"
    by_index = read_inputs(path, sheet=1, text_cols="text")
    assert by_index.table["record_id"].tolist() == ["wave:2"]


def test_xlsx_unknown_sheet_lists_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "wave.xlsx", {"回答": [["課題"], ["予算"]], "集計": [["x"]]})
    with pytest.raises(InputError) as excinfo:
        read_inputs(path, sheet="2023")
    msg = message(excinfo)
    assert "シート『2023』がありません" in msg and "回答, 集計" in msg and str(path) in msg


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        {"id": "r1", "date": "2023/7/3", "answer": "研修の定着が課題", "score": 3},
        {},
        {"id": "r2", "date": "R5.7.4", "answer": "予算がない", "extra": None},
    ]
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines[:1]) + "\n\n"
    text += json.dumps(lines[2], ensure_ascii=False) + "\n"
    path = write_bytes(tmp_path / "answers.jsonl", text.encode("utf-8"))
    result = read_inputs(path, text_cols="answer", respondent_col="id")
    table = result.table
    assert table["source_row"].tolist() == [1, 3]
    assert table["respondent"].tolist() == ["r1", "r2"]
    assert table["date"].tolist() == ["2023-07-03", "2023-07-04"]
    assert table["score"].tolist() == ["3", ""]
    assert table["date_input"].tolist() == ["2023/7/3", "R5.7.4"]  # input "date" column kept
    assert result.columns.time == "date"


def test_jsonl_bad_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bad.jsonl", b'{"text": "ok"}\n{"text": broken}\n')
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert "bad.jsonl" in message(excinfo) and "2 行目" in message(excinfo)


# ---------------------------------------------------------------------------------------------
# Markdown session notes
# ---------------------------------------------------------------------------------------------


def test_notes_from_file_name(data_dir: Path) -> None:
    table = read_inputs(data_dir / "2023-09-情報交換会.md").table
    assert list(table.columns) == [*BASE_COLUMNS, *NOTE_COLUMNS]
    assert set(table["source_type"]) == {"note"}
    assert set(table["イベント"]) == {"情報交換会"}
    assert set(table["開催日"]) == {"2023-09"}
    assert set(table["date"]) == {"2023-09-01"}
    assert table["source_row"].tolist() == [5, 7, 8, 9, 13, 14, 16]
    assert table["グループ"].tolist() == ["グループA"] * 4 + ["グループB"] * 3
    assert table["組織名"].tolist() == [
        "札幌市", "小布施町", "小布施町", "", "大阪府（スマートシティ戦略部）", "", ""
    ]
    assert table["respondent"].tolist() == table["組織名"].tolist()
    # a bullet's continuation line belongs to it; the organisation prefix is not in the text
    assert table["text_original"].iloc[0] == "研修をやっても、受けるのはいつも同じ職員。\n手を挙げない人をどう巻き込むかが課題。"
    # "まとめ：" is not an organisation
    assert table["text_original"].iloc[6].startswith("ファシリテーターのまとめ：")
    assert table["record_id"].iloc[0] == "2023-09-情報交換会:5"


def test_notes_front_matter(data_dir: Path) -> None:
    table = read_inputs(data_dir / "rsnet_event_2024.md").table
    assert set(table["イベント"]) == {"第3回イベント"}
    assert set(table["date"]) == {"2024-03-14"}
    assert table["グループ"].tolist() == ["分科会1"] * 3
    assert table["組織名"].tolist() == ["神戸市", "舟橋村", ""]
    assert table["source_row"].tolist() == [8, 9, 11]


@pytest.mark.parametrize(
    ("name", "event", "held", "date"),
    [
        ("2023-09-情報交換会.md", "情報交換会", "2023-09", "2023-09-01"),
        ("20230915_第2回イベント.md", "第2回イベント", "2023-09-15", "2023-09-15"),
        ("2024-03-14 分科会.md", "分科会", "2024-03-14", "2024-03-14"),
        ("メモ.md", "メモ", "", ""),
    ],
)
def test_notes_file_name_variants(tmp_path: Path, name: str, event: str, held: str, date: str) -> None:
    path = write_bytes(tmp_path / name, "- 札幌市：研修が定着しない\n".encode())
    table = read_inputs(path).table
    assert table[["イベント", "開催日", "date"]].iloc[0].tolist() == [event, held, date]


@pytest.mark.parametrize(
    ("line", "org", "text"),
    [
        ("- 札幌市：研修", "札幌市", "研修"),
        ("- 小布施町: 研修", "小布施町", "研修"),
        ("- 長野県：研修", "長野県", "研修"),
        ("- 情報政策課：研修", "情報政策課", "研修"),
        ("- 京都府（デジタル政策推進課）：研修", "京都府（デジタル政策推進課）", "研修"),
        ("- 事務局：次回の案内", "事務局", "次回の案内"),
        ("- 課題：研修", "", "課題：研修"),
        ("- 時刻 10:30 に開始", "", "時刻 10:30 に開始"),
        ("・舟橋村：相談相手がほしい", "舟橋村", "相談相手がほしい"),
    ],
)
def test_note_organisation_prefix(tmp_path: Path, line: str, org: str, text: str) -> None:
    path = write_bytes(tmp_path / "n.md", f"# G\n{line}\n".encode())
    table = read_inputs(path).table
    assert table[["組織名", "text_original"]].iloc[0].tolist() == [org, text]


def test_notes_multiline_bullets_and_nested(tmp_path: Path) -> None:
    text = "# 全体\n- 札幌市：一行目\n  二行目\n  - 補足\n- 三つ目\n\n段落一\n段落二\n\n```\n- コードは無視\n```\n"
    table = read_inputs(write_bytes(tmp_path / "n.md", text.encode())).table
    assert table["text_original"].tolist() == ["一行目\n二行目", "補足", "三つ目", "段落一\n段落二"]
    assert table["組織名"].tolist() == ["札幌市", "札幌市", "", ""]
    assert table["source_row"].tolist() == [2, 4, 5, 7]


# ---------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------


def test_auto_pick_text_column_with_notice(tmp_path: Path) -> None:
    header = ["タイムスタンプ", "自治体名", "自治体区分", "課題"]
    rows = [
        ["2023/7/3 10:00", "札幌市", "政令指定都市", "研修を受けてもらうまでが大変です"],
        ["2023/7/4 10:00", "小布施町", "町", "人も予算も時間も足りていない"],
        ["2023/7/5 10:00", "舟橋村", "村", "相談できる相手が庁内にいない"],
    ]
    path = write_bytes(tmp_path / "auto.csv", csv_text(header, rows).encode("utf-8"))
    result = read_inputs(path)
    assert result.columns.text == "課題"
    assert result.columns.time == "タイムスタンプ"
    assert result.notices[0].startswith("自由記述列として『課題』を使います（auto.csv）")
    assert "--text-col" in result.notices[0]
    assert result.table["date"].tolist() == ["2023-07-03", "2023-07-04", "2023-07-05"]
    # without --respondent-col the respondent is the municipality (and department, when there is one)
    assert result.table["respondent"].tolist() == ["札幌市", "小布施町", "舟橋村"]


@pytest.mark.parametrize("name", ["課題", " 課題 ", "課　題", "課題\n"])
def test_text_column_by_normalised_name(tmp_path: Path, name: str) -> None:
    path = write_bytes(tmp_path / "s.csv", csv_text(HEADER, ROWS).encode("utf-8"))
    assert read_inputs(path, text_cols=name).columns.text == "課題"


@pytest.mark.parametrize("header_name", ["Text", "TEXT", "ｔｅｘｔ"])
def test_english_header_case_insensitive(tmp_path: Path, header_name: str) -> None:
    path = write_bytes(tmp_path / "s.csv", csv_text(["ID", header_name, "Date"], [["1", "研修", "2023/7/3"]]).encode())
    result = read_inputs(path, text_cols="text", id_col="id", time_col="date")
    assert result.table["text_original"].tolist() == ["研修"]
    assert result.table["date"].tolist() == ["2023-07-03"]


def test_segment_columns(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "s.csv", csv_text(HEADER, ROWS).encode("utf-8"))
    result = read_inputs(path, text_cols="課題", segment_cols=["都道府県"])
    assert result.columns.segments == ["都道府県"]


# ---------------------------------------------------------------------------------------------
# bad input: the message the user sees
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "kwargs"),
    [
        ("--text-col", {"text_cols": "課題2"}),
        ("--id-col", {"id_col": "回答者"}),
        ("--time-col", {"time_col": "提出日"}),
        ("--segment-col", {"segment_cols": ["区分"]}),
    ],
)
def test_unknown_column_lists_available_ones(tmp_path: Path, option: str, kwargs: dict) -> None:
    path = write_bytes(tmp_path / "x.csv", csv_text(HEADER, ROWS).encode("utf-8"))
    with pytest.raises(InputError) as excinfo:
        read_inputs(path, **kwargs)
    wanted = next(iter(kwargs.values()))
    wanted = wanted[0] if isinstance(wanted, list) else wanted
    assert message(excinfo) == (
        f"ファイル {path} に列『{wanted}』がありません。使える列: 回答日, 都道府県, 自治体名, 課題。"
        f"{option} で列名を指定してください。"
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "x.csv"
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert message(excinfo) == f"ファイル {path} が見つかりません。パス（フォルダ名・ファイル名・拡張子）を確かめてください。"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".md"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = write_bytes(tmp_path / f"empty{suffix}", b"")
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert message(excinfo) == f"ファイル {path} は空です（0 バイト）。回答を書き出したファイルを指定してください。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_header_only_file(tmp_path: Path, encoding: str) -> None:
    path = write_bytes(tmp_path / "header.csv", "回答日,自治体名,課題\r\n".encode(encoding))
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert message(excinfo) == (
        f"ファイル {path} には見出しの行（1 行目: 回答日, 自治体名, 課題）しかなく、"
        "回答の行がありません。回答を含めて書き出し直してください。"
    )


def test_header_only_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", {"回答": [["自治体名", "課題"]]})
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert str(path) in message(excinfo) and "見出しの行（1 行目: 自治体名, 課題）しかなく" in message(excinfo)


@pytest.mark.parametrize("content", [b"\r\n\r\n  \r\n", b" ", "\u3000\n".encode()])
def test_all_blank_file(tmp_path: Path, content: bytes) -> None:
    path = write_bytes(tmp_path / "blank.csv", content)
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert message(excinfo) == f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。"


def test_all_rows_blank(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "rows.csv", b"a,b\r\n,\r\n ,\r\n")
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert message(excinfo) == (
        f"ファイル {path} の回答の行がすべて空です（見出しは 1 行目）。回答を書き出したファイルを指定してください。"
    )


@pytest.mark.parametrize(
    "content", [b"not a zip file at all", b"PK\x03\x04garbage", "回答日,課題\n".encode()]
)
def test_corrupt_xlsx(tmp_path: Path, content: bytes) -> None:
    path = write_bytes(tmp_path / "broken.xlsx", content)
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    msg = message(excinfo)
    assert msg.startswith(f"ファイル {path} を Excel ブック (.xlsx) として開けません")
    assert "保存し直す" in msg


def test_xlsx_saved_as_csv(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "real.xlsx", {"s": [["課題"], ["予算"]]})
    path = write_bytes(tmp_path / "renamed.csv", xlsx.read_bytes())
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert "Excel ブック" in message(excinfo) and ".xlsx" in message(excinfo)


@pytest.mark.parametrize(("name", "hint"), [("old.xls", ".xlsx 形式"), ("notes.docx", "対応している形式")])
def test_unsupported_format(tmp_path: Path, name: str, hint: str) -> None:
    path = write_bytes(tmp_path / name, b"x")
    with pytest.raises(InputError) as excinfo:
        read_inputs(path)
    assert str(path) in message(excinfo) and hint in message(excinfo)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        read_inputs(tmp_path)
    assert f"フォルダ {tmp_path} に読めるファイルがありません" in message(excinfo)


def test_no_paths() -> None:
    with pytest.raises(InputError, match="入力ファイルが指定されていません"):
        read_inputs([])


# ---------------------------------------------------------------------------------------------
# folders, several files, ids
# ---------------------------------------------------------------------------------------------


def test_folder_reads_all_supported_files_sorted(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "b wave.csv").write_bytes(csv_text(HEADER, ROWS).encode("cp932"))
    (tmp_path / "a.md").write_bytes((data_dir / "rsnet_event_2024.md").read_bytes())
    (tmp_path / "ignore.docx").write_bytes(b"x")
    (tmp_path / "~$lock.xlsx").write_bytes(b"x")
    result = read_inputs(tmp_path, text_cols="課題")
    table = result.table
    assert table["source_file"].tolist() == ["a.md"] * 3 + ["b wave.csv"] * 3
    assert table["record_id"].tolist()[3:] == ["b_wave:2", "b_wave:3", "b_wave:4"]
    assert table["record_id"].is_unique
    assert table.loc[:2, "自治体名"].tolist() == ["", "", ""]  # columns of other files filled with ""
    assert result.files == [tmp_path / "a.md", tmp_path / "b wave.csv"]


def test_same_stem_gets_distinct_ids(tmp_path: Path) -> None:
    write_bytes(tmp_path / "w.csv", csv_text(["課題"], [["予算"]]).encode())
    write_xlsx(tmp_path / "w.xlsx", {"s": [["課題"], ["時間"]]})
    table = read_inputs([tmp_path / "w.xlsx", tmp_path / "w.csv", tmp_path / "w.csv"], text_cols="課題").table
    assert table["record_id"].tolist() == ["w.csv:2", "w.xlsx:2"]


# ---------------------------------------------------------------------------------------------
# the adversarial file: nothing lost
# ---------------------------------------------------------------------------------------------


def test_adversarial_csv_rows_read_equal_kept_plus_excluded(data_dir: Path) -> None:
    result = read_inputs(data_dir / "adversarial.csv")
    table = result.table
    assert result.columns.text == "課題" and result.columns.time == "回答日"
    # 20 physical rows: header, 16 answer rows, 3 blank rows (reported in a notice)
    assert len(table) == 16
    assert any("空の行 3 行" in n for n in result.notices)
    assert any("8 行目" in n and "最後の列『課題』" in n for n in result.notices)  # ragged row
    assert any("16 行目" in n and "日付として読めず" in n for n in result.notices)
    assert table["record_id"].is_unique
    # quoted multi-line cell with commas and quotes survives as written
    assert table["text_original"].iloc[0] == "・ＤＸ人材の育成が進まない\n・研修の定着、フォローアップが難しい"
    assert table["text_original"].iloc[5] == "予算がない, 時間もない, 人もいない"
    records = build_record_table(table, mask=lambda s: s)
    counts = status_counts(records)
    assert counts == {"kept": 6, "empty": 3, "non_answer": 6, "error_value": 0, "duplicate": 1, "facilitation": 0}
    assert sum(counts.values()) == len(table)
    assert records.loc[records["status"] == "duplicate", "source_row"].tolist() == [12]


def test_adversarial_masked_text_has_no_contact_details(data_dir: Path) -> None:
    pytest.importorskip("rsnet_analysis.privacy")
    records = build_record_table(read_inputs(data_dir / "adversarial.csv").table)
    masked = " ".join(records["text_masked"])
    assert "sato@example.lg.jp" not in masked and "092-123-4567" not in masked


# ---------------------------------------------------------------------------------------------
# write_csv
# ---------------------------------------------------------------------------------------------


def test_write_csv_bom_lf_deterministic(tmp_path: Path) -> None:
    df = pd.DataFrame({"record_id": ["a:2", "a:3"], "text_masked": ["一行\n二行", "カンマ, あり"]})
    first = write_csv(df, tmp_path / "out" / "records.csv")
    data = first.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    assert data.decode("utf-8-sig").splitlines()[0] == "record_id,text_masked"
    second = write_csv(df, tmp_path / "again.csv")
    assert second.read_bytes() == data
    back = pd.read_csv(first, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, df)


# ---------------------------------------------------------------------------------------------
# property tests: never drop or duplicate a row
# ---------------------------------------------------------------------------------------------

TEXTS = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=20)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(texts=TEXTS, encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_csv_roundtrip_never_drops_rows(tmp_path: Path, texts: list[str], encoding: str) -> None:
    rows = [[f"id{i}", text] for i, text in enumerate(texts)]
    path = write_bytes(tmp_path / "prop.csv", csv_text(["id", "text"], rows).encode(encoding))
    table = read_inputs(path, text_cols="text", respondent_col="id").table
    assert len(table) == len(texts)
    assert table["record_id"].is_unique
    assert table["respondent"].tolist() == [r[0] for r in rows]
    assert table["text_original"].tolist() == texts


@FAST
@given(texts=TEXTS)
def test_jsonl_roundtrip_never_drops_rows(tmp_path: Path, texts: list[str]) -> None:
    lines = [json.dumps({"id": f"id{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    path = write_bytes(tmp_path / "prop.jsonl", "\n".join(lines).encode("utf-8"))
    table = read_inputs(path, text_cols="text", id_col="id").table
    assert len(table) == len(texts)
    assert table["record_id"].is_unique
    assert table["text_original"].tolist() == texts
    records = build_record_table(table, mask=lambda s: s)
    assert len(records) == len(texts)


def test_cp932_with_level2_kanji_that_look_like_utf8_bytes(tmp_path: Path) -> None:
    text = "自治体名,課題\r\n蔭山町,髙橋と﨑山が異動した。鬮・蠡・黌・齟齬のある運用で研修が定着しない\r\n"
    path = write_bytes(tmp_path / "level2.csv", text.encode("cp932"))
    table = read_inputs(path, text_cols="課題").table
    assert table["text_original"].tolist() == ["髙橋と﨑山が異動した。鬮・蠡・黌・齟齬のある運用で研修が定着しない"]
    assert table["自治体名"].tolist() == ["蔭山町"]
