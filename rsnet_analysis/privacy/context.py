"""The context patterns of the name rules, compiled from the masker's word lists (a mixin).

:class:`_NameContext` turns ``honorifics``, ``followers``, ``labels`` and ``departments`` into the
regular expressions that :class:`~rsnet_analysis.privacy.names._NameRules` matches against the text
before (``…$``) and after (``^…``) a candidate name. The text they read is the line view of the
name view (:func:`~rsnet_analysis.privacy.patterns.line_view`), so `` / `` counts as a line break.
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.lexicon import (
    _PERSONAL_ONLY_HONORIFICS,
    END_FOLLOWERS,
    PLACE_OFFICE_TITLES,
    ROLE_WORDS,
)
from rsnet_analysis.privacy.patterns import NAME_VIEW_PLACEHOLDERS, _alternation

#: A reading in kana in brackets right after a name: 岡田（おかだ）, 髙橋 一郎（たかはし いちろう）.
#: Katakana in brackets is a reading only when it is the dictionary's reading of the name
#: (栗原（ファシリテーター） is a role); see :func:`reading_after`.
_READING_RE = re.compile(r"[(（]\s?([ぁ-ゖァ-ヺー]{2,12}(?:[ 　・][ぁ-ゖァ-ヺー]{1,12})?)\s?[)）]")
_HIRAGANA_READING_RE = re.compile(r"[ぁ-ゖー 　・]+")
_PLACEHOLDER_VIEWS = "|".join(
    re.escape(NAME_VIEW_PLACEHOLDERS[k]) for k in ("phone", "email", "id", "address", "birthdate")
)


def reading_after(view: str, pos: int, kana: str = "") -> re.Match[str] | None:
    """The reading in brackets at ``view[pos:]``, if any.

    Parameters
    ----------
    view : str
        The text.
    pos : int
        Where the name ends.
    kana : str, optional
        The dictionary reading of the name in katakana; a reading in katakana must equal it.

    Returns
    -------
    re.Match or None
        The bracketed reading (group 1 is the kana).
    """
    m = _READING_RE.match(view, pos)
    if m is None:
        return None
    if _HIRAGANA_READING_RE.fullmatch(m.group(1)):
        return m
    return m if kana and re.sub(r"[ 　・]", "", m.group(1)) == kana else None


class _NameContext:
    """Compiles the context patterns; :class:`PiiMasker` calls :meth:`_compile_context`."""

    honorifics: tuple[str, ...]
    followers: tuple[str, ...]
    labels: tuple[str, ...]
    departments: tuple[str, ...]

    def _compile_context(self) -> None:
        """Build every ``_…_re`` attribute from the word lists."""
        hon = _alternation(self.honorifics)
        personal = _alternation(tuple(h for h in self.honorifics if h not in PLACE_OFFICE_TITLES))
        labels = _alternation(self.labels)
        self._honorific_re = re.compile(rf"^\s?(?:{hon})")
        self._personal_honorific_re = re.compile(rf"^\s?(?:{personal})")
        self._follower_re = re.compile(rf"^\s?(?:{_alternation(self.followers)})")
        self._end_follower_re = re.compile(
            rf"^\s?(?:{_alternation(END_FOLLOWERS)})"
            r"(?:\s*[。.!！]?\s*(?:$|\n)|\s?[:：。.!！]|\s?(?:ご?連絡|お問い?合わ?せ|お願い|問い合わせ"
            r"|ご一報|お気軽に|ご相談|お寄せ|お知らせ|お申し?込み|お送り|どうぞ))"
        )
        # a tagged surname acting in the sentence or owning something: 高橋と二人で, 野村の携帯
        self._particle_after_re = re.compile(
            r"^(?:が(?![\u4e00-\u9fff]{0,2}(?:県|市|町|村))|は|も|に(?!よ|お|関|つ|対|向)|を|へ|から|と(?!いう|して|なる|の)"
            r"|の(?:携帯|電話|メール|連絡先|自宅|住所|実家|家族|個人|ブログ|アカウント|席|後任|前任"
            r"|発案|提案|担当|名前))"
        )
        self._possession_after_re = re.compile(r"^の(?:携帯|自宅|実家|家族|後任|前任|個人)")
        self._alone_after_re = re.compile(r"^\s?(?:ひとり|一人|1人)(?:で|が|だけ)")
        self._contact_before_re = re.compile(rf"(?:{_PLACEHOLDER_VIEWS})\s?$")
        self._compile_brackets_and_lines(hon, labels)

    def _compile_brackets_and_lines(self, hon: str, labels: str) -> None:
        """The patterns about brackets, contacts, departments, line ends and note speakers."""
        self._contact_re = re.compile(
            r"^\s?(?:と申します|ともうします|でございます"
            r"|まで\s?(?:ご?連絡|お問い?合わ?せ|お願い|ご一報|ご相談))"
        )
        self._label_re = re.compile(
            rf"(?:{labels})(?:氏名|名)?(?:\s?[:：=]\s?|\s?[、,は]\s?|\s?の\s?|\s)?$"
        )
        # a job title followed by の introduces a name (係長の西田が, 上司の佐藤から)
        titles = tuple(h for h in self.honorifics if h not in _PERSONAL_ONLY_HONORIFICS)
        self._role_of_re = re.compile(
            rf"(?:{_alternation(titles + ROLE_WORDS)}|[長監官])\s?の\s?$"  # DX推進監の大谷
        )
        # a title or a short note in brackets after a name: 高木(係長), 佐藤(人事)
        self._bracket_title_re = re.compile(rf"^\s?[(（]\s?(?:{hon})\s?[)）]")
        self._bracket_note_re = re.compile(r"^[(（][^()（）\n\d株有財社]{1,8}[)）]")
        # a masked contact or personal detail right after a name: 一ノ瀬(内線4455)まで,
        # 千葉：〔電話〕, 前田（職員番号：〔ID〕）, 石田、〔生年月日〕生まれ
        self._contact_follows_re = re.compile(
            r"^\s?(?:[(（<\[]\s?(?:[^()（）\n]{1,8}?[:：]\s?)?|[:：、,]\s?"
            r"|(?:TEL|Tel|tel|FAX|電話|携帯|E-?mail|Mail|mail|メール)\s?[:：]?\s?)?"
            rf"(?:{_PLACEHOLDER_VIEWS})"
        )
        self._dept_re = re.compile(rf"(?:{_alternation(self.departments)})(?:\s?の\s?|\s)?$")
        self._open_bracket_re = re.compile(
            rf"[(（【\[［〈<＜]\s?(?:(?:{labels})\s?[:：]?\s?|[^()（）\n]{{1,15}}[・/、])?$"
        )
        self._bracket_org_re = re.compile(
            r"[(（][^()（）\n]{0,14}(?:会|所|課|室|部|局|社|団|組合|センター|法人|大学|庁)\s?[・/]\s?$"
        )
        self._close_bracket_re = re.compile(r"^\s?(?:" + hon + r")?\s?[)）】\]］〉>＞]")
        org = r"(?:[(（][^()（）\n]{1,20}(?:" + _alternation(self.departments) + r")[)）])"
        self._line_end_re = re.compile(
            r"^\s?(?:" + hon + r")?\s?" + org + r"?[。.．!！]?[ \t　]*(?:\n|$)"
        )
        self._separator_follows_re = re.compile(r"^\s?[/／]")
        self._boundary_before_re = re.compile(r"(?:^|[\n。．.!！?？、,:：\s/／・\-―>*#])\s?$")
        # a speaker in session notes: **林（人事課）**：…, - 森：…
        self._speaker_before_re = re.compile(r"(?:^|\n)\s?(?:[-・*]\s?)?\*{0,2}\s?$")
        self._speaker_after_re = re.compile(r"^\s?(?:[(（][^()（）\n]{1,20}[)）])?\s?\*{0,2}\s?[:：]")
