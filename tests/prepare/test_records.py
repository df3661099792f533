import importlib.util

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsnet_analysis.contract import STATUSES
from rsnet_analysis.prepare import build_record_table, is_non_answer, status_counts
from rsnet_analysis.prepare.records import mask_attributes


def identity(text: str) -> str:
    return text


def raw_table(texts: list[str], respondents: list[str] | None = None, files: list[str] | None = None) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "record_id": [f"f:{i + 2}" for i in range(n)],
            "source_file": files or ["f.csv"] * n,
            "source_row": list(range(2, n + 2)),
            "source_type": ["survey"] * n,
            "respondent": respondents or [f"r{i}" for i in range(n)],
            "date": [""] * n,
            "text_original": texts,
        }
    )


@pytest.mark.parametrize(
    "text",
    [
        "特になし", "特に無し", "とくになし", "なし", "無し", "ない", "ありません", "特にありません",
        "該当なし", "-", "ー", "―", "‐", "N/A", "n/a", "NA", "none", "None", "ー以上ー", ".", "。",
        "なし。", "特になし。", "・特になし", "特になし です", "...", "・", "－", "特にないです", "以上",
        "（特になし）", "「なし」", "***", "?", "ＮＡ", "ｎ／ａ", "無", "無回答", "未記入", "NaN", "0", "０",
    ],
)
def test_non_answers(text: str) -> None:
    records = build_record_table(raw_table([text]), mask=identity)
    assert records["status"].tolist() == ["non_answer"]


@pytest.mark.parametrize(
    "text",
    [
        "予算なしで研修を続けるのは難しい",
        "特になしとは言えないが、予算が足りない",
        "なしくずしに研修がなくなった",
        "ないものねだりかもしれないが人がほしい",
        "DX",
        "AI",
        "研修",
    ],
)
def test_real_answers_containing_nashi_are_kept(text: str) -> None:
    assert not is_non_answer(text)
    records = build_record_table(raw_table([text]), mask=identity)
    assert records["status"].tolist() == ["kept"]


@pytest.mark.parametrize("text", ["", "   ", "\u3000\n\t", "\u200b"])
def test_empty(text: str) -> None:
    records = build_record_table(raw_table([text]), mask=identity)
    assert records["status"].tolist() == ["empty"]
    assert records["text_clean"].tolist() == [""]


def test_duplicates_same_respondent_same_file_only() -> None:
    texts = ["ＤＸ人材の育成", "DX人材の育成", "DX人材の育成", "DX人材の育成", "DX人材の育成"]
    respondents = ["札幌市", "札幌市", "仙台市", "札幌市", ""]
    files = ["a.csv", "a.csv", "a.csv", "b.csv", "a.csv"]
    records = build_record_table(raw_table(texts, respondents, files), mask=identity)
    # width-folded repeat from the same respondent in the same file is a duplicate;
    # another respondent, another wave (file) or an unknown respondent is not
    assert records["status"].tolist() == ["kept", "duplicate", "kept", "kept", "kept"]


def test_non_answer_is_never_a_duplicate() -> None:
    records = build_record_table(raw_table(["特になし", "特になし"], ["x", "x"]), mask=identity)
    assert records["status"].tolist() == ["non_answer", "non_answer"]


def test_columns_order_index_and_originals_preserved() -> None:
    raw = raw_table(["・ＤＸ\n・研修", "特になし"])
    raw.index = [10, 20]
    records = build_record_table(raw, mask=lambda s: s.replace("研修", "〔X〕"))
    assert list(records.columns) == list(raw.columns) + [
        "text_clean", "text_masked", "status", "tokens", "lemmas", "token_pos"
    ]
    assert records.index.tolist() == [10, 20]
    assert records["text_original"].tolist() == raw["text_original"].tolist()
    assert records["text_clean"].tolist() == ["DX / 研修", "特になし"]
    assert records["text_masked"].tolist() == ["DX / 〔X〕", "特になし"]
    assert "text_clean" not in raw  # input not modified


