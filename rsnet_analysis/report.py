"""Reports for readers who never open a notebook: HTML, Markdown, newsletter text, Excel, figures.

:func:`write_reports` is the entry point (called by ``rsnet analyze`` / ``rsnet report``). It builds
one plain dictionary, the *report context* (:func:`report_context`), and renders it with the jinja2
templates in ``rsnet_analysis/templates/`` (``report.html.j2``, ``report.md.j2``,
``newsletter.txt.j2``): an analyst can change the wording there without touching code. The
workbook (:func:`write_workbook`) and the charts (:mod:`rsnet_analysis.plotting`) come from the
same tables.

Privacy
-------
* Only ``pipeline.public_records`` columns are ever read for output: ``text_original`` and
  ``text_clean`` never reach a template or the workbook.
* Quotes come only from ``text_masked`` of **kept** records, and only from the representative
  answers the challenge stage chose (``clusters.representative_record_ids`` and
  ``emerging.representative_record_ids``); quotes with a 〔氏名〕-style placeholder are used only
  when there is nothing else. Quotes are not attributed to a municipality or department.
* Figures come from the trend and segment tables, which arrive suppressed (``"<5"``); a
  suppressed cell is never quoted, charted or described, and no count is recomputed per segment.

Determinism
-----------
Two runs on the same result give byte-identical files: no timestamps in the text outputs, fixed
PNG metadata, and the workbook's document properties and zip entry times are fixed.
"""

from __future__ import annotations

import base64
import io
import math
import re
import shlex
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from rsnet_analysis import plotting
from rsnet_analysis.pipeline import AnalysisResult, public_records, records_for_output
from rsnet_analysis.textwrap_ja import display_width, wrap_text
from rsnet_analysis.trends import MIN_CELL, SUPPRESSED, suppress_small_cells

N_LEADING = 5
"""Number of leading challenges described in the reports."""

N_QUOTES = 3
"""Largest number of quotes per challenge."""

QUOTE_CHARS = 70
"""Quotes longer than this many characters are cut at a sentence boundary."""

NEWSLETTER_WIDTH = 72
"""Largest display width of a newsletter line (full-width characters count 2)."""

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"
"""Document creation/modification time written into the workbook (keeps its bytes stable)."""

SHEETS: tuple[str, ...] = (
    "回答",
    "クラスタ",
    "推移",
    "区分比較",
    "新しい課題",
    "分科会候補",
    "設定",
)
"""Sheets of ``report.xlsx`` in order."""

EXCLUDED_LABELS: dict[str, str] = {
    "empty": "空欄",
    "non_answer": "非回答（「特になし」など）",
    "duplicate": "重複（同じ回答者の同じ回答）",
}
"""Japanese names of the exclusion reasons."""

SETTING_LABELS: dict[str, str] = {
    "inputs": "入力",
    "text_col": "自由記述の列",
    "id_col": "回答者IDの列",
    "time_col": "回答日の列",
    "segment_cols": "比較する属性の列",
    "k": "クラスタ数（k）",
    "period": "波の区切り",
    "codebook": "コードブック",
    "seed": "乱数の種（seed）",
    "sheet": "Excel のシート",
}
"""Japanese names of the analysis settings."""

SETTING_DEFAULTS: dict[str, str] = {
    "text_col": "（自動で選択）",
    "id_col": "（なし：属性から回答者を判別）",
    "time_col": "（自動で選択）",
    "segment_cols": "（既定：自治体区分・都道府県・地域・所属部署・役割・職位のうち存在する列）",
    "codebook": "（同梱のもの）",
    "sheet": "（先頭のシート）",
}
"""What an unset setting means, in Japanese."""

PERIOD_LABELS: dict[str, str] = {
    "year": "年ごと",
    "half": "半期ごと",
    "quarter": "四半期ごと",
    "file": "ファイルごと",
}
"""Japanese names of the wave periods."""

KIND_LABELS: dict[str, str] = {"challenge": "課題別", "region": "地域別"}
"""Japanese names of the sub-group kinds."""

SEGMENT_SLUGS: dict[str, str] = {
    "自治体区分": "municipality_type",
    "都道府県": "prefecture",
    "地域": "region",
    "所属部署": "department",
    "役割": "role",
    "職位": "position",
}
"""ASCII file-name parts for the heat maps of well-known segment columns."""

_SAFE_WORD = re.compile(r"[\w@%+=:,./\-・ー]+")
_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


# --------------------------------------------------------------------------------------------
# small helpers


def _table(result: AnalysisResult, name: str) -> pd.DataFrame:
    value = getattr(result, name, None)
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame()


