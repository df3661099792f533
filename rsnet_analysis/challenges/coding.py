"""Per-answer coding with the codebook: rule evidence, then a corpus-adaptive classifier.

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

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from rsnet_analysis.challenges.codebook import Codebook, CodingSettings
from rsnet_analysis.challenges.rules import And, Near, Node, Not, Or, Text, Word
from rsnet_analysis.errors import InputError

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
