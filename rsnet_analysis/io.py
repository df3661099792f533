"""Read survey exports and session notes into one raw table; write CSV for Excel.

:func:`read_inputs` is the single entry point. It reads CSV/TSV text files
(UTF-8 with or without BOM, or cp932 as Excel saves it), Excel workbooks,
JSON Lines and Markdown session notes, and returns a :class:`ReadResult` whose
table follows the raw-table contract in ``docs/architecture.md``: one row per
survey row or note bullet/paragraph, in order, everything as strings.

Anything wrong with an input raises :class:`~rsnet_analysis.errors.InputError`
with a Japanese message that names the file (and row or column) and says what to do.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsnet_analysis.dates import parse_date, to_iso
from rsnet_analysis.errors import InputError

__all__ = [
    "BASE_COLUMNS",
    "NOTE_COLUMNS",
    "SUPPORTED_SUFFIXES",
    "ColumnRoles",
    "ReadResult",
    "read_inputs",
    "write_csv",
]

#: The fixed leading columns of the raw table, in order.
BASE_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_file",
    "source_row",
    "source_type",
    "respondent",
    "date",
    "text_original",
)
#: Attribute columns of session-note records.
NOTE_COLUMNS: tuple[str, ...] = ("イベント", "開催日", "グループ", "組織名")

_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_MD_SUFFIXES = (".md", ".markdown")
#: File name endings read_inputs understands.
SUPPORTED_SUFFIXES: tuple[str, ...] = _CSV_SUFFIXES + _XLSX_SUFFIXES + _JSONL_SUFFIXES + _MD_SUFFIXES

_SAVE_AS_UTF8 = (
    "Excel では「名前を付けて保存」で「CSV UTF-8 (コンマ区切り)」を選ぶか、"
    "テキストエディタで文字コードを UTF-8 にして保存し直してください。"
)

# Header names (normalised, see _norm_header) that mean "answer date", best first.
_TIME_HEADERS: tuple[str, ...] = (
    "回答日",
    "回答日時",
    "回答日付",
    "記入日",
    "提出日",
    "受付日",
    "日付",
    "年月日",
    "日時",
    "タイムスタンプ",
    "開催日",
    "date",
    "timestamp",
    "datetime",
    "answereddate",
    "answeredat",
    "submittedat",
    "created",
    "createdat",
    "time",
    "完了時刻",
    "開始時刻",
)
_TIME_HEADER_PARTS: tuple[str, ...] = ("回答日", "日付", "タイムスタンプ", "日時", "date", "timestamp")
# Headers of running numbers: never part of the respondent key.
_ROW_NUMBER_HEADERS = frozenset(
    {"no", "no.", "番号", "通し番号", "連番", "#", "id", "回答id", "回答番号", "responseid", "行"}
)
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


@dataclass
class ColumnRoles:
    """The input columns chosen for each role (original header names).

    Attributes
    ----------
    text : str or None
        The free-text column (``None`` when only notes were read).
    id : str or None
        The respondent id column, if one was named.
    time : str or None
        The answer date column, named or detected.
    segments : list of str
        Attribute columns to compare by (``--segment-col``).
    """

    text: str | None = None
    id: str | None = None
    time: str | None = None
    segments: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    """What :func:`read_inputs` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The raw table: :data:`BASE_COLUMNS`, then every other input column under its
        original name, one row per survey row or note bullet/paragraph.
    notices : list of str
        Messages for the user (Japanese), e.g. which column was taken as free text.
    columns : ColumnRoles
        The original names of the columns chosen for each role (from the first survey
        file when several files are read).
    files : list of pathlib.Path
        The files read, in the order their rows appear.
    """

    table: pd.DataFrame
    notices: list[str]
    columns: ColumnRoles
    files: list[Path] = field(default_factory=list)


@dataclass
class _Sheet:
    """A rectangular table read from one file before roles are applied."""

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int = 1


@dataclass
class _FileRecords:
    """Rows of one file in raw-table form (without record_id)."""

    rows: list[dict[str, object]]
    extra_columns: list[str]


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------


def _expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Turn files and folders into a sorted list of supported files."""
    if isinstance(paths, str | Path):
        paths = [paths]
    found: list[Path] = []
    given = list(paths)
    if not given:
        raise InputError("入力ファイルが指定されていません。CSV・Excel・JSONL・Markdown のファイルかフォルダを指定してください。")
    for raw_path in given:
        path = Path(raw_path)
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
            if not inside:
                raise InputError(
                    f"フォルダ {path} に読めるファイルがありません。"
                    f"対応している形式: {', '.join(SUPPORTED_SUFFIXES)}"
                )
            found.extend(inside)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                hint = (
                    "Excel で .xlsx 形式として保存し直してください。"
                    if path.suffix.lower() == ".xls"
                    else f"対応している形式: {', '.join(SUPPORTED_SUFFIXES)}"
                )
                raise InputError(f"ファイル {path} の形式（{path.suffix or '拡張子なし'}）は読めません。{hint}")
            found.append(path)
        elif path.exists():
            raise InputError(f"{path} はファイルでもフォルダでもありません。")
        else:
            raise InputError(f"ファイル {path} が見つかりません。パス（フォルダ名・ファイル名・拡張子）を確かめてください。")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return sorted(unique.values(), key=lambda p: str(p))


