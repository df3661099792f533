"""Waves, segments, emerging challenges, sub-groups, and small-cell suppression.

Everything here works on the record table (one row per input row, see ``docs/architecture.md``) and only
looks at rows whose ``status`` is ``kept``. All counts are **respondents**, not rows: a respondent who
wrote three answers about the same challenge in one wave counts once.

The challenge unit
------------------
Each kept record has one *challenge unit* (:func:`challenge_unit`): its codebook key (``challenge``)
when the codebook names it, otherwise ``cluster:<id>`` for its cluster, so that unnamed challenges are
tracked, compared and flagged too. Only the **primary** challenge counts; ``challenge_secondary`` is
ignored, so every record contributes to exactly one unit and shares are comparable between waves.
Clusters must be comparable across waves: the challenge stage fits them once on all waves together,
and this module relies on that.

Small cells
-----------
``MIN_CELL = 5``. Every table function returns the **suppressed** table by default (``suppress=True``),
ready to be written: counts below 5 (zero included, so that "nobody" and "a few" look the same) become
the string ``"<5"``, and every figure computed from such a count (shares, intervals, changes, residuals,
p-values) is blanked (NaN, written as an empty cell). When a suppressed cell could be recovered by
subtraction from a derivable total (a wave, a segment or a challenge row with exactly one suppressed
cell), the next smallest cell of that line is suppressed too. Pass ``suppress=False`` to get the raw
numbers for charts or further computation; those raw tables must never be written or shown as they are.
Segment values with fewer than 5 respondents in total are merged into ``その他`` (and dropped when
``その他`` is still below 5), see :func:`merge_small_segments` and :func:`segment_notices`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd
from scipy import stats

from rsnet_analysis.regions import REGIONS, add_region, region_of

MIN_CELL = 5
"""Smallest respondent count that may be shown."""

SUPPRESSED = "<5"
"""What a suppressed count shows."""

OTHER_SEGMENT = "その他"
"""Segment that collects segment values with fewer than ``MIN_CELL`` respondents."""

MISSING_SEGMENT = "不明"
#: 自治体区分 values in the order analysts expect (largest kind first).
MUNICIPALITY_KINDS = ("都道府県", "政令指定都市", "中核市", "施行時特例市", "市", "特別区", "町", "村")
"""Segment for respondents whose segment value is empty."""

PERIODS = ("year", "half", "quarter", "file")
"""Accepted values of ``period`` in :func:`assign_waves`."""

TREND_COLUMNS = ["wave", "challenge", "n", "share", "ci_low", "ci_high", "change", "p_adj"]
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
SUBGROUP_COLUMNS = ["group", "kind", "shared_challenges", "members", "regions", "n_members"]

_Z95 = stats.norm.ppf(0.975)


# --------------------------------------------------------------------------------------------
# statistics helpers


def wilson_interval(
    count: np.ndarray | Sequence[float] | float,
    nobs: np.ndarray | Sequence[float] | float,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    count : array-like
        Number of successes.
    nobs : array-like
        Number of trials; where it is 0 both bounds are NaN.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds, same formula as ``statsmodels`` ``proportion_confint(method="wilson")``.
    """
    x = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low = np.where(n > 0, centre - half, np.nan)
        high = np.where(n > 0, centre + half, np.nan)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Two-sided test of equal proportions, choosing the test by the expected counts.

    The pooled two-proportion z-test is used when every expected count of the 2 x 2 table is at
    least 5 (Cochran's rule); otherwise Fisher's exact test (two-sided), which is valid for small
    counts.

    Parameters
    ----------
    x1, n1 : int
        Successes and trials in the first group.
    x2, n2 : int
        Successes and trials in the second group.

    Returns
    -------
    (float, str)
        The p-value (NaN when a group is empty) and the test used: ``"z"`` or ``"fisher"``.
    """
    if n1 <= 0 or n2 <= 0:
        return float("nan"), ""
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if expected.min() >= 5:
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        return float(2 * stats.norm.sf(abs(z))), "z"
    result = stats.fisher_exact(table.astype(int), alternative="two-sided")
    return float(result.pvalue), "fisher"


def bh_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; NaN entries are left out of the family and stay NaN.

    Parameters
    ----------
    p_values : array-like of float

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (same as ``statsmodels`` ``multipletests(method="fdr_bh")[1]``).
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def adjusted_residuals(table: np.ndarray) -> np.ndarray:
    """Adjusted standardised residuals (Haberman) of a contingency table, as KH Coder shows them.

    ``r_ij = (O_ij - E_ij) / sqrt(E_ij * (1 - R_i / N) * (1 - C_j / N))`` where ``R_i`` and ``C_j``
    are the row and column totals. Values above 1.96 (below -1.96) mark cells clearly more (less)
    frequent than independence predicts at the 5 % level.

    Parameters
    ----------
    table : numpy.ndarray
        Observed counts, rows x columns, with no empty row or column.

    Returns
    -------
    numpy.ndarray
        The residuals, same shape as ``table``.
    """
    obs = np.asarray(table, dtype=float)
    total = obs.sum()
    rows = obs.sum(axis=1, keepdims=True)
    cols = obs.sum(axis=0, keepdims=True)
    expected = rows * cols / total
    with np.errstate(divide="ignore", invalid="ignore"):
        return (obs - expected) / np.sqrt(expected * (1 - rows / total) * (1 - cols / total))


# --------------------------------------------------------------------------------------------
# suppression


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


def _complementary_mask(
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


# --------------------------------------------------------------------------------------------
# waves


def _kept(records: pd.DataFrame) -> pd.DataFrame:
    """The kept rows (all rows when there is no ``status`` column)."""
    if "status" not in records.columns:
        return records
    return records[records["status"] == "kept"]


def assign_waves(
    records: pd.DataFrame, *, period: str = "year", time_col: str = "date"
) -> pd.Series:
    """Label each record with its survey wave.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table.
    period : {"year", "half", "quarter", "file"}, default "year"
        Calendar year (``"2023"``), half year (``"2023H1"``, ``"2023H2"``), quarter (``"2023Q3"``), or
        one wave per input file (the stem of ``source_file``). Years are calendar years, not fiscal
        years (年度).
    time_col : str, default "date"
        Column with ISO dates (``YYYY-MM-DD``); ignored for ``period="file"``.

    Returns
    -------
    pandas.Series
        Named ``wave``, aligned with ``records``. Rows without a usable date get ``""``: they stay in
        the table and are left out of wave comparisons only; :func:`wave_notices` reports them.

    Raises
    ------
    ValueError
        If ``period`` is not one of :data:`PERIODS`.
    """
    if period not in PERIODS:
        raise ValueError(
            f"period は {', '.join(PERIODS)} のいずれかです / unknown period {period!r}"
        )
    if period == "file":
        stems = [
            PurePath(str(f)).stem if isinstance(f, str) and f else ""
            for f in records["source_file"]
        ]
        return pd.Series(stems, index=records.index, name="wave", dtype=object)
    if time_col not in records.columns:
        return pd.Series("", index=records.index, name="wave", dtype=object)
    dates = pd.to_datetime(records[time_col].replace("", None), errors="coerce", format="ISO8601")
    labels = pd.Series("", index=records.index, name="wave", dtype=object)
    ok = dates.notna()
    year = dates.dt.year.astype("Int64").astype(str)
    if period == "year":
        labels[ok] = year[ok]
    elif period == "half":
        half = np.where(dates.dt.month <= 6, "H1", "H2")
        labels[ok] = year[ok] + pd.Series(half, index=records.index)[ok]
    else:
        quarter = "Q" + dates.dt.quarter.astype("Int64").astype(str)
        labels[ok] = year[ok] + quarter[ok]
    return labels


def _natural_key(label: str) -> tuple:
    """Sort key that orders digit runs as numbers (``w2`` before ``w10``)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", label)
    )


