"""The challenge codebook: a versioned YAML taxonomy, a coding-rule engine and per-answer coding.

The codebook (``resources/codebook.yaml`` by default, or a user file) lists the challenges the
network recognises. Each challenge has a Japanese ``name``, a ``short`` label, a ``description``,
weighted seed ``terms`` and coding ``rules`` in the spirit of KH Coder.

Rule language
-------------
=====================  ==========================================================================
``研修``                a *word*: some token of the answer equals it or contains it (compounds such
                       as 研修プログラム contain 研修); one-character words must equal a token
``"e-ラーニング"``       a quoted word (for words with spaces or operator characters)
``text:"ついていけない"``  a substring of the (masked, NFKC-normalised) answer text
``near(a, b, n)``      words *a* and *b* both occur, at most *n* tokens apart
``!x`` / ``not x``     negation
``x & y`` / ``x and y``  both
``x | y`` / ``x or y``  either
``( … )``              grouping
=====================  ==========================================================================

Precedence, from tightest: ``not``, ``and``, ``or``. Matching ignores ASCII case.

Seed terms are matched against both the tokens and the text (a term matches when a token
contains it or the text contains it), so they work with any tokenizer.

Coding
------
:func:`code_records` first scores every answer against every challenge with the terms and rules
(evidence score = sum of the weights of the distinct terms and rules that matched). Answers whose
best score reaches ``min_score`` are *rule-coded*. Then a corpus-adaptive step learns how *this*
corpus talks about each challenge: a logistic regression on TF-IDF features (tokens and character
n-grams) is trained on the confidently rule-coded answers and codes the remaining answers only when
its probability and the cosine similarity to the challenge's centroid pass thresholds. Everything
else stays unnamed (``""``): an answer is never forced into the nearest code.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import sparse

from rsnet_analysis.errors import InputError

__all__ = [
    "Challenge",
    "Codebook",
    "CodingSettings",
    "Rule",
    "RuleSyntaxError",
    "code_records",
    "parse_rule",
    "score_records",
]

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SEP = "\x00"


class RuleSyntaxError(InputError):
    """A coding rule cannot be parsed.

    Parameters
    ----------
    rule : str
        The rule text.
    position : int
        Character offset where the problem was found.
    reason : str
        What is wrong (Japanese and English).
    """

    def __init__(self, rule: str, position: int, reason: str) -> None:
        self.rule = rule
        self.position = position
        self.reason = reason
        pointer = f"{rule[:position]}⟨ここ⟩{rule[position:]}"
        super().__init__(
            f"コーディングルールを解釈できません: {rule!r}（{position + 1}文字目: {reason}）"
            f" 位置: {pointer} / cannot parse coding rule {rule!r} at character {position + 1}: {reason}"
        )


# --------------------------------------------------------------------------------------------
# Rule AST
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A token match: some token equals or contains ``term``."""

    term: str

    def __str__(self) -> str:
        return self.term


@dataclass(frozen=True)
class Text:
    """A substring match on the answer text."""

    substring: str

    def __str__(self) -> str:
        return f'text:"{self.substring}"'


@dataclass(frozen=True)
class Near:
    """Two words at most ``distance`` tokens apart."""

    left: str
    right: str
    distance: int

    def __str__(self) -> str:
        return f"near({self.left}, {self.right}, {self.distance})"


@dataclass(frozen=True)
class Not:
    """Negation."""

    operand: Node

    def __str__(self) -> str:
        return f"!{self.operand}"


@dataclass(frozen=True)
class And:
    """Conjunction."""

    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " & ".join(str(o) for o in self.operands) + ")"


@dataclass(frozen=True)
class Or:
    """Disjunction."""

    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " | ".join(str(o) for o in self.operands) + ")"


