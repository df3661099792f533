"""Build small record tables for the statements tests (through the real prepare stage)."""

from __future__ import annotations

import pandas as pd

from rsnet_analysis.prepare import build_record_table

SURVEY_Q1 = "DX・人材育成の課題（自由記述）"
SURVEY_Q2 = "この1年で取り組んだこと・その成果（自由記述）"


def records(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Kept records for ``rows`` of ``text`` plus optional question, 組織名, グループ.

    Survey rows default to the practice question's neighbour (no hint) unless ``question`` is
    given; note rows set ``question`` to ``note``.
    """
    raw = pd.DataFrame(
        {
            "record_id": [f"t:{i + 2}" for i in range(len(rows))],
            "source_file": "t.csv",
            "source_row": [i + 2 for i in range(len(rows))],
            "source_type": [r.get("source_type", "survey") for r in rows],
            "question": [r.get("question", "自由記述") for r in rows],
            "respondent": [f"r{i}" for i in range(len(rows))],
            "text_original": [r["text"] for r in rows],
            "組織名": [r.get("組織名", "") for r in rows],
            "グループ": [r.get("グループ", "") for r in rows],
        }
    )
    table = build_record_table(raw)
    # the prepare stage sets the clearest facilitator lines aside already; the statements stage
    # must still recognise them on its own (they are kept in a run whose notes it cannot tell)
    return table[table["status"].isin(["kept", "facilitation"])]


def note(text: str, org: str = "", group: str = "グループA") -> dict[str, str]:
    """One session-note statement."""
    return {"text": text, "組織名": org, "グループ": group, "question": "note", "source_type": "note"}
