"""Table-driven tests of rsnet_analysis.textwrap_ja (display width and 禁則処理)."""

from __future__ import annotations

import random

import pytest

from rsnet_analysis.report.textwrap_ja import NO_END, NO_START, display_width, wrap_ja, wrap_text


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc", 3),
        ("DX", 2),
        ("ＤＸ", 4),
        ("ﾃﾞｼﾞﾀﾙ", 6),  # half-width katakana count 1
        ("デジタル", 8),
        ("〔氏名〕", 8),
        ("・ー…", 6),  # ambiguous-width (…) counts 2
        ("Power BI の活用", 15),
        ("８.５ポイント", 13),
        ("e\u0301", 1),  # combining accent counts 0
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("", 10, []),
        ("   ", 10, []),
        ("短い文。", 10, ["短い文。"]),
        # 。 may not start a line: す is pushed down with it
        ("研修の定着が課題です。", 10, ["研修の定着", "が課題で", "す。"]),
        # 、 may not start a line
        (
            "ああああ、いいいい",
            8,
            ["あああ", "あ、いいい", "い"][:0] or ["あああ", "あ、いい", "いい"],
        ),
        # 「 may not end a line
        ("あああ「いい」", 8, ["あああ", "「いい」"]),
        # small kana and ー may not start a line
        ("ああああっぱ", 8, ["あああ", "あっぱ"]),
        ("ああああーる", 8, ["あああ", "あーる"]),
        # ASCII words and numbers are not split
        ("予算は 8.5 ポイント増", 10, ["予算は 8.5", "ポイント増"]),
        ("kintone と Power BI を使う", 12, ["kintone と", "Power BI を", "使う"]),
        # a word longer than the line is split hard
        ("abcdefghijkl", 5, ["abcde", "fghij", "kl"]),
        # line breaks inside the paragraph
        ("DX\nTeam の\n研修", 20, ["DX Team の研修"]),
    ],
)
def test_wrap_ja_table(text: str, width: int, expected: list[str]) -> None:
    assert wrap_ja(text, width) == expected


def test_wrap_ja_indents() -> None:
    lines = wrap_ja("ああああいいいいうううう", 10, initial_indent="○", subsequent_indent="  ")
    assert lines == ["○ああああ", "  いいいい", "  うううう"]


def test_wrap_ja_rejects_too_small_width() -> None:
    with pytest.raises(ValueError):
        wrap_ja("ああ", 3, initial_indent="    ")


WORDS = [
    "研修",
    "職員の",
    "デジタル",
    "課題",
    "が",
    "を",
    "、",
    "。",
    "「生成AI」",
    "（予算）",
    "ちょっと",
    "データ",
    " DX ",
    " kintone ",
    "8.5",
    "ポイント",
    "！",
    "？",
    "〔氏名〕",
    "さん",
    "人々",
    "・",
]


@pytest.mark.parametrize("seed", range(40))
def test_wrap_ja_random_text_respects_width_and_rules(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(WORDS) for _ in range(rng.randint(10, 150)))
    width = rng.choice([12, 20, 40, 72])
    lines = wrap_ja(text, width)
    assert "".join(lines).replace(" ", "") == text.strip().replace(" ", "")
    for i, line in enumerate(lines):
        assert display_width(line) <= width
        if i > 0:
            assert line[0] not in NO_START, (lines[i - 1], line)
            assert lines[i - 1][-1] not in NO_END, (lines[i - 1], line)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("", "\n"),
        ("一行目\n\n二行目", "一行目\n\n二行目\n"),
        (
            "　○「ああああいいいいううううええええおおおお」",
            "　○「ああああいいいいううう\n    うええええおおおお」\n",
        ),
        ("■ 見出し", "■ 見出し\n"),
        ("─" * 40, "─" * 14 + "\n"),
    ],
)
def test_wrap_text_keeps_structure(document: str, expected: str) -> None:
    assert wrap_text(document, 28) == expected


def test_wrap_text_every_line_fits_72() -> None:
    paragraph = (
        "市民向けのデジタル講座を開いていますが、参加者が高齢者のスマホ教室に偏っています。" * 5
    )
    out = wrap_text(f"【1】見出し\n　○「{paragraph}」\n※注記です。", 72)
    for line in out.splitlines():
        assert display_width(line) <= 72
        assert not line or line.lstrip(" \u3000")[0] not in NO_START