def wave_order(
    waves: pd.Series, records: pd.DataFrame | None = None, time_col: str = "date"
) -> list[str]:
    """The waves in chronological order, without the empty wave.

    Parameters
    ----------
    waves : pandas.Series
        Wave labels from :func:`assign_waves`.
    records : pandas.DataFrame, optional
        When given, waves are ordered by their earliest date in ``time_col`` (useful for
        ``period="file"``); waves without dates come last. Ties and the no-records case use natural
        order of the labels, which is chronological for year, half and quarter labels.
    time_col : str, default "date"

    Returns
    -------
    list of str
    """
    labels = sorted({w for w in waves.dropna().astype(str) if w}, key=_natural_key)
    if records is None or time_col not in records.columns:
        return labels
    dates = pd.to_datetime(
        records.loc[waves.index, time_col].replace("", None), errors="coerce", format="ISO8601"
    )
    first = dates.groupby(waves.astype(str)).min()
    far = pd.Timestamp.max
    return sorted(
        labels,
        key=lambda w: (first.get(w, far) if pd.notna(first.get(w, far)) else far, _natural_key(w)),
    )


def wave_notices(records: pd.DataFrame, waves: pd.Series) -> list[str]:
    """Japanese notices about records that have no wave.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table.
    waves : pandas.Series
        Wave labels from :func:`assign_waves`.

    Returns
    -------
    list of str
        Empty when every kept record has a wave.
    """
    kept = _kept(records)
    missing = kept.index[waves.reindex(kept.index).fillna("").astype(str).eq("")]
    if len(missing) == 0:
        return []
    ids = kept.loc[missing, "record_id"].astype(str).tolist() if "record_id" in kept else []
    shown = "、".join(ids[:5]) + (" ほか" if len(ids) > 5 else "")
    return [
        f"日付のない回答が {len(missing)} 件あり、波ごとの比較から除外しました（{shown}）。"
        f" / {len(missing)} kept records have no date and are left out of wave comparisons."
    ]


