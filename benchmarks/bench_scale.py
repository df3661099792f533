"""Challenge discovery on 100,000 answers: time per stage and peak memory.

Usage: ``.venv/bin/python benchmarks/bench_scale.py [--n 100000] [--seed 0]``.

The corpus is built from the sample answers (``data/sample``) with a fixed seed: each synthetic
answer joins one to three sentences drawn from different sample answers, then drops a word-sized
chunk or inserts a filler phrase, so that answers are not exact copies. Stages: tokenize, code
(codebook), discover (features + k auto + labels + stability). Peak memory is the process's
maximum resident set size (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

from rsnet_analysis.challenges import Codebook, code_records, discover_challenges
from rsnet_analysis.ingest import read_inputs
from rsnet_analysis.prepare import build_record_table
from rsnet_analysis.text import JapaneseTokenizer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
FILLERS = ["正直なところ", "現状では", "引き続き", "なかなか", "特に", "今のところ"]


def synthetic_corpus(n: int, seed: int) -> list[str]:
    """Resample and perturb the sample answers into ``n`` answers."""
    files = sorted(SAMPLE.glob("survey_*.csv")) + sorted(SAMPLE.glob("survey_*.xlsx"))
    raw = read_inputs(files, sheet="回答" if any(f.suffix == ".xlsx" for f in files) else None)
    records = build_record_table(raw.table)
    texts = records.loc[records["status"] == "kept", "text_masked"].tolist()
    sentences = [s for t in texts for s in re.split(r"(?<=[。！？!?\n])", t) if len(s.strip()) > 3]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        parts = [sentences[i] for i in rng.integers(len(sentences), size=rng.integers(1, 4))]
        text = "".join(parts)
        if rng.random() < 0.3 and len(text) > 12:  # drop a chunk
            a = int(rng.integers(0, len(text) - 4))
            text = text[:a] + text[a + int(rng.integers(1, 4)) :]
        if rng.random() < 0.3:  # insert a filler
            text = FILLERS[int(rng.integers(len(FILLERS)))] + text
        out.append(text)
    return out


def peak_mb() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    times: dict[str, float] = {}

    t = time.perf_counter()
    texts = synthetic_corpus(args.n, args.seed)
    ids = [f"synthetic:{i + 2}" for i in range(len(texts))]
    times["build corpus"] = time.perf_counter() - t

    t = time.perf_counter()
    tokens = JapaneseTokenizer().tokenize_many(texts)
    times["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    codebook = Codebook.load()
    coded = code_records(texts, tokens, codebook)
    times["code (codebook)"] = time.perf_counter() - t

    t = time.perf_counter()
    result = discover_challenges(texts, tokens, ids, k="auto", seed=args.seed, codebook=codebook, coded=coded)
    times["discover (features, k auto, labels, stability)"] = time.perf_counter() - t

    print(f"answers: {len(texts):,}; k chosen: {result.k}")
    for stage, sec in times.items():
        print(f"  {stage:<50} {sec:8.1f} s")
    print(f"  {'total':<50} {sum(times.values()):8.1f} s")
    print(f"peak memory (max RSS): {peak_mb():,.0f} MiB")
    print(result.clusters[["cluster", "size", "label", "challenge", "stability"]].head(25).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
