"""A rectangular table (:class:`Sheet`) from numbered rows: header (one or two rows), body, notices.

The per-format readers (:mod:`.formats`) turn a file into numbered rows of strings; this module
finds the header, pads or joins ragged rows and says what it skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.headers import MAX_TITLE_ROWS, title_rows, two_row_header

__all__ = ["Sheet", "dedupe_header", "norm_header", "row_list", "rows_to_sheet", "shown_columns"]


@dataclass
class Sheet:
    """A rectangular table read from one file before roles are applied.

    Attributes
    ----------
    header : list of str
        Unique column names.
    rows : list of list of str
        The body, every row as wide as the header.
    row_numbers : list of int
        The row number of each body row as a person sees it (the line or Excel row).
    header_row : int
        Row number of the (last) header row.
    """

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int = 1


def norm_header(name: str) -> str:
    """Header as compared: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


def shown_columns(header: Sequence[str], limit: int = 30, width: int = 30) -> str:
    """Column names for a message: each cut to ``width`` characters, at most ``limit`` names.

    A message lists the columns a user can choose from; a header row that is really data (or a
    web page) must not be quoted at length.
    """
    names = [n if len(n) <= width else n[: width - 1] + "…" for n in header[:limit]]
    more = f" ほか {len(header) - limit} 列" if len(header) > limit else ""
    return ", ".join(names) + more


def dedupe_header(header: Sequence[str]) -> list[str]:
    """Name blank headers 列N and make duplicate headers unique (課題, 課題.1)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        name = name.strip() or f"列{i}"
        candidate, k = name, 1
        while candidate in seen:
            candidate = f"{name}.{k}"
            k += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _is_blank_row(cells: Sequence[str]) -> bool:
    return all(not c.strip() for c in cells)


def row_list(numbers: Sequence[int], limit: int = 10) -> str:
    """Row numbers for a notice: the first ``limit``, then how many more."""
    shown = "、".join(f"{n} 行目" for n in numbers[:limit])
    return shown + (f" ほか {len(numbers) - limit} 行" if len(numbers) > limit else "")


def _trimmed(cells: list[str]) -> list[str]:
    """A header row without its trailing blank cells."""
    end = len(cells)
    while end > 1 and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _two_row(rows: list[tuple[int, list[str]]], first: int) -> list[str] | None:
    """The two-row header starting at ``rows[first]``, or None."""
    if first + 1 >= len(rows):
        return None
    below = [c for _n, c in rows[first + 2 : first + 202]]
    return two_row_header(rows[first][1], rows[first + 1][1], below)


def _find_header(
    rows: list[tuple[int, list[str]]], path: Path, notices: list[str]
) -> tuple[list[str], int, int]:
    """The header, its (last) row number and the index of the first body row in ``rows``."""
    first = next((i for i, (_n, cells) in enumerate(rows) if not _is_blank_row(cells)), None)
    if first is None:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    window = range(first, min(len(rows), first + MAX_TITLE_ROWS + 202))
    filled = [i for i in window if not _is_blank_row(rows[i][1])]  # the rows title_rows reads
    merged = _two_row(rows, first)
    if merged is None:
        titles = title_rows([rows[i][1] for i in filled])
        if titles:
            first = filled[titles]
            merged = _two_row(rows, first)
            where = "" if merged else f"（見出しは {rows[first][0]} 行目、列名: {shown_columns(_trimmed(rows[first][1]), limit=12)}）"
            notices.append(
                f"{path.name}: {row_list([rows[i][0] for i in filled[:titles]])}を表題として読み飛ばしました{where}。"
                "違う場合は表題の行を消してから読み込んでください。"
            )
    number, cells = rows[first]
    if merged is not None:
        second_number = rows[first + 1][0]
        header = dedupe_header(merged)
        notices.append(
            f"{path.name}: {number}〜{second_number} 行目を 2 段の見出しとして読み、"
            f"列名を {shown_columns(header, limit=12)} にしました（2 段目の行は回答に含めません）。"
            f"違う場合は {number} 行目の空欄の見出しに名前をつけてください。"
        )
        return header, second_number, first + 2
    return dedupe_header(_trimmed(cells)), number, first + 1


def _fit(cells: list[str], width: int) -> tuple[list[str], bool]:
    """Pad a short row, or join the cells that run past the last column into it."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells)), False
    if len(cells) > width:
        if any(c.strip() for c in cells[width:]):
            return cells[: width - 1] + [",".join(cells[width - 1 :])], True
        return cells[:width], False
    return cells, False


def rows_to_sheet(rows: Iterable[tuple[int, list[str]]], path: Path, notices: list[str]) -> Sheet:
    """Build a Sheet from numbered rows: the first non-blank row (or two) is the header.

    Parameters
    ----------
    rows : iterable of (int, list of str)
        Row number and cells of every physical row, in order.
    path : Path
        The file, for messages.
    notices : list of str
        Receives what was skipped or joined.

    Returns
    -------
    Sheet

    Raises
    ------
    InputError
        When the file is blank, has only a header, or only blank answer rows.
    """
    numbered = list(rows)
    header, header_row, start = _find_header(numbered, path, notices)
    body: list[list[str]] = []
    numbers: list[int] = []
    blank: list[int] = []
    long_rows: list[int] = []
    for number, cells in numbered[start:]:
        if _is_blank_row(cells):
            blank.append(number)
            continue
        fitted, joined = _fit(cells, len(header))
        if joined:
            long_rows.append(number)
        body.append(fitted)
        numbers.append(number)
    if not body:
        if blank:
            raise InputError(
                f"ファイル {path} の回答の行がすべて空です（見出しは {header_row} 行目）。"
                "回答を書き出したファイルを指定してください。"
            )
        raise InputError(
            f"ファイル {path} には見出しの行（{header_row} 行目: {shown_columns(header)}）しかなく、"
            "回答の行がありません。回答を含めて書き出し直してください。"
        )
    if blank:
        notices.append(f"{path.name}: 空の行 {len(blank)} 行を読み飛ばしました（{row_list(blank)}）。")
    if long_rows:
        notices.append(
            f"{path.name}: 見出しより列の多い行があり、はみ出したセルを最後の列『{header[-1]}』に"
            f"コンマでつなげました（{row_list(long_rows)}）。文中のコンマはセルを \" で囲むと区切りになりません。"
        )
    return Sheet(header=header, rows=body, row_numbers=numbers, header_row=header_row)
