"""Class-based TF-IDF (c-TF-IDF): how characteristic each term is of each cluster.

Kept apart from :mod:`.features` (which re-exports it) because the streaming discovery computes
the same weights from counts added chunk by chunk (:class:`~.naming.TermCounts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["class_tfidf", "class_tfidf_weights"]


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
    return classes, class_tfidf_weights(tf)


def class_tfidf_weights(tf: np.ndarray) -> np.ndarray:
    """The c-TF-IDF weights of per-class term counts ``tf`` (see :func:`class_tfidf`).

    Parameters
    ----------
    tf : numpy.ndarray
        Shape ``(n_classes, n_terms)``: how often each term occurs in each class.

    Returns
    -------
    numpy.ndarray
        Same shape.
    """
    class_sizes = tf.sum(axis=1, keepdims=True)
    freq = tf.sum(axis=0)
    avg = class_sizes.mean() if len(tf) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        idf = np.log1p(np.where(freq > 0, avg / np.maximum(freq, 1e-12), 0.0))
        return np.where(class_sizes > 0, tf / np.maximum(class_sizes, 1e-12), 0.0) * idf
