"""Members' practices and results as the reports show them: 他の自治体ではこんな取り組みも, 成果の芽, 要望.

Every example is a statement of ``result.practices`` (:func:`rsnet_analysis.trends.practice_rows`)
that may be printed as a voice (:func:`~.quotes.printable`: no placeholder, no organisation with
its department; a full sentence), shortened at a sentence boundary, and credited to its
municipality — never to a person. With the setting ``name_municipalities`` off, no municipality
is named either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report.labels import _table
from rsnet_analysis.report.quotes import fresh_quotes

__all__ = ["KIND_NAMES", "PRACTICE_SHARE", "practice_examples", "requests", "results_with_numbers"]

#: Japanese names of the kinds of statement.
KIND_NAMES = {
    "challenge": "課題",
    "practice": "取り組み",
    "result": "成果",
    "request": "要望",
    "facilitation": "進行役の発言",
    "other": "その他",
}

#: A question is a question about practices when at least this share of its kept answers are
#: practices or results (its section then ranks the challenges members worked on).
PRACTICE_SHARE = 0.5

_NUMBER = re.compile(r"[0-9０-９]")


def name_municipalities(result: AnalysisResult) -> bool:
    """Whether the run's reports may name municipalities (the setting ``name_municipalities``)."""
    settings = (result.summary or {}).get("settings", {})
    return bool(settings.get("name_municipalities", True)) if isinstance(settings, dict) else True


def _pick(
    rows: pd.DataFrame, result: AnalysisResult, n: int, exclude: Sequence[str], max_chars: int = 80
) -> list[dict[str, Any]]:
    named = name_municipalities(result)
    chosen: list[dict[str, Any]] = []
    texts = (str(t) for t in rows["text_masked"].tolist())
    for position, quote in fresh_quotes(texts, max_chars, exclude):
        row = rows.iloc[position]
        chosen.append(
            {
                "text": quote,
                "kind": KIND_NAMES.get(str(row["kind"]), str(row["kind"])),
                "municipality": str(row["municipality"]) if named else "",
                "name": str(row["name"]),
            }
        )
        if len(chosen) == n:
            break
    return chosen


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    """Results before practices, then the most certain, then by record id."""
    return rows.assign(
        _k=rows["kind"].map({"result": 0, "practice": 1, "request": 2}).fillna(3),
        _c=-pd.to_numeric(rows["kind_confidence"], errors="coerce").fillna(0),
    ).sort_values(["_k", "_c", "record_id"], kind="mergesort")


def practice_examples(
    result: AnalysisResult, key: str, *, question: str | None = None, n: int = 2, exclude: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Up to ``n`` practices or results members reported on a challenge (他の自治体ではこんな取り組みも).

    Parameters
    ----------
    result : AnalysisResult
    key : str
        Challenge unit.
    question : str, optional
        Only statements answering this question (default: every question and the notes).
    n : int, default 2
    exclude : sequence of str
        Texts already printed (never repeated).

    Returns
    -------
    list of dict
        ``text`` (shortened), ``kind`` (取り組み・成果), ``municipality`` (``""`` when names are
        left out or unknown), ``name`` (the challenge).
    """
    rows = _table(result, "practices")
    if rows.empty:
        return []
    rows = rows[(rows["challenge"] == key) & rows["kind"].isin(["practice", "result"])]
    if question is not None:
        rows = rows[rows["question"] == question]
    return _pick(_ordered(rows), result, n, exclude)


def results_with_numbers(result: AnalysisResult, *, n: int = 5, exclude: Sequence[str] = ()) -> list[dict[str, Any]]:
    """成果の芽: results that report a figure (「受講完了率が55%から81%に」), one per challenge first."""
    rows = _table(result, "practices")
    if rows.empty:
        return []
    rows = _ordered(rows[(rows["kind"] == "result") & rows["text_masked"].astype(str).str.contains(_NUMBER)])
    first = rows.drop_duplicates("challenge")
    rest = rows[~rows.index.isin(first.index)]
    return _pick(pd.concat([first, rest]), result, n, exclude)


def requests(result: AnalysisResult, *, n: int = 5) -> list[dict[str, Any]]:
    """Members' wishes to the network (事例を知りたい, 分科会がほしい …), for the secretariat."""
    rows = _table(result, "practices")
    if rows.empty:
        return []
    return _pick(_ordered(rows[rows["kind"] == "request"]), result, n, ())