def _record_stems(files: Sequence[Path]) -> dict[Path, str]:
    """Give every file a distinct record-id prefix (its stem, made unique if needed)."""
    def clean(name: str) -> str:
        return re.sub(r"\s+", "_", name)

    stems = {p: clean(p.stem) for p in files}
    counts: dict[str, int] = {}
    for stem in stems.values():
        counts[stem] = counts.get(stem, 0) + 1
    for p in files:
        if counts[stems[p]] > 1:
            stems[p] = clean(p.name)
    names: dict[str, int] = {}
    for stem in stems.values():
        names[stem] = names.get(stem, 0) + 1
    for p in files:
        if names[stems[p]] > 1:
            stems[p] = clean("/".join(p.parts[-2:]))
    return stems


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 with BOM, UTF-8 or cp932, strictly.

    Returns the text and the encoding name. Raises InputError naming the line of
    the first byte that fits none of them.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as err:
            line = _line_of(data, err.start)
            raise InputError(
                f"ファイル {path} は UTF-8 (BOM 付き) のはずですが、{line} 行目"
                f"（{err.start + 1} バイト目）に UTF-8 として読めないバイトがあります。"
                f"ファイルが壊れていないか確かめ、{_SAVE_AS_UTF8}"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(
                f"ファイル {path} は UTF-16 として読めません。{_SAVE_AS_UTF8}"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_err = err
    # A UTF-8 file with a few broken bytes can still decode as cp932 - into mojibake. Tell the two
    # apart by how much of the file is valid multi-byte UTF-8: in a cp932 file almost nothing is.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    valid = sum(1 for ch in lenient if ord(ch) >= 0x80) - broken
    looks_utf8 = valid >= 4 and valid >= 4 * broken
    if not looks_utf8:
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError as err:
            bad = err.start
    else:
        bad = utf8_err.start
    line = _line_of(data, bad)
    raise InputError(
        f"ファイル {path} の {line} 行目（{bad + 1} バイト目, 0x{data[bad]:02X}）が "
        f"UTF-8 でも Shift_JIS (cp932) でも読めません。文字化けを防ぐため読み込みを止めました。"
        f"{_SAVE_AS_UTF8} "
        f"(Cannot decode {path.name} at line {line}: save it as UTF-8 or 'CSV UTF-8'.)"
    )


def _read_bytes(path: Path) -> bytes:
    """Read a file's bytes; empty file and OS errors become InputError."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"ファイル {path} を開けません（{err.strerror}）。ほかのアプリで開いていないか確かめてください。") from None
    if not data:
        raise InputError(f"ファイル {path} は空です（0 バイト）。回答を書き出したファイルを指定してください。")
    return data


# --------------------------------------------------------------------------------------------
# Per-format readers
# --------------------------------------------------------------------------------------------


def _dedupe_header(header: list[str]) -> list[str]:
    """Name blank headers 列N and make duplicate headers unique (課題, 課題.1)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        name = name.strip() or f"列{i}"
        candidate, k = name, 1
        while candidate in seen:
            candidate = f"{name}.{k}"
            k += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _is_blank_row(cells: Sequence[str]) -> bool:
    return all(not c.strip() for c in cells)


def _rows_to_sheet(
    rows: Iterable[tuple[int, list[str]]], path: Path, notices: list[str]
) -> _Sheet:
    """Build a _Sheet from numbered rows: first non-blank row is the header."""
    header: list[str] | None = None
    header_row = 1
    body: list[list[str]] = []
    numbers: list[int] = []
    blank: list[int] = []
    long_rows: list[int] = []
    for number, cells in rows:
        if header is None:
            if _is_blank_row(cells):
                continue
            header_row = number
            while cells and not cells[-1].strip() and len(cells) > 1:
                cells = cells[:-1]
            header = _dedupe_header(cells)
            continue
        if _is_blank_row(cells):
            blank.append(number)
            continue
        width = len(header)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            extra = cells[width - 1 :]
            if any(c.strip() for c in cells[width:]):
                long_rows.append(number)
                cells = cells[: width - 1] + [",".join(extra)]
            else:
                cells = cells[:width]
        body.append(cells)
        numbers.append(number)
    if header is None:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    if not body:
        if blank:
            raise InputError(
                f"ファイル {path} の回答の行がすべて空です（見出しは {header_row} 行目）。"
                "回答を書き出したファイルを指定してください。"
            )
        raise InputError(
            f"ファイル {path} には見出しの行（{header_row} 行目: {', '.join(header)}）しかなく、"
            "回答の行がありません。回答を含めて書き出し直してください。"
        )
    if blank:
        notices.append(f"{path.name}: 空の行 {len(blank)} 行を読み飛ばしました（{_row_list(blank)}）。")
    if long_rows:
        notices.append(
            f"{path.name}: 見出しより列の多い行があり、はみ出したセルを最後の列『{header[-1]}』に"
            f"コンマでつなげました（{_row_list(long_rows)}）。文中のコンマはセルを \" で囲むと区切りになりません。"
        )
    return _Sheet(header=header, rows=body, row_numbers=numbers, header_row=header_row)


def _row_list(numbers: Sequence[int], limit: int = 10) -> str:
    shown = "、".join(f"{n} 行目" for n in numbers[:limit])
    return shown + (f" ほか {len(numbers) - limit} 行" if len(numbers) > limit else "")


def _read_csv(path: Path, notices: list[str]) -> _Sheet:
    """Read a delimited text file (comma, or tab when the header has more tabs)."""
    data = _read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"ファイル {path} は CSV ではなく Excel ブック（zip 形式）のようです。"
            "拡張子を .xlsx に直すか、Excel で「CSV UTF-8 (コンマ区切り)」として保存してください。"
        )
    text, _encoding = _decode(data, path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, cells))
    except csv.Error as err:
        raise InputError(
            f"ファイル {path} の {reader.line_num} 行目を CSV として読めません（{err}）。"
            "Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存し直してください。"
        ) from None
    return _rows_to_sheet(rows, path, notices)


