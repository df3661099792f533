"""Tables as they may leave the process: public record columns, CSV files that Excel opens."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rsnet_analysis.contract import PRIVATE_COLUMNS, QUESTION_COLUMN, AnalysisResult


def public_records(records: pd.DataFrame) -> pd.DataFrame:
    """Return the record table as it may be shared: no unmasked text, no internal columns."""
    cols = [c for c in records.columns if c not in PRIVATE_COLUMNS]
    return records.loc[:, cols]


def records_for_output(result: AnalysisResult) -> pd.DataFrame:
    """Columns of ``records.csv`` in a fixed order, without unmasked text.

    Record identity and status first, then the question and the masked text, the named id,
    respondent and date columns, the segments, the attributes of session notes (who said it
    where: グループ, 組織名, イベント, 開催日), then the date, wave and challenge columns.
    Identifying columns hold pseudonyms already (the reader replaced them).
    """
    rec = public_records(result.records)
    roles = result.summary.get("columns", {})
    first = [
        "record_id", "source_file", "source_row", "source_type", QUESTION_COLUMN, "status",
        "text_masked",
    ]
    named = []
    for key in ("id", "respondent", "time"):
        col = roles.get(key) if isinstance(roles, dict) else None
        if col and col in rec.columns:
            named.append(col)
    named += [c for c in result.summary.get("segment_columns", []) if c in rec.columns]
    notes = ["グループ", "組織名", "イベント", "開催日"]
    tail = [
        "date",
        "wave",
        "cluster",
        "cluster_label",
        "challenge",
        "challenge_secondary",
        "challenge_reason",
    ]
    order: list[str] = []
    for c in first + named + notes + tail:
        if c in rec.columns and c not in order:
            order.append(c)
    return rec.loc[:, order]


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV that Excel opens correctly.

    UTF-8 with BOM, LF line endings, no index, columns in the frame's order;
    the same frame always gives the same bytes. Parent folders are created.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write.
    path : str or Path
        Where to write.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
