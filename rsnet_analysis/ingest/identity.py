"""Columns that identify a person: found by header or by their values, and pseudonymised.

A Google Form or municipal export often carries the respondent's name, e-mail address or phone
number in columns of their own. Such a column is never written as it is: every value is replaced
in the raw table by a stable pseudonym (:func:`pseudonym`), so every output shows the pseudonym,
and the values as read go, per row, into the private :data:`~rsnet_analysis.contract.IDENTITY_COLUMN`
for the masker to remove from that row's answers.

The salt
--------
The pseudonym is an HMAC-SHA256 of the normalised value keyed with a salt that is the SHA-256 of
the bytes of every input file of the run (:func:`run_salt`). So

* the same input files with the same settings give the same pseudonyms, and the outputs stay
  byte-identical from run to run and machine to machine; the same person gets the same pseudonym
  in every file of one run;
* the salt is never written anywhere, and it cannot be rebuilt from the outputs: it depends on
  the unmasked answers and identity values, which never leave the process. Someone holding only
  the outputs cannot test guessed e-mail addresses against the pseudonyms;
* a different set of inputs (one row more) gives different pseudonyms: pseudonyms do not link
  people across separate runs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rsnet_analysis.contract import PSEUDONYM_PREFIX
from rsnet_analysis.ingest.profiles import ColumnProfile
from rsnet_analysis.ingest.sheets import norm_header

__all__ = ["detect_identity", "identity_strings", "pseudonym", "run_salt", "value_kind"]

_HEADER_RE = re.compile(
    r"(氏名|名前|なまえ|ふりがな|フリガナ|回答者名|担当者名|記入者|入力者|メール|mail|電話|^tel|phone|連絡先|携帯|^fax)"
)
_NOT_IDENTITY_RE = re.compile(r"(マガジン|メルマガ|magazine|newsletter)")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+$")
_PHONE_RE = re.compile(r"^\+?[\d\-()\s]+$")
_KANJI_NAME_RE = re.compile(r"^[一-鿿々〆ヵヶ]{1,4}\s+[一-鿿々〆ヵヶぁ-んァ-ヶー]{1,5}$")
_KANA_NAME_RE = re.compile(r"^[ァ-ヶー]{2,7}\s+[ァ-ヶー]{2,7}$|^[ぁ-んー]{2,7}\s+[ぁ-んー]{2,7}$")
_LATIN_PART = r"(?:[A-Z][a-z'\-]+|[A-Z]{3,})"  # Taro, YAMADA (not BI, not iPad)
_LATIN_NAME_RE = re.compile(rf"^{_LATIN_PART},?\s+{_LATIN_PART}$")
_PLACE_OR_OFFICE = tuple("都道府県市区町村郡課室部係局庁所")
_VALUE_SHARE = 0.6
_KIND_LABELS = {"header": "見出し", "email": "メールアドレス", "phone": "電話番号", "name": "氏名"}
_SALT_TAG = b"rsnet-analysis pseudonym v1\0"


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()


def value_kind(value: str) -> str | None:
    """``email``, ``phone`` or ``name`` when a cell value is one, else None.

    Examples
    --------
    >>> value_kind("ｋ－ｓａｔｏ@city.example.lg.jp"), value_kind("090-1234-5678"), value_kind("吉田 花子")
    ('email', 'phone', 'name')
    >>> value_kind("北海道 札幌市") is None, value_kind("0001234567") is None
    (True, True)
    """
    v = _norm(value)
    if _EMAIL_RE.match(v):
        return "email"
    digits = re.sub(r"\D", "", v)
    if _PHONE_RE.match(v) and (
        (digits.startswith("0") and not digits.startswith("00") and 10 <= len(digits) <= 11)
        or (v.startswith("+81") and 11 <= len(digits) <= 12)
    ):
        return "phone"
    if _KANJI_NAME_RE.match(v) and not v.split()[-1].endswith(_PLACE_OR_OFFICE):
        return "name"
    if _KANA_NAME_RE.match(v) or _LATIN_NAME_RE.match(v):
        return "name"
    return None


def _kind_of_column(name: str, prof: ColumnProfile) -> str | None:
    """Why a column identifies a person (``header``, ``email``, ``phone``, ``name``), or None."""
    if not prof.filled or prof.mean_len < 2 or (prof.numeric and prof.mean_len < 9):
        return None  # too short for a name, or numbers too short for a phone number
    kinds: dict[str, int] = {}
    # each distinct value is judged once (a column of municipalities or departments repeats a
    # few values on every row); the counts are those of every row
    for value, count in Counter(prof.filled).items():
        kind = value_kind(value)
        if kind:
            kinds[kind] = kinds.get(kind, 0) + count
    best = max(kinds, key=lambda k: (kinds[k], k), default=None)
    share = kinds[best] / len(prof.filled) if best else 0.0
    header = norm_header(name)
    if _HEADER_RE.search(header) and not _NOT_IDENTITY_RE.search(header):
        if share >= 0.3 or prof.unique_share >= 0.3:
            return "header"
    if best and share >= _VALUE_SHARE and (best != "name" or prof.unique_share >= 0.5):
        return best
    return None


def detect_identity(
    profiles: Mapping[str, ColumnProfile], exclude: Iterable[str]
) -> dict[str, str]:
    """The columns that identify a person and why, in header order.

    Parameters
    ----------
    profiles : mapping of str to ColumnProfile
        The file's columns.
    exclude : iterable of str
        Columns never treated as identity (the free-text questions: their text is masked).

    Returns
    -------
    dict of str to str
        Column name to the reason in Japanese (見出し, メールアドレス, 電話番号, 氏名).
    """
    skip = set(exclude)
    found: dict[str, str] = {}
    for name, prof in profiles.items():
        if name in skip:
            continue
        kind = _kind_of_column(name, prof)
        if kind:
            found[name] = _KIND_LABELS[kind]
    return found


def run_salt(files: Sequence[Path]) -> bytes:
    """The salt of one run: SHA-256 over the bytes of every input file, in reading order."""
    digest = hashlib.sha256(_SALT_TAG)
    for path in files:
        with path.open("rb") as f:  # in blocks: a large file is never held whole
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.digest()


def pseudonym(value: str, salt: bytes) -> str:
    """The stable pseudonym of a value (``""`` stays ``""``).

    The value is compared after NFKC, whitespace folding and case folding (``Sato@Example.jp``
    and ``sato@example.jp`` are one person).

    Examples
    --------
    >>> p = pseudonym("sato@example.jp", b"salt")
    >>> p == pseudonym(" SATO@example.jp", b"salt"), p.startswith("仮名-"), len(p)
    (True, True, 13)
    """
    key = _norm(value).casefold()
    if not key:
        return ""
    return PSEUDONYM_PREFIX + hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def identity_strings(values: Iterable[str]) -> tuple[str, ...]:
    """A row's identifying strings: each value as read and NFKC-normalised, and name parts.

    The normalised form is what the cleaned answer text contains; name parts are kept when they
    have two or more characters.

    ``吉田 花子`` gives ``("吉田 花子", "吉田", "花子")``: an answer that mentions 「吉田が中心と
    なり」 names the respondent with the surname alone.
    """
    out: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if not value:
            continue
        out[value] = None
        out[_norm(value)] = None
        if value_kind(value) == "name" or not re.search(r"[@\d]", value):
            for part in re.split(r"[\s・,，]+", _norm(value)):
                if len(part) >= 2 and part != value:
                    out[part] = None
    return tuple(out)