def _cell_to_str(value: object) -> str:
    """Excel cell value as text: dates as ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _read_xlsx(path: Path, sheet: str | int | None, notices: list[str]) -> _Sheet:
    """Read one sheet of an Excel workbook with openpyxl (default: the first sheet)."""
    _read_bytes(path)  # missing / empty file messages
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise InputError(
            f"ファイル {path} を Excel ブック (.xlsx) として開けません（{type(err).__name__}）。"
            "ファイルが壊れているか、拡張子だけが .xlsx の別形式です。"
            "Excel で開いて .xlsx で保存し直すか、CSV UTF-8 で書き出してください。"
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(
                    f"ファイル {path} にシート番号 {sheet} はありません（0 から {len(names) - 1} まで）。"
                    f"シート: {', '.join(names)}"
                )
            worksheet = workbook.worksheets[sheet]
        else:
            wanted = str(sheet)
            match = [n for n in names if n == wanted] or [
                n for n in names if _norm_header(n) == _norm_header(wanted)
            ]
            if not match:
                raise InputError(
                    f"ファイル {path} にシート『{wanted}』がありません。"
                    f"あるシート: {', '.join(names)}。--sheet でシート名を指定してください。"
                )
            worksheet = workbook[match[0]]
        rows = [
            (number, [_cell_to_str(v) for v in values])
            for number, values in enumerate(
                worksheet.iter_rows(min_row=1, max_row=worksheet.max_row, values_only=True), start=1
            )
        ]
    finally:
        workbook.close()
    try:
        return _rows_to_sheet(rows, path, notices)
    except InputError as err:
        if len(names) > 1:
            raise InputError(f"{err.message}（シート『{worksheet.title}』。ほかのシート: "
                             f"{', '.join(n for n in names if n != worksheet.title)}）") from None
        raise


def _json_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _cell_to_str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _read_jsonl(path: Path, notices: list[str]) -> _Sheet:
    """Read JSON Lines: one object per line, keys in order of first appearance."""
    text, _encoding = _decode(_read_bytes(path), path)
    header: list[str] = []
    objects: list[tuple[int, dict[str, object]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(
                f"ファイル {path} の {number} 行目が JSON として読めません（{err.msg}, {err.colno} 文字目）。"
                "1 行に 1 つの JSON オブジェクト {\"列名\": \"値\", ...} を書いてください。"
            ) from None
        if not isinstance(obj, dict):
            raise InputError(
                f"ファイル {path} の {number} 行目が JSON オブジェクトではありません。"
                "1 行に 1 つの {\"列名\": \"値\", ...} を書いてください。"
            )
        for key in obj:
            if str(key) not in header:
                header.append(str(key))
        objects.append((number, {str(k): v for k, v in obj.items()}))
    if not objects:
        raise InputError(f"ファイル {path} には空白と改行しかありません。回答を書き出したファイルを指定してください。")
    rows = [(number, [_json_value(obj.get(h)) for h in header]) for number, obj in objects]
    sheet = _Sheet(header=_dedupe_header(header), rows=[], row_numbers=[], header_row=0)
    blank = []
    for number, cells in rows:
        if _is_blank_row(cells):
            blank.append(number)
            continue
        sheet.rows.append(cells)
        sheet.row_numbers.append(number)
    if not sheet.rows:
        raise InputError(f"ファイル {path} の行はすべて値が空です。回答を書き出したファイルを指定してください。")
    if blank:
        notices.append(f"{path.name}: 値が空の行 {len(blank)} 行を読み飛ばしました（{_row_list(blank)}）。")
    return sheet


# --------------------------------------------------------------------------------------------
# Markdown session notes
# --------------------------------------------------------------------------------------------

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


def _read_markdown(path: Path) -> list[dict[str, object]]:
    """Read session notes: one record per bullet or paragraph."""
    text, _encoding = _decode(_read_bytes(path), path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _note_meta(path, lines)
    records: list[dict[str, object]] = []
    group = ""
    current: dict[str, object] | None = None
    # (indent, organisation) of the open bullets, for nested bullets without their own prefix
    stack: list[tuple[int, str]] = []
    in_fence = False

    def close() -> None:
        nonlocal current
        if current is not None:
            body = "\n".join(current.pop("_lines"))  # type: ignore[arg-type]
            org, rest = _split_org(body)
            indent = int(current.pop("_indent"))  # type: ignore[arg-type]
            if current.pop("_bullet"):
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                if not org and stack:
                    org = stack[-1][1]
                stack.append((indent, org))
            current["組織名"] = org
            current["text_original"] = rest
            records.append(current)
            current = None

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if line.strip().startswith(("```", "~~~")):
            in_fence = not in_fence
            close()
            continue
        if in_fence:
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            close()
            stack.clear()
            group = heading.group(2).strip()
            continue
        if not line.strip() or _RULE_RE.match(line) or line.strip().startswith("<!--"):
            close()  # a blank line ends a bullet or paragraph, but not the list around it
            continue
        bullet = _BULLET_LINE_RE.match(line)
        if bullet:
            close()
            indent = len((bullet.group(1) if bullet.group(1) is not None else bullet.group(3)).expandtabs(4))
            content = bullet.group(2) if bullet.group(2) is not None else bullet.group(4)
            current = {
                "source_row": number,
                "グループ": group,
                "_lines": [content.strip()],
                "_indent": indent,
                "_bullet": True,
            }
            continue
        if current is not None:
            current["_lines"].append(line.strip())  # type: ignore[union-attr]
            continue
        stack.clear()
        current = {
            "source_row": number,
            "グループ": group,
            "_lines": [line.strip()],
            "_indent": 0,
            "_bullet": False,
        }
    close()
    if not records:
        raise InputError(
            f"ファイル {path} に記録（箇条書きや段落）がありません。"
            "発言を「- 組織名：発言」の形の箇条書きで書いてください。"
        )
    date_iso = _note_date(meta["開催日"])
    out = []
    for rec in records:
        out.append(
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
        )
    return out


# --------------------------------------------------------------------------------------------
# Column roles
# --------------------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    """Header as compared: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


