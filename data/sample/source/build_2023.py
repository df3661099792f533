"""Build the 2023 sample survey wave from its hand-written, labelled source.

Reads ``survey_2023_source.csv`` (UTF-8; two free-text questions, then the label columns
``label`` (challenge of the first question), ``kind``, ``link``, ``kind_q2``, ``link_q2``) and writes

* ``data/sample/survey_2023.csv``: cp932, CRLF line endings, multi-line answers quoted,
  without the label columns, as Excel on Japanese Windows saves it;
* ``data/sample/labels_2023.csv``: UTF-8 with BOM, ``record_id,label,split``, where
  ``record_id`` is ``survey_2023:{row}`` and ``row`` is the spreadsheet row number
  (header = 1, first answer = 2);
* ``data/sample/kinds_2023.csv``: UTF-8 with BOM, ``record_id,question,kind,link,split``: the kind
  of statement of every non-empty answer of both questions (see ``data/sample/KINDS.md``). The
  second question's ids are ``survey_2023:{row}:q2`` (``contract.RECORD_ID_SCHEME``).

``split`` is ``test`` for md5(record_id) % 5 in (0, 1), else ``dev``.

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
KINDS = HERE.parent / "kinds_2023.csv"
STEM = "survey_2023"
QUESTIONS = ("DX・人材育成の課題（自由記述）", "この1年で取り組んだこと・その成果（自由記述）")
LABEL_COLUMNS = ("label", "kind", "link", "kind_q2", "link_q2")


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


def kind_rows(stem: str, rows: list[dict[str, str]]) -> list[tuple[str, str, str, str, str]]:
    """The kind labels of both questions: (record_id, question, kind, link, split).

    Parameters
    ----------
    stem : str
        File stem of the distributed survey.
    rows : list of dict
        Source rows (spreadsheet row = index + 2).

    Returns
    -------
    list of tuple
        One entry per answer with a kind, first question before second within a row.
    """
    out = []
    for number, row in enumerate(rows, start=2):
        for n, (question, kind, link) in enumerate(
            ((QUESTIONS[0], "kind", "link"), (QUESTIONS[1], "kind_q2", "link_q2")), start=1
        ):
            if not row[kind]:
                continue
            record_id = f"{stem}:{number}" + (f":q{n}" if n > 1 else "")
            out.append((record_id, question, row[kind], row[link], split_of(record_id)))
    return out


def main() -> None:
    """Write the cp932 survey file, the challenge label file and the kind label file."""
    with SOURCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label_at = header.index("label")
    keep = [i for i in range(len(header)) if header[i] not in LABEL_COLUMNS]

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
            record_id = f"{STEM}:{number}"
            writer.writerow([record_id, row[label_at], split_of(record_id)])

    with KINDS.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["record_id", "question", "kind", "link", "split"])
        writer.writerows(kind_rows(STEM, [dict(zip(header, row, strict=True)) for row in body]))


if __name__ == "__main__":
    main()
