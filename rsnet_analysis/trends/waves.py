"""Survey waves: which wave each answer belongs to, and respondents per challenge and wave."""

from __future__ import annotations

import re
from pathlib import PurePath

import numpy as np
import pandas as pd

from rsnet_analysis.contract import MIN_CELL, PERIODS, challenge_unit, kept_rows
from rsnet_analysis.privacy import complementary_mask, suppress_small_cells
from rsnet_analysis.trends.stats import bh_adjust, two_proportion_test, wilson_interval

TREND_COLUMNS = ["wave", "challenge", "n", "share", "ci_low", "ci_high", "change", "p_adj"]

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
    kept = kept_rows(records)
    missing = kept.index[waves.reindex(kept.index).fillna("").astype(str).eq("")]
    if len(missing) == 0:
        return []
    ids = kept.loc[missing, "record_id"].astype(str).tolist() if "record_id" in kept else []
    shown = "、".join(ids[:5]) + (" ほか" if len(ids) > 5 else "")
    return [
        f"日付のない回答が {len(missing)} 件あり、波ごとの比較から除外しました（{shown}）。"
        f" / {len(missing)} kept records have no date and are left out of wave comparisons."
    ]


def _respondent_units(records: pd.DataFrame, waves: pd.Series | None = None) -> pd.DataFrame:
    """Kept rows as (wave, respondent, unit), one row per record."""
    kept = kept_rows(records)
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
        extra = complementary_mask(table, "n", [["wave"]], min_cell)
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