def _find_column(header: Sequence[str], wanted: str) -> str | None:
    """Find a column by exact name, then by normalised name."""
    if wanted in header:
        return wanted
    key = _norm_header(wanted)
    for name in header:
        if _norm_header(name) == key:
            return name
    return None


def _require_column(header: Sequence[str], wanted: str, path: Path, option: str) -> str:
    found = _find_column(header, wanted)
    if found is None:
        raise InputError(
            f"ファイル {path} に列『{wanted}』がありません。使える列: {', '.join(header)}。"
            f"{option} で列名を指定してください。"
        )
    return found


def _detect_time(header: Sequence[str], sheet: _Sheet, exclude: set[str]) -> str | None:
    """Find the answer-date column by its header."""
    normed = {name: _norm_header(name) for name in header if name not in exclude}
    for key in _TIME_HEADERS:
        for name, n in normed.items():
            if n == key:
                return name
    for part in _TIME_HEADER_PARTS:
        for name, n in normed.items():
            if part in n and _mostly_dates(sheet, header.index(name)):
                return name
    return None


def _column_values(sheet: _Sheet, index: int) -> list[str]:
    return [row[index] for row in sheet.rows]


def _mostly_dates(sheet: _Sheet, index: int, share: float = 0.8) -> bool:
    values = [v for v in _column_values(sheet, index) if v.strip()]
    if not values:
        return False
    parsed = sum(parse_date(v) is not None for v in values)
    return parsed / len(values) >= share


