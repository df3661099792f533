"""Tokenizer throughput beside a plain ``fugashi.Tagger().parse()`` loop, in the same run.

Usage: ``.venv/bin/python benchmarks/bench_tokenizer.py [--runs 7] [--batch 200] [--python-gc]``.

Two corpora: the free-text answers of ``data/sample`` and 20,000 generated answers of
``bench_scale.py`` (all different, with a vocabulary that keeps growing). On each, four loops over
the same texts, timed in CPU seconds of this process (``time.process_time``), one core. Every loop
first runs once over the whole corpus, so the tokenizer's caches hold its words, as in a long run.
A shared machine's speed drifts by half within minutes (the same ``parse()`` loop took 52 to 85 µs
per text), which a best of a few long loops does not remove; so the texts are cut into batches of
``--batch`` texts, the loops run interleaved on each batch ``--runs`` times, and a loop's time is
the sum over batches of its best time on that batch (each loop is then timed at the machine's best
speed, batch by batch). The loops:

- ``parse``: ``fugashi.Tagger().parse(text)``, the reference;
- ``tokenizer``: ``JapaneseTokenizer()(text)``, one call per text (width folding, one MeCab pass,
  terms);
- ``tokenize_many``: ``JapaneseTokenizer().tokenize_many(texts)`` (MeCab over a batch of texts,
  then the terms of each: the memory each step works on stays in the processor's caches);
- ``mask + tokenize``: what the pipeline does per answer (``TextPreparer``: masking with the
  tagging reused, terms and lemmas), one call per text;
- ``mask + tokenize, ahead``: the same as the pipeline runs it
  (:func:`rsnet_analysis.prepare.workers.prepare_rows`: each batch of answers tagged together
  first).

The ratio is characters per CPU-second of our loop over those of ``parse()`` (the goal is 0.8 for
the tokenizer). The loops run with the garbage-collector thresholds of an analysis
(:data:`rsnet_analysis.pipeline.GC_THRESHOLDS`, which :func:`~rsnet_analysis.pipeline.run_analysis`
sets while it tokenises); ``--python-gc`` keeps Python's defaults. Exits 1 when the tokenizer
reaches less than half of ``parse()``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fugashi
import pandas as pd

from rsnet_analysis.pipeline import GC_THRESHOLDS
from rsnet_analysis.prepare import TextPreparer
from rsnet_analysis.prepare.workers import prepare_rows
from rsnet_analysis.text import JapaneseTokenizer

ROOT = Path(__file__).resolve().parents[1]
MIN_RATIO = 0.5
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


def best_cpu(fns: dict[str, Callable[[list[str]], object]], texts: list[str], runs: int, batch: int) -> dict[str, float]:
    """CPU seconds of each loop over ``texts``: the sum over batches of its best of ``runs``."""
    for fn in fns.values():
        fn(texts)  # warm-up: builds the Tagger and the caches
    total = dict.fromkeys(fns, 0.0)
    for i in range(0, len(texts), batch):
        part = texts[i : i + batch]
        best = dict.fromkeys(fns, float("inf"))
        for _ in range(runs):
            for name, fn in fns.items():
                start = time.process_time()
                fn(part)
                best[name] = min(best[name], time.process_time() - start)
        for name in fns:
            total[name] += best[name]
    return total


def compare(texts: list[str], runs: int, batch: int) -> dict[str, float]:
    """CPU seconds of each loop over ``texts``."""
    tagger = fugashi.Tagger()
    tok = JapaneseTokenizer()
    prepare = TextPreparer(tokenizer=tok)

    loops: dict[str, Callable[[list[str]], object]] = {
        "parse": lambda part: [tagger.parse(t) for t in part],
        "tokenizer": lambda part: [tok(t) for t in part],
        "tokenize_many": tok.tokenize_many,
        "mask + tokenize": lambda part: [prepare(t, True) for t in part],
        "mask + tokenize, ahead": lambda part: prepare_rows(prepare, [(t, "kept", ()) for t in part]),
    }
    return best_cpu(loops, texts, runs, batch)


def report(name: str, texts: list[str], runs: int, batch: int) -> tuple[float, float]:
    """Print the table of one corpus; return the tokenizer's ratios (one call per text, ``tokenize_many``)."""
    n_chars = sum(len(t) for t in texts)
    times = compare(texts, runs, batch)
    print(f"\n{name}: {len(texts):,} texts, {n_chars:,} characters; per batch of {batch}, best of {runs} runs (CPU time)")
    print(f"  {'loop':<24} {'chars/CPU-s':>12} {'ratio':>7}")
    for loop, sec in times.items():
        print(f"  {loop:<24} {n_chars / sec:12,.0f} {times['parse'] / sec:7.2f}")
    return times["parse"] / times["tokenizer"], times["parse"] / times["tokenize_many"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each loop on each batch (default 7)")
    parser.add_argument("--batch", type=int, default=200, help="texts per batch (default 200)")
    parser.add_argument("--python-gc", action="store_true", help="keep Python's garbage-collector thresholds")
    args = parser.parse_args(argv)
    if not args.python_gc:
        gc.set_threshold(*GC_THRESHOLDS)
    print(f"garbage collector thresholds: {gc.get_threshold()}")
    texts = sample_texts()
    ratios = [
        report("data/sample survey answers", texts, args.runs, args.batch),
        report(f"{GENERATED:,} generated answers (bench_scale.py)", generated_texts(GENERATED), args.runs, args.batch),
    ]
    print(
        f"\ntokenizer / parse(): {' and '.join(f'{one:.2f}' for one, _ in ratios)} one call per text, "
        f"{' and '.join(f'{many:.2f}' for _, many in ratios)} with tokenize_many (goal 0.8, floor {MIN_RATIO})"
    )
    if min(one for one, _ in ratios) < MIN_RATIO:
        print("FAIL: tokenizer is slower than half of raw parse()", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
