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


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes; empty file and OS errors become InputError."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"ファイル {path} を開けません（{err.strerror}）。ほかのアプリで開いていないか確かめてください。") from None
    if not data:
        raise InputError(f"ファイル {path} は空です（0 バイト）。回答を書き出したファイルを指定してください。")
    return data
