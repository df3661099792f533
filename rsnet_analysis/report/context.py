"""The report context: one plain dictionary with everything the templates show.

Every count and share comes from the run's table of counts (``result.counts``, already
suppressed), selected here and formatted, never counted again. Change is worded by the table's
``direction``, which follows the adjusted tests (:mod:`rsnet_analysis.trends.counts`): 増/減
only where they are significant, 横ばい otherwise. The miscellany is reported apart and never
ranked among the challenges. Session-note statements are reported per event, never added to
respondents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from rsnet_analysis.contract import HIDDEN, MIN_CELL, SUPPRESSED, AnalysisResult
from rsnet_analysis.report.labels import (
    KIND_LABELS,
    N_LEADING,
    _number,
    _percent,
    _shown_count,
    _table,
    challenge_names,
    wave_label,
)
from rsnet_analysis.report.method import method
from rsnet_analysis.report.practices import (
    PRACTICE_SHARE,
    name_municipalities,
    practice_examples,
    requests,
    results_with_numbers,
)
from rsnet_analysis.report.quotes import QuotePool, pick_quotes
from rsnet_analysis.trends import ALL_WAVES, ALPHA, MAX_MEMBERS, latest_rows

__all__ = ["SUPPRESSION_NOTE", "TITLE", "challenge_sizes", "report_context"]

TITLE = "全国自治体リスキリングネットワーク 課題分析レポート"

_CHANGE_ORDER = {"新規": 0, "増": 1, "減": 2}

#: How hidden counts are explained wherever they appear.
SUPPRESSION_NOTE = (
    f"「{SUPPRESSED}」は{MIN_CELL}人（件）未満の数、「{HIDDEN}」は{MIN_CELL}人未満の数が"
    "引き算で分からないように伏せた数です。"
)


def _survey_questions(counts: pd.DataFrame) -> list[str]:
    if counts.empty:
        return []
    return list(dict.fromkeys(counts.loc[counts["source"] == "survey", "question"].astype(str)))


def _waves(counts: pd.DataFrame, question: str) -> list[str]:
    rows = counts[(counts["source"] == "survey") & (counts["question"] == question) & (counts["wave"] != ALL_WAVES)]
    return list(dict.fromkeys(rows["wave"].astype(str)))


def challenge_sizes(result: AnalysisResult, question: str | None = None, statement: str = "challenge") -> pd.DataFrame:
    """The latest wave's challenges of a question that may be shown, largest first.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    question : str, optional
        Default: the first question.
    statement : {"challenge", "practice"}, default "challenge"
        Respondents who raise each challenge, or who reported a practice or result on it.

    Returns
    -------
    pandas.DataFrame
        Rows of ``result.counts`` (``challenge, name, kind, n, base, share, ci_low, ci_high,
        change, p_adj, direction, wave``) with a shown count (≥ 5), the miscellany left out,
        sorted by respondents, then name.
    """
    counts = _table(result, "counts")
    questions = _survey_questions(counts)
    if not questions:
        return pd.DataFrame(columns=["challenge", "name", "kind", "n", "share", "wave"])
    rows = latest_rows(counts, question or questions[0], statement).copy()
    rows["_n"] = rows["n"].map(_shown_count)
    rows = rows[rows["_n"].notna() & (rows["kind"] != "misc")]
    rows = rows.sort_values(["_n", "name"], ascending=[False, True], kind="mergesort")
    return rows.drop(columns="_n").reset_index(drop=True)


def _change_text(row: Mapping[str, Any]) -> str:
    """The sentence on the change since the previous wave, as the tests allow."""
    previous = str(row.get("previous_wave") or "")
    if not previous:
        return ""
    label = wave_label(previous)
    direction = str(row.get("direction") or "")
    points = _number(row.get("change"))
    if direction == "新規":
        return f"前回（{label}）は5人未満で、新しく目立ってきた課題です"
    if direction in ("増", "減") and points is not None:
        return f"前回（{label}）より {abs(points) * 100:.1f} ポイント{direction}（統計的に意味のある差）"
    if direction in ("増", "減"):
        return f"前回（{label}）より{'増えています' if direction == '増' else '減っています'}（統計的に意味のある差）"
    return f"前回（{label}）から横ばい（統計的な差はありません）"


def _practice_share(result: AnalysisResult, question: str) -> float:
    """Share of a question's kept answers that are practices or results."""
    records = _table(result, "records")
    if records.empty or "kind" not in records or "question" not in records:
        return 0.0
    rows = records[(records["status"] == "kept") & (records["question"].astype(str) == question)]
    return float(rows["kind"].isin(["practice", "result"]).mean()) if len(rows) else 0.0


