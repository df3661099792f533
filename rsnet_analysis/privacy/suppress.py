"""Small-cell suppression: no count below :data:`~rsnet_analysis.contract.MIN_CELL` can be read or worked out.

Counts below 5 (zero included, so that "nobody" and "a few" look the same) become the string
``"<5"`` and every figure computed from such a count is blanked. When a suppressed cell could be
recovered by subtraction from a derivable total, a second cell of that line is suppressed too
(:func:`complementary_mask`). Segment values with fewer than 5 respondents are merged into
``その他`` or dropped (:func:`merge_small_segments`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def complementary_mask(
    df: pd.DataFrame, count_col: str, groupings: Sequence[Sequence[str]], min_cell: int
) -> pd.Series:
    """Cells to suppress so that no line has exactly one suppressed cell.

    A line (e.g. all challenges of one wave) whose total can be derived from the shown figures would
    give the single suppressed cell away by subtraction; the smallest shown cell of that line is
    suppressed with it. Repeats until stable. A lone hidden cell that holds 0 needs no partner:
    recovering a 0 reveals nobody (and a reader cannot tell it from the other ``<5`` cells).
    """
    counts = pd.to_numeric(df[count_col], errors="coerce").fillna(0)
    primary = counts < min_cell
    secondary = pd.Series(False, index=df.index)
    changed = True
    while changed:
        changed = False
        hidden = primary | secondary
        for keys in groupings:
            for _, idx in df.groupby(list(keys), sort=True).groups.items():
                cells = hidden.loc[idx]
                lone = cells.sum() == 1 and counts.loc[idx][cells].iloc[0] > 0
                if lone and (~cells).any():
                    shown = counts.loc[idx][~cells]
                    order = pd.DataFrame({"n": shown, "pos": range(len(shown))}).sort_values(
                        ["n", "pos"]
                    )
                    secondary.loc[order.index[0]] = True
                    changed = True
            hidden = primary | secondary
    return secondary


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
        The merged values (``NaN`` for respondents dropped because even ``その他`` has fewer than
        ``min_cell`` respondents) and Japanese notes that say how many values were merged or dropped
        (without naming them, since a name would reveal that someone in it answered).
    """
    values = values.fillna("").astype(str).str.strip()
    values = values.where(values != "")
    sizes = values.dropna().value_counts()
    small = sorted(v for v, size in sizes.items() if size < min_cell)
    notes: list[str] = []
    if not small:
        return values, notes
    merged = values.where(~values.isin(small) | values.isna(), OTHER_SEGMENT)
    other_size = int((merged == OTHER_SEGMENT).sum())
    if other_size < min_cell:
        merged = merged.where(merged != OTHER_SEGMENT)
        notes.append(
            f"回答者が{min_cell}人未満の区分が {len(small)} 件あり、まとめても{min_cell}人未満のため表から除きました。"
        )
    else:
        notes.append(
            f"回答者が{min_cell}人未満の区分 {len(small)} 件を「{OTHER_SEGMENT}」にまとめました。"
        )
    return merged, notes
