"""Person names in Latin letters (and in half-width katakana after a label).

The rules read the line view of the detection view (full-width letters already half-width, `` / ``
read as a line break), so ``ＡＢＥ　ＨＩＲＯＳＨＩ`` and ``SUZUKI Ichiro`` look alike. A run of one to
four Latin words is a name

- after a name label (``回答者：hiroshi abe``, ``Name: Emily Clark``, ``記入者名：ﾀﾅｶ ﾐｶ``);
- alone on a line, at the start of a line before a role in brackets, or ending the answer after
  a sentence (a signature: ``SUZUKI Ichiro（CIO補佐官）``, ``kenta mori``, ``…ました。Taro Yamada``),
  when its words are romanised Japanese;
- before an honorific (``Tanaka-san``, ``Smithさん``, ``Chen Wei（陳 偉）さん``) or a masked phone
  number or e-mail address;
- a romanised full name before a role in brackets or a particle, mid-sentence
  (``Taro SUZUKI（CIO補佐官）と一緒に``);
- as a frequent romanised surname glued to Japanese (``Sakamotoが``).

English words, products and offices (``Power BI``, ``Smart City Promotion Office``) are not names:
their words are not romanised Japanese and :data:`_NOT_NAME_WORDS` lists the common title-case ones.
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.lexicon import LATIN_NAME_LABELS, ROMAJI_SURNAMES
from rsnet_analysis.privacy.patterns import _ROMAJI, _alternation, _Spans

__all__ = ["LatinNames"]

_WORD = r"[A-Za-z][A-Za-z']*(?:-(?!(?:san|sama|kun|chan|sensei)(?![A-Za-z]))[A-Za-z][A-Za-z']*)?\.?"
_PHRASE = rf"{_WORD}(?:[ \t]{_WORD}){{0,3}}"
_ROMAJI_RE = re.compile(rf"(?i)(?:{_ROMAJI})")
_BRACKET_HONORIFIC_RE = re.compile(r"^[ \t]?\([^()\n]{1,20}\)[ \t]?(?:さん|様|さま|氏|先生)")
#: What may follow a name in the weaker contexts of :meth:`LatinNames._in_context` (a quick test).
_ANY_CONTEXT_RE = re.compile(r"-|[ \t]?[(さ様氏先くち]|の|が|は|と|に|も|へ|から|より|まで|で|宛")
_HONORIFIC_AFTER_RE = re.compile(r"^(?:-(?:san|sama|kun|chan|sensei)(?![A-Za-z])|[ \t]?(?:さん|様|さま|氏|先生|くん|ちゃん))")
_ROLE_AFTER_RE = re.compile(r"^[ \t]?\([^()\n]{1,20}\)")
_PARTICLE_AFTER_RE = re.compile(r"^(?:の|が|は|と|に|も|へ|から|より|まで|です|でした|宛)")
_LABEL_END = r"(?=[ \t]*(?:$|\n|[(、,。/]|さん|様|氏|-san))"
_LABEL_END_RE = re.compile(_LABEL_END)
_LINE_START_RE = re.compile(r"(?:^|\n)[ \t]*$")
#: The rest of a signature line: nothing, or a role in brackets (SUZUKI Ichiro（CIO補佐官）).
_LINE_REST_RE = re.compile(r"[ \t]*(?:$|\n|\([^()\n]{1,30}\)[ \t]*(?:$|\n))")
_LINE_END_RE = re.compile(r"[ \t]*(?:$|\n)")
_SENTENCE_END_BEFORE_RE = re.compile(r"[。！？!?][ \t]?$")
_HALF_KANA_RE = re.compile(r"[\uff66-\uff9f]")
_KANA_NAME = r"[\uff66-\uff9f]+(?:[ \t][\uff66-\uff9f]+)?"
#: Title-case English words seen in answers that never make a person's name.
_NOT_NAME_WORDS: frozenset[str] = frozenset(
    """
    power microsoft google apple amazon teams office excel word access outlook apps automate
    platform cloud data studio workspace digital smart city town office division section center
    centre service services system systems team project group online web site portal page
    transformation promotion policy planning department bureau ai bi dx it ict rpa iot chat gpt
    pro plus free basic enterprise business personal home mobile desktop app line works zoom
    slack notion canva kintone box drive sheets forms docs meet looker tableau python java
    the and of for to in on at by with from a an is are be my our your dear best regards thanks
    thank you hello hi note blog news event seminar training program programme report survey
    japan japanese english tokyo osaka network public private government prefecture
    coordinator international relations manager director officer staff member leader chief
    """.split()
)


def _is_romaji(word: str) -> bool:
    """True for a word written in Hepburn syllables (sato, Kenji, Shun'ichi, OHNO)."""
    w = word.rstrip(".").replace("'", "")
    return len(w) >= 2 and bool(_ROMAJI_RE.fullmatch(w.lower()))


def _is_title(word: str) -> bool:
    return word[:1].isupper() and word[1:].replace("-", "").replace("'", "").islower()


def _words(phrase: str) -> list[str]:
    return phrase.split()


def _plain(words: list[str]) -> bool:
    """No word is a known English or product word."""
    return not any(w.rstrip(".").lower() in _NOT_NAME_WORDS for w in words)


def _romaji_name(words: list[str]) -> bool:
    """Two or three romanised Japanese words that read as a person's name in any case."""
    if not 2 <= len(words) <= 3 or not all(_is_romaji(w) for w in words) or not _plain(words):
        return False
    if all(_is_title(w) for w in words) or any(w.lower() in ROMAJI_SURNAMES for w in words):
        return True
    caps = [w for w in words if w.isupper() and len(w) >= 3]
    return bool(caps) and len(caps) < len(words) and all(_is_title(w) or w in caps for w in words)


def _labelled_name(words: list[str]) -> bool:
    """Words right after a name label that make a name (not 担当：Power BI)."""
    if not _plain(words):
        return False
    if len(words) == 1:
        w = words[0]
        return w.lower() in ROMAJI_SURNAMES or (_is_title(w) and _is_romaji(w) and len(w) >= 3)
    if all(_is_romaji(w) for w in words):
        return True
    return all(_is_title(w) or re.fullmatch(r"[A-Z]\.", w) for w in words)


class LatinNames:
    """Finds names in Latin letters with a given tuple of Japanese name labels.

    Parameters
    ----------
    labels : tuple of str
        Japanese labels that introduce a name (:data:`~rsnet_analysis.privacy.lexicon.NAME_LABELS`).
    """

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = tuple(labels)
        label = (
            rf"(?:(?:{_alternation(self.labels)})(?:氏名|名)?[ \t]?[:=]?"
            rf"|(?:{_alternation(LATIN_NAME_LABELS)})[ \t]?:)[ \t]?"
        )
        self._label_before_re = re.compile(label + "$")
        self._kana_label_re = re.compile(rf"{label}({_KANA_NAME}){_LABEL_END}")
        self._phrase_re = re.compile(rf"(?<![A-Za-z0-9@._/\-])({_PHRASE})(?![A-Za-z0-9@])")

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:
        return (LatinNames, (self.labels,))

    def find(self, view: str, spans: _Spans) -> None:
        """Add the Latin names of ``view`` (a line view) to ``spans``.

        Each run of Latin words is looked at once: after a label, alone on a line, ending the
        answer after a sentence, then in the weaker contexts of :meth:`_in_context`.

        Parameters
        ----------
        view : str
            The line view of the detection view of one answer.
        spans : _Spans
            Spans found so far (e-mail, phone, URL, ID); names never overlap them.
        """
        if _HALF_KANA_RE.search(view):
            for m in self._kana_label_re.finditer(view):
                spans.add(m.start(1), m.end(1), "name")
        contacts = {s.start for s in spans.found if s.kind in ("phone", "email")}
        for m in self._phrase_re.finditer(view):
            start, end = m.span(1)
            words = _words(m.group(1))
            before = view[max(0, start - 16) : start]
            if self._label_before_re.search(before) and _LABEL_END_RE.match(view, end):
                if _labelled_name(words):
                    spans.add(start, end, "name")
                    continue
            if (_LINE_START_RE.search(before) and _LINE_REST_RE.match(view, end)) or (
                _SENTENCE_END_BEFORE_RE.search(before) and _LINE_END_RE.match(view, end)
            ):
                if _romaji_name(words):
                    spans.add(start, end, "name")
                    continue
            if contacts or _ANY_CONTEXT_RE.match(view, end):
                self._in_context(view, m, contacts, spans)

    @staticmethod
    def _in_context(view: str, m: re.Match[str], contacts: set[int], spans: _Spans) -> None:
        """A phrase before an honorific or a contact, or a known surname glued to Japanese."""
        words = _words(m.group(1))
        after = view[m.end() : m.end() + 8]
        if not _plain(words) or all(w.isupper() and not _is_romaji(w) for w in words):
            return
        named = all(_is_title(w) or _is_romaji(w) for w in words)
        if named and (_HONORIFIC_AFTER_RE.match(after) or _BRACKET_HONORIFIC_RE.match(view[m.end() : m.end() + 30])):
            spans.add(m.start(1), m.end(1), "name")
        elif _romaji_name(words) and (_ROLE_AFTER_RE.match(after) or _PARTICLE_AFTER_RE.match(after)):
            # a romanised full name before a role in brackets or a particle, mid-sentence
            # (「Taro SUZUKI（CIO補佐官）と一緒に」「Kenji Sato が中心になって」)
            spans.add(m.start(1), m.end(1), "name")
        elif (
            named
            and 2 <= len(words) <= 3
            and all(_is_title(w) or w.isupper() for w in words)
            and any(m.end() <= c <= m.end() + 4 and not view[m.end() : c].strip(" \t(（/,、:\n") for c in contacts)
        ):
            spans.add(m.start(1), m.end(1), "name")
        elif (
            len(words) == 1
            and words[0].lower() in ROMAJI_SURNAMES
            and (_is_title(words[0]) or words[0].isupper())
            and _PARTICLE_AFTER_RE.match(after)
        ):
            spans.add(m.start(1), m.end(1), "name")
