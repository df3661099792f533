"""Representative voices: short anonymised quotes chosen from the masked answers."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report.labels import N_QUOTES, QUOTE_CHARS, _table, _unit_of
from rsnet_analysis.report.tables import public_records

_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")

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
    flat = flat.replace("「", "『").replace("」", "』")
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
