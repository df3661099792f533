"""The coding-rule language of the codebook (KH Coder style): syntax tree, lexer and parser.

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rsnet_analysis.errors import InputError


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
