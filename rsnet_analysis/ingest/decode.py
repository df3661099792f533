"""Bytes to text: UTF-8 (with or without BOM), UTF-16 or cp932, strictly, with errors that name the line."""

from __future__ import annotations

from pathlib import Path

from rsnet_analysis.errors import InputError

_SAVE_AS_UTF8 = (
    "Excel では「名前を付けて保存」で「CSV UTF-8 (コンマ区切り)」を選ぶか、"
    "テキストエディタで文字コードを UTF-8 にして保存し直してください。"
)


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 with BOM, UTF-8 or cp932, strictly.

    Returns the text and the encoding name. Without a BOM, a file that is not UTF-8 is judged
    line by line: a line that fits neither encoding, or a file mixing UTF-8 lines with cp932
    lines (two exports pasted together, or a UTF-8 file with a broken byte), raises InputError
    naming the first such line, never guessing into mojibake.
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
    except UnicodeDecodeError:
        pass
    kinds = _line_kinds(data)
    utf8 = [n for n, kind in kinds if kind == "utf-8"]
    sjis = [n for n, kind in kinds if kind == "cp932"]
    bad = [n for n, kind in kinds if kind == "bad"]
    if bad:
        raise InputError(
            f"ファイル {path} の {bad[0]} 行目が UTF-8 でも Shift_JIS (cp932) でも読めません"
            f"{_more(bad)}。文字化けを防ぐため読み込みを止めました。{_SAVE_AS_UTF8} "
            f"(Cannot decode {path.name} at line {bad[0]}: save it as UTF-8 or 'CSV UTF-8'.)"
        )
    if utf8 and sjis:
        # the file's encoding is the one most lines use; the first line in the other is the problem
        main, other, other_lines = (
            ("UTF-8", "Shift_JIS (cp932)", sjis) if len(utf8) >= len(sjis) else ("Shift_JIS (cp932)", "UTF-8", utf8)
        )
        raise InputError(
            f"ファイル {path} は文字コードが混ざっています: ほとんどの行は {main} ですが、"
            f"{other_lines[0]} 行目{_more(other_lines)}は {other} です（別々に保存したファイルを"
            "つなげたときや、ファイルの一部が壊れたときに起こります）。文字化けを防ぐため読み込みを止めました。"
            f"{_SAVE_AS_UTF8} "
            f"(Mixed encodings in {path.name}: line {other_lines[0]} is {other.split()[0]}.)"
        )
    return data.decode("cp932"), "cp932"


def _more(lines: list[int]) -> str:
    """`` ほか N 行`` when more than one line is meant."""
    return f"（ほか {len(lines) - 1} 行）" if len(lines) > 1 else ""


def _line_kinds(data: bytes) -> list[tuple[int, str]]:
    """Classify every line with non-ASCII bytes as ``utf-8``, ``cp932`` or ``bad``.

    The byte 0x0A never occurs inside a cp932 or UTF-8 character, so lines can be judged one by
    one. A line counts as UTF-8 when it decodes as UTF-8 and has at least two multi-byte
    characters (a short cp932 line is valid UTF-8 by chance only rarely, a longer one never).
    """
    kinds: list[tuple[int, str]] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and sum(ord(ch) >= 0x80 for ch in text) >= 2:
            kinds.append((number, "utf-8"))
            continue
        try:
            line.decode("cp932")
        except UnicodeDecodeError:
            kinds.append((number, "utf-8" if text is not None else "bad"))
            continue
        kinds.append((number, "cp932"))
    return kinds


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes; empty file and OS errors become InputError."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"ファイル {path} を開けません（{err.strerror}）。ほかのアプリで開いていないか確かめてください。") from None
    if not data:
        raise InputError(f"ファイル {path} は空です（0 バイト）。回答を書き出したファイルを指定してください。")
    return data
