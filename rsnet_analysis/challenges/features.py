"""Answer vectors, built once per run from the cached lemmas and masked text.

One feature matrix serves every step that compares answers (coding, clustering, naming): nothing
here tokenizes Japanese again. The input ``X`` is a :class:`pandas.DataFrame` with a ``text``
column (masked, normalised answer) and a ``lemmas`` column (content lemmas from
:class:`~rsnet_analysis.text.JapaneseTokenizer`); :func:`feature_frame` builds it.

The representation (measured in ``benchmarks/bench_external.py`` against a plain TF-IDF + SVD +
KMeans baseline on news titles, news bodies, car-defect reports, policy proposals, tweets and
survey answers) is three L2-normalised blocks side by side:

- **BM25 over lemmas** (weight 1): content words, with term saturation (``k1``) and length
  normalisation (``b``), which treats short and long answers alike better than raw TF-IDF. The
  saturation grows weaker as the answers grow longer (``k1`` in proportion to the mean length
  beyond :data:`SATURATION_LEMMAS` lemmas): in a sentence or two a repeated word is emphasis, in
  a long document repetition is what marks its topic;
- **character n-grams** (2-3, within word boundaries, seen in at least two answers; weight 0.5):
  typos, katakana variants and compounds split differently still match;
- **word vectors** (weight 0.45): the SIF average of static word vectors
  (:mod:`rsnet_analysis.challenges.vectors`), so that answers sharing no word but saying the same
  thing (研修 / 講座) come closer. Its weight shrinks as ``sqrt(vector_length / n_lemmas)`` for
  answers longer than ``vector_length`` lemmas, whose words already say enough.

:class:`LsaEmbedder` then reduces the stack to at most 100 dimensions (TruncatedSVD) and
normalises rows, following scikit-learn's document clustering example. :func:`class_tfidf` gives
per-cluster term weights (c-TF-IDF) to describe clusters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from rsnet_analysis.challenges.ctfidf import class_tfidf, class_tfidf_weights
from rsnet_analysis.challenges.ngrams import CharNgramCounter
from rsnet_analysis.challenges.vectors import (
    first_component,
    load_word_vectors,
    remove_component,
    sif_average,
    sif_weights,
)

__all__ = [
    "AnswerVectorizer",
    "LsaEmbedder",
    "class_tfidf",
    "class_tfidf_weights",
    "feature_frame",
    "identity_analyzer",
    "strip_placeholders",
]

PLACEHOLDER_RE = re.compile(r"〔[^〕]*〕")
#: Answers whose word-vector block is computed at once (bounds the dense intermediate arrays).
VECTOR_CHUNK = 2000
#: Answers vectorised at a time by :meth:`AnswerVectorizer.transform` (bounds its intermediate arrays).
TRANSFORM_CHUNK = 4096
#: Rows joined at a time by :func:`hstack_rows`.
_STACK_ROWS = 4096
#: BM25 term saturation for answers of up to :data:`SATURATION_LEMMAS` lemmas on average.
BM25_K1 = 1.2
#: Mean answer length (lemmas) beyond which the default ``k1`` grows in proportion.
SATURATION_LEMMAS = 20.0


def identity_analyzer(tokens: Iterable[str]) -> list[str]:
    """Return pre-computed tokens unchanged, as a scikit-learn ``analyzer`` (picklable).

    Parameters
    ----------
    tokens : iterable of str
        The cached tokens or lemmas of one answer.

    Returns
    -------
    list of str
        The same tokens, without empty strings.
    """
    return [t for t in tokens if t]


def strip_placeholders(text: str) -> str:
    """Remove masking placeholders such as 〔氏名〕 so they never become features.

    Parameters
    ----------
    text : str
        Masked answer text.

    Returns
    -------
    str
        The text with every 〔…〕 placeholder replaced by a space.
    """
    return PLACEHOLDER_RE.sub(" ", text or "")


def feature_frame(
    texts: Sequence[str],
    lemmas: Sequence[Sequence[str]],
    tokens: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Build the input the vectorizers expect: ``text``, ``lemmas`` (and ``tokens``).

    Parameters
    ----------
    texts : sequence of str
        Masked, normalised answer texts.
    lemmas : sequence of sequence of str
        Content lemmas, one list per answer, aligned with ``texts``.
    tokens : sequence of sequence of str, optional
        The readable terms (compounds), kept alongside for descriptions.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        If the sequences differ in length.
    """
    if len(texts) != len(lemmas) or (tokens is not None and len(tokens) != len(texts)):
        raise ValueError("texts, lemmas and tokens must have the same length / 件数が違います")
    frame = pd.DataFrame(
        {
            "text": ["" if t is None else str(t) for t in texts],
            "lemmas": [list(t) if t is not None else [] for t in lemmas],
        }
    )
    if tokens is not None:
        frame["tokens"] = [list(t) if t is not None else [] for t in tokens]
    return frame


