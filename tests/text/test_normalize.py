import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsnet_analysis.text.normalize import (
    LEADING_FORMULA_CHARS,
    LINE_SEPARATOR,
    clean_text,
    guard_formula_start,
    join_lines,
    make_pipeline,
    nfkc,
    normalize_whitespace,
    normalize_width,
    remove_bullets,
    remove_invisible,
    replace_circled_numbers,
    unify_dashes,
)


@pytest.mark.parametrize(
    ("fn", "text", "expected"),
    [
        (nfkc, "ＤＸ推進", "DX推進"),
        (nfkc, "ﾃﾞｼﾞﾀﾙ", "デジタル"),
        (nfkc, "１２３", "123"),
        (nfkc, "Ｐｏｗｅｒ　ＢＩ", "Power BI"),
        (nfkc, "〔氏名〕〔メール〕〔電話〕", "〔氏名〕〔メール〕〔電話〕"),
        (nfkc, "（株）", "(株)"),
        (unify_dashes, "デ—タ", "データ"),
        (unify_dashes, "サ－ビス", "サービス"),
        (unify_dashes, "ｻｰﾋﾞｽ", "ｻーﾋﾞｽ"),
        (unify_dashes, "コンピュ‐タ", "コンピュータ"),
        (unify_dashes, "すごーい", "すごーい"),
        (unify_dashes, "2023ー2024", "2023-2024"),
        (unify_dashes, "A–B", "A-B"),
        (unify_dashes, "ー", "ー"),
        (unify_dashes, "Wi-Fi", "Wi-Fi"),
        (unify_dashes, "データ", "データ"),
        (replace_circled_numbers, "①研修②予算", "(1)研修(2)予算"),
        (replace_circled_numbers, "⑳", "(20)"),
        (remove_invisible, "D\u200bX\ufeff", "DX"),
        (remove_invisible, "a\x00b\x07c", "abc"),
        (normalize_whitespace, "  研修   が\t\t課題  ", "研修 が 課題"),
        (normalize_whitespace, "一行目\r\n\r\n\r\n二行目\r三行目\u2028四", "一行目\n二行目\n三行目\n四"),
        (normalize_whitespace, " \n \n ", ""),
        (remove_bullets, "・研修\n●予算\n■時間", "研修\n予算\n時間"),
        (remove_bullets, "- 研修\n* 予算\n+ 時間", "研修\n予算\n時間"),
        (remove_bullets, "1) 研修\n2)予算", "研修\n予算"),
        (remove_bullets, "1. 研修\n2.予算", "研修\n予算"),
        (remove_bullets, "(1)研修\n(2) 予算", "研修\n予算"),
        (remove_bullets, "1.5倍に増えた", "1.5倍に増えた"),
        (remove_bullets, "予算・人材・時間", "予算・人材・時間"),
        (remove_bullets, "-", "-"),
        (remove_bullets, "・", "・"),
        (remove_bullets, "2023年度から", "2023年度から"),
        (join_lines, "一\n二\n\n三", f"一{LINE_SEPARATOR}二{LINE_SEPARATOR}三"),
    ],
)
def test_step(fn, text: str, expected: str) -> None:
    assert fn(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＤＸ人材の育成", "DX人材の育成"),
        ("ﾃﾞｼﾞﾀﾙ人材が足りない", "デジタル人材が足りない"),
        ("・研修の定着\n・異動で引き継げない", "研修の定着 / 異動で引き継げない"),
        ("①研修\n②予算", "研修 / 予算"),
        ("（１）研修\n（２）予算", "研修 / 予算"),
        ("１）研修\r\n２）予算", "研修 / 予算"),
        ("　特になし　", "特になし"),
        ("ー", "ー"),
        ("-", "-"),
        ("", ""),
        ("   \n\t ", ""),
        ("担当 〔氏名〕 まで", "担当 〔氏名〕 まで"),
        ("kintone　と　Ｐｏｗｅｒ　ＢＩ", "kintone と Power BI"),
        ("ｅラーニング", "eラーニング"),
        ("デ−タ活用", "データ活用"),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_make_pipeline_order_and_steps() -> None:
    pipeline = make_pipeline(str.strip, str.upper, lambda s: s + "!")
    assert pipeline("  dx ") == "DX!"
    assert len(pipeline.steps) == 3
    assert make_pipeline()("same") == "same"


def test_clean_text_is_a_pipeline() -> None:
    assert nfkc in clean_text.steps and join_lines is clean_text.steps[-1]


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_clean_text_never_crashes_and_is_single_line(text: str) -> None:
    out = clean_text(text)
    assert isinstance(out, str)
    assert "\n" not in out and "\r" not in out
    assert out == out.strip()


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_placeholder_brackets_survive(text: str) -> None:
    out = clean_text(f"{text}〔氏名〕{text}")
    assert "〔氏名〕" in out
    assert unicodedata.normalize("NFKC", "〔〕") == "〔〕"


# --------------------------------------------------------------------------------------------
# no step creates a leading formula character (= + - @), and none changes what the answer says


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # full-width letters fold, the leading ＝ does not: no =HYPERLINK( at the start of a cell
        ("＝ＨＹＰＥＲＬＩＮＫ（\"http://x.example\"）", '＝HYPERLINK("http://x.example")'),
        ("＋ｃｍｄ｜'/C calc'!A0", "＋cmd|'/C calc'!A0"),
        ("＠ＳＵＭ（１＋１）", "＠SUM(1+1)"),
        ("﹦1+1", "＝1+1"),  # small equals sign
        ("⁺1", "＋1"),  # superscript plus
        # stripping what stood before does not expose the formula character
        ("\t=HYPERLINK(\"http://x.example\")", '＝HYPERLINK("http://x.example")'),
        ("\r=1+1", "＝1+1"),
        ("\n\n  =1+1", "＝1+1"),
        ("\u200b=1+1", "＝1+1"),
        ("\x00@SUM(A1)", "＠SUM(A1)"),
        ("・=1+1", "＝1+1"),
        ("- =1+1", "＝1+1"),
        # a dash at the start becomes ー (a dash that is no minus), not a formula "-"
        ("－5%の削減", "ー5%の削減"),
        ("—5%の削減", "ー5%の削減"),
        ("−5%の削減", "ー5%の削減"),  # minus sign
        ("ー以上ー", "ー以上-"),  # still a non-answer for prepare
        # a sign that is part of the answer is kept: a bullet is a marker followed by white space
        ("-5%の削減", "-5%の削減"),
        ("+1名増員", "+1名増員"),
        ("-5%の削減\n+1名増員", f"-5%の削減{LINE_SEPARATOR}+1名増員"),
        ("・研修\n-5%の削減", f"研修{LINE_SEPARATOR}-5%の削減"),
        ("- 研修\n+ 予算", f"研修{LINE_SEPARATOR}予算"),
        ("－ 研修", "研修"),
        ("-- 研修", "研修"),
        ("- -5%の削減", "-5%の削減"),
        ("- ・研修", "研修"),
        ("-\n研修", "研修"),
        (">\n*", f">{LINE_SEPARATOR}*"),  # lone markers stay, and stay on a second pass
        # a formula character that was the input's first character is the writer's business
        ("=1+1", "=1+1"),
        ("@channel 研修", "@channel 研修"),
        # the same rule for one character
        ("ー", "ー"),
        ("－", "ー"),
        ("＝", "＝"),
        ("— ", "ー"),
        # elsewhere in the text width folding is unchanged
        ("研修＝ＯＪＴ", "研修=OJT"),
    ],
)
def test_clean_text_creates_no_leading_formula(text: str, expected: str) -> None:
    out = clean_text(text)
    assert out == expected
    assert clean_text(out) == out


