"""Emerging and fading challenges: the latest wave against all earlier waves pooled."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from rsnet_analysis.contract import MIN_CELL, kept_rows
from rsnet_analysis.privacy import complementary_mask, suppress_small_cells
from rsnet_analysis.trends.waves import wave_order

EMERGING_COLUMNS = [
    "cluster",
    "label",
    "top_terms",
    "challenge",
    "n_latest",
    "n_previous",
    "share_latest",
    "share_previous",
    "growth",
    "p_value",
    "direction",
    "representative_record_ids",
]

def _split_ids(value: object) -> list[str]:
    """Record ids from a list or a whitespace-separated string."""
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    if isinstance(value, str):
        return value.split()
    return []


def find_emerging(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    *,
    waves: pd.Series,
    n_representatives: int = 3,
    suppress: bool = True,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Clusters that grew (emerging) or shrank (fading) in the latest wave, strongest evidence first.

    Each cluster (named by the codebook or not) is compared between the latest wave and all earlier
    waves pooled. A respondent counts once per wave. The evidence is a one-sided Fisher exact test on
    the 2 x 2 table (in the cluster or not x latest or earlier): ``alternative="greater"`` for a
    cluster whose share rose, ``"less"`` for one whose share fell. A cluster absent before and
    present now gets a small p-value as soon as it has a few respondents.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (only ``kept`` rows with a cluster and a wave are used).
    clusters : pandas.DataFrame
        The cluster table: ``cluster, label, top_terms, challenge, representative_record_ids`` (ids
        whitespace separated, or a list).
    waves : pandas.Series
        Wave labels aligned with ``records``.
    n_representatives : int, default 3
        How many representative record ids to give. They come preferably from the latest wave
        (earlier waves for fading clusters): first the cluster's own representatives from that wave,
        then other records of the cluster in that wave in record order, then anything else.
    suppress : bool, default True
        Apply small-cell suppression; ``False`` gives raw numbers (never write them).
    min_cell : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        Columns ``cluster, label, top_terms, challenge, n_latest, n_previous, share_latest,
        share_previous, growth, p_value, direction, representative_record_ids``. ``growth`` is the
        share in the latest wave minus the share before (a difference of proportions). ``direction``
        is ``emerging``, ``fading`` or ``stable``. Rows are ranked emerging first, then fading, then
        stable; within each by ``p_value`` (smaller first), then by ``|growth|`` (larger first), then
        by cluster id. Empty (with these columns) when there are fewer than two waves.
    """
    kept = kept_rows(records)
    wave = waves.reindex(kept.index).fillna("").astype(str)
    order = wave_order(wave, records)
    if len(order) < 2 or "cluster" not in kept.columns:
        return pd.DataFrame(columns=EMERGING_COLUMNS)
    latest = order[-1]
    frame = pd.DataFrame(
        {
            "record_id": kept["record_id"].astype(str),
            "respondent": kept["respondent"].astype(str),
            "cluster": kept["cluster"].astype("Int64"),
            "wave": wave,
        },
        index=kept.index,
    )
    frame = frame[frame["wave"] != ""]
    frame["is_latest"] = frame["wave"] == latest
    people = frame.drop_duplicates(["wave", "respondent"])
    total_latest = int(people["is_latest"].sum())
    total_previous = int((~people["is_latest"]).sum())
    in_cluster = frame.dropna(subset=["cluster"]).drop_duplicates(["wave", "respondent", "cluster"])
    n_latest = in_cluster[in_cluster["is_latest"]].groupby("cluster").size()
    n_previous = in_cluster[~in_cluster["is_latest"]].groupby("cluster").size()
    info = clusters.set_index(clusters["cluster"].astype(int)) if len(clusters) else None
    ids = sorted(set(in_cluster["cluster"].astype(int)))
    rows = []
    for cid in ids:
        a = int(n_latest.get(cid, 0))
        b = int(n_previous.get(cid, 0))
        share_latest = a / total_latest if total_latest else np.nan
        share_previous = b / total_previous if total_previous else np.nan
        growth = share_latest - share_previous
        table = [[a, total_latest - a], [b, total_previous - b]]
        if growth > 0:
            direction = "emerging"
            p_value = stats.fisher_exact(table, alternative="greater").pvalue
        elif growth < 0:
            direction = "fading"
            p_value = stats.fisher_exact(table, alternative="less").pvalue
        else:
            direction, p_value = "stable", 1.0
        meta = info.loc[cid] if info is not None and cid in info.index else None

        def field(name: str, meta: pd.Series | None = meta) -> str:
            if meta is None or name not in meta.index or pd.isna(meta[name]):
                return ""
            return str(meta[name])

        prefer_latest = direction != "fading"
        members = frame[frame["cluster"] == cid]
        preferred = members[members["is_latest"] == prefer_latest]["record_id"].tolist()
        own = (
            _split_ids(meta["representative_record_ids"])
            if meta is not None and "representative_record_ids" in meta.index
            else []
        )
        chosen: list[str] = []
        for candidate in (
            [r for r in own if r in preferred] + preferred + own + members["record_id"].tolist()
        ):
            if candidate not in chosen:
                chosen.append(candidate)
        rows.append(
            {
                "cluster": cid,
                "label": field("label"),
                "top_terms": field("top_terms"),
                "challenge": field("challenge"),
                "n_latest": a,
                "n_previous": b,
                "share_latest": share_latest,
                "share_previous": share_previous,
                "growth": growth,
                "p_value": float(p_value),
                "direction": direction,
                "representative_record_ids": " ".join(chosen[:n_representatives]),
            }
        )
    table = pd.DataFrame(rows, columns=EMERGING_COLUMNS)
    rank = table["direction"].map({"emerging": 0, "fading": 1, "stable": 2})
    table = (
        table.assign(_rank=rank, _abs=-table["growth"].abs())
        .sort_values(["_rank", "p_value", "_abs", "cluster"], kind="stable")
        .drop(columns=["_rank", "_abs"])
        .reset_index(drop=True)
    )
    if suppress:
        whole = table.assign(_all=0)
        table = suppress_small_cells(
            table,
            ["n_latest", "n_previous"],
            min_cell,
            extra_mask={
                col: complementary_mask(whole, col, [["_all"]], min_cell)
                for col in ("n_latest", "n_previous")
            },
            depends={
                "share_latest": ["n_latest"],
                "share_previous": ["n_previous"],
                "growth": ["n_latest", "n_previous"],
                "p_value": ["n_latest", "n_previous"],
            },
        )
    return table
