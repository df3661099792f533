"""Challenge discovery: every answer counted under the challenge it belongs to, named or new.

:func:`discover_challenges` runs, once per run:

1. **Vectors** (:mod:`.features`): BM25 lemmas, character n-grams and word vectors, reduced by
   LSA to unit vectors. One matrix serves the codebook coding, the clustering and the naming.
2. **Codebook evidence** (:mod:`.coding`): rule evidence of every answer for every challenge.
   The codebook is prior knowledge, not a gate, and it is used only where it fits: when fewer than
   :data:`DOMAIN_SHARE` of the answers carry strong evidence (1.5 times ``min_score``), the text
   is from another domain (news, defect reports, policy proposals) and the codebook is left out
   (a notice says so). The evidence of long answers is scaled down
   (:data:`~.coding.LONG_ANSWER_TOKENS`): a long text touches many challenges' words in passing.
3. **Partition** (:mod:`.partition`): named challenges grown from their rule-coded answers, new
   themes recognised by words of their own (:mod:`.themes`), a miscellany only for answers that
   fit nothing. With ``k`` fixed the partition has ``k`` clusters (named ones first).
4. **Description** (:mod:`.naming`): labels (codebook names, phrases from the answers for new
   themes), top terms, representatives; stability over resamples (:mod:`.stability`).
5. **Per answer**: the primary challenge, secondary challenges (other challenges whose evidence
   reaches ``min_score``), a confidence and a reason in Japanese.

Clusters are numbered 1, 2, … by size; the miscellany is a cluster of its own (kind ``misc``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from rsnet_analysis.challenges.assign import confidence
from rsnet_analysis.challenges.autok import VALLEY_MIN_N, choose_k
from rsnet_analysis.challenges.codebook import Codebook
from rsnet_analysis.challenges.coding import LONG_ANSWER_TOKENS, score_records
from rsnet_analysis.challenges.describe import describe_clusters, record_columns
from rsnet_analysis.challenges.features import AnswerVectorizer, LsaEmbedder, feature_frame
from rsnet_analysis.challenges.naming import label_stop_words, renumber
from rsnet_analysis.challenges.partition import MISC, Partition, fit_partition, free_cluster_count
from rsnet_analysis.challenges.stability import resample_fits, stability
from rsnet_analysis.challenges.themes import TermIndex
from rsnet_analysis.contract import CLUSTER_COLUMNS
from rsnet_analysis.progress import progress_bar, stage, stage_label, track

#: ``feature_rows(rows)``: the row-normalised feature vectors of some answers.
FeatureRows = Callable[[np.ndarray], sp.csr_matrix]

__all__ = ["DOMAIN_SHARE", "ChallengeResult", "discover_challenges"]

#: Share of answers with strong codebook evidence below which the codebook does not apply.
DOMAIN_SHARE = 0.25
#: Rows the vectorizer and the SVD are fitted on (the rest are transformed): bounded cost.
FIT_SAMPLE = 20000
#: Answers vectorised at a time (bounded memory).
EMBED_CHUNK = 4096


@dataclass(frozen=True)
class ChallengeResult:
    """What :func:`discover_challenges` found.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per answer, in input order: ``record_id``, ``cluster``, ``cluster_label``,
        ``challenge`` (codebook key, ``""`` for new themes and the miscellany),
        ``challenge_secondary``, ``challenge_reason``, ``challenge_score`` (confidence).
    clusters : pandas.DataFrame
        One row per cluster with :data:`~rsnet_analysis.contract.CLUSTER_COLUMNS`.
    k : int
        Number of clusters (the miscellany included).
    k_selection : pandas.DataFrame
        How the partition was chosen (one row).
    seed : int
    notices : list of str
        Japanese messages for the user (e.g. that the codebook does not apply).
    codebook_used : bool
        Whether the codebook's challenges named clusters.
    """

    records: pd.DataFrame
    clusters: pd.DataFrame
    k: int
    k_selection: pd.DataFrame
    seed: int
    notices: list[str] = field(default_factory=list)
    codebook_used: bool = False


def _embed(
    texts: Sequence[str], lemmas: Sequence[Sequence[str]], seed: int, progress: bool
) -> tuple[np.ndarray, FeatureRows, Embedder]:
    """Unit answer vectors, row-normalised features and the embedding (fitted on ≤ FIT_SAMPLE).

    Answers are vectorised :data:`EMBED_CHUNK` at a time, so the sparse features (a few KB per
    answer) never exist for all answers at once; ``feature_rows(rows)`` builds them again for the
    few answers that need them (near-duplicate checks of representatives).
    """
    frame = feature_frame(list(texts), list(lemmas))
    n = len(frame)
    fit_rows = np.arange(n)
    if n > FIT_SAMPLE:
        fit_rows = np.sort(np.random.default_rng([seed, 31]).choice(n, FIT_SAMPLE, replace=False))
    vectorizer = AnswerVectorizer().fit(frame.iloc[fit_rows])
    X_fit = vectorizer.transform(frame.iloc[fit_rows])
    lsa = LsaEmbedder(random_state=seed).fit(X_fit)
    E_fit = lsa.transform(X_fit)  # rows are projected one by one: the same as in any chunk
    del X_fit

    def embed(other: pd.DataFrame, bar: bool = False) -> np.ndarray:
        E = np.empty((len(other), lsa.n_components_), dtype=np.float32)
        chunks = range(0, len(other), EMBED_CHUNK)
        for start in track(chunks, total=len(chunks), desc=stage_label("vectorise"), enabled=bar):
            E[start : start + EMBED_CHUNK] = lsa.transform(vectorizer.transform(other.iloc[start : start + EMBED_CHUNK]))
        return E

    def feature_rows(rows: np.ndarray, of: pd.DataFrame = frame) -> sp.csr_matrix:
        return normalize(vectorizer.transform(of.iloc[rows]))

    # the fitted rows are not vectorised a second time (at most FIT_SAMPLE of them, all of a small input)
    E = np.empty((n, lsa.n_components_), dtype=np.float32)
    E[fit_rows] = E_fit
    rest = np.setdiff1d(np.arange(n), fit_rows, assume_unique=True)
    if len(rest):
        E[rest] = embed(frame.iloc[rest], progress)
    return E, feature_rows, Embedder(embed, feature_rows)


@dataclass(frozen=True)
class Embedder:
    """The fitted embedding: ``vectors(frame)`` (unit vectors), ``features(rows, frame)``."""

    vectors: Callable[..., np.ndarray]
    features: Callable[..., sp.csr_matrix]


def _codebook_evidence(
    texts: Sequence[str], tokens: Sequence[Sequence[str]], codebook: Codebook | None
) -> tuple[np.ndarray | None, list[str], Sequence[Sequence[list[str]]], list[str]]:
    """Rule evidence when the codebook fits the text; the reasons per answer; notices."""
    if codebook is None or not codebook.challenges:
        return None, [], [], []
    rs = score_records(list(texts), list(tokens), codebook, long_answer_tokens=LONG_ANSWER_TOKENS)
    strong = rs.scores.max(axis=1) >= 1.5 * codebook.settings.min_score if len(texts) else np.zeros(0)
    share = float(np.mean(strong)) if len(texts) else 0.0
    if share < DOMAIN_SHARE:
        notice = (
            f"コードブックの課題にはっきり当てはまる回答が {share:.0%} しかないため（目安 {DOMAIN_SHARE:.0%} 以上）、"
            "コードブックを使わずに回答を分類しました。別の分野の文章と考えられます。"
        )
        return None, list(rs.keys), rs.matched, [notice]
    return rs.scores, list(rs.keys), rs.matched, []


def _known_terms(codebook: Codebook | None) -> frozenset[str]:
    if codebook is None:
        return frozenset()
    return frozenset(t for ch in codebook.challenges for t, _w in ch.terms)


def discover_challenges(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    lemmas: Sequence[Sequence[str]],
    record_ids: Sequence[str],
    *,
    k: int | str = "auto",
    seed: int = 0,
    codebook: Codebook | None = None,
    progress: bool = False,
    n_resamples: int = 10,
) -> ChallengeResult:
    """Find, name and size the challenges of a set of answers (see the module docstring).

    Parameters
    ----------
    texts : sequence of str
        Masked, normalised answer texts (kept rows only).
    tokens : sequence of list of str
        Readable terms of each answer (cached; never recomputed here).
    lemmas : sequence of list of str
        Content lemmas of each answer (cached).
    record_ids : sequence of str
        Unique record ids, aligned with ``texts``.
    k : int or "auto", default "auto"
        Number of clusters (at least 2), or ``"auto"``.
    seed : int, default 0
        Seed of every random step.
    codebook : Codebook, optional
        The challenges the network recognises.
    progress : bool, default False
        Show progress bars.
    n_resamples : int, default 10
        Resamples for the stability score (0 skips it).

    Returns
    -------
    ChallengeResult

    Raises
    ------
    ValueError
        If the inputs differ in length, record ids repeat, or ``k`` is invalid.

    Notes
    -----
    The linear algebra runs on one thread (BLAS and OpenMP): with several, the last digits of
    similarities depended on the number of threads, and on a shared two-core machine the threads
    slowed each other down (about four times the CPU time for the same result).
    """
    with threadpool_limits(limits=1):
        return _discover(texts, tokens, lemmas, record_ids, k, seed, codebook, progress, n_resamples)


def _discover(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    lemmas: Sequence[Sequence[str]],
    record_ids: Sequence[str],
    k: int | str,
    seed: int,
    codebook: Codebook | None,
    progress: bool,
    n_resamples: int,
) -> ChallengeResult:
    n = len(texts)
    if not (len(tokens) == n == len(record_ids) == len(lemmas)):
        raise ValueError("texts, tokens, lemmas, record_ids の件数が違います / inputs differ in length")
    rids = np.asarray([str(r) for r in record_ids], dtype=object)
    if len(set(rids)) != n:
        raise ValueError("record_id が重複しています / record_ids must be unique")
    if not (k == "auto" or (isinstance(k, int | np.integer) and not isinstance(k, bool) and k >= 1)):
        raise ValueError(f"k は 'auto' か 1 以上の整数にしてください (k={k!r}) / k must be 'auto' or an int")
    if n == 0:
        return ChallengeResult(
            pd.DataFrame(columns=record_columns()), pd.DataFrame(columns=CLUSTER_COLUMNS), 0,
            pd.DataFrame(), seed,
        )
    fitted = _fit(texts, tokens, lemmas, rids, k, seed, codebook, progress)
    part = fitted.part
    with stage("cluster"):
        labels = renumber(part.labels, rids)
    misc_id = int(labels[part.labels == MISC][0]) if (part.labels == MISC).any() else None
    with stage("stability"):
        fits = _resample(fitted, seed, n_resamples, progress)
        stab = stability(labels, fits)
    with stage("describe"):
        clusters = describe_clusters(
            texts, tokens, fitted.E, fitted.feature_rows, rids, part, labels, misc_id, stab, codebook,
            fitted.stop,
        )
        records = _records(
            rids, labels, part, clusters, fitted.evidence, fitted.keys, fitted.matched, fitted.min_score,
            codebook, fitted.E, fitted.index,
        )
    selection = _selection(clusters, part, part.labels == MISC, stab, fits)
    return ChallengeResult(
        records, clusters, int(clusters.shape[0]), selection, seed, fitted.notices, fitted.evidence is not None
    )


@dataclass
class _Fitted:
    """Everything a discovery fitted: vectors, evidence, words, the partition and how to refit."""

    E: np.ndarray
    feature_rows: FeatureRows
    embedder: Embedder
    evidence: np.ndarray | None
    keys: list[str]
    matched: Sequence[Sequence[list[str]]]
    notices: list[str]
    min_score: float
    stop: frozenset[str]
    index: TermIndex
    refit: _Refit
    part: Partition


def _fit(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    lemmas: Sequence[Sequence[str]],
    rids: np.ndarray,
    k: int | str,
    seed: int,
    codebook: Codebook | None,
    progress: bool,
) -> _Fitted:
    """Vectors, codebook evidence, term index and the partition of some answers."""
    with stage("vectorise"):
        E, feature_rows, embedder = _embed(texts, lemmas, seed, progress)
    with stage("code"):
        evidence, keys, matched, notices = _codebook_evidence(texts, tokens, codebook)
    min_score = codebook.settings.min_score if codebook is not None else 2.0
    stop = label_stop_words()
    with stage("cluster"):
        # without a codebook the number of clusters is chosen once, on every answer (resamples reuse it)
        auto_k = choose_k(E, seed=seed) if k == "auto" and evidence is None and len(rids) >= 3 else 0
        if auto_k and len(rids) < VALLEY_MIN_N:
            notices = [
                *notices,
                f"回答が {VALLEY_MIN_N:,} 件未満で、コードブックも当てはまらないため、まとまりの数（{auto_k}）は目安です。"
                "数がわかっているときは --k で指定してください。",
            ]
        index = TermIndex(tokens, lemmas)
        refit = _Refit(E, evidence, keys, index, k, min_score, stop, _known_terms(codebook), auto_k)
        with progress_bar(1, desc=stage_label("cluster"), enabled=progress) as update:
            part = refit(None, seed) if len(rids) >= 3 else _trivial(len(rids))
            update(1)
    return _Fitted(E, feature_rows, embedder, evidence, keys, matched, notices, min_score, stop, index, refit, part)


def _resample(fitted: _Fitted, seed: int, n_resamples: int, progress: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    n = len(fitted.E)
    return resample_fits(
        n, lambda rows, s: fitted.refit(rows, s).labels, seed=seed,
        n_resamples=n_resamples if n >= 10 else 0, progress=progress,
    )


def _selection(
    clusters: pd.DataFrame, part: Partition, misc: np.ndarray, stab: dict[int, float], fits: Sequence[object]
) -> pd.DataFrame:
    """How the partition was chosen (``k_selection``, one row)."""
    return pd.DataFrame(
        [
            {
                "k": int(clusters.shape[0]),
                "named": len(part.keys),
                "new_themes": len(part.themes),
                "dropped_free_clusters": part.dropped,
                "misc_share": round(float(np.mean(misc)), 4),
                "stability_min": round(float(np.nanmin(list(stab.values()))), 4) if fits else math.nan,
            }
        ]
    )


class _Refit:
    """Fit the partition on some of the answers (all of them with ``rows=None``), as configured."""

    def __init__(
        self,
        E: np.ndarray,
        evidence: np.ndarray | None,
        keys: list[str],
        index: TermIndex,
        k: int | str,
        min_score: float,
        stop: frozenset[str],
        known: frozenset[str],
        auto_k: int = 0,
    ) -> None:
        self.E, self.evidence, self.keys, self.index, self.k = E, evidence, keys, index, k
        self.min_score, self.stop, self.known, self.auto_k = min_score, stop, known, auto_k

    def __call__(self, rows: np.ndarray | None, seed: int) -> Partition:
        # all answers: the arrays themselves, not copies (E alone is 400 MB for 10^6 answers)
        E = self.E if rows is None else self.E[rows]
        index = self.index if rows is None else self.index.subset(rows)
        ev = self.evidence if rows is None or self.evidence is None else self.evidence[rows]
        named_possible = 0 if ev is None else len(self.keys)
        if self.k == "auto" and named_possible:
            return fit_partition(
                E, ev, self.keys, index, min_score=self.min_score, n_free=free_cluster_count(len(E)),
                seed=seed, stop=self.stop, known=self.known,
            )
        if self.k == "auto":
            # no codebook to tell themes from noise: the chosen number of clusters is the partition
            n_free = self.auto_k or choose_k(E, seed=seed)
            return fit_partition(
                E, None, [], index, min_score=self.min_score, n_free=n_free, seed=seed,
                stop=self.stop, known=self.known, keep_free=True,
            )
        k_fixed = min(int(self.k), len(E))
        named = min(named_possible, k_fixed)
        return fit_partition(
            E, ev, self.keys, index, min_score=self.min_score, n_free=max(0, k_fixed - named),
            seed=seed, stop=self.stop, known=self.known, keep_free=True, max_named=k_fixed,
        )


def _trivial(n: int) -> Partition:
    """Fewer than three answers: one cluster."""
    return Partition(np.full(n, 0), [], {0: {}}, {}, np.ones((n, 1)), [0])


def _records(
    rids: np.ndarray,
    labels: np.ndarray,
    part: Partition,
    clusters: pd.DataFrame,
    evidence: np.ndarray | None,
    keys: list[str],
    matched: Sequence[Sequence[list[str]]],
    min_score: float,
    codebook: Codebook | None,
    E: np.ndarray,
    index: TermIndex,
    centroids: dict[int, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The per-answer columns: primary, secondary, confidence, reason."""
    from rsnet_analysis.challenges.describe import answer_rows

    col_of = {cid: i for i, cid in enumerate(part.columns)}
    cols = np.array([col_of.get(c, 0) for c in part.labels.tolist()], dtype=np.int64)
    conf = confidence(part.score_matrix, cols)
    conf[part.labels == MISC] = 0.0
    return answer_rows(
        rids, labels, part, clusters, evidence, keys, matched, min_score, codebook, conf, E, index,
        centroids=centroids,
    )
