"""Tables as they may leave the process: public record columns, CSV files that Excel opens.

No written cell ever runs as a formula. A spreadsheet evaluates a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and, after a tab or a carriage return, whatever follows), so an answer such
as ``=HYPERLINK("http://…"&A1,"click")`` would run when the CSV is opened. Following OWASP's
advice on CSV injection, :func:`write_csv` prefixes such a text cell with ``'`` (Excel shows the
rest as text); the full-width forms ＝ ＋ － ＠ are treated the same, since Japanese Excel reads
「＝SUM(…)」 as a formula too. Headers, ids, segment values and labels are cells like any other.
Numbers are left alone: ``-0.25`` in a numeric column is a number, not a formula. A carriage
return that no line feed follows is written as a line feed: Python's csv module quotes a cell
with a line feed but not one with a lone CR, which Excel would take as the end of the row (and
the rest of the cell as a new row, starting with whatever formula follows). The workbook writes
the same cells as string cells (:mod:`.workbook`), so no ``<f>`` element is produced.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from rsnet_analysis.contract import PRIVATE_COLUMNS, QUESTION_COLUMN, AnalysisResult

#: First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection),
#: with their full-width forms.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

#: What :func:`escape_formula` puts in front of such a cell.
FORMULA_ESCAPE = "'"

_LONE_CR_RE = re.compile("\r(?!\n)")


def starts_like_formula(value: Any) -> bool:
    """Tell whether a cell value is text that a spreadsheet would read as a formula.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    bool
        True for a ``str`` that starts with one of :data:`FORMULA_TRIGGERS`.
    """
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def escape_formula(value: Any) -> Any:
    """Neutralise one cell for CSV: ``'`` before text that starts like a formula.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        ``"'" + value`` when :func:`starts_like_formula`, else ``value`` unchanged.

    Examples
    --------
    >>> escape_formula("=1+1"), escape_formula("-5%の削減"), escape_formula(-0.5)
    ("'=1+1", "'-5%の削減", -0.5)
    """
    return FORMULA_ESCAPE + value if starts_like_formula(value) else value


def csv_cell(value: Any) -> Any:
    """One cell as :func:`write_csv` writes it: :func:`escape_formula`, and a lone CR as LF.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        The value, escaped when it is text (see the module docstring).
    """
    value = escape_formula(value)
    if isinstance(value, str) and "\r" in value:
        return _LONE_CR_RE.sub("\n", value)
    return value


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text cell and every column name of a table for CSV (:func:`csv_cell`).

    Parameters
    ----------
    df : pandas.DataFrame
        A table about to be written.

    Returns
    -------
    pandas.DataFrame
        A copy in which :func:`csv_cell` has been applied to every text value and to the
        column names; numeric columns are unchanged.
    """
    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(column.dtype) and not isinstance(
            column.dtype, pd.CategoricalDtype
        ):
            continue
        values = column.astype(object)
        if may_need_escape(values) and values.map(_needs_escape).any():
            out.isetitem(i, values.map(csv_cell))
    out.columns = pd.Index([csv_cell(c) for c in out.columns])
    return out


def _needs_escape(value: Any) -> bool:
    return starts_like_formula(value) or (isinstance(value, str) and "\r" in value)


def may_need_escape(values: pd.Series) -> bool:
    """False only when no text cell of ``values`` needs :func:`csv_cell` (one scan, not one call per cell).

    The text cells are joined by line feeds and searched for a line that starts like a formula
    and for a carriage return: every cell that needs escaping is found, and a line feed inside a
    cell can only add a false alarm, which the exact per-cell check that follows clears.

    Parameters
    ----------
    values : pandas.Series
        One column.

    Returns
    -------
    bool
    """
    blob = "\n".join([v for v in values.tolist() if isinstance(v, str)])
    return "\r" in blob or _FORMULA_LINE.search(blob) is not None


#: A line that starts like a formula (see :func:`may_need_escape`).
_FORMULA_LINE = re.compile("^[" + re.escape("".join(FORMULA_TRIGGERS)) + "]", re.MULTILINE)


def public_records(records: pd.DataFrame) -> pd.DataFrame:
    """Return the record table as it may be shared: no unmasked text, no internal columns."""
    cols = [c for c in records.columns if c not in PRIVATE_COLUMNS]
    return records.loc[:, cols]


def records_for_output(result: AnalysisResult) -> pd.DataFrame:
    """Columns of ``records.csv`` in a fixed order, without unmasked text.

    Record identity and status first, then the question and the masked text, the named id,
    respondent and date columns, the segments, the attributes of session notes (who said it
    where: グループ, 組織名, イベント, 開催日), then the date, wave and challenge columns
    (``challenge_score``: how strongly the answer belongs to its challenge, 0-1).
    Identifying columns hold pseudonyms already (the reader replaced them). The date column as
    typed is blank where it was not read as a date (``date`` empty): such a cell is free text that
    was never masked.
    """
    rec = public_records(result.records)
    roles = result.summary.get("columns", {})
    first = [
        "record_id", "source_file", "source_row", "source_type", QUESTION_COLUMN, "status",
        "text_masked",
    ]
    named = []
    for key in ("id", "respondent", "time"):
        col = roles.get(key) if isinstance(roles, dict) else None
        if col and col in rec.columns:
            named.append(col)
    named += [c for c in result.summary.get("segment_columns", []) if c in rec.columns]
    notes = ["グループ", "組織名", "イベント", "開催日"]
    tail = [
        "date",
        "wave",
        "cluster",
        "cluster_label",
        "challenge",
        "challenge_secondary",
        "challenge_reason",
        "challenge_score",
        "kind",
        "kind_confidence",
        "kind_reason",
    ]
    order: list[str] = []
    for c in first + named + notes + tail:
        if c in rec.columns and c not in order:
            order.append(c)
    out = rec.loc[:, order]
    time_col = roles.get("time") if isinstance(roles, dict) else None
    if isinstance(time_col, str) and time_col in out.columns and time_col != "date" and "date" in out.columns:
        # the date column as typed only where it was read as a date: a cell that is not one is
        # free text nobody masked (「2024/4/1（山田太郎記入）」, a footnote 「問合せ：佐藤花子 03-…」)
        unread = out["date"].fillna("").astype(str).eq("")
        if unread.any():
            out = out.assign(**{time_col: out[time_col].where(~unread, "")})
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV that Excel opens correctly.

    UTF-8 with BOM, LF line endings, no index, columns in the frame's order;
    the same frame always gives the same bytes. Parent folders are created. Text cells and
    headers that start like a formula get a leading ``'``, and a lone CR becomes LF
    (:func:`escape_formulas`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write.
    path : str or Path
        Where to write.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    escape_formulas(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
