"""Readable Japanese reasons for a statement's kind: which clues matched, what the classifier said."""

from __future__ import annotations

import re
from functools import lru_cache

from rsnet_analysis.statements.kinds import StatementKinds

__all__ = ["clue_label", "kind_reason"]

_FIELD_NAMES = {"question": "設問", "speaker": "発言者", "section": "見出し", "source": "種類"}
_MARKS = (("^", "〈文頭〉"), ("$", "〈文末〉"), ("#", "〈数〉"))
_TEXT_RE = re.compile(r'text:"((?:[^"\\]|\\.)*)"')
_MAX_CLUES = 3


@lru_cache(maxsize=4096)  # the same few hundred rules and terms match again and again
def clue_label(match: str) -> str:
    """Show one matched term or rule as a reader sees it.

    Parameters
    ----------
    match : str
        A term or rule as written in the rule file, optionally prefixed by its context field
        (``question:成果``).

    Returns
    -------
    str
        E.g. 『〈数〉人』, 設問『成果』, 発言者『事務局』.

    Examples
    --------
    >>> clue_label("#人"), clue_label("speaker:事務局")
    ('『〈数〉人』', '発言者『事務局』')
    """
    field, sep, rest = match.partition(":")
    prefix = ""
    if sep and field in _FIELD_NAMES:
        prefix, match = _FIELD_NAMES[field], rest
        if field == "question":  # a rule of header words: name the first one
            match = re.split(r"[\s|&!()]+", _TEXT_RE.sub(r"\1", match).strip("( "))[0]
    shown = _TEXT_RE.sub(r"\1", match)
    shown = re.sub(r"\s+", " ", shown).strip()
    if re.search(r"[|&!]|near\(", shown):  # a composite rule: its first word, and など
        shown = re.split(r"\s*[|&!()]+\s*|near\(", shown.strip("( "))[0] + "など"
    for mark, word in _MARKS:
        shown = shown.replace(mark, word)
    if len(shown) > 24:
        shown = shown[:23] + "…"
    return f"{prefix}『{shown}』"


def _clues(kind: str, matched: list[tuple[str, str, float]]) -> str:
    labels: list[str] = []
    for k, m, _w in matched:
        label = clue_label(m)
        if k == kind and label not in labels:
            labels.append(label)
    more = "ほか" if len(labels) > _MAX_CLUES else ""
    return "".join(labels[:_MAX_CLUES]) + more


def _also(book: StatementKinds, absorbed: tuple[str, ...], matched: list[tuple[str, str, float]]) -> str:
    """``、取り組みの手がかり『…』も含む`` for absorbed evidence."""
    text = [m for m in matched if not m[1].startswith("question:")]
    return "".join(f"、{book.name(k)}の手がかり{_clues(k, text)}も含む" for k in absorbed)


def kind_reason(
    book: StatementKinds,
    kind: str,
    how: str,
    rule_kind: str,
    rule_score: float,
    matched: list[tuple[str, str, float]],
    classifier: tuple[str, float] | None,
    absorbed: tuple[str, ...] = (),
) -> str:
    """The reason shown for one statement.

    Parameters
    ----------
    book : StatementKinds
        For the kinds' Japanese names.
    kind : str
        The kind given.
    how : str
        ``rule`` (a strong rule), ``combined`` (weak rules with the classifier), ``fallback``
        (no evidence: the question's hint or the default kind).
    rule_kind : str
        The kind with the most rule evidence.
    rule_score : float
        Its evidence.
    matched : list of (str, str, float)
        The statement's matches (kind, term or rule, weight), strongest first.
    classifier : (str, float) or None
        The classifier's most probable kind and its probability, when a classifier was trained.
    absorbed : tuple of str
        Kinds whose evidence counted for ``rule_kind`` (the ``absorb`` settings).

    Returns
    -------
    str
    """
    name = book.name(kind)
    said = ""
    if classifier is not None:
        c_kind, c_prob = classifier
        said = f"分類器: {book.name(c_kind)} {c_prob:.2f}"
    if how == "rule":
        text = f"ルール: {name}（{_clues(kind, matched)}{_also(book, absorbed, matched)}、根拠 {rule_score:g}）"
        if classifier is not None and classifier[0] != kind:
            text += f"。{said}ですが、強いルールを優先"
        return text
    if how == "fallback":
        hint = _clues(kind, [m for m in matched if m[1].startswith("question:")])
        if hint:
            return f"手がかりが弱いため設問の見出し（{hint}）から{name}とみなす"
        return f"手がかりがないため{name}とみなす（既定）"
    parts = []
    if rule_score > 0:
        clues = _clues(rule_kind, matched) + _also(book, absorbed, matched)
        parts.append(f"ルール: {book.name(rule_kind)}（{clues}、根拠 {rule_score:g}）")
    if said:
        parts.append(said)
    return f"{name}: " + "／".join(parts) if parts else name
