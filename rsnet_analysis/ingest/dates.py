"""Parse the many ways Japanese survey exports write a date.

One public function, :func:`parse_date`, turns a cell value into a
:class:`datetime.date` or ``None``. It never raises: a value it cannot read is
``None`` and the caller decides what to tell the user.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from functools import lru_cache

__all__ = ["parse_date", "to_iso"]

# First day of each era, as (year offset, start): era year n is offset + n.
_ERAS: dict[str, int] = {
    "令和": 2018,
    "R": 2018,
    "平成": 1988,
    "H": 1988,
    "昭和": 1925,
    "S": 1925,
}

# Excel's day zero (the 1900 date system, including its phantom 1900-02-29).
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
# Serial numbers accepted from text cells: 1954-10-02 .. 2119-01-09. Five digits only, so a bare
# year such as "2023" is never read as a serial.
_TEXT_SERIAL_MIN = 20000
_TEXT_SERIAL_MAX = 80000
_NUMERIC_SERIAL_MAX = 2958465  # 9999-12-31

_SEP = r"\s*[/\-.]\s*"
_WESTERN = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})(?=$|[\sT])")
_KANJI = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = re.compile(
    r"^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*(?:年|[/\-.])\s*(\d{1,2})\s*(?:月|[/\-.])\s*(\d{1,2})\s*日?",
    re.IGNORECASE,
)
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    """Build a date, or return ``None`` when the parts are out of range."""
    try:
        return _dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _from_serial(serial: float) -> _dt.date | None:
    """Convert an Excel serial day number (1900 system) to a date."""
    if math.isnan(serial) or not 1 <= serial <= _NUMERIC_SERIAL_MAX:
        return None
    try:
        return _EXCEL_EPOCH + _dt.timedelta(days=int(serial))
    except OverflowError:  # pragma: no cover - guarded by the range check
        return None


@lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> _dt.date | None:
    """Parse a date written as text (already stripped); cached: a date column repeats its days."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    m = _WESTERN.match(text) or _KANJI.match(text)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _ERA.match(text)
    if m:
        era = m.group(1)
        era = era.upper() if len(era) == 1 else era
        year = 1 if m.group(2) == "元" else int(m.group(2))
        if year < 1:
            return None
        return _safe_date(_ERAS[era] + year, int(m.group(3)), int(m.group(4)))
    m = _COMPACT.match(text)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _SERIAL.match(text)
    if m:
        serial = float(text)
        if _TEXT_SERIAL_MIN <= serial <= _TEXT_SERIAL_MAX:
            return _from_serial(serial)
    return None


def parse_date(value: object) -> _dt.date | None:
    """Read a date from a survey cell, whatever way it was written.

    Parameters
    ----------
    value : object
        A string such as ``"2023/7/3"``, ``"2023-07-03"``, ``"2023.7.3"``,
        ``"2023年7月3日"``, ``"R5.7.3"``, ``"R5/7/3"``, ``"令和5年7月3日"``,
        ``"令和元年5月1日"``, ``"平成31年4月30日"`` (full-width digits allowed, a
        trailing time is ignored); a :class:`datetime.datetime`,
        :class:`datetime.date` or :class:`pandas.Timestamp`; or an Excel serial
        day number (as a number, or as a five-digit string such as ``"45110"``).

    Returns
    -------
    datetime.date or None
        The date, or ``None`` when the value is empty or cannot be read as a
        date. Never raises.

    Examples
    --------
    >>> parse_date("令和5年7月3日")
    datetime.date(2023, 7, 3)
    >>> parse_date("そのうち") is None
    True
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, _dt.datetime):  # includes pandas.Timestamp
            if value != value:  # NaT
                return None
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, int | float):
            return _from_serial(float(value))
        if isinstance(value, str):
            return _parse_text(value)
        # numpy scalars (datetime64, integer, floating) without importing numpy here
        kind = type(value).__name__
        if kind.startswith("datetime64"):
            import pandas as pd

            ts = pd.Timestamp(value)
            return None if ts is pd.NaT else ts.date()
        if hasattr(value, "item"):
            return parse_date(value.item())
    except Exception:  # the contract is "never raise"
        return None
    return None


def to_iso(value: object) -> str:
    """Return the date in a cell as ``YYYY-MM-DD``, or ``""`` when there is none.

    Parameters
    ----------
    value : object
        Anything :func:`parse_date` accepts.

    Returns
    -------
    str
        ISO date string, or the empty string.
    """
    parsed = parse_date(value)
    return parsed.isoformat() if parsed is not None else ""
