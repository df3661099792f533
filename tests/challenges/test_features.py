import copy
import pickle

import numpy as np
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
    make_lsa_pipeline,
    strip_placeholders,
)

TEXTS = [
    "研修の予算が確保できない",
    "研修の時間が取れない。〔氏名〕",
    "生成AIのガイドラインを作りたい",
    "生成AIの情報漏えいが心配",
    "担当者が異動してしまう",
]
TOKENS = [
    ["研修", "予算", "確保"],
    ["研修", "時間", "取れる"],
    ["生成AI", "ガイドライン", "作る"],
    ["生成AI", "情報漏えい", "心配"],
    ["担当者", "異動"],
]


@pytest.fixture
def frame():
    return feature_frame(TEXTS, TOKENS)


def test_identity_analyzer_and_placeholders():
    assert identity_analyzer(("a", "", "b")) == ["a", "b"]
    assert "氏名" not in strip_placeholders("こんにちは〔氏名〕です")


def test_feature_frame_rejects_misaligned():
    with pytest.raises(ValueError):
        feature_frame(["a"], [])


def test_init_only_stores_params_and_validation_in_fit(frame):
    vec = AnswerVectorizer(token_weight=0, char_weight=0)  # invalid, but __init__ must not check
    assert vec.get_params()["char_weight"] == 0
    with pytest.raises(ValueError):
        vec.fit(frame)
    with pytest.raises(TypeError):
        AnswerVectorizer(1.0)  # keyword-only


def test_transform_requires_fit(frame):
    with pytest.raises(NotFittedError):
        AnswerVectorizer().transform(frame)
    with pytest.raises(NotFittedError):
        LsaEmbedder().transform(np.eye(3))


def test_vectorizer_fitted_state_and_names(frame):
    vec = AnswerVectorizer()
    assert vec.fit(frame) is vec
    X = vec.transform(frame)
    assert sp.issparse(X) and X.shape == (5, vec.n_features_out_)
    names = vec.get_feature_names_out()
    assert len(names) == X.shape[1]
    assert "tok__生成AI" in set(names)
    assert not any("氏名" in n for n in names)
    np.testing.assert_allclose(vec.fit_transform(frame).toarray(), X.toarray())


def test_char_block_can_be_switched_off(frame):
    vec = AnswerVectorizer(char_weight=0).fit(frame)
    assert vec.char_vectorizer_ is None
    assert all(n.startswith("tok__") for n in vec.get_feature_names_out())


def test_rejects_non_frame():
    with pytest.raises(ValueError):
        AnswerVectorizer().fit([["a"]])


def test_pickle_clone_deepcopy(frame):
    pipe = make_lsa_pipeline(n_components=3, random_state=0)
    emb = pipe.fit_transform(frame)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_allclose(restored.transform(frame), emb)
    copy.deepcopy(pipe)
    fresh = clone(pipe)
    assert fresh.get_params()["lsa__n_components"] == 3
    assert not hasattr(fresh.named_steps["lsa"], "n_components_")


def test_lsa_adapts_to_tiny_input_and_is_unit_norm(frame):
    pipe = make_lsa_pipeline(n_components=100)
    emb = pipe.fit_transform(frame)
    lsa = pipe.named_steps["lsa"]
    assert emb.shape == (5, lsa.n_components_) and lsa.n_components_ <= 4
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0)
    assert list(lsa.get_feature_names_out())[:2] == ["lsa0", "lsa1"]


def test_lsa_is_deterministic(frame):
    a = make_lsa_pipeline(n_components=3, random_state=1).fit_transform(frame)
    b = make_lsa_pipeline(n_components=3, random_state=1).fit_transform(frame)
    np.testing.assert_array_equal(a, b)


def test_class_tfidf_prefers_distinctive_terms():
    counts = sp.csr_matrix(np.array([[2, 1, 0], [1, 1, 0], [0, 1, 3]]))
    classes, w = class_tfidf(counts, [0, 0, 1])
    assert list(classes) == [0, 1]
    assert w.shape == (2, 3)
    assert w[0].argmax() == 0 and w[1].argmax() == 2
