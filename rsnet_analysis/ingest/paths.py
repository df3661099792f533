"""Which files to read: expand folders, check suffixes, give every file a record-id prefix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rsnet_analysis.errors import InputError, RsnetError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MD_SUFFIXES = (".md", ".markdown")
#: File name endings read_inputs understands.
SUPPORTED_SUFFIXES: tuple[str, ...] = CSV_SUFFIXES + XLSX_SUFFIXES + JSONL_SUFFIXES + MD_SUFFIXES


#: File stems (case-folded) of documentation that sits beside exports and is never an input.
DOC_STEMS = frozenset({"readme", "read_me", "read me", "license", "changelog", "はじめにお読みください"})


@dataclass
class InputFiles:
    """The files to read.

    Attributes
    ----------
    files : list of Path
        Supported files, sorted by path, each once.
    from_folder : set of Path
        Those found inside a folder (rather than named): a file there that turns out not to be a
        table is skipped with a notice instead of stopping the run.
    notices : list of str
        What was skipped.
    """

    files: list[Path]
    from_folder: set[Path] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)


def _folder_files(folder: Path, notices: list[str]) -> list[Path]:
    """Supported files inside a folder (hidden files, Excel lock files and READMEs skipped)."""
    inside = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)
    )
    docs = [p for p in inside if p.stem.casefold() in DOC_STEMS]
    if docs:
        notices.append(
            f"フォルダ {folder} の {', '.join(p.name for p in docs)} は説明のファイルとみなし、読み込みません。"
        )
    return [p for p in inside if p not in docs]


def _named_file(path: Path) -> Path:
    """A file named on the command line: its format must be supported."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        hint = (
            "Excel で .xlsx 形式として保存し直してください。"
            if path.suffix.lower() == ".xls"
            else f"対応している形式: {', '.join(SUPPORTED_SUFFIXES)}"
        )
        raise InputError(f"ファイル {path} の形式（{path.suffix or '拡張子なし'}）は読めません。{hint}")
    return path


def _missing(path: Path) -> InputError:
    hint = ""
    if not path.suffix:
        hint = (
            "列名のつもりなら、列ごとに --segment-col 列名 のようにオプションをつけてください"
            "（--segment-col 自治体区分 --segment-col 役割）。"
        )
    return InputError(
        f"ファイル {path} が見つかりません。パス（フォルダ名・ファイル名・拡張子）を確かめてください。{hint}"
    )


def collect_inputs(paths: str | Path | Iterable[str | Path]) -> InputFiles:
    """Turn files and folders into the sorted list of supported files to read.

    Raises
    ------
    InputError
        For no paths, a missing path, an unsupported named file, or a folder without inputs.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    given = list(paths)
    if not given:
        raise InputError("入力ファイルが指定されていません。CSV・Excel・JSONL・Markdown のファイルかフォルダを指定してください。")
    found: list[Path] = []
    from_folder: set[Path] = set()
    notices: list[str] = []
    for raw_path in given:
        path = Path(raw_path)
        if path.is_dir():
            inside = _folder_files(path, notices)
            if not inside:
                raise InputError(
                    f"フォルダ {path} に読めるファイルがありません。"
                    f"対応している形式: {', '.join(SUPPORTED_SUFFIXES)}"
                )
            found.extend(inside)
            from_folder.update(inside)
        elif path.is_file():
            found.append(_named_file(path))
        elif path.exists():
            raise InputError(f"{path} はファイルでもフォルダでもありません。")
        else:
            raise _missing(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    files = sorted(unique.values(), key=lambda p: str(p))
    named = {Path(p) for p in given}
    return InputFiles(files=files, from_folder={p for p in files if p in from_folder and p not in named},
                      notices=notices)


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Turn files and folders into a sorted list of supported files (see :func:`collect_inputs`)."""
    return collect_inputs(paths).files


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
