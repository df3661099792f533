"""The one table of counts every output is formatted from.

:func:`challenge_counts` counts, for every question, source, wave and challenge:

- **survey answers** in **respondents**: a respondent whose answers of one wave raise the same
  challenge counts once; ``base`` is the respondents of the wave who answered the question, and
  ``share = n / base`` with a 95 % Wilson interval;
- **session notes** in **statements**, per event (イベント): members' statements whose primary
  challenge it is, over the members' statements of the event (facilitator lines are set aside
  before, see :mod:`rsnet_analysis.prepare.status`). Statements are never added to respondents.

A row with ``wave == ALL_WAVES`` pools the waves (a respondent of two waves counts in each).
Survey rows with a ``segment_col`` break the pooled rows down by a segment (自治体区分, 地域 …):
``base`` is the segment's respondents, ``expected`` the count expected if the segment did not
matter, ``residual`` the adjusted standardised residual (KH Coder style) and ``p_residual`` its
two-sided p-value, Benjamini–Hochberg adjusted within the question's table for that segment
column; ``chi2``, ``dof`` and ``p_table`` test the whole table (Pearson, no continuity correction).

For survey rows with a previous wave, ``change`` is the share minus the previous wave's share, and
``p_value`` the two-sided test of equal proportions (pooled z-test when every expected count is at
least 5, else Fisher's exact test: ``test``); ``p_adj`` is Benjamini–Hochberg adjusted over all
comparisons of the run. ``direction`` says what the reports may say: ``増`` or ``減`` only when
``p_adj < ALPHA``, ``新規`` when a significant increase starts from fewer than 5 respondents,
``横ばい`` otherwise (``""`` for a first wave).

The table arrives raw; :func:`suppress_counts` hides every count below
:data:`~rsnet_analysis.contract.MIN_CELL` (zero included) as ``"<5"`` and, so that no hidden count
can be worked out by subtraction, hides further counts as ``"x"`` wherever a sum is known
(:func:`~rsnet_analysis.privacy.linked_suppression` over the waves, the pooled rows and the
segment rows together); every figure derived from a hidden count is blanked. Only the suppressed
table is written or shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from rsnet_analysis.contract import (
    HIDDEN,
    MIN_CELL,
    NOTE_QUESTION,
    QUESTION_COLUMN,
    SUPPRESSED,
    challenge_unit,
    kept_rows,
)
from rsnet_analysis.privacy import linked_suppression
from rsnet_analysis.trends.segments import segment_key
from rsnet_analysis.trends.stats import (
    adjusted_residuals,
    bh_adjust,
    two_proportion_test,
    wilson_interval,
)
from rsnet_analysis.trends.waves import wave_order

__all__ = [
    "ALL_WAVES",
    "ALPHA",
    "COUNT_COLUMNS",
    "KEY_COLUMNS",
    "PRACTICE_KINDS",
    "challenge_counts",
    "suppress_counts",
]

#: Significance level of the change and residual tests (after Benjamini–Hochberg adjustment).
ALPHA = 0.05
#: The ``wave`` of the rows that pool every wave.
ALL_WAVES = "全体"

#: What identifies a row of the table. ``statement`` is ``challenge`` (respondents who raise the
#: challenge: statements of the kinds challenge, request and other) or ``practice`` (respondents who
#: report a practice or a result on it).
KEY_COLUMNS = ["question", "source", "statement", "wave", "segment_col", "segment", "challenge"]

#: Kinds of statement (:data:`~rsnet_analysis.contract.KINDS`) counted as what members did.
PRACTICE_KINDS = ("practice", "result")

COUNT_COLUMNS = [
    *KEY_COLUMNS,
    "name",
    "kind",
    "n",
    "base",
    "share",
    "ci_low",
    "ci_high",
    "previous_wave",
    "n_previous",
    "share_previous",
    "change",
    "p_value",
    "p_adj",
    "test",
    "direction",
    "expected",
    "residual",
    "p_residual",
    "chi2",
    "dof",
    "p_table",
]

_DERIVED = {
    "share": ("n",),
    "ci_low": ("n",),
    "ci_high": ("n",),
    "share_previous": ("n_previous",),
    "change": ("n", "n_previous"),
    "p_value": ("n", "n_previous"),
    "p_adj": ("n", "n_previous"),
    "expected": ("n",),
    "residual": ("n",),
    "p_residual": ("n",),
}


def _units(records: pd.DataFrame, waves: pd.Series, segment_cols: Sequence[str]) -> pd.DataFrame:
    """Kept rows as (question, source, wave, who, unit) plus their segment values."""
    used = (QUESTION_COLUMN, "source_type", "respondent", "record_id", "challenge", "cluster", "kind", "イベント", "status")
    kept = kept_rows(records[[c for c in dict.fromkeys([*used, *segment_cols]) if c in records.columns]])
    question = (
        kept[QUESTION_COLUMN].fillna("").astype(str)
        if QUESTION_COLUMN in kept
        else pd.Series("", index=kept.index)
    )
    source = kept["source_type"].fillna("survey").astype(str) if "source_type" in kept else "survey"
    frame = pd.DataFrame(
        {
            "question": question,
            "source": source,
            "wave": waves.reindex(kept.index).fillna("").astype(str),
            "who": kept["respondent"].fillna("").astype(str),
            "record": kept["record_id"].astype(str),
            "unit": challenge_unit(kept),
            "statement": _statement(kept),
        },
        index=kept.index,
    )
    for col in segment_cols:
        values = kept[col] if col in kept else pd.Series("", index=kept.index)
        frame[f"seg:{col}"] = values.fillna("").astype(str).str.strip()
    notes = frame["source"] == "note"
    if notes.any():
        event = kept["イベント"].fillna("").astype(str) if "イベント" in kept else frame["wave"]
        frame.loc[notes, "wave"] = event[notes].where(event[notes] != "", frame.loc[notes, "wave"])
        frame.loc[notes, "who"] = frame.loc[notes, "record"]  # a statement is counted, not a person
        frame.loc[notes, "question"] = NOTE_QUESTION
    return frame[(frame["unit"] != "") & (frame["wave"] != "")]


def _statement(kept: pd.DataFrame) -> pd.Series:
    """``challenge``, ``practice`` or ``""`` (a facilitator's line: not counted) of every record."""
    if "kind" not in kept:
        return pd.Series("challenge", index=kept.index)
    kind = kept["kind"].fillna("").astype(str)
    out = pd.Series("challenge", index=kept.index)
    out[kind.isin(PRACTICE_KINDS)] = "practice"
    out[kind == "facilitation"] = ""
    return out


def _row(wave: str, unit: str, n: int, base: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "wave": wave, "segment_col": "", "segment": "", "challenge": unit, "n": n, "base": base,
        "previous_wave": "", "n_previous": np.nan, "base_previous": np.nan,
    }
    row.update(extra)
    return row


def _wave_block(part: pd.DataFrame, order: list[str], units: list[str], statement: str) -> list[dict[str, object]]:
    """Rows of one (question, source, statement): every wave x unit, then the pooled rows.

    The base is everyone who answered (every statement of the event); ``n`` counts those whose
    statements of the kind ``statement`` raise the unit.
    """
    people = part.drop_duplicates(["wave", "who"])
    base = people.groupby("wave").size()
    mine = part[part["statement"] == statement]
    counted = mine.drop_duplicates(["wave", "who", "unit"]).groupby(["wave", "unit"]).size()
    rows: list[dict[str, object]] = []
    for position, wave in enumerate(order):
        previous = order[position - 1] if position > 0 else ""
        for unit in units:
            rows.append(
                _row(
                    wave, unit, int(counted.get((wave, unit), 0)), int(base.get(wave, 0)),
                    previous_wave=previous,
                    n_previous=int(counted.get((previous, unit), 0)) if previous else np.nan,
                    base_previous=int(base.get(previous, 0)) if previous else np.nan,
                )
            )
    pooled = mine.drop_duplicates(["wave", "who", "unit"]).groupby("unit").size()
    rows += [_row(ALL_WAVES, unit, int(pooled.get(unit, 0)), int(len(people))) for unit in units]
    for row in rows:
        row["statement"] = statement
    return rows


def _segment_block(
    part: pd.DataFrame, col: str, units: list[str], codes: tuple[np.ndarray, np.ndarray, list[str]]
) -> list[dict[str, object]]:
    """Pooled survey rows of one question broken down by one segment column, with residuals.

    A respondent of a wave takes the first non-empty value of the column among their answers
    (in the order of the records); ``base`` counts the respondents of each segment, and the
    observed counts the respondents raising each unit in a challenge statement. ``codes``
    (:func:`_block_codes`, the same for every segment column of the question) number each row's
    (wave, respondent) and unit, so that the counting is done on integers.
    """
    values = part[f"seg:{col}"].to_numpy(dtype=object)
    filled_rows = np.flatnonzero(values != "")
    if not len(filled_rows):
        return []
    who, unit_codes, unit_names = codes
    keys, first = np.unique(who[filled_rows], return_index=True)
    first_values = values[filled_rows[first]]
    base = pd.Series(first_values).value_counts()
    segments = sorted(base.index, key=segment_key)
    column_of = {segment: j for j, segment in enumerate(segments)}
    segment_column = np.full(int(who.max()) + 1, -1, dtype=np.intp)  # of each (wave, respondent)
    segment_column[keys] = [column_of[v] for v in first_values]
    unit_row = np.array([units.index(u) for u in unit_names], dtype=np.intp)
    raising = (part["statement"].to_numpy(dtype=object) == "challenge") & (segment_column[who] >= 0)
    pairs = np.unique(who[raising] * len(unit_names) + unit_codes[raising])  # distinct (respondent, unit)
    observed = np.zeros((len(units), len(segments)), dtype=float)
    np.add.at(observed, (unit_row[pairs % len(unit_names)], segment_column[pairs // len(unit_names)]), 1.0)
    chi2 = dof = p_table = np.nan
    expected = np.full(observed.shape, np.nan)
    residual = np.full(observed.shape, np.nan)
    filled = observed.sum(axis=0) > 0
    raised = observed.sum(axis=1) > 0  # a unit raised by nobody here (only practices on it)
    if raised.sum() >= 2 and filled.sum() >= 2:
        sub = observed[np.ix_(raised, filled)]
        test = stats.chi2_contingency(sub, correction=False)
        chi2, dof, p_table = float(test.statistic), float(test.dof), float(test.pvalue)
        expected[np.ix_(raised, filled)] = test.expected_freq
        residual[np.ix_(raised, filled)] = adjusted_residuals(sub)
    p_residual = bh_adjust(2 * stats.norm.sf(np.abs(residual)).ravel()).reshape(observed.shape)
    rows = []
    for j, segment in enumerate(segments):
        for i, unit in enumerate(units):
            rows.append(
                _row(
                    ALL_WAVES, unit, int(observed[i, j]), int(base[segment]), statement="challenge", segment_col=col, segment=segment,
                    expected=expected[i, j], residual=residual[i, j], p_residual=p_residual[i, j],
                    chi2=chi2, dof=dof, p_table=p_table,
                )
            )
    return rows


def _block_codes(part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Integer codes of each row's (wave, respondent) and unit, and the unit of each code."""
    who = part.groupby(["wave", "who"], sort=False).ngroup().to_numpy(dtype=np.int64)
    unit_codes, unit_names = pd.factorize(part["unit"], sort=False)
    return who, unit_codes.astype(np.int64), [str(u) for u in unit_names]


def _tests(table: pd.DataFrame) -> pd.DataFrame:
    """Shares, intervals, changes, tests, BH adjustment and the allowed wording."""
    table["share"] = table["n"] / table["base"].where(table["base"] > 0)
    low, high = wilson_interval(table["n"].to_numpy(float), table["base"].to_numpy(float))
    table["ci_low"], table["ci_high"] = low, high
    has_prev = table["previous_wave"].astype(str) != ""
    previous_base = table["base_previous"].where(table["base_previous"] > 0)
    table["share_previous"] = np.where(has_prev, table["n_previous"] / previous_base, np.nan)
    table["change"] = np.where(has_prev, table["share"] - table["share_previous"], np.nan)
    tested = has_prev & (table["source"] == "survey") & (table["statement"] == "challenge")
    tests = [
        two_proportion_test(int(r.n), int(r.base), int(r.n_previous), int(r.base_previous)) if t else (np.nan, "")
        for r, t in zip(table.itertuples(index=False), tested, strict=True)
    ]
    table["p_value"] = [p for p, _ in tests]
    table["test"] = [t for _, t in tests]
    table["p_adj"] = bh_adjust(table["p_value"].to_numpy(float))
    significant = table["p_adj"] < ALPHA
    up, down = significant & (table["change"] > 0), significant & (table["change"] < 0)
    direction = np.where(tested, "横ばい", "")
    direction = np.where(up, "増", direction)
    direction = np.where(up & (table["n_previous"] < MIN_CELL), "新規", direction)
    table["direction"] = np.where(down, "減", direction)
    return table


def challenge_counts(
    records: pd.DataFrame,
    waves: pd.Series,
    *,
    names: Mapping[str, str],
    kinds: Mapping[str, str],
    segment_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """The raw table of counts (see the module docstring); suppress it before showing it.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with challenge columns (only kept rows are counted). Segment values
        with fewer than 5 respondents should already be written as その他.
    waves : pandas.Series
        Wave of every record (:func:`~rsnet_analysis.trends.assign_waves`); notes use their event.
    names, kinds : mapping of str to str
        Display name and kind (``named``, ``new``, ``misc``) of every challenge unit.
    segment_cols : sequence of str, default ()
        Segment columns to break the pooled survey rows down by (missing ones are skipped).

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS` plus ``base_previous``: questions in the order the records ask
        them (session notes last), then source, waves in order (the pooled rows last) and the
        segment rows after them, then challenge.
    """
    cols = [c for c in segment_cols if c in records.columns]
    frame = _units(records, waves, cols)
    rows: list[dict[str, object]] = []
    # questions in the order the run asks them, session notes last
    asked = sorted(dict.fromkeys(frame["question"]), key=lambda q: q == NOTE_QUESTION)
    for question, source in ((q, s) for q in asked for s in sorted(set(frame.loc[frame["question"] == q, "source"]))):
        part = frame[(frame["question"] == question) & (frame["source"] == source)]
        order = wave_order(part["wave"]) if source == "note" else wave_order(part["wave"], records)
        units = sorted(set(part["unit"]))
        block = _wave_block(part, order, units, "challenge")
        if (part["statement"] == "practice").any():
            block += _wave_block(part, order, units, "practice")
        if source == "survey" and cols:
            codes = _block_codes(part)
            for col in cols:
                block += _segment_block(part, col, units, codes)
        for row in block:
            row.update(question=question, source=source)
        rows += block
    if not rows:
        return pd.DataFrame(columns=[*COUNT_COLUMNS, "base_previous"])
    table = pd.DataFrame(rows).reindex(columns=[*COUNT_COLUMNS, "base_previous"])
    for col in ("expected", "residual", "p_residual", "chi2", "dof", "p_table"):
        table[col] = table[col].astype(float)
    table = _tests(table)
    table["name"] = [names.get(u, u) for u in table["challenge"]]
    table["kind"] = [kinds.get(u, "") for u in table["challenge"]]
    return table.reset_index(drop=True)


def _line_keys(table: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """(question, source, segment column, segment, wave) of every row: the rows that share a base."""
    return list(zip(table["question"], table["source"], table["segment_col"], table["segment"], table["wave"], strict=True))


def _equations(table: pd.DataFrame, min_cell: int) -> tuple[np.ndarray, list[list[int]]]:
    """The cells (every count, then every base) and the sums a reader knows (see the module docstring)."""
    n_rows = len(table)
    lines = _line_keys(table)
    base_cell: dict[tuple[str, str, str, str, str], int] = {}
    first_row: list[int] = []
    grouped: dict[tuple[str, ...], list[int]] = {}
    pooled: dict[tuple[str, str, str, str], int] = {}
    for i, (line, unit, kind) in enumerate(zip(lines, table["challenge"], table["statement"], strict=True)):
        if line not in base_cell:
            base_cell[line] = n_rows + len(base_cell)
            first_row.append(i)
        q, s, col, _segment, wave = line
        grouped.setdefault(("line", kind, *line), []).append(i)  # the challenges of a line add up to its base
        if col == "" and wave == ALL_WAVES:
            pooled[(q, s, kind, unit)] = i
        elif col == "":
            grouped.setdefault(("waves", q, s, kind, unit), []).append(i)  # the waves of a challenge: its pooled count
        else:
            grouped.setdefault(("segments", q, s, kind, col, unit), []).append(i)  # so do its segments
    equations: list[list[int]] = []
    n = table["n"].to_numpy(float)
    base = table["base"].to_numpy(float)
    for key, cells in grouped.items():
        if key[0] == "line":
            # a respondent may raise several challenges, or none of this kind: the line then adds up to
            # more or less than its base by a difference the reader does not know; with a difference of
            # min_cell or more, a hidden count below min_cell is bounded by nothing it could not be
            if abs(n[cells].sum() - base[cells[0]]) < min_cell:
                equations.append([*cells, base_cell[key[2:]]])  # type: ignore[index]
        else:
            equations.append([*cells, pooled[(key[1], key[2], key[3], key[-1])]])
    sizes: dict[tuple[str, str, str], list[int]] = {}
    for (q, s, col, _segment, wave), cell in base_cell.items():
        if not (col == "" and wave == ALL_WAVES):
            sizes.setdefault((q, s, col), []).append(cell)
    for (q, s, _col), cells in sizes.items():  # wave and segment sizes add up to the pooled size
        equations.append([*cells, base_cell[(q, s, "", "", ALL_WAVES)]])
    return np.concatenate([n, base[first_row]]), equations


_KIND_WEIGHT = {"new": 2.0, "named": 1.0, "misc": 0.5}


def _weights(table: pd.DataFrame, n_cells: int) -> np.ndarray:
    """What each cell is worth showing, for the choice of partner cells.

    A wave's counts most (the latest most of all), then the segment counts, the pooled counts
    least; a new theme's counts more, the miscellany's less; a base is hidden last of all.
    """
    weights = np.ones(n_cells)
    overall = (table["segment_col"] == "").to_numpy()
    by_wave = overall & (table["wave"] != ALL_WAVES).to_numpy()
    weights[: len(table)][by_wave] = 10.0
    for (_q, _s), part in table[by_wave].groupby(["question", "source"], sort=False):
        latest = part["wave"] == part["wave"].iloc[-1]
        weights[part.index[latest.to_numpy()]] = 100.0
    weights[: len(table)][~overall] = 2.0
    # within a line, a new theme is the news and the miscellany the least of it
    weights[: len(table)] *= table["kind"].map(_KIND_WEIGHT).fillna(1.0).to_numpy(float)
    weights[len(table) :] = 1000.0  # a base is hidden last: every share shown would give it away
    return weights


def suppress_counts(table: pd.DataFrame, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Hide counts below ``min_cell`` and every count that would let a reader work one out.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`challenge_counts`.
    min_cell : int, default MIN_CELL

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`; a count below ``min_cell`` is ``"<5"``, a count hidden so that no
        such count can be worked out is ``"x"``; shares, intervals, changes, tests and residuals
        of a hidden count are blank, and so is a ``direction`` whose count is hidden.
    """
    if table.empty:
        return table.reindex(columns=COUNT_COLUMNS).copy()
    values, equations = _equations(table, min_cell)
    hidden = linked_suppression(values, equations, min_cell, weights=_weights(table, len(values)))
    n_rows = len(table)
    small = values < min_cell
    marks = np.where(small, SUPPRESSED, HIDDEN)
    out = table.copy()
    cell = ["question", "source", "statement", "segment_col", "segment", "wave", "challenge"]
    at = {k: i for i, k in enumerate(zip(*(out[c] for c in cell), strict=True))}
    previous_cell = ["previous_wave" if col == "wave" else col for col in cell]
    prev = np.array([at.get(k, -1) for k in zip(*(out[col] for col in previous_cell), strict=True)])
    masks = {"n": hidden[:n_rows], "n_previous": np.where(prev >= 0, hidden[np.maximum(prev, 0)], False)}
    for derived, sources in _DERIVED.items():
        mask = np.zeros(n_rows, dtype=bool)
        for source in sources:
            mask |= masks[source]
        out[derived] = out[derived].astype(float).mask(mask)
    out["n"] = out["n"].astype(object).where(~masks["n"], marks[:n_rows])
    previous_marks = np.where(prev >= 0, marks[np.maximum(prev, 0)], "")
    out["n_previous"] = out["n_previous"].astype(object).where(~masks["n_previous"], previous_marks)
    out.loc[prev < 0, "n_previous"] = ""
    # no wording on a change whose either count is hidden (a 新規 rise from below 5 keeps its word)
    out.loc[masks["n"] | (masks["n_previous"] & (previous_marks == HIDDEN)), "direction"] = ""
    line_keys = _line_keys(out)
    base_cell = {k: n_rows + i for i, k in enumerate(dict.fromkeys(line_keys))}
    base_at = np.array([base_cell[k] for k in line_keys])
    out["base"] = out["base"].astype(object).where(~hidden[base_at], marks[base_at])
    return out[COUNT_COLUMNS].reset_index(drop=True)
