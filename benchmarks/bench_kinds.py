"""Kind of statement: precision and recall per kind, and the practice → challenge link, beside baselines.

Usage: ``.venv/bin/python benchmarks/bench_kinds.py [--seed 0] [--kinds rules.yaml] [--sets sample,a,b]``.

Sets, each read and classified as one run (the classifier learns from that run's strong rules):

* ``sample``: the bundled sample (``data/sample``: both survey waves, two questions, three
  session notes), scored on the TEST split of ``kinds_*.csv`` (the method was tuned on dev only).
* ``a``: ``data/holdout/survey_a`` (survey_2025.csv + notes_2025-09.md); ``b``:
  ``data/holdout/survey_b`` (wave_2024.csv + wave_2025.csv, the questions worded differently in
  the two waves). Their ``labels.csv`` (``source_file, source_row, column, kind, link``) was written
  by someone who never saw the rules; every label is scored.

Only kept records are scored (non-answers such as 特になし and duplicates are excluded before the
kinds are given); labels that match no kept record are counted and shown.

Kind metrics: precision, recall and F1 per kind; ``practice+result`` treats the two as one class
(the floor of issue 12: precision >= 0.85 and recall >= 0.75 on the sample's test split, and
challenge precision >= 0.90). Baseline: the majority gold kind of each question, computed on
the scored labels themselves (an upper bound for anything that only knows the question).

Link (practice → challenge): for scored statements whose gold kind is practice or result and
whose gold link is a codebook key, the challenge key discovery gives the record
(:func:`rsnet_analysis.challenges.discover_challenges` with the shipped codebook, ``k="auto"``,
no resamples), in two ways:

* ``per question``: discovery on the statements the classifier calls practice or result (what a
  per-question analysis would run), a statement outside that set counting as a miss;
* ``all together``: discovery on every kept record of the run (today's pipeline);
* ``codebook rules``: the codebook key with the most rule evidence
  (:func:`~rsnet_analysis.challenges.score_records`), when it reaches ``min_score``, without
  clustering.

Links to challenges the codebook does not know (``generative_ai``, ``new:…``) are counted and left
out. Baseline: the most frequent gold link. Exits 1 when a sample floor is not met.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from rsnet_analysis.challenges import Codebook, discover_challenges, score_records
from rsnet_analysis.contract import KINDS, kept_rows
from rsnet_analysis.ingest import read_inputs, sample_inputs
from rsnet_analysis.prepare import build_record_table
from rsnet_analysis.statements import StatementKinds, classify_statements

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
HOLDOUT = ROOT / "data" / "holdout"
FLOORS = {"practice+result precision": 0.85, "practice+result recall": 0.75, "challenge precision": 0.90}
PR = ("practice", "result")


def _records(paths: list[Path]) -> pd.DataFrame:
    table = build_record_table(read_inputs(paths).table)
    return kept_rows(table).reset_index(drop=True)


def sample_set() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kept sample records and the TEST split of the kind labels (record_id, kind, link)."""
    files = [SAMPLE / f"kinds_{x}.csv" for x in ("2023", "2024", "notes")]
    labels = pd.concat([pd.read_csv(f, encoding="utf-8-sig", dtype=str).fillna("") for f in files])
    return _records(sample_inputs()), labels.loc[labels["split"] == "test", ["record_id", "kind", "link"]]