def challenge_unit(records: pd.DataFrame) -> pd.Series:
    """The challenge each record is counted under.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with ``challenge`` and ``cluster``.

    Returns
    -------
    pandas.Series
        The codebook key when there is one, else ``cluster:<id>`` (an unnamed challenge is tracked by
        its cluster), else ``""`` (no cluster: excluded rows). Only the primary challenge is used.
    """
    named = records["challenge"].fillna("").astype(str) if "challenge" in records else None
    cluster = records["cluster"].astype("Int64") if "cluster" in records else None
    units = []
    for i in range(len(records)):
        key = named.iloc[i] if named is not None else ""
        if key:
            units.append(key)
        elif cluster is not None and pd.notna(cluster.iloc[i]):
            units.append(f"cluster:{int(cluster.iloc[i])}")
        else:
            units.append("")
    return pd.Series(units, index=records.index, name="challenge", dtype=object)


def _respondent_units(records: pd.DataFrame, waves: pd.Series | None = None) -> pd.DataFrame:
    """Kept rows as (wave, respondent, unit), one row per record."""
    kept = _kept(records)
    frame = pd.DataFrame(
        {
            "respondent": kept["respondent"].astype(str),
            "unit": challenge_unit(kept),
        },
        index=kept.index,
    )
    if waves is not None:
        frame["wave"] = waves.reindex(kept.index).fillna("").astype(str)
    return frame


