"""Rule evidence: how strongly each answer matches each codebook challenge's terms and rules.

:func:`score_records` scores every answer against every challenge (evidence = sum of the weights
of the distinct terms and rules that matched) and lists what matched, for the reasons shown per
answer. The evidence is prior knowledge, not a verdict: the partition
(:mod:`rsnet_analysis.challenges.partition`) grows each named challenge from its rule-coded
answers to every answer that reads like them, and decides new themes and the miscellany.

Every word or substring is matched once over the whole corpus (one pass per term, on a joined
text blob and a token vocabulary), so the cost grows with the number of answers, not with the
number of answers times the number of terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from scipy import sparse

from rsnet_analysis.challenges.codebook import Codebook
from rsnet_analysis.challenges.ngrams import CODE_POINT_BITS, code_points
from rsnet_analysis.challenges.rules import And, Near, Node, Not, Or, Text, Word
from rsnet_analysis.errors import InputError

__all__ = ["LONG_ANSWER_TOKENS", "MatchedTerms", "RuleScores", "score_records"]

#: Answers with more tokens than this have their evidence scaled by ``sqrt(LONG_ANSWER_TOKENS /
#: n_tokens)`` when :func:`score_records` is asked to (``long_answer_tokens``). A long text
#: touches many challenges' words in passing: policy proposals of about 1,400 characters matched
#: 3.9 of the codebook's challenges each (survey answers 1.0-1.2), and 92 % of them looked
#: strongly coded (23 % scaled); of news articles cut at 2,000 characters 37 % (3 % scaled). A
#: survey answer is a sentence or two (at most 33 tokens in the sample, 27 in the independent
#: holdouts), so its evidence counts in full.
LONG_ANSWER_TOKENS = 30

_SEP = "\x00"


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
        # the folded form of each distinct token is made once and shared by every answer
        # (a folded copy per occurrence was most of this index's memory at 100,000 answers)
        folded: dict[object, str] = {}
        self.tokens = [[folded.get(w) or folded.setdefault(w, str(w).casefold()) for w in doc] for doc in tokens]
        vocab: dict[str, int] = {}
        per_doc = [{vocab.setdefault(w, len(vocab)) for w in doc} for doc in self.tokens]
        counts = np.fromiter((len(d) for d in per_doc), dtype=np.int64, count=self.n)
        rows = np.repeat(np.arange(self.n, dtype=np.int32), counts)
        cols = np.fromiter((j for d in per_doc for j in sorted(d)), dtype=np.int32, count=int(counts.sum()))
        del per_doc
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
        self._pairs: np.ndarray | None = None

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

    def _mask(self, rows: np.ndarray) -> np.ndarray:
        """A new boolean mask of the documents ``rows`` (the caller may change it)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        return mask

    def word(self, term: str) -> np.ndarray:
        """Boolean mask of documents with a token matching ``term``.

        The documents that match are cached as row numbers, not as a mask: most terms match few
        answers, and a mask per term (hundreds of them) was most of the index's memory.
        """
        if term not in self._word_cache:
            ids = self.vocab_ids(term)
            rows = np.zeros(0, dtype=np.int32)
            if len(ids):
                rows = np.flatnonzero(np.asarray(self.incidence[:, ids].sum(axis=1)).ravel() > 0).astype(np.int32)
            self._word_cache[term] = rows
        return self._mask(self._word_cache[term])

    def _may_occur(self, substring: str) -> bool:
        """False when two neighbouring characters of ``substring`` are never neighbours in the texts.

        Most terms and rules of a codebook match nothing in a given corpus; such a substring is
        then known absent from a sorted array of the corpus's character pairs, without scanning
        the whole text (one scan of 100,000 answers takes about 3 ms, for each of hundreds of
        substrings).
        """
        if len(substring) < 2:
            return True
        if self._pairs is None:
            self._pairs = self._character_pairs()
        points = np.array([ord(c) for c in substring], dtype=np.int64)
        wanted = (points[:-1] << CODE_POINT_BITS) | points[1:]
        at = np.searchsorted(self._pairs, wanted)
        return bool(len(self._pairs)) and bool(np.all(self._pairs[np.minimum(at, len(self._pairs) - 1)] == wanted))

    def _character_pairs(self) -> np.ndarray:
        """The sorted distinct neighbouring character pairs of the texts, a slice of text at a time."""
        found = [np.zeros(0, dtype=np.int64)]
        step = 1 << 20
        for lo in range(0, len(self.text_blob), step):
            piece = self.text_blob[lo : lo + step + 1]  # one character of overlap: no pair is lost
            points = code_points(piece)
            found.append(np.unique((points[:-1] << CODE_POINT_BITS) | points[1:]))
        return np.unique(np.concatenate(found))

    def text(self, substring: str) -> np.ndarray:
        """Boolean mask of documents whose text contains ``substring`` (cached as row numbers)."""
        if substring not in self._text_cache:
            rows = np.zeros(0, dtype=np.int32)
            if self.n and substring and self._may_occur(substring):
                pos = _find_all(self.text_blob, substring)
                rows = np.unique(np.searchsorted(self.text_starts, pos, side="right") - 1).astype(np.int32)
            self._text_cache[substring] = rows
        return self._mask(self._text_cache[substring])

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
            out = self.evaluate(node.operands[0])  # a new mask: changed in place
            for o in node.operands[1:]:
                out &= self.evaluate(o)
            return out
        if isinstance(node, Or):
            out = self.evaluate(node.operands[0])
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


