"""Per-row identity strings (issue 11, item 3): the respondent's own name, e-mail and phone."""

import pickle

import pytest

from rsnet_analysis.privacy import PiiMasker, find_pii, mask_pii
from rsnet_analysis.privacy.identity import compile_identity

# (text, the row's identity columns, expected)
IDENTITY = [
    ("吉川が中心となって研修を企画しました。", ("吉川 早苗",), "〔氏名〕が中心となって研修を企画しました。"),
    ("早苗も参加しています。", ("吉川 早苗",), "〔氏名〕も参加しています。"),
    ("吉川早苗が担当です。", ("吉川 早苗",), "〔氏名〕が担当です。"),
    ("さなえより", ("吉川 早苗",), "〔氏名〕より"),  # the dictionary reading of the given name
    # a surname that is also a place: the person, not the place
    ("長野市の研修に長野も参加しました。", ("長野 健",), "長野市の研修に〔氏名〕も参加しました。"),
    ("千葉県と千葉市の事例を調べました。", ("千葉 翼",), "千葉県と千葉市の事例を調べました。"),
    # a one-character name only in a name context
    ("DXは林ひとりで担当しています。林業の研修も林さんが企画。", ("林 健",),
     "DXは〔氏名〕ひとりで担当しています。林業の研修も〔氏名〕さんが企画。"),
    ("森林の管理を森町で始めました。", ("森 大地",), "森林の管理を森町で始めました。"),
    # a given name that is also a word
    ("受講を希望します。", ("山口 希望",), "受講を希望します。"),
    # e-mail (any case) and phone (any separators)
    ("送り先はYOSHIKAWA.S@CITY.EXAMPLE.LG.JPです。", ("y@x.jp", "yoshikawa.s@city.example.lg.jp"),
     "送り先は〔メール〕です。"),
    ("携帯は 090 1234 5678 です。", ("090-1234-5678",), "携帯は 〔電話〕 です。"),
    ("内線は0263112233まで。", ("0263-11-2233",), "内線は〔電話〕まで。"),
    # names in latin letters at word boundaries
    ("Yoshikawa-san and Sanae both joined.", ("Sanae Yoshikawa",), "〔氏名〕-san and 〔氏名〕 both joined."),
    ("Sanaeya is a shop.", ("Sanae Yoshikawa",), "Sanaeya is a shop."),
    # nothing to mask
    ("特になし", ("吉川 早苗", "", None), "特になし"),
]


@pytest.mark.parametrize(("text", "extra", "expected"), IDENTITY)
def test_identity_strings_are_masked_everywhere(text: str, extra: tuple[str, ...], expected: str) -> None:
    assert mask_pii(text, extra=extra) == expected
    assert PiiMasker().mask(text, extra) == expected
    assert mask_pii(expected, extra=extra) == expected


def test_without_identity_the_rules_alone_apply() -> None:
    text = "早苗も参加しています。"
    assert mask_pii(text) == text
    assert mask_pii(text, extra=("吉川 早苗",)) == "〔氏名〕も参加しています。"


def test_find_and_mask_tagged_take_extra() -> None:
    extra = ("吉川 早苗", "sanae@example.jp")
    spans = find_pii("早苗です。sanae@example.jp", extra)
    assert [(s.kind, s.text) for s in spans] == [("name", "早苗"), ("email", "sanae@example.jp")]
    done = PiiMasker().mask_tagged("吉川が説明しました。", extra)
    assert done.text == "〔氏名〕が説明しました。"
    assert done.blocked == [(0, 4)]


@pytest.mark.parametrize("extra", [None, (), "吉川 早苗", ["吉川 早苗"], ("吉川 早苗", float("nan"))])
def test_identity_accepts_loose_inputs(extra: object) -> None:
    ident = compile_identity(extra)  # type: ignore[arg-type]
    assert bool(ident) == (extra not in (None, ()))


def test_masker_with_identity_still_pickles() -> None:
    masker = PiiMasker()
    masker.mask("吉川です", ("吉川 早苗",))
    clone = pickle.loads(pickle.dumps(masker))
    assert clone.mask("吉川が担当", ("吉川 早苗",)) == "〔氏名〕が担当"