def _number(value: Any) -> float | None:
    """A finite number, or None for blanks, ``"<5"`` and anything else that is not a number."""
    if value is None or (isinstance(value, str) and value.strip() in ("", SUPPRESSED)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _shown_count(value: Any) -> int | None:
    """A respondent count that may be shown (``>= MIN_CELL``), else None."""
    number = _number(value)
    if number is None or number < MIN_CELL:
        return None
    return int(round(number))


def wave_label(wave: str) -> str:
    """Japanese label of a wave.

    Parameters
    ----------
    wave : str
        ``2023``, ``2024H1``, ``2024Q3`` or a file stem.

    Returns
    -------
    str
        ``2023年``, ``2024年上期``, ``2024年第3四半期``, or the wave unchanged.
    """
    wave = str(wave)
    if re.fullmatch(r"\d{4}", wave):
        return f"{wave}年"
    if m := re.fullmatch(r"(\d{4})H([12])", wave):
        return f"{m[1]}年{'上期' if m[2] == '1' else '下期'}"
    if m := re.fullmatch(r"(\d{4})Q([1-4])", wave):
        return f"{m[1]}年第{m[2]}四半期"
    return wave


def _percent(value: Any) -> str:
    number = _number(value)
    return "" if number is None else f"{number * 100:.1f}"


def challenge_names(result: AnalysisResult) -> dict[str, str]:
    """Japanese display name of every challenge unit that appears in the result.

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        Codebook key to the codebook's name (the key itself without a codebook), and
        ``cluster:<id>`` to 「（名前のない課題）<cluster label>」.
    """
    book = result.extras.get("codebook") if isinstance(result.extras, dict) else None
    names: dict[str, str] = {}
    keys: set[str] = set()
    for name in ("trends", "segments", "clusters"):
        table = _table(result, name)
        if "challenge" in table:
            keys |= {str(k) for k in table["challenge"].dropna() if str(k)}
    records = _table(result, "records")
    if "challenge" in records:
        keys |= {str(k) for k in records["challenge"].dropna() if str(k)}
    if book is not None:
        keys |= set(getattr(book, "keys", []) or [])
    clusters = _table(result, "clusters")
    labels: dict[str, str] = {}
    if {"cluster", "label"} <= set(clusters.columns):
        for cluster, label in zip(clusters["cluster"], clusters["label"], strict=True):
            if pd.notna(cluster):
                labels[f"cluster:{int(cluster)}"] = str(label) if pd.notna(label) else ""
    for key in sorted(keys):
        if key.startswith("cluster:"):
            label = labels.get(key, "")
            names[key] = f"（名前のない課題）{label}" if label else f"名前のない課題 {key[8:]}"
            continue
        name = ""
        if book is not None:
            try:
                name = str(book.name(key))
            except Exception:  # noqa: BLE001 - a broken codebook must not stop the report
                name = ""
        names[key] = name or key
    for key, label in labels.items():
        names.setdefault(
            key, f"（名前のない課題）{label}" if label else f"名前のない課題 {key[8:]}"
        )
    return names


def _unit_of(row: pd.Series) -> str:
    key = str(row.get("challenge", "") or "")
    if key and key != "nan":
        return key
    cluster = row.get("cluster")
    if cluster is not None and pd.notna(cluster):
        return f"cluster:{int(cluster)}"
    return ""


# --------------------------------------------------------------------------------------------
# quotes


def shorten_quote(text: str, max_chars: int = QUOTE_CHARS) -> str:
    """Make a short quote: one line, cut at a sentence boundary with … when long.

    Parameters
    ----------
    text : str
        Masked answer text.
    max_chars : int, default QUOTE_CHARS
        Longest quote in characters (the ellipsis included).

    Returns
    -------
    str
        Whole sentences that fit, followed by ``…`` when something was cut. When even the first
        sentence is too long it is cut after the last 、 that fits (or at ``max_chars - 1``).
        Inner 「」 become 『』 so the quote can be put in 「」.
    """
    flat = re.sub(r"\s+", " ", str(text)).strip()
    flat = flat.translate(str.maketrans({"「": "『", "」": "』"}))
    if len(flat) <= max_chars:
        return flat
    sentences = [s for s in _SENTENCE_END.split(flat) if s]
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence.strip()) + 1 > max_chars:
            break
        kept += sentence.strip()
    if kept:
        return kept + "…"
    head = flat[: max_chars - 1]
    comma = max(head.rfind("、"), head.rfind("，"))
    if comma >= max_chars // 2:
        head = head[:comma]
    return head.rstrip("、，, ") + "…"


