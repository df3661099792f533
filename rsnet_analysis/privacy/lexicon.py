"""Word lists that tell a person's name from an ordinary word: honorifics, labels, followers."""

from __future__ import annotations

from typing import Literal

PiiKind = Literal["name", "email", "phone", "id", "url", "address", "birthdate"]

#: Placeholder that replaces each kind of personal information. The brackets 〔〕 are reserved
#: for these: the masker turns any other 〔 〕 into （ ）, and the tokenizer skips 〔…〕 spans.
PLACEHOLDERS: dict[str, str] = {
    "name": "〔氏名〕",
    "email": "〔メール〕",
    "phone": "〔電話〕",
    "id": "〔ID〕",
    "url": "〔URL〕",
    "address": "〔住所〕",
    "birthdate": "〔生年月日〕",
}

#: Honorifics and job titles that follow a person's name (田中さん, 鈴木課長). Longest first is not
#: required: matching is done with a regular expression that prefers the longest alternative.
HONORIFIC_SUFFIXES: tuple[str, ...] = (
    "さん",
    "様",
    "さま",
    "サマ",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "殿",
    "先生",
    "先輩",
    "課長補佐",
    "課長代理",
    "副課長",
    "課長",
    "係長",
    "主任",
    "主査",
    "主事",
    "主幹",
    "参事",
    "副部長",
    "部長",
    "次長",
    "室長",
    "局長",
    "所長",
    "センター長",
    "班長",
    "グループ長",
    "補佐",
    "理事",
    "専門員",
    "会計年度任用職員",
    "技師",
    "保健師",
    "指導主事",
    "副市長",
    "副町長",
    "副村長",
    "市長",
    "町長",
    "村長",
    "区長",
    "知事",
    "議員",
)

#: Titles that may follow a *place* name as well (福岡市長 is an office, not a person's name). They
#: mark a name only when the word before them is tagged as a personal name.
PLACE_OFFICE_TITLES: frozenset[str] = frozenset(
    {"副市長", "副町長", "副村長", "市長", "町長", "村長", "区長", "知事", "議員"}
)

#: Honorifics that only ever follow a person (not job titles); a job title followed by の
#: introduces a name (係長の西田), these do not (皆さんの意見).
_PERSONAL_ONLY_HONORIFICS: frozenset[str] = frozenset(
    {"さん", "様", "さま", "サマ", "氏", "君", "くん", "ちゃん", "殿", "先輩"}
)

#: Relations that introduce a person's name with の (上司の佐藤, 同僚の田中).
ROLE_WORDS: tuple[str, ...] = ("上司", "同僚", "部下", "先輩", "後輩", "前任者", "後任者", "相方")

#: Words that follow a name in self-introductions and sign-offs (担当の佐藤です, 田中より).
NAME_FOLLOWERS: tuple[str, ...] = (
    "です",
    "でした",
    "と申します",
    "ともうします",
    "と言います",
    "といいます",
    "でございます",
    "が担当",
    "が回答",
    "が記入",
    "が対応",
    "が作成",
    "宛",
    "あて",
)

#: Sign-off words that follow a name only at the end of an answer or line (田中より, 佐藤まで).
END_FOLLOWERS: tuple[str, ...] = ("より", "まで", "記", "拝")

#: Labels that introduce a name (担当：佐藤, 記入者 井上, 以上、佐藤, 私、田中, 記録：大塚). A label
#: may be followed by 名 or 氏名 (回答者名：…).
NAME_LABELS: tuple[str, ...] = (
    "担当者名",
    "担当者",
    "担当",
    "記入者",
    "記入",
    "回答者",
    "作成者",
    "作成",
    "入力者",
    "報告者",
    "記録者",
    "記録",
    "書記",
    "司会",
    "進行",
    "ファシリテーター",
    "発言者",
    "申込者",
    "差出人",
    "送信者",
    "投稿者",
    "受講者",
    "文責",
    "氏名",
    "お名前",
    "名前",
    "連絡先",
    "問い合わせ先",
    "問合せ先",
    "お問い合わせ",
    "問い合わせ",
    "問合せ",
    "窓口",
    "発表者",
    "講師",
    "前任者",
    "後任者",
    "前任",
    "後任",
    "以上",
    "私",
    "わたくし",
    "筆者",
)

