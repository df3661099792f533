"""Static Japanese word vectors (chiVe, as shipped in the ``ja-ginza`` wheel) without spaCy.

The ``ja-ginza`` package on PyPI carries 20,000 word vectors of 300 dimensions (derived from
chiVe, Works Applications, Apache-2.0) for 480,443 words. It is installed without its
dependencies (``pip install --no-deps ja-ginza``, see the Makefile), so spaCy is never imported:
this module reads the two files it needs directly,

- ``vocab/vectors``: a plain ``.npy`` array (float32, 20,000 x 300), memory-mapped;
- ``vocab/key2row``: a msgpack map from spaCy's 64-bit string key to a row. A spaCy key is
  MurmurHash64A of the word's UTF-8 bytes with seed 1, computed here in pure Python.

Nothing is downloaded at run time. When the package is missing, :func:`load_word_vectors`
returns None and the answer vectors are built without this block (the run's notices say so).

:func:`sif_embed` turns documents of lemmas into smooth-inverse-frequency weighted averages of
their word vectors with the first principal component removed (Arora, Liang and Ma 2017).
"""

from __future__ import annotations

import importlib.util
import threading
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from itertools import chain, repeat
from pathlib import Path

import numpy as np

__all__ = [
    "WordVectors",
    "first_component",
    "load_word_vectors",
    "remove_component",
    "sif_average",
    "sif_embed",
    "sif_weights",
    "word_vectors_version",
]