def _item(
    result: AnalysisResult,
    row: Mapping[str, Any],
    question: str,
    wave: str,
    exclude: list[str],
    *,
    quotes: bool = True,
    pool: QuotePool | None = None,
) -> dict[str, Any]:
    voices = (
        pick_quotes(result, str(row["challenge"]), question=question, wave=wave, exclude=exclude, pool=pool)
        if quotes
        else []
    )
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    return {
        "key": str(row["challenge"]),
        "name": str(row["name"]),
        "kind": str(row["kind"]),
        "n": _shown_count(row["n"]),
        "share": _number(row.get("share")),
        "share_pct": _percent(row.get("share")),
        "ci": f"{low * 100:.1f}〜{high * 100:.1f}%" if low is not None and high is not None else "",
        "change_text": _change_text(row),
        "direction": str(row.get("direction") or ""),
        "new": str(row["kind"]) == "new",
        "quotes": voices,
        "practices": [],
    }


def _lead_change(changes: list[dict[str, Any]], previous: str, first: str = "") -> str:
    """What changed since the previous wave, in one or two sentences, as the tests allow.

    ``first`` is the leading challenge, named just before: a change of its own is told of it.
    """
    if not previous:
        return ""
    shown = [c for c in changes if c["n"] is not None]

    def names(direction: str) -> str:
        return "".join(f"「{c['name']}」" for c in shown if c["direction"] == direction and c["name"] != first)

    own = next((c["direction"] for c in shown if c["name"] == first), "")
    sentences = []
    if own == "新規":
        sentences.append(f"「{first}」は前回（{previous}）は5人未満で、新しく目立ってきた課題です。")
    elif own in ("増", "減"):
        verb = "増えています" if own == "増" else "減っています"
        sentences.append(f"「{first}」は前回（{previous}）より{verb}（統計的に意味のある差）。")
    if names("新規"):
        sentences.append(f"{'ほかに' if own else ''}新しく{names('新規')}を挙げる声が目立ってきました。")
    if names("増"):
        sentences.append(f"前回より{names('増')}を挙げる人が増えています（統計的に意味のある差）。")
    if names("減"):
        sentences.append(f"前回より{names('減')}を挙げる人が減っています（統計的に意味のある差）。")
    if not sentences:
        return f"前回（{previous}）と比べて、統計的に意味のある増減はありませんでした。"
    if not own and not names("新規"):
        sentences[0] = sentences[0].replace("前回より", f"前回（{previous}）より", 1)
    return "".join(sentences)


