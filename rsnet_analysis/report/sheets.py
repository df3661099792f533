"""The tables of ``report.xlsx``, in Japanese, for an analyst to hand on.

Every count comes from the run's table of counts (``result.counts``) or its views, as the other
reports show it: the 概要 sheet is built from the same report context as ``report.html``. Challenge
names replace codes, headers are Japanese (:data:`~.labels.COLUMN_LABELS`), kinds, statuses and
tests are written out, and hidden counts stay ``<5`` (below 5) or ``x`` (hidden so that no count
below 5 can be worked out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from rsnet_analysis.contract import NOTE_QUESTION, SUPPRESSED, AnalysisResult
from rsnet_analysis.report.context import SUPPRESSION_NOTE, TITLE
from rsnet_analysis.report.labels import (
    CHALLENGE_KIND_LABELS,
    COLUMN_LABELS,
    EXCLUDED_LABELS,
    KIND_LABELS,
    SOURCE_LABELS,
    STATEMENT_LABELS,
    STATUS_LABELS,
    TEST_LABELS,
    _number,
    _table,
    challenge_names,
    wave_label,
)
from rsnet_analysis.report.method import rerun_command
from rsnet_analysis.report.practices import KIND_NAMES, name_municipalities
from rsnet_analysis.report.quotes import QuotePool, pick_quotes
from rsnet_analysis.report.tables import records_for_output
from rsnet_analysis.trends import ALL_WAVES

__all__ = ["WORKBOOK_MAX_ANSWERS", "answers_left_out", "overview_rows", "workbook_sheets"]

#: Above this many rows of the record table the workbook leaves the per-answer sheet (回答) to
#: ``records.csv``: a sheet of 100,000 styled rows took most of a large run's report time, and
#: Excel stops at 1,048,576 rows. The 概要 sheet and the 回答 sheet say so.
WORKBOOK_MAX_ANSWERS = 20_000


def _japanese(table: pd.DataFrame, columns: list[str], names: Mapping[str, str]) -> pd.DataFrame:
    """Keep ``columns`` (those present), write codes out in Japanese, rename the headers."""
    out = table.loc[:, [c for c in columns if c in table.columns]].copy()
    if "kind" in out:
        out["kind"] = out["kind"].map(lambda k: CHALLENGE_KIND_LABELS.get(str(k), str(k)))
    if "test" in out:
        out["test"] = out["test"].map(lambda t: TEST_LABELS.get(str(t), str(t) if pd.notna(t) else ""))
    for col in ("wave", "previous_wave"):
        if col in out:
            out[col] = out[col].map(lambda w: wave_label(str(w)) if str(w) not in ("", "nan") else "")
    if "source" in out:
        out["source"] = out["source"].map(lambda s: SOURCE_LABELS.get(str(s), str(s)))
    if "statement" in out:
        out["statement"] = out["statement"].map(lambda s: STATEMENT_LABELS.get(str(s), str(s)))
    if "challenge" in out and "name" not in table.columns:
        out["challenge"] = [names.get(str(k), str(k)) if str(k) not in ("", "nan") else "" for k in out["challenge"]]
        out = out.rename(columns={"challenge": "name"})
    return out.rename(columns=COLUMN_LABELS)


def _by_size(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows ordered within ``keys`` (kept in their order) by count, largest first, hidden last."""
    if table.empty:
        return table
    order = {k: i for i, k in enumerate(dict.fromkeys(zip(*(table[k] for k in keys), strict=True)))}
    frame = table.assign(
        _group=[order[k] for k in zip(*(table[k] for k in keys), strict=True)],
        _n=-pd.to_numeric(table["n"], errors="coerce").fillna(-1),
    )
    return frame.sort_values(["_group", "_n", "name"], kind="mergesort").drop(columns=["_group", "_n"])


