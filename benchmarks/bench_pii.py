"""PII masking benchmark: recall per kind, exact matches, false positives, speed.

Run: ``.venv/bin/python benchmarks/bench_pii.py``. Exits 1 when a floor is missed:
every e-mail and phone number found, at least 95% of names, at most 1% of PII-free answers altered.

Two sets are scored separately, each against the same floors:

- **development** (``pii_cases.csv``, ``no_pii.csv``): written while the rules were built, so its
  figures are optimistic;
- **holdout** (``holdout_cases.csv``, ``holdout_no_pii.csv``): written by someone else before reading
  the rules. Do not tune on it: when a holdout miss is fixed, add a *general* rule and a test case,
  never the holdout string itself.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

from rsnet_analysis.privacy import PLACEHOLDERS, find_pii, mask_pii

DATA = Path(__file__).resolve().parents[1] / "data" / "pii"
KIND_OF = {v: k for k, v in PLACEHOLDERS.items()}
PLACEHOLDER_RE = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()) + ")")
FLOORS = {"email": 1.0, "phone": 1.0, "name": 0.95}
MAX_FALSE_POSITIVE_RATE = 0.01
SETS = {
    "development": ("pii_cases.csv", "no_pii.csv"),
    "holdout": ("holdout_cases.csv", "holdout_no_pii.csv"),
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def gold_spans(text: str, expected: str) -> list[tuple[int, int, str]]:
    """Align ``expected`` with ``text``: each placeholder covers one gap of the original."""
    parts = PLACEHOLDER_RE.split(expected)
    pattern = "".join("(.+?)" if k % 2 else re.escape(part) for k, part in enumerate(parts))
    m = re.fullmatch(pattern, text, flags=re.DOTALL)
    if m is None:
        raise ValueError(f"expected does not fit text: {expected!r}")
    kinds = [KIND_OF[p] for p in parts[1::2]]
    return [(m.start(g + 1), m.end(g + 1), kind) for g, kind in enumerate(kinds)]


def score(name: str, cases: list[dict[str, str]], clean: list[dict[str, str]]) -> bool:
    """Print recall per kind, exact matches and false positives for one set; True when floors hold."""
    total = {k: 0 for k in PLACEHOLDERS}
    found = {k: 0 for k in PLACEHOLDERS}
    misses: list[str] = []
    exact = 0
    for row in cases:
        text, expected = row["text"], row["expected"]
        covered: dict[str, set[int]] = {k: set() for k in PLACEHOLDERS}
        for span in find_pii(text):
            covered[span.kind].update(range(span.start, span.end))
        for start, end, kind in gold_spans(text, expected):
            total[kind] += 1
            if set(range(start, end)) <= covered[kind]:
                found[kind] += 1
            else:
                misses.append(f"  {row['case_id']} {kind}: {text[start:end]!r}")
        masked = mask_pii(text)
        if masked == expected:
            exact += 1
        else:
            misses.append(f"  {row['case_id']} inexact: {masked!r} != {expected!r}")

    altered = [row for row in clean if mask_pii(row["text"]) != row["text"]]
    fp_rate = len(altered) / len(clean)

    print(f"== {name} set: PII cases: {len(cases)}   PII-free answers: {len(clean)}")
    ok = True
    for kind in ("email", "phone", "name"):
        recall = found[kind] / total[kind] if total[kind] else 1.0
        floor_ok = recall >= FLOORS[kind]
        ok &= floor_ok
        print(
            f"recall {kind:5s}: {found[kind]:3d}/{total[kind]:3d} = {recall:6.1%}"
            f"  (floor {FLOORS[kind]:.0%}) {'OK' if floor_ok else 'BELOW FLOOR'}"
        )
    print(f"exact-match cases: {exact}/{len(cases)} = {exact / len(cases):.1%}")
    fp_ok = fp_rate <= MAX_FALSE_POSITIVE_RATE
    ok &= fp_ok
    print(
        f"false positives: {len(altered)}/{len(clean)} = {fp_rate:.2%}"
        f"  (ceiling {MAX_FALSE_POSITIVE_RATE:.0%}) {'OK' if fp_ok else 'ABOVE CEILING'}"
    )
    for row in altered:
        print(f"  {row['case_id']}: {row['text']!r} -> {mask_pii(row['text'])!r}")
    if misses:
        print("misses and inexact cases:")
        print("\n".join(misses))
    print(f"{name}: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    ok = True
    texts: list[str] = []
    for name, (cases_file, clean_file) in SETS.items():
        cases = read_rows(DATA / cases_file)
        clean = read_rows(DATA / clean_file)
        ok &= score(name, cases, clean)
        texts += [r["text"] for r in cases] + [r["text"] for r in clean]
        print()

    mask_pii(texts[0])  # build the tagger outside the timing
    t0 = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for t in texts:
            mask_pii(t)
    per_sec = rounds * len(texts) / (time.perf_counter() - t0)
    print(f"speed: {per_sec:,.0f} answers/s")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
