"""Describing challenges: labels, characteristic terms and representative answers.

- A **named** challenge is labelled with the codebook's short name.
- A **new theme** is labelled with a phrase its own answers use (:func:`theme_phrase`): the most
  characteristic noun phrase 「XのY」 or compound that contains one of its core terms
  (:mod:`rsnet_analysis.challenges.themes`), such as 「生成AIの利用ルール」 or 「システム標準化」;
  only when no answer phrase fits are its two strongest core terms joined by 「・」.
- **Top terms** (:func:`top_terms`) are the ten terms with the highest c-TF-IDF that occur in at
  least two answers of the cluster, excluding stop words, generic place words, verbs and contact
  words left around masked details (:data:`LABEL_STOP`), placeholders, single kana, numbers and
  fragments (:func:`is_label_term`).
- **Representatives** (:func:`representatives`): up to three answers closest to the centroid,
  skipping near-duplicates (cosine similarity of their feature vectors ≥ ``NEAR_DUPLICATE``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from rsnet_analysis.challenges.features import class_tfidf_weights, identity_analyzer
from rsnet_analysis.text import load_stopwords

__all__ = [
    "LABEL_STOP",
    "MISC_LABEL",
    "is_label_term",
    "label_stop_words",
    "phrase_counts",
    "representatives",
    "TermCounts",
    "theme_phrase",
    "top_terms",
    "unique_labels",
]

N_TOP_TERMS = 10
N_REPRESENTATIVES = 3
NEAR_DUPLICATE = 0.9
#: Candidates whose features are built at a time when looking for representatives.
_CANDIDATE_BLOCK = 32
MISC_LABEL = "その他（まとまりのない回答）"
#: A phrase must be used by at least this share of a theme's answers.
MIN_PHRASE_SHARE = 0.1

_PLACEHOLDER = re.compile(r"〔[^〕]*〕|[〔〕]")
_KANA_ONLY = re.compile(r"^[\u3040-\u30ffー]$")
_NO_WORD = re.compile(r"^[\W\d_ー・]+$")
_MARKUP = re.compile(r"[<>=\"'`{}\[\]]|^(?:img|script|src|href|onerror|onload|javascript|http|https)$", re.I)
_FRAGMENTS = frozenset({"栗鼠", "リス", "キリング", "キリング-killing"})
_VERB_LIKE = re.compile(r"[\u3040-\u309f]$")
_BUILTIN_STOP = frozenset(
    """
    する ある いる なる できる れる られる せる 思う 考える 言う いう 行う 感じる 見る 出来る
    こと もの ため よう とき 時 ところ 方 ほう 事 物 等 など 的 化 様 さん 人 中 上 下 前 後 他
    それ これ あれ どれ その この あの 特に なし 無し 特になし 特にない ない 無い 多い 少ない
    よい 良い いい 欲しい ほしい 必要 思い 課題 感じ 状況 部分 点 面 形 自分 私 我々 当市 当町
    当村 本市 本町 本県 当県 弊社 今 今後 現在 まだ また さらに ただ 非常 とても かなり 少し
    """.split()
)
#: Words that never describe a challenge, kept out of labels and top terms (not out of the
#: tokenizer, which other analyses share): generic place words, very generic verbs, and contact
#: words left around masked details.
LABEL_STOP = frozenset(
    """
    町 市 村 県 府 区 都 道 国 庁 課 当課 本課 各課 町内 市内 村内 県内 府内 区内 庁内外
    使う 使える 見える 増える 減る 分かる わかる 出る 作る 入れる 持つ 受ける 始める 続ける
    引き続く 聞く 話す 決める 決まる 来る 行く 入る 取る 変わる 変える やる 置く 与える
    TEL Tel tel FAX Fax 電話 電話番号 携帯 内線 代表 メール メールアドレス アドレス 連絡先 連絡
    問い合わせ 問合せ 担当者 記入者 氏名 ID URL 住所 生年月日
    """.split()
)


def label_stop_words() -> frozenset[str]:
    """Stop words of labels and top terms: the tokenizer's list, :data:`LABEL_STOP` and more."""
    return frozenset(set(_BUILTIN_STOP) | LABEL_STOP | load_stopwords())


def is_label_term(term: str, stop_words: frozenset[str] | None = None) -> bool:
    """Whether a term may appear in a cluster label or in top terms.

    Parameters
    ----------
    term : str
        A token (lemma or compound).
    stop_words : frozenset of str, optional
        Default :func:`label_stop_words`.

    Returns
    -------
    bool
        False for stop words, generic words (:data:`LABEL_STOP`), placeholders, single kana,
        numbers, punctuation, markup words (img, script, onerror …) and dictionary fragments.
    """
    if stop_words is None:
        stop_words = label_stop_words()
    t = (term or "").strip()
    if not t or len(t) > 30 or any(ch.isspace() for ch in t):
        return False
    if _PLACEHOLDER.search(t) or _KANA_ONLY.match(t) or _NO_WORD.match(t) or _MARKUP.search(t):
        return False
    return not (t in _FRAGMENTS or "栗鼠" in t or t in stop_words or t.lower() in stop_words)


