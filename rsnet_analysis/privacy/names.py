"""Person names: which tagged surnames and given names are written where people sign or name people.

The rules read the *line view* of the name view (`` / `` counts as a line break, see
:func:`~rsnet_analysis.privacy.patterns.line_view`) with the tokens of MeCab's pass over the name
view itself. A found name is widened to the whole name: a reading in kana in brackets right after
it (岡田（おかだ）), and every katakana part of a name joined by ・ or ＝ (グエン・ヴァン・ナム).
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.context import _NameContext, reading_after
from rsnet_analysis.privacy.lexicon import (
    COMMON_NOUN_SURNAMES,
    DEPARTMENT_SUFFIXES,
    NOT_PERSON_WORDS,
)
from rsnet_analysis.privacy.patterns import _CONTEXT, _KANJI_RE, _Tok
from rsnet_analysis.privacy.whole import katakana_chains, with_readings

#: A kanji word (a surname, even one that reads as a date: 四月一日) right before a reading.
_KANJI_BEFORE_READING_RE = re.compile(
    r"(?<![\u4e00-\u9fff々〆ヶ])[\u4e00-\u9fff々〆ヶ]{1,5}(?:[ 　][\u4e00-\u9fff々]{1,4})?(?=[(（])"
)
_PLACE_AFTER_RE = re.compile(r"^[市区町村郡県都府道]")
_ANY_READING_RE = re.compile(r"[\u4e00-\u9fff々][(（]\s?[ぁ-ゖァ-ヺー]")
#: After a surname, a short kanji given name the dictionary does not know ends at one of these.
_LOOSE_END_RE = re.compile(r"(?:[)）】、,。\s]|$|さん|様|氏|です|と申)")
#: A name in kana opening a message: みさきより / みさきです on the first line.
_KANA_OPENING_RE = re.compile(r"^\s?([ぁ-ゖァ-ヺー]{2,5})(?:より|です)[ \t　]*(?:\n|$)")
#: Nouns whose candidacy a masker remembers, at most, per cache (some 30 MB): a large input keeps
#: bringing unknown words, and a full cache starts again (forgetting changes no result).
MAX_NOUN_KEYS = 100_000
_NOT_KANA_NAMES = frozenset("こちら そちら あちら わたし わたくし あたし みんな みなさん みなさま ぼく おれ".split())


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
        runs, loose = self._runs(view, toks)
        confirmed = [
            self._is_loose_name(view, toks, i, j) if (i, j) in loose else self._is_name(view, toks, i, j)
            for i, j in runs
        ]
        self._confirm_pairs(view, toks, runs, confirmed)
        self._confirm_neighbours(view, toks, runs, confirmed)
        self._confirm_repeats(view, toks, runs, confirmed)
        found = [(toks[i].start, toks[j - 1].end) for (i, j), ok in zip(runs, confirmed, strict=True) if ok]
        found += self._names_before_readings(view) + list(known or ())
        opening = _KANA_OPENING_RE.match(view)
        if opening and opening.group(1) not in _NOT_KANA_NAMES:
            found.append(opening.span(1))
        found = katakana_chains(view, toks, found, self._personal_honorific_re)
        return with_readings(view, toks, found)

    def _is_candidate(self, t: _Tok) -> bool:
        """Tell whether a token can start a name (a tagged name, a kanji proper noun, a surname)."""
        if t.pos1 != "名詞" or t.surface in NOT_PERSON_WORDS or t.surface.isascii():
            return False  # names in Latin letters are the job of .latin (ChatGPT is tagged 人名)
        return (
            t.is_person
            or (t.pos2 == "固有名詞" and bool(_KANJI_RE.match(t.surface)))
            or t.surface in COMMON_NOUN_SURNAMES
            or (
                t.pos2 == "普通名詞"
                and 2 <= len(t.surface) <= 3
                and bool(_KANJI_RE.match(t.surface))
                and self._known_surname(t.surface)
            )
        )

    def _starts_a_run(self, t: _Tok, cache: dict[tuple[str, str, str], bool] | None = None) -> bool:
        """Whether ``t`` starts a candidate run of :meth:`_runs` (a noun that :meth:`_is_candidate` accepts)."""
        if t.pos1 != "名詞" or not (t.pos2 == "固有名詞" or (t.pos2 == "普通名詞" and len(t.surface) <= 3)):
            return False
        if cache is None:
            cache = self.__dict__.setdefault("_candidate_cache", {})
        key = (t.surface, t.pos2, t.pos3)
        ok = cache.get(key)
        if ok is None:
            if len(cache) >= MAX_NOUN_KEYS:
                cache.clear()
            ok = cache[key] = self._is_candidate(t)
        return ok

    def _runs(self, view: str, toks: list[_Tok]) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
        """Token ranges ``[i, j)`` of candidate names: a candidate and the given names after it.

        Also returns the *loose* runs: a surname, one space and a short kanji word the dictionary
        does not read as a given name (陳 偉, 岡山 太郎), which need a strong context.
        """
        n = len(toks)
        runs: list[tuple[int, int]] = []
        loose: set[tuple[int, int]] = set()
        cache: dict[tuple[str, str, str], bool] = self.__dict__.setdefault("_candidate_cache", {})
        candidates = [k for k, t in enumerate(toks) if self._starts_a_run(t, cache)]
        taken_to = 0
        for i in candidates:
            if i < taken_to:
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
            if j <= i + 2:
                k = self._loose_given_name(view, toks, i)
                if k > j:
                    loose.add((i, k))
                    j = k
            runs.append((i, j))
            taken_to = j
        return runs, loose

    @staticmethod
    def _loose_given_name(view: str, toks: list[_Tok], i: int) -> int:
        """End of a short kanji given name after ``toks[i]`` and one space, else ``i + 1``."""
        j = i + 1
        if j >= len(toks) or toks[j].start != toks[i].end + 1 or view[toks[i].end] not in " 　":
            return i + 1
        end = toks[j].start
        while (
            j < len(toks)
            and toks[j].start == end
            and toks[j].pos1 in ("名詞", "接頭辞")
            and _KANJI_RE.match(toks[j].surface)
        ):
            end = toks[j].end
            j += 1
        given = view[toks[i].end + 1 : end]
        if not 1 <= len(given) <= 3 or not _LOOSE_END_RE.match(view[end : end + 3]):
            return i + 1
        return j

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

    def _confirm_repeats(
        self, view: str, toks: list[_Tok], runs: list[tuple[int, int]], confirmed: list[bool]
    ) -> None:
        """A name found once in an answer is a name wherever else it stands alone in it."""
        names = {
            view[toks[i].start : toks[j - 1].end]
            for (i, j), ok in zip(runs, confirmed, strict=True)
            if ok and (j - i > 1 or toks[i].is_person or len(toks[i].surface) >= 2)
        }
        if not names:
            return
        for k, (i, j) in enumerate(runs):
            if (
                not confirmed[k]
                and view[toks[i].start : toks[j - 1].end] in names
                and not self._place_follows(view, toks, j)
                and not self._glued_before(view, toks, i)
            ):
                confirmed[k] = True

    def _is_loose_name(self, view: str, toks: list[_Tok], i: int, j: int) -> bool:
        """A surname + short kanji word (陳 偉) is a name after a label, in brackets, before a title."""
        start, end = toks[i].start, toks[j - 1].end
        before, after = view[max(0, start - _CONTEXT) : start], view[end : end + _CONTEXT]
        if self._glued_before(view, toks, i):
            return False
        return bool(
            self._label_re.search(before)
            or (self._open_bracket_re.search(before) and self._close_bracket_re.match(after))
            or self._honorific_re.match(after)
            or self._follower_re.match(after)
        )

    def _names_before_readings(self, view: str) -> list[tuple[int, int]]:
        """A kanji word with a kana reading in brackets, in a name context (東（あずま）係長)."""
        if not _ANY_READING_RE.search(view):
            return []
        found = []
        for m in _KANJI_BEFORE_READING_RE.finditer(view):
            reading = reading_after(view, m.end())
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
            if len(cache) >= MAX_NOUN_KEYS:
                cache.clear()
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
        reading = reading_after(view, end, "".join(t.kana for t in run))
        if reading:
            after = view[reading.end() : reading.end() + _CONTEXT]
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
            or bool(self._alone_after_re.match(after) or self._contact_before_re.search(before))
            or bool(
                len(run) == 1
                and run[0].pos4 == "姓"
                and self._particle_after_re.match(after)
                and not self._glued_before(view, toks, i)
            )
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
        if self._glued_before(view, toks, i):
            return False
        if self._alone_after_re.match(after) or re.match(r"^\s?(?:宛|あて)", after):
            return True  # 林ひとりで, 森宛に
        if self._place_follows(view, toks, j) and not reading:
            return False
        if self._personal_honorific_re.match(after) or self._contact_re.match(after):
            return True
        if run[0].pos3 != "地名" and self._possession_after_re.match(after):
            return True  # 松下の携帯 (a proper noun that is not a place)
        if self._bracket_org_re.search(before) and self._close_bracket_re.match(after):
            return True  # （観光協会・西田）
        line_start = bool(re.search(r"(?:^|\n)\s?$", before))
        if line_start and (self._follower_re.match(after) or self._contact_follows_re.match(after)):
            return True  # 大川です。 / 千葉：〔電話〕 opening an answer or a line
        if self._contact_before_re.search(before) and (
            self._end_follower_re.match(after) or self._line_end_re.match(after)
        ):
            return True  # 〔電話〕 堀 まで。
        if (
            re.search(r"(?:^|[。．.！!?？)）\]】])\s?[(（]$", before)
            and re.match(r"^[)）]\s?(?:\n|$)", after)
            and self._known_surname(run[0].surface)
        ):
            return True  # a surname signing in brackets at the end: …ください。（熊谷）
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
            and prev.pos3 != "副詞可能"  # すべて佐野に, 毎回上田が
            and not prev.surface.endswith(DEPARTMENT_SUFFIXES)
        )