def _representative_ids(result: AnalysisResult, key: str) -> list[str]:
    ids: list[str] = []
    clusters = _table(result, "clusters")
    if "representative_record_ids" in clusters:
        for _, row in clusters.iterrows():
            cluster = row.get("cluster")
            unit = f"cluster:{int(cluster)}" if pd.notna(cluster) else ""
            if str(row.get("challenge", "") or "") == key or unit == key:
                ids.extend(str(row["representative_record_ids"] or "").split())
    return ids


#: Quotes shorter than this are used only when nothing longer is available.
MIN_QUOTE_CHARS = 12


def pick_quotes(
    result: AnalysisResult,
    key: str,
    *,
    candidate_ids: Sequence[str] | None = None,
    n: int = N_QUOTES,
    max_chars: int = QUOTE_CHARS,
    prefer_wave: str | None = None,
) -> list[str]:
    """Choose up to ``n`` short anonymised quotes for a challenge.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    key : str
        Challenge unit (codebook key or ``cluster:<id>``).
    candidate_ids : sequence of str, optional
        Record ids to choose from; default the representatives of the clusters mapped to ``key``.
    n : int, default N_QUOTES
        Largest number of quotes.
    max_chars : int, default QUOTE_CHARS
        Longest quote (see :func:`shorten_quote`).
    prefer_wave : str, optional
        Prefer answers from this wave (usually the latest).

    Returns
    -------
    list of str
        Quotes from ``text_masked`` of kept records only; answers coded to ``key`` first, answers
        without a 〔…〕 placeholder first (placeholders only when fewer than two quotes remain
        otherwise), in representative order; no duplicates.
    """
    ids = list(candidate_ids) if candidate_ids is not None else _representative_ids(result, key)
    if not ids:
        return []
    records = public_records(_table(result, "records"))
    if "record_id" not in records or "text_masked" not in records:
        return []
    lookup = records.drop_duplicates("record_id").set_index("record_id")
    scored: list[tuple[tuple[int, int, int, int], str]] = []
    for position, rid in enumerate(dict.fromkeys(ids)):
        if rid not in lookup.index:
            continue
        row = lookup.loc[rid]
        if str(row.get("status", "kept")) != "kept":
            continue
        text = row.get("text_masked")
        if not isinstance(text, str) or not text.strip():
            continue
        quote = shorten_quote(text, max_chars)
        other_wave = int(prefer_wave is not None and str(row.get("wave", "")) != prefer_wave)
        unit = _unit_of(row)
        mismatch = int(bool(unit) and unit != key)
        placeholder = int(bool(_PLACEHOLDER.search(quote)))
        scored.append(((placeholder, mismatch, other_wave, position), quote))
    scored.sort(key=lambda item: item[0])
    # A one-word answer (「生成AI」) is no voice: drop very short quotes while two longer remain.
    if sum(len(q) >= MIN_QUOTE_CHARS for _, q in scored) >= min(2, n):
        scored = [(key_, q) for key_, q in scored if len(q) >= MIN_QUOTE_CHARS]
    clean = [q for (ph, *_), q in scored if not ph]
    marked = [q for (ph, *_), q in scored if ph]
    chosen = list(dict.fromkeys(clean))[:n]
    if len(chosen) < min(2, n):
        chosen += [q for q in dict.fromkeys(marked) if q not in chosen][: min(2, n) - len(chosen)]
    return chosen


# --------------------------------------------------------------------------------------------
# the report context


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
    notes.sort(key=lambda d: (-d["_abs"], d["segment_col"], d["segment"], d["challenge"]))
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


