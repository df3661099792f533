"""Every table of the trends stage from the record table and the clusters, in one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from rsnet_analysis.contract import OTHER_SEGMENT, kept_rows
from rsnet_analysis.trends.counts import challenge_counts, suppress_counts
from rsnet_analysis.trends.practices import linked_units, pair_practices, practice_rows
from rsnet_analysis.trends.segments import merge_notices, segment_merges
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
    practices: pd.DataFrame
    notices: list[str]  # on small segment values merged into その他 (trends.merge_notices)


def merge_small_segment_values(
    records: pd.DataFrame,
    segment_cols: Sequence[str],
    *,
    merges: Mapping[str, tuple[set[str], list[str]] | None] | None = None,
) -> pd.DataFrame:
    """Write segment values held by fewer than 5 respondents as その他, in every row.

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str
    merges : mapping, optional
        :func:`~rsnet_analysis.trends.segments.segment_merges` of ``records``, when already known.

    Returns
    -------
    pandas.DataFrame
        A copy; ``records.csv`` and the answers sheet then name no segment too small to show.
    """
    if merges is None:
        merges = segment_merges(records, segment_cols)
    table = records.copy()
    for col in segment_cols:
        if col not in table.columns:
            continue
        merge = merges.get(col)
        keep = merge[0] if merge is not None else set()
        values = table[col].fillna("").astype(str)
        table[col] = values.map(lambda v, s=keep: v if not v or v in s else OTHER_SEGMENT)
    return table


def _themes(clusters: pd.DataFrame, names: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The word that names each new theme: the head of its name (「生成AI・ルール」 → 生成AI).

    Only the name: a core term such as ルール is too common to tie a statement to a theme.
    """
    out: dict[str, tuple[str, ...]] = {}
    for row in clusters.itertuples(index=False):
        if str(row.kind) != "new":
            continue
        unit = f"cluster:{int(row.cluster)}"
        head = names.get(unit, str(row.label)).split("・")[0].strip()
        if len(head) >= 2:
            out[unit] = (head,)
    return out


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
    merges = segment_merges(records, segment_cols)
    table = merge_small_segment_values(records, segment_cols, merges=merges)
    waves = table["wave"] if "wave" in table else pd.Series("", index=table.index)
    raw = challenge_counts(table, waves, names=names, kinds=kinds, segment_cols=segment_cols)
    counts = suppress_counts(raw)
    # sub-groups need every municipality's own prefecture (their regions are shown, never a
    # prefecture), so they are proposed before small prefectures are written as その他
    subgroups = propose_subgroups(records, seed=seed)
    if "自治体名" in records.columns:
        subgroups = pd.concat([subgroups, regional_groups(records)], ignore_index=True)
    themes = _themes(clusters, names)
    # the linked challenge of every kept statement, shared by the two tables below (from the
    # columns it reads, not a copy of the whole record table)
    used = [c for c in ("status", "challenge", "cluster", "text_masked") if c in records.columns]
    linked = linked_units(kept_rows(records[used]), themes) if "kind" in records.columns else None
    pairings = pair_practices(records, names, themes=themes, linked=linked)
    if not pairings.empty:
        subgroups = pd.concat([subgroups, pairings], ignore_index=True)
    return TrendTables(
        records=table,
        counts=counts,
        clusters=cluster_rows(clusters, counts),
        trends=trend_rows(counts),
        segments=segment_rows(counts),
        emerging=emerging_rows(counts, clusters),
        subgroups=subgroups,
        practices=practice_rows(records, names, themes=themes, linked=linked),
        notices=merge_notices(merges),
    )
