"""The lock of an output folder: one run at a time, and a dead run's lock never blocks forever.

The lock is a small file (see :mod:`.folder` for where it lives) holding the pid, host and start
time of the run that uses the folder, locked with ``flock`` (``msvcrt.locking`` on Windows). The
kernel drops the lock when its process ends, however it ends (SIGKILL and power cuts included),
so a lock file left behind is *stale* exactly when nobody holds its lock: the next run takes it
over and says that the previous run ended early. A run that finds the lock held stops with a
message naming the other run. Releasing removes the file; a run that opened the file just before
it was removed notices (the path no longer names the file it locked) and opens it afresh.

A lock on a network drive is only as good as the server's support for ``flock``.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
from pathlib import Path

from rsnet_analysis.errors import RsnetError

__all__ = ["FolderLock", "OutputFolderError"]

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class OutputFolderError(RsnetError):
    """The output folder cannot be used: not creatable, not writable, in use, or not ours."""


def _try_lock(fd: int) -> bool:
    """Take the lock of an open file without waiting; False when another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _read(fd: int) -> dict[str, object]:
    try:
        data = os.pread(fd, 4096, 0) if hasattr(os, "pread") else b""
        holder = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (OSError, ValueError):
        return {"pid": "?"}
    return holder if isinstance(holder, dict) else {"pid": "?"}


def _who(holder: dict[str, object]) -> str:
    host = holder.get("host")
    where = f"、{host}" if host and host != socket.gethostname() else ""
    return f"pid {holder.get('pid', '?')}{where}、{holder.get('started', '開始時刻不明')} 開始"


class FolderLock:
    """An exclusive lock on one output folder.

    Parameters
    ----------
    path : Path
        The lock file.
    shown : str
        The folder as the user named it (for messages).
    """

    def __init__(self, path: Path, *, shown: str) -> None:
        self.path = Path(path)
        self.shown = shown
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock.

        Returns
        -------
        str or None
            A notice when a stale lock of a run that ended early was taken over, else None.

        Raises
        ------
        OutputFolderError
            When another run holds the lock, or the lock file cannot be created.
        """
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputFolderError(
                    f"出力先 {self.shown} のロックファイル {self.path} を作れません（{exc.strerror}）。"
                    "書き込めるフォルダを --out に指定してください。"
                ) from None
            if not _try_lock(fd):
                holder = _read(fd)
                os.close(fd)
                raise OutputFolderError(
                    f"出力先 {self.shown} は別の rsnet の実行が使用中です（{_who(holder)}）。"
                    "その実行が終わるのを待つか、別のフォルダを --out に指定してください。"
                )
            if not _same_file(fd, self.path):  # released and removed just now: open it again
                os.close(fd)
                continue
            previous = _read(fd)
            self._write_holder(fd)
            self._fd = fd
            if previous:
                return (
                    f"前回の実行（{_who(previous)}）は途中で終わっていました。"
                    "残っていたロックを引き継ぎます。"
                )
            return None
        raise OutputFolderError(f"出力先 {self.shown} のロックを取れませんでした。もう一度実行してください。")

    @staticmethod
    def _write_holder(fd: int) -> None:
        started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(holder).encode("utf-8"))
        os.fsync(fd)

    def release(self) -> None:
        """Remove the lock file and drop the lock (no-op when not held)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            self.path.unlink(missing_ok=True)  # before unlocking: see the module docstring
        except OSError:  # pragma: no cover - Windows cannot remove an open file
            os.close(fd)
            self.path.unlink(missing_ok=True)
            return
        os.close(fd)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None
