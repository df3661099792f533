"""What a file really is, from its first bytes: a workbook, an encrypted workbook, a web page.

Exports are renamed, password-protected or saved from a browser. These checks run before a file is
parsed so that the message says what the file is and what to do, and never quotes its content.
"""

from __future__ import annotations

import re
from pathlib import Path

from rsnet_analysis.errors import InputError

__all__ = ["check_not_html", "check_workbook_bytes", "looks_like_html"]

#: Signature of an OLE2 compound file: Excel 97-2003 workbooks and password-protected .xlsx.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Signature of a zip archive (an .xlsx workbook).
ZIP_SIGNATURE = b"PK\x03\x04"
# An encrypted OOXML workbook is an OLE2 file with these streams (names stored as UTF-16LE).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(data: bytes) -> bool:
    """Whether the bytes start like a web page (``<!DOCTYPE html>``, ``<html>``, ``<head>`` …).

    Parameters
    ----------
    data : bytes
        The file's content (only the first kilobytes are looked at).

    Returns
    -------
    bool
    """
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return bool(_HTML_START.match(head))


def check_not_html(data: bytes, path: Path) -> None:
    """Raise when a text input is in fact a web page saved under a table's name.

    Raises
    ------
    InputError
        Saying that the file is HTML (without quoting it) and how to get a real export.
    """
    if looks_like_html(data):
        raise InputError(
            f"ファイル {path} は回答の表ではなく、ウェブページ（HTML）のようです。"
            "ブラウザで開いたページを保存したものか、ダウンロードの途中でログイン画面などが保存された"
            "可能性があります。フォームの「CSV をダウンロード」などで回答を書き出し直すか、"
            "Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存してください。"
        )


def _encrypted_message(path: Path) -> str:
    return (
        f"ファイル {path} はパスワードで保護（暗号化）された Excel ブックなので読めません。"
        "Excel で開き、「ファイル」→「情報」→「ブックの保護」→「パスワードを使用して暗号化」で"
        "パスワードを空にして保存し直すか、「CSV UTF-8 (コンマ区切り)」で書き出してください。"
    )


def check_workbook_bytes(data: bytes, path: Path, *, expect_workbook: bool) -> None:
    """Raise for an encrypted workbook, an old .xls, or (for a text input) any workbook.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : Path
        The file, for the message.
    expect_workbook : bool
        True for ``.xlsx``/``.xlsm`` inputs (a zip archive is fine), False for text inputs.

    Raises
    ------
    InputError
        With what the file is and what to do.
    """
    if data.startswith(OLE_SIGNATURE):
        if any(name in data for name in _ENCRYPTED_STREAMS):
            raise InputError(_encrypted_message(path))
        raise InputError(
            f"ファイル {path} は Excel 97-2003 形式（.xls）のブックのようです。"
            "Excel で開いて「Excel ブック (.xlsx)」か「CSV UTF-8 (コンマ区切り)」で保存し直してください。"
        )
    if data.startswith(ZIP_SIGNATURE) and not expect_workbook:
        raise InputError(
            f"ファイル {path} は CSV ではなく Excel ブック（zip 形式）のようです。"
            "拡張子を .xlsx に直すか、Excel で「CSV UTF-8 (コンマ区切り)」として保存してください。"
        )
