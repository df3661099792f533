"""Discovery quality beside a plain baseline, measured in the same run, on text the rules never saw.

Usage::

    .venv/bin/python benchmarks/bench_quality.py                      # sample + holdouts
    .venv/bin/python benchmarks/bench_quality.py --external DIR       # + every DIR/*.tsv
    .venv/bin/python benchmarks/bench_quality.py --external DIR --max 2000 --seeds 3

Sets:

- ``sample``: the bundled sample's first question and notes, scored on the test split of
  ``data/sample/labels_*.csv`` (the rules were tuned on the dev split);
- ``holdout_2025``, ``holdout_a``, ``holdout_b``: independent surveys written by helpers who never
  saw the rules (``data/holdout``), scored on all their labels;
- ``--external DIR``: labelled public corpora as TSV files with a header ``text<TAB>category``
  (livedoor news titles, MLIT car-defect reports, policy proposals, tweets …; fetched outside
  the repository, never committed), a random ``--max`` of each.

For every set: the tool with ``k="auto"`` (and the codebook, which it uses only where it fits),
the tool with the true number of categories, and the baseline — TF-IDF over the same content
lemmas, LSA (100 dimensions, normalised) and k-means with the true number of categories — each
over ``--seeds`` seeds (mean). V-measure and ARI against the labels; for the survey sets also the
macro F1 of the codebook challenges and the mean error of each challenge's share (points).
Prints one table; exits 1 when the tool at ``k="auto"`` falls below the baseline on a set (by
more than 0.02 V) or the sample floors fail (V 0.5, key F1 0.75).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, f1_score, v_measure_score
from sklearn.preprocessing import Normalizer

from rsnet_analysis.challenges import Codebook, discover_challenges
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import build_record_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_QUESTION = "DX・人材育成の課題（自由記述）"


def _kept(raw: pd.DataFrame) -> pd.DataFrame:
    records = build_record_table(raw)
    return records[records["status"] == "kept"].reset_index(drop=True)


def _survey(parts: list[tuple[list[Path], dict[str, object]]], gold: Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    raw = pd.concat([read_inputs(paths, **kw).table for paths, kw in parts], ignore_index=True)  # type: ignore[arg-type]
    kept = _kept(raw)
    kept["gold"] = gold(kept).fillna("")
    return kept[(kept["gold"] != "") & (kept["gold"] != "none")].reset_index(drop=True)


def load_sets(external: Path | None, max_n: int, seed: int) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """Every set as (kept records with a ``gold`` column, mask of the scored rows)."""
    sets: dict[str, tuple[pd.DataFrame, pd.Series]] = {}
    s = ROOT / "data" / "sample"
    names = ("labels_2023.csv", "labels_2024.csv", "labels_notes.csv")
    labels = pd.concat([pd.read_csv(s / f, encoding="utf-8-sig", dtype=str) for f in names])
    gold, split = dict(zip(labels["record_id"], labels["label"], strict=True)), dict(zip(labels["record_id"], labels["split"], strict=True))
    sample = _survey([([s / "survey_2023.csv", s / "survey_2024.xlsx"], {"text_cols": [SAMPLE_QUESTION]}), ([s / "notes"], {})],
                     lambda k: k["record_id"].map(gold))
    sets["sample"] = (sample, sample["record_id"].map(split) == "test")
    h = ROOT / "data" / "holdout"
    lab = pd.read_csv(h / "labels_2025.csv", encoding="utf-8-sig", dtype=str)
    old = _survey([([h / "survey_2025.csv"], {})], lambda k: k["record_id"].map(dict(zip(lab["record_id"], lab["label"], strict=True))))
    sets["holdout_2025"] = (old, pd.Series(True, index=old.index))
    for name, folder, parts in (
        ("holdout_a", h / "survey_a", [(["survey_2025.csv"], {"text_cols": ["現在抱えている課題"]}), (["notes_2025-09.md"], {})]),
        (
            "holdout_b", h / "survey_b",
            [(["wave_2024.csv", "wave_2025.csv"], {"text_cols": ["課題=課題（自由記述）|貴団体が抱えるDX人材育成の課題"]})],
        ),
    ):
        lab = pd.read_csv(folder / "labels.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        asked = ["現在抱えている課題", "note", "課題（自由記述）", "貴団体が抱えるDX人材育成の課題"]
        lab = lab[(lab["kind"] != "facilitation") & lab["column"].isin(asked)]
        rid = {f"{Path(r.source_file).stem}:{r.source_row}": r.primary for r in lab.itertuples()}
        data = _survey([([folder / p for p in paths], kw) for paths, kw in parts], lambda k, rid=rid: k["record_id"].map(rid))
        sets[name] = (data, pd.Series(True, index=data.index))
    for path in sorted(external.glob("*.tsv")) if external else []:
        kept = load_corpus(path, max_n, seed)
        sets[path.stem] = (kept, pd.Series(True, index=kept.index))
    return sets


def load_corpus(path: Path, max_n: int, seed: int = 0) -> pd.DataFrame:
    """The kept records of a labelled TSV (``text``, ``category``) with a ``gold`` column."""
    table = pd.read_csv(path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False)
    missing = {"text", "category"} - set(table.columns)
    if missing:
        raise SystemExit(f"{path}: the header needs the columns text and category (missing: {sorted(missing)})")
    if len(table) > max_n:
        table = table.sample(max_n, random_state=seed).reset_index(drop=True)
    raw = pd.DataFrame({
        "record_id": [f"{path.stem}:{i}" for i in range(len(table))], "source_file": path.name,
        "source_row": range(len(table)), "source_type": "survey", "respondent": "", "date": "",
        "text_original": table["text"].tolist(),
    })
    kept = _kept(raw)
    kept["gold"] = kept["record_id"].map(dict(zip(raw["record_id"], table["category"], strict=True)))
    return kept


def baseline(lemmas: list[list[str]], k: int, seed: int) -> np.ndarray:
    """TF-IDF over the content lemmas + LSA 100 + k-means with the true k."""
    X = TfidfVectorizer(analyzer=lambda d: d, lowercase=False).fit_transform(lemmas)
    dims = max(1, min(100, X.shape[0] - 1, X.shape[1] - 1))
    Z = Normalizer().fit_transform(TruncatedSVD(dims, random_state=seed).fit_transform(X))
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)


def _scores(gold: pd.Series, labels: np.ndarray, units: pd.Series | None, keys: list[str]) -> dict[str, float]:
    out = {"V": v_measure_score(gold, labels), "ARI": adjusted_rand_score(gold, labels), "k": float(len(set(labels)))}
    if units is not None:
        named = [k for k in keys if (gold == k).any()]
        if named:
            out["keyF1"] = float(np.mean([f1_score(gold == k, units == k, zero_division=0) for k in named]))
            out["share_err"] = float(np.mean([abs((units == k).mean() - (gold == k).mean()) * 100 for k in named]))
        out["misc%"] = float((units == "misc").mean() * 100)
    return out


def run_tool(data: pd.DataFrame, k: int | str, seed: int, book: Codebook) -> tuple[np.ndarray, pd.Series]:
    result = discover_challenges(
        data["text_masked"].tolist(), data["tokens"].tolist(), data["lemmas"].tolist(), data["record_id"].tolist(),
        k=k, seed=seed, codebook=book, n_resamples=0,
    )
    kinds = result.records["cluster"].map(result.clusters.set_index("cluster")["kind"])
    named = np.where(result.records["challenge"] != "", result.records["challenge"], "theme")
    units = pd.Series(np.where(kinds == "misc", "misc", named), index=data.index)
    return result.records["cluster"].to_numpy(), units


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--external", type=Path, default=None, help="folder of labelled TSV corpora (text, category)")
    parser.add_argument("--max", type=int, default=2000, help="largest number of texts taken from an external corpus")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="names of the sets to run")
    args = parser.parse_args(argv)
    book = Codebook.load()
    keys = [c.key for c in book.challenges]
    rows, failures = [], []
    for name, (data, scored) in load_sets(args.external, args.max, 0).items():
        if args.only and name not in args.only:
            continue
        gold = data.loc[scored, "gold"]
        true_k = int(gold.nunique())
        t0 = time.perf_counter()
        per: dict[str, list[dict[str, float]]] = {"tool auto-k": [], "tool true-k": [], "baseline true-k": []}
        for seed in range(args.seeds):
            labels, units = run_tool(data, "auto", seed, book)
            per["tool auto-k"].append(_scores(gold, labels[scored.to_numpy()], units[scored], keys))
            labels, units = run_tool(data, true_k, seed, book)
            per["tool true-k"].append(_scores(gold, labels[scored.to_numpy()], units[scored], keys))
            base = baseline(data["lemmas"].tolist(), true_k, seed)
            per["baseline true-k"].append(_scores(gold, base[scored.to_numpy()], None, keys))
        for method, scores in per.items():
            mean = pd.DataFrame(scores).mean().to_dict()
            rows.append({"set": name, "n": int(scored.sum()), "true k": true_k, "method": method, **mean})
        auto, base_v = pd.DataFrame(per["tool auto-k"])["V"].mean(), pd.DataFrame(per["baseline true-k"])["V"].mean()
        if auto < base_v - 0.02:
            failures.append(f"{name}: tool auto-k V {auto:.3f} < baseline {base_v:.3f}")
        if name == "sample":
            s = pd.DataFrame(per["tool auto-k"]).mean()
            if s["V"] < 0.5 or s.get("keyF1", 1.0) < 0.75:
                failures.append(f"sample floors: V {s['V']:.3f} (0.5), key F1 {s.get('keyF1', float('nan')):.3f} (0.75)")
        print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return verdict(rows, failures)


def verdict(rows: list[dict[str, object]], failures: list[str]) -> int:
    """Print the table and the failures (or PASS); the exit code (1 on any failure)."""
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(pd.DataFrame(rows).to_string(index=False))
    for failure in failures:
        print("FAIL", failure)
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
