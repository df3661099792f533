"""CharNgramCounter counts what scikit-learn's char_wb analyzer counts, cell for cell."""

import pickle
import threading

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from rsnet_analysis.challenges.features import AnswerVectorizer, feature_frame, strip_placeholders
from rsnet_analysis.challenges.ngrams import CharNgramCounter

GOLDEN = [
    "研修の予算が確保できない",
    "研修の時間が取れない。〔氏名〕",
    "生成AIのガイドラインを作りたい",
    "生成AIの情報漏えいが心配",
    "担当者が異動してしまう。担当者が異動してしまう。",
    "・システム標準化\n・ガバメントクラウド",
    "ＤＸ推進　計画（令和6年度）",
    "RPA と  ノーコード\tツール",
    "〔氏名〕〔メール〕",
    "",
    "   ",
    "a",
    "x y z",
    "😀 絵文字 😀😀",
    "\x00区切り\x00",
    "\x1c\x1f分割",
    "\u00a0ノーブレーク\u2003空白",
    "lone \ud800 surrogate",
    "Ab ab AB",
]


def _same(a: sp.spmatrix, b: sp.spmatrix) -> None:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert b.has_sorted_indices
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("ngram_range", [(2, 3), (1, 3), (1, 1), (2, 2), (3, 3), (1, 2)])
@pytest.mark.parametrize("min_df", [1, 2])
def test_counts_equal_scikit_learn_char_wb(ngram_range, min_df) -> None:
    fit, other = GOLDEN[::2], GOLDEN
    params = {"ngram_range": ngram_range, "preprocessor": strip_placeholders, "min_df": min_df, "dtype": np.float32}
    try:
        theirs = CountVectorizer(analyzer="char_wb", **params).fit(fit)
    except ValueError:  # nothing left after min_df: ours says so too
        with pytest.raises(ValueError):
            CharNgramCounter(**params).fit(fit)
        return
    ours = CharNgramCounter(**params).fit(fit)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    _same(theirs.transform(other), ours.transform(other))


def test_repeated_ngrams_are_counted() -> None:
    counts = CharNgramCounter(ngram_range=(2, 2)).fit(["研修研修"]).transform(["研修研修", "修研"])
    vocab = CharNgramCounter(ngram_range=(2, 2)).fit(["研修研修"]).vocabulary_
    assert counts[0, vocab["研修"]] == 2 and counts[0, vocab["修研"]] == 1
    assert counts[1].nnz == 1 and counts[1, vocab["修研"]] == 1  # " 修" and "研 " are not in the vocabulary
    assert counts.dtype == np.float32


def test_empty_vocabulary_is_a_value_error_as_in_scikit_learn() -> None:
    with pytest.raises(ValueError):
        CharNgramCounter(min_df=2).fit(["研修", "予算"])
    with pytest.raises(ValueError):
        CharNgramCounter().fit(["", "  "])
    with pytest.raises(ValueError):
        CharNgramCounter().fit("研修の予算")
    with pytest.raises(ValueError):
        CharNgramCounter(ngram_range=(2, 4)).fit(GOLDEN)


def test_requires_fit_and_pickles() -> None:
    with pytest.raises(NotFittedError):
        CharNgramCounter().transform(GOLDEN)
    fitted = CharNgramCounter().fit(GOLDEN)
    first = fitted.transform(GOLDEN)  # builds the lookup of the vocabulary's codes
    again = pickle.loads(pickle.dumps(fitted))
    assert "_lookup_cache" in fitted.__dict__ and "_lookup_cache" not in again.__dict__  # not pickled
    _same(first, again.transform(GOLDEN))
    refitted = fitted.fit(GOLDEN[:3])  # a new fit: a new vocabulary, a new lookup
    _same(refitted.transform(GOLDEN), CharNgramCounter().fit(GOLDEN[:3]).transform(GOLDEN))


def test_one_fitted_counter_can_be_shared_by_threads() -> None:
    rng = np.random.default_rng(0)
    alphabet = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3000)])
    docs = ["".join(rng.choice(alphabet, 30)) for _ in range(2000)]  # a large vocabulary: slow to index
    expected = CharNgramCounter().fit(docs).transform(docs[:1500])
    for _ in range(3):  # the first transforms of a new fit build its lookups, in both threads at once
        shared = CharNgramCounter().fit(docs)
        out: list[sp.csr_matrix] = []

        def work(counter: CharNgramCounter, barrier: threading.Barrier, into: list[sp.csr_matrix]) -> None:
            barrier.wait()
            into.append(counter.transform(docs[:1500]))

        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=work, args=(shared, barrier, out)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(out) == 2  # a thread that raised appended nothing
        for matrix in out:
            _same(matrix, expected)


def test_documents_without_words_give_empty_rows() -> None:
    counts = CharNgramCounter().fit(GOLDEN).transform(["", "  ", "研修"])
    assert counts.shape[0] == 3 and counts[0].nnz == 0 and counts[1].nnz == 0 and counts[2].nnz == 3


@pytest.mark.parametrize("ngram_range", [(2, 3), (2, 4)])
def test_answer_vectorizer_char_block_equals_tfidf_vectorizer(ngram_range) -> None:
    """The character block is what TfidfVectorizer(analyzer="char_wb") gave before (up to 3 or beyond)."""
    frame = feature_frame(GOLDEN, [[] for _ in GOLDEN])
    ours = AnswerVectorizer(lemma_weight=0, vector_weight=0, char_ngram_range=ngram_range).fit(frame)
    theirs = TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, preprocessor=strip_placeholders, min_df=2, dtype=np.float32
    ).fit(GOLDEN)
    from sklearn.preprocessing import normalize

    _same(sp.csr_matrix(normalize(theirs.transform(GOLDEN)) * 0.5), ours.transform(frame))
    assert list(ours.get_feature_names_out()) == [f"chr__{t}" for t in theirs.get_feature_names_out()]
    assert ours.n_features_out_ == len(theirs.vocabulary_)


_ALPHABET = st.sampled_from(list("研修予算ＤＸAIai 　\t\n〔氏名〕・。😀\x00") + ["\u2003", "\x1c"])


@settings(max_examples=80, deadline=None)
@given(docs=st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=8))
def test_counts_equal_scikit_learn_on_any_text(docs) -> None:
    params = {"ngram_range": (1, 3), "preprocessor": strip_placeholders, "dtype": np.float32}
    try:
        theirs = CountVectorizer(analyzer="char_wb", **params).fit(docs)
    except ValueError:
        with pytest.raises(ValueError):
            CharNgramCounter(**params).fit(docs)
        return
    ours = CharNgramCounter(**params).fit(docs)
    assert ours.vocabulary_ == theirs.vocabulary_
    _same(theirs.transform(docs[::-1]), ours.transform(docs[::-1]))