def top_terms(
    tokens: Sequence[Sequence[str]], labels: np.ndarray, stop_words: frozenset[str]
) -> dict[int, list[str]]:
    """The characteristic terms of every cluster (c-TF-IDF), best first.

    Parameters
    ----------
    tokens : sequence of sequence of str
        Readable terms of each answer.
    labels : numpy.ndarray of int
        Cluster of each answer.
    stop_words : frozenset of str

    Returns
    -------
    dict of int to list of str
    """
    cv = CountVectorizer(analyzer=identity_analyzer, lowercase=False)
    try:
        counts = cv.fit_transform([list(t) for t in tokens])
    except ValueError:
        return {int(c): [] for c in np.unique(labels)}
    classes, inverse = np.unique(np.asarray(labels), return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(labels)), (inverse, np.arange(len(labels)))), shape=(len(classes), len(labels))
    )
    tf = np.asarray((member @ sp.csr_matrix(counts)).todense(), dtype=float)
    docfreq = np.asarray((member @ (counts > 0).astype(np.int32)).todense())
    sizes = np.bincount(inverse, minlength=len(classes))
    return _top_of_counts([str(t) for t in cv.get_feature_names_out()], classes, tf, docfreq, sizes, stop_words)


def _top_of_counts(
    vocab: Sequence[str],
    classes: np.ndarray,
    tf: np.ndarray,
    docfreq: np.ndarray,
    sizes: np.ndarray,
    stop_words: frozenset[str],
) -> dict[int, list[str]]:
    """Top terms from per-class term counts ``tf``, answer counts ``docfreq`` and class sizes."""
    keep = np.array([is_label_term(t, stop_words) for t in vocab], dtype=bool)
    weights = class_tfidf_weights(tf)
    out: dict[int, list[str]] = {}
    for i, c in enumerate(classes):
        row_df = docfreq[i]
        min_docs = 2 if sizes[i] >= 4 else 1
        cand = np.flatnonzero(keep & (row_df >= min_docs) & (weights[i] > 0))
        order = sorted(cand.tolist(), key=lambda j: (-weights[i, j], -row_df[j], vocab[j]))
        out[int(c)] = [str(vocab[j]) for j in order[:N_TOP_TERMS]]
    return out


