"""Masking v2 (issue 11, item 3): golden tables that fail on the masker before v2.

Every example is written here in our own words (none is copied from data/pii/holdout2).
"""

import re

import pytest

from rsnet_analysis.privacy import PLACEHOLDERS, PiiMasker, find_pii, mask_pii
from rsnet_analysis.privacy.patterns import _NAME_TABLE
from rsnet_analysis.text.normalize import clean_text

PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

LATIN_NAMES = [
    ("回答者：ＳＵＧＩＴＡ　ＭＡＫＯＴＯ\n所属：税務課", "回答者：〔氏名〕\n所属：税務課"),
    ("回答者：ｔａｋｅｄａ ｙｕｍｉ", "回答者：〔氏名〕"),
    ("OKADA Riku（情報化推進員）\n庁内研修を担当しています。", "〔氏名〕（情報化推進員）\n庁内研修を担当しています。"),
    ("記入者：misaki aoki", "記入者：〔氏名〕"),
    ("Author: Laura Jensen", "Author: 〔氏名〕"),
    ("作成者：Naoto Fujii\n資料は共有フォルダにあります。", "作成者：〔氏名〕\n資料は共有フォルダにあります。"),
    ("スマホからです。\nyuta kimura", "スマホからです。\n〔氏名〕"),
    ("Ishikawa-sanにRPAを教わりました。", "〔氏名〕-sanにRPAを教わりました。"),
    ("Watanabeが作ったマクロです。", "〔氏名〕が作ったマクロです。"),
    ("Lucas Silva（090-4321-8765）", "〔氏名〕（〔電話〕）"),
    ("研修ありがとうございました。Sota Ueda", "研修ありがとうございました。〔氏名〕"),
    ("記入者名：ｽｽﾞｷ ｼﾞﾛｳ", "記入者名：〔氏名〕"),
]

LATIN_NOT_NAMES = [
    "担当：Power BI",
    "Microsoft Teams\nGoogle Workspace",
    "Smart City Promotion Office",
    "Notion AI",
    "kintoneで申請を電子化しました。",
    "ChatGPTさんに聞いてみた、という職員もいます。",
]

SIGNATURES = [
    # the cleaner joins lines with " / " before masking: still a line of its own
    ("予算が足りません。 / 小松 直樹", "予算が足りません。 / 〔氏名〕"),
    ("予算が足りません。 / 人事課 / 小松", "予算が足りません。 / 人事課 / 〔氏名〕"),
    ("研修の感想です。 / hana kato", "研修の感想です。 / 〔氏名〕"),
    ("回答者：Mei Hayashi / 研修の感想です。", "回答者：〔氏名〕 / 研修の感想です。"),
]

READINGS = [
    ("岩崎（いわさき）と申します。", "〔氏名〕と申します。"),
    ("担当：長谷川（はせがわ）", "担当：〔氏名〕"),
    ("小鳥遊（たかなし）です。", "〔氏名〕です。"),
    ("北（きた）課長に相談しました。", "〔氏名〕課長に相談しました。"),
    ("中村 美咲（なかむら みさき）と申します。", "〔氏名〕と申します。"),
    # a role in katakana is no reading
    ("**栗田（コーディネーター）**：次の議題です。", "**〔氏名〕（コーディネーター）**：次の議題です。"),
]

NOTE_LABELS = [
    ("## A班\n記録：岡部\n- 予算の確保が課題。", "## A班\n記録：〔氏名〕\n- 予算の確保が課題。"),
    ("文責：坂井（事務局）", "文責：〔氏名〕（事務局）"),
    ("書記：米田\n・順不同", "書記：〔氏名〕\n・順不同"),
    ("（記入：石塚）", "（記入：〔氏名〕）"),
    ("司会：中西、記録：野口", "司会：〔氏名〕、記録：〔氏名〕"),
    ("**森（企画課）**：研修を動画にした。", "**〔氏名〕（企画課）**：研修を動画にした。"),
    ("岩本より：次回は12月です。", "〔氏名〕より：次回は12月です。"),
]

WHOLE_NAMES = [
    ("講師のマリア・ホセ・ロドリゲスさん", "講師の〔氏名〕さん"),
    ("ALTのトーマス・ミラー先生", "ALTの〔氏名〕先生"),
    ("Emma Wilsonさんが発表しました。", "〔氏名〕さんが発表しました。"),
    ("Li Ming（李 明）さんが講演しました。", "〔氏名〕（〔氏名〕）さんが講演しました。"),
    ("後任は佐伯です。引き継ぎは佐伯が行います。", "後任は〔氏名〕です。引き継ぎは〔氏名〕が行います。"),
]