def _question_section(
    result: AnalysisResult, question: str, top_terms: Mapping[str, str], printed: list[str], pool: QuotePool
) -> dict[str, Any]:
    """One question's section: its leading challenges, voices, examples, changes and spotlight.

    For a question about what members did, the challenges they worked on lead instead.
    ``printed`` collects every text shown, so that no section repeats another's.
    """
    counts = _table(result, "counts")
    waves = _waves(counts, question)
    latest = waves[-1] if waves else ""
    about_practice = _practice_share(result, question) >= PRACTICE_SHARE
    sizes = challenge_sizes(result, question, "practice" if about_practice else "challenge")
    leading = []
    for _, row in sizes.head(N_LEADING).iterrows():
        if about_practice:
            item = _item(result, row, question, latest, printed, quotes=False)
            item["practices"] = practice_examples(result, item["key"], question=question, n=3, exclude=printed)
            item["change_text"] = ""
        else:
            item = _item(result, row, question, latest, printed, pool=pool)
            item["practices"] = practice_examples(result, item["key"], n=2, exclude=printed + item["quotes"])
        printed += item["quotes"] + [p["text"] for p in item["practices"]]
        leading.append(item)
    rows = latest_rows(counts, question) if waves and not about_practice else counts.iloc[0:0]
    rising = rows[rows["direction"].isin(["新規", "増"]) & (rows["kind"] != "misc")]
    rising = rising.assign(_r=rising["direction"].map({"新規": 0, "増": 1})).sort_values(["_r", "name"], kind="mergesort")
    in_leading = {item["key"] for item in leading}
    spotlight = None
    for _, row in rising.iterrows():
        # a rising challenge already among the leading ones is described there, not twice
        if str(row["challenge"]) not in in_leading and _shown_count(row["n"]) is not None:
            spotlight = _item(result, row, question, latest, printed, pool=pool)
            spotlight["top_terms"] = top_terms.get(str(row["challenge"]), "").split()[:6]
            spotlight["heading"] = "新しく目立ってきた課題" if row["direction"] == "新規" else "前回より増えた課題"
            break
    fading = [
        _item(result, r, question, latest, printed, pool=pool) for _, r in rows[rows["direction"] == "減"].iterrows()
    ]
    changed = rows[rows["direction"].isin(list(_CHANGE_ORDER)) & (rows["kind"] != "misc")]
    changed = changed.assign(_r=changed["direction"].map(_CHANGE_ORDER)).sort_values(["_r", "name"], kind="mergesort")
    changes = [
        {"name": str(r["name"]), "n": _shown_count(r["n"]), "share": _number(r.get("share")),
         "direction": str(r["direction"]), "change_text": _change_text(r)}
        for _, r in changed.iterrows()
    ]
    misc = rows[rows["kind"] == "misc"]
    answered = latest_rows(counts, question, "practice" if about_practice else "challenge") if waves else rows
    base = _shown_count(answered["base"].iloc[0]) if len(answered) else None
    misc_n = _shown_count(misc["n"].iloc[0]) if len(misc) else None
    return {
        "question": question,
        "about_practice": about_practice,
        "latest": wave_label(latest) if latest else "",
        "previous": wave_label(waves[-2]) if len(waves) > 1 else "",
        "waves": [wave_label(w) for w in waves],
        "respondents": base,
        "leading": leading,
        "emerging": spotlight,
        "lead_change": _lead_change(
            changes, wave_label(waves[-2]) if len(waves) > 1 else "", leading[0]["name"] if leading else ""
        ),
        "fading": [f for f in fading if f["n"] is not None],
        "changes": changes,
        "misc": (
            {"n": misc_n, "share": _number(misc["share"].iloc[0]), "share_pct": _percent(misc["share"].iloc[0])}
            if misc_n is not None
            else None
        ),
        "n_challenges": len(sizes),
    }


def _event_periods(records: pd.DataFrame) -> dict[str, str]:
    """The period (2023年度, 2024年 …) each session falls in, as the run's waves are cut."""
    if records.empty or not {"イベント", "wave", "source_type"} <= set(records.columns):
        return {}
    notes = records[records["source_type"].astype(str) == "note"]
    out = {}
    for event, waves in notes.groupby(notes["イベント"].fillna("").astype(str), sort=True)["wave"]:
        shown = [wave_label(str(w)) for w in dict.fromkeys(waves.fillna("").astype(str)) if str(w)]
        if event and shown:
            out[event] = "・".join(shown)
    return out


def _note_events(result: AnalysisResult) -> list[dict[str, Any]]:
    """Members' statements in the information-exchange sessions, per event."""
    counts = _table(result, "counts")
    notes = counts[(counts["source"] == "note") & (counts["wave"] != ALL_WAVES)] if not counts.empty else counts
    periods = _event_periods(_table(result, "records"))
    events = []
    for event in dict.fromkeys(notes["wave"].astype(str)) if len(notes) else []:
        rows = notes[(notes["wave"] == event) & (notes["kind"] != "misc")].copy()
        rows["_n"] = rows["n"].map(_shown_count)
        rows = rows[rows["_n"].notna()].sort_values(["_n", "name"], ascending=[False, True], kind="mergesort")
        events.append(
            {
                "event": event,
                "period": periods.get(event, ""),
                "statements": _shown_count(notes.loc[notes["wave"] == event, "base"].iloc[0]),
                "top": [{"name": str(r["name"]), "n": int(r["_n"])} for _, r in rows.head(3).iterrows()],
            }
        )
    return events


