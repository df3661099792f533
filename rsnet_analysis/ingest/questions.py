"""Free-text questions across files: named (``--text-col``, aliases, a mapping file) or found.

A survey may ask several free-text questions, and two waves may word the same question
differently. A question has a name and the headers it goes by:

* ``--text-col 課題`` – the column 課題 (matched loosely); the question is named by its header.
* ``--text-col "課題=課題（自由記述）|現在抱えている課題"`` – the question 課題 is whichever of
  these headers a file has (the first listed wins when a file has several).
* ``--questions map.csv`` – a CSV with the columns ``question,header`` (or ``設問,見出し``), one
  row per header variant; for headers that contain ``=`` or ``|``, or for many variants.

With no question named, every free-text column of each file is a question (see
:func:`~.roles.free_text_columns`); columns of later files join the question with the same header,
else the remaining questions in order (announced), else a new question.
"""

from __future__ import annotations

import csv
import io as _stdio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest.decode import decode_bytes, read_bytes
from rsnet_analysis.ingest.roles import find_column
from rsnet_analysis.ingest.sheets import norm_header, shown_columns

__all__ = ["QuestionBook", "QuestionSpec", "load_question_map", "parse_text_col"]


@dataclass(frozen=True)
class QuestionSpec:
    """A named question and the headers it goes by, in preference order.

    Attributes
    ----------
    name : str or None
        The question's name; None names it by the header found (``--text-col 課題``).
    headers : tuple of str
        The header variants.
    """

    name: str | None
    headers: tuple[str, ...]


def parse_text_col(spec: str) -> QuestionSpec:
    """Read one ``--text-col`` value: ``列名`` or ``名前=見出し1|見出し2``.

    Raises
    ------
    InputError
        For ``=`` without a name or without headers.
    """
    if "=" not in spec:
        return QuestionSpec(name=None, headers=(spec,))
    name, _sep, rest = spec.partition("=")
    headers = tuple(h.strip() for h in rest.split("|") if h.strip())
    if not name.strip() or not headers:
        raise InputError(
            f"--text-col の指定『{spec[:60]}』が読めません。列名だけか、"
            "「設問の名前=見出し1|見出し2」の形で指定してください（例: --text-col "
            "\"課題=課題（自由記述）|現在抱えている課題\"）。"
        )
    return QuestionSpec(name=name.strip(), headers=headers)


