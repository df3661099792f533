"""Challenge x segment cross-tabulations with chi-square and adjusted residuals (KH Coder style)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from rsnet_analysis.contract import (
    DEFAULT_SEGMENT_COLUMNS,
    MIN_CELL,
    MISSING_SEGMENT,
    OTHER_SEGMENT,
    kept_rows,
)
from rsnet_analysis.ingest import REGIONS, add_region
from rsnet_analysis.privacy import complementary_mask, merge_small_segments, suppress_small_cells
from rsnet_analysis.trends.stats import adjusted_residuals, bh_adjust
from rsnet_analysis.trends.waves import _respondent_units

SEGMENT_COLUMNS = [
    "segment_col",
    "segment",
    "challenge",
    "n",
    "segment_n",
    "share",
    "expected",
    "residual",
    "p_adj",
    "chi2",
    "dof",
    "p_table",
]
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


def segment_notices(
    records: pd.DataFrame, segment_cols: Sequence[str], *, min_cell: int = MIN_CELL
) -> list[str]:
    """Japanese notes on merged or dropped small segments, one per affected segment column.

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str
    min_cell : int, default MIN_CELL

    Returns
    -------
    list of str
    """
    notes = []
    for col in segment_cols:
        frame = _with_segment(records, col)
        if col not in frame.columns:
            notes.append(f"区分列『{col}』がないため集計しませんでした。")
            continue
        _, col_notes = merge_small_segments(
            _segment_per_respondent(kept_rows(frame), col), min_cell=min_cell
        )
        notes.extend(f"{col}: {note}" for note in col_notes)
    return notes


def segment_table(
    records: pd.DataFrame,
    segment_col: str,
    *,
    suppress: bool = True,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Challenge x segment cross-tabulation with chi-square and adjusted residuals (KH Coder style).

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (only ``kept`` rows are used). ``segment_col="地域"`` is derived from
        ``都道府県`` when the table has no such column.
    segment_col : str
        Attribute column, e.g. ``自治体区分``, ``地域``, ``所属部署``, ``役割``.
    suppress : bool, default True
        Apply small-cell suppression; ``False`` gives raw numbers for charts (never write them).
    min_cell : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        Long format, one row per segment x challenge, columns ``segment_col, segment, challenge, n,
        segment_n, share, expected, residual, p_adj, chi2, dof, p_table``. ``n`` counts respondents
        of the segment whose primary challenge it is; ``segment_n`` the respondents of the segment;
        ``share = n / segment_n``; ``expected`` the count expected under independence; ``residual``
        the adjusted standardised residual; ``p_adj`` its two-sided normal p-value, BH adjusted
        within this table; ``chi2``, ``dof`` and ``p_table`` the Pearson chi-square test of the whole
        table (``scipy.stats.chi2_contingency`` without continuity correction), repeated on each row.
        Segment values with fewer than ``min_cell`` respondents are merged into ``その他`` (or
        dropped), see :func:`segment_notices`. Rows are ordered by segment (regions in
        :data:`REGIONS` order, otherwise sorted, ``その他``/``不明`` last), then challenge.
    """
    records = _with_segment(records, segment_col)
    if segment_col not in records.columns:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    kept = kept_rows(records)
    per_respondent, _ = merge_small_segments(
        _segment_per_respondent(kept, segment_col), min_cell=min_cell
    )
    per_respondent = per_respondent.dropna()
    frame = _respondent_units(kept)
    frame["segment"] = frame["respondent"].map(per_respondent)
    frame = frame.dropna(subset=["segment"])
    segment_n = frame.groupby("segment")["respondent"].nunique()
    counted = frame[frame["unit"] != ""].drop_duplicates(["segment", "respondent", "unit"])
    if counted.empty:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    segments = sorted(segment_n.index, key=_segment_key)
    units = sorted(counted["unit"].unique())
    observed = (
        counted.groupby(["unit", "segment"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=units, columns=segments, fill_value=0)
    )
    obs = observed.to_numpy(dtype=float)
    nonzero_cols = obs.sum(axis=0) > 0
    chi2 = dof = p_table = np.nan
    expected = np.full(obs.shape, np.nan)
    residual = np.full(obs.shape, np.nan)
    if obs.shape[0] >= 2 and nonzero_cols.sum() >= 2:
        sub = obs[:, nonzero_cols]
        res = stats.chi2_contingency(sub, correction=False)
        chi2, dof, p_table = float(res.statistic), int(res.dof), float(res.pvalue)
        expected[:, nonzero_cols] = res.expected_freq
        residual[:, nonzero_cols] = adjusted_residuals(sub)
    cell_p = bh_adjust(2 * stats.norm.sf(np.abs(residual)).ravel()).reshape(obs.shape)
    rows = []
    for j, segment in enumerate(segments):
        for i, unit in enumerate(units):
            n = int(obs[i, j])
            rows.append(
                {
                    "segment_col": segment_col,
                    "segment": segment,
                    "challenge": unit,
                    "n": n,
                    "segment_n": int(segment_n[segment]),
                    "share": n / segment_n[segment],
                    "expected": expected[i, j],
                    "residual": residual[i, j],
                    "p_adj": cell_p[i, j],
                    "chi2": chi2,
                    "dof": dof,
                    "p_table": p_table,
                }
            )
    table = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    table["dof"] = table["dof"].astype(float)
    if suppress:
        extra = complementary_mask(table, "n", [["segment"], ["challenge"]], min_cell)
        table = suppress_small_cells(
            table,
            ["n"],
            min_cell,
            depends={"share": ["n"], "expected": ["n"], "residual": ["n"], "p_adj": ["n"]},
            extra_mask={"n": extra},
        )
    return table


def _segment_key(segment: str) -> tuple:
    """Regions in map order, kinds of municipality from large to small, others sorted, その他 last."""
    if segment in MUNICIPALITY_KINDS:
        return (0, MUNICIPALITY_KINDS.index(segment), segment)
    if segment == OTHER_SEGMENT:
        return (2, 0, segment)
    if segment == MISSING_SEGMENT:
        return (3, 0, segment)
    if segment in REGIONS:
        return (0, REGIONS.index(segment), segment)
    return (1, 0, segment)


def segments_all(
    records: pd.DataFrame,
    segment_cols: Sequence[str] = DEFAULT_SEGMENT_COLUMNS,
    *,
    suppress: bool = True,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """:func:`segment_table` for several segment columns, stacked.

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str, default DEFAULT_SEGMENT_COLUMNS
        Columns missing from ``records`` are skipped (``地域`` is derived from ``都道府県``); see
        :func:`segment_notices` for what was skipped or merged.
    suppress : bool, default True
    min_cell : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`segment_table`, in the order of ``segment_cols``.
    """
    tables = [
        segment_table(records, col, suppress=suppress, min_cell=min_cell) for col in segment_cols
    ]
    tables = [t for t in tables if not t.empty]
    if not tables:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    return pd.concat(tables, ignore_index=True)
