"""Which files to read: expand folders, check suffixes, give every file a record-id prefix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from rsnet_analysis.errors import InputError, RsnetError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MD_SUFFIXES = (".md", ".markdown")
#: File name endings read_inputs understands.
SUPPORTED_SUFFIXES: tuple[str, ...] = CSV_SUFFIXES + XLSX_SUFFIXES + JSONL_SUFFIXES + MD_SUFFIXES


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
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


def record_stems(files: Sequence[Path]) -> dict[Path, str]:
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


def repo_root() -> Path:
    """Return the folder that holds ``data/`` when running from a checkout."""
    return Path(__file__).resolve().parents[2]


def sample_inputs() -> list[Path]:
    """Return the bundled sample inputs: both survey waves and the session notes.

    Raises
    ------
    RsnetError
        If the sample data is not next to the package (an installed copy without the repository).
    """
    sample = repo_root() / "data" / "sample"
    paths = [sample / "survey_2023.csv", sample / "survey_2024.xlsx", sample / "notes"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise RsnetError(
            f"サンプルデータが見つかりません: {', '.join(str(p) for p in missing)}。"
            "リポジトリを取得し直すか、分析するファイルを指定してください（例: rsnet analyze 回答.csv）。"
        )
    return paths
