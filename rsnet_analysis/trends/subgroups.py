"""Sub-groups (分科会) of municipalities with similar challenges, and regional groups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rsnet_analysis.contract import MIN_CELL, kept_rows
from rsnet_analysis.ingest import REGIONS, region_of
from rsnet_analysis.trends.units import respondent_units

SUBGROUP_COLUMNS = ["group", "kind", "shared_challenges", "members", "regions", "n_members", "reporters"]

#: Largest sub-group: a group of more municipalities is split, by region, into groups that can meet.
MAX_MEMBERS = 10


def municipality_places(kept: pd.DataFrame, municipality_col: str = "自治体名") -> dict[str, tuple[int, str]]:
    """(region position, prefecture) of each municipality, for ordering members by place.

    Parameters
    ----------
    kept : pandas.DataFrame
        Kept records with ``都道府県`` and the municipality column.
    municipality_col : str, default "自治体名"

    Returns
    -------
    dict
        Municipality to (position of its region in :data:`REGIONS`, its most frequent prefecture).
    """
    if "都道府県" not in kept.columns or municipality_col not in kept.columns:
        return {}
    frame = pd.DataFrame(
        {"m": kept[municipality_col].fillna("").astype(str).str.strip(), "p": kept["都道府県"].fillna("").astype(str)}
    )
    counts = frame[frame["p"] != ""].groupby(["m", "p"], sort=False).size().rename("n").reset_index()
    # the most frequent prefecture of each municipality; on a tie the first in sort order
    top = counts.sort_values(["m", "n", "p"], ascending=[True, False, True], kind="mergesort").drop_duplicates("m")
    out = {}
    for name, prefecture in zip(top["m"], top["p"], strict=True):
        region = region_of(prefecture) or ""
        out[str(name)] = (REGIONS.index(region) if region in REGIONS else len(REGIONS), str(prefecture))
    return out


def split_by_place(
    members: list[str], place: dict[str, tuple[int, str]], max_members: int = MAX_MEMBERS
) -> list[list[str]]:
    """Split a group larger than ``max_members`` into near-equal groups of neighbouring members.

    Members are ordered by region (map order), prefecture and name, and cut into
    ``ceil(n / max_members)`` consecutive runs, so that each group is as regionally coherent as
    the members allow; every group keeps at least ``max_members // 2`` members.

    Parameters
    ----------
    members : list of str
    place : dict
        Municipality to (region position, prefecture).
    max_members : int, default MAX_MEMBERS

    Returns
    -------
    list of list of str
        Each sorted by name; the original group when it is small enough.
    """
    if len(members) <= max_members:
        return [sorted(members)]
    ordered = sorted(members, key=lambda m: (*place.get(m, (len(REGIONS), "")), m))
    parts = math.ceil(len(ordered) / max_members)
    bounds = np.linspace(0, len(ordered), parts + 1).round().astype(int)
    return [sorted(ordered[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _municipality_regions(kept: pd.DataFrame, municipality_col: str) -> dict[str, str]:
    """Region of each municipality, from its most frequent prefecture (ties: the first region in map order).

    Each distinct prefecture value is looked up once and the regions are counted per municipality
    with one group-by (a loop over the municipalities took seconds on 100,000 answers).
    """
    if "都道府県" not in kept.columns:
        return {}
    codes, distinct = pd.factorize(kept["都道府県"], use_na_sentinel=True)
    region_of_value = np.array([region_of(p) or "" for p in distinct] + [""], dtype=object)  # -1: missing
    frame = pd.DataFrame({"m": kept[municipality_col].astype(str).str.strip().to_numpy(), "region": region_of_value[codes]})
    frame = frame[frame["region"] != ""]
    if frame.empty:
        return {}
    counts = frame.groupby(["m", "region"], sort=False).size().rename("n").reset_index()
    counts["order"] = counts["region"].map(REGIONS.index)
    best = counts.sort_values(["m", "n", "order"], ascending=[True, False, True], kind="mergesort").drop_duplicates("m")
    return dict(zip(best["m"].tolist(), best["region"].tolist(), strict=True))


def _join_regions(regions: set[str]) -> str:
    """Regions in map order, joined with 、."""
    return "、".join(sorted((r for r in regions if r), key=REGIONS.index))


def _merge_small_groups(labels: np.ndarray, profiles: np.ndarray, min_members: int) -> np.ndarray:
    """Merge groups with fewer than ``min_members`` into the group with the closest centroid."""
    labels = labels.copy()
    while True:
        ids, sizes = np.unique(labels, return_counts=True)
        if len(ids) <= 1 or sizes.min() >= min_members:
            return labels
        small = ids[np.lexsort((ids, sizes))][0]
        centroids = {g: profiles[labels == g].mean(axis=0) for g in ids}
        own = centroids[small]
        best, best_sim = None, -np.inf
        for g in ids:
            if g == small:
                continue
            other = centroids[g]
            sim = float(own @ other / (np.linalg.norm(own) * np.linalg.norm(other) or 1.0))
            if sim > best_sim:
                best, best_sim = g, sim
        labels[labels == small] = best


def _unit_counts(kept: pd.DataFrame, municipality_col: str) -> tuple[pd.DataFrame, pd.Series]:
    """Respondents of each municipality per challenge unit, and respondents per municipality.

    Parameters
    ----------
    kept : pandas.DataFrame
        Kept records with the municipality column.
    municipality_col : str
        The municipality column.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.Series)
        Counts (municipalities sorted as rows, units sorted as columns) and the number of
        respondents of each municipality with a unit.
    """
    frame = respondent_units(kept)
    frame["m"] = kept[municipality_col].fillna("").astype(str).str.strip()
    frame = frame[(frame["m"] != "") & (frame["unit"] != "")]
    size = frame.groupby("m")["respondent"].nunique()
    counts = (
        frame.drop_duplicates(["m", "respondent", "unit"])
        .groupby(["m", "unit"])
        .size()
        .unstack(fill_value=0)
    )
    return counts.sort_index().reindex(columns=sorted(counts.columns)), size


#: Largest matrix of distances between municipalities kept for the silhouettes (bytes). With more
#: municipalities than fit (5,792; Japan has 1,741), the silhouettes are read on a fixed sample of
#: that many (:func:`_silhouette_rows`): memory and time stay bounded whatever the number.
DISTANCE_BYTES = 256 * 2**20
#: Fewest municipalities the silhouettes read (when :data:`DISTANCE_BYTES` holds fewer).
MIN_SILHOUETTE_ROWS = 50


def _cosine_distances(profiles: np.ndarray) -> np.ndarray:
    """The cosine distances ``silhouette_score(profiles, labels, metric="cosine")`` computes, once.

    The silhouette of every k tried reads the same distances between the same municipalities;
    they are computed here exactly as scikit-learn computes them inside ``silhouette_score`` (the
    same chunks of ``pairwise_distances_chunked``), so ``metric="precomputed"`` on them gives the
    same scores.
    """
    from sklearn.metrics import pairwise_distances_chunked

    return np.vstack(list(pairwise_distances_chunked(profiles, metric="cosine")))


def _silhouette_rows(n: int, seed: int) -> np.ndarray | None:
    """The municipalities whose silhouettes choose k: all of them (None) or a fixed sample.

    All while their distances fit in :data:`DISTANCE_BYTES`; beyond, a random sample of as many
    as fit (at least :data:`MIN_SILHOUETTE_ROWS`), drawn once with ``seed`` and read for every k.

    Parameters
    ----------
    n : int
        Number of municipalities.
    seed : int
        Seed of the sample (NumPy's ``default_rng``; the pinned NumPy fixes the stream).

    Returns
    -------
    numpy.ndarray or None
        Sorted row positions of the sample, or None for every row.
    """
    limit = max(math.isqrt(DISTANCE_BYTES // 8), MIN_SILHOUETTE_ROWS)
    if n <= limit:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def _group_labels(
    profiles: np.ndarray, n_groups: int | str, seed: int, min_members: int, max_groups: int
) -> np.ndarray:
    """Group of each profile: k-means with small groups merged, k chosen by cosine silhouette when "auto".

    The silhouettes read every profile, or a fixed sample of them above :data:`DISTANCE_BYTES`
    (:func:`_silhouette_rows`).

    Parameters
    ----------
    profiles : numpy.ndarray
        One L2-normalised row per municipality.
    n_groups : int or "auto"
        Number of groups asked for.
    seed : int
        Seed of k-means (and of the silhouettes' sample, :func:`_silhouette_rows`).
    min_members : int
        Smallest group (smaller ones are merged, :func:`_merge_small_groups`).
    max_groups : int
        Largest k tried with ``"auto"``.

    Returns
    -------
    numpy.ndarray
        A group label per row (all 0 when no k of 2 or more applies).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    def fit(k: int) -> np.ndarray:
        model = KMeans(n_clusters=k, n_init=10, random_state=seed)
        return _merge_small_groups(model.fit_predict(profiles), profiles, min_members)

    n_distinct = len(np.unique(profiles.round(12), axis=0))
    if n_groups == "auto":
        best_labels, best_score = np.zeros(len(profiles), dtype=int), -np.inf
        rows = _silhouette_rows(len(profiles), seed)
        distances = _cosine_distances(profiles if rows is None else profiles[rows])
        for k in range(2, min(max_groups, n_distinct, len(profiles) - 1) + 1):
            labels = fit(k)
            read = labels if rows is None else labels[rows]
            if not 2 <= len(np.unique(read)) < len(read):
                continue
            score = silhouette_score(distances, read, metric="precomputed")
            if score > best_score + 1e-12:
                best_labels, best_score = labels, score
        return best_labels
    k = int(n_groups)
    return fit(min(k, n_distinct)) if k > 1 else np.zeros(len(profiles), dtype=int)


class _SharedChallenges:
    """The challenges a group of municipalities shares, for many groups of one table.

    Calling it with a group's members gives up to three units raised by at least half the
    members (most widely shared first; at least one), ordered by the share of members raising the
    unit, then the mean share, then the unit.

    Parameters
    ----------
    counts, shares : pandas.DataFrame
        Respondents and shares of respondents per municipality (rows) and unit (columns).

    Notes
    -----
    The arrays are made once and laid out unit by unit, as pandas holds the table, so the means
    are summed in the same order as ``DataFrame.mean`` sums them and come out the same to the
    last bit.
    """

    def __init__(self, counts: pd.DataFrame, shares: pd.DataFrame) -> None:
        self.row_of = {m: i for i, m in enumerate(counts.index)}
        self.raised = np.ascontiguousarray((counts.to_numpy() > 0).T)
        self.shares = np.ascontiguousarray(shares.reindex(index=counts.index, columns=counts.columns).to_numpy(dtype=float).T)
        self.units = [str(u) for u in counts.columns]
        self.name_rank = np.empty(len(self.units), dtype=np.intp)  # position of each unit by name
        self.name_rank[np.argsort(np.array(self.units, dtype=object), kind="stable")] = np.arange(len(self.units))

    def __call__(self, members: list[str]) -> list[str]:
        rows = np.array([self.row_of[m] for m in members], dtype=np.intp)
        # np.take along the members keeps each unit's row contiguous (fancy indexing would not):
        # summed along it, as pandas sums, the means are the same to the last bit
        raised = np.take(self.raised, rows, axis=1).mean(axis=1, dtype=np.float64)
        share = np.take(self.shares, rows, axis=1).mean(axis=1)
        order = np.lexsort((self.name_rank, -share, -raised))
        wide = [self.units[i] for i in order if raised[i] >= 0.5][:3]
        return wide or [self.units[i] for i in order[:1]]


def propose_subgroups(
    records: pd.DataFrame,
    *,
    municipality_col: str = "自治体名",
    n_groups: int | str = "auto",
    seed: int = 0,
    min_members: int = MIN_CELL,
    max_groups: int = 10,
    max_members: int = MAX_MEMBERS,
) -> pd.DataFrame:
    """Propose sub-groups (分科会) of municipalities with similar challenge profiles.

    Method: a municipality x challenge-unit matrix of shares (respondents of the municipality whose
    primary challenge is the unit, over its respondents), rows L2-normalised so that the Euclidean
    k-means groups by cosine similarity; ``KMeans(n_init=10, random_state=seed)``. With
    ``n_groups="auto"`` every k from 2 to ``max_groups`` is tried and the one with the best cosine
    silhouette kept (smaller k on ties); with more than 5,792 municipalities (:data:`DISTANCE_BYTES`)
    the silhouettes are read on a fixed random sample of that many, drawn with ``seed``, so k is
    chosen on an estimate. Groups with fewer than ``min_members`` municipalities are
    merged into the group with the most similar centroid, so that no group size is below the
    small-cell limit; a group of more than ``max_members`` is split by region
    (:func:`split_by_place`) so that every group is small enough to meet.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (only ``kept`` rows with a challenge unit and a municipality).
    municipality_col : str, default "自治体名"
    n_groups : int or "auto", default "auto"
    seed : int, default 0
    min_members : int, default MIN_CELL
    max_groups : int, default 10
    max_members : int, default MAX_MEMBERS

    Returns
    -------
    pandas.DataFrame
        Columns ``group, kind, shared_challenges, members, regions, n_members``; ``kind`` is
        ``challenge``; ``shared_challenges`` holds up to three challenge units raised by at least
        half the members (most widely shared first; at least one), space separated; ``members`` the
        municipality names sorted and joined with ``、``; ``regions`` the members' regions in map
        order. Only municipality names are listed, never departments or people. Groups are numbered
        ``S1, S2, …`` by size (largest first), then by first member. Empty when there are fewer than
        ``min_members`` municipalities.
    """
    kept = kept_rows(records)
    if municipality_col not in kept.columns:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    counts, size = _unit_counts(kept, municipality_col)
    if len(counts) < min_members:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    shares = counts.div(size.reindex(counts.index), axis=0)
    profiles = shares.to_numpy(dtype=float)
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    profiles = profiles / np.where(norms > 0, norms, 1.0)
    labels = _group_labels(profiles, n_groups, seed, min_members, max_groups)

    regions = _municipality_regions(kept, municipality_col)
    place = municipality_places(kept, municipality_col)
    groups = []
    chunks = [c for g in np.unique(labels) for c in split_by_place(list(counts.index[labels == g]), place, max_members)]
    shared = _SharedChallenges(counts, shares)
    for members in chunks:
        groups.append(
            {
                "kind": "challenge",
                "shared_challenges": " ".join(shared(members)),
                "members": "、".join(members),
                "regions": _join_regions({regions.get(m, "") for m in members}),
                "n_members": len(members),
                "reporters": "",
            }
        )
    groups.sort(key=lambda row: (-int(str(row["n_members"])), str(row["members"])))
    for i, row in enumerate(groups, start=1):
        row["group"] = f"S{i}"
    return pd.DataFrame(groups, columns=SUBGROUP_COLUMNS)


def regional_groups(
    records: pd.DataFrame,
    *,
    municipality_col: str = "自治体名",
    min_members: int = MIN_CELL,
    max_members: int = MAX_MEMBERS,
) -> pd.DataFrame:
    """Regional groupings of member municipalities for in-person meetings.

    One group per region (:data:`REGIONS` order). A region with fewer than ``min_members``
    municipalities is joined with its next neighbour in map order (e.g. ``中国・四国``); a small
    remainder at the end joins the previous group; a region with more than ``max_members``
    municipalities is split by prefecture into near-equal groups (``R:関東-1``, ``R:関東-2``).

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows with a municipality and a prefecture).
    municipality_col : str, default "自治体名"
    min_members : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        Columns ``group, kind, shared_challenges, members, regions, n_members``; ``kind`` is
        ``region``, ``group`` is ``R:<regions>``; ``shared_challenges`` the up to three challenge
        units raised by most members. Empty when fewer than ``min_members`` municipalities have a
        known region.
    """
    kept = kept_rows(records)
    if municipality_col not in kept.columns:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    regions = _municipality_regions(kept, municipality_col)
    if len(regions) < min_members:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    frame = respondent_units(kept)
    frame["m"] = kept[municipality_col].fillna("").astype(str).str.strip()
    raised = frame[frame["unit"] != ""].drop_duplicates(["m", "unit"])
    buckets: list[list[str]] = []
    current: list[str] = []
    for region in REGIONS:
        current.append(region)
        if sum(1 for r in regions.values() if r in current) >= min_members:
            buckets.append(current)
            current = []
    if current:
        if buckets:
            buckets[-1].extend(current)
        else:
            buckets.append(current)
    place = municipality_places(kept, municipality_col)
    rows = []
    for bucket in buckets:
        everyone = sorted(m for m, r in regions.items() if r in bucket)
        parts = split_by_place(everyone, place, max_members)
        for part_no, members in enumerate(parts, start=1):
            present = [r for r in bucket if any(regions[m] == r for m in members)]
            units = raised[raised["m"].isin(members)]["unit"].value_counts()
            units = units.reset_index().sort_values(["count", "unit"], ascending=[False, True])
            suffix = f"-{part_no}" if len(parts) > 1 else ""
            rows.append(
                {
                    "group": "R:" + "、".join(present) + suffix,
                    "kind": "region",
                    "shared_challenges": " ".join(units["unit"].tolist()[:3]),
                    "members": "、".join(members),
                    "regions": "、".join(present),
                    "n_members": len(members),
                    "reporters": "",
                }
            )
    return pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)