def _pick_text(sheet: _Sheet, exclude: set[str]) -> tuple[str | None, list[str]]:
    """The free-text column: longest mean length among mostly-unique columns.

    Returns the chosen column and the other candidates, best first.
    """
    scored: list[tuple[int, float, int, str]] = []
    for index, name in enumerate(sheet.header):
        if name in exclude:
            continue
        values = [v.strip() for v in _column_values(sheet, index)]
        filled = [v for v in values if v]
        if not filled:
            continue
        if _mostly_dates(sheet, index):
            continue
        mean_len = sum(len(v) for v in filled) / len(filled)
        unique_share = len(set(filled)) / len(filled)
        numeric = all(re.fullmatch(r"[\d.,\-+\s]+", v) for v in filled)
        eligible = 1 if unique_share >= 0.5 and not numeric else 0
        scored.append((eligible, mean_len, -index, name))
    if not scored:
        return None, []
    scored.sort(reverse=True)
    ranked = [name for eligible, mean_len, _i, name in scored if eligible and mean_len >= 15]
    best = scored[0][3]
    others = [n for n in ranked if n != best]
    return best, others


@dataclass
class _Roles:
    text: str
    id: str | None
    time: str | None
    segments: list[str]


def _resolve_roles(
    sheet: _Sheet,
    path: Path,
    *,
    text_col: str | None,
    id_col: str | None,
    time_col: str | None,
    segment_cols: Sequence[str],
    notices: list[str],
    auto_text: dict[tuple[str, tuple[str, ...]], list[str]],
) -> _Roles:
    header = sheet.header
    text = _require_column(header, text_col, path, "--text-col") if text_col else None
    ident = _require_column(header, id_col, path, "--id-col") if id_col else None
    time = _require_column(header, time_col, path, "--time-col") if time_col else None
    segments = [_require_column(header, s, path, "--segment-col") for s in segment_cols]
    if time is None:
        time = _detect_time(header, sheet, exclude={c for c in (text, ident) if c})
    if text is None:
        exclude = {c for c in (ident, time) if c} | set(segments)
        text, others = _pick_text(sheet, exclude)
        if text is None:
            raise InputError(
                f"ファイル {path} に自由記述の列が見つかりません。使える列: {', '.join(header)}。"
                "--text-col で列名を指定してください。"
            )
        auto_text.setdefault((text, tuple(others)), []).append(path.name)
    if text in {ident, time}:
        raise InputError(
            f"ファイル {path} の列『{text}』が自由記述と ID・日付の両方に指定されています。"
            "別々の列を指定してください。"
        )
    return _Roles(text=text, id=ident, time=time, segments=segments)