def _check_frame(X: object) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame) or not {"text", "lemmas"} <= set(X.columns):
        raise ValueError(
            "入力は text と lemmas の列を持つ DataFrame にしてください (feature_frame を使えます) / "
            "X must be a DataFrame with 'text' and 'lemmas' columns (see feature_frame)"
        )
    return X


def hstack_rows(blocks: list[sp.spmatrix]) -> sp.csr_matrix:
    """``scipy.sparse.hstack(blocks, format="csr", dtype=float32)`` without its COO detour.

    scipy joins CSR blocks side by side through one COO matrix of all of them (three 8-byte
    arrays per stored value, then a conversion): about five times the result's memory at once.
    Here each block's values are written straight to their place in the result (the same
    entries in the same order: row by row, block by block, each block's columns as stored).
    Blocks are expected without duplicate entries, as the vectorizers make them (scipy would
    sum duplicates; here they would be kept side by side: the same matrix, other arrays).

    Parameters
    ----------
    blocks : list of sparse matrices
        Same number of rows.

    Returns
    -------
    scipy.sparse.csr_matrix
        float32 values, int32 indices when they fit.
    """
    csr = [sp.csr_matrix(b) for b in blocks]
    n = csr[0].shape[0]
    lengths = [np.diff(b.indptr).astype(np.int64) for b in csr]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.sum(lengths, axis=0), out=indptr[1:])
    width = sum(b.shape[1] for b in csr)
    index_type = np.int32 if max(width, int(indptr[-1])) < np.iinfo(np.int32).max else np.int64
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    indices = np.empty(int(indptr[-1]), dtype=index_type)
    for lo in range(0, n, _STACK_ROWS):  # a slice of rows at a time: small index arrays
        hi = min(n, lo + _STACK_ROWS)
        before = indptr[lo:hi].copy()  # where the next block's values of each row start
        offset = 0
        for b, length in zip(csr, lengths, strict=True):
            first, last = int(b.indptr[lo]), int(b.indptr[hi])
            at = np.repeat(before - (b.indptr[lo:hi] - first), length[lo:hi]) + np.arange(last - first)
            data[at] = b.data[first:last]
            indices[at] = b.indices[first:last].astype(index_type) + offset
            before += length[lo:hi]
            offset += b.shape[1]
    out = sp.csr_matrix((data, indices, indptr.astype(index_type)), shape=(n, width))
    out.sort_indices()  # a no-op when every block's rows are sorted, as the vectorizers' are
    return out


