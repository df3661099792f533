"""Survey waves: which wave each answer belongs to, and in which order the waves come."""

from __future__ import annotations

import re
from pathlib import PurePath

import numpy as np
import pandas as pd

from rsnet_analysis.contract import PERIODS, kept_rows

__all__ = ["assign_waves", "has_dates", "wave_notices", "wave_order"]


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
        the table and are left out of the counts; :func:`wave_notices` reports them. When no record
        has a usable date (an export without a date column), every record gets its file's wave, as
        with ``period="file"``, and :func:`wave_notices` says so.

    Raises
    ------
    ValueError
        If ``period`` is not one of :data:`PERIODS`.
    """
    if period not in PERIODS:
        raise ValueError(
            f"period は {', '.join(PERIODS)} のいずれかです / unknown period {period!r}"
        )
    dates = _dates(records, time_col) if period != "file" and time_col in records.columns else None
    ok = None if dates is None else dates.notna()
    if dates is None or ok is None or not ok.any():  # period "file", or no usable date at all
        stems = [
            PurePath(str(f)).stem if isinstance(f, str) and f else ""
            for f in records.get("source_file", pd.Series("", index=records.index))
        ]
        return pd.Series(stems, index=records.index, name="wave", dtype=object)
    labels = pd.Series("", index=records.index, name="wave", dtype=object)
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


def _dates(records: pd.DataFrame, time_col: str) -> pd.Series:
    return pd.to_datetime(records[time_col].replace("", None), errors="coerce", format="ISO8601")


def has_dates(records: pd.DataFrame, time_col: str = "date") -> bool:
    """Whether any record has a usable date in ``time_col``."""
    return time_col in records.columns and bool(_dates(records, time_col).notna().any())


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


def wave_notices(records: pd.DataFrame, waves: pd.Series, period: str = "year") -> list[str]:
    """Japanese notices about records that have no wave, or waves that are files for want of dates.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table.
    waves : pandas.Series
        Wave labels from :func:`assign_waves`.
    period : str, default "year"
        The period the waves were asked for.

    Returns
    -------
    list of str
        Empty when every kept record has a wave from its date (or ``period="file"``).
    """
    notices: list[str] = []
    if period != "file" and not has_dates(records):
        notices.append(
            "回答日の列がない（または日付として読める値がない）ため、入力ファイルごとに 1 つの波として数えました。"
            "日付で波を分けるには --time-col で回答日の列を指定してください。"
            " / No usable dates: each input file is counted as one wave."
        )
    kept = kept_rows(records)
    missing = kept.index[waves.reindex(kept.index).fillna("").astype(str).eq("")]
    if len(missing) == 0:
        return notices
    ids = kept.loc[missing, "record_id"].astype(str).tolist() if "record_id" in kept else []
    shown = "、".join(ids[:5]) + (" ほか" if len(ids) > 5 else "")
    return notices + [
        f"日付のない回答が {len(missing)} 件あり、人数の集計と波ごとの比較から除外しました（{shown}）。"
        "日付にかかわらずすべて数えるには --period file を指定してください。"
        f" / {len(missing)} kept records have no date and are left out of the counts and wave comparisons."
    ]
