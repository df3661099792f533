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