class AnswerVectorizer(TransformerMixin, BaseEstimator):
    """BM25 lemmas (+) character n-grams (+) length-weighted SIF word vectors (see module docstring).

    Parameters
    ----------
    lemma_weight : float, default=1.0
        Weight of the BM25 lemma block.
    char_weight : float, default=0.5
        Weight of the character n-gram block; ``0`` switches it off.
    vector_weight : float, default=0.45
        Weight of the word-vector block; ``0`` switches it off (it is also off when the vectors
        are not installed: ``vectors_used_`` tells).
    vector_length : float, default=10.0
        Answers with more lemmas than this get a smaller vector weight
        (``sqrt(vector_length / n_lemmas)``).
    char_ngram_range : tuple of int, default=(2, 3)
        Character n-gram lengths.
    char_min_df : int, default=2
        Character n-grams seen in fewer answers are dropped (they cannot link two answers).
    k1 : float, optional
        BM25 term saturation. By default 1.2, raised in proportion to the mean number of lemmas
        per answer at fit time beyond :data:`SATURATION_LEMMAS` (``1.2 * mean / 20``); the
        value used is ``k1_``. On policy proposals of about 1,400 characters (350 lemmas), the
        lemma block with a fixed 1.2 scored V 0.52 where plain TF-IDF scored 0.61, and 0.60 with
        ``k1`` at 20. Where the answers average up to 20 lemmas (surveys of a sentence or two,
        news titles, defect reports) ``k1`` stays 1.2. It follows the mean, so mixing long
        answers into a survey changes every answer's saturation a little (an answer's vector
        changes only where it repeats a lemma).
    b : float, default 0.75
        BM25 length normalisation.

    Attributes
    ----------
    lemma_vectorizer_ : CountVectorizer
        Vocabulary of the lemmas.
    idf_ : numpy.ndarray
        BM25 inverse document frequencies.
    avg_length_ : float
        Mean number of lemmas per answer at fit time.
    k1_ : float
        The term saturation used (``k1``, or its default for ``avg_length_``).
    char_vectorizer_ : Pipeline or None
        The character n-gram block: counts (:class:`~.ngrams.CharNgramCounter`) then
        ``TfidfTransformer``, what ``TfidfVectorizer(analyzer="char_wb")`` computes.
    vectors_used_ : bool
        Whether the word-vector block is part of the output.
    word_weights_ : dict of str to float
        SIF weight of each lemma seen at fit time (with vectors only).
    component_ : numpy.ndarray
        The first principal component removed from the SIF averages (with vectors only).
    n_features_out_ : int
        Number of output columns.
    """

    def __init__(
        self,
        *,
        lemma_weight: float = 1.0,
        char_weight: float = 0.5,
        vector_weight: float = 0.45,
        vector_length: float = 10.0,
        char_ngram_range: tuple[int, int] = (2, 3),
        char_min_df: int = 2,
        k1: float | None = None,
        b: float = 0.75,
    ) -> None:
        self.lemma_weight = lemma_weight
        self.char_weight = char_weight
        self.vector_weight = vector_weight
        self.vector_length = vector_length
        self.char_ngram_range = char_ngram_range
        self.char_min_df = char_min_df
        self.k1 = k1
        self.b = b

    def _validate(self) -> None:
        if min(self.lemma_weight, self.char_weight, self.vector_weight) < 0:
            raise ValueError("weights must be >= 0")
        if self.k1 is not None and self.k1 < 0:
            raise ValueError("k1 must be >= 0")
        if self.lemma_weight == 0 and self.char_weight == 0 and self.vector_weight == 0:
            raise ValueError("at least one weight must be > 0")
        lo, hi = self.char_ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(f"invalid char_ngram_range {self.char_ngram_range!r}")

    def fit(self, X: pd.DataFrame, y: object = None) -> AnswerVectorizer:
        """Learn the vocabularies, BM25 statistics and word frequencies.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``text`` and ``lemmas``.
        y : ignored

        Returns
        -------
        AnswerVectorizer
        """
        X = _check_frame(X)
        self._validate()
        docs = list(X["lemmas"])
        self.lemma_vectorizer_ = CountVectorizer(analyzer=identity_analyzer, lowercase=False)
        try:
            counts = self.lemma_vectorizer_.fit_transform(docs)
        except ValueError:  # no lemma at all
            self.lemma_vectorizer_.fit([["〔空〕"]])
            counts = self.lemma_vectorizer_.transform(docs)
        n = max(counts.shape[0], 1)
        df = np.bincount(counts.tocsr().indices, minlength=counts.shape[1])
        self.idf_ = np.log1p((n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        self.avg_length_ = float(lengths.mean()) if lengths.size and lengths.mean() > 0 else 1.0
        self.k1_ = float(self.k1) if self.k1 is not None else BM25_K1 * max(1.0, self.avg_length_ / SATURATION_LEMMAS)
        self.char_vectorizer_ = None
        if self.char_weight > 0:
            vec = self._char_pipeline(min(self.char_min_df, n))
            try:
                vec.fit(list(X["text"]))
                self.char_vectorizer_ = vec
            except ValueError:
                self.char_vectorizer_ = None
        vectors = load_word_vectors() if self.vector_weight > 0 else None
        self.vectors_used_ = vectors is not None
        if vectors is not None:
            self.word_weights_ = sif_weights(docs)
            self.component_ = first_component(sif_average(docs, vectors, self.word_weights_))
        self.n_features_out_ = (
            (len(self.lemma_vectorizer_.vocabulary_) if self.lemma_weight > 0 else 0)
            + (len(self.char_vectorizer_[0].vocabulary_) if self.char_vectorizer_ is not None else 0)
            + (vectors.dim if vectors is not None else 0)
        )
        return self

    def _char_pipeline(self, min_df: int) -> Pipeline:
        """The character block: what ``TfidfVectorizer(analyzer="char_wb")`` computes.

        Up to 3-grams the counts come from :class:`~.ngrams.CharNgramCounter` (same vocabulary and
        counts, about five times faster); longer n-grams from scikit-learn's ``CountVectorizer``.
        """
        lo, hi = self.char_ngram_range
        counter: TransformerMixin
        if hi <= CharNgramCounter.MAX_N:
            counter = CharNgramCounter(ngram_range=(lo, hi), preprocessor=strip_placeholders, min_df=min_df, dtype=np.float32)
        else:
            counter = CountVectorizer(
                analyzer="char_wb", ngram_range=(lo, hi), preprocessor=strip_placeholders, min_df=min_df, dtype=np.float32
            )
        return make_pipeline(counter, TfidfTransformer())

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        """Vectorize answers with the fitted statistics.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``text`` and ``lemmas``.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(n_answers, n_features_out_)``, float32.
        """
        check_is_fitted(self, "idf_")
        return self._transform(_check_frame(X))

    def _bm25(self, docs: list[list[str]]) -> sp.csr_matrix:
        counts = self.lemma_vectorizer_.transform(docs).tocoo().astype(np.float64)
        lengths = np.bincount(counts.row, weights=counts.data, minlength=counts.shape[0])
        denom = counts.data + self.k1_ * (1 - self.b + self.b * lengths[counts.row] / self.avg_length_)
        data = counts.data * (self.k1_ + 1) / denom * self.idf_[counts.col]
        return sp.csr_matrix((data, (counts.row, counts.col)), shape=counts.shape)

    def _vectors(self, docs: list[list[str]], weight: float) -> sp.csr_matrix:
        vectors = load_word_vectors()
        if vectors is None:  # pragma: no cover - fitted with vectors, unpickled without them
            raise RuntimeError("the word vectors (ja-ginza) used at fit time are not installed")
        # VECTOR_CHUNK answers at a time: the dense float64 steps of one chunk, not of all rows,
        # exist at once (each row is computed from its own words alone, so chunking changes nothing)
        parts = []
        for start in range(0, len(docs), VECTOR_CHUNK):
            part = docs[start : start + VECTOR_CHUNK]
            dense = remove_component(sif_average(part, vectors, self.word_weights_), self.component_)
            n_lemmas = np.array([max(1, len(d)) for d in part], dtype=np.float64)
            scale = np.minimum(1.0, np.sqrt(self.vector_length / n_lemmas))
            parts.append(sp.csr_matrix(dense * scale[:, None].astype(np.float32)) * weight)
        if not parts:
            return sp.csr_matrix((0, vectors.dim), dtype=np.float32)
        return sp.vstack(parts, format="csr")

    def _transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        if len(X) > TRANSFORM_CHUNK:
            # a row's features depend on the fitted statistics and the row alone: chunks of rows
            # give the same matrix, with the intermediate arrays of one chunk at a time
            parts = [self._transform(X.iloc[s : s + TRANSFORM_CHUNK]) for s in range(0, len(X), TRANSFORM_CHUNK)]
            return sp.vstack(parts, format="csr")
        docs = [list(d) for d in X["lemmas"]]
        blocks = []
        if self.lemma_weight > 0:
            blocks.append(normalize(self._bm25(docs)) * self.lemma_weight)
        if self.char_vectorizer_ is not None:
            blocks.append(normalize(self.char_vectorizer_.transform(list(X["text"]))) * self.char_weight)
        if self.vectors_used_:
            blocks.append(self._vectors(docs, self.vector_weight))
        return hstack_rows(blocks)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Name the columns: ``lem__<lemma>``, ``chr__<n-gram>``, ``vec__<i>``.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        numpy.ndarray of str
        """
        check_is_fitted(self, "idf_")
        names = [f"lem__{t}" for t in self.lemma_vectorizer_.get_feature_names_out()]
        if self.lemma_weight == 0:
            names = []
        if self.char_vectorizer_ is not None:
            names += [f"chr__{t}" for t in self.char_vectorizer_.get_feature_names_out()]
        if self.vectors_used_:
            vectors = load_word_vectors()
            names += [f"vec__{i}" for i in range(vectors.dim if vectors is not None else 0)]
        return np.asarray(names, dtype=object)


class LsaEmbedder(TransformerMixin, BaseEstimator):
    """Latent semantic analysis: TruncatedSVD followed by row L2 normalisation (float32).

    The number of components adapts to tiny inputs (at most ``n_samples - 1`` and
    ``n_features - 1``), so the same pipeline runs on 20 answers and on 1,000,000.

    Parameters
    ----------
    n_components : int, default=100
        Upper bound on the number of LSA dimensions.
    random_state : int, default=0
        Seed of the randomized SVD.

    Attributes
    ----------
    svd_ : TruncatedSVD or None
        The fitted SVD, or None when the input was too small to reduce.
    n_components_ : int
        Number of dimensions produced.
    """

    def __init__(self, *, n_components: int = 100, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: sp.spmatrix | np.ndarray, y: object = None) -> LsaEmbedder:
        """Fit the SVD.

        Parameters
        ----------
        X : sparse matrix or ndarray
        y : ignored

        Returns
        -------
        LsaEmbedder
        """
        if int(self.n_components) < 1:
            raise ValueError("n_components must be >= 1")
        n_samples, n_features = X.shape
        self.n_features_in_ = n_features
        k = min(int(self.n_components), n_samples - 1, n_features - 1)
        self.svd_ = None
        self.n_components_ = n_features
        if k >= 1:
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(X)
            self.n_components_ = k
        return self

    def transform(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        """Project rows into the fitted LSA space and normalise them.

        Parameters
        ----------
        X : sparse matrix or ndarray

        Returns
        -------
        numpy.ndarray
            Shape ``(n_samples, n_components_)``, float32, rows of unit length (or zero).
        """
        check_is_fitted(self, "n_components_")
        if self.svd_ is None:
            dense = sp.csr_matrix(X).toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
            return normalize(dense).astype(np.float32)
        return normalize(self.svd_.transform(X)).astype(np.float32)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Name the output columns ``lsa0``, ``lsa1``, ….

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        numpy.ndarray of str
        """
        check_is_fitted(self, "n_components_")
        return np.asarray([f"lsa{i}" for i in range(self.n_components_)], dtype=object)
