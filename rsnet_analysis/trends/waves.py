"""Survey waves: which wave each answer belongs to, and in which order the waves come."""

from __future__ import annotations

import re
from pathlib import PurePath

import numpy as np
import pandas as pd

from rsnet_analysis.contract import PERIODS, kept_rows

__all__ = ["assign_waves", "wave_notices", "wave_order"]


def assign_waves(
    records: pd.DataFrame, *, period: str = "year", time_col: str = "date"
) -> pd.Series:
    """Label each record with its survey wave.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table.
    period : {"year", "fiscal", "half", "quarter", "file"}, default "year"
        Calendar year (``"2023"``), fiscal year (年度, April to March: ``"FY2023"`` for
        2023-04-01 to 2024-03-31, shown as 2023年度), half year (``"2023H1"``, ``"2023H2"``),
        quarter (``"2023Q3"``), or one wave per input file (the stem of ``source_file``).
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
    elif period == "fiscal":
        fiscal = dates.dt.year - (dates.dt.month < 4).astype(int)
        labels[ok] = "FY" + fiscal.astype("Int64").astype(str)[ok]
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