def _segment_notes(result: AnalysisResult, names: Mapping[str, str], limit: int = 8) -> list[dict[str, Any]]:
    """Segment cells that differ significantly (BH-adjusted residual test), never a hidden cell."""
    segments = _table(result, "segments")
    if segments.empty or not {"segment_col", "segment", "challenge", "n", "residual", "p_adj"} <= set(segments.columns):
        return []
    notes = []
    for _, row in segments.iterrows():
        n, residual, p_adj = _shown_count(row["n"]), _number(row["residual"]), _number(row["p_adj"])
        if n is None or residual is None or p_adj is None or p_adj >= ALPHA:
            continue
        notes.append(
            {
                "segment_col": str(row["segment_col"]), "segment": str(row["segment"]),
                "challenge": str(row["challenge"]), "name": names.get(str(row["challenge"]), str(row["challenge"])),
                "n": n, "share_pct": _percent(row.get("share")), "residual": f"{residual:+.1f}",
                "more": residual > 0, "_abs": float(abs(residual)),
            }
        )
    notes.sort(key=lambda d: (-float(str(d["_abs"])), str(d["segment_col"]), str(d["segment"]), str(d["challenge"])))
    return [{k: v for k, v in note.items() if k != "_abs"} for note in notes[:limit]]


def _subgroup_items(result: AnalysisResult, names: Mapping[str, str]) -> list[dict[str, Any]]:
    items = []
    named = name_municipalities(result)
    for _, row in _table(result, "subgroups").iterrows():
        shared = [names.get(k, k) for k in str(row.get("shared_challenges", "") or "").split()]
        items.append(
            {
                "group": str(row.get("group", "")),
                "kind": KIND_LABELS.get(str(row.get("kind", "")), str(row.get("kind", ""))),
                "shared": shared,
                "regions": str(row.get("regions", "") or ""),
                "n_members": _number(row.get("n_members")),
                "members": str(row.get("members", "") or "") if named else "",
                "reporters": str(row.get("reporters", "") or "") if named else "",
                "kind_key": str(row.get("kind", "")),
            }
        )
    return items


def _printed(sections: list[dict[str, Any]]) -> list[str]:
    """Every voice and example the sections print (the 成果の芽 never repeat them)."""
    return [t for s in sections for item in s["leading"] for t in item["quotes"] + [p["text"] for p in item["practices"]]]


def _pairings(result: AnalysisResult, names: Mapping[str, str], sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairings on the challenges the first section leads with (the workbook lists them all)."""
    if not name_municipalities(result):
        return []  # a pairing without names says nothing
    leading = {names.get(item["key"], item["key"]) for item in sections[0]["leading"]} if sections else set()
    return [g for g in _subgroup_items(result, names) if g["kind_key"] == "pairing" and set(g["shared"]) & leading]


def report_context(result: AnalysisResult) -> dict[str, Any]:
    """Everything the templates show, as plain data (no DataFrames, no unmasked text).

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        ``title``; ``sections`` (one per survey question: ``question, latest, previous,
        respondents, leading, emerging, fading, misc``); the first section's keys also at the top
        level (``latest``, ``respondents``, ``leading`` …) for the newsletter; ``notes`` (statements
        per event), ``segment_notes``, ``subgroups``, ``method``, ``figures`` (filled by
        :func:`write_reports`) and ``min_cell``.
    """
    names = challenge_names(result)
    clusters = _table(result, "clusters")
    top_terms = {
        (str(r["challenge"]) or f"cluster:{int(r['cluster'])}"): str(r["top_terms"] or "")
        for _, r in clusters.iterrows()
    }
    printed: list[str] = []
    pool = QuotePool(result)
    sections = [
        _question_section(result, q, top_terms, printed, pool) for q in _survey_questions(_table(result, "counts"))
    ]
    main = sections[0] if sections else {"leading": [], "emerging": None, "fading": [], "latest": "", "previous": "",
                                          "respondents": None, "misc": None, "waves": [], "question": "", "n_challenges": 0,
                                          "changes": [], "lead_change": ""}
    return {
        "title": TITLE,
        **{
            k: main[k]
            for k in (
                "latest", "previous", "waves", "respondents", "leading", "emerging", "fading", "misc",
                "n_challenges", "lead_change", "changes",
            )
        },
        "sections": sections,
        "notes": _note_events(result),
        "segment_notes": _segment_notes(result, names),
        "subgroups": [g for g in _subgroup_items(result, names) if g["kind_key"] != "pairing"],
        "pairings": _pairings(result, names, sections),
        "results": results_with_numbers(result, exclude=_printed(sections)),
        "requests": requests(result),
        "method": method(result),
        "figures": [],
        "min_cell": MIN_CELL,
        "max_members": MAX_MEMBERS,
        "suppression_note": SUPPRESSION_NOTE,
    }
