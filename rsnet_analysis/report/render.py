"""Rendering the report context with the jinja2 templates in ``templates/``.

Every value the templates interpolate is escaped for its format. ``report.html`` uses jinja2's
HTML autoescaping. ``report.md`` is escaped just as firmly by :func:`markdown_escape`, run on
every ``{{ … }}`` by the environment's ``finalize`` hook, so no answer, label, name or file name
can add raw HTML (``<img src=x onerror=…>``, ``<script>``), a link or an image
(``[…](javascript:…)``), a table cell or a heading to the report: ``< > &`` become entities,
Markdown punctuation gets a backslash, and line breaks become spaces. The only values not
escaped are those that a filter has already made safe: :func:`markdown_url` (a relative link to
a figure, percent-encoded) and :func:`markdown_code` (the rerun command in a fence longer than
any run of backticks in it). ``newsletter.txt`` is plain text and is written as is.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jinja2

from rsnet_analysis.report.labels import NEWSLETTER_WIDTH, wave_label
from rsnet_analysis.report.textwrap_ja import wrap_text


class MarkdownSafe(str):
    """Markdown text that is already safe to insert as it is (see :func:`markdown_url`)."""

    __slots__ = ()


# ASCII punctuation that Markdown reads as markup anywhere in a line (emphasis, code, links,
# tables, escapes). < > & become entities instead, so that no tag survives even as "\<img".
# An underscore between two letters or digits (survey_2023) is no emphasis and stays as it is.
_MD_INLINE_RE = re.compile(r"([\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_]))")
# What would start a block at a line start: heading, list item, rule or setext underline,
# ordered list item ("1." or "1)" before a space). "-5%" and "12.5" are left alone.
_MD_BLOCK_START_RE = re.compile(
    r"^(?:#{1,6}(?=\s|$)|[-+](?=\s|$)|[-=](?=[-=\s]*$)|\d{1,9}(?=[.)](?:\s|$)))"
)
_MD_LINE_BREAK_RE = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")


def markdown_escape(value: Any) -> str:
    r"""Escape a value for Markdown so that it shows as the text it is and adds no markup.

    Parameters
    ----------
    value : object
        What a template interpolates; ``str(value)`` is escaped, a :class:`MarkdownSafe` value
        is returned as it is.

    Returns
    -------
    str
        One line: ``&`` ``<`` ``>`` as ``&amp;`` ``&lt;`` ``&gt;``; ``\ ` * [ ] | ~`` and ``_``
        (unless between two letters or digits) with a backslash, and ``(`` after ``]`` too (no ``](`` at all); what would start a heading,
        a list item or a rule (``# ``, ``- ``, ``---``, ``1. ``) with a backslash; line breaks
        as one space.

    Examples
    --------
    >>> markdown_escape("[見る](javascript:alert(1))")
    '\\[見る\\]\\(javascript:alert(1))'
    >>> markdown_escape("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if isinstance(value, MarkdownSafe):
        return value
    text = _MD_LINE_BREAK_RE.sub(" ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE_RE.sub(r"\\\1", text).replace("\\](", "\\]\\(")
    start = _MD_BLOCK_START_RE.match(text)
    if start is None:
        return text
    cut = start.end() if start.group().isdigit() else 0  # 1. -> 1\.   # -> \#
    return text[:cut] + "\\" + text[cut:]


def markdown_url(value: Any) -> MarkdownSafe:
    """A relative link target for Markdown: percent-encoded, never a scheme such as javascript:.

    Parameters
    ----------
    value : object
        A relative path such as ``figures/trends.png``.

    Returns
    -------
    MarkdownSafe
        The path with everything but letters, digits and ``/ . _ -`` percent-encoded (so a
        ``:`` cannot start a scheme and ``( ) < >`` cannot end the link).
    """
    return MarkdownSafe(urllib.parse.quote(str(value), safe="/._-"))


def markdown_code(value: Any, info: str = "") -> MarkdownSafe:
    """A fenced code block whose content is shown literally, whatever it contains.

    Parameters
    ----------
    value : object
        The code (``str(value)``); line breaks are kept.
    info : str, default ""
        The info string after the opening fence (for example ``sh``).

    Returns
    -------
    MarkdownSafe
        The block, its fence one backtick longer than the longest run of backticks in the code
        (and at least three), so the code cannot close it.
    """
    code = str(value)
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return MarkdownSafe(f"{fence}{info}\n{code}\n{fence}")


def template_environment(*, html: bool = False, markdown: bool = False) -> jinja2.Environment:
    """The jinja2 environment for the report templates.

    Parameters
    ----------
    html : bool, default False
        Escape HTML (for ``report.html.j2``).
    markdown : bool, default False
        Escape every interpolated value with :func:`markdown_escape` (for ``report.md.j2``);
        the filters ``md_url`` and ``md_code`` give the values that need no escaping.

    Returns
    -------
    jinja2.Environment
        Loads from ``rsnet_analysis/report/templates``; undefined variables raise an error.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rsnet_analysis.report", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=markdown_escape if markdown else None,
    )
    env.filters["wave_label"] = wave_label
    env.filters["md_url"] = markdown_url
    env.filters["md_code"] = markdown_code
    return env


def render_html(context: Mapping[str, Any]) -> str:
    """Render ``report.html.j2`` (figures must carry a ``data_uri``)."""
    return template_environment(html=True).get_template("report.html.j2").render(**context)


def render_markdown(context: Mapping[str, Any]) -> str:
    """Render ``report.md.j2`` (figures are linked by relative path)."""
    text = template_environment(markdown=True).get_template("report.md.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_newsletter(context: Mapping[str, Any], width: int = NEWSLETTER_WIDTH) -> str:
    """Render ``newsletter.txt.j2`` and wrap it to ``width`` display columns (禁則処理つき)."""
    text = template_environment().get_template("newsletter.txt.j2").render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return wrap_text(text, width)


# --------------------------------------------------------------------------------------------