class TermCounts:
    """Term counts per cluster added chunk by chunk, for :meth:`top_terms` over many answers."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.sizes: Counter[int] = Counter()

    def add(self, tokens: Sequence[Sequence[str]], labels: np.ndarray) -> None:
        """Count the terms of some answers under their clusters."""
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        vocab = self.vocab
        for doc, label in zip(tokens, labels.tolist(), strict=True):
            self.sizes[label] += 1
            for term, count in Counter(t for t in doc if t).items():
                rows.append(label)
                cols.append(vocab.setdefault(term, len(vocab)))
                counts.append(count)
        self._parts.append((np.asarray(rows, np.int64), np.asarray(cols, np.int64), np.asarray(counts, np.int64)))

    def top_terms(self, stop_words: frozenset[str]) -> dict[int, list[str]]:
        """The same result as :func:`top_terms` on all the answers added."""
        classes = np.array(sorted(self.sizes), dtype=int)
        if not self.vocab:
            return {int(c): [] for c in classes}
        position = {int(c): i for i, c in enumerate(classes)}
        rows = np.concatenate([np.vectorize(position.__getitem__, otypes=[np.int64])(r) if len(r) else r for r, _c, _n in self._parts])
        cols = np.concatenate([c for _r, c, _n in self._parts])
        counts = np.concatenate([n for _r, _c, n in self._parts])
        shape = (len(classes), len(self.vocab))
        tf = sp.csr_matrix((counts.astype(float), (rows, cols)), shape=shape).toarray()
        docfreq = sp.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=shape).toarray()
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        sizes = np.array([self.sizes[int(c)] for c in classes])
        return _top_of_counts(vocab, classes, tf, docfreq, sizes, stop_words)


#: A katakana word's final long-vowel mark, which the dictionary form adds (セキュリティー for the
#: セキュリティ most answers write).
_LONG_END = re.compile(r"(?<=[ァ-ヴ])ー(?![ァ-ヴー])")


def as_written(term: str, text: str) -> str:
    """``term`` as ``text`` writes it: without a katakana word's final ー when only that form occurs.

    Examples
    --------
    >>> as_written("情報セキュリティー人材", "情報セキュリティ人材が足りない")
    '情報セキュリティ人材'
    >>> as_written("サーバー", "サーバーの更新")
    'サーバー'
    """
    if term in text:
        return term
    short = _LONG_END.sub("", term)
    return short if short != term and short in text else term


def _phrases(text: str, tokens: Sequence[str]) -> set[str]:
    """Noun phrases 「XのY」 of consecutive terms that the answer writes, and its compounds.

    The terms are taken as the answer writes them (:func:`as_written`), so that a name reads as
    the members wrote it.
    """
    tokens = [as_written(t, text) for t in tokens]
    found = {t for t in tokens if len(t) >= 2 and not _VERB_LIKE.search(t)}
    for x, y in zip(tokens, tokens[1:], strict=False):
        phrase = f"{x}の{y}"
        if phrase in text and not _VERB_LIKE.search(y):
            found.add(phrase)
    return found


def phrase_counts(texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> Counter[str]:
    """In how many answers each phrase of :func:`theme_phrase` occurs."""
    overall: Counter[str] = Counter()
    for text, toks in zip(texts, tokens, strict=True):
        overall.update(_phrases(str(text), list(toks)))
    return overall


def theme_phrase(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    members: np.ndarray,
    core: dict[str, float],
    stop_words: frozenset[str],
    overall: Counter[str] | None = None,
) -> str:
    """A short readable name for a new theme, taken from its answers (see the module docstring).

    Parameters
    ----------
    texts, tokens : sequence
        Masked texts and readable terms of every answer.
    members : numpy.ndarray of bool
        The theme's answers.
    core : dict of str to float
        Its core terms, strongest first.
    stop_words : frozenset of str
    overall : collections.Counter, optional
        :func:`phrase_counts` of all answers, when the caller names several themes of the
        same answers (counted here otherwise).

    Returns
    -------
    str
    """
    if overall is None:
        overall = phrase_counts(texts, tokens)
    inside: Counter[str] = Counter()
    for i in np.flatnonzero(members).tolist():
        inside.update(_phrases(str(texts[i]), list(tokens[i])))
    size, n = int(members.sum()), len(texts)
    core_words = [t for t in core if is_label_term(t, stop_words)]

    def ok(p: str) -> bool:
        parts = p.split("の")
        return all(is_label_term(x, stop_words) for x in parts) and any(c in p or _LONG_END.sub("", c) in p for c in core_words)

    def score(p: str) -> tuple[float, int, str]:
        share = inside[p] / max(size, 1)
        lift = (inside[p] / max(overall[p], 1)) / (size / max(n, 1))
        return (share * min(lift, 10.0) * (1.2 if "の" in p else 1.0), -len(p), p)

    candidates = [p for p, c in inside.items() if c >= 2 and c / max(size, 1) >= MIN_PHRASE_SHARE and ok(p)]
    if candidates:
        return max(candidates, key=score)
    return "・".join(core_words[:2]) if core_words else "・".join(list(core)[:2])


def representatives(
    members: np.ndarray,
    E: np.ndarray,
    centroid: np.ndarray,
    feature_rows: Callable[[np.ndarray], sp.csr_matrix],
    record_ids: np.ndarray,
) -> list[str]:
    """Up to three answers closest to the centroid, without near-duplicates.

    Parameters
    ----------
    members : numpy.ndarray of int
        Row indices of the cluster's answers.
    E : numpy.ndarray
        Unit answer vectors.
    centroid : numpy.ndarray
        The cluster's centroid.
    feature_rows : callable
        ``feature_rows(rows)``: the row-normalised feature vectors of some answers, as a sparse
        matrix (for near-duplicate detection; asked for a few candidates at a time).
    record_ids : numpy.ndarray of str

    Returns
    -------
    list of str
        Record ids.
    """
    sims = E[members] @ centroid
    order = sorted(range(len(members)), key=lambda i: (-round(float(sims[i]), 6), record_ids[members[i]]))
    chosen: list[int] = []
    vectors: list[sp.csr_matrix] = []
    for start in range(0, len(order), _CANDIDATE_BLOCK):
        block = np.asarray([members[i] for i in order[start : start + _CANDIDATE_BLOCK]])
        block_vectors = feature_rows(block)
        for k, row in enumerate(block):
            vector = block_vectors[k]
            if chosen:
                overlap = (sp.vstack(vectors, format="csr") @ vector.T).toarray().ravel()
                if np.any(overlap >= NEAR_DUPLICATE):
                    continue
            chosen.append(int(row))
            vectors.append(vector)
            if len(chosen) == N_REPRESENTATIVES:
                return [str(record_ids[r]) for r in chosen]
    return [str(record_ids[r]) for r in chosen]


def unique_labels(labels: dict[int, str], terms: dict[int, list[str]]) -> dict[int, str]:
    """Make labels unique by adding a distinctive term (or the cluster id) in brackets."""
    seen: set[str] = set()
    out: dict[int, str] = {}
    for c in sorted(labels):
        label = labels[c]
        if label in seen:
            extra = next((t for t in terms.get(c, []) if t not in label), None)
            label = f"{label}（{extra}）" if extra else f"{label}（{c}）"
            if label in seen:
                label = f"{labels[c]}（{c}）"
        seen.add(label)
        out[c] = label
    return out


def renumber(labels: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """Renumber clusters 1, 2, … by size (largest first), ties by smallest record id."""
    frame = pd.DataFrame({"label": labels, "rid": record_ids})
    summary = frame.groupby("label").agg(size=("rid", "size"), first=("rid", "min")).reset_index()
    summary = summary.sort_values(["size", "first"], ascending=[False, True], kind="mergesort")
    mapping = {old: new for new, old in enumerate(summary["label"].tolist(), start=1)}
    return np.array([mapping[v] for v in np.asarray(labels).tolist()], dtype=int)
