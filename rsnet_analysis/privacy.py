"""Personal-information masking for free-text answers.

Respondents sign their answers with their name, e-mail address or phone number. Before an answer is
tokenized (and so before anything can become a term, a label or a quoted voice) :func:`mask_pii`
replaces those items with bracketed placeholders:

========  ===========
kind      placeholder
========  ===========
``name``  〔氏名〕
``email`` 〔メール〕
``phone`` 〔電話〕
========  ===========

The brackets 〔〕 are reserved for these placeholders: any other 〔 or 〕 in the input becomes
（ or ）, so a placeholder in the output always means "something was masked here".

How items are found
-------------------
* **E-mail and phone** are found with regular expressions on a *detection view* of the text in which
  full-width digits, letters and symbols are mapped one-to-one to their half-width forms (so offsets
  stay valid and raw, non-NFKC text is handled as well). A phone number needs the shape of a Japanese
  number (starts with 0 or +81, 10 or 11 digits), so years, dates, money, counts and 8-digit codes are
  not touched; after a label such as ``TEL:`` or ``電話：`` shorter numbers are accepted too.
  ``内線1234`` is masked as a phone number.
* **Person names** are found by combining two signals. fugashi + unidic-lite tags surnames and given
  names (``固有名詞 / 人名 / 姓|名``); a tagged name is masked only in a context where respondents
  write names: before an honorific or role (:data:`HONORIFIC_SUFFIXES`), before a self-introduction
  or sign-off word (:data:`NAME_FOLLOWERS`), after a label (:data:`NAME_LABELS`), after a department
  (:data:`DEPARTMENT_SUFFIXES`), alone in brackets, as a full name (surname + given name), or at the end
  of the answer or of a line (signature position). A name directly followed by a place or organisation
  word (佐賀市, 高橋町, 大塚製薬) is not a person. Place names tagged ``地名`` (佐賀, 松本) count
  as names only before a personal honorific (千葉さん), never before 市長/知事.
  Further contexts: a job title + の before the name (係長の西田), a title or short note in brackets
  after it (高木(係長), 佐藤(人事)), a masked phone or e-mail right after it, two surnames joined by
  と before a particle (福田と村井が). Words the tagger reads as common nouns (平野, 荒木) count as
  surnames when the dictionary gives them a surname reading before a given name, in strong contexts
  only. Katakana names joined by ・ are one name (ジョン・スミス); the name view keeps the long-vowel
  mark ー (only the phone view maps it to a hyphen). Latin names are masked after a label
  (記入者: John Smith) or as two romanised Japanese words alone on a line (Kenji Sato).

The tagger is created lazily on first use and is not part of the pickled state, so :class:`PiiMasker`
objects and :func:`mask_pii` can be pickled and sent to worker processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

PiiKind = Literal["name", "email", "phone"]

#: Placeholder that replaces each kind of personal information.
PLACEHOLDERS: dict[str, str] = {
    "name": "〔氏名〕",
    "email": "〔メール〕",
    "phone": "〔電話〕",
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

#: Labels that introduce a name (担当：佐藤, 記入者 井上, 以上、佐藤, 私、田中).
NAME_LABELS: tuple[str, ...] = (
    "担当者名",
    "担当者",
    "担当",
    "記入者",
    "回答者",
    "作成者",
    "入力者",
    "報告者",
    "文責",
    "氏名",
    "お名前",
    "名前",
    "連絡先",
    "問い合わせ先",
    "問合せ先",
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

#: Characters mapped one-to-one for detection only (full-width forms, dash and long-vowel variants,
#: itaiji in surnames). The output keeps the original characters outside masked spans.
_DETECT_TABLE: dict[int, int] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    **{ord(c): ord("-") for c in "－‐‑‒–—―−ｰー"},
    **{ord(c): ord(h) for c, h in zip("（）＠．＿＋：　／［］", "()@._+: /[]", strict=True)},
    ord("髙"): ord("高"),
    ord("﨑"): ord("崎"),
    ord("\x00"): ord(" "),
    ord("〔"): ord("（"),
    ord("〕"): ord("）"),
}

#: The view names are looked for in: the same mapping, except that the katakana long-vowel mark
#: stays a long-vowel mark (エミリー must not become エミリ-), and half-width ｰ becomes ー.
_NAME_TABLE: dict[int, int] = {
    **{k: v for k, v in _DETECT_TABLE.items() if k not in (ord("ー"), ord("ｰ"))},
    ord("ｰ"): ord("ー"),
}

_MAX_ROUNDS = 5
_CONTEXT = 64  # characters of context looked at on each side of a candidate name

_SEP = r"[- \t]{0,2}"
_DOT_PHONE = r"0\d{1,4}\.\d{1,4}\.\d{3,4}"  # 070.1234.5678: dots only when every separator is one
_PHONE_RE = re.compile(
    r"(?<![A-Za-z0-9.,@+-])(?<![A-Za-z0-9/:]/)"  # "/" only as a list separator, not in a path
    r"(?:" + _DOT_PHONE + r"|"
    # +81 international form: +81-3-1234-5678, +81 90 1234 5678
    r"\+81[- \t]?\(?0?\)?\d{1,4}[- \t)]{0,2}\d{1,4}[- \t]{0,2}\d{3,4}"
    r"|"
    # area code in parentheses: (03)1234-5678
    r"\(0\d{1,4}\)[ \t]?\d{1,4}" + _SEP + r"\d{3,4}"
    r"|"
    # domestic: 03-1234-5678, 011(123)4567, 0120-123-456, 09012345678
    r"0\d{1,4}(?:" + _SEP + r"|[ \t]?\([ \t]?)\d{1,4}(?:" + _SEP + r"|[ \t]?\)[ \t]?)\d{3,4}"
    r")"
    r"(?![A-Za-z0-9.,/]*\d)(?![A-Za-z0-9])"
)
_EXTENSION_RE = re.compile(r"(?:内線|ext\.?|Ext\.?|EXT\.?)[ \t]?[:#]?[ \t]?\d{2,6}(?!\d)")
_LABELLED_PHONE_RE = re.compile(
    r"(?:TEL|Tel|tel|FAX|Fax|fax|電話番号|電話|携帯|直通|代表)[ \t]?(?:番号)?[ \t]?[:.]?[ \t]?"
    r"(\(?\d{2,5}\)?[- \t]?\d{1,4}[- \t]?\d{3,4})(?![A-Za-z0-9])"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    r"\s?(?:@|\(at\)|\[at\])\s?"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
#: A romanised Japanese word (Hepburn syllables): Kenji, Sato, Ohno, Shun'ichi.
_ROMAJI = r"(?:(?:[kgsztdnhbpmyrwfjc]|sh|ch|ts|[kgnhbpmr]y|j)?[aeiou]h?|n'?|(?<=[aeiou])[kstpc](?=[kstpc]))+"
#: A person's name in latin letters on a line of its own (a signature): two romanised Japanese
#: words in title case (Kenji Sato, SATO Kenji). English words (Power BI, Microsoft Teams) are not.
_ROMAJI_NAME_LINE_RE = re.compile(
    rf"(?im)^[ \t]*((?-i:[A-Z]){_ROMAJI}[ \t]+(?-i:[A-Z]){_ROMAJI})[ \t]*$"
)
#: Title-case latin words (John Smith, Sato Kenji) directly after a name label.
_LATIN_NAME = r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ \t]+(?:[A-Z]\.|[A-Z][a-z]+|[A-Z]{2,})){0,3}"
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_KATAKANA_RE = re.compile(r"^[\u30a1-\u30faー]+$")
_KANJI_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff々〆ヶ]+$")
_HAS_JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class PiiSpan:
    """One item of personal information found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets in the text given to :func:`find_pii` (``text[start:end] == text``).
    kind : {"name", "email", "phone"}
        What was found; :data:`PLACEHOLDERS` gives its replacement.
    text : str
        The matched characters.
    """

    start: int
    end: int
    kind: PiiKind
    text: str


@dataclass
class _Tok:
    start: int
    end: int
    surface: str
    pos1: str
    pos2: str
    pos3: str
    pos4: str

    @property
    def is_person(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "人名"

    @property
    def is_place(self) -> bool:
        return self.pos2 == "固有名詞" and self.pos3 == "地名"


class PiiMasker:
    """Find and mask personal information in Japanese free text.

    Parameters
    ----------
    honorifics : tuple of str, optional
        Words after a name that mark it as a person's name. Default :data:`HONORIFIC_SUFFIXES`.
    followers : tuple of str, optional
        Self-introduction words after a name. Default :data:`NAME_FOLLOWERS`.
    labels : tuple of str, optional
        Words before a name that introduce it. Default :data:`NAME_LABELS`.
    departments : tuple of str, optional
        Endings of department names after which a name is a signature.
        Default :data:`DEPARTMENT_SUFFIXES`.

    Notes
    -----
    The fugashi tagger is built on first use and dropped when pickling.
    """

    def __init__(
        self,
        *,
        honorifics: tuple[str, ...] = HONORIFIC_SUFFIXES,
        followers: tuple[str, ...] = NAME_FOLLOWERS,
        labels: tuple[str, ...] = NAME_LABELS,
        departments: tuple[str, ...] = DEPARTMENT_SUFFIXES,
    ) -> None:
        self.honorifics = tuple(honorifics)
        self.followers = tuple(followers)
        self.labels = tuple(labels)
        self.departments = tuple(departments)
        self._tagger: Any = None
        self._compile()

    # -- pickling -----------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "honorifics": self.honorifics,
            "followers": self.followers,
            "labels": self.labels,
            "departments": self.departments,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._tagger = None
        self._compile()

    def __repr__(self) -> str:
        return "PiiMasker()"

    def _compile(self) -> None:
        hon = _alternation(self.honorifics)
        personal = _alternation(tuple(h for h in self.honorifics if h not in PLACE_OFFICE_TITLES))
        self._honorific_re = re.compile(rf"^\s?(?:{hon})")
        self._personal_honorific_re = re.compile(rf"^\s?(?:{personal})")
        self._follower_re = re.compile(rf"^\s?(?:{_alternation(self.followers)})")
        end = _alternation(END_FOLLOWERS)
        self._end_follower_re = re.compile(
            rf"^\s?(?:{end})(?:\s*[。.!！]?\s*(?:$|\n)|\s?(?:ご?連絡|お問い?合わ?せ|お願い|問い合わせ))"
        )
        self._contact_re = re.compile(
            r"^\s?(?:と申します|ともうします|でございます|まで\s?(?:ご?連絡|お問い?合わ?せ|お願い))"
        )
        self._label_re = re.compile(
            rf"(?:{_alternation(self.labels)})"
            r"(?:\s?[:：=]\s?|\s?[、,は]\s?|\s?の\s?|\s)?$"
        )
        self._latin_label_re = re.compile(
            rf"(?:{_alternation(self.labels)})[ \t]?[:：=]?[ \t]?({_LATIN_NAME})"
            r"(?=[ \t]*(?:$|\n|[(（、,。]|さん|様|氏))",
            flags=re.MULTILINE,
        )
        # a job title followed by の introduces a name (係長の西田が, 上司の佐藤から)
        titles = tuple(h for h in self.honorifics if h not in _PERSONAL_ONLY_HONORIFICS)
        self._role_of_re = re.compile(
            rf"(?:{_alternation(titles + ROLE_WORDS)}|[長監官])\s?の\s?$"  # DX推進監の大谷
        )
        # a title or a short note in brackets after a name: 高木(係長), 佐藤(人事)
        self._bracket_title_re = re.compile(rf"^\s?[(（]\s?(?:{hon})\s?[)）]")
        self._bracket_note_re = re.compile(r"^[(（][^()（）\n\d株有財社]{1,8}[)）]")
        # a masked phone number or e-mail address right after a name: 一ノ瀬(内線4455)まで
        contact = "|".join(
            re.escape(PLACEHOLDERS[k].translate(_NAME_TABLE)) for k in ("phone", "email")
        )
        self._contact_follows_re = re.compile(rf"^\s?[(（<\[]?\s?(?:{contact})")
        self._dept_re = re.compile(rf"(?:{_alternation(self.departments)})(?:\s?の\s?|\s)?$")
        self._open_bracket_re = re.compile(
            rf"[(（【\[［〈<＜]\s?(?:(?:{_alternation(self.labels)})\s?[:：]?\s?)?$"
        )
        self._close_bracket_re = re.compile(r"^\s?(?:" + hon + r")?\s?[)）】\]］〉>＞]")
        org = r"(?:[(（][^()（）\n]{1,20}(?:" + _alternation(self.departments) + r")[)）])"
        self._line_end_re = re.compile(
            r"^\s?(?:" + hon + r")?\s?" + org + r"?[。.．!！]?[ \t　]*(?:\n|$)"
        )
        self._separator_follows_re = re.compile(r"^\s?[/／]")
        self._boundary_before_re = re.compile(r"(?:^|[\n。．.!！?？、,:：\s/／・\-―>])\s?$")

    # -- tagging ------------------------------------------------------------------------------
    def _get_tagger(self) -> Any:
        if self._tagger is None:
            try:
                import fugashi
            except ImportError as exc:  # pragma: no cover - dependency is declared
                raise ImportError(
                    "fugashi が見つかりません。`pip install fugashi unidic-lite` を実行してください。 "
                    "fugashi is missing: run `pip install fugashi unidic-lite`."
                ) from exc
            try:
                self._tagger = fugashi.Tagger()
            except RuntimeError as exc:  # pragma: no cover - dictionary is declared
                raise RuntimeError(
                    "MeCab の辞書が見つかりません。`pip install unidic-lite` を実行してください。 "
                    "The MeCab dictionary is missing: run `pip install unidic-lite`."
                ) from exc
        return self._tagger

    def _tokens(self, view: str) -> list[_Tok]:
        toks: list[_Tok] = []
        pos = 0
        for word in self._get_tagger()(view):
            surface = word.surface
            if not surface:
                continue
            start = view.find(surface, pos)
            if start < 0:
                continue
            end = start + len(surface)
            pos = end
            f = word.feature
            toks.append(
                _Tok(
                    start,
                    end,
                    surface,
                    getattr(f, "pos1", None) or "",
                    getattr(f, "pos2", None) or "",
                    getattr(f, "pos3", None) or "",
                    getattr(f, "pos4", None) or "",
                )
            )
        return toks

    # -- finding ------------------------------------------------------------------------------
    def find(self, text: str) -> list[PiiSpan]:
        """Return the personal information found in ``text``, sorted by position.

        Parameters
        ----------
        text : str
            One answer (ideally NFKC-normalised; full-width digits and symbols are handled too).

        Returns
        -------
        list of PiiSpan
            Non-overlapping spans. Existing placeholders are never reported.
        """
        if not text:
            return []
        view = text.translate(_DETECT_TABLE)
        taken = [False] * len(text)
        for m in _PLACEHOLDER_RE.finditer(text):
            for i in range(m.start(), m.end()):
                taken[i] = True
        spans: list[PiiSpan] = []

        def add(start: int, end: int, kind: PiiKind) -> None:
            # trim whitespace at the edges; skip anything overlapping an earlier span
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end or any(taken[start:end]):
                return
            for i in range(start, end):
                taken[i] = True
            spans.append(PiiSpan(start, end, kind, text[start:end]))

        for m in _EMAIL_RE.finditer(view):
            add(m.start(), m.end(), "email")
        for m in _PHONE_RE.finditer(view):
            digits = sum(c.isdigit() for c in m.group())
            if m.group().startswith("+81"):
                if 9 <= digits - 2 <= 11:
                    add(m.start(), m.end(), "phone")
            elif digits in (10, 11):
                add(m.start(), m.end(), "phone")
        for m in _LABELLED_PHONE_RE.finditer(view):
            if sum(c.isdigit() for c in m.group(1)) >= 6:
                add(m.start(1), m.end(1), "phone")
        for m in _EXTENSION_RE.finditer(view):
            add(m.start(), m.end(), "phone")
        # names in latin letters: after a label (記入者: John Smith) or as a romanised Japanese
        # name on a line of its own (Kenji Sato)
        for m in self._latin_label_re.finditer(view):
            if any(c.islower() for c in m.group(1)):
                add(m.start(1), m.end(1), "name")
        for m in _ROMAJI_NAME_LINE_RE.finditer(view):
            add(m.start(1), m.end(1), "name")
        name_view = text.translate(_NAME_TABLE)
        if _HAS_JAPANESE_RE.search(view):
            # names are looked for in the text with e-mails and phones already replaced, so that
            # masking masked text sees the same context and changes nothing
            spans.sort(key=lambda s: s.start)
            pieces: list[str] = []
            shifts: list[tuple[int, int, int]] = []  # (inter_start, inter_end, orig_start)
            pos = inter_len = 0
            for span in spans:
                pieces.append(name_view[pos : span.start])
                shifts.append((inter_len, inter_len + span.start - pos, pos))
                inter_len += span.start - pos
                holder = PLACEHOLDERS[span.kind].translate(_NAME_TABLE)
                pieces.append(holder)
                inter_len += len(holder)
                pos = span.end
            pieces.append(name_view[pos:])
            shifts.append((inter_len, inter_len + len(text) - pos, pos))
            inter = "".join(pieces)
            for start, end in self._find_names(inter):
                for lo, hi, orig in shifts:
                    if lo <= start and end <= hi:
                        add(orig + start - lo, orig + end - lo, "name")
                        break
        spans.sort(key=lambda s: s.start)
        return spans

    def _find_names(self, view: str) -> list[tuple[int, int]]:
        toks = self._tokens(view)
        n = len(toks)
        found: list[tuple[int, int]] = []
        confirmed: list[bool] = [False] * n
        runs: list[tuple[int, int]] = []  # token index ranges [i, j)
        i = 0
        while i < n:
            t = toks[i]
            if t.surface in NOT_PERSON_WORDS or not (
                t.is_person
                or (t.pos2 == "固有名詞" and _KANJI_RE.match(t.surface))
                or (t.pos1 == "名詞" and t.surface in COMMON_NOUN_SURNAMES)
                or (
                    t.pos2 == "普通名詞"
                    and 2 <= len(t.surface) <= 3
                    and _KANJI_RE.match(t.surface)
                    and self._known_surname(t.surface)
                )
            ):
                i += 1
                continue
            j = i + 1
            # extend to a full name: 姓 + 名 (optionally separated by one space)
            while (
                j < n
                and toks[j].is_person
                and toks[j].start - toks[j - 1].end <= 1
                and view[toks[j - 1].end : toks[j].start].strip() == ""
                and "\n" not in view[toks[j - 1].end : toks[j].start]
            ):
                j += 1
            runs.append((i, j))
            i = j
        for k, (i, j) in enumerate(runs):
            if self._is_name(view, toks, i, j):
                confirmed[k] = True
        # two tagged surnames joined by ・ (佐藤・鈴木) are a list of people
        for k in range(len(runs) - 1):
            (i1, j1), (i2, j2) = runs[k], runs[k + 1]
            if (
                all(t.is_person for t in toks[i1:j2] if t.pos1 == "名詞")
                and view[toks[j1 - 1].end : toks[i2].start] == "・"
                and not self._place_follows(view, toks, j2)
                and not self._glued_before(view, toks, i1)
            ):
                confirmed[k] = confirmed[k + 1] = True
        # two tagged surnames joined by と and followed by a particle (福田と村井が) are people
        for k in range(len(runs) - 1):
            (i1, j1), (i2, j2) = runs[k], runs[k + 1]
            if (
                j1 - i1 == 1
                and j2 - i2 == 1
                and toks[i1].is_person
                and toks[i2].is_person
                and toks[i1].pos4 == "姓"
                and toks[i2].pos4 == "姓"
                and view[toks[j1 - 1].end : toks[i2].start] == "と"
                and j2 < n
                and toks[j2].start == toks[i2].end
                and toks[j2].pos1 == "助詞"
                and not self._glued_before(view, toks, i1)
            ):
                confirmed[k] = confirmed[k + 1] = True
        # names listed next to a confirmed name (佐藤・鈴木, 田中と高橋) are names too
        changed = True
        while changed:
            changed = False
            for k, (i, j) in enumerate(runs):
                if confirmed[k] or not all(
                    t.is_person or self._known_surname(t.surface) for t in toks[i:j]
                ):
                    continue
                for k2 in (k - 1, k + 1):
                    if 0 <= k2 < len(runs) and confirmed[k2]:
                        a, b = (runs[k2], runs[k]) if k2 < k else (runs[k], runs[k2])
                        gap = view[toks[a[1] - 1].end : toks[b[0]].start]
                        if re.fullmatch(r"\s?[・、,と&/]\s?", gap) and not self._place_follows(
                            view, toks, j
                        ):
                            confirmed[k] = changed = True
                            break
        for k, (i, j) in enumerate(runs):
            if confirmed[k]:
                start, end = toks[i].start, toks[j - 1].end
                # a foreign name written in katakana is one name: ジョン・スミス
                if (
                    found
                    and _KATAKANA_RE.match(view[start:end])
                    and _KATAKANA_RE.match(view[found[-1][0] : found[-1][1]])
                    and view[found[-1][1] : start] in ("・", "=", "＝", " ")
                ):
                    start = found.pop()[0]
                found.append((start, end))
        return found

    def _known_surname(self, word: str) -> bool:
        """True when the dictionary also reads ``word`` as a surname (平野 "plain", 荒木).

        The tagger reads a word as a common noun when it can; written before a given name it
        picks the surname reading if the dictionary has one.
        """
        cache: dict[str, bool] = self.__dict__.setdefault("_surname_cache", {})
        if word not in cache:
            toks = self._tokens(word + "太郎")
            cache[word] = (
                len(toks) == 2
                and toks[0].surface == word
                and toks[0].is_person
                and toks[0].pos4 == "姓"
            )
        return cache[word]

    def _place_follows(self, view: str, toks: list[_Tok], j: int) -> bool:
        """True when the run is glued to a following noun that is not a title (佐賀市, 大塚製薬)."""
        if j >= len(toks):
            return False
        nxt = toks[j]
        if nxt.start != toks[j - 1].end:
            return False
        if self._honorific_re.match(view[nxt.start :]):
            return False
        return nxt.pos1 in ("名詞", "接尾辞") and nxt.pos2 != "数詞"

    def _is_name(self, view: str, toks: list[_Tok], i: int, j: int) -> bool:
        run = toks[i:j]
        start, end = run[0].start, run[-1].end
        before, after = view[max(0, start - _CONTEXT) : start], view[end : end + _CONTEXT]
        person = all(t.is_person for t in run)
        full_name = len(run) >= 2 and run[0].pos4 == "姓" and run[-1].pos4 == "名"
        if not person:
            # place-tagged or common nouns: only before a personal honorific (千葉さん, 林様)
            # or as a lone run in brackets/after a label followed by です
            if len(run) != 1 or not _KANJI_RE.match(run[0].surface):
                return False
            if self._glued_before(view, toks, i) or self._place_follows(view, toks, j):
                return False
            if self._personal_honorific_re.match(after) or self._contact_re.match(after):
                return True
            if self._follower_re.match(after) and re.search(r"(?:^|\n)\s?$", before):
                return True  # 大川です。 opening an answer or a line
            if (
                run[0].pos3 != "地名"
                and self._open_bracket_re.search(before)
                and self._close_bracket_re.match(after)
            ):
                return True  # alone in brackets: (野村)
            if (
                len(run[0].surface) <= 3
                and self._label_re.search(before)
                and self._separator_follows_re.match(after)
            ):
                return True  # (担当 森/不在時は…): a label, a short name, then a list separator
            introduced = bool(self._label_re.search(before) or self._dept_re.search(before))
            return introduced and bool(
                self._follower_re.match(after)
                or self._line_end_re.match(after)
                or self._end_follower_re.match(after)
                or self._contact_follows_re.match(after)
            )
        if self._honorific_re.match(after) or self._follower_re.match(after):
            return not self._glued_before(view, toks, i)
        if self._place_follows(view, toks, j):
            return False
        if self._end_follower_re.match(after):
            return True
        if full_name:
            return True
        if self._label_re.search(before) or self._dept_re.search(before):
            return True
        if self._open_bracket_re.search(before) and self._close_bracket_re.match(after):
            return True
        if self._role_of_re.search(before) and not self._glued_before(view, toks, i):
            return True
        if self._bracket_title_re.match(after) or self._contact_follows_re.match(after):
            return True
        if self._bracket_note_re.match(after) and self._boundary_before_re.search(before):
            return True
        # signature position: alone at the end of a line or of the answer
        return bool(self._line_end_re.match(after) and self._boundary_before_re.search(before))

    @staticmethod
    def _glued_before(view: str, toks: list[_Tok], i: int) -> bool:
        """True when a noun is glued before the run (営業部長 is not 〔氏名〕部長)."""
        if i == 0:
            return False
        prev = toks[i - 1]
        return (
            prev.end == toks[i].start
            and prev.pos1 in ("名詞", "接頭辞")
            and prev.pos2 not in ("数詞",)
            and not prev.surface.endswith(DEPARTMENT_SUFFIXES)
        )

    # -- masking ------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        """Replace personal information in ``text`` with placeholders.

        Parameters
        ----------
        text : str
            One answer.

        Returns
        -------
        str
            The text with each found item replaced by its placeholder (:data:`PLACEHOLDERS`); stray
            〔 〕 become （ ）. Masking masked text changes nothing.
        """
        if not text:
            return text
        masked = self._mask_once(text)
        if masked == text:
            return masked
        # a placeholder can change the context of a neighbouring word (佐藤長佐藤様); masking
        # again until nothing changes keeps mask(mask(x)) == mask(x). Texts without personal
        # information take a single round.
        for _ in range(_MAX_ROUNDS):
            again = self._mask_once(masked)
            if again == masked:
                break
            masked = again
        return masked

    def _mask_once(self, text: str) -> str:
        spans = self.find(text)
        if not spans and "〔" not in text and "〕" not in text:
            return text
        out: list[str] = []
        pos = 0
        for span in spans:
            out.append(_escape_brackets(text[pos : span.start]))
            out.append(PLACEHOLDERS[span.kind])
            pos = span.end
        out.append(_escape_brackets(text[pos:]))
        return "".join(out)

    __call__ = mask


def _escape_brackets(segment: str) -> str:
    """Turn 〔 〕 that are not part of a placeholder into （ ）."""
    if "〔" not in segment and "〕" not in segment:
        return segment
    parts = _PLACEHOLDER_RE.split(segment)
    holders = _PLACEHOLDER_RE.findall(segment)
    out = [parts[0].replace("〔", "（").replace("〕", "）")]
    for holder, part in zip(holders, parts[1:], strict=True):
        out.append(holder)
        out.append(part.replace("〔", "（").replace("〕", "）"))
    return "".join(out)


_DEFAULT = PiiMasker()


def find_pii(text: str) -> list[PiiSpan]:
    """Find names, e-mail addresses and phone numbers in ``text``.

    Parameters
    ----------
    text : str
        One answer.

    Returns
    -------
    list of PiiSpan
        Non-overlapping spans sorted by position.

    Examples
    --------
    >>> [(s.kind, s.text) for s in find_pii("担当の佐藤です。03-1234-5678")]
    [('name', '佐藤'), ('phone', '03-1234-5678')]
    """
    return _DEFAULT.find(text)


def mask_pii(text: str) -> str:
    """Replace names, e-mail addresses and phone numbers with 〔氏名〕〔メール〕〔電話〕.

    Parameters
    ----------
    text : str
        One answer (NFKC-normalised text is expected; raw full-width text works too).

    Returns
    -------
    str
        The masked text. Deterministic and idempotent.

    Examples
    --------
    >>> mask_pii("情報政策課 田中より（tanaka@city.example.lg.jp）")
    '情報政策課 〔氏名〕より（〔メール〕）'
    """
    return _DEFAULT.mask(text)