def load_question_map(path: str | Path) -> list[QuestionSpec]:
    """Read a question mapping file: a CSV with columns ``question,header`` (or ``設問,見出し``).

    Raises
    ------
    InputError
        For a missing file, missing columns or an empty row, naming the file and row.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"設問の対応表 {path} が見つかりません。--questions のパスを確かめてください。")
    text, _enc = decode_bytes(read_bytes(path), path)
    rows = list(csv.reader(_stdio.StringIO(text, newline="")))
    header = [norm_header(h) for h in (rows[0] if rows else [])]
    cols = [next((i for i, h in enumerate(header) if h in names), None)
            for names in (("question", "設問", "設問名"), ("header", "見出し", "列名"))]
    if cols[0] is None or cols[1] is None:
        raise InputError(
            f"設問の対応表 {path} の 1 行目に列 question と header（または 設問 と 見出し）がありません。"
            "1 行目を question,header にし、2 行目から「設問の名前,ファイルでの見出し」を書いてください。"
        )
    variants: dict[str, list[str]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        q, h = (cells[i].strip() if i is not None and i < len(cells) else "" for i in cols)
        if not q or not h:
            raise InputError(f"設問の対応表 {path} の {number} 行目に設問の名前か見出しがありません。両方を書いてください。")
        variants.setdefault(q, []).append(h)
    if not variants:
        raise InputError(f"設問の対応表 {path} に設問がありません。2 行目から「設問の名前,見出し」を書いてください。")
    return [QuestionSpec(name=q, headers=tuple(hs)) for q, hs in variants.items()]


@dataclass
class _Question:
    name: str
    spec: QuestionSpec | None
    files: list[str] = field(default_factory=list)
    headers: set[str] = field(default_factory=set)  # normalised headers seen
    seen: list[str] = field(default_factory=list)  # headers as written, first seen first


@dataclass
class QuestionBook:
    """The run's questions, in order, and which header each file uses for each.

    Parameters
    ----------
    specs : sequence of QuestionSpec
        Named questions; empty to find every free-text column.
    """

    specs: Sequence[QuestionSpec] = ()
    questions: list[_Question] = field(default_factory=list)
    paired: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """One question per spec; specs of the same name (from --text-col and --questions) merge."""
        for spec in self.specs:
            same = next((q for q in self.questions if spec.name and q.name == spec.name), None)
            if same is None:
                self.questions.append(_Question(name=spec.name or "", spec=spec))
            else:
                assert same.spec is not None
                same.spec = QuestionSpec(spec.name, same.spec.headers + spec.headers)

    @property
    def named(self) -> bool:
        """Whether the questions were named by the user."""
        return bool(self.specs)

    def names(self) -> list[str]:
        """Question names in the run's order (questions not found in any file left out)."""
        return [q.name for q in self.questions if q.files]

    def number(self, name: str) -> int:
        """1-based position of a question in the run's order (for record ids)."""
        return next(i for i, q in enumerate(self.questions, start=1) if q.name == name)

    def match_named(self, header: Sequence[str], path: Path) -> list[tuple[str, str]]:
        """(question, header) for every named question this file has.

        Raises
        ------
        InputError
            When the file has none of the named questions.
        """
        found: list[tuple[str, str]] = []
        for q in self.questions:
            assert q.spec is not None
            column = next((c for c in (find_column(header, h) for h in q.spec.headers) if c), None)
            if column is None or column in (c for _n, c in found):
                continue
            q.name = q.name or column
            q.files.append(path.name)
            found.append((q.name, column))
        if not found:
            raise InputError(self._missing_message(header, path))
        return found

    def _missing_message(self, header: Sequence[str], path: Path) -> str:
        wanted = [h for q in self.questions if q.spec for h in q.spec.headers]
        if len(wanted) == 1:
            return (
                f"ファイル {path} に列『{wanted[0]}』がありません。使える列: {shown_columns(header)}。"
                "--text-col で列名を指定してください。"
            )
        return (
            f"ファイル {path} に自由記述の列 {''.join(f'『{w}』' for w in wanted)} のどれもありません。"
            f"使える列: {shown_columns(header)}。--text-col（見出しが違うときは "
            "\"名前=見出し1|見出し2\"）か --questions で列名を指定してください。"
        )

    def match_found(
        self, columns: Iterable[str], path: Path, others: Sequence[str] = ()
    ) -> list[tuple[str, str]]:
        """(question, header) for the free-text columns found in a file (no question named)."""
        columns = list(columns)
        result: dict[str, tuple[str, str]] = {}
        for column in columns:
            q = next((q for q in self.questions if norm_header(column) in q.headers
                      and q.name not in {r[0] for r in result.values()}), None)
            if q is not None:
                result[column] = (q.name, column)
        for column in columns:
            if column in result:
                continue
            used = {r[0] for r in result.values()}
            q = next((q for q in self.questions if q.name not in used), None)
            if q is None:
                q = _Question(name=column, spec=None)
                self.questions.append(q)
            else:
                variants = "|".join([*q.seen, column])
                self.paired.append(
                    f"{path.name} の『{column}』は見出しが違いますが、並び順から設問『{q.name}』と"
                    f"同じ設問として扱います。違う場合は --text-col \"{q.name}={variants}\" のように"
                    "設問ごとに対応を指定してください。"
                )
            result[column] = (q.name, column)
        for name, column in result.values():
            q = next(q for q in self.questions if q.name == name)
            q.headers.add(norm_header(column))
            q.seen += [] if column in q.seen else [column]
            q.files.append(path.name)
        self.candidates += [c for c in others if c not in self.candidates]
        order = {q.name: i for i, q in enumerate(self.questions)}
        return sorted(result.values(), key=lambda r: order[r[0]])

    def check_all_found(self) -> None:
        """Raise when a named question was found in no file."""
        missing = [q for q in self.questions if q.spec is not None and not q.files]
        if missing and self.names():
            heads = "、".join("|".join(q.spec.headers) for q in missing if q.spec)
            raise InputError(
                f"自由記述の列 {heads} がどのファイルにもありません。"
                "--text-col の列名（見出しが違うときは \"名前=見出し1|見出し2\"）を確かめてください。"
            )

    def notices(self) -> list[str]:
        """What was chosen, for the user (only when the questions were found, not named)."""
        if self.named or not self.questions:
            return []
        also = f"ほかの候補: {', '.join(self.candidates)}。" if self.candidates else ""
        found = [q for q in self.questions if q.files]
        if len(found) == 1:
            q = found[0]
            return [
                f"自由記述列として『{q.name}』を使います（{', '.join(q.files)}）。{also}"
                "別の列を使うには --text-col で列名を指定してください。",
                *self.paired,
            ]
        listed = "、".join(f"『{q.name}』（{', '.join(q.files)}）" for q in found)
        return [
            f"自由記述の設問を {len(found)} 問見つけました: {listed}。回答は設問ごとに分けて記録します"
            f"（records.csv の question 列）。{also}使う列を選ぶには --text-col を設問ごとに指定してください。",
            *self.paired,
        ]
