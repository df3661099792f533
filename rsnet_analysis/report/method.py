"""The method section of the reports: what was read, how, with which settings and versions."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report.labels import (
    EXCLUDED_LABELS,
    PERIOD_LABELS,
    SETTING_DEFAULTS,
    SETTING_LABELS,
    _number,
    _table,
)

__all__ = ["RSNET_COMMAND", "TEST_DESCRIPTION", "method", "rerun_command"]

#: The command as ``make report`` installs it (``rsnet`` is on PATH only inside the venv).
RSNET_COMMAND = ".venv/bin/rsnet"

#: How changes between waves are tested (shown in the method section).
TEST_DESCRIPTION = (
    "前回との変化は、2つの割合の差の z 検定（期待度数が5未満のときは Fisher の正確検定、両側）で調べ、"
    "すべての比較をまとめて Benjamini–Hochberg 法で補正した p 値が 0.05 未満のときだけ「増」「減」と書いています。"
    "前回5人未満から有意に増えた課題は「新しく目立ってきた課題」としています。それ以外は「横ばい（統計的な差はありません）」です。"
    "区分ごとの違いは、クロス集計の調整済み残差（補正後 p 値 0.05 未満）で判断しています。"
)

_SAFE_WORD = re.compile(r"[\w@%+=:,./\-・ー]+")


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
        For example ``.venv/bin/rsnet analyze data/sample/survey_2023.csv --k auto --period year
        --seed 0 --out out`` (``make report`` installs the command in ``.venv/bin``).
    """
    settings = summary.get("settings", {}) if isinstance(summary, Mapping) else {}
    settings = settings if isinstance(settings, Mapping) else {}
    parts = [RSNET_COMMAND, "analyze"]
    if settings.get("inputs"):
        parts += [str(p) for p in summary.get("inputs", settings.get("inputs", []))]
    for col in settings.get("text_cols", []) or []:
        parts += ["--text-col", str(col)]
    for option, key in (
        ("--questions", "questions"),
        ("--id-col", "id_col"),
        ("--respondent-col", "respondent_col"),
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
    if settings.get("name_municipalities") is False:
        parts.append("--no-municipality-names")
    parts += ["--seed", str(settings.get("seed", 0)), "--out", out_dir]
    return " ".join(_shell_word(p) for p in parts)


def _shell_word(word: str) -> str:
    """Quote a shell word only when needed (Japanese letters are safe, unlike in ``shlex.quote``)."""
    return word if _SAFE_WORD.fullmatch(word) else shlex.quote(word)


def method(result: AnalysisResult) -> dict[str, Any]:
    """The method section as plain data (inputs, exclusions, settings, versions, tests)."""
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
        elif isinstance(value, bool):
            value = "はい" if value else "いいえ"
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
        "tests": TEST_DESCRIPTION,
        "command": rerun_command(s),
        "sample": not settings.get("inputs"),
    }