def holdout_set(folder: Path, files: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kept holdout records and its labels mapped to record ids (``{stem}:{row}[:q2]``)."""
    records = _records([folder / f for f in files])
    labels = pd.read_csv(folder / "labels.csv", encoding="utf-8-sig", dtype=str).fillna("")
    ids = []
    for row in labels.itertuples(index=False):
        path = folder / row.source_file
        stem = path.stem
        if path.suffix == ".md":
            ids.append(f"{stem}:{row.source_row}")
            continue
        header = pd.read_csv(path, nrows=0, encoding=_encoding(path)).columns.tolist()
        asked = [c for c in header if c in set(labels.loc[labels["source_file"] == row.source_file, "column"])]
        n = asked.index(row.column) + 1
        ids.append(f"{stem}:{row.source_row}" + (f":q{n}" if n > 1 else ""))
    labels["record_id"] = ids
    return records, labels[["record_id", "kind", "link"]]


def _encoding(path: Path) -> str:
    head = path.read_bytes()[:4096]
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp932"


def kind_table(scored: pd.DataFrame, pred: str) -> pd.DataFrame:
    """Precision, recall, F1 and counts per kind, plus practice+result, for one prediction column."""
    rows = {}
    classes: list[tuple[str, Callable[[pd.Series], pd.Series]]] = [
        (k, lambda s, k=k: s == k) for k in KINDS
    ]
    classes.append(("practice+result", lambda s: s.isin(PR)))
    for name, member in classes:
        p, g = member(scored[pred]), member(scored["gold"])
        tp = int((p & g).sum())
        prec = tp / p.sum() if p.sum() else np.nan
        rec = tp / g.sum() if g.sum() else np.nan
        f1 = 2 * prec * rec / (prec + rec) if prec and rec and prec + rec else np.nan
        rows[name] = {"P": prec, "R": rec, "F1": f1, "gold": int(g.sum()), "pred": int(p.sum())}
    return pd.DataFrame(rows).T


def majority_per_question(scored: pd.DataFrame) -> pd.Series:
    """The baseline: the most frequent gold kind of each question."""
    top = scored.groupby("question")["gold"].agg(lambda s: s.value_counts().sort_index().idxmax())
    return scored["question"].map(top)


def link_accuracy(records: pd.DataFrame, scored: pd.DataFrame, seed: int) -> dict[str, object]:
    """Accuracy of the practice → challenge link, per question and all together (module docstring)."""
    book = Codebook.load()
    keys = set(book.keys)
    target = scored[scored["gold"].isin(PR) & (scored["link"] != "")]
    known = target[target["link"].isin(keys)]

    def discover(rows: pd.DataFrame) -> pd.Series:
        if len(rows) < 3:
            return pd.Series(dtype=object)
        found = discover_challenges(
            rows["text_masked"].tolist(), rows["tokens"].tolist(), rows["lemmas"].tolist(),
            rows["record_id"].tolist(), seed=seed, codebook=book, n_resamples=0,
        )
        return found.records.set_index("record_id")["challenge"].fillna("").astype(str)

    practices = records[records["record_id"].isin(scored.loc[scored["kind"].isin(PR), "record_id"])]
    per_q = discover(practices)
    together = discover(records)
    rs = score_records(records["text_masked"].tolist(), records["tokens"].tolist(), book)
    best = np.where(rs.scores.max(axis=1) >= book.settings.min_score, rs.scores.argmax(axis=1), -1)
    rules = pd.Series([rs.keys[b] if b >= 0 else "" for b in best], index=records["record_id"])
    out: dict[str, object] = {"n": len(known), "unknown_key": len(target) - len(known)}
    for name, found in (("per question", per_q), ("all together", together), ("codebook rules", rules)):
        got = known["record_id"].map(found).fillna("")
        out[name] = float((got == known["link"]).mean()) if len(known) else np.nan
    common = known["link"].value_counts().idxmax() if len(known) else ""
    out["baseline (most frequent link)"] = float((known["link"] == common).mean()) if len(known) else np.nan
    return out


def run_set(
    name: str, records: pd.DataFrame, labels: pd.DataFrame, kinds: StatementKinds, seed: int
) -> tuple[pd.DataFrame, dict[str, object], dict[str, int]]:
    """Classify one set and score it: (kind table side by side, link figures, counts)."""
    out = records[["record_id", "question"]].join(classify_statements(records, seed=seed, kinds=kinds))
    scored = out.merge(labels.rename(columns={"kind": "gold"}), on="record_id", how="inner")
    scored["baseline"] = majority_per_question(scored)
    ours, base = kind_table(scored, "kind"), kind_table(scored, "baseline")
    table = pd.concat({"ours": ours[["P", "R", "F1"]], "baseline": base[["P", "R", "F1"]]}, axis=1)
    table[("", "gold")] = ours["gold"].astype(int)
    table[("", "pred")] = ours["pred"].astype(int)
    counts = {
        "labels": len(labels),
        "scored": len(scored),
        "not kept or unmatched": len(labels) - len(scored),
        "accuracy": round(float((scored["kind"] == scored["gold"]).mean()), 3),
        "baseline accuracy": round(float((scored["baseline"] == scored["gold"]).mean()), 3),
    }
    return table, link_accuracy(records, scored, seed), counts


def load_set(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records and labels of a named set."""
    if name == "sample":
        return sample_set()
    if name == "a":
        return holdout_set(HOLDOUT / "survey_a", ["survey_2025.csv", "notes_2025-09.md"])
    if name == "b":
        return holdout_set(HOLDOUT / "survey_b", ["wave_2024.csv", "wave_2025.csv"])
    raise SystemExit(f"unknown set {name!r} (sample, a, b)")


def _floors(table: pd.DataFrame) -> dict[str, bool]:
    got = {
        "practice+result precision": table.loc["practice+result", ("ours", "P")],
        "practice+result recall": table.loc["practice+result", ("ours", "R")],
        "challenge precision": table.loc["challenge", ("ours", "P")],
    }
    return {k: bool(got[k] >= v) for k, v in FLOORS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", help="a kind rule file (default: the shipped statement_kinds.yaml)")
    parser.add_argument("--sets", default="sample,a,b")
    args = parser.parse_args(argv)
    kinds = StatementKinds.load(args.kinds)
    print(f"rules: {kinds.source} (version {kinds.version}); seed {args.seed}")
    ok = True
    for name in args.sets.split(","):
        t0 = time.perf_counter()
        records, labels = load_set(name)
        table, link, counts = run_set(name, records, labels, kinds, args.seed)
        title = "sample (test split)" if name == "sample" else f"holdout {name}"
        print(f"\n== {title}: {counts}")
        print(table.round(3).to_string(na_rep="-"))
        print("link practice/result → challenge (accuracy): "
              + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in link.items()))
        if name == "sample":
            met = _floors(table)
            ok = all(met.values())
            print("floors: " + ", ".join(f"{k} >= {FLOORS[k]}: {'OK' if v else 'NOT MET'}" for k, v in met.items()))
        print(f"time: {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
