"""Several free-text questions (issue 12, item 1, the reading side).

``tests/data/two_questions/``: a survey asking two free-text questions in two waves; the 2024
wave words both headers differently (and is UTF-8 where 2023 is cp932).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis.contract import QUESTION_COLUMN, STATUSES
from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.ingest.questions import parse_text_col
from rsnet_analysis.prepare import build_record_table

CHALLENGE = "課題=課題（自由記述）|現在抱えている課題"
PRACTICE = "取り組み=この1年で取り組んだこと|取り組み・その成果"
ROWS = {"wave_2023.csv": 6, "wave_2024.csv": 5}


@pytest.fixture
def waves(data_dir: Path) -> Path:
    return data_dir / "two_questions"


def _by_question(table: pd.DataFrame) -> dict[tuple[str, str], int]:
    return table.groupby([QUESTION_COLUMN, "source_file"]).size().to_dict()


@pytest.mark.parametrize(
    ("spec", "name", "headers"),
    [
        ("課題", None, ("課題",)),
        ("課題=課題（自由記述）|現在抱えている課題", "課題", ("課題（自由記述）", "現在抱えている課題")),
        (" 課題 = 見出しA | 見出しB |", "課題", ("見出しA", "見出しB")),
    ],
)
def test_parse_text_col(spec: str, name: str | None, headers: tuple[str, ...]) -> None:
    parsed = parse_text_col(spec)
    assert (parsed.name, parsed.headers) == (name, headers)


@pytest.mark.parametrize("spec", ["=見出し", "課題=", "課題=|"])
def test_parse_text_col_rejects_half_specs(spec: str) -> None:
    with pytest.raises(InputError, match="名前=見出し1|見出し2"):
        parse_text_col(spec)


def test_aliases_read_both_questions_of_both_waves(waves: Path) -> None:
    result = read_inputs(waves, text_cols=[CHALLENGE, PRACTICE])
    table = result.table
    assert result.columns.questions == ["課題", "取り組み"]
    assert _by_question(table) == {
        ("課題", "wave_2023.csv"): 6, ("課題", "wave_2024.csv"): 5,
        ("取り組み", "wave_2023.csv"): 6, ("取り組み", "wave_2024.csv"): 5,
    }
    first = table[table["source_file"] == "wave_2024.csv"].head(2)
    assert first["record_id"].tolist() == ["wave_2024:2", "wave_2024:2:q2"]
    assert first[QUESTION_COLUMN].tolist() == ["課題", "取り組み"]
    assert first["text_original"].tolist()[1].startswith("受講者どうしで質問しあえるチャット")
    # the question columns are not kept as attributes (their text is the records' text)
    for header in ("課題（自由記述）", "現在抱えている課題", "この1年で取り組んだこと", "取り組み・その成果"):
        assert header not in table.columns
    assert table["record_id"].is_unique
    assert not any("並び順" in n for n in result.notices)


def test_mapping_file_gives_the_same_table(waves: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "question,header\n課題,課題（自由記述）\n課題,現在抱えている課題\n"
        "取り組み,この1年で取り組んだこと\n取り組み,取り組み・その成果\n",
        encoding="utf-8",
    )
    by_map = read_inputs(waves, questions=mapping).table
    by_alias = read_inputs(waves, text_cols=[CHALLENGE, PRACTICE]).table
    assert by_map.equals(by_alias)


def test_without_text_col_every_free_text_column_is_found_and_paired_by_order(waves: Path) -> None:
    result = read_inputs(waves)
    assert result.columns.questions == ["課題（自由記述）", "この1年で取り組んだこと"]
    assert result.notices[0].startswith("自由記述の設問を 2 問見つけました")
    paired = [n for n in result.notices if "並び順" in n]
    assert len(paired) == 2
    assert "『現在抱えている課題』" in paired[0] and "課題（自由記述）=課題（自由記述）|現在抱えている課題" in paired[0]
    assert len(result.table) == 2 * sum(ROWS.values())


def test_every_row_of_every_question_is_accounted_for(waves: Path) -> None:
    records = build_record_table(read_inputs(waves, text_cols=[CHALLENGE, PRACTICE]).table, mask=lambda s: s)
    counts = records.groupby([QUESTION_COLUMN, "status"]).size().to_dict()
    assert counts == {
        ("課題", "kept"): 9, ("課題", "duplicate"): 1, ("課題", "error_value"): 1,
        ("取り組み", "kept"): 5, ("取り組み", "empty"): 2, ("取り組み", "non_answer"): 2,
        ("取り組み", "duplicate"): 1, ("取り組み", "error_value"): 1,
    }
    assert set(records["status"]) <= set(STATUSES)
    assert len(records) == 2 * sum(ROWS.values())


def test_a_repeat_under_another_question_is_not_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "same.csv"
    path.write_text("自治体名,課題,取り組み\n札幌市,研修の定着が課題です。,研修の定着が課題です。\n", encoding="utf-8")
    records = build_record_table(read_inputs(path, text_cols=["課題", "取り組み"]).table, mask=lambda s: s)
    assert records["status"].tolist() == ["kept", "kept"]


def test_one_named_question_reads_one_question(waves: Path) -> None:
    result = read_inputs(waves, text_cols=CHALLENGE)
    assert result.columns.questions == ["課題"]
    assert len(result.table) == sum(ROWS.values())
    assert result.table["record_id"].tolist()[0] == "wave_2023:2"


def test_a_question_missing_in_one_file_is_fine_missing_everywhere_is_an_error(waves: Path) -> None:
    only_2023 = read_inputs(waves, text_cols=["課題=課題（自由記述）|現在抱えている課題", "この1年で取り組んだこと"])
    assert _by_question(only_2023.table)[("この1年で取り組んだこと", "wave_2023.csv")] == 6
    assert ("この1年で取り組んだこと", "wave_2024.csv") not in _by_question(only_2023.table)
    with pytest.raises(InputError, match="どのファイルにもありません"):
        read_inputs(waves, text_cols=[CHALLENGE, "成果=成果の欄"])


def test_notes_are_the_note_question(data_dir: Path) -> None:
    table = read_inputs(data_dir / "rsnet_event_2024.md").table
    assert set(table[QUESTION_COLUMN]) == {"note"}


def test_a_file_of_codes_in_the_input_folder_is_named_not_read_as_answers(tmp_path: Path) -> None:
    (tmp_path / "wave_2024.csv").write_text(
        "自治体名,課題\n" + "".join(f"市{i},研修をしても現場で使われず、定着しないのが悩みです。{i}\n" for i in range(8)),
        encoding="utf-8",
    )
    codes = "".join(f"wave_2024.csv,{i},課題,kpi\n" for i in range(2, 10))
    (tmp_path / "labels.csv").write_text("source_file,source_row,column,primary\n" + codes, encoding="utf-8")
    with pytest.raises(InputError, match=r"labels\.csv に自由記述の列が見つかりません"):
        read_inputs([tmp_path])


def test_the_columns_of_every_file_are_recorded(waves: Path) -> None:
    """summary.json records each file's own headers, not the first file's for all."""
    roles = read_inputs([waves], text_cols=[CHALLENGE, PRACTICE]).columns
    assert set(roles.by_file) == set(ROWS)
    assert roles.by_file["wave_2023.csv"]["questions"]["課題"] == "課題（自由記述）"
    assert roles.by_file["wave_2024.csv"]["questions"]["課題"] == "現在抱えている課題"
    assert roles.by_file["wave_2024.csv"]["questions"]["取り組み"] == "取り組み・その成果"


def test_a_file_whose_answer_columns_are_blank_names_them_not_the_municipalities(tmp_path: Path) -> None:
    # the municipality names are the longest filled values left: they used to be analysed as the
    # answers (one cluster of 川越市, 所沢市 …) with no word of the blank columns
    rows = "".join(f"2024-04-{i + 1:02d},市{i},総務課,,\n" for i in range(8))
    path = tmp_path / "survey.csv"
    path.write_text("回答日,自治体名,所属部署,課題,その他\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_inputs([path])
    message = str(excinfo.value)
    assert "survey.csv に自由記述の列が見つかりません" in message
    assert "すべて空欄の列: 『課題』『その他』" in message and "--text-col" in message


def test_a_remarks_column_of_sentences_is_still_read_as_the_answers(tmp_path: Path) -> None:
    rows = "".join(f"市{i},研修をしても現場で使われず、定着しないのが悩みです。{i}\n" for i in range(8))
    path = tmp_path / "survey.csv"
    path.write_text("自治体名,備考\n" + rows, encoding="utf-8")
    assert read_inputs([path]).columns.by_file["survey.csv"]["questions"] == {"備考": "備考"}
