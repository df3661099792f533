"""Rendering the report context with the jinja2 templates in ``templates/``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2

from rsnet_analysis.report.labels import NEWSLETTER_WIDTH, wave_label
from rsnet_analysis.report.textwrap_ja import wrap_text


def template_environment(*, html: bool = False) -> jinja2.Environment:
    """The jinja2 environment for the report templates.

    Parameters
    ----------
    html : bool, default False
        Escape HTML (for ``report.html.j2``).

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
    )
    env.filters["wave_label"] = wave_label
    return env


def render_html(context: Mapping[str, Any]) -> str:
    """Render ``report.html.j2`` (figures must carry a ``data_uri``)."""
    return template_environment(html=True).get_template("report.html.j2").render(**context)


def render_markdown(context: Mapping[str, Any]) -> str:
    """Render ``report.md.j2`` (figures are linked by relative path)."""
    text = template_environment().get_template("report.md.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_newsletter(context: Mapping[str, Any], width: int = NEWSLETTER_WIDTH) -> str:
    """Render ``newsletter.txt.j2`` and wrap it to ``width`` display columns (禁則処理つき)."""
    text = template_environment().get_template("newsletter.txt.j2").render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return wrap_text(text, width)


# --------------------------------------------------------------------------------------------
