"""The output folder: checked before the analysis, locked while a run uses it, replaced as a set.

A run never writes into ``OUT`` (the ``--out`` folder) directly. It writes every file into a
staging folder, and only when all of them are complete does it swap them in. The user's own files
in ``OUT`` are never touched: only the files that a run of rsnet wrote are ever replaced or
removed, and they are known from a manifest.

Layout (``P`` is the parent of ``OUT``)::

    P/.OUT.rsnet-lock              lock file while a run uses OUT
    P/.OUT.rsnet-new/              staging folder: the new files, then the journal
    P/.OUT.rsnet-new/.rsnet-commit.json    journal: present = the new set is committed
    OUT/.rsnet-manifest.json       the files of the last complete run (path, bytes, sha256)

When ``P`` cannot be written to, or ``OUT`` is a mount point (another file system, where a rename
from ``P`` is impossible), the lock and the staging folder go inside ``OUT`` instead, as
``OUT/.rsnet-lock`` and ``OUT/.rsnet-new/``.

A run, step by step:

1. **Check** (before the analysis, :func:`check_output_folder`): ``OUT`` is a folder or can be
   created, and can be written to; in a folder that holds no earlier rsnet output, no file has one
   of our names (we would overwrite someone's ``report.md``). Each problem is one
   :class:`OutputFolderError` with a Japanese message, shown by the CLI with exit code 2.
2. **Lock** (:class:`OutputFolder`): the lock file is created and locked with ``flock``; a second
   run on the same folder finds it locked and stops with a message naming the other run's pid. A
   run that dies (even by SIGKILL) loses its ``flock`` in the kernel, so its lock file is *stale*:
   the next run acquires the lock, reports that the previous run ended early, and recovers.
3. **Recover**: a staging folder left by a dead run is rolled back (deleted) if it holds no
   journal, and rolled forward (the swap completed) if it does.
4. **Stage**: every file is written into the staging folder; then the manifest of the new set is
   written there and every file is flushed to disk.
5. **Commit**: the journal (the new files, and the previous run's files that the new set no
   longer has) is written to a temporary name and renamed into place. This rename is the single
   atomic moment: before it, ``OUT`` still holds the complete previous output and a crash is
   rolled back; after it, the new set wins and a crash is rolled forward.
6. **Swap**: each new file is renamed into ``OUT`` (``os.replace``, atomic per file, replacing the
   old file of the same name), obsolete files of the previous run are removed, the manifest is
   renamed into place, and the staging folder is deleted. Every step can be repeated, so the
   recovery of step 3 simply runs them again. SIGINT, SIGTERM and SIGHUP are held back during
   steps 5-6 (they take effect right after), so only a SIGKILL or a power cut can interrupt the
   swap; while it is interrupted the folder holds a mix, which the next run (or any
   :class:`OutputFolder` opened on it) completes before doing anything else.
7. **Unlock**: the lock file is removed. On an error or an interruption before step 5 the staging
   folder is deleted and ``OUT`` is as it was.

A folder written by an rsnet version without a manifest is recognised by its ``summary.json``;
its files with our names are taken as the previous run's set.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rsnet_analysis.report.lock import FolderLock, OutputFolderError
from rsnet_analysis.report.manifest import (
    KNOWN_FILES,
    MANIFEST_NAME,
    conflicts,
    obsolete_files,
    read_json,
    safe_relative,
    sha256,
)

__all__ = [
    "JOURNAL_NAME",
    "MANIFEST_NAME",
    "OutputFolder",
    "OutputFolderError",
    "check_output_folder",
]

#: The journal that commits a staged set, inside the staging folder.
JOURNAL_NAME = ".rsnet-commit.json"


def _fsync(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # some platforms cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_json_atomically(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    tmp.write_text(text, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync(path.parent, directory=True)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def check_output_folder(path: str | Path) -> Path:
    """Check that ``path`` can take a run's output, before the analysis starts.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder (it need not exist).

    Returns
    -------
    Path
        The folder, absolute, with symbolic links resolved.

    Raises
    ------
    OutputFolderError
        When ``path`` is a file, lies below a file, cannot be created or written to, or holds
        files with our names that no run of rsnet wrote.
    """
    shown = str(path)
    try:
        out = Path(path).expanduser().resolve()
        existing = _nearest_existing(out)
        if existing == out and not out.is_dir():
            raise OutputFolderError(
                f"出力先 {shown} はファイルです。結果を書き出すフォルダを --out に指定してください。"
            )
        if not existing.is_dir():
            raise OutputFolderError(
                f"出力先 {shown} を作れません（{existing} がファイルです）。"
                "別のフォルダを --out に指定してください。"
            )
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputFolderError(
                f"出力先 {shown} に書き込めません（{existing} に書き込む権限がありません）。"
                "書き込めるフォルダを --out に指定してください。"
            )
    except (OSError, ValueError) as exc:
        raise OutputFolderError(
            f"出力先 {shown} を使えません（{exc}）。別のフォルダを --out に指定してください。"
        ) from None
    clash = conflicts(out, KNOWN_FILES)
    if clash:
        raise OutputFolderError(
            f"出力先 {shown} に、rsnet の出力ではない同じ名前のファイルがあります（{'、'.join(clash)}）。"
            "上書きしないよう中止しました。別のフォルダを --out に指定するか、これらのファイルを移してください。"
        )
    return out


def _staging_base(out: Path) -> Path:
    """Where the lock and the staging folder go: beside ``out``, or inside it (see the module)."""
    parent = out.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        return out
    if out.is_dir() and os.stat(out).st_dev != os.stat(parent).st_dev:
        return out
    return parent


_HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP during the swap; they take effect right after.

    Python runs signal handlers in the main thread whichever thread the kernel chose (a library
    thread may get a signal sent to the process), so the signals are held by swapping in a
    handler that only notes them, and raised again, under the previous handlers, at the end.
    Outside the main thread handlers cannot be changed, and nothing is held.
    """
    caught: list[int] = []
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _HELD_SIGNALS:
            if signal.getsignal(sig) is not None:  # None: a handler not set from Python
                previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)


