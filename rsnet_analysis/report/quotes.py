"""Representative voices: short anonymised quotes a newsletter can print.

A voice is taken from the masked text of a kept survey answer whose primary challenge it is
(answers of the latest wave first, sentences before answers written as a list of lines, the
challenge's representatives before its other answers, then by confidence) and
is printed only when it

- holds no placeholder (〔氏名〕〔メール〕 …): a voice with a masked name still points at someone;
- names no organisation together with its department (「旭川市DX推進課」), which points at one
  person;
- is a full sentence of reasonable length (at least :data:`MIN_QUOTE_CHARS` characters) — a
  one-word answer is no voice;
- is not a near-duplicate of a voice already chosen (character trigram Jaccard ≥
  :data:`NEAR_DUPLICATE`).

Long answers are shortened at a sentence boundary and end with 「…」 (:func:`shorten_quote`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pandas as pd

from rsnet_analysis.contract import AnalysisResult, challenge_unit
from rsnet_analysis.report.labels import N_QUOTES, QUOTE_CHARS, _table

__all__ = ["MIN_QUOTE_CHARS", "NEAR_DUPLICATE", "QuotePool", "fresh_quotes", "pick_quotes", "printable", "shorten_quote"]

#: Shortest voice, in characters (after shortening).
MIN_QUOTE_CHARS = 20
#: Character-trigram Jaccard similarity above which two voices are the same voice.
NEAR_DUPLICATE = 0.5

_PLACEHOLDER = re.compile(r"〔[^〕]*〕")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_ORG_DEPARTMENT = re.compile(
    r"[\u4e00-\u9fff\u3040-\u30ffA-Za-z]{1,12}(?:都|道|府|県|市|区|町|村)"
    r"[\s　の（(]*[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]{0,15}(?:課|係|室|局|部|班|センター|グループ)"
)


def shorten_quote(text: str, max_chars: int = QUOTE_CHARS) -> str:
    """One line, cut at a sentence boundary with 「…」 when longer than ``max_chars``.

    Parameters
    ----------
    text : str
        Masked answer text.
    max_chars : int, default QUOTE_CHARS

    Returns
    -------
    str
        Whole sentences that fit, then 「…」 when something was cut; when the first sentence alone
        is too long it is cut after the last 、 that fits. Inner 「」 become 『』.
    """
    flat = re.sub(r"\s+/\s+", " ", str(text))  # the cleaner joins lines with " / "
    flat = re.sub(r"\s+", " ", flat).strip().replace("「", "『").replace("」", "』")
    if len(flat) <= max_chars:
        return flat
    kept = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(flat) if s.strip()):
        if len(kept) + len(sentence) + 1 > max_chars:
            break
        kept += sentence
    if kept:
        return kept + "…"
    head = flat[: max_chars - 1]
    comma = max(head.rfind("、"), head.rfind("，"))
    if comma >= max_chars // 2:
        head = head[:comma]
    return head.rstrip("、，, ") + "…"


def printable(text: str) -> bool:
    """Whether a masked answer may be quoted at all (no placeholder, no organisation + department)."""
    return not _PLACEHOLDER.search(text) and not _ORG_DEPARTMENT.search(text)


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def fresh_quotes(texts: Iterable[str], max_chars: int, exclude: Sequence[str] = ()) -> Iterator[tuple[int, str]]:
    """The voices that may be printed, in order: ``(position in texts, shortened voice)``.

    A voice is printable (:func:`printable`), at least :data:`MIN_QUOTE_CHARS` long once
    shortened (:func:`shorten_quote`), and not a near duplicate (character-trigram Jaccard of
    :data:`NEAR_DUPLICATE` or more) of a voice in ``exclude`` or of one yielded before.
    """
    seen = [_trigrams(q) for q in exclude]
    for position, text in enumerate(texts):
        if not printable(text):
            continue
        quote = shorten_quote(text, max_chars)
        if len(quote.rstrip("…")) < MIN_QUOTE_CHARS:
            continue
        grams = _trigrams(quote)
        if any(len(grams & s) / max(len(grams | s), 1) >= NEAR_DUPLICATE for s in seen):
            continue
        seen.append(grams)
        yield position, quote


class QuotePool:
    """The answers voices are taken from, selected once for a run (one per report, not per challenge).

    The kept survey answers (notes excluded) with the challenge each is counted under, and the
    representatives of every challenge; :meth:`candidates` picks one challenge's answers from them.

    Parameters
    ----------
    result : AnalysisResult
        The run.
    """

    def __init__(self, result: AnalysisResult) -> None:
        self.result = result
        records = _table(result, "records")
        self.rows: pd.DataFrame | None = None
        if records.empty or "text_masked" not in records:
            return
        rows = records[(records["status"] == "kept") & (records.get("source_type", "survey") != "note")]
        self.rows = rows
        self.units = challenge_unit(rows).to_numpy()
        self.questions = rows["question"].astype(str).to_numpy() if "question" in rows else None
        self.reps: dict[str, list[str]] = {}
        for _, row in _table(result, "clusters").iterrows():
            unit = str(row["challenge"] or "") or f"cluster:{int(row['cluster'])}"
            self.reps.setdefault(unit, []).extend(str(row["representative_record_ids"] or "").split())

    def candidates(self, key: str, question: str, wave: str | None) -> list[str]:
        """Masked texts of the challenge's survey answers, representatives first.

        Parameters
        ----------
        key : str
            Challenge unit (codebook key or ``cluster:<id>``).
        question : str
            The question the answers answer.
        wave : str, optional
            Answers of this wave come first.

        Returns
        -------
        list of str
        """
        if self.rows is None:
            return []
        mask = self.units == key
        if self.questions is not None:
            mask &= self.questions == question
        rows = self.rows[mask]
        order = {rid: i for i, rid in enumerate(self.reps.get(key, []))}
        rows = rows.assign(
            _rep=[order.get(r, len(order)) for r in rows["record_id"]],
            _wave=[0 if wave is None or str(w) == wave else 1 for w in rows.get("wave", pd.Series("", index=rows.index))],
            _score=-pd.to_numeric(rows.get("challenge_score", pd.Series(0.0, index=rows.index)), errors="coerce").fillna(0),
            # an answer written as a list of lines (joined with " / ") reads worse than a sentence
            _list=rows["text_masked"].astype(str).str.contains(" / ", regex=False).astype(int),
        ).sort_values(["_wave", "_list", "_rep", "_score", "record_id"], kind="mergesort")
        return rows["text_masked"].astype(str).tolist()


def pick_quotes(
    result: AnalysisResult,
    key: str,
    *,
    question: str,
    wave: str | None = None,
    n: int = N_QUOTES,
    exclude: Sequence[str] = (),
    max_chars: int = QUOTE_CHARS,
    pool: QuotePool | None = None,
) -> list[str]:
    """Up to ``n`` printable voices for a challenge (see the module docstring).

    Parameters
    ----------
    result : AnalysisResult
        The run.
    key : str
        Challenge unit (codebook key or ``cluster:<id>``).
    question : str
        The question the answers answer.
    wave : str, optional
        Prefer answers of this wave (the latest).
    n : int, default N_QUOTES
    exclude : sequence of str
        Voices already printed elsewhere (never repeated).
    max_chars : int, default QUOTE_CHARS
    pool : QuotePool, optional
        The run's answers, selected once (:class:`QuotePool` of ``result``); made here when not given.

    Returns
    -------
    list of str
    """
    if pool is None or pool.result is not result:
        pool = QuotePool(result)
    chosen: list[str] = []
    for _position, quote in fresh_quotes(pool.candidates(key, question, wave), max_chars, exclude):
        chosen.append(quote)
        if len(chosen) == n:
            break
    return chosen