def make_figures(result: AnalysisResult, fig_dir: Path) -> list[dict[str, Any]]:
    """Draw and save the charts.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    fig_dir : Path
        Folder for the PNGs (created).

    Returns
    -------
    list of dict
        One per figure, in a fixed order: ``file`` (name), ``path`` (Path), ``title``, ``alt``.
    """
    names = challenge_names(result)
    waves = _wave_order(result)
    sizes = challenge_sizes(result)
    out: list[dict[str, Any]] = []

    def _save(fig: Any, file: str, title: str, alt: str) -> None:
        path = plotting.save_figure(fig, fig_dir / file)
        out.append({"file": file, "path": path, "title": title, "alt": alt})

    latest = wave_label(waves[-1]) if waves else ""
    title = f"課題ごとの回答者数（{latest}）" if latest else "課題ごとの回答者数"
    _save(
        plotting.challenge_sizes_figure(sizes, names=names, title=title),
        "challenge_sizes.png",
        title,
        "課題ごとの回答者数の横棒グラフ（5人未満の課題は省略）",
    )
    trends = _table(result, "trends")
    if len(waves) > 1 and not trends.empty:
        top = list(sizes["challenge"].head(N_LEADING))
        _save(
            plotting.trends_figure(
                trends,
                challenges=top or None,
                names=names,
                wave_labels={w: wave_label(w) for w in waves},
            ),
            "trends.png",
            "主な課題の推移",
            "主な課題について、回答者に占める割合を波ごとに示した折れ線グラフ（縦線は95%信頼区間）",
        )
    segments = _table(result, "segments")
    if {"segment_col", "challenge", "residual", "n"} <= set(segments.columns):
        order = {k: i for i, k in enumerate(sizes["challenge"])}
        for i, col in enumerate(dict.fromkeys(segments["segment_col"].astype(str))):
            part = segments[segments["segment_col"].astype(str) == col]
            visible = part[
                part["n"].map(_shown_count).notna() & part["residual"].map(_number).notna()
            ]
            if visible.empty:
                continue
            rows = sorted(
                set(visible["challenge"]), key=lambda k: (order.get(k, len(order)), str(k))
            )
            slug = SEGMENT_SLUGS.get(col, f"{i + 1}")
            _save(
                plotting.segment_heatmap_figure(segments, col, challenges=rows, names=names),
                f"segments_{slug}.png",
                f"{col}別の特徴",
                f"{col}ごとに課題の多い・少ないを調整済み残差で示したヒートマップ（5人未満のセルは灰色）",
            )
    return out


# --------------------------------------------------------------------------------------------
# rendering


def template_environment(*, html: bool = False) -> jinja2.Environment:
    """The jinja2 environment for the report templates.

    Parameters
    ----------
    html : bool, default False
        Escape HTML (for ``report.html.j2``).

    Returns
    -------
    jinja2.Environment
        Loads from ``rsnet_analysis/templates``; undefined variables raise an error.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rsnet_analysis", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wave_label"] = wave_label
    return env


def render_html(context: Mapping[str, Any]) -> str:
    """Render ``report.html.j2`` (figures must carry a ``data_uri``)."""
    return template_environment(html=True).get_template("report.html.j2").render(**context)


def render_markdown(context: Mapping[str, Any]) -> str:
    """Render ``report.md.j2`` (figures are linked by relative path)."""
    text = template_environment().get_template("report.md.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_newsletter(context: Mapping[str, Any], width: int = NEWSLETTER_WIDTH) -> str:
    """Render ``newsletter.txt.j2`` and wrap it to ``width`` display columns (禁則処理つき)."""
    text = template_environment().get_template("newsletter.txt.j2").render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return wrap_text(text, width)


# --------------------------------------------------------------------------------------------
# workbook


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, rows)
    elif isinstance(value, list | tuple):
        rows.append((prefix, "、".join(map(str, value))))
    else:
        rows.append((prefix, "" if value is None else str(value)))


def _with_names(table: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    if "challenge" not in table:
        return table
    out = table.copy()
    at = list(out.columns).index("challenge") + 1
    out.insert(
        at,
        "challenge_name",
        [names.get(str(k), str(k)) if str(k) not in ("", "nan") else "" for k in out["challenge"]],
    )
    return out


_DERIVED: dict[str, tuple[str, ...]] = {
    "n": ("share", "ci_low", "ci_high", "change", "p_adj", "expected", "residual"),
    "n_latest": ("share_latest", "growth", "p_value"),
    "n_previous": ("share_previous", "growth", "p_value"),
}


def suppress_again(table: pd.DataFrame, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Defensive small-cell suppression before a table is shown.

    The trend and segment tables arrive suppressed; this makes sure that a count below
    ``min_cell`` (zero included) that slipped through shows as ``"<5"`` with its derived figures
    blank. Cells already suppressed are left as they are.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with count columns ``n``, ``n_latest`` or ``n_previous``.
    min_cell : int, default MIN_CELL
        Smallest count that may be shown.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    counts = [c for c in _DERIVED if c in table]
    small_any = any(
        (pd.to_numeric(table[c].where(table[c].astype(str) != SUPPRESSED), errors="coerce") < min_cell).any()
        for c in counts
    )
    if not small_any:
        return table.copy()
    depends: dict[str, list[str]] = {}
    for count in counts:
        for col in _DERIVED[count]:
            if col in table:
                depends.setdefault(col, []).append(count)
    return suppress_small_cells(table, counts, min_cell, depends=depends)


def workbook_sheets(result: AnalysisResult) -> dict[str, pd.DataFrame]:
    """The tables of ``report.xlsx``, by sheet name (see :data:`SHEETS`).

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        Sheet name to table; the 回答 sheet is ``records_for_output`` (masked text only) with a
        ``challenge_name`` column, 設定 lists the summary as 項目/値 rows and the rerun command.
    """
    names = challenge_names(result)
    records = records_for_output(result) if not _table(result, "records").empty else pd.DataFrame()
    settings_rows: list[tuple[str, str]] = [
        ("再実行のコマンド", rerun_command(result.summary or {}))
    ]
    _flatten("", result.summary or {}, settings_rows)
    return {
        "回答": _with_names(records, names),
        "クラスタ": _with_names(_table(result, "clusters"), names),
        "推移": _with_names(suppress_again(_table(result, "trends")), names),
        "区分比較": _with_names(suppress_again(_table(result, "segments")), names),
        "新しい課題": _with_names(suppress_again(_table(result, "emerging")), names),
        "分科会候補": _table(result, "subgroups"),
        "設定": pd.DataFrame(settings_rows, columns=["項目", "値"]),
    }


_WIDE_COLUMNS = {"text_masked", "challenge_reason", "members", "値", "representative_record_ids"}


def _style_sheet(sheet: Any, table: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    if len(table.columns):
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(table.columns))}{max(len(table), 1) + 1}"
        )
    for i, col in enumerate(table.columns, start=1):
        values = [str(col)] + [str(v) for v in table[col].head(300) if pd.notna(v)]
        width = max(display_width(v) for v in values) + 2
        limit = 60 if col in _WIDE_COLUMNS else 36
        sheet.column_dimensions[get_column_letter(i)].width = max(8, min(limit, width))
        if col in _WIDE_COLUMNS:
            for cell in sheet[get_column_letter(i)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _normalise_xlsx(data: bytes) -> bytes:
    """Fix the zip entry times and the document dates so the same workbook gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + FIXED_TIMESTAMP + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return target_buffer.getvalue()


