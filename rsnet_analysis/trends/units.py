"""Kept records as (respondent, challenge unit) pairs: what the segment and sub-group tables count."""

from __future__ import annotations

import pandas as pd

from rsnet_analysis.contract import challenge_unit, kept_rows

__all__ = ["respondent_units"]


def respondent_units(records: pd.DataFrame) -> pd.DataFrame:
    """Kept survey rows as ``respondent`` and ``unit`` (the primary challenge unit), one per record.

    Session-note statements are left out: they have no respondent and are counted as statements
    per event in the table of counts, never added to respondents.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with challenge columns.

    Returns
    -------
    pandas.DataFrame
        Indexed like the kept survey rows.
    """
    kept = kept_rows(records)
    if "source_type" in kept:
        kept = kept[kept["source_type"].fillna("survey").astype(str) != "note"]
    return pd.DataFrame(
        {"respondent": kept["respondent"].astype(str), "unit": challenge_unit(kept)},
        index=kept.index,
    )