PLACE_SURNAMES = [
    ("千葉さんと千葉県の研修を企画しました。", "〔氏名〕さんと千葉県の研修を企画しました。"),
    ("担当：福岡\n福岡市の事例も調べています。", "担当：〔氏名〕\n福岡市の事例も調べています。"),
    ("長崎係長が長崎市と調整しています。", "〔氏名〕係長が長崎市と調整しています。"),
    ("福井：090-5555-6666\n福井県の研修に参加しました。", "〔氏名〕：〔電話〕\n福井県の研修に参加しました。"),
]

PLACES_STAY = [
    "（東京）",
    "長野までお気軽にお越しください。",
    "ChatGPTさんに聞いてみた、という職員もいます。",
    "千葉県と福岡市の合同研修",
    "長野市の方からの問い合わせ",
    "松本市在住の講師",
    "熊本から来ました。",
    "中野区、大田区、白石市の事例",
]

NEW_KINDS = [
    # 〔ID〕
    ("LINE ID：haru_reskill22", "LINE ID：〔ID〕"),
    ("LINEのIDはkumi.dxです。", "LINEのIDは〔ID〕です。"),
    ("Xのアカウントは@kenji_gyosei です。", "Xのアカウントは〔ID〕 です。"),
    ("職員番号 31415 で登録してください。", "職員番号 〔ID〕 で登録してください。"),
    ("社員番号（K-2048）", "社員番号（〔ID〕）"),
    ("LoGoチャットのID：sato-m01", "LoGoチャットのID：〔ID〕"),
    # 〔URL〕
    ("個人ブログ https://nao-dx.hatenablog.com/ に書きました。", "個人ブログ 〔URL〕 に書きました。"),
    ("https://note.com/gyosei_mika で発信しています。", "〔URL〕 で発信しています。"),
    ("私のGitHub（https://github.com/ryo-tools）", "私のGitHub（〔URL〕）"),
    ("Instagram: https://www.instagram.com/yui_photo_dx/", "Instagram: 〔URL〕"),
    # 〔住所〕
    ("送付先：〒371-0024 前橋市表町3-8-12", "送付先：〔住所〕"),
    ("自宅は川越市新富町2丁目5番9号です。", "自宅は〔住所〕です。"),
    ("〇〇町大字原1234番地の公民館", "〔住所〕の公民館"),
    ("住所：札幌市北区北7条西4丁目2-5 北ハイツ302", "住所：〔住所〕"),
    # 〔生年月日〕
    ("生年月日：昭和59年11月3日", "生年月日：〔生年月日〕"),
    ("1989年8月8日生まれです。", "〔生年月日〕生まれです。"),
    ("DOB: 1990-02-14", "DOB: 〔生年月日〕"),
    ("生年月日 H3.5.5", "生年月日 〔生年月日〕"),
]

NEW_KINDS_STAY = [
    "市の計画は https://www.city.example.lg.jp/dx/ にあります。",
    "総務省 https://www.soumu.go.jp/ の資料",
    "県のページ https://www.pref.example.lg.jp/kenshu/",
    "申込：https://connpass.com/event/987654/",
    "弊社サイト https://www.example.co.jp/dx/",
    "市公式X https://x.com/example_city_official で告知します。",
    "note.comの記事を紹介しました。",
    "講習の単価@2,000円",
    "#自治体DX のタグで発信しています。",
    "研修コード DX-301 で申し込んでください。",
    "事業番号 2024-03-017",
    "職員番号の管理が課題です。",
    "昭和45年4月1日に市制施行しました。",
    "2024年6月1日に研修を開きました。",
    "1990年代生まれの職員が増えました。",
    "中央3丁目の公民館で開催しました。",
    "〒100-8926 に郵送してください。",  # a large organisation's own postal code
    "国道20号沿いの会場",
]


def _check(text: str, expected: str) -> None:
    masked = mask_pii(text)
    assert masked == expected
    assert mask_pii(masked) == masked


@pytest.mark.parametrize(("text", "expected"), LATIN_NAMES)
def test_latin_names(text: str, expected: str) -> None:
    _check(text, expected)