def _prune(path: Path, top: Path) -> None:
    """Remove the empty folders between ``path`` and ``top`` (exclusive)."""
    for folder in path.parents:
        if folder == top or top not in folder.parents:
            return
        try:
            folder.rmdir()
        except OSError:
            return


def _apply(out: Path, stage: Path) -> None:
    """Steps of the swap; each can be repeated, so this is also the roll-forward recovery."""
    journal = read_json(stage / JOURNAL_NAME)
    if not all(safe_relative(rel) for rel in [*journal["new"], *journal["obsolete"]]):
        raise OutputFolderError(f"{stage / JOURNAL_NAME} が壊れています。このフォルダを削除してから実行し直してください。")
    out.mkdir(parents=True, exist_ok=True)
    for rel in journal["new"]:
        source = stage / rel
        if source.exists():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in journal["obsolete"]:
        target = out / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
            _prune(target, out)
    if (stage / MANIFEST_NAME).exists():
        os.replace(stage / MANIFEST_NAME, out / MANIFEST_NAME)
    for folder in {(out / rel).parent for rel in journal["new"]} | {out}:
        _fsync(folder, directory=True)
    (stage / JOURNAL_NAME).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def recover(out: Path, stage: Path) -> str | None:
    """Finish or undo a swap that a dead run left; return a notice for the user, or None."""
    if not stage.exists():
        return None
    if (stage / JOURNAL_NAME).is_file() and isinstance(read_json(stage / JOURNAL_NAME), dict):
        _apply(out, stage)
        return "前回の実行が書き出しの途中で終わっていたため、その結果の入れ替えを完了しました。"
    shutil.rmtree(stage, ignore_errors=True)
    return "前回の実行が書き出しの途中で終わっていたため、書きかけのファイルを削除しました（出力先は前回の結果のままです）。"


def _staged_files(stage: Path) -> list[str]:
    files = [p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()]
    return sorted(f for f in files if f not in (MANIFEST_NAME, JOURNAL_NAME))


