"""Small-cell suppression: no count below :data:`~rsnet_analysis.contract.MIN_CELL` can be read or worked out.

Counts below 5 (zero included, so that "nobody" and "a few" look the same) become the string
``"<5"`` and every figure computed from such a count is blanked. When a suppressed cell could be
recovered by subtraction from a derivable total, a second cell of that line is suppressed too
(:func:`linked_suppression`, across all the tables of a run). Segment values with fewer than 5 respondents are merged into
``その他``, which takes the smallest other segments too until it reaches 5 (:func:`merge_small_segments`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rsnet_analysis.contract import MIN_CELL, OTHER_SEGMENT, SUPPRESSED


def _is_small(values: pd.Series, min_cell: int) -> pd.Series:
    """True where a count is below ``min_cell`` (zero included) or already suppressed.

    Zero is suppressed too: if zeros were shown, "<5" would reveal that at least one person
    in a small segment raised the challenge.
    """
    numeric = pd.to_numeric(values, errors="coerce")
    return numeric.lt(min_cell) | values.astype(str).eq(SUPPRESSED)


def suppress_small_cells(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    min_cell: int = MIN_CELL,
    *,
    depends: Mapping[str, Sequence[str]] | None = None,
    extra_mask: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Replace counts below ``min_cell`` with ``"<5"`` and blank every figure derived from them.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with raw counts.
    count_cols : sequence of str
        The count columns to check.
    min_cell : int, default MIN_CELL
        Counts below this are suppressed; 0 is suppressed as well.
    depends : mapping of str to sequence of str, optional
        Derived column → the count columns it is computed from; the derived value is blanked (NaN)
        when any of those counts is suppressed. By default every other numeric column depends on all
        ``count_cols``.
    extra_mask : mapping of str to pandas.Series of bool, optional
        Count column → rows where that count is suppressed in addition (complementary suppression).

    Returns
    -------
    pandas.DataFrame
        A copy; suppressed counts hold the string ``"<5"`` (column dtype object).
    """
    out = df.copy()
    count_cols = list(count_cols)
    if depends is None:
        numeric = [
            c
            for c in out.columns
            if c not in count_cols and pd.api.types.is_numeric_dtype(out[c].dtype)
        ]
        depends = {c: count_cols for c in numeric}
    small = {c: _is_small(out[c], min_cell) for c in count_cols}
    for col, extra in (extra_mask or {}).items():
        small[col] = small[col] | extra.reindex(out.index, fill_value=False).astype(bool)
    for derived, sources in depends.items():
        mask = pd.Series(False, index=out.index)
        for source in sources:
            mask |= small[source]
        out[derived] = out[derived].astype(float).mask(mask)
    for c in count_cols:
        out[c] = out[c].astype(object).where(~small[c], SUPPRESSED)
    return out


def linked_suppression(
    counts: Sequence[float] | np.ndarray,
    equations: Sequence[Sequence[int]],
    min_cell: int = MIN_CELL,
    *,
    weights: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Which cells to hide so that no hidden count can be worked out from the shown ones.

    Every count below ``min_cell`` is hidden (zero included). An *equation* lists cells whose
    sum is known to a reader: the challenges of one wave (their total is the wave's respondents),
    the waves of one challenge together with its pooled cell (the pooled count is their sum), the
    segments of one challenge together with its pooled cell, and so on, across all tables of a run.
    An equation with exactly one hidden cell would give that cell away by subtraction, so its
    cheapest shown cell (smallest ``count x weight``) is hidden with it (complementary
    suppression); this repeats over all equations until none has a lone hidden cell. A lone hidden cell that holds 0 needs no partner:
    recovering a 0 reveals nobody, and a reader cannot tell it from the other ``<5`` cells.

    Parameters
    ----------
    counts : sequence of float
        Every count cell of the linked tables (NaN counts as 0).
    equations : sequence of sequence of int
        Positions in ``counts`` of the cells of each equation.
    min_cell : int, default MIN_CELL
    weights : sequence of float, optional
        How much each cell is worth showing (default 1): a report's headline cells get a large
        weight so that a partner is taken elsewhere when the equations allow it.

    Returns
    -------
    numpy.ndarray of bool
        True where a cell is hidden. Ties between equally cheap cells go to the earlier position,
        so the same tables always hide the same cells.

    Examples
    --------
    >>> linked_suppression([3, 10, 12], [[0, 1, 2]]).tolist()
    [True, True, False]
    """
    values = np.nan_to_num(np.asarray(counts, dtype=float))
    cost = values * (np.ones_like(values) if weights is None else np.asarray(weights, dtype=float))
    hidden = values < min_cell
    lines = [np.asarray(e, dtype=int) for e in equations if len(e) > 1]
    changed = True
    while changed:
        changed = False
        for line in lines:
            lone = line[hidden[line]]
            if len(lone) != 1 or values[lone[0]] <= 0:
                continue
            shown = line[~hidden[line]]
            if len(shown) == 0:
                continue
            hidden[shown[np.lexsort((shown, cost[shown]))[0]]] = True
            changed = True
    return hidden


def merge_small_segments(
    values: pd.Series, *, min_cell: int = MIN_CELL
) -> tuple[pd.Series, list[str]]:
    """Merge segment values held by fewer than ``min_cell`` respondents into ``その他``.

    Parameters
    ----------
    values : pandas.Series
        One segment value per respondent. Empty values (session notes, blank cells) have no
        segment and are left out (``NaN``): a 不明 column would only mirror where the data came from.
    min_cell : int, default MIN_CELL

    Returns
    -------
    (pandas.Series, list of str)
        The merged values (every respondent with a value keeps one: nobody is dropped) and
        Japanese notes that say how many values were merged (without naming them, since a name
        would reveal that someone in it answered).
    """
    values = values.fillna("").astype(str).str.strip()
    values = values.where(values != "")
    sizes = values.dropna().value_counts()
    small = sorted(v for v, size in sizes.items() if size < min_cell)
    notes: list[str] = []
    if not small:
        return values, notes
    merged = values.where(~values.isin(small) | values.isna(), OTHER_SEGMENT)
    # その他 itself must reach min_cell: the smallest shown segments join it until it does, so no
    # respondent is dropped (a dropped segment could be worked out as the total minus the others)
    shown = sorted((size, v) for v, size in sizes.items() if size >= min_cell)
    joined = 0
    while int((merged == OTHER_SEGMENT).sum()) < min_cell and shown:
        _size, value = shown.pop(0)
        merged = merged.where(merged != value, OTHER_SEGMENT)
        joined += 1
    extra = f"（ほかに小さい区分 {joined} 件も合わせて{min_cell}人以上にしました）" if joined else ""
    notes.append(f"回答者が{min_cell}人未満の区分 {len(small)} 件を「{OTHER_SEGMENT}」にまとめました{extra}。")
    return merged, notes