@pytest.mark.parametrize("text", LATIN_NOT_NAMES)
def test_latin_words_that_are_not_names(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(("text", "expected"), SIGNATURES)
def test_signature_lines_after_the_cleaner_joined_them(text: str, expected: str) -> None:
    _check(text, expected)


def test_signature_line_through_clean_text() -> None:
    raw = "研修の時間がとれません。\n\n情報政策課\n長尾 健"
    assert mask_pii(clean_text(raw)) == "研修の時間がとれません。 / 情報政策課 / 〔氏名〕"


@pytest.mark.parametrize(("text", "expected"), READINGS)
def test_readings_in_brackets_are_part_of_the_name(text: str, expected: str) -> None:
    _check(text, expected)


@pytest.mark.parametrize(("text", "expected"), NOTE_LABELS)
def test_names_after_note_labels(text: str, expected: str) -> None:
    _check(text, expected)


@pytest.mark.parametrize(("text", "expected"), WHOLE_NAMES)
def test_whole_names_never_half_masked(text: str, expected: str) -> None:
    _check(text, expected)
    masked = mask_pii(text)
    assert not re.search(r"[A-Za-z\u30a1-\u30fa][・ ]?〔氏名〕|〔氏名〕[・ ]?[A-Za-z\u30a1-\u30fa]", masked)


@pytest.mark.parametrize(("text", "expected"), PLACE_SURNAMES)
def test_surnames_that_are_places(text: str, expected: str) -> None:
    _check(text, expected)


@pytest.mark.parametrize("text", PLACES_STAY)
def test_places_stay(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(("text", "expected"), NEW_KINDS)
def test_new_kinds(text: str, expected: str) -> None:
    _check(text, expected)


@pytest.mark.parametrize("text", NEW_KINDS_STAY)
def test_public_sites_codes_and_other_dates_stay(text: str) -> None:
    assert mask_pii(text) == text


def test_new_placeholders_are_reserved_and_never_tokens() -> None:
    from rsnet_analysis.prepare import TextPreparer

    assert {"id": "〔ID〕", "url": "〔URL〕", "address": "〔住所〕", "birthdate": "〔生年月日〕"}.items() <= (
        PLACEHOLDERS.items()
    )
    text = "〔重要〕LINE：dx_team01 / 住所：松本市中央2丁目3-4 / 生年月日：平成元年5月5日"
    masked, tokens, lemmas, _token_pos = TextPreparer()(text, True)
    assert masked == "（重要）LINE：〔ID〕 / 住所：〔住所〕 / 生年月日：〔生年月日〕"
    assert PLACEHOLDER_RE.sub("", masked).count("〔") == 0
    assert not {"ID", "URL", "生年月日"} & (set(tokens) | set(lemmas))
    assert tokens.count("住所") == 1  # the label, never the placeholder


@pytest.mark.parametrize(
    "text",
    [
        "担当の佐藤です。LINE ID：sato_dx",
        "住所：松本市中央2丁目3-4\n氏名：丸山 花子",
        "個人ブログ https://kei-dx.hatenablog.com/ / 職員番号 12345",
        "研修が大変です。",
    ],
)
def test_mask_tagged_is_consistent_with_the_masked_text(text: str) -> None:
    done = PiiMasker().mask_tagged(text)
    assert done.text == mask_pii(text)
    assert done.tagged is not None and done.tagged.text == done.text.translate(_NAME_TABLE)
    assert [done.text[a:b] for a, b in done.blocked] == PLACEHOLDER_RE.findall(done.text)


def test_one_mecab_pass_for_an_answer_without_personal_data(monkeypatch: pytest.MonkeyPatch) -> None:
    from rsnet_analysis.text import tagger

    masker = PiiMasker()
    masker.mask("準備")  # builds the tagger and caches outside the count
    calls: list[str] = []
    original = tagger.MorphTagger.tag

    def counting(self: tagger.MorphTagger, text: str) -> tagger.Tagged:
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(tagger.MorphTagger, "tag", counting)
    text = "研修の予算がなく、職員の学ぶ時間も足りません。"
    done = masker.mask_tagged(text)
    assert done.text == text and done.tagged is not None
    assert calls.count(text) == 1  # the answer is tagged once
    assert all(c.endswith("太郎") and len(c) <= 5 for c in calls if c != text)  # cached surname probes


def test_find_reports_the_new_kinds() -> None:
    spans = find_pii("LINE ID：ken_01 / 生年月日：1990年1月2日 / https://note.com/ken_01")
    assert [(s.kind, s.text) for s in spans] == [
        ("id", "ken_01"),
        ("birthdate", "1990年1月2日"),
        ("url", "https://note.com/ken_01"),
    ]
