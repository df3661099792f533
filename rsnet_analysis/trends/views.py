"""Views of the table of counts: trends, segments, and the emerging (and fading) challenges.

Both are selections of :func:`~rsnet_analysis.trends.counts.challenge_counts` after suppression,
never a second count, so every figure agrees with every other output of the run.
"""

from __future__ import annotations

import pandas as pd

from rsnet_analysis.trends.counts import ALL_WAVES

__all__ = [
    "CLUSTER_VIEW_COLUMNS",
    "EMERGING_COLUMNS",
    "SEGMENT_COLUMNS",
    "TREND_COLUMNS",
    "cluster_rows",
    "emerging_rows",
    "latest_rows",
    "segment_rows",
    "trend_rows",
]

TREND_COLUMNS = [
    "question",
    "statement",
    "wave",
    "challenge",
    "name",
    "kind",
    "n",
    "base",
    "share",
    "ci_low",
    "ci_high",
    "previous_wave",
    "n_previous",
    "change",
    "p_adj",
    "test",
    "direction",
]

EMERGING_COLUMNS = [
    "question",
    "statement",
    "wave",
    "challenge",
    "name",
    "kind",
    "n",
    "n_previous",
    "share",
    "share_previous",
    "change",
    "p_adj",
    "test",
    "direction",
    "representative_record_ids",
]

SEGMENT_COLUMNS = [
    "question",
    "segment_col",
    "segment",
    "challenge",
    "name",
    "kind",
    "n",
    "base",
    "share",
    "expected",
    "residual",
    "p_residual",
    "chi2",
    "dof",
    "p_table",
]

CLUSTER_VIEW_COLUMNS = [
    "question",
    "cluster",
    "kind",
    "label",
    "challenge",
    "name",
    "n",
    "base",
    "share",
    "statements",
    "top_terms",
    "core_terms",
    "representative_record_ids",
    "stability",
]

_RISING = {"新規": 0, "増": 1, "減": 2}


def _overall(counts: pd.DataFrame, statement: str = "challenge") -> pd.Series:
    return (
        (counts["source"] == "survey")
        & (counts["statement"] == statement)
        & (counts["segment_col"] == "")
        & (counts["wave"] != ALL_WAVES)
    )


def trend_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """Survey respondents per question, statement, wave and challenge (``trends.csv``)."""
    rows = _overall(counts, "challenge") | _overall(counts, "practice")
    return counts.loc[rows, TREND_COLUMNS].reset_index(drop=True)


def segment_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """Survey respondents per question, segment and challenge, all waves pooled (``segments.csv``)."""
    rows = counts[(counts["source"] == "survey") & (counts["segment_col"] != "")]
    return rows[SEGMENT_COLUMNS].rename(columns={"p_residual": "p_adj"}).reset_index(drop=True)


def cluster_rows(clusters: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """The clusters with the size of their challenge from the table of counts (``clusters.csv``).

    ``n``, ``base`` and ``share`` are the challenge's survey respondents over all waves (the
    pooled rows of the table, suppressed as there) who raise it; ``statements`` its session-note
    statements that raise it.
    A cluster's own number of answers is never shown: it would mix respondents and statements,
    and a hidden count could be worked out from it.
    """
    pooled = counts[(counts["wave"] == ALL_WAVES) & (counts["segment_col"] == "") & (counts["statement"] == "challenge")]
    survey = pooled[pooled["source"] == "survey"].set_index(["question", "challenge"])
    notes = pooled[pooled["source"] == "note"].set_index("challenge")
    rows = []
    for _, row in clusters.iterrows():
        unit = row["challenge"] if row["challenge"] else f"cluster:{int(row['cluster'])}"
        key = (row["question"], unit)
        found = survey.loc[key] if key in survey.index else None
        rows.append(
            {
                **{c: row[c] for c in ("question", "cluster", "kind", "label", "challenge", "top_terms",
                                       "core_terms", "representative_record_ids", "stability")},
                "name": found["name"] if found is not None else str(row["label"]),
                "n": found["n"] if found is not None else "",
                "base": found["base"] if found is not None else "",
                "share": found["share"] if found is not None else float("nan"),
                "statements": notes.loc[unit, "n"] if unit in notes.index else "",
            }
        )
    return pd.DataFrame(rows, columns=CLUSTER_VIEW_COLUMNS)


def latest_rows(counts: pd.DataFrame, question: str, statement: str = "challenge") -> pd.DataFrame:
    """The survey rows of a question's latest wave (the wave order of the table is kept).

    ``statement="practice"`` gives the respondents who reported a practice or a result instead.
    """
    rows = counts[_overall(counts, statement) & (counts["question"] == question)]
    if rows.empty:
        return rows
    latest = list(dict.fromkeys(rows["wave"]))[-1]
    return rows[rows["wave"] == latest]


def emerging_rows(counts: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Challenges whose share changed significantly in each question's latest wave.

    ``direction`` is ``新規`` (a significant rise from fewer than 5 respondents), ``増`` or ``減``
    (Benjamini–Hochberg adjusted p below 0.05, see :mod:`rsnet_analysis.trends.counts`); rows are
    ranked 新規, 増, 減, then by adjusted p-value and challenge. The miscellany never appears.
    Representatives are the challenge's own (``clusters.representative_record_ids``).
    """
    reps = _representatives(clusters)
    out = []
    for question in dict.fromkeys(counts["question"]):
        rows = latest_rows(counts, question)
        rows = rows[rows["direction"].isin(list(_RISING)) & (rows["kind"] != "misc")]
        out.append(rows)
    table = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=EMERGING_COLUMNS)
    if table.empty:
        return pd.DataFrame(columns=EMERGING_COLUMNS)
    table = table.assign(
        representative_record_ids=[reps.get(c, "") for c in table["challenge"]],
        _rank=table["direction"].map(_RISING),
        _p=pd.to_numeric(table["p_adj"], errors="coerce").fillna(1.0),
    )
    table = table.sort_values(["question", "_rank", "_p", "challenge"], kind="mergesort")
    return table[EMERGING_COLUMNS].reset_index(drop=True)


def _representatives(clusters: pd.DataFrame) -> dict[str, str]:
    """Representative record ids of every challenge unit (a named challenge: all its clusters)."""
    out: dict[str, str] = {}
    if clusters.empty:
        return out
    for _, row in clusters.iterrows():
        unit = row["challenge"] if row["challenge"] else f"cluster:{int(row['cluster'])}"
        ids = str(row["representative_record_ids"] or "")
        out[unit] = f"{out[unit]} {ids}".strip() if unit in out else ids
    return out