def overview_rows(result: AnalysisResult, context: Mapping[str, Any]) -> pd.DataFrame:
    """The 概要 sheet: what was read, the leading challenges and what changed, per question.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    context : mapping
        :func:`~rsnet_analysis.report.report_context` of the run (the same figures as the HTML).

    Returns
    -------
    pandas.DataFrame
        Columns 項目, 内容, 人数, 割合 (a fraction, shown as a percentage).
    """
    method = context["method"]
    rows: list[tuple[str, str, Any, Any]] = [
        ("レポート", TITLE, "", None),
        ("入力ファイル", "、".join(method["inputs"]) or "同梱のサンプルデータ", "", None),
        ("読み込んだ行", "", method["rows_read"], None),
        ("分析の対象", "", method["kept"], None),
    ]
    rows += [(f"除外：{ex['reason']}", "", ex["n"], None) for ex in method["excluded"] if ex["n"]]
    for section in context["sections"]:
        rows.append(("設問", section["question"], "", None))
        statement = "practice" if section["about_practice"] else "challenge"
        rows.append(("数えたもの", STATEMENT_LABELS[statement], "", None))
        rows.append(("時期", "・".join(section["waves"]), "", None))
        if section["respondents"] is not None:
            rows.append((f"回答者（{section['latest']}）", "", section["respondents"], None))
        for rank, item in enumerate(section["leading"], start=1):
            rows.append((f"多く挙がった課題 {rank}位", item["name"], item["n"], item["share"]))
        for item in section["changes"]:
            rows.append(("前回からの変化", f"{item['name']}：{item['change_text']}", item["n"], item["share"]))
        if not section["changes"] and section["previous"] and not section["about_practice"]:
            rows.append(("前回からの変化", f"前回（{section['previous']}）から統計的に意味のある変化はありません", "", None))
        if section["misc"]:
            rows.append(("分類できない回答", "どの課題にも当てはまらなかった回答", section["misc"]["n"], section["misc"]["share"]))
    for event in context["notes"]:
        label = event["event"] + (f"（{event['period']}）" if event["period"] else "")
        rows.append(("情報交換会での発言", label, event["statements"] if event["statements"] is not None else SUPPRESSED, None))
    if context["subgroups"]:
        rows.append(("分科会の候補", f"{len(context['subgroups'])} グループ（「分科会候補」シート）", "", None))
    if answers_left_out(result):
        rows.append(("回答の一覧", answers_left_out(result), "", None))
    rows.append(("伏せた数", SUPPRESSION_NOTE, "", None))
    rows.append(("再実行のコマンド", method["command"], "", None))
    return pd.DataFrame(rows, columns=["項目", "内容", "人数", "割合"])


def _counts_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    counts = _table(result, "counts")
    if counts.empty:
        return pd.DataFrame()
    rows = counts[(counts["source"] == "survey") & (counts["segment_col"] == "")]
    rows = _by_size(rows, ["question", "statement", "wave"])
    columns = ["question", "statement", "wave", "name", "kind", "n", "base", "share", "ci_low", "ci_high",
               "previous_wave", "n_previous", "share_previous", "change", "p_adj", "test", "direction"]
    return _japanese(rows, columns, names)


def _segments_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    segments = _table(result, "segments")
    if segments.empty:
        return pd.DataFrame()
    rows = _by_size(segments, ["question", "segment_col", "segment"])
    residual = pd.to_numeric(rows["residual"], errors="coerce")
    p_adj = pd.to_numeric(rows["p_adj"], errors="coerce")
    rows = rows.assign(
        direction=[
            ("多い" if r > 0 else "少ない") if pd.notna(p) and p < 0.05 else ""
            for r, p in zip(residual, p_adj, strict=True)
        ]
    )
    columns = ["question", "segment_col", "segment", "name", "kind", "n", "base", "share", "expected",
               "residual", "p_adj", "direction", "chi2", "dof", "p_table"]
    table = _japanese(rows, columns, names)
    return table.rename(columns={"回答者数": "区分の回答者数", "判定": "全体と比べて"})


def _emerging_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    emerging = _table(result, "emerging")
    if emerging.empty:
        return pd.DataFrame()
    pool = QuotePool(result)
    voices = [
        " / ".join(pick_quotes(result, str(r["challenge"]), question=str(r["question"]), wave=str(r["wave"]), pool=pool))
        for _, r in emerging.iterrows()
    ]
    rows = emerging.assign(voices=voices)
    columns = ["question", "wave", "name", "kind", "direction", "n", "n_previous", "share", "share_previous",
               "change", "p_adj", "test", "voices"]
    return _japanese(rows, columns, names).rename(columns={"voices": "代表的な声"})


def _practices_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    practices = _table(result, "practices")
    if practices.empty:
        return pd.DataFrame()
    rows = practices.assign(
        kind=[KIND_NAMES.get(str(k), str(k)) for k in practices["kind"]],
        source=[SOURCE_LABELS.get(str(s), str(s)) for s in practices["source"]],
        question=["（情報交換会）" if q == NOTE_QUESTION else q for q in practices["question"]],
        wave=[wave_label(str(w)) if str(w) not in ("", "nan") else "" for w in practices["wave"]],
        municipality=practices["municipality"] if name_municipalities(result) else "",
    )
    columns = ["kind", "name", "municipality", "text_masked", "question", "source", "wave", "kind_confidence",
               "kind_reason", "record_id"]
    labels = {"kind": "種類", "name": "課題", "municipality": "自治体", "text_masked": "内容（個人情報は伏せ字）",
              "kind_confidence": "確からしさ", "kind_reason": "種類の根拠"}
    return rows.loc[:, columns].rename(columns={**COLUMN_LABELS, **labels})


def _notes_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    counts = _table(result, "counts")
    if counts.empty or not (counts["source"] == "note").any():
        return pd.DataFrame()
    rows = _by_size(counts[counts["source"] == "note"], ["statement", "wave"])
    table = _japanese(rows, ["statement", "wave", "name", "kind", "n", "base", "share"], names)
    table["時期"] = [("すべての会" if w == ALL_WAVES else w) for w in rows["wave"]]
    return table.rename(columns={"時期": "イベント", "人数": "発言数", "回答者数": "イベントの発言数"})