def write_workbook(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``report.xlsx``: one sheet per table, styled headers, fitted columns, stable bytes.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    path : str or Path
        Target file.

    Returns
    -------
    Path
    """
    import datetime

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    sheets = workbook_sheets(result)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name in SHEETS:
            table = sheets[name]
            if table.columns.empty:
                table = pd.DataFrame({"内容": ["（この分析では該当する表がありません）"]})
            table.to_excel(writer, sheet_name=name, index=False)
            _style_sheet(writer.sheets[name], table)
        fixed = datetime.datetime(2000, 1, 1)
        props = writer.book.properties
        props.creator = "rsnet-analysis"
        props.lastModifiedBy = "rsnet-analysis"
        props.title = "課題分析レポート（表）"
        props.created = fixed
        props.modified = fixed
    target.write_bytes(_normalise_xlsx(buffer.getvalue()))
    return target


# --------------------------------------------------------------------------------------------
# entry point


def _css_width(png: Path) -> int:
    """Width in CSS pixels at which a saved figure shows its text at the intended size."""
    header = png.read_bytes()[:24]
    pixels = int.from_bytes(header[16:20], "big")
    return round(pixels * 96 / plotting.DPI)


def write_reports(result: AnalysisResult, out_dir: str | Path) -> list[Path]:
    """Write ``report.html``, ``report.md``, ``newsletter.txt``, ``report.xlsx`` and ``figures/*.png``.

    Parameters
    ----------
    result : AnalysisResult
        The run (from :func:`rsnet_analysis.pipeline.run_analysis`).
    out_dir : str or Path
        Output folder (created if needed).

    Returns
    -------
    list of Path
        In a fixed order: ``report.html``, ``report.md``, ``newsletter.txt``, ``report.xlsx``,
        then the figures (challenge sizes, trends, one heat map per segment column).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    context = report_context(result)
    figures = make_figures(result, out / "figures")
    for figure in figures:
        encoded = base64.b64encode(figure["path"].read_bytes()).decode("ascii")
        figure["data_uri"] = f"data:image/png;base64,{encoded}"
        figure["href"] = f"figures/{figure['file']}"
        figure["width"] = _css_width(figure["path"])
    context["figures"] = figures
    html_path = out / "report.html"
    html_path.write_text(render_html(context), encoding="utf-8", newline="\n")
    md_path = out / "report.md"
    md_path.write_text(render_markdown(context), encoding="utf-8", newline="\n")
    news_path = out / "newsletter.txt"
    news_path.write_text(render_newsletter(context), encoding="utf-8", newline="\n")
    xlsx_path = write_workbook(result, out / "report.xlsx")
    return [html_path, md_path, news_path, xlsx_path, *(f["path"] for f in figures)]
