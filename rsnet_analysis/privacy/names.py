"""Person names: which tagged surnames and given names are written where people sign or name people."""

from __future__ import annotations

import re

from rsnet_analysis.privacy.lexicon import (
    COMMON_NOUN_SURNAMES,
    DEPARTMENT_SUFFIXES,
    NOT_PERSON_WORDS,
)
from rsnet_analysis.privacy.patterns import _CONTEXT, _KANJI_RE, _KATAKANA_RE, _Tok


class _NameRules:
    """The name-finding half of :class:`~rsnet_analysis.privacy.masker.PiiMasker` (a mixin).

    It relies on the regular expressions :meth:`PiiMasker._compile` builds and on
    :meth:`PiiMasker._tokens`.
    """

    _honorific_re: re.Pattern[str]
    _personal_honorific_re: re.Pattern[str]
    _follower_re: re.Pattern[str]
    _end_follower_re: re.Pattern[str]
    _contact_re: re.Pattern[str]
    _label_re: re.Pattern[str]
    _role_of_re: re.Pattern[str]
    _bracket_title_re: re.Pattern[str]
    _bracket_note_re: re.Pattern[str]
    _contact_follows_re: re.Pattern[str]
    _dept_re: re.Pattern[str]
    _open_bracket_re: re.Pattern[str]
    _close_bracket_re: re.Pattern[str]
    _line_end_re: re.Pattern[str]
    _separator_follows_re: re.Pattern[str]
    _boundary_before_re: re.Pattern[str]

    def _tokens(self, view: str) -> list[_Tok]:  # pragma: no cover - provided by PiiMasker
        raise NotImplementedError

    def _find_names(self, view: str, toks: list[_Tok]) -> list[tuple[int, int]]:
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