def _survey_records(sheet: _Sheet, path: Path, roles: _Roles, notices: list[str]) -> _FileRecords:
    """Turn a survey sheet into raw-table rows."""
    header = sheet.header
    text_i = header.index(roles.text)
    id_i = header.index(roles.id) if roles.id else None
    time_i = header.index(roles.time) if roles.time else None
    key_cols = [
        i
        for i, name in enumerate(header)
        if i not in (text_i, time_i)
        and _norm_header(name) not in _ROW_NUMBER_HEADERS
        and not _mostly_dates(sheet, i)
        and name not in _free_text_like(sheet, exclude={roles.text})
    ]
    # an input column named like a base column (e.g. "date") keeps its values as "date_input"
    out_names = {name: (f"{name}_input" if name in BASE_COLUMNS else name) for name in header}
    renamed = [name for name in header if name != roles.text and out_names[name] != name]
    if renamed:
        notices.append(
            f"{path.name}: 列 {', '.join(renamed)} は表の固定列と同じ名前なので、"
            f"{', '.join(out_names[n] for n in renamed)} という名前で残します。"
        )
    extra = [out_names[name] for name in header if name != roles.text]
    rows: list[dict[str, object]] = []
    bad_dates: list[int] = []
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        if id_i is not None:
            respondent = cells[id_i].strip()
        else:
            respondent = "|".join(cells[i].strip() for i in key_cols if cells[i].strip())
        date = ""
        if time_i is not None:
            date = to_iso(cells[time_i])
            if not date and cells[time_i].strip():
                bad_dates.append(number)
        row: dict[str, object] = {
            "source_row": number,
            "source_type": "survey",
            "respondent": respondent,
            "date": date,
            "text_original": cells[text_i],
        }
        for name, value in zip(header, cells, strict=True):
            if name != roles.text:
                row[out_names[name]] = value
        rows.append(row)
    if bad_dates:
        notices.append(
            f"{path.name}: 列『{roles.time}』の {len(bad_dates)} 件が日付として読めず、date を空にしました"
            f"（{_row_list(bad_dates)}）。"
        )
    return _FileRecords(rows=rows, extra_columns=extra)