def _subgroups_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    subgroups = _table(result, "subgroups")
    if subgroups.empty:
        return pd.DataFrame()
    rows = subgroups.assign(
        kind=[KIND_LABELS.get(str(k), str(k)) for k in subgroups["kind"]],
        shared_challenges=[
            "、".join(names.get(k, k) for k in str(v or "").split()) for v in subgroups["shared_challenges"]
        ],
    )
    if not name_municipalities(result):
        rows = rows.assign(members="", reporters="")
    columns = ["group", "kind", "shared_challenges", "n_members", "regions", "members", "reporters"]
    return rows.reindex(columns=columns).rename(columns={**COLUMN_LABELS, "kind": "種類"})


def _clusters_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    clusters = _table(result, "clusters")
    if clusters.empty:
        return pd.DataFrame()
    columns = ["question", "cluster", "name", "label", "kind", "n", "base", "share", "statements", "top_terms",
               "core_terms", "stability"]
    return _japanese(clusters, columns, names)


def answers_left_out(result: AnalysisResult) -> str:
    """Why the 回答 sheet holds no answers (more rows than :data:`WORKBOOK_MAX_ANSWERS`), or ``""``."""
    n = len(_table(result, "records"))
    if n <= WORKBOOK_MAX_ANSWERS:
        return ""
    return (
        f"回答が {n:,} 行あり、{WORKBOOK_MAX_ANSWERS:,} 行を超えるため、このブックには載せていません。"
        "1 行 1 回答の表は records.csv（UTF-8、Excel で開けます）にあります。"
    )


def _records_sheet(result: AnalysisResult, names: Mapping[str, str]) -> pd.DataFrame:
    if _table(result, "records").empty:
        return pd.DataFrame()
    left_out = answers_left_out(result)
    if left_out:
        return pd.DataFrame({"内容": [left_out]})
    records = records_for_output(result)
    out = records.copy()
    if "status" in out:
        out["status"] = out["status"].map(lambda s: STATUS_LABELS.get(str(s), str(s)))
    if "source_type" in out:
        out["source_type"] = out["source_type"].map(lambda s: SOURCE_LABELS.get(str(s), str(s)))
    if "wave" in out:
        out["wave"] = out["wave"].map(lambda w: wave_label(str(w)) if str(w) not in ("", "nan") else "")
    if "question" in out:
        out["question"] = out["question"].map(lambda q: "（情報交換会）" if q == NOTE_QUESTION else q)
    for col in ("challenge", "challenge_secondary"):
        if col in out:
            out[col] = ["、".join(names.get(k, k) for k in str(v or "").split()) for v in out[col]]
    if "cluster" in out and "challenge" in out:
        clusters = out["cluster"].astype("Int64")
        out["challenge"] = [
            c or (names.get(f"cluster:{int(k)}", "") if pd.notna(k) else "")
            for c, k in zip(out["challenge"], clusters, strict=True)
        ]
    out = out.drop(columns=[c for c in ("cluster_label",) if c in out])
    return out.rename(columns={**COLUMN_LABELS, "challenge": "課題"})


def _settings_sheet(result: AnalysisResult, context: Mapping[str, Any]) -> pd.DataFrame:
    method = context["method"]
    rows: list[tuple[str, str]] = [("再実行のコマンド", rerun_command(result.summary or {}))]
    rows += [(s["name"], s["value"]) for s in method["settings"]]
    if method["codebook"]:
        rows.append(("コードブック（読み込んだもの）", method["codebook"]))
    rows.append(("比較した属性", "、".join(method["segment_columns"]) or "（なし）"))
    rows.append(("クラスタ数", str(method["clusters"])))
    rows.append(("変化の検定", method["tests"]))
    rows += [(f"除外の理由：{label}", key) for key, label in EXCLUDED_LABELS.items()]
    rows += [(f"お知らせ {i}", n) for i, n in enumerate(method["notices"], start=1)]
    rows += [(f"バージョン：{v['name']}", v["version"]) for v in method["versions"]]
    return pd.DataFrame(rows, columns=["項目", "値"])


def workbook_sheets(result: AnalysisResult, context: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """The tables of ``report.xlsx``, by sheet name (see :data:`~.labels.SHEETS`).

    Parameters
    ----------
    result : AnalysisResult
        The run.
    context : mapping, optional
        Its report context (computed when not given).

    Returns
    -------
    dict
        Sheet name to table, Japanese headers; percentages are fractions (the workbook formats
        them as percentages).
    """
    from rsnet_analysis.report.context import report_context

    context = context if context is not None else report_context(result)
    names = challenge_names(result)
    return {
        "概要": overview_rows(result, context),
        "課題別の人数": _counts_sheet(result, names),
        "区分比較": _segments_sheet(result, names),
        "新しい課題": _emerging_sheet(result, names),
        "事例・成果": _practices_sheet(result, names),
        "情報交換会": _notes_sheet(result, names),
        "分科会候補": _subgroups_sheet(result, names),
        "課題のまとまり": _clusters_sheet(result, names),
        "回答": _records_sheet(result, names),
        "設定": _settings_sheet(result, context),
    }


def share_value(value: Any) -> float | None:
    """A share as a number for a percentage cell (None when hidden or blank)."""
    return _number(value)
