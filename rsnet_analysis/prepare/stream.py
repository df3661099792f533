"""The record table of a large input, built chunk by chunk with the answers kept on disk.

:func:`stream_record_table` does what :func:`~rsnet_analysis.prepare.build_record_table` does,
for raw-table chunks (:func:`rsnet_analysis.ingest.iter_inputs`): clean, status (duplicates
found across chunks), mask and tokenise (one pool of worker processes for the whole stream). It
keeps in memory only what the output table needs (the masked text, the status and the input's
attribute columns, repeated values shared); the tokens and lemmas of the kept answers, which only
discovery reads, go to a temporary folder, one file per chunk (:class:`KeptAnswers`). The
private columns (original and cleaned text, identity strings, tokens, lemmas, token parts of
speech) are not in the returned table. The parts of speech are not kept on disk either: nothing
of a streamed run reads them (:func:`rsnet_analysis.explore.frequency_table` tokenises
``text_masked`` again when the table has no ``token_pos``).
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from rsnet_analysis.contract import IDENTITY_COLUMN, QUESTION_COLUMN, TOKEN_COLUMNS
from rsnet_analysis.prepare.records import TextPreparer, _column, _identities, _note_speakers, mask_attributes
from rsnet_analysis.prepare.status import assign_statuses
from rsnet_analysis.prepare.workers import default_jobs, map_chunks, prepare_rows
from rsnet_analysis.text.normalize import clean_text

__all__ = ["KeptAnswers", "StreamedRecords", "stream_record_table"]

#: Columns not kept in a streamed record table (private, or only needed by discovery).
DROPPED = ("text_original", "text_clean", IDENTITY_COLUMN, *TOKEN_COLUMNS)


@dataclass
class KeptAnswers:
    """The kept answers of a streamed run, on disk in chunks: ids, masked texts, tokens, lemmas.

    Attributes
    ----------
    folder : Path
        The temporary folder (removed by :meth:`close`).
    sizes : list of int
        Number of answers in each chunk file.
    """

    folder: Path
    sizes: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(self.sizes)

    def add(self, ids: list[str], texts: list[str], tokens: list[list[str]], lemmas: list[list[str]]) -> None:
        """Write one chunk."""
        with (self.folder / f"kept_{len(self.sizes):05d}.pkl").open("wb") as f:
            pickle.dump((ids, texts, tokens, lemmas), f, protocol=pickle.HIGHEST_PROTOCOL)
        self.sizes.append(len(ids))

    def chunk(self, i: int) -> tuple[list[str], list[str], list[list[str]], list[list[str]]]:
        """Chunk ``i``: record ids, masked texts, tokens and lemmas."""
        with (self.folder / f"kept_{i:05d}.pkl").open("rb") as f:
            return pickle.load(f)

    def chunks(self) -> Iterator[tuple[int, tuple[list[str], list[str], list[list[str]], list[list[str]]]]]:
        """Every chunk with the position of its first answer."""
        start = 0
        for i, size in enumerate(self.sizes):
            yield start, self.chunk(i)
            start += size

    def take(self, rows: np.ndarray) -> tuple[list[str], list[str], list[list[str]], list[list[str]]]:
        """The answers at positions ``rows`` (sorted), read chunk by chunk."""
        ids: list[str] = []
        texts: list[str] = []
        tokens: list[list[str]] = []
        lemmas: list[list[str]] = []
        bounds = np.cumsum([0, *self.sizes])
        for i in range(len(self.sizes)):
            lo, hi = np.searchsorted(rows, [bounds[i], bounds[i + 1]])
            if hi > lo:
                c_ids, c_texts, c_tokens, c_lemmas = self.chunk(i)
                for j in (rows[lo:hi] - bounds[i]).tolist():
                    ids.append(c_ids[j])
                    texts.append(c_texts[j])
                    tokens.append(c_tokens[j])
                    lemmas.append(c_lemmas[j])
        return ids, texts, tokens, lemmas

    def close(self) -> None:
        """Remove the folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class StreamedRecords:
    """A streamed record table and its kept answers.

    Attributes
    ----------
    table : pandas.DataFrame
        The record table without :data:`DROPPED` columns.
    kept : KeptAnswers
        The kept answers, in table order.
    """

    table: pd.DataFrame
    kept: KeptAnswers


