"""Wrap Japanese text by display width, following Japanese line-break rules (禁則処理).

Pure functions, no state. Width is counted in terminal/e-mail columns: characters whose
``unicodedata.east_asian_width`` is ``W``, ``F`` or ``A`` count 2, combining marks 0, the rest 1.

Line-break rules (a simple form of JIS X 4051 "oidashi"):

* no line starts with a closing bracket, a small kana, a prolonged-sound mark, an iteration
  mark or punctuation (:data:`NO_START`);
* no line ends with an opening bracket (:data:`NO_END`);
* runs of ASCII letters, digits and symbols (words, numbers such as ``8.5``, ``Power``) are not
  split unless a single run is wider than the line;
* a space is a break opportunity and is dropped at the break.

When a break would violate a rule, characters are pushed to the next line ("oidashi"): the line
gets shorter, never wider than ``width``.
"""

from __future__ import annotations

import re
import unicodedata

NO_START: frozenset[str] = frozenset(
    "、。，．,.)）]］}｝」』】〕〉》〙〗”’»"
    "ーｰ々ゝゞヽヾ〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "！？!?‼⁇⁈⁉・：；:;…‥〜～゠–％%"
)
"""Characters that must not begin a line (行頭禁則)."""

NO_END: frozenset[str] = frozenset("（(［[｛{「『【〔〈《〘〖“‘«")
"""Characters that must not end a line (行末禁則)."""

_UNIT = re.compile(r"[!-~]+|\s|.", re.DOTALL)
"""A unit is a run of visible ASCII characters (never split), one whitespace, or one other character."""


def char_width(char: str) -> int:
    """Display width of one character.

    Parameters
    ----------
    char : str
        A single character.

    Returns
    -------
    int
        2 for East Asian wide, full-width and ambiguous characters, 0 for combining marks and
        zero-width characters, otherwise 1.
    """
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    """Display width of a string (full-width characters count 2).

    Parameters
    ----------
    text : str
        Text without line breaks.

    Returns
    -------
    int
        Sum of :func:`char_width` over the characters.

    Examples
    --------
    >>> display_width("DX推進")
    6
    """
    return sum(char_width(c) for c in text)


def _split_units(text: str) -> list[str]:
    return _UNIT.findall(text)


def _hard_split(unit: str, width: int) -> list[str]:
    """Split one unbreakable unit that is wider than ``width`` into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for char in unit:
        if current and display_width(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def _allowed(units: list[str], start: int, brk: int) -> bool:
    """True when a line of ``units[start:brk]`` may end there and the next may start at ``brk``.

    Spaces around the break are dropped, so the rules apply to the characters next to them.
    """
    before = brk - 1
    while before >= start and units[before].isspace():
        before -= 1
    after = brk
    while after < len(units) and units[after].isspace():
        after += 1
    if before < start:
        return False
    if after >= len(units):
        return True
    if units[after][0] in NO_START:
        return False
    return units[before][-1] not in NO_END


def wrap_ja(
    text: str,
    width: int = 72,
    *,
    initial_indent: str = "",
    subsequent_indent: str = "",
) -> list[str]:
    """Wrap one paragraph to lines of at most ``width`` display columns.

    Parameters
    ----------
    text : str
        The paragraph. Line breaks inside it are treated as spaces between ASCII words and
        removed between Japanese characters.
    width : int, default 72
        Largest display width of a line, indents included.
    initial_indent, subsequent_indent : str
        Prefixes of the first and of the following lines (for bullets and hanging indents).

    Returns
    -------
    list of str
        The lines, without trailing whitespace. An empty or blank paragraph gives ``[]``.

    Raises
    ------
    ValueError
        If an indent leaves fewer than 2 columns for the text.

    Examples
    --------
    >>> wrap_ja("研修の定着が課題です。", width=10)
    ['研修の定着', 'が課題で', 'す。']
    """
    text = _join_lines(text).strip()
    if not text:
        return []
    if width - max(display_width(initial_indent), display_width(subsequent_indent)) < 2:
        raise ValueError(f"width {width} is too small for the indents")
    units: list[str] = []
    for unit in _split_units(text):
        room = width - max(display_width(initial_indent), display_width(subsequent_indent))
        units.extend(_hard_split(unit, room) if display_width(unit) > room else [unit])

    lines: list[str] = []
    start = 0
    while start < len(units):
        while start < len(units) and units[start].isspace():
            start += 1
        if start >= len(units):
            break
        indent = initial_indent if not lines else subsequent_indent
        room = width - display_width(indent)
        end, used = start, 0
        while end < len(units) and used + display_width(units[end]) <= room:
            used += display_width(units[end])
            end += 1
        if end < len(units):
            brk = end
            while brk > start + 1 and not _allowed(units, start, brk):
                brk -= 1
            if _allowed(units, start, brk):
                end = brk
        lines.append((indent + "".join(units[start:end])).rstrip())
        start = end
    return lines


def _join_lines(text: str) -> str:
    """Join the lines of a paragraph: a space between ASCII words, nothing between Japanese."""
    parts = [p.strip() for p in text.splitlines()]
    out = ""
    for part in parts:
        if not part:
            continue
        if out and out[-1].isascii() and part[0].isascii():
            out += " "
        out += part
    return out


_BULLET = re.compile(r"^([ \u3000]*(?:[・\-*■□●○◆◇▶※]|\d+[.)]|[（(]\d+[)）])?[ \u3000]*)")


def wrap_text(text: str, width: int = 72) -> str:
    """Wrap every line of a document, keeping blank lines, indents and bullet hanging indents.

    Each input line is one paragraph. Its leading spaces and bullet (``・``, ``-``, ``■``,
    ``1.`` …) become the first line's prefix, and following lines are indented to the same
    display width so that bullet text lines up.

    Parameters
    ----------
    text : str
        The document (for example a rendered newsletter template).
    width : int, default 72
        Largest display width of a line.

    Returns
    -------
    str
        The wrapped document, ending with one newline.
    """
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
            continue
        prefix = _BULLET.match(line).group(1)  # type: ignore[union-attr]
        body = line[len(prefix) :]
        if display_width(line.rstrip()) <= width:
            out.append(line.rstrip())
            continue
        if set(line.strip()) <= set("-=─━＝"):
            out.append(_hard_split(line.rstrip(), width)[0])
            continue
        hang = " " * display_width(prefix)
        if width - display_width(hang) < 20:
            prefix, hang, body = "", "", line.strip()
        out.extend(wrap_ja(body, width, initial_indent=prefix, subsequent_indent=hang))
    return "\n".join(out).rstrip("\n") + "\n"