class OutputFolder:
    """A checked, locked output folder whose files are replaced as one set.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder. The paths returned by :meth:`publish` start with it as given.

    Notes
    -----
    Use as a context manager, opened before the analysis so that a bad ``--out`` or a folder in
    use stops the run at once::

        with OutputFolder("out") as folder:
            result = run_analysis(settings)
            folder.publish(lambda stage: write_everything(result, stage))

    ``notices`` holds what the user should know (a stale lock, a recovered swap).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.notices: list[str] = []
        self._out: Path | None = None
        self._stage: Path | None = None
        self._lock: FolderLock | None = None

    def open(self) -> OutputFolder:
        """Check the folder, take the lock and recover an interrupted run (see the module)."""
        out = check_output_folder(self.path)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            base = _staging_base(out)
            base.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputFolderError(
                f"出力先 {self.path} を作れません（{exc.strerror}）。別のフォルダを --out に指定してください。"
            ) from None
        prefix = "." if base == out else f".{out.name}."
        lock = FolderLock(base / f"{prefix}rsnet-lock", shown=str(self.path))
        stale = lock.acquire()
        self._out, self._stage, self._lock = out, base / f"{prefix}rsnet-new", lock
        if stale:
            self.notices.append(stale)
        note = recover(out, self._stage)
        if note:
            self.notices.append(note)
        return self

    def close(self) -> None:
        """Delete an uncommitted staging folder and release the lock."""
        if self._stage is not None and self._stage.exists():
            recover(self._out, self._stage)  # type: ignore[arg-type]
        if self._lock is not None:
            self._lock.release()
        self._lock = None

    def __enter__(self) -> OutputFolder:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def publish(self, write: Callable[[Path], Iterable[Path]]) -> list[Path]:
        """Write a complete set of files and swap it into the folder.

        Parameters
        ----------
        write : callable
            Called with the (empty) staging folder; writes every file of the run there and
            returns their paths.

        Returns
        -------
        list of Path
            The same files at their final place (``path / relative``), in ``write``'s order.

        Raises
        ------
        OutputFolderError
            When a new file would overwrite a file that no run of rsnet wrote.
        """
        if self._lock is None or self._out is None or self._stage is None:
            raise RuntimeError("OutputFolder.publish needs an open folder (use it in a with block)")
        out, stage = self._out, self._stage
        try:
            shutil.rmtree(stage, ignore_errors=True)
            stage.mkdir()
            order = [Path(p).resolve().relative_to(stage.resolve()).as_posix() for p in write(stage)]
            new = _staged_files(stage)
            self._stage_manifest(stage, new)
            obsolete = obsolete_files(out, new)
        except OSError as exc:  # disk full, permissions changed...: nothing has been swapped yet
            raise OutputFolderError(
                f"出力先 {self.path} への書き出しに失敗しました（{exc.strerror or exc}）。"
                "出力先は前回の結果のままです。空き容量や権限を確かめてから実行し直してください。"
            ) from None
        try:
            with _signals_held():
                _write_json_atomically(stage / JOURNAL_NAME, {"new": new, "obsolete": obsolete})
                _apply(out, stage)
        except OSError as exc:
            raise OutputFolderError(
                f"出力先 {self.path} のファイルの入れ替えに失敗しました（{exc.strerror or exc}）。"
                "原因を取り除いてからもう一度実行すると、入れ替えを完了します。"
            ) from None
        return [self.path / rel for rel in order]

    def _stage_manifest(self, stage: Path, new: list[str]) -> None:
        """Refuse to overwrite files that are not ours; flush the set; write its manifest."""
        out = self._out
        assert out is not None
        clash = conflicts(out, new)
        if clash:
            raise OutputFolderError(
                f"出力先 {self.path} に、rsnet の出力ではない同じ名前のファイルやフォルダがあります"
                f"（{'、'.join(clash)}）。上書きしないよう中止しました。"
                "別のフォルダを --out に指定するか、これらを移してください。"
            )
        files = []
        for rel in new:
            _fsync(stage / rel)
            files.append({"path": rel, "bytes": (stage / rel).stat().st_size, "sha256": sha256(stage / rel)})
        for folder in {(stage / rel).parent for rel in new}:
            _fsync(folder, directory=True)
        _write_json_atomically(stage / MANIFEST_NAME, {"tool": "rsnet-analysis", "files": files})
