"""Golden Japanese statements per kind: rule evidence, context cues and the rule file itself."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rsnet_analysis.contract import KINDS
from rsnet_analysis.errors import InputError
from rsnet_analysis.statements import (
    StatementKinds,
    absorb_evidence,
    classify_statements,
    clue_label,
    rule_text,
    score_kinds,
)

sys.path.insert(0, str(Path(__file__).parent))
from kinds_helpers import SURVEY_Q1, SURVEY_Q2, note, records  # noqa: E402

BOOK = StatementKinds.load()

#: (kind, statement) pairs written for these tests (not taken from the sample data).
GOLDEN: list[tuple[str, dict[str, str]]] = [
    ("challenge", {"text": "研修の時間が取れず、受講率が上がらないのが課題です。"}),
    ("challenge", {"text": "何から手をつければよいのか分からない。"}),
    ("challenge", {"text": "ｅラーニングを導入しましたが、ほとんど使われていません。"}),
    ("challenge", {"text": "担当者が2年で異動してしまうので、ノウハウが残らないことに悩んでいます。"}),
    ("challenge", {"text": "研修の順番に迷っています。他市の事例を知りたい。", "question": SURVEY_Q1}),
    ("practice", {"text": "今年度から若手職員向けの勉強会を始めました。"}),
    ("practice", {"text": "研修の案内を所属長経由で送るようにしました。"}),
    ("practice", {"text": "受講者の声を庁内報で紹介しています。", "question": SURVEY_Q2}),
    ("practice", {"text": "窓口の申請書を電子化する作業を、3課で試行しています。"}),
    ("result", {"text": "申込みが前年の2倍に増えました。"}),
    ("result", {"text": "窓口の待ち時間が平均10分短くなりました。"}),
    ("result", {"text": "研修のあと、職員が自分でアプリを作れるようになりました。"}),
    ("result", {"text": "案内の方法を変えたところ、電子申請の利用率が30%から55%に上がりました。"}),
    ("result", {"text": "相談会を始めました。参加は毎回12名ほどです。", "question": SURVEY_Q2}),
    ("request", {"text": "他の自治体の研修カリキュラムを教えてほしいです。"}),
    ("request", {"text": "小規模自治体どうしで話せる分科会があると助かります。"}),
    ("request", {"text": "生成AIのガイドラインのひな形を共有していただけるとありがたいです。"}),
    ("facilitation", note("まとめ（ファシリテーター）：体系づくりが中心の話題でした。")),
    ("facilitation", note("本日の進め方を説明しました。", org="事務局")),
    ("facilitation", note("本日のテーマ：研修の定着", group="第5回 情報交換会 記録")),
    ("facilitation", note("次回は成果指標を取り上げる予定。", group="まとめ")),
    ("facilitation", note("司会（事務局）：各自治体から一言ずつお願いしました。")),
    ("facilitation", note("記録：事務局")),
    ("other", {"text": "いつも情報をありがとうございます。"}),
    ("other", {"text": "今のところ順調です。"}),
]


@pytest.fixture(scope="module")
def golden_records():
    return records([row for _kind, row in GOLDEN])


def test_rule_text_marks_start_end_and_numbers() -> None:
    assert rule_text("受講者が40人から95人に増えた") == "^受講者が#人から#人に増えた$"
    assert rule_text("1.5倍、1,200件") == "^#倍、#件$"
    assert rule_text("") == "^$"


@pytest.mark.parametrize(("i", "kind"), [(i, k) for i, (k, _row) in enumerate(GOLDEN)])
def test_golden_statement_has_most_rule_evidence_for_its_kind(golden_records, i: int, kind: str) -> None:
    ev = score_kinds(golden_records.iloc[[i]], BOOK)
    scores = absorb_evidence(ev.scores, ev.hints, BOOK.settings)[0]
    assert KINDS[int(np.argmax(scores))] == kind, (GOLDEN[i][1]["text"], dict(zip(KINDS, scores, strict=True)))


def test_golden_statements_are_classified_as_their_kind(golden_records) -> None:
    out = classify_statements(golden_records, seed=0)
    wrong = [
        (row["text"], kind, got, reason)
        for (kind, row), got, reason in zip(GOLDEN, out["kind"], out["kind_reason"], strict=True)
        if got != kind
    ]
    assert not wrong


def test_a_municipality_speaker_is_never_taken_for_the_facilitator() -> None:
    recs = records([note("研修の体系を見直しました。", org="松本市 DX推進課", group="まとめ")])
    assert classify_statements(recs)["kind"].iloc[0] == "practice"


def test_the_question_header_is_weak_evidence_only() -> None:
    same = "研修を受けた職員の様子を聞きました。"
    recs = records([{"text": same, "question": SURVEY_Q1}, {"text": same, "question": SURVEY_Q2}])
    ev = score_kinds(recs, BOOK)
    assert ev.hints.max() <= 1.0  # a hint never reaches a strong rule on its own
    assert ev.hints[0, KINDS.index("challenge")] > 0 and ev.hints[1, KINDS.index("practice")] > 0
    strong = classify_statements(
        records([{"text": "申込みが前年の2倍に増えました。", "question": SURVEY_Q1}])
    )
    assert strong["kind"].iloc[0] == "result"  # the text wins over the header


@pytest.mark.parametrize(
    ("match", "shown"),
    [
        ("#人", "『〈数〉人』"),
        ("^まとめ", "『〈文頭〉まとめ』"),
        ("speaker:事務局", "発言者『事務局』"),
        ("question:取り組 | 取組 | 成果", "設問『取り組』"),
        ('text:"ましたが" | text:"したが、"', "『ましたがなど』"),
    ],
)
def test_clues_are_shown_readably(match: str, shown: str) -> None:
    assert clue_label(match) == shown


def test_the_rule_file_defines_every_kind_with_a_japanese_name() -> None:
    assert BOOK.text.keys == list(KINDS)
    assert BOOK.version >= 1 and BOOK.updated
    assert all(BOOK.name(k) != k for k in KINDS)
    assert set(BOOK.context) == {"question", "speaker", "section", "source"}


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("version: 1\nkinds: {challenge: {name: 課題, terms: [課題]}}\n", "kinds には"),
        ("version: 1\nkinds: {}\nextra: 1\n", "不明な項目"),
        ("version: 1\nsettings: {default_kind: nope}\nkinds: {}\n", "kinds には"),
        ("version: [", "YAML として読めません"),
    ],
)
def test_bad_rule_files_say_what_is_wrong(yaml_text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        StatementKinds.from_yaml(yaml_text, source="my.yaml")


def _full(extra: str) -> str:
    kinds = "\n".join(f"  {k}: {{name: 名{i}, terms: [語{i}]}}" for i, k in enumerate(KINDS))
    return f"version: 1\n{extra}kinds:\n{kinds}\n"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("settings: {default_kind: nope}\n", "settings.default_kind"),
        ("settings: {absorb: [{kind: result, absorbs: practice}]}\n", "settings.absorb"),
        ("settings: {strong_score: high}\n", "数値"),
        ("context: {weather: {}}\n", "context の不明な項目"),
        ("context: {speaker: {challenge: {rules: ['(事務局']}}}\n", "ルール"),
    ],
)
def test_bad_settings_and_context_say_what_is_wrong(extra: str, needle: str) -> None:
    StatementKinds.from_yaml(_full(""))  # the base file is valid
    with pytest.raises(InputError, match=needle):
        StatementKinds.from_yaml(_full(extra), source="my.yaml")


def test_a_user_rule_file_is_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text(_full("settings: {default_kind: other}\n"), encoding="utf-8")
    book = StatementKinds.load(path)
    assert book.settings.default_kind == "other" and book.source == str(path)
    with pytest.raises(InputError, match="見つかりません"):
        StatementKinds.load(tmp_path / "missing.yaml")


def test_survey_answers_are_never_facilitation() -> None:
    recs = records([{"text": "次回の交流会も楽しみにしています。"}, {"text": "まとめ：研修が課題です。"}])
    assert "facilitation" not in set(classify_statements(recs)["kind"])


def test_a_rule_file_not_saved_as_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_bytes("version: 1\n# 課題の種類\n".encode("cp932"))
    with pytest.raises(InputError, match="UTF-8"):
        StatementKinds.load(path)


def test_evidence_of_a_table_is_the_evidence_of_each_statement_alone(golden_records) -> None:
    """Context values are scored once per distinct value and matches read pair by pair: nothing leaks between rows."""
    whole = score_kinds(golden_records, BOOK)
    for i in range(len(golden_records)):
        alone = score_kinds(golden_records.iloc[[i]], BOOK)
        np.testing.assert_array_equal(whole.scores[i], alone.scores[0])
        np.testing.assert_array_equal(whole.hints[i], alone.hints[0])
        assert whole.matched[i] == alone.matched[0]
