"""Which files in an output folder a run of rsnet wrote: the manifest, and names we own.

See :mod:`.folder` for how a run uses it. The manifest ``OUT/.rsnet-manifest.json`` lists the
files of the last complete run with their size and sha256. Only those files are ever replaced or
removed; a file the user has changed since (its hash differs) is no longer ours and is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "KNOWN_FILES",
    "MANIFEST_NAME",
    "conflicts",
    "is_rsnet_folder",
    "obsolete_files",
    "previous_files",
    "read_json",
    "safe_relative",
    "sha256",
]

#: The manifest of the last complete run, inside the output folder.
MANIFEST_NAME = ".rsnet-manifest.json"
#: Names a run writes at the top of the output folder (figures go to ``figures/``).
KNOWN_FILES: tuple[str, ...] = (
    "records.csv",
    "clusters.csv",
    "trends.csv",
    "segments.csv",
    "emerging.csv",
    "subgroups.csv",
    "summary.json",
    "report.html",
    "report.md",
    "newsletter.txt",
    "report.xlsx",
)
_FIGURES = ("challenge_sizes.png", "trends.png")  # and segments_*.png


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json(path: Path) -> Any:
    """The JSON in a file, or None when it is missing or not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_ours_by_name(rel: str) -> bool:
    if rel in KNOWN_FILES:
        return True
    folder, _, name = rel.partition("/")
    if folder != "figures" or "/" in name:
        return False
    return name in _FIGURES or (name.startswith("segments_") and name.endswith(".png"))


def is_rsnet_folder(out: Path) -> bool:
    """Whether ``out`` holds output of rsnet (a manifest, or an rsnet ``summary.json``)."""
    if (out / MANIFEST_NAME).is_file():
        return True
    summary = read_json(out / "summary.json")
    return isinstance(summary, dict) and summary.get("tool") == "rsnet-analysis"


def safe_relative(rel: object) -> bool:
    """A manifest or journal entry names a file inside the folder (no absolute path, no ``..``)."""
    if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or ":" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.replace("\\", "/").split("/"))


def previous_files(out: Path) -> dict[str, str | None]:
    """The files of the previous run in ``out``: relative path to its recorded sha256.

    Parameters
    ----------
    out : Path
        The output folder.

    Returns
    -------
    dict
        The manifest's entries; without a manifest, in a folder whose ``summary.json`` was
        written by rsnet, the files present under our names (with no recorded hash); else none.
    """
    manifest = read_json(out / MANIFEST_NAME)
    if isinstance(manifest, dict) and isinstance(manifest.get("files"), list):
        entries = [f for f in manifest["files"] if isinstance(f, dict)]
        return {f["path"]: f.get("sha256") for f in entries if safe_relative(f.get("path"))}
    if not is_rsnet_folder(out):
        return {}
    found = [n for n in KNOWN_FILES if (out / n).is_file()]
    if (out / "figures").is_dir():
        found += [f"figures/{p.name}" for p in (out / "figures").iterdir() if p.is_file()]
    return {f: None for f in sorted(found) if _is_ours_by_name(f)}


def obsolete_files(out: Path, new: list[str]) -> list[str]:
    """Previous files the new set does not have, unless the user has changed them since."""
    gone = []
    for rel, digest in sorted(previous_files(out).items()):
        path = out / rel
        if rel in new or not path.is_file():
            continue
        if digest is None or sha256(path) == digest:
            gone.append(rel)
    return gone


def conflicts(out: Path, names: Iterable[str]) -> list[str]:
    """Paths in ``out`` that a run would overwrite although no run of rsnet wrote them.

    A folder (or a file where a folder of ours goes, such as a file called ``figures``) is
    always in the way; a file with one of our names only in a folder without rsnet output.
    """
    if not out.is_dir():
        return []
    ours = is_rsnet_folder(out)
    clash: list[str] = []
    for rel in names:
        parts = rel.split("/")
        blocked = [
            "/".join(parts[:i])
            for i in range(1, len(parts))
            if os.path.lexists(out.joinpath(*parts[:i])) and not out.joinpath(*parts[:i]).is_dir()
        ]
        target = out / rel
        if blocked:
            clash += blocked
        elif target.is_dir() or (not ours and os.path.lexists(target)):
            clash.append(rel)
    return sorted(set(clash))
