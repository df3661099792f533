"""Vectorizing answers from their cached tokens and masked text.

Everything here is a scikit-learn compatible transformer that works on tokens computed once by the
pipeline; nothing in this module tokenizes Japanese text again.

The input ``X`` of :class:`AnswerVectorizer` and :func:`make_lsa_pipeline` is a
:class:`pandas.DataFrame` with a ``text`` column (masked, normalised answer text) and a ``tokens``
column (the cached list of content-word lemmas). :func:`feature_frame` builds it.

The composition follows scikit-learn's document clustering example::

    AnswerVectorizer (token TF-IDF (+) character n-gram TF-IDF, weighted)
        -> LsaEmbedder (TruncatedSVD -> Normalizer)

Character n-grams on the masked text make short answers that share no lemma comparable (typos,
katakana variants, compounds the tokenizer splits differently); LSA then smooths synonyms.
:func:`class_tfidf` gives the per-cluster term weights (c-TF-IDF) used to describe clusters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "AnswerVectorizer",
    "LsaEmbedder",
    "class_tfidf",
    "feature_frame",
    "identity_analyzer",
    "make_lsa_pipeline",
    "strip_placeholders",
]

PLACEHOLDER_RE = re.compile(r"〔[^〕]*〕")


def identity_analyzer(tokens: Iterable[str]) -> list[str]:
    """Return pre-computed tokens unchanged, as a scikit-learn ``analyzer``.

    A module-level function (not a lambda) so that vectorizers using it can be pickled and cloned.

    Parameters
    ----------
    tokens : iterable of str
        The cached tokens of one answer.

    Returns
    -------
    list of str
        The same tokens, as a list.
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