class MatchedTerms(Sequence[Sequence[list[str]]]):
    """What matched, per answer and challenge: ``matched[i][j]`` is a list of terms and rules.

    Only the pairs that matched are stored (as lists for every pair, 10^6 answers and 20
    challenges would be 20 million empty lists); any other pair reads as an empty list.

    Parameters
    ----------
    n, k : int
        Numbers of answers and challenges.
    pairs : dict of int to dict of int to list of str
        Answer → challenge → what matched, strongest first.
    """

    def __init__(self, n: int, k: int, pairs: dict[int, dict[int, list[str]]]) -> None:
        self._n, self._k, self._pairs = n, k, pairs

    def __len__(self) -> int:
        return self._n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MatchedTerms):
            return (self._n, self._k, self._pairs) == (other._n, other._k, other._pairs)
        if isinstance(other, Sequence):
            return len(other) == self._n and all(
                self[i] == [list(cell) for cell in other[i]] for i in range(self._n)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable contents, like a list

    def pairs(self) -> Iterator[tuple[int, int, list[str]]]:
        """Every (answer, challenge, what matched) that matched, by answer, then by challenge.

        The pairs that did not match (empty lists) are skipped: reading all of them through
        ``matched[i][j]`` costs ``n_answers * n_challenges`` list copies.

        Yields
        ------
        (int, int, list of str)
        """
        for i in sorted(self._pairs):
            row = self._pairs[i]
            for j in sorted(row):
                yield i, j, list(row[j])

    @overload
    def __getitem__(self, i: int) -> Sequence[list[str]]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Sequence[list[str]]]: ...

    def __getitem__(self, i: int | slice) -> Sequence[list[str]] | Sequence[Sequence[list[str]]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(f"answer {i} out of range ({self._n} answers)")
        row = self._pairs.get(i % self._n, {})
        return [list(row.get(j, ())) for j in range(self._k)]


@dataclass
class RuleScores:
    """Evidence per answer and challenge from terms and rules.

    Attributes
    ----------
    scores : numpy.ndarray
        ``(n_answers, n_challenges)`` evidence scores.
    matched : MatchedTerms
        For each answer and challenge, the terms and rules that matched (for reasons):
        ``matched[i][j]`` is a list of str, strongest evidence first.
    keys : list of str
        Challenge keys (columns of ``scores``).
    """

    scores: np.ndarray
    matched: MatchedTerms
    keys: list[str]


def score_records(
    texts: Sequence[str], tokens: Sequence[Sequence[str]], codebook: Codebook, *, long_answer_tokens: int | None = None
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
    long_answer_tokens : int, optional
        Scale the evidence of answers with more tokens than this by ``sqrt(long_answer_tokens /
        n_tokens)`` (see :data:`LONG_ANSWER_TOKENS`); by default every answer's evidence counts
        in full.

    Returns
    -------
    RuleScores

    Raises
    ------
    InputError
        If ``texts`` and ``tokens`` differ in length.
    ValueError
        If ``long_answer_tokens`` is below 1.
    """
    _check_inputs(texts, tokens)
    if long_answer_tokens is not None and long_answer_tokens < 1:
        raise ValueError(f"long_answer_tokens must be at least 1 (got {long_answer_tokens!r})")
    corpus = _Corpus(texts, tokens)
    n, k = corpus.n, len(codebook.challenges)
    scores = np.zeros((n, k), dtype=float)
    pairs: dict[int, dict[int, list[str]]] = {}
    for j, ch in enumerate(codebook.challenges):
        found: list[tuple[str, float, np.ndarray]] = []
        for term, weight in ch.terms:
            mask = corpus.term(term)
            scores[mask, j] += weight
            found.append((term, weight, mask))
        for rule in ch.rules:
            mask = corpus.evaluate(rule.node)
            scores[mask, j] += rule.weight
            found.append((rule.expr, rule.weight, mask))
        # strongest evidence first, then alphabetical, for stable readable reasons
        for label, _weight, mask in sorted(found, key=lambda f: (-f[1], f[0])):
            for i in np.flatnonzero(mask).tolist():
                pairs.setdefault(i, {}).setdefault(j, []).append(label)
    if long_answer_tokens is not None:
        lengths = np.fromiter((len(t) for t in tokens), dtype=np.float64, count=n)
        scores *= np.minimum(1.0, np.sqrt(long_answer_tokens / np.maximum(lengths, 1.0)))[:, None]
    return RuleScores(scores, MatchedTerms(n, k, pairs), codebook.keys)
