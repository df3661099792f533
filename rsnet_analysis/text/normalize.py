"""Pure text clean-up functions for Japanese free-text answers.

Every function here takes a ``str`` and returns a ``str``; none of them looks at
anything but its argument. :func:`make_pipeline` chains them, and
:func:`clean_text` is the default chain used by
:func:`rsnet_analysis.records.build_record_table`:

1. :func:`remove_invisible` - zero-width characters and control characters go.
2. :func:`replace_circled_numbers` - ① becomes ``(1)`` (NFKC would make it a bare ``1``).
3. :func:`unify_dashes` - dash and long-vowel variants (before NFKC, which would turn the
   full-width ``－`` in サ－ビス into an ASCII hyphen, and once more after it).
4. :func:`nfkc` - width folding: ＤＸ -> DX, ﾃﾞｼﾞﾀﾙ -> デジタル, full-width digits and spaces.
5. :func:`normalize_whitespace` - one kind of line break, no runs of spaces.
6. :func:`remove_bullets` - ・ ● ■ * 1) 1. (1) at line starts, and ``-`` ``+`` when white
   space follows (「-5%の削減」 and 「+1名増員」 are answers, not bullets).
7. :func:`join_lines` - the remaining lines joined with :data:`LINE_SEPARATOR`.

The placeholder brackets 〔〕 used by :mod:`rsnet_analysis.privacy` pass through
every step unchanged.

No step creates a leading formula character
-------------------------------------------
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``. The writers escape
such cells (:mod:`rsnet_analysis.report.tables`), and cleaning must not make harmless text
dangerous on top of that: width folding turns 「＝ＨＹＰＥＲＬＩＮＫ（」 into ``=HYPERLINK(``, and
stripping a leading tab, a zero-width space or a bullet can expose an ``=``. So every step keeps
one promise (:func:`guard_formula_start`): when its output starts with one of
:data:`LEADING_FORMULA_CHARS` and its input did not start with that same character, the
character is written in a form that reads the same and that :func:`nfkc` and
:func:`unify_dashes` leave alone at the start of a text: ＝ ＋ ＠, and ー for a dash (the mark
:func:`unify_dashes` writes after katakana; a spreadsheet does not read it as a minus). By induction the whole chain keeps the promise,
and it stays idempotent. A formula character that was the input's very first character is kept
as it was (the writers escape it): 「-5%の削減」 stays as typed, 「－5%の削減」 becomes
「ー5%の削減」, and a lone ``ー`` stays ``ー``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "LEADING_FORMULA_CHARS",
    "LINE_SEPARATOR",
    "clean_text",
    "guard_formula_start",
    "join_lines",
    "make_pipeline",
    "normalize_width",
    "nfkc",
    "normalize_whitespace",
    "remove_bullets",
    "remove_invisible",
    "replace_circled_numbers",
    "unify_dashes",
]

TextFn = Callable[[str], str]

#: What :func:`join_lines` puts where a line break was.
LINE_SEPARATOR = " / "

#: Characters that make a spreadsheet read a cell as a formula when they start it.
LEADING_FORMULA_CHARS = "=+-@"

# What a step writes instead of creating a leading formula character: the full-width forms, and
# for "-" the long-vowel mark (what unify_dashes writes after katakana), which reads as a dash,
# is no minus to a spreadsheet, and is trimmed like "-" around a non-answer (ー以上ー).
_SAFE_START = {"=": "\uff1d", "+": "\uff0b", "-": "\u30fc", "@": "\uff20"}

_CIRCLED = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}  # ①..⑳
_CIRCLED.update({chr(0x3251 + i): f"({i + 21})" for i in range(15)})  # ㉑..㉟
_CIRCLED.update({chr(0x32B1 + i): f"({i + 36})" for i in range(15)})  # ㊱..㊿
_CIRCLED.update({chr(0x2776 + i): f"({i + 1})" for i in range(10)})  # ❶..❿ (dingbat negative)
_CIRCLED.update({chr(0x24EB + i): f"({i + 11})" for i in range(10)})  # ⓫..⓴
_CIRCLED_RE = re.compile("[" + "".join(_CIRCLED) + "]")

# Zero-width and format characters that only get in the way (BOM, ZWSP, ZWJ, word joiner...).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# C0/C1 control characters except tab and the line breaks handled by normalize_whitespace.
_CONTROL = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")

# Dash-like characters: hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
# minus sign, small hyphen-minus, box-drawing horizontal, the prolonged sound mark ー, and (before
# NFKC) the full-width hyphen-minus and half-width prolonged sound mark.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\u2500\u30fc\uff0d\uff70"
_DASH_RE = re.compile(f"[{_DASHES}]")
# Katakana, including half-width katakana and its voicing marks (for the pass before NFKC).
_KATAKANA_RE = re.compile("[\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HIRAGANA_RE = re.compile("[\u3041-\u3096\u309d-\u309f]")

_LINEBREAK_RE = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_SPACES_RE = re.compile(r"[^\S\n]+")

# Bullets at the start of a line, only when text follows them (so a lone "-" stays a non-answer,
# also once lines are joined: "- / 研修" keeps its "-", which keeps clean_text idempotent).
# Markers may follow one another (「- ・研修」); possessive quantifiers keep the match linear.
_BULLET_RE = re.compile(
    r"^(?:"
    r"[・●○◎◯■□◆◇▪▫▲△▼▽►▶•◦‣⁃※*>]++\s*+"  # symbol bullets (also "・・"), space optional
    r"|[-+\uff0bー]++\s++"  # - + (also "--", and ＋ ー from the guard) only before a space
    r"|(?:\(\d{1,3}\)"  # (1)
    r"|\d{1,3}[).、](?!\d)"  # 1) 1. 1、  but not 1.5
    r"|[a-zA-Z][).](?=\s)"  # a) b.  followed by a space
    r"|[\[【]\d{1,3}[\]】])\s*+"  # [1] 【1】
    r")++(?=\S)(?!/(?:\s|$))",  # a lone marker before a joined line's " / " is no bullet
    re.MULTILINE,
)


def make_pipeline(*fns: TextFn) -> TextFn:
    """Chain ``str -> str`` functions into one, applied left to right.

    Parameters
    ----------
    *fns : callable
        Functions that each take and return a string.

    Returns
    -------
    callable
        A function ``f(text) = fns[-1](...fns[0](text))``. Its ``steps``
        attribute holds the functions, in order.

    Examples
    --------
    >>> f = make_pipeline(str.strip, str.lower)
    >>> f("  DX ")
    'dx'
    """
    steps = tuple(fns)

    def pipeline(text: str) -> str:
        for fn in steps:
            text = fn(text)
        return text

    pipeline.steps = steps  # type: ignore[attr-defined]
    pipeline.__doc__ = "Text pipeline: " + " -> ".join(getattr(f, "__name__", repr(f)) for f in steps)
    return pipeline


def guard_formula_start(before: str, after: str) -> str:
    r"""Undo a leading formula character that a clean-up step created.

    Parameters
    ----------
    before : str
        A step's input.
    after : str
        The same step's output.

    Returns
    -------
    str
        ``after``, except that when it starts with one of :data:`LEADING_FORMULA_CHARS` and
        ``before`` does not start with that same character, the first character is written
        in a safe form: ``=`` -> ``＝``, ``+`` -> ``＋``, ``@`` -> ``＠``, ``-`` -> ``ー``.

    Examples
    --------
    >>> guard_formula_start("\t=SUM(A1)", "=SUM(A1)")
    '＝SUM(A1)'
    >>> guard_formula_start("-5%の削減", "-5%の削減")
    '-5%の削減'
    """
    head = after[:1]
    if head in _SAFE_START and not before.startswith(head):
        return _SAFE_START[head] + after[1:]
    return after


def remove_invisible(text: str) -> str:
    """Remove zero-width characters, soft hyphens and control characters.

    Tabs and line breaks are kept (see :func:`normalize_whitespace`).

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The text without invisible characters.
    """
    return guard_formula_start(text, _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)))


def replace_circled_numbers(text: str) -> str:
    """Write circled numbers (①, ❷, ㉑) as ``(1)``, ``(2)``, ``(21)``.

    NFKC turns ① into a bare ``1`` that runs into the following word, so this
    step goes first; :func:`remove_bullets` then drops the ``(1)`` at a line start.

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The text with circled numbers in parentheses.
    """
    return _CIRCLED_RE.sub(lambda m: _CIRCLED[m.group(0)], text)


def nfkc(text: str) -> str:
    """Apply Unicode NFKC normalisation (width folding).

    ＤＸ -> DX, ﾃﾞｼﾞﾀﾙ -> デジタル, full-width digits and ASCII, the ideographic
    space -> a space, ㈱ -> (株). The tortoise-shell brackets 〔〕 have no
    compatibility mapping and stay as they are. A leading ＝ ＋ － ＠ (or another character
    that folds to ``=``, ``+``, ``-``, ``@``) stays full-width: folding it would make the
    text a formula (see :func:`guard_formula_start`).

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The NFKC-normalised text.
    """
    return guard_formula_start(text, unicodedata.normalize("NFKC", text))


def unify_dashes(text: str) -> str:
    """Unify dash and long-vowel variants.

    After katakana (or another long-vowel mark) any dash-like character becomes
    the long-vowel mark ``ー`` (デ—タ -> データ, サ－ビス -> サービス). After hiragana
    ``ー`` is kept (すごーい). Everywhere else the variants ‐ ‑ ‒ – — ― − ー － ｰ
    become an ASCII hyphen-minus ``-`` (2023ー2024 -> 2023-2024), except at the very start,
    where a ``-`` would be a formula: there they become ``ー`` (a lone ー stays ー).
    The ASCII ``-`` itself is never changed. Idempotent.

    Parameters
    ----------
    text : str
        Input text, before or after NFKC (half-width katakana counts as katakana).

    Returns
    -------
    str
        The text with unified dashes.
    """
    dashes = [m.start() for m in _DASH_RE.finditer(text)]
    if not dashes:
        return text
    out = list(text)
    for i in dashes:  # left to right: a dash reads the character written before it
        prev = out[i - 1] if i else ""
        if prev and _KATAKANA_RE.match(prev):
            out[i] = "ー"
        elif out[i] == "ー" and prev and _HIRAGANA_RE.match(prev):
            out[i] = "ー"
        else:
            out[i] = "-"
    return guard_formula_start(text, "".join(out))


def normalize_whitespace(text: str) -> str:
    r"""Normalise line breaks to ``\n`` and collapse other whitespace.

    Every line break variant (``\r\n``, ``\r``, U+2028, U+2029, ...) becomes
    ``\n``; runs of spaces and tabs become one space; lines are stripped; blank
    lines are dropped; the text is stripped.

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The text with tidy whitespace.
    """
    tidy = _SPACES_RE.sub(" ", _LINEBREAK_RE.sub("\n", text))
    lines = (line.strip() for line in tidy.split("\n"))
    return guard_formula_start(text, "\n".join(line for line in lines if line))


def remove_bullets(text: str) -> str:
    """Remove list markers at the start of each line.

    Markers: ・ ● ○ ■ □ ◆ ◇ • ※ ``-`` ``*`` ``+`` and numbers such as ``1)``,
    ``1.``, ``1、``, ``(1)`` (which is what ① becomes), ``[1]``, ``【1】``. A marker
    is only removed when text follows it, so a lone ``-`` (a non-answer) stays,
    and ``1.5倍`` is not a bullet.

    Parameters
    ----------
    text : str
        Input text, best already NFKC-normalised.

    Returns
    -------
    str
        The text without leading list markers.
    """
    return guard_formula_start(text, _BULLET_RE.sub("", text))


def join_lines(text: str, sep: str = LINE_SEPARATOR) -> str:
    r"""Join lines with one separator.

    Parameters
    ----------
    text : str
        Input text; blank lines are skipped.
    sep : str, default :data:`LINE_SEPARATOR`
        What goes between two lines.

    Returns
    -------
    str
        A single-line string.
    """
    lines = (line.strip() for line in _LINEBREAK_RE.split(text))
    return guard_formula_start(text, sep.join(line for line in lines if line))


#: The default clean-up applied to every answer before masking and tokenizing.
clean_text: TextFn = make_pipeline(
    remove_invisible,
    replace_circled_numbers,
    unify_dashes,
    nfkc,
    unify_dashes,
    normalize_whitespace,
    remove_bullets,
    join_lines,
)


_width_steps: TextFn = make_pipeline(remove_invisible, unify_dashes, nfkc, unify_dashes)

# What a step of normalize_width may change besides NFKC: invisible and control characters, every
# dash-like character, and ー unless it follows kana (where unify_dashes keeps it).
# Two searches, each of which the regex engine runs as one fast scan: a character class, and a
# literal ー followed by a look-behind (one alternation of both tried every branch at every position).
_KANA_CLASS = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3041-\u3096\u309d-\u309f"
_WIDTH_CHARS_RE = re.compile(f"[{_INVISIBLE}{_CONTROL}{_DASHES.replace('ー', '')}]")
_LONE_LONG_VOWEL_RE = re.compile(f"ー(?<![{_KANA_CLASS}]ー)")


def normalize_width(text: str) -> str:
    """Width folding alone (no line joining, no bullets): what the tokenizer applies to its input.

    ``JapaneseTokenizer()("ﾃﾞｼﾞﾀﾙ人材")`` reads デジタル. The steps are :func:`remove_invisible`,
    :func:`unify_dashes`, :func:`nfkc` and :func:`unify_dashes` again (``normalize_width.steps``);
    a text that none of them would change (already NFKC, no invisible character, no dash to
    unify, such as any :func:`clean_text` output) is returned as it is without running them.
    Idempotent.

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The width-folded text.
    """
    if (
        unicodedata.is_normalized("NFKC", text)
        and _WIDTH_CHARS_RE.search(text) is None
        and ("ー" not in text or _LONE_LONG_VOWEL_RE.search(text) is None)
    ):
        return text
    return _width_steps(text)


normalize_width.steps = _width_steps.steps  # type: ignore[attr-defined]
