"""Build the kind-of-statement labels of the sample session notes.

Reads ``notes_kinds_source.csv`` (UTF-8, ``record_id,kind,link``: one hand label per statement of
``data/sample/notes/*.md``; ``record_id`` is ``{note stem}:{line}`` as the reader numbers it) and
writes ``data/sample/kinds_notes.csv`` (UTF-8 with BOM, ``record_id,question,kind,link,split``) with
``question`` = ``note`` and the md5 ``split`` rule of ``build_2023.py``.

Run: ``python data/sample/source/build_notes_kinds.py``
"""

from __future__ import annotations

import csv
from pathlib import Path

from build_2023 import split_of

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "notes_kinds_source.csv"
KINDS = HERE.parent / "kinds_notes.csv"


def main() -> None:
    """Write ``kinds_notes.csv``."""
    with SOURCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with KINDS.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["record_id", "question", "kind", "link", "split"])
        for row in rows:
            rid = row["record_id"]
            writer.writerow([rid, "note", row["kind"], row["link"], split_of(rid)])


if __name__ == "__main__":
    main()