def feature_frame(texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Build the two-column input (``text``, ``tokens``) the vectorizers expect.

    Parameters
    ----------
    texts : sequence of str
        Masked, normalised answer texts.
    tokens : sequence of sequence of str
        Cached tokens, one list per answer, aligned with ``texts``.

    Returns
    -------
    pandas.DataFrame
        Columns ``text`` (str) and ``tokens`` (list of str).

    Raises
    ------
    ValueError
        If the two sequences differ in length.
    """
    if len(texts) != len(tokens):
        raise ValueError(
            f"texts と tokens の件数が違います ({len(texts)} != {len(tokens)}) / "
            "texts and tokens must have the same length"
        )
    return pd.DataFrame(
        {
            "text": ["" if t is None else str(t) for t in texts],
            "tokens": [list(t) if t is not None else [] for t in tokens],
        }
    )


def _check_frame(X: object) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame) or not {"text", "tokens"} <= set(X.columns):
        raise ValueError(
            "入力は text と tokens の列を持つ DataFrame にしてください (feature_frame を使えます) / "
            "X must be a DataFrame with 'text' and 'tokens' columns (see feature_frame)"
        )
    return X


class AnswerVectorizer(TransformerMixin, BaseEstimator):
    """Weighted horizontal stack of token TF-IDF and character n-gram TF-IDF.

    Parameters
    ----------
    token_weight : float, default=1.0
        Weight of the (L2-normalised) token TF-IDF block.
    char_weight : float, default=0.5
        Weight of the (L2-normalised) character n-gram TF-IDF block; ``0`` switches it off.
    char_ngram_range : tuple of int, default=(2, 3)
        Character n-gram lengths, taken within word boundaries of the masked text.
    min_df : int or float, default=1
        Minimum document frequency for both vocabularies (scikit-learn semantics).
    max_df : float, default=1.0
        Maximum document frequency for both vocabularies.
    max_features : int or None, default=None
        Cap on each vocabulary, by corpus frequency.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)``.

    Attributes
    ----------
    token_vectorizer_ : TfidfVectorizer
        Fitted vectorizer over the cached tokens.
    char_vectorizer_ : TfidfVectorizer or None
        Fitted character n-gram vectorizer, or ``None`` when ``char_weight == 0``.
    n_features_out_ : int
        Number of output columns.
    """

    def __init__(
        self,
        *,
        token_weight: float = 1.0,
        char_weight: float = 0.5,
        char_ngram_range: tuple[int, int] = (2, 3),
        min_df: int | float = 1,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
    ) -> None:
        self.token_weight = token_weight
        self.char_weight = char_weight
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def _validate(self) -> None:
        if self.token_weight < 0 or self.char_weight < 0:
            raise ValueError("token_weight and char_weight must be >= 0")
        if self.token_weight == 0 and self.char_weight == 0:
            raise ValueError("at least one of token_weight and char_weight must be > 0")
        lo, hi = self.char_ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(f"invalid char_ngram_range {self.char_ngram_range!r}")

    def fit(self, X: pd.DataFrame, y: object = None) -> AnswerVectorizer:
        """Learn both vocabularies and IDF weights.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``text`` and ``tokens``.
        y : ignored

        Returns
        -------
        AnswerVectorizer
            The fitted vectorizer.
        """
        self._fit(X)
        return self

    def fit_transform(self, X: pd.DataFrame, y: object = None) -> sp.csr_matrix:
        """Fit and return the weighted feature matrix.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``text`` and ``tokens``.
        y : ignored

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(n_answers, n_features_out_)``.
        """
        return self._fit(X)

    def _fit(self, X: pd.DataFrame) -> sp.csr_matrix:
        X = _check_frame(X)
        self._validate()
        common = {
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
            "sublinear_tf": self.sublinear_tf,
            "dtype": np.float64,
        }
        blocks = []
        self.token_vectorizer_ = TfidfVectorizer(
            analyzer=identity_analyzer, lowercase=False, **common
        )
        try:
            tok = self.token_vectorizer_.fit_transform(list(X["tokens"]))
        except ValueError:  # empty vocabulary: all answers lack tokens
            self.token_vectorizer_ = TfidfVectorizer(analyzer=identity_analyzer, lowercase=False)
            self.token_vectorizer_.fit([["〔空〕"]])
            tok = self.token_vectorizer_.transform(list(X["tokens"]))
        blocks.append(tok * self.token_weight)
        self.char_vectorizer_ = None
        if self.char_weight > 0:
            self.char_vectorizer_ = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.char_ngram_range),
                preprocessor=strip_placeholders,
                lowercase=True,
                **common,
            )
            try:
                blocks.append(self.char_vectorizer_.fit_transform(list(X["text"])) * self.char_weight)
            except ValueError:
                self.char_vectorizer_ = None
        out = sp.hstack(blocks, format="csr")
        self.n_features_out_ = out.shape[1]
        self.n_features_in_ = 2
        self.feature_names_in_ = np.array(["text", "tokens"], dtype=object)
        return out

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        """Vectorize answers with the fitted vocabularies.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``text`` and ``tokens``.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(n_answers, n_features_out_)``.
        """
        check_is_fitted(self, "token_vectorizer_")
        X = _check_frame(X)
        blocks = [self.token_vectorizer_.transform(list(X["tokens"])) * self.token_weight]
        if self.char_vectorizer_ is not None:
            blocks.append(self.char_vectorizer_.transform(list(X["text"])) * self.char_weight)
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Name the output columns: ``tok__<lemma>`` then ``chr__<n-gram>``.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        numpy.ndarray of str
        """
        check_is_fitted(self, "token_vectorizer_")
        names = [f"tok__{t}" for t in self.token_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"chr__{t}" for t in self.char_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)