def test_status_counts_has_all_keys() -> None:
    records = build_record_table(raw_table(["研修"]), mask=identity)
    counts = status_counts(records)
    assert list(counts) == list(STATUSES)
    assert counts == {"kept": 1, "empty": 0, "non_answer": 0, "error_value": 0, "duplicate": 0, "facilitation": 0}
    assert all(isinstance(v, int) for v in counts.values())


def test_mask_is_applied_to_clean_text_before_anything_else_sees_it() -> None:
    seen: list[str] = []

    def spy(text: str) -> str:
        seen.append(text)
        return text

    build_record_table(raw_table(["ＤＸ　です"]), mask=spy)
    assert seen == ["DX です"]


@pytest.mark.skipif(
    importlib.util.find_spec("rsnet_analysis.privacy") is None, reason="privacy.py not written yet"
)
def test_default_mask_is_privacy_mask_pii() -> None:
    from rsnet_analysis.privacy import mask_pii

    text = "担当の佐藤です。sato@example.lg.jp 03-1234-5678"
    records = build_record_table(raw_table([text]))
    assert records["text_masked"].iloc[0] == mask_pii(records["text_clean"].iloc[0])
    assert "sato@example.lg.jp" not in records["text_masked"].iloc[0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=30), st.sampled_from(["", "a", "b"])), max_size=30
    )
)
def test_build_record_table_keeps_every_row(rows: list[tuple[str, str]]) -> None:
    texts = [t for t, _ in rows]
    respondents = [r for _, r in rows]
    raw = raw_table(texts, respondents if rows else None)
    records = build_record_table(raw, mask=identity)
    assert len(records) == len(raw)
    assert records["record_id"].tolist() == raw["record_id"].tolist()
    assert set(records["status"]) <= set(STATUSES)
    assert sum(status_counts(records).values()) == len(raw)


def test_tokens_come_from_the_same_mecab_pass_as_masking(monkeypatch) -> None:
    """One MeCab pass per answer: a kept answer without personal information is tagged once."""
    from rsnet_analysis.text import tagger as tagger_module

    seen: list[str] = []
    original = tagger_module.MorphTagger.tag

    def counting(self, text):
        seen.append(text)
        return original(self, text)

    monkeypatch.setattr(tagger_module.MorphTagger, "tag", counting)
    records = build_record_table(raw_table(["研修の内容が職場で定着しない。", "特になし"]))
    assert records["tokens"].tolist()[0] == ["研修", "職場", "定着"]
    assert records["tokens"].tolist()[1] == []
    assert seen.count("研修の内容が職場で定着しない。") == 1


def test_masked_names_never_reach_the_tokens() -> None:
    records = build_record_table(raw_table(["研修の日程は担当の佐藤までご連絡ください。"]))
    assert "〔氏名〕" in records["text_masked"].iloc[0]
    assert "佐藤" not in records["tokens"].iloc[0]
    assert "氏名" not in records["tokens"].iloc[0]


def test_token_pos_tags_every_token_in_the_same_pass() -> None:
    """``token_pos``: the part of speech of each entry of ``tokens``, as ``analyze`` gives it."""
    from rsnet_analysis.text import JapaneseTokenizer

    texts = [
        "新しい研修を企画したい。研修は大事です。",
        "ＤＸ推進とリスキリングのため人財育成に取り組んでいます。",
        "特になし",
        "研修の日程は担当の佐藤までご連絡ください。職員のモチベーションが低い。",
    ]
    records = build_record_table(raw_table(texts))
    assert records["token_pos"].tolist() == [
        ["形容詞", "名詞", "名詞", "名詞", "形状詞"],
        ["名詞", "名詞", "名詞", "動詞"],  # DX推進, リスキリング, 人材育成 (domain terms, compound), 取り組む
        [],
        ["名詞", "名詞", "名詞", "名詞", "名詞", "名詞", "形容詞"],
    ]
    tok = JapaneseTokenizer()
    for text, tokens, tags in zip(records["text_masked"], records["tokens"], records["token_pos"], strict=True):
        assert len(tags) == len(tokens)
        if tokens:
            assert list(zip(tokens, tags, strict=True)) == [(t.lemma, t.pos) for t in tok.analyze(text) if t.keep]
    tags = [t for row in records["token_pos"] for t in row]
    assert len({id(t) for t in tags}) == len(set(tags))  # one shared string per part of speech


