"""Names of new themes read as the members wrote them."""

from __future__ import annotations

import numpy as np
import pytest

from rsnet_analysis.challenges.naming import as_written, label_stop_words, phrase_counts, theme_phrase


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("情報セキュリティー人材", "情報セキュリティ人材が足りない", "情報セキュリティ人材"),
        ("セキュリティー", "セキュリティー研修は動画だけ", "セキュリティー"),  # written with ー: kept
        ("サーバー", "サーバの更新", "サーバ"),
        ("サーバー", "サーバーの更新", "サーバー"),
        ("ルール", "利用ルールがない", "ルール"),
        ("データ", "予算がない", "データ"),  # not in the text at all: unchanged
    ],
)
def test_as_written(term: str, text: str, expected: str) -> None:
    assert as_written(term, text) == expected


def test_a_theme_is_named_in_the_form_its_answers_write() -> None:
    texts = [
        "セキュリティの研修が動画だけ。",
        "セキュリティに詳しい職員がいない。",
        "セキュリティ事故が心配。",
        "研修の予算がない。",
        "研修に人が集まらない。",
        "研修の時間が取れない。",
    ]
    tokens = [["セキュリティー", "研修", "動画"], ["セキュリティー", "職員"], ["セキュリティー", "事故"],
              ["研修", "予算"], ["研修", "人"], ["研修", "時間"]]
    members = np.array([True, True, True, False, False, False])
    name = theme_phrase(texts, tokens, members, {"セキュリティー": 1.0}, label_stop_words(), phrase_counts(texts, tokens))
    assert name == "セキュリティ"
