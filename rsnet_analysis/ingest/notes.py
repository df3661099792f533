"""Markdown session notes: one record per bullet or paragraph, with the speaker's organisation."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.dates import to_iso
from rsnet_analysis.ingest.decode import decode_bytes, read_bytes

# An organisation prefix in notes ends with one of these (optionally followed by a parenthesis).
_ORG_SUFFIXES: tuple[str, ...] = (
    "市",
    "町",
    "村",
    "県",
    "府",
    "都",
    "道",
    "区",
    "課",
    "室",
    "部",
    "係",
    "局",
    "庁",
    "班",
    "所",
    "場",
    "センター",
    "グループ",
    "チーム",
    "事務局",
    "担当",
)
_ORG_MAX_LEN = 25


_FRONT_KEYS = {
    "event": "イベント",
    "イベント": "イベント",
    "title": "イベント",
    "タイトル": "イベント",
    "date": "開催日",
    "開催日": "開催日",
    "日付": "開催日",
}
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET_LINE_RE = re.compile(r"^(\s*)(?:[-*+・●■]|\d{1,3}[.)])\s+(.*)$|^(\s*)・(.*)$")
_RULE_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_FILENAME_DATE_RE = re.compile(
    r"^(\d{4})(?:[-_.年]?(\d{1,2}))(?:[-_.月]?(\d{1,2})(?!\d))?(?:日)?[-_ 　]*(.*)$"
)


def _split_org(text: str) -> tuple[str, str]:
    """Split a leading ``組織名：`` prefix off a statement; return (org, rest)."""
    m = re.match(r"^\s*([^：:\n]{1,40})[：:]\s*(.*)$", text, flags=re.DOTALL)
    if not m:
        return "", text
    prefix = m.group(1).strip()
    base = re.sub(r"[（(][^（）()]*[）)]$", "", prefix).strip()
    base_n = unicodedata.normalize("NFKC", base)
    if (
        0 < len(prefix) <= _ORG_MAX_LEN
        and base_n.strip().count(" ") <= 2
        and base_n.endswith(_ORG_SUFFIXES)
    ):
        return prefix, m.group(2)
    return "", text


def _note_meta(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    """Event and date from YAML-ish front matter, else from the file name.

    Returns the metadata and the index of the first body line.
    """
    meta: dict[str, str] = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                body_start = i + 1
                break
            key, sep, value = lines[i].partition(":")
            if not sep:
                key, sep, value = lines[i].partition("：")
            target = _FRONT_KEYS.get(key.strip().casefold())
            if sep and target and target not in meta:
                meta[target] = value.strip().strip("'\"")
        else:
            body_start = 0  # no closing ---: not front matter
            meta = {}
    stem = unicodedata.normalize("NFKC", path.stem)
    m = _FILENAME_DATE_RE.match(stem)
    if m and 1 <= int(m.group(2)) <= 12:
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        meta.setdefault("開催日", f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else ""))
        meta.setdefault("イベント", m.group(4).strip(" _-") or path.stem)
    meta.setdefault("イベント", path.stem)
    meta.setdefault("開催日", "")
    return meta, body_start


def _note_date(value: str) -> str:
    """ISO date of a note's 開催日; a year-month alone gives the first of the month."""
    iso = to_iso(value)
    if iso:
        return iso
    m = re.match(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$", unicodedata.normalize("NFKC", value))
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-01"
    return ""


class _Statements:
    """Collects the bullets and paragraphs of a note body, with group and organisation."""

    def __init__(self) -> None:
        self.records: list[dict[str, object]] = []
        self.group = ""
        self.current: dict[str, object] | None = None
        # (indent, organisation) of the open bullets, for nested bullets without their own prefix
        self.stack: list[tuple[int, str]] = []
        self.in_fence = False

    def close(self) -> None:
        """End the open bullet or paragraph and keep it as a record."""
        current, self.current = self.current, None
        if current is None:
            return
        lines = current.pop("_lines")
        body = "\n".join(lines) if isinstance(lines, list) else str(lines)
        org, rest = _split_org(body)
        indent = int(str(current.pop("_indent")))
        if current.pop("_bullet"):
            while self.stack and self.stack[-1][0] >= indent:
                self.stack.pop()
            if not org and self.stack:
                org = self.stack[-1][1]
            self.stack.append((indent, org))
        current["組織名"] = org
        current["text_original"] = rest
        self.records.append(current)

    def _open(self, number: int, text: str, indent: int, bullet: bool) -> None:
        self.current = {
            "source_row": number, "グループ": self.group, "_lines": [text],
            "_indent": indent, "_bullet": bullet,
        }

    def feed(self, number: int, line: str) -> None:
        """Take one line of the body (1-based line number)."""
        if line.strip().startswith(("```", "~~~")):
            self.in_fence = not self.in_fence
            self.close()
            return
        if self.in_fence:
            return
        heading = _HEADING_RE.match(line)
        if heading:
            self.close()
            self.stack.clear()
            self.group = heading.group(2).strip()
        elif not line.strip() or _RULE_RE.match(line) or line.strip().startswith("<!--"):
            self.close()  # a blank line ends a bullet or paragraph, but not the list around it
        elif bullet := _BULLET_LINE_RE.match(line):
            self.close()
            lead = bullet.group(1) if bullet.group(1) is not None else bullet.group(3)
            content = bullet.group(2) if bullet.group(2) is not None else bullet.group(4)
            self._open(number, content.strip(), len(lead.expandtabs(4)), True)
        elif self.current is not None:
            lines = self.current["_lines"]
            if isinstance(lines, list):
                lines.append(line.strip())
        else:
            self.stack.clear()
            self._open(number, line.strip(), 0, False)


def read_markdown(path: Path) -> list[dict[str, object]]:
    """Read session notes: one record per bullet or paragraph.

    Parameters
    ----------
    path : Path
        A Markdown file: optional front matter (event, date), ``#`` headings for the groups, and
        statements as bullets (``- 組織名：発言``) or paragraphs.

    Returns
    -------
    list of dict
        One raw-table row per statement (without ``record_id`` and ``source_file``).

    Raises
    ------
    InputError
        When the file has no statement.
    """
    text, _encoding = decode_bytes(read_bytes(path), path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _note_meta(path, lines)
    statements = _Statements()
    for index in range(start, len(lines)):
        statements.feed(index + 1, lines[index])
    statements.close()
    if not statements.records:
        raise InputError(
            f"ファイル {path} に記録（箇条書きや段落）がありません。"
            "発言を「- 組織名：発言」の形の箇条書きで書いてください。"
        )
    date_iso = _note_date(meta["開催日"])
    return [
        {
            "source_row": rec["source_row"],
            "source_type": "note",
            "respondent": rec["組織名"],
            "date": date_iso,
            "text_original": rec["text_original"],
            "イベント": meta["イベント"],
            "開催日": meta["開催日"],
            "グループ": rec["グループ"],
            "組織名": rec["組織名"],
        }
        for rec in statements.records
    ]