def wave_trends(
    records: pd.DataFrame,
    *,
    waves: pd.Series,
    suppress: bool = True,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Respondents per challenge and wave, with intervals and tests of change.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (only ``kept`` rows are used).
    waves : pandas.Series
        Wave labels aligned with ``records`` (:func:`assign_waves`); rows with wave ``""`` are left out.
    suppress : bool, default True
        Apply small-cell suppression (see the module docstring). ``False`` returns raw numbers for
        charts; never write that table.
    min_cell : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        Columns ``wave, challenge, n, share, ci_low, ci_high, change, p_adj``, one row per wave and
        challenge unit (zeros included), waves in chronological order, challenges sorted. ``n`` is
        the number of respondents in the wave whose primary challenge it is; ``share`` is ``n`` over
        the respondents of the wave; ``ci_low``/``ci_high`` the 95 % Wilson interval; ``change`` the
        share minus the share in the previous wave (NaN for the first wave); ``p_adj`` the
        Benjamini–Hochberg adjusted p-value, over all rows, of the two-sided test of that change
        (pooled two-proportion z-test when all expected counts are >= 5, else Fisher's exact test).
        When suppressed, ``change`` and ``p_adj`` are also blanked when the previous wave's count is.
    """
    frame = _respondent_units(records, waves)
    frame = frame[frame["wave"] != ""]
    order = wave_order(waves.reindex(frame.index), records)
    units = sorted({u for u in frame["unit"] if u})
    totals = frame.groupby("wave")["respondent"].nunique()
    counted = frame[frame["unit"] != ""].drop_duplicates(["wave", "respondent", "unit"])
    counts = counted.groupby(["wave", "unit"]).size()
    rows = []
    for position, wave in enumerate(order):
        total = int(totals.get(wave, 0))
        previous = order[position - 1] if position > 0 else None
        for unit in units:
            n = int(counts.get((wave, unit), 0))
            row = {"wave": wave, "challenge": unit, "n": n, "_total": total}
            if previous is not None:
                n_prev = int(counts.get((previous, unit), 0))
                total_prev = int(totals.get(previous, 0))
                row["n_previous"] = n_prev
                row["change"] = n / total - n_prev / total_prev
                row["p_value"], _ = two_proportion_test(n, total, n_prev, total_prev)
            else:
                row["n_previous"] = np.nan
                row["change"] = np.nan
                row["p_value"] = np.nan
            rows.append(row)
    table = pd.DataFrame(
        rows, columns=["wave", "challenge", "n", "_total", "n_previous", "change", "p_value"]
    )
    table["n"] = table["n"].astype(int)
    table["share"] = table["n"] / table["_total"]
    low, high = wilson_interval(table["n"], table["_total"])
    table["ci_low"], table["ci_high"] = low, high
    table["p_adj"] = bh_adjust(table["p_value"])
    if suppress:
        extra = _complementary_mask(table, "n", [["wave"]], min_cell)
        hidden = table["n"].lt(min_cell) | extra
        hidden_at = dict(
            zip(zip(table["wave"], table["challenge"], strict=True), hidden, strict=True)
        )
        previous_of = dict(zip(order[1:], order[:-1], strict=False))
        extra_previous = pd.Series(
            [
                hidden_at.get((previous_of.get(w), c), False)
                for w, c in zip(table["wave"], table["challenge"], strict=True)
            ],
            index=table.index,
        )
        # the first wave has no previous count: treat it as large so it blanks nothing
        table["n_previous"] = table["n_previous"].fillna(min_cell).astype(int)
        table = suppress_small_cells(
            table,
            ["n", "n_previous"],
            min_cell,
            depends={
                "share": ["n"],
                "ci_low": ["n"],
                "ci_high": ["n"],
                "change": ["n", "n_previous"],
                "p_adj": ["n", "n_previous"],
            },
            extra_mask={"n": extra, "n_previous": extra_previous},
        )
    return table[TREND_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# segments


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
            _segment_per_respondent(_kept(frame), col), min_cell=min_cell
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
    kept = _kept(records)
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
        extra = _complementary_mask(table, "n", [["segment"], ["challenge"]], min_cell)
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
    segment_cols: Sequence[str] = ("自治体区分", "地域", "所属部署", "役割"),
    *,
    suppress: bool = True,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """:func:`segment_table` for several segment columns, stacked.

    Parameters
    ----------
    records : pandas.DataFrame
    segment_cols : sequence of str, default ("自治体区分", "地域", "所属部署", "役割")
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


# --------------------------------------------------------------------------------------------
# emerging and fading


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
    kept = _kept(records)
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
                col: _complementary_mask(whole, col, [["_all"]], min_cell)
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


def find_fading(
    records: pd.DataFrame, clusters: pd.DataFrame, *, waves: pd.Series, **kwargs: object
) -> pd.DataFrame:
    """Only the fading rows of :func:`find_emerging`, strongest evidence first.

    Parameters
    ----------
    records, clusters, waves
        As for :func:`find_emerging`.
    **kwargs
        Passed on to :func:`find_emerging`.

    Returns
    -------
    pandas.DataFrame
    """
    table = find_emerging(records, clusters, waves=waves, **kwargs)
    return table[table["direction"] == "fading"].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# sub-groups


def _municipality_regions(kept: pd.DataFrame, municipality_col: str) -> dict[str, str]:
    """Region of each municipality, from its most frequent prefecture."""
    if "都道府県" not in kept.columns:
        return {}
    frame = pd.DataFrame(
        {
            "m": kept[municipality_col].astype(str).str.strip(),
            "region": [region_of(p) or "" for p in kept["都道府県"]],
        }
    )
    frame = frame[frame["region"] != ""]
    out = {}
    for name, group in frame.groupby("m", sort=True):
        counts = group["region"].value_counts()
        best = counts[counts == counts.max()].index
        out[name] = sorted(best, key=REGIONS.index)[0]
    return out


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


def propose_subgroups(
    records: pd.DataFrame,
    *,
    municipality_col: str = "自治体名",
    n_groups: int | str = "auto",
    seed: int = 0,
    min_members: int = MIN_CELL,
    max_groups: int = 10,
) -> pd.DataFrame:
    """Propose sub-groups (分科会) of municipalities with similar challenge profiles.

    Method: a municipality x challenge-unit matrix of shares (respondents of the municipality whose
    primary challenge is the unit, over its respondents), rows L2-normalised so that the Euclidean
    k-means groups by cosine similarity; ``KMeans(n_init=10, random_state=seed)``. With
    ``n_groups="auto"`` every k from 2 to ``max_groups`` is tried and the one with the best cosine
    silhouette kept (smaller k on ties). Groups with fewer than ``min_members`` municipalities are
    merged into the group with the most similar centroid, so that every group can meet and no group
    size is below the small-cell limit.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (only ``kept`` rows with a challenge unit and a municipality).
    municipality_col : str, default "自治体名"
    n_groups : int or "auto", default "auto"
    seed : int, default 0
    min_members : int, default MIN_CELL
    max_groups : int, default 10

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
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    kept = _kept(records)
    if municipality_col not in kept.columns:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    frame = _respondent_units(kept)
    frame["m"] = kept[municipality_col].fillna("").astype(str).str.strip()
    frame = frame[(frame["m"] != "") & (frame["unit"] != "")]
    size = frame.groupby("m")["respondent"].nunique()
    counts = (
        frame.drop_duplicates(["m", "respondent", "unit"])
        .groupby(["m", "unit"])
        .size()
        .unstack(fill_value=0)
    )
    counts = counts.sort_index().reindex(columns=sorted(counts.columns))
    if len(counts) < min_members:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    shares = counts.div(size.reindex(counts.index), axis=0)
    profiles = shares.to_numpy(dtype=float)
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    profiles = profiles / np.where(norms > 0, norms, 1.0)

    def fit(k: int) -> np.ndarray:
        model = KMeans(n_clusters=k, n_init=10, random_state=seed)
        return _merge_small_groups(model.fit_predict(profiles), profiles, min_members)

    n_distinct = len(np.unique(profiles.round(12), axis=0))
    if n_groups == "auto":
        best_labels, best_score = np.zeros(len(profiles), dtype=int), -np.inf
        for k in range(2, min(max_groups, n_distinct, len(profiles) - 1) + 1):
            labels = fit(k)
            if len(np.unique(labels)) < 2:
                continue
            score = silhouette_score(profiles, labels, metric="cosine")
            if score > best_score + 1e-12:
                best_labels, best_score = labels, score
        labels = best_labels
    else:
        k = int(n_groups)
        labels = fit(min(k, n_distinct)) if k > 1 else np.zeros(len(profiles), dtype=int)

    regions = _municipality_regions(kept, municipality_col)
    groups = []
    for g in np.unique(labels):
        members = sorted(counts.index[labels == g])
        raised = (counts.loc[members] > 0).mean(axis=0)
        mean_share = shares.loc[members].mean(axis=0)
        ranked = (
            pd.DataFrame({"raised": raised, "share": mean_share, "unit": raised.index})
            .reset_index(drop=True)
            .sort_values(["raised", "share", "unit"], ascending=[False, False, True])
        )
        shared = ranked[ranked["raised"] >= 0.5]["unit"].tolist()[:3] or ranked["unit"].tolist()[:1]
        groups.append(
            {
                "kind": "challenge",
                "shared_challenges": " ".join(shared),
                "members": "、".join(members),
                "regions": _join_regions({regions.get(m, "") for m in members}),
                "n_members": len(members),
            }
        )
    groups.sort(key=lambda row: (-row["n_members"], row["members"]))
    for i, row in enumerate(groups, start=1):
        row["group"] = f"S{i}"
    return pd.DataFrame(groups, columns=SUBGROUP_COLUMNS)


def regional_groups(
    records: pd.DataFrame,
    *,
    municipality_col: str = "自治体名",
    min_members: int = MIN_CELL,
) -> pd.DataFrame:
    """Regional groupings of member municipalities for in-person meetings.

    One group per region (:data:`REGIONS` order). A region with fewer than ``min_members``
    municipalities is joined with its next neighbour in map order (e.g. ``中国・四国``); a small
    remainder at the end joins the previous group.

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
    kept = _kept(records)
    if municipality_col not in kept.columns:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    regions = _municipality_regions(kept, municipality_col)
    if len(regions) < min_members:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    frame = _respondent_units(kept)
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
    rows = []
    for bucket in buckets:
        members = sorted(m for m, r in regions.items() if r in bucket)
        present = [r for r in bucket if any(regions[m] == r for m in members)]
        units = raised[raised["m"].isin(members)]["unit"].value_counts()
        units = units.reset_index().sort_values(["count", "unit"], ascending=[False, True])
        rows.append(
            {
                "group": "R:" + "、".join(present),
                "kind": "region",
                "shared_challenges": " ".join(units["unit"].tolist()[:3]),
                "members": "、".join(members),
                "regions": "、".join(present),
                "n_members": len(members),
            }
        )
    return pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)