# -- per-row identity strings (issue 11, item 3) -------------------------------------------------
IDENTITY_ROWS = [
    # (original text, identity of the row, expected text_masked)
    ("吉川が中心となり研修を企画。\n吉川", ("吉川 早苗", "sanae@example.jp"), "〔氏名〕が中心となり研修を企画。 / 〔氏名〕"),
    ("早苗も参加しました。", "吉川 早苗", "〔氏名〕も参加しました。"),
    ("早苗も参加しました。", None, "早苗も参加しました。"),
    ("連絡は sanae@example.jp へ", ("吉川 早苗", "sanae@example.jp", "090-1111-2222"), "連絡は 〔メール〕 へ"),
]


def test_identity_strings_are_masked_in_their_own_row_only() -> None:
    texts = [t for t, _, _ in IDENTITY_ROWS]
    records = build_record_table(raw_table(texts), identity=[i for _, i, _ in IDENTITY_ROWS])
    assert records["text_masked"].tolist() == [e for _, _, e in IDENTITY_ROWS]
    assert "吉川" not in " ".join(records["tokens"].sum())


def test_identity_as_a_series_is_aligned_by_position() -> None:
    raw = raw_table(["早苗も来ました。", "早苗も来ました。"])
    raw.index = [10, 3]
    identity = pd.Series([("吉川 早苗",), float("nan")], index=[0, 1])
    records = build_record_table(raw, identity=identity)
    assert records["text_masked"].tolist() == ["〔氏名〕も来ました。", "早苗も来ました。"]


def test_identity_needs_one_entry_per_row() -> None:
    with pytest.raises(ValueError, match="one per row"):
        build_record_table(raw_table(["a", "b"]), identity=[("x",)])


# -- several worker processes (issue 14) ---------------------------------------------------------
def test_the_record_table_is_the_same_for_one_and_two_processes() -> None:
    from rsnet_analysis.ingest import read_inputs, sample_inputs

    raw = read_inputs(sample_inputs()).table
    one = build_record_table(raw, identity=raw["identity"], jobs=1)
    two = build_record_table(raw, identity=raw["identity"], jobs=2)
    columns = ["text_clean", "text_masked", "status", "tokens", "lemmas", "token_pos"]
    assert one[columns].to_dict("list") == two[columns].to_dict("list")


def test_rows_tagged_ahead_give_what_one_row_at_a_time_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    import rsnet_analysis.prepare.workers as workers
    from rsnet_analysis.prepare import TextPreparer
    from rsnet_analysis.text.tagger import shared_tagger

    texts = [
        "研修の定着が課題です。",
        "担当の山田太郎です。連絡は yamada@example.jp まで。",  # masked: tagged again, not ahead
        "",
        "研修の定着が課題です。",
        "総務課 佐藤花子様に相談しました。",
        "DX推進と人材育成",
        "ｔｅｓｔ",
    ]
    rows = [(t, "kept" if i % 3 else "duplicate", ("佐藤花子",) if i == 4 else ()) for i, t in enumerate(texts)]
    one_by_one = [TextPreparer()(t, s == "kept", e) if t else (t, [], [], []) for t, s, e in rows]
    monkeypatch.setattr(workers, "AHEAD_ROWS", 2)
    tagger, batches = shared_tagger(), []
    tag_many = tagger.tag_many
    monkeypatch.setattr(tagger, "tag_many", lambda texts: batches.append(list(texts)) or tag_many(texts))
    assert workers.prepare_rows(TextPreparer(), iter(rows)) == one_by_one
    assert [len(b) for b in batches] == [2, 1, 2, 1]  # two rows at a time, the empty text left out
    assert "〔氏名〕" in one_by_one[1][0] and "yamada" not in one_by_one[1][0]
    assert workers.prepare_rows(TextPreparer(mask=str.upper), rows) == [
        TextPreparer(mask=str.upper)(t, s == "kept", e) if t else (t, [], [], []) for t, s, e in rows
    ]


