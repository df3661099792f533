"""Japanese labels and small formatting helpers shared by every report writer."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from rsnet_analysis.contract import MIN_CELL, SUPPRESSED, AnalysisResult

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
    "概要",
    "課題別の人数",
    "区分比較",
    "新しい課題",
    "事例・成果",
    "情報交換会",
    "分科会候補",
    "課題のまとまり",
    "回答",
    "設定",
)
"""Sheets of ``report.xlsx`` in order."""

EXCLUDED_LABELS: dict[str, str] = {
    "empty": "空欄",
    "non_answer": "非回答（「特になし」など）",
    "error_value": "Excel のエラー値（#N/A など）",
    "duplicate": "重複（同じ回答者の同じ回答）",
    "facilitation": "進行役の発言（事務局の紹介・まとめ）",
}
"""Japanese names of the exclusion reasons."""

SETTING_LABELS: dict[str, str] = {
    "inputs": "入力",
    "text_col": "自由記述の列",
    "text_cols": "自由記述の列（設問）",
    "questions": "設問の対応表",
    "id_col": "回答IDの列",
    "respondent_col": "回答者の列",
    "time_col": "回答日の列",
    "segment_cols": "比較する属性の列",
    "k": "クラスタ数（k）",
    "period": "波の区切り",
    "codebook": "コードブック",
    "seed": "乱数の種（seed）",
    "sheet": "Excel のシート",
    "name_municipalities": "取り組みに自治体名を付ける",
}
"""Japanese names of the analysis settings."""

SETTING_DEFAULTS: dict[str, str] = {
    "text_col": "（自動で選択）",
    "text_cols": "（自動で選択）",
    "questions": "（なし）",
    "id_col": "（なし）",
    "respondent_col": "（なし：自治体名と所属部署から回答者を判別）",
    "time_col": "（自動で選択）",
    "segment_cols": "（既定：自治体区分・都道府県・地域・所属部署・役割・職位のうち存在する列）",
    "codebook": "（同梱のもの）",
    "sheet": "（先頭のシート）",
}
"""What an unset setting means, in Japanese."""

PERIOD_LABELS: dict[str, str] = {
    "year": "年ごと",
    "fiscal": "年度ごと（4月〜翌年3月）",
    "half": "半期ごと",
    "quarter": "四半期ごと",
    "file": "ファイルごと",
}
"""Japanese names of the wave periods."""

KIND_LABELS: dict[str, str] = {"challenge": "課題別", "region": "地域別", "pairing": "課題と取り組み"}
"""Japanese names of the sub-group kinds."""

CHALLENGE_KIND_LABELS: dict[str, str] = {
    "named": "コードブックの課題",
    "new": "新しい課題",
    "misc": "分類できない回答",
}
"""Japanese names of the challenge kinds."""

STATEMENT_LABELS: dict[str, str] = {"challenge": "課題として挙げた", "practice": "取り組み・成果を書いた"}
"""Japanese names of what a row of the table of counts counts."""

SOURCE_LABELS: dict[str, str] = {"survey": "アンケート", "note": "情報交換会の記録"}
"""Japanese names of the record sources."""

STATUS_LABELS: dict[str, str] = {"kept": "分析の対象", **EXCLUDED_LABELS}
"""Japanese names of every record status."""

TEST_LABELS: dict[str, str] = {"z": "割合の差の z 検定", "fisher": "Fisher の正確検定"}
"""Japanese names of the tests of change."""

COLUMN_LABELS: dict[str, str] = {
    "question": "設問",
    "source": "資料",
    "statement": "数えたもの",
    "wave": "時期",
    "segment_col": "区分の列",
    "segment": "区分",
    "challenge": "課題コード",
    "name": "課題",
    "kind": "種類",
    "n": "人数",
    "base": "回答者数",
    "share": "割合",
    "ci_low": "95%信頼区間（下限）",
    "ci_high": "95%信頼区間（上限）",
    "previous_wave": "前回",
    "n_previous": "前回の人数",
    "share_previous": "前回の割合",
    "change": "変化（割合の差）",
    "p_value": "p値",
    "p_adj": "p値（補正後）",
    "test": "検定",
    "direction": "判定",
    "expected": "期待度数",
    "residual": "調整済み残差",
    "p_residual": "p値（補正後）",
    "chi2": "カイ二乗値（表全体）",
    "dof": "自由度",
    "p_table": "p値（表全体）",
    "cluster": "クラスタ番号",
    "label": "ラベル",
    "statements": "情報交換会での発言数",
    "top_terms": "特徴語",
    "core_terms": "中心となる語",
    "representative_record_ids": "代表的な回答のID",
    "stability": "安定性（0〜1）",
    "record_id": "回答ID",
    "source_file": "ファイル",
    "source_row": "行",
    "source_type": "資料",
    "status": "扱い",
    "text_masked": "回答（個人情報は伏せ字）",
    "respondent": "回答者",
    "date": "日付",
    "cluster_label": "クラスタのラベル",
    "challenge_secondary": "ほかに触れている課題",
    "challenge_reason": "課題の根拠",
    "challenge_score": "確からしさ",
    "group": "グループ",
    "shared_challenges": "共通する課題",
    "members": "メンバー（自治体）",
    "regions": "地域",
    "n_members": "自治体数",
    "reporters": "話を聞ける自治体（取り組みを報告）",
    "kind_confidence": "種類の確からしさ",
    "kind_reason": "種類の根拠",
}
"""Japanese column headers of the workbook."""

PERCENT_COLUMNS: frozenset[str] = frozenset({"share", "ci_low", "ci_high", "share_previous"})
"""Columns shown as percentages."""

SEGMENT_SLUGS: dict[str, str] = {
    "自治体区分": "municipality_type",
    "都道府県": "prefecture",
    "地域": "region",
    "所属部署": "department",
    "役割": "role",
    "職位": "position",
}
"""ASCII file-name parts for the heat maps of well-known segment columns."""

_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


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
        ``2023``, ``FY2023``, ``2024H1``, ``2024Q3`` or a file stem.

    Returns
    -------
    str
        ``2023年``, ``2023年度``, ``2024年上期``, ``2024年第3四半期``, or the wave unchanged.
    """
    wave = str(wave)
    if re.fullmatch(r"\d{4}", wave):
        return f"{wave}年"
    if m := re.fullmatch(r"FY(\d{4})", wave):
        return f"{m[1]}年度"
    if m := re.fullmatch(r"(\d{4})H([12])", wave):
        return f"{m[1]}年{'上期' if m[2] == '1' else '下期'}"
    if m := re.fullmatch(r"(\d{4})Q([1-4])", wave):
        return f"{m[1]}年第{m[2]}四半期"
    return wave


def _percent(value: Any) -> str:
    number = _number(value)
    return "" if number is None else f"{number * 100:.1f}"


def challenge_names(result: AnalysisResult) -> dict[str, str]:
    """Japanese display name of every challenge unit of the run.

    Parameters
    ----------
    result : AnalysisResult
        The run.

    Returns
    -------
    dict
        Codebook key to the codebook's name, ``cluster:<id>`` to the cluster's label (a new
        theme's phrase, or the miscellany's label), as the pipeline recorded them.
    """
    names = result.extras.get("names") if isinstance(result.extras, dict) else None
    if isinstance(names, dict):
        return {str(k): str(v) for k, v in names.items()}
    clusters = _table(result, "clusters")
    out: dict[str, str] = {}
    for _, row in clusters.iterrows():
        unit = str(row.get("challenge") or "") or f"cluster:{int(row['cluster'])}"
        out[unit] = str(row.get("label", unit))
    return out


def _unit_of(row: pd.Series) -> str:
    key = str(row.get("challenge", "") or "")
    if key and key != "nan":
        return key
    cluster = row.get("cluster")
    if cluster is not None and pd.notna(cluster):
        return f"cluster:{int(cluster)}"
    return ""


# --------------------------------------------------------------------------------------------