_M = 0xC6A4A7935BD1E995
_MASK = 0xFFFFFFFFFFFFFFFF
_R = 47
_PACKAGE = "ja_ginza"
_DISTRIBUTION = "ja-ginza"


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A (Austin Appleby), little-endian, as spaCy's string store uses it.

    Parameters
    ----------
    data : bytes
        The bytes to hash.
    seed : int, default 1
        spaCy hashes strings with seed 1.

    Returns
    -------
    int
        The unsigned 64-bit hash.
    """
    n = len(data)
    h = (seed ^ ((n * _M) & _MASK)) & _MASK
    blocks = n // 8
    if blocks:
        for k in np.frombuffer(data, dtype="<u8", count=blocks).tolist():
            k = (k * _M) & _MASK
            k ^= k >> _R
            k = (k * _M) & _MASK
            h ^= k
            h = (h * _M) & _MASK
    tail = data[blocks * 8 :]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> _R
    h = (h * _M) & _MASK
    h ^= h >> _R
    return h


class WordVectors:
    """Word → vector lookup over sorted key arrays (binary search), vectors memory-mapped.

    Parameters
    ----------
    vectors : numpy.ndarray
        Shape ``(n_rows, dim)``.
    keys, rows : numpy.ndarray
        spaCy keys (uint64) and the row each points to.
    """

    def __init__(self, vectors: np.ndarray, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.rows = rows[order]
        self.vectors = vectors
        self._cache: dict[str, int] = {}

    @classmethod
    def from_dir(cls, vocab_dir: str | Path) -> WordVectors:
        """Load ``vectors`` and ``key2row`` from a spaCy ``vocab`` folder.

        Parameters
        ----------
        vocab_dir : str or Path
            The folder.

        Returns
        -------
        WordVectors
        """
        import msgpack

        vocab_dir = Path(vocab_dir)
        vectors = np.load(vocab_dir / "vectors", mmap_mode="r")
        table = msgpack.unpackb((vocab_dir / "key2row").read_bytes(), strict_map_key=False)
        keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
        rows = np.fromiter(table.values(), dtype=np.int64, count=len(table))
        return cls(vectors, keys, rows)

    @property
    def dim(self) -> int:
        """Number of dimensions."""
        return int(self.vectors.shape[1])

    def row(self, word: str) -> int:
        """The row of ``word``, or -1 when it has no vector."""
        row = self._cache.get(word)
        if row is None:
            key = np.uint64(murmurhash64a(word.encode("utf-8")))
            i = int(np.searchsorted(self.keys, key))
            row = int(self.rows[i]) if i < len(self.keys) and self.keys[i] == key else -1
            self._cache[word] = row
        return row


def _vocab_dir() -> Path | None:
    spec = importlib.util.find_spec(_PACKAGE)  # locates the package without importing spaCy
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for candidate in sorted(Path(location).glob("ja_ginza-*/vocab")):
            if (candidate / "vectors").is_file() and (candidate / "key2row").is_file():
                return candidate
    return None


_LOADED: dict[str, WordVectors | None] = {}
_LOADING = threading.Lock()  # the kinds (a second thread) and discovery may ask at the same time


def load_word_vectors() -> WordVectors | None:
    """The word vectors of the installed ``ja-ginza`` package (loaded once per process).

    Returns
    -------
    WordVectors or None
        None when ``ja-ginza`` (or ``msgpack``) is not installed.
    """
    with _LOADING:
        if "ginza" not in _LOADED:
            folder = _vocab_dir()
            try:
                _LOADED["ginza"] = WordVectors.from_dir(folder) if folder is not None else None
            except ImportError:  # msgpack missing
                _LOADED["ginza"] = None
        return _LOADED["ginza"]


def word_vectors_version() -> str:
    """The installed ``ja-ginza`` version, or ``"not installed"``."""
    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "not installed"


def sif_weights(docs: Sequence[Sequence[str]], *, a: float = 1e-3) -> dict[str, float]:
    """Smooth inverse frequency of every word: ``a / (a + p(w))``, ``p(w)`` its share of all words.

    Parameters
    ----------
    docs : sequence of sequence of str
        Lemmas of each document.
    a : float, default 1e-3
        Smoothing constant (Arora, Liang and Ma 2017).

    Returns
    -------
    dict of str to float
    """
    counts = Counter(w for doc in docs for w in doc)
    total = sum(counts.values()) or 1
    return {w: a / (a + c / total) for w, c in counts.items()}


def sif_average(
    docs: Sequence[Sequence[str]], vectors: WordVectors, weights: dict[str, float]
) -> np.ndarray:
    """Weighted average word vector of each document (words without a vector skipped).

    Words missing from ``weights`` (not seen when the weights were computed) weigh 1, as the
    rarest words do.

    Parameters
    ----------
    docs : sequence of sequence of str
        Lemmas of each document.
    vectors : WordVectors
        The word vectors.
    weights : dict of str to float
        From :func:`sif_weights`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(docs), vectors.dim)``; a zero row for a document without known words.
    """
    import scipy.sparse as sp

    n = len(docs)
    flat = list(chain.from_iterable(docs))
    doc_of = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, docs), dtype=np.int64, count=n))
    row_of = {w: vectors.row(w) for w in set(flat)}
    rows = np.fromiter(map(row_of.__getitem__, flat), dtype=np.int64, count=len(flat))
    weight = np.fromiter(map(weights.get, flat, repeat(1.0)), dtype=np.float64, count=len(flat))
    known = rows >= 0
    index, cols, weight = doc_of[known], rows[known], weight[known]
    # per answer, the weights are added in text order, as a running sum would add them
    wsum = np.bincount(index, weights=weight, minlength=n)
    mix = sp.csr_matrix((weight / wsum[index], (index, cols)), shape=(n, vectors.vectors.shape[0]))
    return np.asarray(mix @ vectors.vectors, dtype=np.float64)


def first_component(averages: np.ndarray, limit: int = 5000) -> np.ndarray:
    """The first right singular vector of the non-zero rows (on at most ``limit`` of them).

    Parameters
    ----------
    averages : numpy.ndarray
        Output of :func:`sif_average`.
    limit : int, default 5000
        Rows used (the first ones; the component of a large corpus is stable).

    Returns
    -------
    numpy.ndarray
        Unit vector of length ``averages.shape[1]``, or zeros when there are fewer than two rows.
    """
    filled = averages[np.abs(averages).sum(axis=1) > 0][:limit]
    if len(filled) < 2:
        return np.zeros(averages.shape[1])
    _, _, vt = np.linalg.svd(filled, full_matrices=False)
    u = vt[0]
    return u if u[np.argmax(np.abs(u))] >= 0 else -u


def remove_component(averages: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Remove the projection on ``u`` and L2-normalise rows (float32).

    Parameters
    ----------
    averages : numpy.ndarray
        Output of :func:`sif_average`.
    u : numpy.ndarray
        From :func:`first_component`.

    Returns
    -------
    numpy.ndarray
    """
    out = averages - np.outer(averages @ u, u)
    out[np.abs(averages).sum(axis=1) == 0] = 0.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def sif_embed(
    docs: Sequence[Sequence[str]], vectors: WordVectors, *, a: float = 1e-3
) -> np.ndarray:
    """Smooth-inverse-frequency document vectors of ``docs`` (Arora, Liang and Ma 2017).

    The weighted average of each document's word vectors (:func:`sif_weights`,
    :func:`sif_average`), with the projection on the first principal component removed
    (:func:`first_component`) and rows L2-normalised.

    Parameters
    ----------
    docs : sequence of sequence of str
        Lemmas of each document.
    vectors : WordVectors
        The word vectors.
    a : float, default 1e-3
        Smoothing constant.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(docs), vectors.dim)``, float32.
    """
    averages = sif_average(docs, vectors, sif_weights(docs, a=a))
    return remove_component(averages, first_component(averages))
