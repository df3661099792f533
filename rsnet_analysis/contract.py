"""The data contract every stage shares: table columns, the result object, defaults and limits.

Every stage imports these names from here and none re-defines them. The flow of a run, and the
table each stage passes forward, is drawn in ``docs/architecture.md``.

Tables
------
* The **raw table** (:mod:`rsnet_analysis.ingest`): :data:`BASE_COLUMNS`, then every other input
  column under its original name; session notes add :data:`NOTE_COLUMNS`. One row per input row
  and free-text question (:data:`QUESTION_COLUMN`); record ids follow :data:`RECORD_ID_SCHEME`.
  Columns that identify a person (name, e-mail, phone) hold a pseudonym, never the value read
  (:data:`PSEUDONYM_PREFIX`); the values themselves are kept, per row, in the private
  :data:`IDENTITY_COLUMN`.
* The **record table** (:mod:`rsnet_analysis.prepare`): the raw table plus ``text_clean``,
  ``text_masked``, ``status`` (one of :data:`STATUSES`) and the cached :data:`TOKEN_COLUMNS`.
* **Challenge columns** (:mod:`rsnet_analysis.challenges`): :data:`CHALLENGE_COLUMNS`.
* **Kind columns** (:mod:`rsnet_analysis.statements`): :data:`KIND_COLUMNS`, the kind of statement
  (one of :data:`KINDS`) of every kept record.
* ``wave`` (:mod:`rsnet_analysis.trends`).

:data:`PRIVATE_COLUMNS` hold unmasked text or internal state; they never leave the process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BASE_COLUMNS",
    "CHALLENGE_COLUMNS",
    "CLUSTER_COLUMNS",
    "DEFAULT_PERIOD",
    "DEFAULT_SEGMENT_COLUMNS",
    "HIDDEN",
    "IDENTITY_COLUMN",
    "KINDS",
    "KIND_COLUMNS",
    "K_MIN",
    "MIN_CELL",
    "MISSING_SEGMENT",
    "NOTE_COLUMNS",
    "OTHER_SEGMENT",
    "PERIODS",
    "NOTE_QUESTION",
    "PRIVATE_COLUMNS",
    "PSEUDONYM_PREFIX",
    "QUESTION_COLUMN",
    "RECORD_ID_SCHEME",
    "STATUSES",
    "SUPPRESSED",
    "TOKEN_COLUMNS",
    "AnalysisResult",
    "AnalysisSettings",
    "challenge_unit",
    "kept_rows",
]

#: Raw-table column naming the free-text question a record answers: the column's header, or the
#: name given with ``--text-col 名前=見出し1|見出し2``; :data:`NOTE_QUESTION` for session notes.
QUESTION_COLUMN = "question"

#: The question of every session-note record.
NOTE_QUESTION = "note"

#: How record ids are formed. ``{stem}`` is the file name without extension (spaces as ``_``;
#: made unique when two inputs share it), ``{row}`` the row as a person sees it (see
#: ``source_row``). A record of the run's first question (and every note) is ``{stem}:{row}``;
#: the n-th question (n >= 2, in the run's question order) adds ``:q{n}``, e.g. ``survey:5:q2``.
#: Ids of a one-question survey are therefore the same as before several questions were read.
RECORD_ID_SCHEME = "{stem}:{row}[:q{n}]"

#: Raw-table column holding, per row, the respondent's own identifying strings (name, e-mail,
#: phone from the export's identity columns, as read) that the masker removes wherever they occur
#: in that row's text: a tuple of str, empty when there are none.
IDENTITY_COLUMN = "identity"

#: Start of the stable pseudonym that replaces every value of an identifying column.
PSEUDONYM_PREFIX = "仮名-"

#: The fixed leading columns of the raw table, in order.
BASE_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_file",
    "source_row",
    "source_type",
    QUESTION_COLUMN,
    "respondent",
    "date",
    "text_original",
    IDENTITY_COLUMN,
)

#: Attribute columns of session-note records.
NOTE_COLUMNS: tuple[str, ...] = ("イベント", "開催日", "グループ", "組織名")

#: Every status a record can have, in reporting order. ``error_value``: the cell holds an Excel
#: error value (``#N/A``, ``#DIV/0!`` …) instead of an answer.
STATUSES: tuple[str, ...] = (
    "kept",
    "empty",
    "non_answer",
    "error_value",
    "duplicate",
    "facilitation",
)

#: The record table's cached tokenisation of every kept answer (``[]`` for the other rows), from
#: the one MeCab pass that also masks it: ``tokens`` (readable terms, compounds joined),
#: ``lemmas`` (content lemmas, the features answers are compared by) and ``token_pos`` (the part of
#: speech, UniDic ``pos1``, of each entry of ``tokens``: same length, interned strings).
TOKEN_COLUMNS: tuple[str, ...] = ("tokens", "lemmas", "token_pos")

#: Columns that hold unmasked text or internal state and never leave the process.
PRIVATE_COLUMNS: tuple[str, ...] = (
    "text_original",
    "text_clean",
    *TOKEN_COLUMNS,
    IDENTITY_COLUMN,
)

#: Per-record columns added by the challenge stage (empty for excluded rows).
CHALLENGE_COLUMNS: tuple[str, ...] = (
    "cluster",
    "cluster_label",
    "challenge",
    "challenge_secondary",
    "challenge_reason",
)

#: The kinds of statement, in reporting order. ``challenge``: a difficulty the member faces;
#: ``practice``: something the member did, does or started; ``result``: an observed outcome of it
#: (often with a number); ``request``: a wish addressed to the network (事例を知りたい, 分科会がほしい);
#: ``facilitation``: a facilitator's or the secretariat's own line in session notes (introduction,
#: agenda, まとめ, 記録), not a member's voice; ``other``: anything else (thanks, greetings, 順調です).
KINDS: tuple[str, ...] = ("challenge", "practice", "result", "request", "facilitation", "other")

#: Per-record columns added by the statements stage: the kind (one of :data:`KINDS`), its
#: confidence in [0, 1] and the reason in Japanese (empty for excluded rows).
KIND_COLUMNS: tuple[str, ...] = ("kind", "kind_confidence", "kind_reason")

#: Columns of the cluster table (``clusters.csv``). ``kind`` is ``named`` (a codebook challenge),
#: ``new`` (a theme the codebook does not know) or ``misc`` (answers that fit nothing).
CLUSTER_COLUMNS: list[str] = [
    "question",
    "cluster",
    "kind",
    "size",
    "share",
    "label",
    "top_terms",
    "challenge",
    "core_terms",
    "representative_record_ids",
    "stability",
]

#: Smallest respondent count that may be shown.
MIN_CELL = 5

#: What a count below :data:`MIN_CELL` shows.
SUPPRESSED = "<5"

#: What a count of :data:`MIN_CELL` or more shows when it is hidden so that no count below
#: :data:`MIN_CELL` can be worked out from a known total (complementary suppression).
HIDDEN = "x"

#: Segment that collects segment values with fewer than ``MIN_CELL`` respondents.
OTHER_SEGMENT = "その他"

#: Segment for respondents whose segment value is empty.
MISSING_SEGMENT = "不明"

#: Attribute headers used as segments when the user names none (those present are used).
DEFAULT_SEGMENT_COLUMNS: tuple[str, ...] = (
    "自治体区分",
    "都道府県",
    "地域",
    "所属部署",
    "役割",
    "職位",
)

#: Accepted ways of binning answers into waves.
PERIODS: tuple[str, ...] = ("year", "fiscal", "half", "quarter", "file")

#: The period used when the user names none.
DEFAULT_PERIOD = "year"

#: Smallest number of clusters a user may ask for (``--k``).
K_MIN = 2


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything that determines a run's result (recorded in ``summary.json``).

    Parameters
    ----------
    inputs : tuple of str
        Files or folders to read. Empty means the bundled sample data.
    text_cols : tuple of str
        The free-text questions, each a column name or ``名前=見出し1|見出し2`` (one question
        whose header is worded differently in different files). Empty lets the reader find
        every free-text column and say which.
    questions : str or None
        Path of a CSV mapping headers to questions (columns ``question,header``), read after
        ``text_cols``.
    id_col : str or None
        The answer id column (kept as it is; never used to tell respondents apart).
    respondent_col : str or None
        The column naming the person who answered. None: the respondent is the
        municipality and department (columns such as 自治体名 and 所属部署).
    time_col : str or None
        The answer date column; None lets the reader detect it and say which.
    segment_cols : tuple of str
        Attribute columns to compare challenges across. Empty uses those of
        :data:`DEFAULT_SEGMENT_COLUMNS` that are present.
    k : int or "auto"
        Number of clusters (at least :data:`K_MIN`), or ``"auto"``.
    period : str
        How to bin answers into waves, one of :data:`PERIODS`.
    codebook : str or None
        Path of a user codebook YAML; None uses the shipped one.
    seed : int
        Seed for everything random.
    sheet : str or None
        Excel sheet name; None reads the first sheet.
    name_municipalities : bool
        Credit practices and list sub-group members by municipality in the reports (off: no
        municipality is named anywhere in the report files).
    """

    inputs: tuple[str, ...] = ()
    text_cols: tuple[str, ...] = ()
    questions: str | None = None
    id_col: str | None = None
    respondent_col: str | None = None
    time_col: str | None = None
    segment_cols: tuple[str, ...] = ()
    k: int | str = "auto"
    period: str = DEFAULT_PERIOD
    codebook: str | None = None
    seed: int = 0
    sheet: str | None = None
    name_municipalities: bool = True

    @classmethod
    def from_parameters(cls, **values: Any) -> AnalysisSettings:
        """Settings from a notebook's parameters cell, however papermill passed them.

        ``inputs``, ``text_cols`` and ``segment_cols`` may be a list, one string, or a string that
        holds a JSON list (``-p inputs '["a.xlsx"]'`` passes the list as text); ``k`` may be
        ``"auto"`` or a number as text.

        Examples
        --------
        >>> AnalysisSettings.from_parameters(inputs='["../a.xlsx", "../b.csv"]', k="8").inputs
        ('../a.xlsx', '../b.csv')
        """
        import json

        def as_tuple(value: Any) -> tuple[str, ...]:
            if value is None:
                return ()
            if isinstance(value, str):
                text = value.strip()
                if text.startswith("["):
                    value = json.loads(text)
                else:
                    return (text,) if text else ()
            return tuple(str(v) for v in value)

        for name in ("inputs", "text_cols", "segment_cols"):
            if name in values:
                values[name] = as_tuple(values[name])
        if isinstance(values.get("k"), str) and values["k"].strip().isdigit():
            values["k"] = int(values["k"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-serialisable data."""
        data = asdict(self)
        data["inputs"] = list(self.inputs)
        data["text_cols"] = list(self.text_cols)
        data["segment_cols"] = list(self.segment_cols)
        return data


@dataclass
class AnalysisResult:
    """The result of one run: plain tables, ready to write or show.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per input row (kept or excluded), with challenge columns.
    clusters : pandas.DataFrame
        One row per cluster (``clusters.csv``).
    counts : pandas.DataFrame
        The one table of counts (:func:`rsnet_analysis.trends.challenge_counts`, suppressed):
        every count and share any output shows comes from it.
    trends, segments, emerging, subgroups : pandas.DataFrame
        Views of the counts (trends, emerging), segment comparisons and proposed sub-groups, with
        small cells already suppressed.
    practices : pandas.DataFrame
        Members' practices, results and requests with their challenge and municipality
        (:func:`rsnet_analysis.trends.practice_rows`).
    summary : dict
        Row accounting, settings and versions (``summary.json``).
    notices : list of str
        Messages for the user (for example which column was chosen as free text).
    extras : dict
        Objects the reports need besides the tables: ``codebook`` (the
        :class:`~rsnet_analysis.challenges.Codebook` used) and ``segment_cols``.
    """

    records: pd.DataFrame
    clusters: pd.DataFrame
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    subgroups: pd.DataFrame = field(default_factory=pd.DataFrame)
    practices: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


def kept_rows(records: pd.DataFrame) -> pd.DataFrame:
    """The kept rows (all rows when there is no ``status`` column)."""
    if "status" not in records.columns:
        return records
    return records[records["status"] == "kept"]


def challenge_unit(records: pd.DataFrame) -> pd.Series:
    """The challenge each record is counted under.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table with ``challenge`` and ``cluster``.

    Returns
    -------
    pandas.Series
        The codebook key when there is one, else ``cluster:<id>`` (an unnamed challenge is tracked by
        its cluster), else ``""`` (no cluster: excluded rows). Only the primary challenge is used.
    """
    n = len(records)
    named = np.full(n, "", dtype=object)
    if "challenge" in records:
        named = records["challenge"].fillna("").astype(str).to_numpy(dtype=object)
    units = named.copy()
    if "cluster" in records:
        cluster = records["cluster"].astype("Int64")
        free = (named == "") & cluster.notna().to_numpy()
        ids, inverse = np.unique(cluster.to_numpy()[free].astype(np.int64), return_inverse=True)
        units[free] = np.array([f"cluster:{i}" for i in ids], dtype=object)[inverse]
    return pd.Series(units, index=records.index, name="challenge", dtype=object)
