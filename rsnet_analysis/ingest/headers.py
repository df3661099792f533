"""Headers that are not simply the first row: title lines above them, a two-row (merged) header.

Exports often start with a title and an export date (「令和6年度 DX・人材育成アンケート 集計結果」,
「出力日：2024/9/1」) in the first cells of their first rows, above the column names. Read
naively, the title becomes the only column name and every answer row is "too long".
:func:`title_rows` counts such lines.

Excel exports of forms also often carry a first row of merged group labels (「基本情報」 over three
columns, 「設問」 over two) and the column names in the second row. Read naively, the first row
becomes the header (with blank names) and the second row an answer. :func:`two_row_header`
recognises the layout and returns one name per column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rsnet_analysis.ingest.dates import parse_date

__all__ = ["MAX_TITLE_ROWS", "title_rows", "two_row_header"]

_MAX_NAME = 40
#: Title lines looked for above a header at most.
MAX_TITLE_ROWS = 10
#: A header found below title lines names at least this many columns.
_MIN_TITLED_COLUMNS = 3
_NUMERIC_RE = re.compile(r"^[\d.,\-+\s%]+$")


def _looks_like_names(values: Sequence[str]) -> bool:
    """Short, distinct, neither dates nor numbers: column names rather than an answer row."""
    filled = [unicodedata.normalize("NFKC", v).strip() for v in values if v.strip()]
    if len(filled) < 2 or len(set(filled)) != len(filled):
        return False
    return all(
        len(v) <= _MAX_NAME and not _NUMERIC_RE.match(v) and parse_date(v) is None for v in filled
    )


def _repeats_below(second: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
    """Whether a value of the second row appears again in its column (data repeats, names not)."""
    for j, name in enumerate(second):
        name = name.strip()
        if name and any(j < len(row) and row[j].strip() == name for row in below):
            return True
    return False


def _filled(cells: Sequence[str]) -> list[int]:
    return [j for j, v in enumerate(cells) if v.strip()]


def title_rows(rows: Sequence[Sequence[str]]) -> int:
    """How many of the first non-blank rows are title lines above the column names (0 if none).

    A title line fills at most its first two cells (a title; 「出力日」 and a date). The rows
    after the title lines must start with the column names (or with a two-row header, see
    :func:`two_row_header`): at least three filled cells, more
    than any title line, that look like names (short, distinct, no dates or numbers) and none of
    which repeats in its column below (data repeats, names do not). A file whose first row is
    already its header gives 0: its answer rows fill as many cells as the header.

    Parameters
    ----------
    rows : sequence of sequence of str
        The first non-blank rows of the file and some rows after them, in order.

    Returns
    -------
    int
        The number of title lines; the header is ``rows[title_rows(rows)]``.
    """
    for i, cells in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        filled = _filled(cells)
        if len(filled) <= 2 and all(j <= 1 for j in filled):
            continue  # a title line (or, when nothing follows, the whole header)
        if i == 0:
            return 0
        if i + 1 < len(rows) and two_row_header(cells, rows[i + 1], rows[i + 2 : i + 202]) is not None:
            return i  # a title above a two-row header
        titles = [len(_filled(r)) for r in rows[:i]]
        if (
            len(filled) >= max(_MIN_TITLED_COLUMNS, max(titles) + 1)
            and _looks_like_names(cells)
            and not _repeats_below(cells, rows[i + 1 : i + 201])
        ):
            return i
        return 0
    return 0


def two_row_header(
    first: Sequence[str], second: Sequence[str], below: Sequence[Sequence[str]]
) -> list[str] | None:
    """Column names from a two-row header, or None when the first row is the whole header.

    The first row is a group-label row when it has a gap after a label (a label merged across
    columns), the second row names every column the first leaves blank,
    and the second row looks like names: short, distinct, no dates or numbers, none repeated in
    its column below.

    Parameters
    ----------
    first, second : sequence of str
        The first two non-blank rows.
    below : sequence of sequence of str
        Some of the rows after them (to see whether the second row repeats like data).

    Returns
    -------
    list of str or None
        One name per column: the second row's name, or the first row's label where the second
        is blank (a label merged down over both rows). When two columns get the same name, the
        group label is put in front (``2024年度・課題``).
    """
    filled = [j for j, v in enumerate(first) if v.strip()]
    width = max(
        (j + 1 for row in (first, second) for j, v in enumerate(row) if v.strip()), default=0
    )
    first = list(first) + [""] * (width - len(first))
    second = list(second) + [""] * (width - len(second))
    gaps = [j for j in range(width) if not first[j].strip()]
    if not filled or not any(j > filled[0] for j in gaps):
        return None  # no label merged across columns
    if any(not second[j].strip() for j in gaps):
        return None
    if not _looks_like_names(second[:width]) or _repeats_below(second[:width], below):
        return None
    groups: list[str] = []
    label = ""
    for j in range(width):
        label = first[j].strip() or label
        groups.append(label)
    names = [second[j].strip() or first[j].strip() for j in range(width)]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [
        f"{groups[j]}・{name}" if counts[name] > 1 and second[j].strip() and groups[j] else name
        for j, name in enumerate(names)
    ]