#: Endings of department names after which a name is a signature (情報政策課 田中, 人事課の高橋).
DEPARTMENT_SUFFIXES: tuple[str, ...] = (
    "課",
    "係",
    "室",
    "部",
    "局",
    "班",
    "グループ",
    "チーム",
    "センター",
    "事務所",
    "支所",
    "事務局",
    "本部",
    "委員会",
    "担当",
)

#: Frequent surnames that unidic-lite tags as common nouns (林 "forest", 東 "east"). They count as
#: names only in the strongest contexts (林さん, 担当の林です, 記入者：東), like place-tagged names.
COMMON_NOUN_SURNAMES: frozenset[str] = frozenset(
    "林 森 東 西 南 北 原 岸 堀 関 辻 谷 泉 岡 星 松 杉 菅 柳 芝 浜 港 畑 沢 滝 岩 宮 神 "
    "黒田 白石 小池 長尾 今村".split()
)

#: Loanwords and brand names that unidic-lite tags as personal names (ベンダーさん, デル, パワポ).
#: Found by tagging common DX and office vocabulary before さん; they are never names here.
NOT_PERSON_WORDS: frozenset[str] = frozenset("ベンダー デル パワポ ローソン マイナ".split())

#: Labels in Latin letters that introduce a name (``Name: Emily Clark``); a colon must follow.
LATIN_NAME_LABELS: tuple[str, ...] = (
    "Name",
    "NAME",
    "Full name",
    "Author",
    "Written by",
    "Reported by",
    "Contact",
    "Contact person",
    "From",
    "Respondent",
    "Reporter",
    "Signed",
)

#: Frequent Japanese surnames in Hepburn romanisation (with the common long-vowel spellings). A
#: romanised word in this list counts as a name in weaker contexts than other latin words
#: (``Sakamotoが``, a lower-case signature line ``kenta mori``). Words that are also English or
#: product words are left out.
ROMAJI_SURNAMES: frozenset[str] = frozenset(
    """
    sato satou satoh suzuki takahashi tanaka watanabe ito itou itoh yamamoto nakamura kobayashi
    kato katou katoh yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu
    yamazaki yamasaki mori abe ikeda hashimoto yamashita ishikawa nakajima maeda fujita ogawa goto
    gotou okada hasegawa murakami kondo kondou ishii saito saitou sakamoto endo endou aoki fujii
    nishimura fukuda ota oota ohta miura fujiwara okamoto matsuda nakagawa nakano harada ono
    tamura takeuchi kaneko wada nakayama ishida ueda morita hara shibata sakai kudo kudou yokoyama
    miyazaki miyamoto uchida takagi ando andou taniguchi ohno ono maruyama imai takada fujimoto
    takeda murata ueno sugiyama masuda sugawara hirano otsuka ootsuka kubo matsui chiba iwasaki
    sakurai kinoshita noguchi matsuo kikuchi nomura arai watabe sano sugimoto furukawa tsuchiya
    kojima hamada takano mizuno koike yamauchi ishihara morimoto kikuchi hirata shimada kubota
    kawaguchi kawasaki iida yoshikawa tsuji kuroda nishida kawakami ichikawa hattori nagai
    matsushita miyata yasuda igarashi homma honma sakaguchi kitamura okabe ozawa nishikawa
    hirose okubo ookubo yoshimura kawamura taguchi komatsu nagata kitagawa yano hori ikegami
    matsuura fujisawa katayama akiyama kishi kitano minami murai nagano nakanishi nishiyama oshima
    ooshima sawada takase tsuda yamane yasui yokota yoneda
    """.split()
)
