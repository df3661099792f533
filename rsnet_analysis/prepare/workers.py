"""Masking and tokenising on several cores: chunks of answers in worker processes, results in order.

Each answer is masked and tokenised on its own (:class:`~rsnet_analysis.prepare.TextPreparer`:
one MeCab pass), so the work splits into chunks of :data:`CHUNK_ROWS` answers that worker
processes handle independently. The workers are joblib's (``loky`` backend, which scikit-learn
uses too): they start from a fresh interpreter (not a copy of the caller, whose tables can be
large) and need no ``if __name__ == "__main__"`` guard in the user's script. Chunks are sent a
few at a time and their results taken back in input order, which makes the output the same, byte
for byte, whatever the number of workers. A worker unpickles the preparer once and keeps it (with its MeCab tagger and caches) for
the following chunks. The workers are stopped at the end of each call, so no idle process keeps
memory after a run.

:func:`default_jobs` decides how many processes to use when the caller does not say: one for
fewer than :data:`PARALLEL_MIN_ROWS` answers (starting a worker and loading its dictionary take
about a second, which is more than small inputs gain), else ``min(2, available cores)``.
"""

from __future__ import annotations

import os
import pickle
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Protocol

__all__ = [
    "AHEAD_ROWS",
    "CHUNK_ROWS",
    "MAX_DEFAULT_JOBS",
    "PARALLEL_MIN_ROWS",
    "available_cpus",
    "default_jobs",
    "map_chunks",
]

#: Answers below which :func:`default_jobs` uses one process.
PARALLEL_MIN_ROWS = 5000
#: Answers per task sent to a worker.
CHUNK_ROWS = 1000
#: Most processes :func:`default_jobs` chooses (``--jobs`` can ask for more).
MAX_DEFAULT_JOBS = 2

#: Answers tagged together before they are prepared one by one (see :func:`prepare_rows`).
AHEAD_ROWS = 200

Row = tuple[str, str, tuple[str, ...]]
Result = tuple[str, list[str], list[str], list[str]]


class Preparer(Protocol):
    """What masks and tokenises one answer (:class:`~rsnet_analysis.prepare.TextPreparer`)."""

    def __call__(self, text: str, kept: bool, extra: Sequence[str] = ()) -> Result:
        """``(masked, tokens, lemmas, token_pos)`` of one answer."""
        ...  # pragma: no cover - a protocol

    def ahead(self, texts: Iterable[str]) -> AbstractContextManager[None]:
        """A block inside which preparing ``texts`` is faster."""
        ...  # pragma: no cover - a protocol

_PREPARERS: dict[bytes, Preparer] = {}  # in a worker: the preparers it has unpickled


def available_cpus() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def default_jobs(n_rows: int) -> int:
    """Processes to mask and tokenise ``n_rows`` answers with (see the module docstring).

    Parameters
    ----------
    n_rows : int
        Number of answers.

    Returns
    -------
    int
        1 below :data:`PARALLEL_MIN_ROWS`, else ``min(MAX_DEFAULT_JOBS, available_cpus())``.
    """
    if n_rows < PARALLEL_MIN_ROWS:
        return 1
    return min(MAX_DEFAULT_JOBS, available_cpus())


def prepare_rows(prepare: Preparer, rows: Iterable[Row]) -> list[Result]:
    """Mask and tokenise rows in this process (an empty text is returned as it is).

    The rows are taken :data:`AHEAD_ROWS` at a time and the texts of each batch tagged together
    first (``prepare.ahead``), which is faster than tagging between the masking of each.
    """
    results: list[Result] = []
    for batch in _chunks(rows, AHEAD_ROWS):
        with prepare.ahead([text for text, _status, _extra in batch if text]):
            results += [
                prepare(text, status == "kept", extra) if text else (text, [], [], []) for text, status, extra in batch
            ]
    return results


def _run_chunk(preparer: bytes, rows: list[Row]) -> tuple[list[Result], float]:
    """In a worker: the results of one chunk and the CPU seconds they took."""
    start = time.process_time()
    prepare = _PREPARERS.get(preparer)
    if prepare is None:
        prepare = _PREPARERS[preparer] = pickle.loads(preparer)
    return prepare_rows(prepare, rows), time.process_time() - start


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def map_chunks(
    prepare: Preparer,
    rows: Iterable[Row],
    jobs: int,
    *,
    on_chunk: Callable[[int, float], None] | None = None,
) -> Iterator[Result]:
    """Mask and tokenise ``rows`` in ``jobs`` worker processes; the results in input order.

    Rows are read from ``rows`` only a few chunks ahead of the results (a stream works).

    Parameters
    ----------
    prepare : callable
        A picklable ``prepare(text, kept, extra) -> (masked, tokens, lemmas, token_pos)``
        (:class:`~rsnet_analysis.prepare.TextPreparer`).
    rows : iterable of (str, str, tuple of str)
        Cleaned text, status and identity strings of each row.
    jobs : int
        Worker processes.
    on_chunk : callable, optional
        Called as ``on_chunk(n_rows, worker_cpu_seconds)`` after each chunk (progress, timing).

    Yields
    ------
    tuple of (str, list of str, list of str, list of str)
        One result per row, in order.
    """
    from joblib.externals.loky import get_reusable_executor

    preparer = pickle.dumps(prepare)
    executor = get_reusable_executor(max_workers=jobs, reuse=False)
    pending: deque[Future[tuple[list[Result], float]]] = deque()
    try:
        for chunk in _chunks(rows, CHUNK_ROWS):
            pending.append(executor.submit(_run_chunk, preparer, chunk))
            if len(pending) >= 2 * jobs:  # a few chunks ahead: the input may be a stream
                yield from _collect(pending.popleft(), on_chunk)
        while pending:
            yield from _collect(pending.popleft(), on_chunk)
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True)


def _collect(future: Future[tuple[list[Result], float]], on_chunk: Callable[[int, float], None] | None) -> list[Result]:
    results, cpu = future.result()
    if on_chunk is not None:
        on_chunk(len(results), cpu)
    return results
