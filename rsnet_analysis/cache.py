"""A run kept on disk, so that the notebooks analyse the data once, not once per notebook.

:func:`cached_analysis` returns the result of :func:`~rsnet_analysis.pipeline.run_analysis` for
the given settings, from ``.rsnet-cache/`` when the same settings were run on the same input
files with the same code and package versions, else runs the analysis and keeps it there. The
key covers the settings, every input file's bytes, every source and resource file of the
package and the recorded package versions, so a changed answer, rule or line of code never
gives a stale result.

What is kept holds no unmasked text: the columns that do (``text_original``, ``text_clean``,
``identity``) are dropped before the result is written, and the result returned is the one
kept, so a first run and a cached run look the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from pathlib import Path

from rsnet_analysis.contract import IDENTITY_COLUMN, AnalysisResult, AnalysisSettings

__all__ = ["CACHE_DIR", "cache_key", "cached_analysis"]

#: Default cache folder (relative to the working folder; the notebooks' is ``notebooks/``).
CACHE_DIR = ".rsnet-cache"

#: Record columns never written to the cache.
UNMASKED_COLUMNS: tuple[str, ...] = ("text_original", "text_clean", IDENTITY_COLUMN)

_PACKAGE = Path(__file__).resolve().parent


def _input_files(settings: AnalysisSettings) -> list[Path]:
    from rsnet_analysis import ingest

    roots = [Path(p) for p in settings.inputs] if settings.inputs else ingest.sample_inputs()
    files: list[Path] = []
    for root in roots:
        files += sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    return files


def cache_key(settings: AnalysisSettings) -> str:
    """The key of a run: settings, input bytes, package sources and versions (sha-256, hex).

    Parameters
    ----------
    settings : AnalysisSettings

    Returns
    -------
    str
    """
    from rsnet_analysis.pipeline import package_versions

    digest = hashlib.sha256()
    digest.update(json.dumps(settings.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps(package_versions(), sort_keys=True).encode("utf-8"))
    for path in _input_files(settings):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes() if path.exists() else b"missing")
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and p.suffix in {".py", ".yaml", ".tsv", ".txt", ".j2"}):
        digest.update(str(path.relative_to(_PACKAGE)).encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_analysis(
    settings: AnalysisSettings, *, cache_dir: str | Path = CACHE_DIR, progress: bool = False
) -> AnalysisResult:
    """The run for ``settings``, from the cache when it is there (see the module docstring).

    Parameters
    ----------
    settings : AnalysisSettings
    cache_dir : str or Path, default CACHE_DIR
    progress : bool, default False
        Show progress bars when the analysis has to run.

    Returns
    -------
    AnalysisResult
        Without the unmasked-text columns (:data:`UNMASKED_COLUMNS`).
    """
    from rsnet_analysis.pipeline import run_analysis

    path = Path(cache_dir) / f"{cache_key(settings)}.pkl"
    if path.exists():
        try:
            with path.open("rb") as handle:
                kept = pickle.load(handle)
            if isinstance(kept, AnalysisResult):
                return kept
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # unreadable: run again and replace it
    result = run_analysis(settings, progress=progress)
    records = result.records.drop(columns=[c for c in UNMASKED_COLUMNS if c in result.records.columns])
    kept = dataclasses.replace(result, records=records)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as handle:
        pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return kept
