"""Challenge discovery quality on the labelled sample, beside a plain baseline, in the same run.

Usage: ``.venv/bin/python benchmarks/bench_quality.py [--split test|dev] [--seed 0]``.

Runs the pipeline's stages on every sample input (``data/sample``: survey exports and session
notes): ``io.read_inputs`` -> ``records.build_record_table`` -> tokenize once -> codebook coding ->
``challenges.discover_challenges`` (k auto). All kept records are clustered (clustering is
unsupervised); only records of the chosen split are scored, with ``evaluate.evaluate``.

Baseline: TF-IDF over the same tokens + LSA (100 dimensions, normalised) + KMeans with the true
number of clusters (the number of distinct gold labels in the split).

Exits 1 when V-measure < 0.5 or codebook macro-F1 < 0.75 (the floors of issue 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import Normalizer

from rsnet_analysis.challenges import (
    Codebook,
    code_records,
    discover_challenges,
    evaluate,
    load_labels,
)
from rsnet_analysis.challenges.features import identity_analyzer
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import build_record_table
from rsnet_analysis.text import JapaneseTokenizer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
V_FLOOR = 0.5
F1_FLOOR = 0.75


def sample_inputs() -> list[Path]:
    """Survey exports and session notes of the sample (not labels, not the municipality list)."""
    files = sorted(SAMPLE.glob("survey_*.csv")) + sorted(SAMPLE.glob("survey_*.xlsx"))
    files += sorted(SAMPLE.glob("notes/**/*.md")) + sorted(SAMPLE.glob("*.md"))
    return files


def baseline_clusters(tokens: list[list[str]], k: int, seed: int) -> np.ndarray:
    """Plain TF-IDF + LSA + KMeans with a given k."""
    X = TfidfVectorizer(analyzer=identity_analyzer, lowercase=False).fit_transform(tokens)
    n_comp = max(1, min(100, X.shape[0] - 1, X.shape[1] - 1))
    Z = Normalizer().fit_transform(TruncatedSVD(n_comp, random_state=seed).fit_transform(X))
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "dev"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    files = sample_inputs()
    raw = read_inputs(files, sheet="回答" if any(f.suffix == ".xlsx" for f in files) else None)
    records = build_record_table(raw.table)
    kept = records[records["status"] == "kept"].reset_index(drop=True)
    texts = kept["text_masked"].tolist()
    tokens = JapaneseTokenizer().tokenize_many(texts)
    codebook = Codebook.load()
    coded = code_records(texts, tokens, codebook)
    result = discover_challenges(
        texts, tokens, kept["record_id"].tolist(), k="auto", seed=args.seed, codebook=codebook, coded=coded
    )
    elapsed = time.perf_counter() - t0

    labels = load_labels(sorted(SAMPLE.glob("labels_*.csv")))
    ours = kept[["record_id", "status"]].copy()
    ours["cluster"] = result.records["cluster"].to_numpy()
    ours["challenge"] = coded["challenge"].to_numpy()
    ev = evaluate(ours, labels, split=args.split, codebook_keys=codebook.keys)

    split_labels = labels[(labels["split"] == args.split) & labels["record_id"].isin(kept["record_id"])]
    true_k = split_labels["label"].nunique()
    base = ours.copy()
    base["cluster"] = baseline_clusters(tokens, true_k, args.seed)
    ev_base = evaluate(base, labels, split=args.split, codebook_keys=codebook.keys)

    print(f"inputs: {', '.join(f.name for f in files)}")
    print(f"kept answers clustered: {len(kept)}; scored ({args.split} split): {ev.n}")
    print(f"k chosen (auto): {result.k}    true k in split (baseline): {true_k}")
    print()
    table = pd.DataFrame(
        {
            "ours": [ev.v_measure, ev.nmi, ev.ari, ev.accuracy, ev.macro_f1, ev.kappa],
            "baseline": [ev_base.v_measure, ev_base.nmi, ev_base.ari, np.nan, np.nan, np.nan],
        },
        index=["V-measure", "NMI", "ARI", "accuracy (codebook)", "macro-F1 (codebook)", "kappa (codebook)"],
    )
    print(table.round(3).to_string(na_rep="-"))
    print()
    print("clusters:")
    print(result.clusters[["cluster", "size", "label", "challenge", "stability"]].to_string(index=False))
    print(f"\ntime: {elapsed:.1f} s")
    ok = ev.v_measure >= V_FLOOR and ev.macro_f1 >= F1_FLOOR
    print(f"floors (V-measure >= {V_FLOOR}, macro-F1 >= {F1_FLOOR}): {'OK' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
