"""The shipped language resources: domain terms (表記ゆれ), stop words, and the dictionary version."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any


def unidic_lite_version() -> str | None:
    """Return the installed unidic-lite version, or None when it is not installed.

    Returns
    -------
    str or None
        For example ``"1.0.8"``.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unidic-lite")
    except PackageNotFoundError:
        return None


def _read_resource(name: str) -> str:
    return resources.files("rsnet_analysis").joinpath("resources", name).read_text(encoding="utf-8")


def _parse_terms_tsv(text: str) -> dict[str, str]:
    terms: dict[str, str] = {}
    lines = (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    for row in csv.reader(lines, delimiter="\t"):
        if len(row) < 2 or (row[0].strip() == "variant" and row[1].strip() == "canonical"):
            continue
        variant, canonical = row[0].strip(), row[1].strip()
        if variant and canonical:
            terms[variant] = canonical
    return terms


def load_domain_terms(source: str | PathLike[str] | Mapping[str, str] | None = None) -> dict[str, str]:
    """Load a domain dictionary as ``{variant: canonical}``.

    Parameters
    ----------
    source : str, path-like, mapping or None
        None for the dictionary shipped in the package; a path to a TSV file with the columns
        ``variant``, ``canonical``, ``note`` (UTF-8, ``#`` comments, header optional); or a mapping.

    Returns
    -------
    dict of str to str
        Variant → canonical form.
    """
    if source is None:
        return _parse_terms_tsv(_read_resource("domain_terms.tsv"))
    if isinstance(source, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in source.items() if str(k).strip() and str(v).strip()}
    return _parse_terms_tsv(Path(source).read_text(encoding="utf-8-sig"))


def load_stopwords(source: str | PathLike[str] | Iterable[str] | None = None) -> frozenset[str]:
    """Load a stop-word list.

    Parameters
    ----------
    source : str, path-like, iterable of str or None
        None for the list shipped in the package (``resources/stopwords_ja.txt``); a path to a
        text file with one word per line (``#`` starts a comment); or an iterable of words.

    Returns
    -------
    frozenset of str
        The stop words.
    """
    if source is None:
        text = _read_resource("stopwords_ja.txt")
    elif isinstance(source, str | PathLike):
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        return frozenset(w.strip() for w in source if w and w.strip())
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(w for w in words if w)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def _key(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def _trie_regex(words: Iterable[str]) -> str:
    """Build a regex that matches any of ``words``, preferring the longest (a character trie)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        terminal = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            return (body if len(branches) > 1 else "(?:" + body + ")") + "?"
        return body

    return emit(trie)