def _free_text_like(sheet: _Sheet, exclude: set[str]) -> set[str]:
    """Other long, mostly unique columns (free text): not part of the respondent key."""
    out: set[str] = set()
    for index, name in enumerate(sheet.header):
        if name in exclude:
            continue
        filled = [v.strip() for v in _column_values(sheet, index) if v.strip()]
        if not filled:
            continue
        mean_len = sum(len(v) for v in filled) / len(filled)
        if mean_len >= 20 and len(set(filled)) / len(filled) >= 0.5:
            out.add(name)
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    time_col: str | None = None,
    segment_cols: Sequence[str] = (),
    sheet: str | int | None = None,
) -> ReadResult:
    """Read survey exports and session notes into one raw table.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files or folders. A folder contributes every supported file inside it
        (recursively, hidden files and Excel lock files skipped). Files are read in
        path order. Formats by extension: ``.csv``/``.txt``/``.tsv`` (UTF-8 with or
        without BOM, or cp932; comma or tab separated), ``.xlsx``/``.xlsm``,
        ``.jsonl``/``.ndjson``, ``.md``/``.markdown`` (session notes).
    text_col : str, optional
        The free-text column. Matched exactly, then after NFKC, whitespace removal
        and case folding (``TEXT`` finds ``text``, ``課題 `` finds ``課題``). When not
        given, the column with the longest mean text among mostly-unique columns is
        used and a notice says which.
    id_col : str, optional
        Respondent id column. Without it the respondent is the attribute values
        (all columns except text, dates and running numbers) joined with ``|``.
    time_col : str, optional
        Answer date column; detected from headers such as 回答日, 日付, date,
        タイムスタンプ when not given.
    segment_cols : sequence of str, default ()
        Attribute columns for comparison; must exist in every survey file.
    sheet : str or int, optional
        Excel sheet name or 0-based index; the first sheet by default.

    Returns
    -------
    ReadResult
        The raw table (see ``docs/architecture.md``), notices and the chosen columns.

    Raises
    ------
    InputError
        For a missing, empty, header-only or blank file, undecodable bytes, a corrupt
        workbook, an unknown column or sheet; the message names the file (and row or
        column) and what to do.
    """
    files = _expand_paths(paths)
    stems = _record_stems(files)
    notices: list[str] = []
    auto_text: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    roles_out: ColumnRoles | None = None
    all_rows: list[dict[str, object]] = []
    columns: list[str] = []
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix in _MD_SUFFIXES:
                rows = _read_markdown(path)
                extra = list(NOTE_COLUMNS)
            else:
                if suffix in _XLSX_SUFFIXES:
                    table = _read_xlsx(path, sheet, notices)
                elif suffix in _JSONL_SUFFIXES:
                    table = _read_jsonl(path, notices)
                else:
                    table = _read_csv(path, notices)
                roles = _resolve_roles(
                    table,
                    path,
                    text_col=text_col,
                    id_col=id_col,
                    time_col=time_col,
                    segment_cols=segment_cols,
                    notices=notices,
                    auto_text=auto_text,
                )
                if roles_out is None:
                    roles_out = ColumnRoles(
                        text=roles.text, id=roles.id, time=roles.time, segments=list(roles.segments)
                    )
                file_records = _survey_records(table, path, roles, notices)
                rows, extra = file_records.rows, file_records.extra_columns
        except InputError:
            raise
        except Exception as err:  # never let a library traceback reach the user
            raise InputError(
                f"ファイル {path} を読めませんでした（{type(err).__name__}: {err}）。"
                "ファイルが壊れていないか確かめ、CSV UTF-8 か .xlsx で保存し直してください。"
            ) from err
        for name in extra:
            if name not in columns:
                columns.append(name)
        stem = stems[path]
        for row in rows:
            row["record_id"] = f"{stem}:{row['source_row']}"
            row["source_file"] = path.name
            all_rows.append(row)
    for (name, others), used_in in reversed(auto_text.items()):
        also = f"ほかの候補: {', '.join(others)}。" if others else ""
        notices.insert(
            0,
            f"自由記述列として『{name}』を使います（{', '.join(used_in)}）。{also}"
            "別の列を使うには --text-col で列名を指定してください。",
        )
    ordered = list(BASE_COLUMNS) + columns
    frame = pd.DataFrame.from_records(
        [[row.get(c, "") for c in ordered] for row in all_rows], columns=ordered
    )
    for name in ordered:
        if name != "source_row":
            frame[name] = frame[name].astype(object)
    frame["source_row"] = frame["source_row"].astype("int64")
    return ReadResult(
        table=frame,
        notices=notices,
        columns=roles_out or ColumnRoles(),
        files=files,
    )


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV that Excel opens correctly.

    UTF-8 with BOM, LF line endings, no index, columns in the frame's order;
    the same frame always gives the same bytes. Parent folders are created.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to write.
    path : str or Path
        Where to write.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