@pytest.mark.parametrize(
    ("fn", "text", "expected"),
    [
        (nfkc, "＝ＳＵＭ", "＝SUM"),
        (nfkc, "ＤＸ＝変革", "DX=変革"),
        (unify_dashes, "—5%", "ー5%"),
        (unify_dashes, "ー", "ー"),
        (normalize_whitespace, "\t=1", "＝1"),
        (normalize_whitespace, "=1", "=1"),
        (remove_invisible, "\ufeff+1", "＋1"),
        (remove_bullets, "・@x", "＠x"),
        (remove_bullets, "-5%", "-5%"),
        (remove_bullets, "+1名", "+1名"),
        (remove_bullets, "- 5%", "5%"),
        (remove_bullets, "+ 1名", "1名"),
        (join_lines, "\n=1", "＝1"),
        (normalize_width, "＝ＨＹＰＥＲＬＩＮＫ（", "＝HYPERLINK("),
        (normalize_width, "\u200b=1", "＝1"),
    ],
)
def test_each_step_keeps_the_formula_promise(fn, text: str, expected: str) -> None:
    assert fn(text) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("\t=1", "=1", "＝1"),
        ("=1", "=1", "=1"),
        ("ー", "-", "ー"),
        ("-", "-", "-"),
        ("x", "", ""),
        ("＠a", "@a", "＠a"),
        ("a", "a=1", "a=1"),
    ],
)
def test_guard_formula_start(before: str, after: str, expected: str) -> None:
    assert guard_formula_start(before, after) == expected


_STEPS = sorted(
    {*clean_text.steps, *normalize_width.steps, clean_text, normalize_width},
    key=lambda f: f.__name__ + (f.__doc__ or ""),
)
_FORMULA_HEAVY = st.text(
    alphabet=st.sampled_from(list("=+-@ \t\r\n・ー－—−＝＋＠﹦⁺\u200bａ1研()[]】*>.、/")), max_size=12
) | st.text()


@settings(max_examples=300, deadline=None)
@given(_FORMULA_HEAVY)
def test_no_step_creates_a_leading_formula_character(text: str) -> None:
    for fn in _STEPS:
        out = fn(text)
        if len(out) > 1 and out[0] in LEADING_FORMULA_CHARS:
            assert text.startswith(out[0]), (fn.__name__, text, out)


@settings(max_examples=300, deadline=None)
@given(_FORMULA_HEAVY)
def test_formula_guard_keeps_both_pipelines_idempotent(text: str) -> None:
    for fn in (clean_text, normalize_width):
        once = fn(text)
        assert fn(once) == once, (fn.__name__, text)


_WIDTH_TRICKY = st.text(
    alphabet=st.sampled_from(list("ーｰ－—‐-アｱあa漢1\u200b\u00ad\x00\x07\x1f\x85\t ＤＸ゛ﾞカ〜~①㈱")), max_size=12
)


@settings(max_examples=500, deadline=None)
@given(_WIDTH_TRICKY)
def test_normalize_width_shortcut_changes_no_result(text: str) -> None:
    # the check that returns a text unchanged must agree with running the steps
    assert normalize_width(text) == make_pipeline(*normalize_width.steps)(text)


@pytest.mark.parametrize("text", ["ー", "データ", "すごーい", "2023ー2024", "ｰ", "a\u200bb", "ＤＸ", "DX", "人材ー育成"])
def test_normalize_width_shortcut_on_examples(text: str) -> None:
    assert normalize_width(text) == make_pipeline(*normalize_width.steps)(text)
