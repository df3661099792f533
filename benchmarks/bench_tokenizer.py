"""Tokenizer throughput beside a plain ``fugashi.Tagger().parse()`` loop, in the same run.

Usage: ``.venv/bin/python benchmarks/bench_tokenizer.py``. Exits 1 when our tokenizer reaches less
than half the characters per second of raw ``parse()`` on the same texts (one process, one core).
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fugashi

from rsnet_analysis.text import JapaneseTokenizer

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = sorted((ROOT / "tests" / "golden").glob("tokenize_unidic-lite-*.tsv"))
MIN_RATIO = 0.5
RUNS = 5
MIN_CHARS = 300_000  # repeat a small corpus so that one run is long enough to time


def sample_texts() -> tuple[list[str], str]:
    """Free-text answers from data/sample if present, else the golden sentences repeated."""
    texts: list[str] = []
    sample = ROOT / "data" / "sample"
    try:
        import pandas as pd

        for path in sorted(sample.glob("survey_*.csv")):
            df = pd.read_csv(path, encoding="cp932", dtype=str)
            texts += [t for col in df.columns if df[col].str.len().mean() > 20 for t in df[col].dropna()]
        for path in sorted(sample.glob("survey_*.xlsx")):
            df = pd.read_excel(path, dtype=str)
            texts += [t for col in df.columns if df[col].str.len().mean() > 20 for t in df[col].dropna()]
    except Exception as exc:  # noqa: BLE001 - the sample is being written by others; fall back
        print(f"(sample data not usable: {exc!r}; using golden sentences)")
        texts = []
    if texts:
        return texts, "data/sample surveys"
    with GOLDEN[0].open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    sentences = [r[1] for r in rows[1:]]
    return sentences * 20, f"{GOLDEN[0].name} sentences x20"


def best_times(*fns: Callable[[], object]) -> list[float]:
    """Best of RUNS wall times per function, runs interleaved so machine load hits both alike."""
    for fn in fns:
        fn()  # warm-up (builds caches and the Tagger)
    best = [float("inf")] * len(fns)
    for _ in range(RUNS):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    texts, source = sample_texts()
    texts = texts * max(1, MIN_CHARS // max(1, sum(len(t) for t in texts)))
    n_chars = sum(len(t) for t in texts)
    tagger = fugashi.Tagger()
    tok = JapaneseTokenizer()

    def raw() -> None:
        for t in texts:
            tagger.parse(t)

    def ours() -> None:
        for t in texts:
            tok(t)

    raw_time, our_time = best_times(raw, ours)
    raw_cps, our_cps = n_chars / raw_time, n_chars / our_time
    ratio = our_cps / raw_cps
    print(f"corpus: {source}: {len(texts)} texts, {n_chars} characters; best of {RUNS} runs")
    print(f"fugashi Tagger.parse : {raw_cps:12,.0f} chars/s")
    print(f"JapaneseTokenizer    : {our_cps:12,.0f} chars/s")
    print(f"ratio                : {ratio:.2f} (floor {MIN_RATIO})")
    if ratio < MIN_RATIO:
        print("FAIL: tokenizer is slower than half of raw parse()", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
