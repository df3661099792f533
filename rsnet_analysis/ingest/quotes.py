"""Unbalanced quotes in CSV: a cell that opens with ``"`` and never closes swallows the rows below.

Python's CSV reader (like Excel) reads on until the next ``"``, so one stray quote silently turns
several answers into one. :func:`check_quotes` looks at every record that spans more than one
physical line (legitimate for answers with line breaks) and stops with the line where the quote
opened when the record is not a well-formed quoted cell.
"""

from __future__ import annotations

import csv
import io as _stdio
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from rsnet_analysis.errors import InputError

__all__ = ["check_quotes"]


def _shape(value: str) -> str:
    """A value with its digit runs replaced by 0 (``2023/7/3`` -> ``0/0/0``)."""
    return re.sub(r"\d+", "0", unicodedata.normalize("NFKC", value).strip())


def _malformed(raw: str, delimiter: str) -> bool:
    """Whether the record's text is not valid CSV when read strictly.

    A stray quote either reaches the end of the file (``unexpected end of data``) or meets the
    next quote in the middle of a later cell (``',' expected after '"'``).
    """
    try:
        list(csv.reader(_stdio.StringIO(raw, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return False


def _holds_rows(cell: str, width: int, shapes: set[str], delimiter: str) -> bool:
    """Whether a line inside a multi-line cell looks like a whole row of the file."""
    if width < 3:
        return False
    for line in cell.replace("\r", "").split("\n")[1:]:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        if len(fields) >= width and _shape(fields[0]) and _shape(fields[0]) in shapes:
            return True
    return False


def check_quotes(
    text: str,
    rows: Sequence[tuple[int, list[str]]],
    spans: Sequence[tuple[int, int]],
    delimiter: str,
    path: Path,
) -> None:
    """Raise when a quote opened in a cell runs over the following rows.

    Parameters
    ----------
    text : str
        The decoded file.
    rows : sequence of (int, list of str)
        The records as the lenient reader returned them, with their row number (one per record,
        as Excel counts).
    spans : sequence of (int, int)
        First and last physical line of each record.
    delimiter : str
        The field delimiter.
    path : Path
        The file, for the message.

    Raises
    ------
    InputError
        Naming the line and column where the quote opened and the lines it merged, and what to
        do; the cell's text is not quoted.
    """
    multi = [i for i, (first, last) in enumerate(spans) if last > first]
    if not multi:
        return
    lines = _stdio.StringIO(text, newline="").readlines()
    width = next((len(cells) for _n, cells in rows if any(c.strip() for c in cells)), 0)
    shapes = {_shape(cells[0]) for (_n, cells), (a, b) in zip(rows[1:], spans[1:], strict=True) if a == b and cells}
    header = rows[0][1] if rows else []
    for i in multi:
        first, last = spans[i]
        cells = rows[i][1]
        raw = "".join(lines[first - 1 : last])
        if not (_malformed(raw, delimiter) or any(_holds_rows(c, width, shapes, delimiter) for c in cells)):
            continue
        j = next((k for k, c in enumerate(cells) if "\n" in c or "\r" in c), len(cells) - 1)
        opened = first + sum(c.count("\n") for c in cells[:j])
        column = f"列『{header[j].strip()[:30]}』" if i > 0 and j < len(header) else f"{j + 1} 列目"
        row = rows[i][0]
        where = f"{row} 行目" if row == opened else f"{row} 行目（テキストエディタでは {opened} 行目）"
        raise InputError(
            f"ファイル {path} の {where}、{column}のセルが \" で始まっていますが閉じられておらず、"
            f"テキストの {opened}〜{last} 行目が 1 つのセルにつながってしまいます。"
            f"テキストエディタで {opened} 行目を開き、セルの中の \" は \"\" と 2 つ重ねるか取り除いてから、"
            "もう一度読み込んでください。"
        )
