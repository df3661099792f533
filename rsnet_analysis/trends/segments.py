"""Segments: which values of a segment column are shown, in which order, and notices on merged ones.

The counts by segment themselves are rows of the table of counts
(:func:`~rsnet_analysis.trends.counts.challenge_counts`), so that they are suppressed together with
every other count of the run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rsnet_analysis.contract import (
    MIN_CELL,
    MISSING_SEGMENT,
    OTHER_SEGMENT,
    kept_rows,
)
from rsnet_analysis.ingest import REGIONS, add_region
from rsnet_analysis.privacy import merge_small_segments

#: 自治体区分 values in the order analysts expect (largest kind first).
MUNICIPALITY_KINDS = ("都道府県", "政令指定都市", "中核市", "施行時特例市", "市", "特別区", "町", "村")

def _segment_per_respondent(kept: pd.DataFrame, segment_col: str) -> pd.Series:
    """The first non-empty segment value of each respondent (respondents keep their attributes)."""
    values = kept[segment_col].fillna("").astype(str).str.strip()
    frame = pd.DataFrame({"respondent": kept["respondent"].astype(str), "value": values})
    frame["empty"] = frame["value"].eq("")
    frame = frame.sort_values(["respondent", "empty"], kind="stable")
    return frame.drop_duplicates("respondent").set_index("respondent")["value"]


def _with_segment(records: pd.DataFrame, segment_col: str) -> pd.DataFrame:
    """Add the region column on demand when ``segment_col`` is 地域 and only 都道府県 exists."""
    if (
        segment_col not in records.columns
        and segment_col == "地域"
        and "都道府県" in records.columns
    ):
        return add_region(records)
    return records


def segment_merges(
    records: pd.DataFrame, segment_cols: Sequence[str], *, min_cell: int = MIN_CELL
) -> dict[str, tuple[set[str], list[str]] | None]:
    """Each segment column's values shown as themselves and its notes on merged small values.

    Done once per column for the whole run: the records write the values not shown as その他
    (:func:`~rsnet_analysis.trends.tables.merge_small_segment_values`) and the notes become the
    run's notices (:func:`merge_notices`).

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str
    min_cell : int, default MIN_CELL

    Returns
    -------
    dict
        Column → (shown values, Japanese notes), or None for a column the records lack.
    """
    out: dict[str, tuple[set[str], list[str]] | None] = {}
    # the kept rows of the columns needed, taken once (the record table has some forty columns)
    needed = [c for c in dict.fromkeys(["respondent", "status", *segment_cols]) if c in records.columns]
    kept = kept_rows(records[needed])
    for col in segment_cols:
        rows = kept
        if col not in records.columns:
            frame = _with_segment(records, col)
            if col not in frame.columns:
                out[col] = None
                continue
            rows = kept_rows(frame)
        per_respondent = _segment_per_respondent(rows, col)
        merged, notes = merge_small_segments(per_respondent, min_cell=min_cell)
        shown = {str(v) for v, m in zip(per_respondent, merged, strict=True) if isinstance(m, str) and m == v}
        out[col] = (shown, notes)
    return out


def merge_notices(merges: dict[str, tuple[set[str], list[str]] | None]) -> list[str]:
    """Japanese notes on merged or dropped small segments, one per affected segment column.

    Parameters
    ----------
    merges : dict
        :func:`segment_merges` of the record table.

    Returns
    -------
    list of str
    """
    notes = []
    for col, merge in merges.items():
        if merge is None:
            notes.append(f"区分列『{col}』がないため集計しませんでした。")
        else:
            notes.extend(f"{col}: {note}" for note in merge[1])
    return notes


def segment_key(segment: str) -> tuple[int, int, str]:
    """Sort key of segment values.

    Kinds of municipality from large to small, regions in map order, others sorted, then その他
    and 不明.
    """
    if segment in MUNICIPALITY_KINDS:
        return (0, MUNICIPALITY_KINDS.index(segment), segment)
    if segment == OTHER_SEGMENT:
        return (2, 0, segment)
    if segment == MISSING_SEGMENT:
        return (3, 0, segment)
    if segment in REGIONS:
        return (0, REGIONS.index(segment), segment)
    return (1, 0, segment)
