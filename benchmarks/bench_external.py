"""The tool beside the plain baseline on any labelled TSV corpus, measured in the same run.

Usage::

    .venv/bin/python benchmarks/bench_external.py CORPUS.tsv [MORE.tsv ...] [--max 8000] [--seeds 3]

Each file has a header ``text<TAB>category`` (an optional third column ``date`` is ignored):
livedoor news titles or title + body, MLIT car-defect reports, policy proposals, tweets, public
comments, or an independent holdout of survey answers. Evaluation data stays outside the
repository. The public corpora measured so far, and where they come from (public GitHub
repositories; build the TSV from them, never commit it):

- livedoor news (jkatsuta/18_4q_doc2vec, ``experiments/text/<category>/*.txt``): titles (line 3),
  or title + "。" + the first 300 characters of the body (lines 4 on, joined), 7,367 texts, 9
  categories;
- MLIT car-defect reports (oyahiroki/nlp4j-data at 54c3e30, ``data-mlit/``: the text
  ``申告内容の要約`` or ``申告内容``, the category ``不具合装置``), 16 categories;
- citizen policy proposals to a manifesto (team-mirai/policy-pr-data at 0863945,
  ``label_reports/label_<label>.md``: the pull request's title and description, the category its
  one topical label), 1,906 texts, 10 categories, about 1,400 characters each.

A random ``--max`` texts of each file are read as a survey export would be (masking,
tokenising), then, for every seed:

- the tool with ``k="auto"`` (and the bundled codebook, which it uses only where it fits);
- the tool with the true number of categories;
- the baseline: TF-IDF over the same fugashi content lemmas, TruncatedSVD(100), normalised,
  k-means (10 restarts) with the true number of categories.

Printed per file and method: V-measure and adjusted Rand index against the categories (mean and
standard deviation over the seeds), the number of clusters, the miscellany's share and the share
of texts coded with a codebook challenge. Exits 1 when the tool at either k falls more than 0.02
V below the baseline on some file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quality import baseline, load_corpus, verdict  # noqa: E402

from rsnet_analysis.challenges import Codebook, discover_challenges  # noqa: E402

TOLERANCE = 0.02


def tool_scores(data: pd.DataFrame, k: int | str, seed: int, book: Codebook) -> dict[str, float]:
    """V, ARI, number of clusters, miscellany and coded shares of one tool run."""
    result = discover_challenges(
        data["text_masked"].tolist(), data["tokens"].tolist(), data["lemmas"].tolist(), data["record_id"].tolist(),
        k=k, seed=seed, codebook=book, n_resamples=0,
    )
    labels = result.records["cluster"].to_numpy()
    kinds = result.records["cluster"].map(result.clusters.set_index("cluster")["kind"])
    return {
        "V": v_measure_score(data["gold"], labels), "ARI": adjusted_rand_score(data["gold"], labels),
        "k": float(len(set(labels))), "misc%": float((kinds == "misc").mean() * 100),
        "coded%": float((result.records["challenge"] != "").mean() * 100),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path, help="labelled TSV files (text, category)")
    parser.add_argument("--max", type=int, default=8000, help="largest number of texts taken from a file")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    book = Codebook.load()
    rows, failures = [], []
    for path in args.corpora:
        data = load_corpus(path, args.max)
        true_k = int(data["gold"].nunique())
        per: dict[str, list[dict[str, float]]] = {"tool auto-k": [], "tool true-k": [], "baseline true-k": []}
        for seed in range(args.seeds):
            per["tool auto-k"].append(tool_scores(data, "auto", seed, book))
            per["tool true-k"].append(tool_scores(data, true_k, seed, book))
            base = baseline(data["lemmas"].tolist(), true_k, seed)
            per["baseline true-k"].append({
                "V": v_measure_score(data["gold"], base), "ARI": adjusted_rand_score(data["gold"], base), "k": float(true_k),
            })
        for method, scores in per.items():
            frame = pd.DataFrame(scores)
            rows.append({
                "corpus": path.stem, "n": len(data), "true k": true_k, "method": method,
                "V": frame["V"].mean(), "V sd": frame["V"].std(ddof=0), "ARI": frame["ARI"].mean(),
                "k": frame["k"].mean(), "misc%": frame.get("misc%", pd.Series([np.nan])).mean(),
                "coded%": frame.get("coded%", pd.Series([np.nan])).mean(),
            })
        base_v = float(np.mean([s["V"] for s in per["baseline true-k"]]))
        for method in ("tool auto-k", "tool true-k"):
            v = float(np.mean([s["V"] for s in per[method]]))
            if v < base_v - TOLERANCE:
                failures.append(f"{path.stem}: {method} V {v:.3f} < baseline {base_v:.3f}")
        print(f"{path.stem}: done", file=sys.stderr)
    return verdict(rows, failures)


if __name__ == "__main__":
    raise SystemExit(main())
