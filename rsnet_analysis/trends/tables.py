"""Every table of the trends stage from the record table and the clusters, in one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from rsnet_analysis.contract import OTHER_SEGMENT
from rsnet_analysis.trends.counts import challenge_counts, suppress_counts
from rsnet_analysis.trends.segments import shown_segment_values
from rsnet_analysis.trends.subgroups import propose_subgroups, regional_groups
from rsnet_analysis.trends.views import cluster_rows, emerging_rows, segment_rows, trend_rows

__all__ = ["TrendTables", "build_tables", "merge_small_segment_values"]


@dataclass
class TrendTables:
    """The tables the reports show, every count taken from ``counts`` (already suppressed)."""

    records: pd.DataFrame
    counts: pd.DataFrame
    clusters: pd.DataFrame
    trends: pd.DataFrame
    segments: pd.DataFrame
    emerging: pd.DataFrame
    subgroups: pd.DataFrame


def merge_small_segment_values(records: pd.DataFrame, segment_cols: Sequence[str]) -> pd.DataFrame:
    """Write segment values held by fewer than 5 respondents as その他, in every row.

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str

    Returns
    -------
    pandas.DataFrame
        A copy; ``records.csv`` and the answers sheet then name no segment too small to show.
    """
    table = records.copy()
    for col in segment_cols:
        if col not in table.columns:
            continue
        shown = shown_segment_values(table, col)
        values = table[col].fillna("").astype(str)
        table[col] = values.map(lambda v, s=shown: v if not v or v in s else OTHER_SEGMENT)
    return table


def build_tables(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    *,
    names: Mapping[str, str],
    kinds: Mapping[str, str],
    segment_cols: Sequence[str] = (),
    seed: int = 0,
) -> TrendTables:
    """The table of counts and its views, and the proposed sub-groups.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with challenge columns and ``wave``.
    clusters : pandas.DataFrame
        The cluster table of the challenge stage (:data:`~rsnet_analysis.contract.CLUSTER_COLUMNS`).
    names, kinds : mapping of str to str
        Display name and kind of every challenge unit.
    segment_cols : sequence of str, default ()
    seed : int, default 0
        Seed of the sub-group proposal.

    Returns
    -------
    TrendTables
        ``records`` with small segment values written as その他.
    """
    table = merge_small_segment_values(records, segment_cols)
    waves = table["wave"] if "wave" in table else pd.Series("", index=table.index)
    raw = challenge_counts(table, waves, names=names, kinds=kinds, segment_cols=segment_cols)
    counts = suppress_counts(raw)
    subgroups = propose_subgroups(table, seed=seed)
    if "自治体名" in table.columns:
        subgroups = pd.concat([subgroups, regional_groups(table)], ignore_index=True)
    return TrendTables(
        records=table,
        counts=counts,
        clusters=cluster_rows(clusters, counts),
        trends=trend_rows(counts),
        segments=segment_rows(counts),
        emerging=emerging_rows(counts, clusters),
        subgroups=subgroups,
    )
