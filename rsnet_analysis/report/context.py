"""The report context: one plain dictionary with everything the templates show."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

import pandas as pd

from rsnet_analysis.contract import MIN_CELL, SUPPRESSED, AnalysisResult
from rsnet_analysis.report.labels import (
    EXCLUDED_LABELS,
    KIND_LABELS,
    N_LEADING,
    PERIOD_LABELS,
    SETTING_DEFAULTS,
    SETTING_LABELS,
    _number,
    _percent,
    _shown_count,
    _table,
    _unit_of,
    challenge_names,
    wave_label,
)
from rsnet_analysis.report.quotes import pick_quotes
from rsnet_analysis.report.tables import public_records

_SAFE_WORD = re.compile(r"[\w@%+=:,./\-・ー]+")

def _wave_order(result: AnalysisResult) -> list[str]:
    """Waves of the trend table in its (chronological) order; [] without a trend table."""
    trends = _table(result, "trends")
    if "wave" in trends and not trends.empty:
        return list(dict.fromkeys(trends["wave"].astype(str)))
    return []


def _wave_respondents(result: AnalysisResult, wave: str | None) -> int | None:
    """Respondents of a wave (a total, never a segment cell); None when below MIN_CELL."""
    records = public_records(_table(result, "records"))
    if records.empty or "status" not in records:
        return None
    kept = records[records["status"] == "kept"]
    if wave is not None and "wave" in kept:
        kept = kept[kept["wave"].astype(str) == wave]
    who = (
        kept["respondent"] if "respondent" in kept else kept.get("record_id", pd.Series(dtype=str))
    )
    total = int(who.astype(str).nunique())
    return total if total >= MIN_CELL else None


def challenge_sizes(result: AnalysisResult) -> pd.DataFrame:
    """Respondents per challenge in the latest wave, largest first, suppressed cells dropped.

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    pandas.DataFrame
        Columns ``challenge, name, n, share, ci_low, ci_high, change, p_adj, wave``. From the
        trend table's latest wave; without a trend table, from the kept records (respondents per
        challenge over all answers, counts below 5 left out).
    """
    names = challenge_names(result)
    columns = ["challenge", "name", "n", "share", "ci_low", "ci_high", "change", "p_adj", "wave"]
    trends = _table(result, "trends")
    waves = _wave_order(result)
    if {"wave", "challenge", "n"} <= set(trends.columns) and waves:
        latest = trends[trends["wave"].astype(str) == waves[-1]].copy()
        latest["n"] = latest["n"].map(_shown_count)
        latest = latest.dropna(subset=["n"])
        latest["n"] = latest["n"].astype(int)
        for col in ("share", "ci_low", "ci_high", "change", "p_adj"):
            latest[col] = latest[col].map(_number) if col in latest else None
        latest["wave"] = waves[-1]
    else:
        records = public_records(_table(result, "records"))
        if records.empty or "status" not in records:
            return pd.DataFrame(columns=columns)
        kept = records[records["status"] == "kept"].copy()
        kept["_unit"] = [_unit_of(row) for _, row in kept.iterrows()]
        kept["_who"] = kept["respondent"] if "respondent" in kept else kept["record_id"]
        kept = kept[kept["_unit"] != ""]
        total = kept["_who"].astype(str).nunique()
        counts = kept.drop_duplicates(["_who", "_unit"]).groupby("_unit").size()
        latest = pd.DataFrame({"challenge": counts.index, "n": counts.to_numpy()})
        latest = latest[latest["n"] >= MIN_CELL]
        latest["share"] = latest["n"] / total if total else None
        for col in ("ci_low", "ci_high", "change", "p_adj"):
            latest[col] = None
        latest["wave"] = ""
    latest["name"] = [names.get(str(k), str(k)) for k in latest["challenge"]]
    latest = latest.sort_values(["n", "challenge"], ascending=[False, True], kind="mergesort")
    return latest.loc[:, columns].reset_index(drop=True)


def _change_text(
    result: AnalysisResult, row: Mapping[str, Any], previous: str | None
) -> tuple[str, bool]:
    """Japanese sentence on the change since the previous wave, and whether it is significant."""
    if previous is None:
        return "", False
    label = wave_label(previous)
    change = _number(row.get("change"))
    if change is None:
        trends = _table(result, "trends")
        before = trends[
            (trends["wave"].astype(str) == previous) & (trends["challenge"] == row["challenge"])
        ]
        if not before.empty and _shown_count(before["n"].iloc[0]) is None:
            return f"前回（{label}）は5人未満", False
        return f"前回（{label}）との比較はありません", False
    points = change * 100
    p_adj = _number(row.get("p_adj"))
    significant = p_adj is not None and p_adj < 0.05
    if abs(points) < 0.05:
        return f"前回（{label}）とほぼ同じ", significant
    direction = "増" if points > 0 else "減"
    return f"前回（{label}）より {abs(points):.1f} ポイント{direction}", significant


def _emerging_items(
    result: AnalysisResult, names: Mapping[str, str], latest: str | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """The strongest emerging challenge, up to two other new ones, and up to three fading ones."""
    emerging = _table(result, "emerging")
    if emerging.empty:
        return None, [], []
    direction = (
        emerging["direction"].astype(str)
        if "direction" in emerging
        else pd.Series("emerging", index=emerging.index)
    )
    items: list[dict[str, Any]] = []
    for _, row in emerging.iterrows():
        n_latest = _shown_count(row.get("n_latest"))
        if n_latest is None:
            continue
        n_previous_raw = row.get("n_previous")
        n_previous = _shown_count(n_previous_raw)
        key = str(row.get("challenge", "") or "")
        if not key or key == "nan":
            cluster = row.get("cluster")
            key = f"cluster:{int(cluster)}" if pd.notna(cluster) else ""
        label = str(row.get("label", "") or "")
        name = names.get(key, "") if key and not key.startswith("cluster:") else ""
        terms = [t for t in str(row.get("top_terms", "") or "").split() if t and t != "nan"][:6]
        ids = str(row.get("representative_record_ids", "") or "").split()
        growth = _number(row.get("growth"))
        share = _number(row.get("share_latest"))
        items.append(
            {
                "key": key,
                "label": label,
                "name": name or label or names.get(key, key),
                "top_terms": terms,
                "n_latest": n_latest,
                "n_previous": n_previous,
                "n_previous_text": (
                    f"{n_previous}人"
                    if n_previous is not None
                    else (
                        "5人未満"
                        if str(n_previous_raw) == SUPPRESSED or _number(n_previous_raw) is not None
                        else "なし"
                    )
                ),
                "share_pct": "" if share is None else f"{share * 100:.1f}",
                "growth": growth,
                "direction": direction.loc[row.name],
                "quotes": pick_quotes(result, key, candidate_ids=ids, prefer_wave=latest),
            }
        )
    rising = [i for i in items if i["direction"] != "fading"]
    fading = [i for i in items if i["direction"] == "fading"]
    if not rising:
        return None, [], fading[:3]
    others = [i for i in rising[1:] if i["n_previous"] is None][:2]
    return rising[0], others, fading[:3]


def _segment_notes(
    result: AnalysisResult, names: Mapping[str, str], limit: int = 8
) -> list[dict[str, Any]]:
    """Cells that stand out (|adjusted residual| >= 1.96), never from a suppressed cell."""
    segments = _table(result, "segments")
    needed = {"segment_col", "segment", "challenge", "n", "residual"}
    if segments.empty or not needed <= set(segments.columns):
        return []
    notes = []
    for _, row in segments.iterrows():
        n = _shown_count(row["n"])
        residual = _number(row["residual"])
        if n is None or residual is None or abs(residual) < 1.96:
            continue
        p_adj = _number(row.get("p_adj"))
        if p_adj is not None and p_adj >= 0.05:
            continue
        notes.append(
            {
                "segment_col": str(row["segment_col"]),
                "segment": str(row["segment"]),
                "challenge": str(row["challenge"]),
                "name": names.get(str(row["challenge"]), str(row["challenge"])),
                "n": n,
                "share_pct": _percent(row.get("share")),
                "residual": f"{residual:+.1f}",
                "more": residual > 0,
                "_abs": abs(residual),
            }
        )
    notes.sort(key=lambda d: (-float(str(d["_abs"])), str(d["segment_col"]), str(d["segment"]), str(d["challenge"])))
    for note in notes:
        del note["_abs"]
    return notes[:limit]


def _subgroup_items(result: AnalysisResult, names: Mapping[str, str]) -> list[dict[str, Any]]:
    subgroups = _table(result, "subgroups")
    items = []
    for _, row in subgroups.iterrows():
        shared = [
            names.get(k, k)
            for k in str(row.get("shared_challenges", "") or "").split()
            if k != "nan"
        ]
        items.append(
            {
                "group": str(row.get("group", "")),
                "kind": KIND_LABELS.get(str(row.get("kind", "")), str(row.get("kind", ""))),
                "shared": shared,
                "regions": str(row.get("regions", "") or ""),
                "n_members": _number(row.get("n_members")),
                "members": str(row.get("members", "") or ""),
            }
        )
    return items


def rerun_command(summary: Mapping[str, Any], out_dir: str = "out") -> str:
    """The shell command that reruns this analysis.

    Parameters
    ----------
    summary : mapping
        ``result.summary`` (uses ``settings`` and ``inputs``).
    out_dir : str, default "out"
        Output folder to put in the command.

    Returns
    -------
    str
        For example ``rsnet analyze data/sample/survey_2023.csv --k auto --period year --seed 0 --out out``.
    """
    settings = summary.get("settings", {}) if isinstance(summary, Mapping) else {}
    settings = settings if isinstance(settings, Mapping) else {}
    parts = ["rsnet", "analyze"]
    if settings.get("inputs"):
        parts += [str(p) for p in summary.get("inputs", settings.get("inputs", []))]
    for option, key in (
        ("--text-col", "text_col"),
        ("--id-col", "id_col"),
        ("--time-col", "time_col"),
        ("--sheet", "sheet"),
        ("--codebook", "codebook"),
    ):
        if settings.get(key):
            parts += [option, str(settings[key])]
    for col in settings.get("segment_cols", []) or []:
        parts += ["--segment-col", str(col)]
    parts += [
        "--k",
        str(settings.get("k", "auto")),
        "--period",
        str(settings.get("period", "year")),
    ]
    parts += ["--seed", str(settings.get("seed", 0)), "--out", out_dir]
    return " ".join(_shell_word(p) for p in parts)


def _shell_word(word: str) -> str:
    """Quote a shell word only when needed (Japanese letters are safe, unlike in ``shlex.quote``)."""
    return word if _SAFE_WORD.fullmatch(word) else shlex.quote(word)


def _method(result: AnalysisResult) -> dict[str, Any]:
    s = result.summary if isinstance(result.summary, dict) else {}
    settings = s.get("settings", {}) if isinstance(s.get("settings"), dict) else {}
    excluded = s.get("excluded", {}) if isinstance(s.get("excluded"), dict) else {}
    by_file = s.get("by_file", {}) if isinstance(s.get("by_file"), dict) else {}
    setting_rows = []
    for key, value in settings.items():
        if key == "inputs":
            shown = [str(p) for p in s.get("inputs", value) or []]
            value = "、".join(shown) + ("（指定なし：同梱のサンプルデータ）" if not value else "")
        elif isinstance(value, list | tuple):
            value = "、".join(map(str, value)) if value else SETTING_DEFAULTS.get(key, "（既定）")
        elif value is None:
            value = SETTING_DEFAULTS.get(key, "（既定）")
        elif key == "period":
            value = (
                f"{value}（{PERIOD_LABELS.get(str(value), '')}）"
                if str(value) in PERIOD_LABELS
                else value
            )
        setting_rows.append({"name": SETTING_LABELS.get(key, key), "value": str(value)})
    book = result.extras.get("codebook") if isinstance(result.extras, dict) else None
    return {
        "inputs": [str(p) for p in s.get("inputs", [])],
        "files": [
            {
                "name": name,
                "rows": counts.get("rows", ""),
                "kept": counts.get("kept", ""),
                "excluded": sum(
                    int(v)
                    for k, v in counts.items()
                    if k not in ("rows", "kept") and _number(v) is not None
                ),
            }
            for name, counts in sorted(by_file.items())
            if isinstance(counts, dict)
        ],
        "rows_read": s.get("rows_read", len(_table(result, "records"))),
        "kept": s.get("kept", ""),
        "excluded_total": sum(int(v) for v in excluded.values() if _number(v) is not None),
        "excluded": [{"reason": EXCLUDED_LABELS.get(k, k), "n": v} for k, v in excluded.items()],
        "clusters": s.get("clusters", len(_table(result, "clusters"))),
        "k_chosen": s.get("k_chosen", ""),
        "segment_columns": list(s.get("segment_columns", []) or []),
        "settings": setting_rows,
        "seed": settings.get("seed", ""),
        "versions": [
            {"name": k, "version": str(v)} for k, v in (s.get("versions", {}) or {}).items()
        ],
        "codebook": (
            f"{getattr(book, 'source', '')}（バージョン {getattr(book, 'version', '')}、{getattr(book, 'updated', '')} 更新）"
            if book is not None and hasattr(book, "version")
            else ""
        ),
        "notices": [str(n) for n in (result.notices or s.get("notices", []) or [])],
        "command": rerun_command(s),
        "sample": not settings.get("inputs"),
    }


def report_context(result: AnalysisResult) -> dict[str, Any]:
    """Everything the templates show, as plain data (no DataFrames, no unmasked text).

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        Keys ``title``, ``latest``, ``previous`` (wave labels), ``respondents`` (latest wave),
        ``leading`` (list of challenge items: ``name, n, share_pct, change_text, significant,
        quotes``), ``emerging``, ``fading``, ``segment_notes``, ``subgroups``, ``method`` and
        ``figures`` (filled by :func:`write_reports`).
    """
    names = challenge_names(result)
    waves = _wave_order(result)
    latest = waves[-1] if waves else None
    previous = waves[-2] if len(waves) > 1 else None
    sizes = challenge_sizes(result)
    leading = []
    for _, row in sizes.head(N_LEADING).iterrows():
        change_text, significant = _change_text(result, row, previous)
        leading.append(
            {
                "key": row["challenge"],
                "name": row["name"],
                "n": int(row["n"]),
                "share_pct": _percent(row["share"]),
                "ci": (
                    f"{_percent(row['ci_low'])}〜{_percent(row['ci_high'])}%"
                    if _number(row["ci_low"]) is not None and _number(row["ci_high"]) is not None
                    else ""
                ),
                "change_text": change_text,
                "significant": significant,
                "quotes": pick_quotes(result, str(row["challenge"]), prefer_wave=latest),
            }
        )
    emerging, emerging_more, fading = _emerging_items(result, names, latest)
    return {
        "title": "全国自治体リスキリングネットワーク 課題分析レポート",
        "latest": wave_label(latest) if latest else "",
        "previous": wave_label(previous) if previous else "",
        "waves": [wave_label(w) for w in waves],
        "respondents": _wave_respondents(result, latest),
        "n_challenges": len(sizes),
        "leading": leading,
        "emerging": emerging,
        "emerging_more": emerging_more,
        "fading": fading,
        "segment_notes": _segment_notes(result, names),
        "subgroups": _subgroup_items(result, names),
        "method": _method(result),
        "figures": [],
        "min_cell": MIN_CELL,
    }


# --------------------------------------------------------------------------------------------
# figures
