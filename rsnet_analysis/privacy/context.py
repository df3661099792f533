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
    PLACEHOLDERS,
    ROLE_WORDS,
)
from rsnet_analysis.privacy.patterns import _NAME_TABLE, _alternation

#: A reading in kana in brackets right after a name: 岡田（おかだ）, 髙橋 一郎（たかはし いちろう）.
_READING_RE = re.compile(r"[(（]\s?[ぁ-ゖァ-ヺー]{2,12}(?:[ 　・][ぁ-ゖァ-ヺー]{1,12})?\s?[)）]")


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
            r"(?:\s*[。.!！]?\s*(?:$|\n)|\s?[:：]|\s?(?:ご?連絡|お問い?合わ?せ|お願い|問い合わせ))"
        )
        self._contact_re = re.compile(
            r"^\s?(?:と申します|ともうします|でございます|まで\s?(?:ご?連絡|お問い?合わ?せ|お願い))"
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
        # a masked contact right after a name: 一ノ瀬(内線4455)まで, 千葉：〔電話〕
        contact = "|".join(
            re.escape(PLACEHOLDERS[k].translate(_NAME_TABLE)) for k in ("phone", "email", "id")
        )
        self._contact_follows_re = re.compile(rf"^\s?[(（<\[:：]?\s?(?:{contact})")
        self._dept_re = re.compile(rf"(?:{_alternation(self.departments)})(?:\s?の\s?|\s)?$")
        self._open_bracket_re = re.compile(rf"[(（【\[［〈<＜]\s?(?:(?:{labels})\s?[:：]?\s?)?$")
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