class LsaEmbedder(TransformerMixin, BaseEstimator):
    """Latent semantic analysis: TruncatedSVD followed by row L2 normalisation.

    Unlike a bare ``TruncatedSVD`` it adapts the number of components to tiny inputs (at most
    ``n_samples - 1`` and ``n_features - 1``), so the same pipeline runs on 20 answers and on
    100,000.

    Parameters
    ----------
    n_components : int, default=100
        Upper bound on the number of LSA dimensions.
    random_state : int, default=0
        Seed of the randomized SVD.

    Attributes
    ----------
    svd_ : TruncatedSVD or None
        The fitted SVD, or ``None`` when the input was too small to reduce.
    n_components_ : int
        Number of dimensions actually produced.
    """

    def __init__(self, *, n_components: int = 100, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: sp.spmatrix | np.ndarray, y: object = None) -> LsaEmbedder:
        """Fit the SVD.

        Parameters
        ----------
        X : sparse matrix or ndarray
            Feature matrix, e.g. from :class:`AnswerVectorizer`.
        y : ignored

        Returns
        -------
        LsaEmbedder
            The fitted embedder.
        """
        self._fit(X)
        return self

    def fit_transform(self, X: sp.spmatrix | np.ndarray, y: object = None) -> np.ndarray:
        """Fit and return the normalised LSA coordinates.

        Parameters
        ----------
        X : sparse matrix or ndarray
        y : ignored

        Returns
        -------
        numpy.ndarray
            Shape ``(n_samples, n_components_)``, rows of unit length (or zero).
        """
        return self._fit(X)

    def _fit(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        if int(self.n_components) < 1:
            raise ValueError("n_components must be >= 1")
        n_samples, n_features = X.shape
        self.n_features_in_ = n_features
        k = min(int(self.n_components), n_samples - 1, n_features - 1)
        if k < 1:
            self.svd_ = None
            self.n_components_ = n_features
            dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
            return Normalizer().fit_transform(dense)
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state)
        self.n_components_ = k
        return Normalizer().fit_transform(self.svd_.fit_transform(X))

    def transform(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        """Project new rows into the fitted LSA space.

        Parameters
        ----------
        X : sparse matrix or ndarray

        Returns
        -------
        numpy.ndarray
            Shape ``(n_samples, n_components_)``.
        """
        check_is_fitted(self, "n_components_")
        if self.svd_ is None:
            dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
            return Normalizer().fit_transform(dense)
        return Normalizer().fit_transform(self.svd_.transform(X))

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


def make_lsa_pipeline(
    *,
    n_components: int = 100,
    char_weight: float = 0.5,
    random_state: int = 0,
) -> Pipeline:
    """The default answer embedding: :class:`AnswerVectorizer` then :class:`LsaEmbedder`.

    Parameters
    ----------
    n_components : int, default=100
        Upper bound on LSA dimensions.
    char_weight : float, default=0.5
        Weight of the character n-gram block relative to the token block (weight 1).
    random_state : int, default=0
        Seed of the SVD.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``vectorize`` and ``lsa``; input is a :func:`feature_frame`.
    """
    return Pipeline(
        [
            ("vectorize", AnswerVectorizer(char_weight=char_weight)),
            ("lsa", LsaEmbedder(n_components=n_components, random_state=random_state)),
        ]
    )


def class_tfidf(counts: sp.spmatrix, labels: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF (c-TF-IDF): how characteristic each term is of each class.

    All answers of a class are joined into one document; the weight of term *t* in class *c* is
    ``tf(t, c) / |c| * log(1 + A / f(t))`` where ``|c|`` is the number of tokens in the class, ``A``
    the average number of tokens per class and ``f(t)`` the frequency of *t* over all classes
    (Grootendorst 2022, as in BERTopic).

    Parameters
    ----------
    counts : sparse matrix
        Term counts, shape ``(n_answers, n_terms)``.
    labels : array-like of int
        Class of each answer.

    Returns
    -------
    classes : numpy.ndarray
        The sorted distinct labels.
    weights : numpy.ndarray
        Dense array of shape ``(n_classes, n_terms)``.
    """
    labels = np.asarray(labels)
    classes, inverse = np.unique(labels, return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(labels)), (inverse, np.arange(len(labels)))),
        shape=(len(classes), len(labels)),
    )
    tf = np.asarray((member @ sp.csr_matrix(counts)).todense(), dtype=float)
    class_sizes = tf.sum(axis=1, keepdims=True)
    freq = tf.sum(axis=0)
    avg = class_sizes.mean() if len(classes) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        idf = np.log1p(np.where(freq > 0, avg / np.maximum(freq, 1e-12), 0.0))
        weights = np.where(class_sizes > 0, tf / np.maximum(class_sizes, 1e-12), 0.0) * idf
    return classes, weights