def _shared(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Repeated values of ``columns`` become one shared object each (same values, less memory)."""
    for name in columns:
        values = frame[name]
        if values.dtype == object and len(values):
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            if len(uniques) < 0.5 * len(values):
                frame[name] = pd.Series(np.asarray(uniques, dtype=object)[codes], index=frame.index, dtype=object)
    return frame


def stream_record_table(
    chunks: Iterable[pd.DataFrame],
    *,
    jobs: int | None = None,
    progress: bool = False,
    folder: str | Path | None = None,
) -> StreamedRecords:
    """Build the record table of raw-table chunks (see the module docstring).

    Parameters
    ----------
    chunks : iterable of pandas.DataFrame
        Raw-table chunks with ``text_original``, ``respondent`` and the identity column.
    jobs : int, optional
        Worker processes; None uses :func:`~.workers.default_jobs` (large inputs: up to two).
    progress : bool, default False
        Show a bar counting the rows done.
    folder : str or Path, optional
        Where to keep the answers (a new temporary folder by default).

    Returns
    -------
    StreamedRecords
        Its statuses, masked texts, tokens and lemmas are those of
        :func:`~rsnet_analysis.prepare.build_record_table` on the whole table.
    """
    from rsnet_analysis.progress import add_cpu, progress_bar, stage_label

    kept = KeptAnswers(Path(tempfile.mkdtemp(prefix="rsnet-kept-", dir=folder)))
    prepare = TextPreparer()
    pending: deque[tuple[pd.DataFrame, list[str]]] = deque()
    seen: set[bytes] = set()
    attributed: set[str] = set()
    jobs = default_jobs(10**9) if jobs is None else max(1, int(jobs))
    parts: list[pd.DataFrame] = []
    masked_values: dict[str, str] = {}  # the shown attributes' values, masked once for every chunk
    with progress_bar(0, desc=stage_label("mask+tokenise"), enabled=progress) as update:

        def rows() -> Iterator[tuple[str, str, tuple[str, ...]]]:
            for raw in chunks:
                cleaned = [clean_text(t) for t in raw["text_original"].fillna("").astype(str)]
                statuses = assign_statuses(
                    cleaned, _column(raw, "respondent"), _column(raw, "source_file"),
                    _column(raw, QUESTION_COLUMN), _note_speakers(raw), seen=seen,
                    attributed=attributed,
                )
                pending.append((raw, statuses))
                identity = raw[IDENTITY_COLUMN] if IDENTITY_COLUMN in raw else None
                yield from zip(cleaned, statuses, _identities(identity, len(raw)), strict=True)

        def advance(n: int, cpu: float) -> None:
            add_cpu(cpu)
            update(n)

        results = (
            map_chunks(prepare, rows(), jobs, on_chunk=advance) if jobs > 1 else prepare_rows(prepare, rows())
        )
        results = iter(results)
        try:
            while True:
                first = next(results, None)
                if first is None:
                    break
                raw, statuses = pending.popleft()
                done = [first, *islice(results, len(raw) - 1)]
                parts.append(_chunk_table(raw, statuses, done, kept, masked_values))
                if jobs == 1:
                    update(len(raw))
        except BaseException:
            kept.close()
            raise
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return StreamedRecords(table, kept)


def _chunk_table(
    raw: pd.DataFrame,
    statuses: list[str],
    done: list[tuple[str, list[str], list[str], list[str]]],
    kept: KeptAnswers,
    masked_values: dict[str, str],
) -> pd.DataFrame:
    """One chunk of the record table; its kept answers written to ``kept`` (without parts of speech)."""
    table = raw.drop(columns=[c for c in DROPPED if c in raw.columns])
    mask_attributes(table, cache=masked_values)
    table["text_masked"] = pd.Series([m for m, _t, _l, _p in done], index=table.index, dtype=object)
    table["status"] = pd.Series(statuses, index=table.index, dtype=object)
    is_kept = [s == "kept" for s in statuses]
    ids = table["record_id"].astype(str).tolist()
    kept.add(
        [i for i, k in zip(ids, is_kept, strict=True) if k],
        [m for (m, _t, _l, _p), k in zip(done, is_kept, strict=True) if k],
        [t for (_m, t, _l, _p), k in zip(done, is_kept, strict=True) if k],
        [lem for (_m, _t, lem, _p), k in zip(done, is_kept, strict=True) if k],
    )
    shared = [c for c in table.columns if c not in ("record_id", "text_masked", "source_row")]
    return _shared(table, shared)
