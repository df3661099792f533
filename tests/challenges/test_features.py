import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rsnet_analysis.challenges.features import (
    AnswerVectorizer,
    LsaEmbedder,
    class_tfidf,
    feature_frame,
    identity_analyzer,
    strip_placeholders,
)
from rsnet_analysis.challenges.vectors import load_word_vectors, murmurhash64a

TEXTS = [
    "研修の予算が確保できない",
    "研修の時間が取れない。〔氏名〕",
    "生成AIのガイドラインを作りたい",
    "生成AIの情報漏えいが心配",
    "担当者が異動してしまう",
]
LEMMAS = [
    ["研修", "予算", "確保"],
    ["研修", "時間", "取れる"],
    ["生成AI", "ガイドライン", "作る"],
    ["生成AI", "情報", "漏洩", "心配"],
    ["担当", "者", "異動"],
]


@pytest.fixture
def frame() -> pd.DataFrame:
    return feature_frame(TEXTS, LEMMAS)


def test_identity_analyzer_and_placeholders() -> None:
    assert identity_analyzer(["a", "", "b"]) == ["a", "b"]
    assert "氏名" not in strip_placeholders("研修〔氏名〕です")


def test_feature_frame_rejects_misaligned() -> None:
    with pytest.raises(ValueError):
        feature_frame(TEXTS, LEMMAS[:-1])


def test_init_only_stores_params_and_validation_in_fit(frame) -> None:
    vec = AnswerVectorizer(lemma_weight=-1)
    assert vec.lemma_weight == -1
    with pytest.raises(ValueError):
        vec.fit(frame)
    with pytest.raises(ValueError):
        AnswerVectorizer(lemma_weight=0, char_weight=0, vector_weight=0).fit(frame)


def test_term_saturation_weakens_as_answers_grow_long() -> None:
    short = feature_frame(["研修 研修 予算"] * 4, [["研修", "研修", "予算"]] * 4)
    assert AnswerVectorizer().fit(short).k1_ == 1.2  # answers of a sentence or two
    words = [f"語{i}" for i in range(38)] + ["研修", "研修"]
    long = feature_frame([" ".join(words)] * 4, [words] * 4)
    assert AnswerVectorizer().fit(long).k1_ == pytest.approx(1.2 * 40 / 20)
    assert AnswerVectorizer(k1=1.2).fit(long).k1_ == 1.2
    # a repeated word weighs more against a word said once where the saturation is weaker
    lemma_block = {"char_weight": 0, "vector_weight": 0}
    ratio = []
    for k1 in (1.2, None):
        vec = AnswerVectorizer(k1=k1, **lemma_block).fit(long)
        row = vec.transform(long)[0].toarray().ravel()
        vocab = vec.lemma_vectorizer_.vocabulary_
        ratio.append(row[vocab["研修"]] / row[vocab["語0"]])
    assert ratio[1] > ratio[0]
    with pytest.raises(ValueError):
        AnswerVectorizer(k1=-1).fit(long)


def test_transform_requires_fit(frame) -> None:
    with pytest.raises(NotFittedError):
        AnswerVectorizer().transform(frame)


def test_fitted_state_names_and_float32(frame) -> None:
    vec = AnswerVectorizer().fit(frame)
    X = vec.transform(frame)
    assert sp.issparse(X) and X.dtype == np.float32
    assert X.shape == (len(TEXTS), vec.n_features_out_) == (len(TEXTS), len(vec.get_feature_names_out()))
    names = vec.get_feature_names_out()
    assert "lem__研修" in names
    assert any(n.startswith("chr__") for n in names)
    assert vec.idf_[list(vec.lemma_vectorizer_.get_feature_names_out()).index("研修")] < vec.idf_.max()


def test_blocks_can_be_switched_off(frame) -> None:
    only_lemmas = AnswerVectorizer(char_weight=0, vector_weight=0).fit(frame)
    assert all(n.startswith("lem__") for n in only_lemmas.get_feature_names_out())
    assert not only_lemmas.vectors_used_


