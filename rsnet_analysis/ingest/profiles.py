"""One pass over each column: what its values look like (length, uniqueness, numbers, dates).

Column-role detection asks the same questions of every column several times (is it free text,
is it a date, is it a running number). :func:`profile_sheet` answers them once per column, so a
file with thousands of columns is read in time linear in its cells; dates are parsed lazily and
stop as soon as the answer is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rsnet_analysis.ingest.dates import parse_date
from rsnet_analysis.ingest.sheets import Sheet

__all__ = ["ColumnProfile", "profile_sheet"]

_NUMERIC_RE = re.compile(r"[\d.,\-+\s]+")
_SENTENCE_RE = re.compile(r"[。、，,！？!?]")
_DATE_SHARE = 0.8


@dataclass
class ColumnProfile:
    """What the filled cells of one column look like.

    Attributes
    ----------
    index : int
        Position in the header.
    name : str
        The header.
    filled : list of str
        The non-blank values, stripped, in row order.
    mean_len : float
        Mean length of the filled values (0 when none).
    unique_share : float
        Distinct filled values over filled values (0 when none).
    numeric : bool
        Every filled value is a number.
    sentence_share : float
        Share of filled values that read like sentences (punctuation, or 25+ characters).
    """

    index: int
    name: str
    filled: list[str]
    mean_len: float
    unique_share: float
    numeric: bool
    sentence_share: float
    _dates: bool | None = field(default=None, repr=False)

    @property
    def mostly_dates(self) -> bool:
        """Whether at least 80 % of the filled values read as dates (parsed once, lazily)."""
        if self._dates is None:
            self._dates = _mostly_dates(self.filled)
        return self._dates

    @property
    def eligible_text(self) -> bool:
        """Mostly unique, not numbers, not dates: could hold free text."""
        return bool(self.filled) and self.unique_share >= 0.5 and not self.numeric and not self.mostly_dates


def _mostly_dates(values: list[str]) -> bool:
    """At least 80 % dates; stops at the first value that settles it."""
    if not values:
        return False
    allowed = int(len(values) * (1 - _DATE_SHARE) + 1e-9)
    misses = 0
    for value in values:
        if parse_date(value) is None:
            misses += 1
            if misses > allowed:
                return False
    return True


def _profile(index: int, name: str, values: tuple[str, ...]) -> ColumnProfile:
    filled = [s for s in (v.strip() for v in values) if s]
    n = len(filled)
    lengths = sum(len(v) for v in filled)
    return ColumnProfile(
        index=index,
        name=name,
        filled=filled,
        mean_len=lengths / n if n else 0.0,
        unique_share=len(set(filled)) / n if n else 0.0,
        numeric=bool(filled) and all(_NUMERIC_RE.fullmatch(v) for v in filled),
        sentence_share=(
            sum(1 for v in filled if len(v) >= 25 or _SENTENCE_RE.search(v)) / n if n else 0.0
        ),
    )


def profile_sheet(sheet: Sheet) -> dict[str, ColumnProfile]:
    """Profile every column of a sheet, keyed by header, in header order."""
    width = len(sheet.header)
    columns = list(zip(*sheet.rows, strict=True)) if sheet.rows else [()] * width
    return {name: _profile(i, name, columns[i]) for i, name in enumerate(sheet.header)}
