"""Tests for evaluate(): metrics on constructed labels with known values."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rsnet_analysis.challenges import Evaluation, evaluate, load_labels
from rsnet_analysis.errors import InputError

KEYS = ["a", "b", "c"]


def _records(challenges: list[str], clusters: list[int], status: list[str] | None = None):
    n = len(challenges)
    return pd.DataFrame(
        {
            "record_id": [f"s:{i + 2}" for i in range(n)],
            "status": status or ["kept"] * n,
            "cluster": pd.array(clusters, dtype="Int64"),
            "challenge": challenges,
        }
    )


def _labels(labels: list[str], split: list[str] | None = None):
    n = len(labels)
    return pd.DataFrame(
        {
            "record_id": [f"s:{i + 2}" for i in range(n)],
            "label": labels,
            "split": split or ["dev"] * n,
        }
    )


def test_perfect_agreement() -> None:
    gold = ["a", "a", "b", "b", "none", "generative_ai"]
    rec = _records(["a", "a", "b", "b", "", ""], [0, 0, 1, 1, 2, 3])
    ev = evaluate(rec, _labels(gold), codebook_keys=KEYS)
    assert ev.n == 6
    assert ev.accuracy == 1.0 and ev.macro_f1 == 1.0 and ev.kappa == pytest.approx(1.0)
    assert ev.v_measure == pytest.approx(1.0) and ev.ari == pytest.approx(1.0)
    assert ev.macro_keys == ["a", "b"]  # c is not in gold: not averaged


def test_known_values() -> None:
    gold = ["a", "a", "a", "b", "b", "none"]
    pred = ["a", "a", "b", "b", "", "a"]
    rec = _records(pred, [0, 0, 0, 1, 1, 1])
    ev = evaluate(rec, _labels(gold), codebook_keys=KEYS)
    # a: tp 2, predicted 3, support 3 -> f1 2/3; b: tp 1, predicted 2, support 2 -> f1 1/2
    assert ev.accuracy == pytest.approx(3 / 6)
    assert ev.macro_f1 == pytest.approx((2 / 3 + 1 / 2) / 2)
    pk = ev.per_key.set_index("key")
    assert pk.loc["a", "precision"] == pytest.approx(2 / 3)
    assert pk.loc["b", "recall"] == pytest.approx(1 / 2)
    # Cohen's kappa by hand: po = 0.5; marginals gold (a3 b2 none1), pred (a3 b2 none1)
    pe = (3 * 3 + 2 * 2 + 1 * 1) / 36
    assert ev.kappa == pytest.approx((0.5 - pe) / (1 - pe))
    # ARI of clusters [0,0,0,1,1,1] vs labels [a,a,a,b,b,none]
    from sklearn.metrics import adjusted_rand_score

    assert ev.ari == pytest.approx(adjusted_rand_score(gold, [0, 0, 0, 1, 1, 1]))
    assert ev.confusion.loc["a", "b"] == 1
    assert ev.confusion.loc["(none)", "a"] == 1
    assert list(ev.confusion.index) == ["a", "b", "(none)"]


def test_labels_outside_codebook_count_as_none_for_codes_but_as_classes_for_clusters() -> None:
    gold = ["generative_ai", "generative_ai", "none", "none"]
    rec = _records(["", "", "", ""], [0, 0, 1, 1])
    ev = evaluate(rec, _labels(gold), codebook_keys=KEYS)
    assert ev.accuracy == 1.0
    assert np.isnan(ev.macro_f1)  # no codebook key in gold
    assert ev.v_measure == pytest.approx(1.0)


def test_only_kept_labelled_records_and_split() -> None:
    gold = ["a", "b", "a", "b"]
    rec = _records(["a", "a", "a", "b"], [0, 0, 0, 1], status=["kept", "duplicate", "kept", "kept"])
    rec = pd.concat([rec, _records(["c"], [5]).assign(record_id="s:99")], ignore_index=True)
    labels = _labels(gold, split=["dev", "dev", "test", "test"])
    ev = evaluate(rec, labels, split="dev", codebook_keys=KEYS)
    assert ev.n == 1 and ev.accuracy == 1.0
    ev_all = evaluate(rec, labels, codebook_keys=KEYS)
    assert ev_all.n == 3
    with pytest.raises(InputError, match="split"):
        evaluate(rec, labels, split="train", codebook_keys=KEYS)


def test_missing_prediction_counts_as_miss() -> None:
    rec = _records(["", "b"], [0, 1])
    rec["cluster"] = pd.array([pd.NA, 1], dtype="Int64")
    ev = evaluate(rec, _labels(["a", "b"]), codebook_keys=KEYS)
    assert ev.per_key.set_index("key").loc["a", "f1"] == 0.0
    assert ev.macro_f1 == pytest.approx(0.5)


def test_to_dict_and_text() -> None:
    rec = _records(["a", "b", ""], [0, 1, 1])
    ev = evaluate(rec, _labels(["a", "b", "none"]), codebook_keys=KEYS)
    d = ev.to_dict()
    json.dumps(d)
    assert d["codebook"]["macro_f1"] == 1.0
    assert d["codebook"]["confusion"]["(none)"]["(none)"] == 1
    text = ev.format_text()
    assert "macro-F1" in text and "V-measure" in text and "kappa" in text
    empty = evaluate(rec, _labels(["a"]).assign(record_id="zz"), codebook_keys=KEYS)
    assert isinstance(empty, Evaluation) and empty.n == 0
    assert empty.to_dict()["codebook"]["accuracy"] is None
    assert "—" in empty.format_text()


def test_missing_columns() -> None:
    rec = _records(["a"], [0])
    with pytest.raises(InputError, match="challenge"):
        evaluate(rec.drop(columns="challenge"), _labels(["a"]), codebook_keys=KEYS)
    with pytest.raises(InputError, match="label"):
        evaluate(rec, _labels(["a"]).drop(columns="label"), codebook_keys=KEYS)


def test_load_labels(tmp_path) -> None:
    p1 = tmp_path / "l1.csv"
    p1.write_text("record_id,label,split\ns:2,a,dev\ns:3,none,test\n", encoding="utf-8-sig")
    p2 = tmp_path / "l2.csv"
    p2.write_text("record_id,label\nt:2, b \ns:3,a\n", encoding="utf-8")
    out = load_labels([p1, p2])
    assert out.to_dict("records") == [
        {"record_id": "s:2", "label": "a", "split": "dev"},
        {"record_id": "t:2", "label": "b", "split": ""},
        {"record_id": "s:3", "label": "a", "split": ""},
    ]
    assert len(load_labels(p1)) == 2


def test_load_labels_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="nope.csv"):
        load_labels(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("回答,label\n1,a\n", encoding="utf-8")  # "id" is an accepted alias; this is not
    with pytest.raises(InputError, match="record_id"):
        load_labels(bad)
    cp = tmp_path / "cp.csv"
    cp.write_bytes("record_id,label\nあ,い\n".encode("cp932"))
    with pytest.raises(InputError, match="UTF-8"):
        load_labels(cp)
    empty_id = tmp_path / "e.csv"
    empty_id.write_text("record_id,label\ns:2,a\n,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="3行目"):
        load_labels(empty_id)
    with pytest.raises(InputError):
        load_labels([])