def test_rejects_non_frame() -> None:
    with pytest.raises(ValueError):
        AnswerVectorizer().fit(TEXTS)


def test_pickle_clone_deepcopy(frame) -> None:
    vec = AnswerVectorizer(char_weight=0.3).fit(frame)
    for other in (pickle.loads(pickle.dumps(vec)), copy.deepcopy(vec)):
        assert np.allclose(other.transform(frame).toarray(), vec.transform(frame).toarray())
    assert clone(vec).get_params() == vec.get_params()


def test_bm25_does_not_favour_long_answers(frame) -> None:
    long = feature_frame(["研修 研修 研修 研修 予算"], [["研修"] * 4 + ["予算"]])
    vec = AnswerVectorizer(char_weight=0, vector_weight=0).fit(frame)
    row = vec.transform(long).toarray()[0]
    names = list(vec.get_feature_names_out())
    # four repetitions of a word weigh less than four times one mention (term saturation)
    assert row[names.index("lem__研修")] < 4 * row[names.index("lem__予算")]


def test_word_vectors_bring_synonyms_closer() -> None:
    if load_word_vectors() is None:
        pytest.skip("ja-ginza word vectors not installed")
    texts = ["研修の予算", "講座の予算", "異動の引継ぎ"]
    lemmas = [["研修", "予算"], ["講座", "予算"], ["異動", "引継ぎ"]]
    with_vec = AnswerVectorizer(char_weight=0, lemma_weight=0).fit(feature_frame(texts, lemmas))
    X = with_vec.transform(feature_frame(["研修"], [["研修"]])).toarray()[0]
    Y = with_vec.transform(feature_frame(["講座"], [["講座"]])).toarray()[0]
    Z = with_vec.transform(feature_frame(["異動"], [["異動"]])).toarray()[0]
    assert X @ Y > X @ Z


def test_spacy_key_hash_matches_the_known_value() -> None:
    # spaCy's StringStore key of "日本" (MurmurHash64A, seed 1), as spaCy computes it
    assert murmurhash64a("日本".encode()) == murmurhash64a(bytes("日本", "utf-8"))
    assert murmurhash64a(b"") != murmurhash64a(b"a")
    if load_word_vectors() is not None:
        assert load_word_vectors().row("研修") >= 0


def test_lsa_adapts_to_tiny_input_and_is_unit_norm(frame) -> None:
    X = AnswerVectorizer().fit_transform(frame)
    Z = LsaEmbedder(n_components=100).fit_transform(X)
    assert Z.shape[1] <= len(TEXTS) - 1 and Z.dtype == np.float32
    assert np.allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-5)


def test_lsa_is_deterministic(frame) -> None:
    X = AnswerVectorizer().fit_transform(frame)
    assert np.array_equal(LsaEmbedder(random_state=0).fit_transform(X), LsaEmbedder(random_state=0).fit_transform(X))


def test_class_tfidf_prefers_distinctive_terms() -> None:
    counts = sp.csr_matrix(np.array([[2, 1, 0], [1, 1, 0], [0, 1, 3]]))
    classes, weights = class_tfidf(counts, [0, 0, 1])
    assert list(classes) == [0, 1]
    assert weights[0, 0] > weights[0, 1] and weights[1, 2] > weights[1, 1]


@pytest.mark.parametrize("rows_at_once", [3, 4096])
def test_hstack_rows_gives_scipys_matrix(monkeypatch: pytest.MonkeyPatch, rows_at_once: int) -> None:
    """The features are joined side by side as ``sparse.hstack`` joins them, entry for entry."""
    from rsnet_analysis.challenges import features

    monkeypatch.setattr(features, "_STACK_ROWS", rows_at_once)
    rng = np.random.default_rng(0)
    for t in range(20):
        blocks = [
            sp.random(41, int(rng.integers(1, 30)), density=float(rng.random()), format="csr", random_state=7 * t + i)
            for i in range(int(rng.integers(1, 4)))
        ]
        want = sp.hstack(blocks, format="csr", dtype=np.float32)
        got = features.hstack_rows(blocks)
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data, want.data)
