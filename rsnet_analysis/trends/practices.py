"""Members' own practices and results (事例・成果), tied to the challenge they address.

Every kept statement whose kind (:mod:`rsnet_analysis.statements`) is a practice or a result is
tied to its challenge unit (the challenge the challenge stage gave it: a codebook key, or a new
theme of its question, matched across questions by its name) and attributed to its municipality
(the survey's 自治体名, or the municipality part of a note's 組織名: 「松本市 DX推進課」 → 松本市);
a person is never named. :func:`practice_rows` lists them (the 事例・成果 sheet and the report's
examples are selections of it); :func:`pair_practices` proposes who should meet whom: members
who raise a challenge with members who reported a practice or result on it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

from rsnet_analysis.contract import (
    MIN_CELL,
    NOTE_QUESTION,
    QUESTION_COLUMN,
    challenge_unit,
    kept_rows,
)
from rsnet_analysis.ingest import REGIONS
from rsnet_analysis.trends.counts import PRACTICE_KINDS
from rsnet_analysis.trends.subgroups import (
    MAX_MEMBERS,
    SUBGROUP_COLUMNS,
    municipality_places,
    split_by_place,
)

__all__ = ["PRACTICE_COLUMNS", "municipality_names", "pair_practices", "practice_rows"]

PRACTICE_COLUMNS = [
    "question",
    "source",
    "kind",
    "challenge",
    "name",
    "municipality",
    "wave",
    "text_masked",
    "kind_confidence",
    "kind_reason",
    "record_id",
]

_MUNICIPALITY_RE = re.compile(r"^(\S{1,12}?(?:都|道|府|県|市|区|町|村))(?:[\s　]|$)")


def municipality_names(records: pd.DataFrame) -> pd.Series:
    """The municipality of every record: 自治体名, else the municipality at the start of 組織名.

    Parameters
    ----------
    records : pandas.DataFrame

    Returns
    -------
    pandas.Series
        ``""`` where none is known (a person's name is never taken: only an organisation
        ending in 都・道・府・県・市・区・町・村).
    """
    out = pd.Series("", index=records.index, dtype=object)
    if "自治体名" in records:
        out = records["自治体名"].fillna("").astype(str).str.strip()
    if "組織名" in records:
        orgs = records["組織名"].fillna("").astype(str).map(lambda s: unicodedata.normalize("NFKC", s).strip())
        parsed = orgs.map(lambda s: m.group(1) if (m := _MUNICIPALITY_RE.match(s)) else "")
        out = out.where(out != "", parsed)
    return out


def linked_units(rows: pd.DataFrame, themes: Mapping[str, tuple[str, ...]] | None = None) -> pd.Series:
    """The challenge unit each statement is tied to.

    Its own unit, except that a statement naming a new theme of another question (「生成AIの
    利用ガイドラインを作りました」 in the practice question, where the survey's first question found
    the theme 生成AI) is tied to that theme: a practice question has too few statements of a theme
    to find it on its own.
    """
    units = challenge_unit(rows)
    if not themes:
        return units
    texts = rows["text_masked"].fillna("").astype(str)
    out = []
    for unit, text in zip(units, texts, strict=True):
        if unit in themes:
            out.append(unit)
            continue
        hit = next((theme for theme, words in themes.items() if any(w in text for w in words)), None)
        out.append(hit or unit)
    return pd.Series(out, index=rows.index, dtype=object)


def practice_rows(
    records: pd.DataFrame,
    names: Mapping[str, str],
    *,
    themes: Mapping[str, tuple[str, ...]] | None = None,
    kinds: tuple[str, ...] = (*PRACTICE_KINDS, "request"),
    linked: pd.Series | None = None,
) -> pd.DataFrame:
    """Kept practices, results and requests with their challenge and municipality.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with challenge and kind columns.
    names : mapping
        Display name of every challenge unit.
    themes : mapping, optional
        New theme to the words that name it (:func:`linked_units`).
    kinds : tuple of str
        Kinds of statement to list.
    linked : pandas.Series, optional
        :func:`linked_units` of the kept records, when already known.

    Returns
    -------
    pandas.DataFrame
        :data:`PRACTICE_COLUMNS`, ordered by kind (practice, result, request), challenge name,
        then record id; ``challenge`` is the unit, ``name`` its display name.
    """
    kept = kept_rows(records)
    if "kind" not in kept or kept.empty:
        return pd.DataFrame(columns=PRACTICE_COLUMNS)
    rows = kept[kept["kind"].isin(kinds)]
    units = linked_units(rows, themes) if linked is None else linked.reindex(rows.index)
    table = pd.DataFrame(
        {
            "question": rows[QUESTION_COLUMN].fillna("").astype(str) if QUESTION_COLUMN in rows else "",
            "source": rows["source_type"].fillna("survey").astype(str) if "source_type" in rows else "survey",
            "kind": rows["kind"].astype(str),
            "challenge": units,
            "name": [names.get(u, u) for u in units],
            "municipality": municipality_names(rows),
            "wave": rows["wave"].fillna("").astype(str) if "wave" in rows else "",
            "text_masked": rows["text_masked"].astype(str),
            "kind_confidence": pd.to_numeric(rows.get("kind_confidence"), errors="coerce"),
            "kind_reason": rows["kind_reason"].fillna("").astype(str) if "kind_reason" in rows else "",
            "record_id": rows["record_id"].astype(str),
        },
        index=rows.index,
    )
    table.loc[table["source"] == "note", "question"] = NOTE_QUESTION
    order = {k: i for i, k in enumerate(kinds)}
    table = table.assign(_k=table["kind"].map(order)).sort_values(["_k", "name", "record_id"], kind="mergesort")
    return table.drop(columns="_k").reset_index(drop=True)


def pair_practices(
    records: pd.DataFrame,
    names: Mapping[str, str],
    *,
    themes: Mapping[str, tuple[str, ...]] | None = None,
    min_members: int = MIN_CELL,
    max_members: int = MAX_MEMBERS,
    max_reporters: int = 3,
    linked: pd.Series | None = None,
) -> pd.DataFrame:
    """Who should meet whom: members who raise a challenge, with members who did something about it.

    For every challenge raised by at least ``min_members`` municipalities and on which at least
    one municipality reported a practice or result, one group (split by place when it has more
    than ``max_members`` members) lists the municipalities that raise it (``members``) and up to
    ``max_reporters`` that reported on it (``reporters``: those of the members' own regions
    first, then by name; never a member of the group itself). Challenges are matched across
    questions by their name (a new theme of the practice question named 「生成AI」 is the
    challenge 「生成AI」 of the first question).

    Parameters
    ----------
    records : pandas.DataFrame
    names : mapping
        Display name of every challenge unit.
    min_members, max_members : int
    linked : pandas.Series, optional
        :func:`linked_units` of the kept records, when already known.

    Returns
    -------
    pandas.DataFrame
        :data:`~rsnet_analysis.trends.subgroups.SUBGROUP_COLUMNS` with ``kind == "pairing"``,
        groups ``P1, P2, …`` ordered by the number of members, then name; ``shared_challenges``
        holds the challenge's unit.
    """
    kept = kept_rows(records)
    if "kind" not in kept or kept.empty:
        return pd.DataFrame(columns=SUBGROUP_COLUMNS)
    units = linked_units(kept, themes) if linked is None else linked.reindex(kept.index)
    frame = pd.DataFrame(
        {
            "m": municipality_names(kept),
            "name": [names.get(u, u) for u in units],
            "unit": units,
            "kind": kept["kind"].fillna("").astype(str),
        }
    )
    frame = frame[(frame["m"] != "") & (frame["unit"] != "")]
    place = municipality_places(kept)
    regions = {m: REGIONS[r] for m, (r, _p) in place.items() if r < len(REGIONS)}
    rows = []
    for name, part in frame.groupby("name", sort=True):
        holders = sorted(set(part.loc[part["kind"].isin(["challenge", "request"]), "m"]))
        reporters = sorted(set(part.loc[part["kind"].isin(PRACTICE_KINDS), "m"]))
        unit = part.loc[part["kind"].isin(["challenge", "request"]), "unit"]
        if len(holders) < min_members or not reporters or unit.empty:
            continue
        shared = unit.mode().sort_values().iloc[0]
        for members in split_by_place(holders, place, max_members):
            home = {regions.get(m) for m in members}
            others = [r for r in reporters if r not in members]
            chosen = sorted(others, key=lambda r: (regions.get(r) not in home, r))[:max_reporters]
            if not chosen:
                continue
            rows.append(
                {
                    "kind": "pairing",
                    "shared_challenges": shared,
                    "members": "、".join(members),
                    "reporters": "、".join(chosen),
                    "regions": "、".join(sorted({regions[m] for m in members if m in regions}, key=REGIONS.index)),
                    "n_members": len(members),
                    "_name": str(name),
                }
            )
    rows.sort(key=lambda r: (-int(str(r["n_members"])), str(r["_name"]), str(r["members"])))
    for i, row in enumerate(rows, start=1):
        row["group"] = f"P{i}"
        row.pop("_name")
    return pd.DataFrame(rows, columns=SUBGROUP_COLUMNS)