Node = Word | Text | Near | Not | And | Or

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<badstring>")
  | (?P<op>[&|!(),:])
  | (?P<word>[^\s&|!(),:"]+)
    """,
    re.VERBOSE,
)


def _lex(rule: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(rule):
        m = _TOKEN_RE.match(rule, pos)
        if m is None:  # pragma: no cover - the pattern matches any character
            raise RuleSyntaxError(rule, pos, "不明な文字 / unexpected character")
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "badstring":
            raise RuleSyntaxError(rule, pos, '閉じる " がありません / unterminated string')
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
            if not value:
                raise RuleSyntaxError(rule, pos, "空の文字列 / empty string")
        if kind != "ws":
            tokens.append((kind, value, pos))
        pos = m.end()
    tokens.append(("end", "", len(rule)))
    return tokens


class _Parser:
    """Recursive-descent parser for the rule language."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.tokens = _lex(rule)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, reason: str, tok: tuple[str, str, int] | None = None) -> RuleSyntaxError:
        pos = (tok or self.peek())[2]
        return RuleSyntaxError(self.rule, pos, reason)

    def expect_op(self, op: str) -> None:
        kind, value, _ = self.peek()
        if kind != "op" or value != op:
            found = "終わり / end" if kind == "end" else repr(value)
            raise self.fail(f"{op!r} が必要です（{found}） / expected {op!r}, found {found}")
        self.take()

    def parse(self) -> Node:
        if self.peek()[0] == "end":
            raise self.fail("ルールが空です / empty rule")
        node = self.parse_or()
        kind, value, _ = self.peek()
        if kind != "end":
            raise self.fail(
                f"{value!r} の前に演算子（& | など）が必要です / expected an operator before {value!r}"
            )
        return node

    def _is(self, op: str, keyword: str) -> bool:
        kind, value, _ = self.peek()
        return (kind == "op" and value == op) or (kind == "word" and value.lower() == keyword)

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self._is("|", "or"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self._is("&", "and"):
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> Node:
        if self._is("!", "not"):
            self.take()
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_word(self, what: str) -> str:
        kind, value, _ = self.peek()
        if kind not in ("word", "string"):
            found = "終わり / end" if kind == "end" else repr(value)
            raise self.fail(f"{what}が必要です（{found}） / expected a word, found {found}")
        self.take()
        return value.casefold()

    def parse_atom(self) -> Node:
        kind, value, _ = self.peek()
        if kind == "op" and value == "(":
            self.take()
            node = self.parse_or()
            self.expect_op(")")
            return node
        if kind == "word" and value.lower() == "near" and self.peek(1)[1] == "(":
            self.take()
            self.take()
            left = self.parse_word("語")
            self.expect_op(",")
            right = self.parse_word("語")
            self.expect_op(",")
            num_tok = self.peek()
            if num_tok[0] != "word" or not num_tok[1].isdigit():
                raise self.fail(
                    "near の3番目は距離（整数）です / near() needs an integer distance", num_tok
                )
            self.take()
            self.expect_op(")")
            return Near(left, right, int(num_tok[1]))
        if kind == "word" and value.lower() == "text" and self.peek(1)[1] == ":":
            self.take()
            self.take()
            return Text(self.parse_word("text: の後に文字列"))
        if kind in ("word", "string"):
            if kind == "word" and value.lower() in ("and", "or", "not"):
                raise self.fail(f"{value!r} の位置が不正です / misplaced {value!r}")
            self.take()
            return Word(value.casefold())
        if kind == "end":
            raise self.fail("式が途中で終わっています / rule ends too early")
        raise self.fail(f"{value!r} の位置が不正です / unexpected {value!r}")


def parse_rule(rule: str) -> Node:
    """Parse a coding rule into an expression tree.

    Parameters
    ----------
    rule : str
        Rule text, e.g. ``(得意 | 詳しい) & (苦手 | text:"ついていけない")``.

    Returns
    -------
    Node
        The parsed expression (``Word``, ``Text``, ``Near``, ``Not``, ``And`` or ``Or``).

    Raises
    ------
    RuleSyntaxError
        With the rule, the character position and the reason.
    """
    if not isinstance(rule, str):
        raise RuleSyntaxError(str(rule), 0, "ルールは文字列です / a rule must be a string")
    return _Parser(rule).parse()


# --------------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A coding rule with its weight.

    Attributes
    ----------
    expr : str
        The rule text as written.
    weight : float
        Evidence added to the challenge's score when the rule matches.
    node : Node
        The parsed expression.
    """

    expr: str
    weight: float
    node: Node = field(repr=False, compare=False)


@dataclass(frozen=True)
class Challenge:
    """One challenge of the codebook.

    Attributes
    ----------
    key : str
        Identifier (``polarization`` …).
    name : str
        Japanese name (``人材の二極化``).
    short : str
        Short label for charts.
    description : str
        What belongs here.
    terms : tuple of (str, float)
        Seed terms (casefolded) and their weights.
    rules : tuple of Rule
        Coding rules.
    """

    key: str
    name: str
    short: str
    description: str
    terms: tuple[tuple[str, float], ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class CodingSettings:
    """Thresholds of :func:`code_records` (``settings:`` in the YAML).

    Attributes
    ----------
    min_score : float
        Evidence score an answer needs to be rule-coded with a challenge.
    secondary_ratio : float
        A further challenge is secondary when its score reaches ``min_score`` and this share of the
        primary score.
    min_probability : float
        Classifier probability needed to code an answer the rules left open.
    min_similarity : float
        Cosine similarity to the challenge centroid needed as well.
    min_train_per_key : int
        Rule-coded answers a challenge needs before the adaptive step learns it.
    adaptive_weight : float
        Evidence the classifier adds per unit of probability lift over a uniform guess
        (``probability * n_challenges - 1``) when weighing an answer the rules left open.
    """

    min_score: float = 2.0
    secondary_ratio: float = 0.5
    min_probability: float = 0.55
    min_similarity: float = 0.12
    min_train_per_key: int = 3
    adaptive_weight: float = 1.0


@dataclass(frozen=True)
class Codebook:
    """A versioned challenge taxonomy.

    Attributes
    ----------
    version : int
        Codebook version (increase it whenever terms or rules change).
    updated : str
        Date of the last change.
    challenges : tuple of Challenge
        The challenges in file order.
    settings : CodingSettings
        Coding thresholds.
    source : str
        Where it was loaded from.
    """

    version: int
    updated: str
    challenges: tuple[Challenge, ...]
    settings: CodingSettings = field(default_factory=CodingSettings)
    source: str = "<memory>"

    @classmethod
    def load(cls, path: str | Path | None = None) -> Codebook:
        """Load and validate a codebook.

        Parameters
        ----------
        path : str or Path, optional
            A YAML codebook; the one shipped with the package when omitted.

        Returns
        -------
        Codebook

        Raises
        ------
        InputError
            When the file is missing, is not valid YAML, or a field or rule is wrong; the message
            names the file, the challenge key and the bad field or rule.
        """
        if path is None:
            ref = importlib.resources.files("rsnet_analysis") / "resources" / "codebook.yaml"
            return cls.from_yaml(ref.read_text(encoding="utf-8"), source="codebook.yaml（同梱）")
        p = Path(path)
        if not p.is_file():
            raise InputError(f"コードブックが見つかりません: {p} / codebook file not found: {p}")
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{p}: コードブックは UTF-8 で保存してください / the codebook must be UTF-8 ({exc})"
            ) from exc
        return cls.from_yaml(text, source=str(p))

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Codebook:
        """Build a codebook from YAML text.

        Parameters
        ----------
        text : str
            YAML document.
        source : str
            Name used in error messages.

        Returns
        -------
        Codebook
        """
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" {mark.line + 1}行目" if mark is not None else ""
            raise InputError(
                f"{source}{where}: YAML として読めません / not valid YAML: {exc}"
            ) from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Codebook:
        """Build and validate a codebook from parsed YAML.

        Parameters
        ----------
        data : mapping
            With ``version``, ``updated``, optional ``settings`` and ``challenges``.
        source : str
            Name used in error messages.

        Returns
        -------
        Codebook
        """
        if not isinstance(data, Mapping):
            raise InputError(
                f"{source}: コードブックの最上位はマッピング（version, challenges …）です"
                " / the codebook must be a mapping with version and challenges"
            )
        allowed = {"version", "updated", "description", "settings", "challenges"}
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise InputError(
                f"{source}: 不明な項目 {unknown}（使える項目: {sorted(allowed)}）"
                f" / unknown top-level fields {unknown}"
            )
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InputError(
                f"{source}: version は1以上の整数です（{version!r}） / version must be a positive integer"
            )
        updated = str(data.get("updated", ""))
        settings = _parse_settings(data.get("settings") or {}, source)
        raw = data.get("challenges")
        if not isinstance(raw, Mapping) or not raw:
            raise InputError(
                f"{source}: challenges に課題を1つ以上書いてください（キー: 名前・説明・語・ルール）"
                " / challenges must be a non-empty mapping of key -> definition"
            )
        challenges = tuple(_parse_challenge(str(k), v, source) for k, v in raw.items())
        return cls(version, updated, challenges, settings, source)

    @property
    def keys(self) -> list[str]:
        """Challenge keys in file order."""
        return [c.key for c in self.challenges]

    def challenge(self, key: str) -> Challenge:
        """Return the challenge with this key.

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        Challenge
        """
        for c in self.challenges:
            if c.key == key:
                return c
        raise KeyError(key)

    def name(self, key: str) -> str:
        """Japanese name of a challenge (``""`` for the empty key, the key if unknown).

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        str
        """
        if not key:
            return ""
        try:
            return self.challenge(key).name
        except KeyError:
            return key

    def short(self, key: str) -> str:
        """Short label of a challenge (the key if unknown).

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        str
        """
        try:
            return self.challenge(key).short
        except KeyError:
            return key


_CHALLENGE_FIELDS = {"name", "short", "description", "terms", "rules"}


def _parse_settings(raw: Any, source: str) -> CodingSettings:
    if not isinstance(raw, Mapping):
        raise InputError(f"{source}: settings はマッピングです / settings must be a mapping")
    defaults = CodingSettings()
    known = set(defaults.__dataclass_fields__)
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise InputError(
            f"{source}: settings の不明な項目 {unknown}（使える項目: {sorted(known)}）"
            f" / unknown settings {unknown}"
        )
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = getattr(defaults, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"{source}: settings.{name} は数値です（{value!r}） / settings.{name} must be a number"
            )
        values[name] = type(default)(value)
    return CodingSettings(**values)


def _weight(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(
            f"{source}: {where} の重みは数値です（{value!r}） / weight must be a number"
        )
    return float(value)


def _parse_terms(raw: Any, source: str, key: str) -> tuple[tuple[str, float], ...]:
    where = f"challenges.{key}.terms"
    items: list[tuple[Any, Any]] = []
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping):
                items.extend(item.items())
            else:
                items.append((item, 1.0))
    else:
        raise InputError(
            f"{source}: {where} は語のリストか「語: 重み」のマッピングです / terms must be a list or mapping"
        )
    out: dict[str, float] = {}
    for term, weight in items:
        if not isinstance(term, str | int | float) or not str(term).strip():
            raise InputError(f"{source}: {where} に空の語があります / empty term in {where}")
        out[str(term).strip().casefold()] = _weight(weight, source, f"{where}.{term}")
    return tuple(out.items())


def _parse_rules(raw: Any, source: str, key: str) -> tuple[Rule, ...]:
    where = f"challenges.{key}.rules"
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{source}: {where} はリストです / rules must be a list")
    rules = []
    for item in raw:
        weight = 2.0
        if isinstance(item, Mapping):
            extra = sorted(set(map(str, item)) - {"rule", "weight"})
            if "rule" not in item or extra:
                raise InputError(
                    f"{source}: {where} の各要素は文字列か {{rule: …, weight: …}} です（{dict(item)!r}）"
                    " / each rule is a string or a mapping with rule and weight"
                )
            expr = item["rule"]
            weight = _weight(item.get("weight", 2.0), source, f"{where} {expr!r}")
        else:
            expr = item
        if not isinstance(expr, str):
            raise InputError(
                f"{source}: {where}: ルールは文字列です（{expr!r}） / rule must be a string"
            )
        try:
            node = parse_rule(expr)
        except RuleSyntaxError as exc:
            raise InputError(f"{source}: 課題 {key} のルール {expr!r}: {exc.message}") from exc
        rules.append(Rule(expr, weight, node))
    return tuple(rules)


def _parse_challenge(key: str, raw: Any, source: str) -> Challenge:
    if not _KEY_RE.match(key):
        raise InputError(
            f"{source}: 課題キー {key!r} は半角英小文字・数字・_ で書いてください"
            " / challenge keys use lowercase ASCII letters, digits and _"
        )
    if not isinstance(raw, Mapping):
        raise InputError(
            f"{source}: 課題 {key} は name, description, terms, rules を持つマッピングです"
            f" / challenge {key} must be a mapping"
        )
    unknown = sorted(set(map(str, raw)) - _CHALLENGE_FIELDS)
    if unknown:
        raise InputError(
            f"{source}: 課題 {key} に不明な項目 {unknown}（使える項目: {sorted(_CHALLENGE_FIELDS)}）"
            f" / unknown fields {unknown} in challenge {key}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            f"{source}: 課題 {key} に name（日本語名）がありません / {key} needs a name"
        )
    terms = _parse_terms(raw.get("terms"), source, key)
    rules = _parse_rules(raw.get("rules"), source, key)
    if not terms and not rules:
        raise InputError(
            f"{source}: 課題 {key} に terms も rules もありません / {key} needs terms or rules"
        )
    return Challenge(
        key=key,
        name=name.strip(),
        short=str(raw.get("short") or name).strip(),
        description=str(raw.get("description") or "").strip(),
        terms=terms,
        rules=rules,
    )


# --------------------------------------------------------------------------------------------
# Vectorised matching over a corpus
# --------------------------------------------------------------------------------------------


def _find_all(haystack: str, needle: str) -> np.ndarray:
    """Start offsets of every (non-overlapping) occurrence of ``needle``."""
    return np.fromiter(
        (m.start() for m in re.finditer(re.escape(needle), haystack)), dtype=np.int64
    )


class _Corpus:
    """Texts and tokens indexed once so each word or substring is matched in one pass."""

    def __init__(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> None:
        self.n = len(texts)
        clean = [str(t or "").replace(_SEP, " ").casefold() for t in texts]
        lengths = np.fromiter((len(t) + 1 for t in clean), dtype=np.int64, count=self.n)
        self.text_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if self.n else lengths
        self.text_blob = _SEP.join(clean)
        self.tokens = [[str(w).casefold() for w in doc] for doc in tokens]
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, doc in enumerate(self.tokens):
            for w in set(doc):
                j = vocab.setdefault(w, len(vocab))
                rows.append(i)
                cols.append(j)
        self.vocab = vocab
        self.vocab_list = list(vocab)
        vlen = np.fromiter((len(w) + 1 for w in self.vocab_list), dtype=np.int64)
        self.vocab_starts = np.concatenate([[0], np.cumsum(vlen)[:-1]]) if len(vlen) else vlen
        self.vocab_blob = _SEP.join(self.vocab_list)
        self.incidence = sparse.csc_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(self.n, max(len(vocab), 1))
        )
        self._word_cache: dict[str, np.ndarray] = {}
        self._text_cache: dict[str, np.ndarray] = {}
        self._vocab_cache: dict[str, np.ndarray] = {}

    def vocab_ids(self, term: str) -> np.ndarray:
        """Vocabulary ids of tokens equal to ``term`` or (if longer than one character) containing it."""
        if term not in self._vocab_cache:
            if len(term) <= 1 or not self.vocab_list:
                ids = np.array([self.vocab[term]] if term in self.vocab else [], dtype=np.int64)
            else:
                pos = _find_all(self.vocab_blob, term)
                ids = np.unique(np.searchsorted(self.vocab_starts, pos, side="right") - 1)
            self._vocab_cache[term] = ids
        return self._vocab_cache[term]

    def word(self, term: str) -> np.ndarray:
        """Boolean mask of documents with a token matching ``term``."""
        if term not in self._word_cache:
            ids = self.vocab_ids(term)
            if len(ids):
                mask = np.asarray(self.incidence[:, ids].sum(axis=1)).ravel() > 0
            else:
                mask = np.zeros(self.n, dtype=bool)
            self._word_cache[term] = mask
        return self._word_cache[term]

    def text(self, substring: str) -> np.ndarray:
        """Boolean mask of documents whose text contains ``substring``."""
        if substring not in self._text_cache:
            mask = np.zeros(self.n, dtype=bool)
            if self.n and substring:
                pos = _find_all(self.text_blob, substring)
                mask[np.searchsorted(self.text_starts, pos, side="right") - 1] = True
            self._text_cache[substring] = mask
        return self._text_cache[substring]

    def near(self, left: str, right: str, distance: int) -> np.ndarray:
        """Boolean mask of documents with ``left`` and ``right`` at most ``distance`` tokens apart."""
        mask = self.word(left) & self.word(right)
        if not mask.any():
            return mask
        lset = {self.vocab_list[j] for j in self.vocab_ids(left)}
        rset = {self.vocab_list[j] for j in self.vocab_ids(right)}
        out = np.zeros(self.n, dtype=bool)
        for i in np.flatnonzero(mask):
            doc = self.tokens[i]
            lpos = [k for k, w in enumerate(doc) if w in lset]
            rpos = [k for k, w in enumerate(doc) if w in rset]
            out[i] = any(abs(a - b) <= distance and a != b for a in lpos for b in rpos)
        return out

    def evaluate(self, node: Node) -> np.ndarray:
        """Evaluate a rule over every document at once."""
        if isinstance(node, Word):
            return self.word(node.term)
        if isinstance(node, Text):
            return self.text(node.substring)
        if isinstance(node, Near):
            return self.near(node.left, node.right, node.distance)
        if isinstance(node, Not):
            return ~self.evaluate(node.operand)
        if isinstance(node, And):
            out = self.evaluate(node.operands[0]).copy()
            for o in node.operands[1:]:
                out &= self.evaluate(o)
            return out
        if isinstance(node, Or):
            out = self.evaluate(node.operands[0]).copy()
            for o in node.operands[1:]:
                out |= self.evaluate(o)
            return out
        raise TypeError(f"unknown rule node {node!r}")  # pragma: no cover

    def term(self, term: str) -> np.ndarray:
        """Seed-term match: a token or the text contains it."""
        return self.word(term) | self.text(term)


def _check_inputs(texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> None:
    if len(texts) != len(tokens):
        raise InputError(
            f"texts（{len(texts)}件）と tokens（{len(tokens)}件）の件数が違います"
            f" / texts and tokens differ in length ({len(texts)} vs {len(tokens)})"
        )


@dataclass
class RuleScores:
    """Evidence per answer and challenge from terms and rules.

    Attributes
    ----------
    scores : numpy.ndarray
        ``(n_answers, n_challenges)`` evidence scores.
    matched : list of list of list of str
        For each answer and challenge, the terms and rules that matched (for reasons).
    keys : list of str
        Challenge keys (columns of ``scores``).
    """

    scores: np.ndarray
    matched: list[list[list[str]]]
    keys: list[str]


def score_records(
    texts: Sequence[str], tokens: Sequence[Sequence[str]], codebook: Codebook
) -> RuleScores:
    """Score every answer against every challenge with the codebook's terms and rules.

    Parameters
    ----------
    texts : sequence of str
        Masked, normalised answer texts.
    tokens : sequence of sequence of str
        Tokens of each answer (from the project tokenizer; tokenize once and reuse).
    codebook : Codebook
        The codebook.

    Returns
    -------
    RuleScores
    """
    _check_inputs(texts, tokens)
    corpus = _Corpus(texts, tokens)
    n, k = corpus.n, len(codebook.challenges)
    scores = np.zeros((n, k), dtype=float)
    hits: list[tuple[int, int, str, float]] = []  # (doc, key index, label, weight)
    for j, ch in enumerate(codebook.challenges):
        for term, weight in ch.terms:
            mask = corpus.term(term)
            scores[mask, j] += weight
            hits.extend((int(i), j, term, weight) for i in np.flatnonzero(mask))
        for rule in ch.rules:
            mask = corpus.evaluate(rule.node)
            scores[mask, j] += rule.weight
            hits.extend((int(i), j, rule.expr, rule.weight) for i in np.flatnonzero(mask))
    matched: list[list[list[str]]] = [[[] for _ in range(k)] for _ in range(n)]
    # strongest evidence first, then alphabetical, for stable readable reasons
    for i, j, label, _w in sorted(hits, key=lambda h: (h[0], h[1], -h[3], h[2])):
        matched[i][j].append(label)
    return RuleScores(scores, matched, codebook.keys)


# --------------------------------------------------------------------------------------------
# Corpus-adaptive coding
# --------------------------------------------------------------------------------------------


def _identity(doc: Sequence[str]) -> Sequence[str]:
    return doc


def _features(texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> sparse.csr_matrix | None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    blocks = []
    docs = [[str(w).casefold() for w in doc] for doc in tokens]
    if any(docs):
        tok_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
        try:
            blocks.append(tok_vec.fit_transform(docs))
        except ValueError:
            pass
    if any(texts):
        chr_vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, min_df=2, lowercase=True
        )
        try:
            blocks.append(chr_vec.fit_transform([str(t or "") for t in texts]) * 0.7)
        except ValueError:
            pass
    if not blocks:
        return None
    return normalize(sparse.hstack(blocks).tocsr())


def _reason_rule(names: list[str], labels: list[str]) -> str:
    return "ルール一致: " + ", ".join(names) + (f"（{', '.join(labels[:4])}）" if labels else "")


def code_records(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    codebook: Codebook,
    *,
    adaptive: bool = True,
    random_state: int = 0,
) -> pd.DataFrame:
    """Code each answer with a primary challenge, secondary challenges and the reason.

    Parameters
    ----------
    texts : sequence of str
        Masked, NFKC-normalised answer texts (``text_masked``).
    tokens : sequence of sequence of str
        The cached tokens of each answer (``records["tokens"]``); not re-tokenized here.
    codebook : Codebook
        The codebook (``Codebook.load()`` for the shipped one).
    adaptive : bool, default True
        Run the corpus-adaptive step (a classifier learnt from the confidently rule-coded answers
        codes answers the rules left open, when it is confident enough).
    random_state : int, default 0
        Seed of the adaptive step.

    Returns
    -------
    pandas.DataFrame
        One row per answer, in input order, with columns ``challenge`` (a key, or ``""`` when no
        challenge fits), ``challenge_secondary`` (space-separated keys by decreasing score),
        ``challenge_reason`` (Japanese) and ``challenge_score`` (confidence in [0, 1]: rule-coded
        answers get ``s / (s + min_score)`` of their evidence ``s``, so at least 0.5; answers coded
        by similarity get the classifier probability; unnamed answers get their best evidence on the
        same scale, below 0.5).
    """
    _check_inputs(texts, tokens)
    texts = [str(t or "") for t in texts]
    st = codebook.settings
    rs = score_records(texts, tokens, codebook)
    keys = rs.keys
    n, k = rs.scores.shape
    scores = rs.scores
    order = np.argsort(-scores, axis=1, kind="stable") if k else np.zeros((n, 0), dtype=int)
    best = scores[np.arange(n), order[:, 0]] if n and k else np.zeros(n)

    primary = np.full(n, -1, dtype=int)
    conf = best / (best + st.min_score)
    conf[best <= 0] = 0.0
    rule_coded = best >= st.min_score
    primary[rule_coded] = order[rule_coded, 0]
    how = np.array(["rule" if r else "" for r in rule_coded], dtype=object)
    sim_value = np.zeros(n)

    if adaptive and n and k:
        _adaptive_step(texts, tokens, scores, primary, conf, how, sim_value, st, random_state)

    rows_primary, rows_secondary, rows_reason = [], [], []
    for i in range(n):
        p = primary[i]
        if p < 0:
            rows_primary.append("")
            rows_secondary.append("")
            j = order[i, 0] if k else -1
            if k and scores[i, j] > 0:
                rows_reason.append(
                    f"該当なし（最も近い: {codebook.challenges[j].short} 根拠 {scores[i, j]:.1f}"
                    f" < {st.min_score:g}）"
                )
            else:
                rows_reason.append("該当なし")
            continue
        pscore = max(scores[i, p], st.min_score)
        sec = [
            int(j)
            for j in order[i]
            if j != p
            and scores[i, j] >= st.min_score
            and scores[i, j] >= st.secondary_ratio * pscore
        ]
        rows_primary.append(keys[p])
        rows_secondary.append(" ".join(keys[j] for j in sec))
        if how[i] == "rule":
            rows_reason.append(
                _reason_rule(
                    [codebook.challenges[p].short] + [codebook.challenges[j].short for j in sec],
                    rs.matched[i][p],
                )
            )
        else:
            rows_reason.append(
                f"類似度 {sim_value[i]:.2f}（{codebook.challenges[p].short}の回答群に近い）"
            )
    return pd.DataFrame(
        {
            "challenge": rows_primary,
            "challenge_secondary": rows_secondary,
            "challenge_reason": rows_reason,
            "challenge_score": np.round(conf, 4),
        }
    )


def _adaptive_step(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    scores: np.ndarray,
    primary: np.ndarray,
    conf: np.ndarray,
    how: np.ndarray,
    sim_value: np.ndarray,
    st: CodingSettings,
    random_state: int,
) -> None:
    """Code the answers the rules left open with a classifier learnt on this corpus (in place)."""
    from sklearn.linear_model import LogisticRegression

    train = np.flatnonzero(primary >= 0)
    open_ = np.flatnonzero(primary < 0)
    if len(open_) == 0 or len(train) == 0:
        return
    labels, counts = np.unique(primary[train], return_counts=True)
    learnable = labels[counts >= st.min_train_per_key]
    if len(learnable) < 2:
        return
    train = train[np.isin(primary[train], learnable)]
    X = _features(texts, tokens)
    if X is None:
        return
    clf = LogisticRegression(
        C=4.0, max_iter=2000, class_weight="balanced", random_state=random_state
    )
    clf.fit(X[train], primary[train])
    proba = clf.predict_proba(X[open_])
    cls = clf.classes_
    rows = np.arange(len(open_))
    # centroid similarity of each open answer to each learnt challenge
    centroids = np.vstack(
        [np.asarray(X[train[primary[train] == c]].mean(axis=0)).ravel() for c in cls]
    )
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = centroids / np.where(norms > 0, norms, 1.0)
    sims = np.asarray(X[open_] @ centroids.T)
    # weak rule evidence plus the classifier's lift over a uniform guess
    evidence = scores[np.ix_(open_, cls)]
    lift = np.maximum(proba * len(cls) - 1.0, 0.0)
    combined = evidence + st.adaptive_weight * lift
    top = np.argmax(combined, axis=1)
    p_top = proba[rows, top]
    s_top = sims[rows, top]
    by_evidence = (combined[rows, top] >= st.min_score) & (evidence[rows, top] > 0)
    by_model = (p_top >= st.min_probability) & (np.argmax(proba, axis=1) == top)
    accept = (by_evidence | by_model) & (s_top >= st.min_similarity)
    idx = open_[accept]
    primary[idx] = cls[top[accept]]
    conf[idx] = p_top[accept]
    how[idx] = "similar"
    sim_value[idx] = s_top[accept]
