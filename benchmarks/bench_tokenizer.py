"""Tokenizer throughput beside a plain ``fugashi.Tagger().parse()`` loop, in the same run.

Usage: ``.venv/bin/python benchmarks/bench_tokenizer.py [--runs 7]``.

Two corpora: the free-text answers of ``data/sample`` (repeated to about 300,000 characters, so
that one run is long enough to time) and 20,000 generated answers of ``bench_scale.py`` (all
different, with a vocabulary that keeps growing). On each, four loops over the same texts, run
interleaved so that the load of a shared machine hits them alike, best of ``--runs``, timed in CPU
seconds of this process (``time.process_time``), one core:

- ``parse``: ``fugashi.Tagger().parse(text)``, the reference;
- ``tokenizer``: ``JapaneseTokenizer()(text)`` (width folding, one MeCab pass, terms);
- ``tokenizer + lemmas``: the same with the content lemmas, as the pipeline builds them;
- ``mask + tokenize``: what the pipeline does per answer (``TextPreparer``: masking with the
  tagging reused, terms and lemmas).

The ratio is characters per CPU-second of our loop over those of ``parse()`` (the goal is 0.8 for
the tokenizer). Exits 1 when the tokenizer reaches less than half of ``parse()``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fugashi
import pandas as pd

from rsnet_analysis.prepare import TextPreparer
from rsnet_analysis.text import JapaneseTokenizer

ROOT = Path(__file__).resolve().parents[1]
MIN_RATIO = 0.5
MIN_CHARS = 300_000
GENERATED = 20_000


def sample_texts() -> list[str]:
    """The long free-text cells of the sample surveys (read as the files are, no cleaning)."""
    sample = ROOT / "data" / "sample"
    frames = [pd.read_csv(p, encoding="cp932", dtype=str) for p in sorted(sample.glob("survey_*.csv"))]
    frames += [pd.read_excel(p, dtype=str) for p in sorted(sample.glob("survey_*.xlsx"))]
    texts: list[str] = []
    for df in frames:
        texts += [t for col in df.columns if df[col].str.len().mean() > 20 for t in df[col].dropna()]
    return texts


def generated_texts(n: int) -> list[str]:
    """``n`` answers from the generator of ``bench_scale.py``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scale import generate_answers

    return [row["text"] for row in generate_answers(n, seed=1)]


def best_cpu(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Best of ``runs`` CPU times per function, runs interleaved."""
    for fn in fns.values():
        fn()  # warm-up: builds the Tagger and the caches
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
    return best


def compare(texts: list[str], runs: int) -> dict[str, float]:
    """CPU seconds of each loop over ``texts``."""
    tagger = fugashi.Tagger()
    tok = JapaneseTokenizer()
    prepare = TextPreparer(tokenizer=tok)

    def tokenize_with_lemmas(text: str) -> list[str]:
        return tok.tokenize_tagged(tok.tag(text), lemmas=[])

    loops: dict[str, Callable[[], object]] = {
        "parse": lambda: [tagger.parse(t) for t in texts],
        "tokenizer": lambda: [tok(t) for t in texts],
        "tokenizer + lemmas": lambda: [tokenize_with_lemmas(t) for t in texts],
        "mask + tokenize": lambda: [prepare(t, True) for t in texts],
    }
    return best_cpu(loops, runs)


def report(name: str, texts: list[str], runs: int) -> float:
    """Print the table of one corpus; return the tokenizer's ratio."""
    n_chars = sum(len(t) for t in texts)
    times = compare(texts, runs)
    print(f"\n{name}: {len(texts):,} texts, {n_chars:,} characters; best of {runs} runs (CPU time)")
    print(f"  {'loop':<20} {'chars/CPU-s':>12} {'ratio':>7}")
    for loop, sec in times.items():
        print(f"  {loop:<20} {n_chars / sec:12,.0f} {times['parse'] / sec:7.2f}")
    return times["parse"] / times["tokenizer"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    texts = sample_texts()
    texts = texts * max(1, MIN_CHARS // max(1, sum(len(t) for t in texts)))
    ratios = [
        report("data/sample survey answers (repeated)", texts, args.runs),
        report(f"{GENERATED:,} generated answers (bench_scale.py)", generated_texts(GENERATED), args.runs),
    ]
    print(f"\ntokenizer / parse(): {' and '.join(f'{r:.2f}' for r in ratios)} (goal 0.8, floor {MIN_RATIO})")
    if min(ratios) < MIN_RATIO:
        print("FAIL: tokenizer is slower than half of raw parse()", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