def test_default_jobs_is_one_for_small_inputs_and_at_most_two() -> None:
    from rsnet_analysis.prepare.workers import (
        MAX_DEFAULT_JOBS,
        PARALLEL_MIN_ROWS,
        available_cpus,
        default_jobs,
    )

    assert default_jobs(PARALLEL_MIN_ROWS - 1) == 1
    assert default_jobs(10 * PARALLEL_MIN_ROWS) == min(MAX_DEFAULT_JOBS, available_cpus())


#: Common department, unit and job names (typed as members type them): the masker leaves them as
#: they are, so masking every value of these columns costs a report nothing.
DEPARTMENT_AND_JOB_NAMES = (
    "総務課 企画課 財政課 税務課 住民課 市民課 戸籍住民課 保険年金課 福祉課 高齢者福祉課 障害福祉課 "
    "子育て支援課 こども家庭課 健康推進課 保健センター 環境課 農林課 農政課 商工観光課 観光振興課 建設課 "
    "都市計画課 上下水道課 会計課 議会事務局 選挙管理委員会事務局 監査委員事務局 教育総務課 学校教育課 "
    "生涯学習課 文化スポーツ課 人事課 職員課 情報政策課 デジタル推進課 DX推進室 行政改革推進室 秘書広報課 "
    "危機管理課 防災安全課 地域振興課 まちづくり推進課 市長公室 政策企画部 総合政策部 経営企画部 市民協働課 "
    "男女共同参画室 消防本部総務課 水道局 交通局 病院事業局 出納室 契約検査課 資産経営課 "
    "公共施設マネジメント課 ふるさと納税推進室 移住定住推進課 情報システム係 人材育成係 研修担当 庶務係 "
    "管理係 企画係 人事係 給与係 主事 主査 主任 係長 課長補佐 課長 部長 次長 参事 副参事 技師 "
    "会計年度任用職員 一般職員 管理職 研修担当者 DX推進リーダー デジタル推進員 CIO補佐官 情報化推進員 "
    "担当者 事務局 窓口担当 人事担当 企画担当 秘書係 広聴広報係 統計係 総務部情報政策課 市民生活部市民課 "
    "健康福祉部長寿介護課 教育委員会事務局学校教育課 情報政策課主事 部長級 係員 班長 DX推進班"
).split()


@pytest.mark.parametrize("column", ["所属部署", "役割", "職位", "組織名", "グループ"])
def test_every_value_of_a_department_or_job_column_is_masked(column: str) -> None:
    names = ["総務課山田太郎", "デジタル推進課佐藤", "人事課鈴木花子主査", "渡部課長", "総務課　高橋一郎"]
    table = pd.DataFrame({column: [*names, *DEPARTMENT_AND_JOB_NAMES, None]})
    mask_attributes(table)
    masked = table[column].tolist()
    assert masked[: len(names)] == [
        "総務課〔氏名〕", "デジタル推進課〔氏名〕", "人事課〔氏名〕主査", "〔氏名〕課長", "総務課　〔氏名〕",
    ]
    assert masked[len(names) : -1] == DEPARTMENT_AND_JOB_NAMES
    assert masked[-1] is None


def test_a_bare_municipality_name_is_kept_and_one_with_more_is_masked() -> None:
    table = pd.DataFrame({"自治体名": ["金美村", "川越市", "川越市 山田太郎", "南部町"]})
    mask_attributes(table)
    assert table["自治体名"].tolist() == ["金美村", "川越市", "川越市 〔氏名〕", "南部町"]
