"""Person names: which tagged surnames and given names are written where people sign or name people.

The rules read the *line view* of the name view (`` / `` counts as a line break, see
:func:`~rsnet_analysis.privacy.patterns.line_view`) with the tokens of MeCab's pass over the name
view itself. A found name is widened to the whole name: a reading in kana in brackets right after
it (岡田（おかだ）), and every katakana part of a name joined by ・ or ＝ (グエン・ヴァン・ナム).
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.context import _READING_RE, _NameContext
from rsnet_analysis.privacy.lexicon import (
    COMMON_NOUN_SURNAMES,
    DEPARTMENT_SUFFIXES,
    NOT_PERSON_WORDS,
)
from rsnet_analysis.privacy.patterns import _CONTEXT, _KANJI_RE, _KATAKANA_RE, _Tok

_KATAKANA_CHAIN_RE = re.compile(r"[\u30a1-\u30faー]{2,}(?:[・=＝][\u30a1-\u30faー]{1,}){1,4}")
#: A kanji word (a surname, even one that reads as a date: 四月一日) right before a reading.
_KANJI_BEFORE_READING_RE = re.compile(
    r"(?<![\u4e00-\u9fff々〆ヶ])[\u4e00-\u9fff々〆ヶ]{1,5}(?:[ 　][\u4e00-\u9fff々]{1,4})?(?=[(（])"
)
_PLACE_AFTER_RE = re.compile(r"^[市区町村郡県都府道]")


class _NameRules(_NameContext):
    """The name-finding half of :class:`~rsnet_analysis.privacy.masker.PiiMasker` (a mixin).

    It relies on the patterns of :class:`~rsnet_analysis.privacy.context._NameContext` and on
    :meth:`PiiMasker._tokens`.
    """

    def _tokens(self, view: str) -> list[_Tok]:  # pragma: no cover - provided by PiiMasker
        raise NotImplementedError

    def _find_names(
        self, view: str, toks: list[_Tok], known: list[tuple[int, int]] | None = None
    ) -> list[tuple[int, int]]:
        """Character spans of the person names in ``view`` (a line view), whole and sorted.

        ``known`` are spans already known to be names (the row's own name); they are widened
        like the others.
        """
        runs = self._runs(view, toks)
        confirmed = [self._is_name(view, toks, i, j) for i, j in runs]
        self._confirm_pairs(view, toks, runs, confirmed)
        self._confirm_neighbours(view, toks, runs, confirmed)
        found = [(toks[i].start, toks[j - 1].end) for (i, j), ok in zip(runs, confirmed, strict=True) if ok]
        found += self._names_before_readings(view) + list(known or ())
        found = _katakana_chains(view, toks, found, self._personal_honorific_re)
        return _with_readings(view, found)

    def _is_candidate(self, t: _Tok) -> bool:
        """Tell whether a token can start a name (a tagged name, a kanji proper noun, a surname)."""
        if t.surface in NOT_PERSON_WORDS:
            return False
        return (
            t.is_person
            or (t.pos2 == "固有名詞" and bool(_KANJI_RE.match(t.surface)))
            or (t.pos1 == "名詞" and t.surface in COMMON_NOUN_SURNAMES)
            or (
                t.pos2 == "普通名詞"
                and 2 <= len(t.surface) <= 3
                and bool(_KANJI_RE.match(t.surface))
                and self._known_surname(t.surface)
            )
        )

    def _runs(self, view: str, toks: list[_Tok]) -> list[tuple[int, int]]:
        """Token ranges ``[i, j)`` of candidate names: a candidate and the given names after it."""
        n = len(toks)
        runs: list[tuple[int, int]] = []
        i = 0
        while i < n:
            if not self._is_candidate(toks[i]):
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
        return runs

    def _confirm_pairs(
        self, view: str, toks: list[_Tok], runs: list[tuple[int, int]], confirmed: list[bool]
    ) -> None:
        """Two tagged surnames joined by ・ (佐藤・鈴木) or by と before a particle (福田と村井が)."""
        n = len(toks)
        for k in range(len(runs) - 1):
            (i1, j1), (i2, j2) = runs[k], runs[k + 1]
            gap = view[toks[j1 - 1].end : toks[i2].start]
            if gap == "・" and (
                all(t.is_person for t in toks[i1:j2] if t.pos1 == "名詞")
                and not self._place_follows(view, toks, j2)
                and not self._glued_before(view, toks, i1)
            ):
                confirmed[k] = confirmed[k + 1] = True
            elif (
                gap == "と"
                and j1 - i1 == 1
                and j2 - i2 == 1
                and all(toks[x].is_person and toks[x].pos4 == "姓" for x in (i1, i2))
                and j2 < n
                and toks[j2].start == toks[i2].end
                and toks[j2].pos1 == "助詞"
                and not self._glued_before(view, toks, i1)
            ):
                confirmed[k] = confirmed[k + 1] = True

    def _confirm_neighbours(
        self, view: str, toks: list[_Tok], runs: list[tuple[int, int]], confirmed: list[bool]
    ) -> None:
        """Names listed next to a confirmed name (佐藤・鈴木, 田中と高橋) are names too."""
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

    def _names_before_readings(self, view: str) -> list[tuple[int, int]]:
        """A kanji word with a kana reading in brackets, in a name context (東（あずま）係長)."""
        if "(" not in view and "（" not in view:
            return []
        found = []
        for m in _KANJI_BEFORE_READING_RE.finditer(view):
            reading = _READING_RE.match(view, m.end())
            if reading is None:
                continue
            after = view[reading.end() : reading.end() + _CONTEXT]
            if _PLACE_AFTER_RE.match(after):
                continue
            if (
                self._honorific_re.match(after)
                or self._follower_re.match(after)
                or self._contact_re.match(after)
                or self._end_follower_re.match(after)
            ):
                found.append((m.start(), m.end()))
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

    def _is_name(self, view: str, toks: list[_Tok], i: int, j: int, *, person: bool | None = None) -> bool:
        """Tell whether the run ``toks[i:j]`` is a person's name in its context.

        ``person`` forces the reading of the run as a tagged personal name (True) or not (False);
        by default it is a personal name when MeCab tagged every token of it so.
        """
        run = toks[i:j]
        start, end = run[0].start, run[-1].end
        before, after = view[max(0, start - _CONTEXT) : start], view[end : end + _CONTEXT]
        reading = _READING_RE.match(after)
        if reading:
            after = after[reading.end() :]
        if person is None:
            person = all(t.is_person for t in run)
        if not person:
            return self._is_weak_name(view, toks, i, j, before, after, bool(reading))
        if self._honorific_re.match(after) or self._follower_re.match(after):
            return not self._glued_before(view, toks, i)
        if self._place_follows(view, toks, j) and not reading:
            return False
        full_name = len(run) >= 2 and run[0].pos4 == "姓" and run[-1].pos4 == "名"
        return (
            bool(self._end_follower_re.match(after))
            or full_name
            or bool(reading)
            or bool(self._label_re.search(before) or self._dept_re.search(before))
            or bool(self._open_bracket_re.search(before) and self._close_bracket_re.match(after))
            or bool(self._role_of_re.search(before) and not self._glued_before(view, toks, i))
            or bool(self._bracket_title_re.match(after) or self._contact_follows_re.match(after))
            or bool(self._bracket_note_re.match(after) and self._boundary_before_re.search(before))
            or bool(self._speaker_before_re.search(before) and self._speaker_after_re.match(after))
            # signature position: alone at the end of a line or of the answer
            or bool(self._line_end_re.match(after) and self._boundary_before_re.search(before))
        )

    def _is_weak_name(
        self, view: str, toks: list[_Tok], i: int, j: int, before: str, after: str, reading: bool
    ) -> bool:
        """Place-tagged or common nouns: only in the strongest contexts (千葉さん, 林様, 担当：福岡)."""
        run = toks[i:j]
        if len(run) != 1 or not _KANJI_RE.match(run[0].surface):
            return False
        if self._glued_before(view, toks, i) or (self._place_follows(view, toks, j) and not reading):
            return False
        if self._personal_honorific_re.match(after) or self._contact_re.match(after):
            return True
        if self._follower_re.match(after) and re.search(r"(?:^|\n)\s?$", before):
            return True  # 大川です。 opening an answer or a line
        if run[0].pos3 != "地名" and (
            (self._open_bracket_re.search(before) and self._close_bracket_re.match(after))
            or (self._speaker_before_re.search(before) and self._speaker_after_re.match(after))
        ):
            return True  # alone in brackets: (野村); a speaker in notes: **林（人事課）**：
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


def _katakana_chains(
    view: str, toks: list[_Tok], found: list[tuple[int, int]], honorific: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Widen names to their whole katakana chain (グエン・ヴァン・ナム).

    A chain with a tagged personal name before a personal honorific is a name too
    (ファン・ティ・ホアさん).
    """
    if "・" not in view and "=" not in view and "＝" not in view:
        return found
    persons = {t.start for t in toks if t.is_person}
    out = list(found)
    for m in _KATAKANA_CHAIN_RE.finditer(view):
        a, b = m.span()
        inside = [f for f in out if f[0] < b and a < f[1]]
        named = any(a <= p < b for p in persons) and honorific.match(view[b : b + 8])
        if inside and all(a <= f[0] and f[1] <= b for f in inside) or (not inside and named):
            out = [f for f in out if f not in inside] + [(a, b)]
    # two katakana names joined by ・ (ジョン・スミス) found as two runs become one
    return sorted(out)


def _with_readings(view: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping spans and widen each over a reading in brackets right after it."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        reading = _READING_RE.match(view, end)
        if reading:
            end = reading.end()
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif out and _KATAKANA_RE.match(view[start:end]) and _KATAKANA_RE.match(
            view[out[-1][0] : out[-1][1]]
        ) and view[out[-1][1] : start] in ("・", "=", "＝", " "):
            out[-1] = (out[-1][0], end)  # a foreign name written in katakana is one name
        else:
            out.append((start, end))
    return out
