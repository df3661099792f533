"""Build the 2023 sample survey wave from its hand-written, labelled source.

Reads ``survey_2023_source.csv`` (UTF-8, with a ``label`` column) and writes

* ``data/sample/survey_2023.csv``: cp932, CRLF line endings, multi-line answers quoted,
  without the label column, as Excel on Japanese Windows saves it;
* ``data/sample/labels_2023.csv``: UTF-8 with BOM, ``record_id,label,split``, where
  ``record_id`` is ``survey_2023:{row}`` and ``row`` is the spreadsheet row number
  (header = 1, first answer = 2).

Run: ``python data/sample/source/build_2023.py``
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "survey_2023_source.csv"
SURVEY = HERE.parent / "survey_2023.csv"
LABELS = HERE.parent / "labels_2023.csv"


def split_of(record_id: str) -> str:
    """Return ``test`` for about 40% of ids (stable md5 rule), else ``dev``.

    Parameters
    ----------
    record_id : str
        The record id.

    Returns
    -------
    str
        ``test`` or ``dev``.
    """
    return "test" if int(hashlib.md5(record_id.encode()).hexdigest(), 16) % 5 in (0, 1) else "dev"


def main() -> None:
    """Write the cp932 survey file and the label file."""
    with SOURCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label_at = header.index("label")
    keep = [i for i in range(len(header)) if i != label_at]

    with SURVEY.open("w", encoding="cp932", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([header[i] for i in keep])
        for row in body:
            # Excel keeps a bare LF for a line break inside a (quoted) cell.
            writer.writerow([row[i] for i in keep])

    with LABELS.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["record_id", "label", "split"])
        for number, row in enumerate(body, start=2):
            record_id = f"survey_2023:{number}"
            writer.writerow([record_id, row[label_at], split_of(record_id)])


if __name__ == "__main__":
    main()
