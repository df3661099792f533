"""Challenge discovery: cluster answers, describe clusters and tie them to the codebook.

The method, in the order :func:`discover_challenges` runs it:

1. **Embedding.** Token TF-IDF (+) character n-gram TF-IDF, reduced by LSA and L2-normalised
   (:func:`rsnet_analysis.features.make_lsa_pipeline`).
2. **Guidance by the codebook** (when a codebook or its coding is given, ``k="auto"``): seed
   clusters, free themes and a miscellany cluster (:func:`_fit_themes`). Every codebook key that
   at least ``min_cluster_size`` answers (0.5 %, at least 2) were coded with gets a *seed*
   centroid: the mean of those answers. The answers the codebook left uncoded are grouped by
   HDBSCAN (``sklearn.cluster.HDBSCAN``, deterministic) on their unit LSA vectors, with
   ``min_cluster_size`` = ``THEME_MIN_SHARE`` (1 %) of all answers, at least 3, and
   ``min_samples`` = ``THEME_MIN_SAMPLES`` (3); above ``THEME_SAMPLE`` (3000) uncoded answers it
   runs on a fixed-seed sample and the others take the label of their nearest sampled answer,
   and ``min_cluster_size`` is scaled by the sampled fraction of the uncoded answers, so a theme
   must still stand for about 1 % of all answers. There is no fixed cap: the former cap of 50
   (in a sample of 3000) let themes of a fraction of a percent through at 100,000 answers,
   while the refits that measure stability (step 8, at most 5000 answers) applied 1 %; with the
   same share in both, the main fit looks for themes the refits can find again. Its
   clusters become *free themes* (a challenge nobody has a name for yet, say generative AI); the
   number of free clusters is therefore chosen by density, not by a k search. Lloyd iterations
   then run on all answers except HDBSCAN's noise, from the seed and theme means; a coded answer
   pays ``CODE_PENALTY`` (1.0, half the squared distance between two unrelated unit vectors) for
   leaving its key's cluster (soft must-link, Basu et al. 2004), while an uncoded answer goes
   where its text is closest. An answer whose code rests on weak evidence (coded by the
   codebook's similarity step, or ``challenge_score`` below ``WEAK_SCORE`` 0.6, i.e. rule
   evidence under 1.5 times the threshold) pays only ``WEAK_PENALTY`` (0.1) to join a free theme
   it is clearly closer to (never another seed). Each noise answer then joins its nearest cluster
   if it lies within that cluster's reach (the ``REACH_QUANTILE`` (90 %) quantile of its members'
   squared distances to the centroid); the rest form one explicit **miscellany cluster**
   labelled ``MISC_LABEL`` 「その他（まとまりのない回答）」, never mapped to a code, so that
   leftovers sharing no theme (thanks, "going fine") do not contaminate a theme.
3. **Reporting k** (``k="auto"`` with seeds). ``k_selection`` has one row: ``k`` (all clusters,
   miscellany included), ``free_clusters`` (themes), the silhouette of the uncoded answers outside
   the miscellany (information only) and the minimum (``stability``) and mean
   (``stability_mean``) clusterwise stability of the free themes (step 8) that survive step 9. Without a codebook,
   ``k`` runs from 2 to ``min(30, floor(sqrt(n)))`` and the winner has the highest mean
   silhouette of all answers (euclidean on the unit LSA vectors; ties go to the smaller k), on at
   most ``SELECTION_SAMPLE`` answers, with plain k-means (no miscellany). ``k=N`` fixes the number
   of clusters: seeded k-means with ``N - seeds`` free clusters initialised by k-means on the
   uncoded answers (no miscellany).
4. **Ids.** Clusters are numbered 1, 2, … by size (largest first), ties by smallest record id.
5. **Codebook mapping.** A cluster takes the codebook key most of its answers were coded with,
   if that key covers at least ``PURITY_THRESHOLD`` (half) of the cluster; otherwise it stays
   unnamed (``""``). Nothing is forced into the nearest code.
6. **Description.** ``top_terms`` are the ten terms with the highest c-TF-IDF that occur in at least
   two answers of the cluster (one for clusters under four answers), excluding stop words, generic
   place words, verbs and contact words left around masked details (``LABEL_STOP``: 町, 市, 県,
   課, 使う, 増える, TEL, 連絡先 …),
   placeholders such as 〔氏名〕, single kana, numbers and known fragments (栗鼠). The label is
   the codebook's short name for mapped clusters and, for unnamed ones, the top three noun-like
   terms (verb and adjective lemmas, which end in hiragana, only as a fallback) joined by 「・」;
   labels are made unique by adding a distinctive term.
7. **Representatives.** Up to three answers closest to the centroid, skipping any whose TF-IDF
   cosine similarity with one already chosen is ``NEAR_DUPLICATE`` (0.9) or more.
8. **Stability.** For ``n_resamples`` (10) resamples, a random ``SUBSAMPLE_FRACTION`` (80 %) of the
   answers (at most ``STABILITY_SAMPLE``) is clustered again by the same method (themes, or the
   same k), the same seeds rule and another random seed. A cluster's stability is the mean, over resamples, of the best Jaccard
   similarity between its members in the resample and any new cluster (Hennig 2007, clusterwise
   stability). 1 means it always reappears intact; below about 0.5 it is not a reliable cluster.
9. **Folding unreliable themes** (themes method only). A free theme whose stability is below
   ``FOLD_STABILITY`` (0.5, Hennig's bound for a cluster that is not reliable) is not shown as a
   challenge: its answers join the miscellany cluster (created when there was none), clusters
   are renumbered by the rule of step 4, and every column of the table (size, share, top terms,
   representatives, stability of the miscellany, scored on the same refits) is recomputed for the
   new partition. Named clusters (seeds, and themes the mapping of step 5 ties to a codebook
   key) and the miscellany are never folded, nor is a theme without a stability score
   (``n_resamples=0``). The miscellany keeps its label and an empty challenge; it may then hold
   a few weakly coded answers (step 2) that had joined a folded theme, and their records keep
   their code. ``k_selection`` then describes the themes that survived.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_samples
from sklearn.neighbors import NearestNeighbors

from rsnet_analysis.challenges.features import (
    AnswerVectorizer,
    LsaEmbedder,
    class_tfidf,
    feature_frame,
    identity_analyzer,
)
from rsnet_analysis.progress import track
from rsnet_analysis.text import load_stopwords

__all__ = [
    "CLUSTER_COLUMNS",
    "ChallengeResult",
    "discover_challenges",
    "is_label_term",
]

CLUSTER_COLUMNS = [
    "cluster",
    "size",
    "share",
    "label",
    "top_terms",
    "challenge",
    "representative_record_ids",
    "stability",
]
CODE_PENALTY = 1.0
PURITY_THRESHOLD = 0.5
NEAR_DUPLICATE = 0.9
SELECTION_SAMPLE = 3000
STABILITY_SAMPLE = 5000
SUBSAMPLE_FRACTION = 0.8
MIN_FREE_SIZE = 3
SELECTION_COLUMNS = ["k", "free_clusters", "silhouette", "stability", "stability_mean"]
N_TOP_TERMS = 10
N_REPRESENTATIVES = 3
UNNAMED_FALLBACK = "その他"
MISC_LABEL = "その他（まとまりのない回答）"
THEME_SAMPLE = 3000
THEME_MIN_SHARE = 0.01
FOLD_STABILITY = 0.5
THEME_MIN_SAMPLES = 3
REACH_QUANTILE = 0.9
WEAK_SCORE = 0.6
WEAK_PENALTY = 0.1

_PLACEHOLDER = re.compile(r"〔[^〕]*〕|[〔〕]")
_KANA_ONLY = re.compile(r"^[\u3040-\u30ffー]$")
_NO_WORD = re.compile(r"^[\W\d_ー・]+$")
_FRAGMENTS = frozenset({"栗鼠", "リス", "キリング", "キリング-killing"})
_BUILTIN_STOP = frozenset(
    """
    する ある いる なる できる れる られる せる 思う 考える 言う いう 行う 感じる 見る 出来る
    こと もの ため よう とき 時 ところ 方 ほう 事 物 等 など 的 化 様 さん 人 中 上 下 前 後 他
    それ これ あれ どれ その この あの 特に なし 無し 特になし 特にない ない 無い 多い 少ない
    よい 良い いい 欲しい ほしい 必要 思い 課題 感じ 状況 部分 点 面 形 自分 私 我々 当市 当町
    当村 本市 本町 本県 当県 弊社 今 今後 現在 まだ また さらに ただ 非常 とても かなり 少し
    """.split()
)
# Words that never describe a challenge, kept out of labels and ``top_terms`` (not out of the
# tokenizer, which other analyses share): generic place words (an answer says 町 or 県 because
# of who writes it, not what the challenge is; 自治体 and 市町村 stay, they carry meaning in
# 「他の自治体の事例」 and the like) and very generic verbs.
LABEL_STOP = frozenset(
    """
    町 市 村 県 府 区 都 道 国 庁 課 当課 本課 各課 町内 市内 村内 県内 府内 区内 庁内外
    使う 使える 見える 増える 減る 分かる わかる 出る 作る 入れる 持つ 受ける 始める 続ける
    引き続く 聞く 話す 決める 決まる 来る 行く 入る 取る 変わる 変える やる 置く 与える
    TEL Tel tel FAX Fax 電話 電話番号 携帯 内線 代表 メール メールアドレス アドレス 連絡先 連絡
    問い合わせ 問合せ 担当者 記入者
    """.split()
)


def _stop_words() -> frozenset[str]:
    """Stop words of labels and top terms: the tokenizer's list plus :data:`LABEL_STOP` and more."""
    return frozenset(set(_BUILTIN_STOP) | LABEL_STOP | load_stopwords())


def is_label_term(term: str, stop_words: frozenset[str] | None = None) -> bool:
    """Whether a token may appear in a cluster label or in ``top_terms``.

    Parameters
    ----------
    term : str
        A token (lemma).
    stop_words : frozenset of str, optional
        Stop words; defaults to the tokenizer's list plus a built-in one.

    Returns
    -------
    bool
        ``False`` for stop words, generic place words and verbs (:data:`LABEL_STOP`),
        〔…〕 placeholders, single kana, numbers and punctuation, and dictionary fragments such
        as 栗鼠; ``True`` otherwise.
    """
    if stop_words is None:
        stop_words = _stop_words()
    t = (term or "").strip()
    if not t or len(t) > 30 or any(ch.isspace() for ch in t):
        return False
    if _PLACEHOLDER.search(t) or _KANA_ONLY.match(t) or _NO_WORD.match(t):
        return False
    if t in _FRAGMENTS or "栗鼠" in t or t in stop_words or t.lower() in stop_words:
        return False
    return True


@dataclass(frozen=True)
class ChallengeResult:
    """What :func:`discover_challenges` found.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per input answer, in input order: ``record_id``, ``cluster`` (int, 1 = largest),
        ``cluster_label``.
    clusters : pandas.DataFrame
        One row per cluster, sorted by ``cluster``, with exactly the columns of
        :data:`CLUSTER_COLUMNS`.
    k : int
        Number of clusters found.
    k_selection : pandas.DataFrame
        The candidates tried by ``k="auto"``: ``k``, ``free_clusters``, ``silhouette``,
        ``stability``, ``stability_mean`` (empty when k was fixed; stability NaN without seeds).
    seed : int
        The seed used.
    """

    records: pd.DataFrame
    clusters: pd.DataFrame
    k: int
    k_selection: pd.DataFrame
    seed: int


@dataclass(frozen=True)
class _Space:
    """The clustering space (unit LSA vectors) with the codebook coding that guides it."""

    X: np.ndarray
    codes: np.ndarray  # primary code per answer, "" when uncoded
    seed_keys: tuple[str, ...]  # keys with enough support, in codebook order
    weak: np.ndarray | None = None  # coded from weak evidence only (may join a free theme)


def _min_cluster_size(n: int) -> int:
    """Smallest cluster worth reporting: 0.5 % of answers, at least 2."""
    return max(2, math.ceil(0.005 * n))


def _build_space(
    emb: np.ndarray, codes: np.ndarray, keys: Sequence[str], weak: np.ndarray | None = None
) -> _Space:
    support = _min_cluster_size(len(emb))
    seeds = tuple(k for k in keys if k and int(np.sum(codes == k)) >= support)
    return _Space(emb, codes, seeds, weak)


def _weak_codes(coded: pd.DataFrame | None, codes: np.ndarray) -> np.ndarray:
    """Coded answers whose code rests on weak evidence only.

    Weak: coded by the codebook's similarity step (``challenge_reason`` starting with 類似度),
    or with a ``challenge_score`` below ``WEAK_SCORE`` (0.5, the confidence of an answer whose
    rule evidence just reaches the threshold). Columns that are missing count as strong.
    """
    weak = np.zeros(len(codes), dtype=bool)
    if coded is None:
        return weak
    if "challenge_reason" in coded:
        reason = coded["challenge_reason"].fillna("").astype(str)
        weak |= reason.str.startswith("類似度").to_numpy()
    if "challenge_score" in coded:
        score = pd.to_numeric(coded["challenge_score"], errors="coerce").to_numpy(dtype=float)
        weak |= np.nan_to_num(score, nan=1.0) < WEAK_SCORE
    return weak & (codes != "")


def _seeded_kmeans(
    X: np.ndarray,
    codes: np.ndarray,
    seed_keys: Sequence[str],
    init: np.ndarray,
    max_iter: int = 100,
    weak: np.ndarray | None = None,
) -> np.ndarray:
    """Lloyd iterations where a coded answer pays ``CODE_PENALTY`` outside its key's cluster.

    The cost of putting answer *i* in cluster *c* is ``||x_i - mu_c||^2``, plus ``CODE_PENALTY``
    when *i* is coded with key *a* and *c* is not the seed cluster of *a*. Uncoded answers are
    placed by their text alone. This is k-means with soft must-link constraints (Basu, Banerjee
    and Mooney 2004). Answers flagged ``weak`` pay only ``WEAK_PENALTY`` (0.25) to move to a
    free cluster (the clusters after the seeds), the full penalty to move to another seed.
    Pure numpy, so results do not depend on threads.
    """
    centroids = init.copy()
    n, k = len(X), len(init)
    penalty = np.zeros((n, k))
    for j, key in enumerate(seed_keys):
        coded = codes == key
        if coded.any():
            penalty[coded] += CODE_PENALTY
            penalty[coded, j] -= CODE_PENALTY
    if weak is not None and weak.any() and k > len(seed_keys):
        rows = np.flatnonzero(weak & np.isin(codes, list(seed_keys)))
        penalty[np.ix_(rows, np.arange(len(seed_keys), k))] = WEAK_PENALTY
    sq = np.einsum("ij,ij->i", X, X)[:, None]
    labels = np.full(n, -1)
    for _ in range(max_iter):
        cost = sq - 2.0 * X @ centroids.T + np.einsum("ij,ij->i", centroids, centroids)[None, :]
        new = np.argmin(cost + penalty, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = labels == j
            if members.any():
                centroids[j] = X[members].mean(axis=0)
    return labels


def _fit_partition(
    X: np.ndarray,
    codes: np.ndarray,
    seed_keys: Sequence[str],
    n_free: int,
    seed: int,
) -> np.ndarray:
    """Seeded k-means: one centroid per seed key plus ``n_free`` free ones; returns labels."""
    return _fit_partition_seeded(X, codes, seed_keys, n_free, seed)[0]


def _fit_partition_seeded(
    X: np.ndarray,
    codes: np.ndarray,
    seed_keys: Sequence[str],
    n_free: int,
    seed: int,
) -> tuple[np.ndarray, int]:
    """Like :func:`_fit_partition`; also returns the number of seed clusters.

    Labels ``0 .. n_seeded - 1`` are the seed clusters, higher labels the free ones.
    """
    if not seed_keys:
        return _fit_unseeded(X, n_free, seed), 0
    centroids = []
    present_keys = []
    for key in seed_keys:
        mask = codes == key
        if mask.any():
            centroids.append(X[mask].mean(axis=0))
            present_keys.append(key)
        else:  # key absent from this (sub)sample: the slot becomes a free cluster
            n_free += 1
    uncoded = X[codes == ""]
    if n_free > 0:
        pool = uncoded if len(uncoded) >= n_free else X
        n_free = min(n_free, len(np.unique(pool, axis=0)))
        if n_free > 0:
            km = KMeans(n_clusters=n_free, n_init=4, random_state=seed).fit(pool)
            centroids.extend(km.cluster_centers_)
    if len(centroids) < 2:
        return np.zeros(len(X), dtype=int), len(present_keys)
    return _seeded_kmeans(X, codes, present_keys, np.vstack(centroids)), len(present_keys)


def _fit_unseeded(X: np.ndarray, n_clusters: int, seed: int) -> np.ndarray:
    """Plain k-means (no codebook seeds)."""
    n_clusters = min(n_clusters, len(np.unique(X, axis=0)))
    if n_clusters < 2:
        return np.zeros(len(X), dtype=int)
    return KMeans(n_clusters=n_clusters, n_init=4, random_state=seed).fit_predict(X)


def _theme_min_size(n_total: int, n_input: int | None = None, n_pool: int | None = None) -> int:
    """HDBSCAN's ``min_cluster_size``: ``THEME_MIN_SHARE`` (1 %) of all answers, at least 3.

    When HDBSCAN runs on a sample of ``n_input`` out of ``n_pool`` uncoded answers, the size is
    scaled by ``n_input / n_pool``, so that a theme must stand for 1 % of all answers in
    expectation whatever the sample, and the main fit and its resampled refits (step 8) apply
    the same threshold. No upper cap: a fixed cap (formerly 50) let themes of a fraction of a
    percent through at 100,000 answers, and those did not reappear on resamples.
    """
    share = THEME_MIN_SHARE * n_total
    if n_input is not None and n_pool:
        share *= n_input / n_pool
    return int(max(MIN_FREE_SIZE, round(share)))


def _free_themes(Xu: np.ndarray, n_total: int, seed: int) -> np.ndarray:
    """Density-based themes among the uncoded answers (HDBSCAN); ``-1`` marks noise.

    HDBSCAN (Campello, Moulavi and Sander 2013; ``sklearn.cluster.HDBSCAN``, deterministic) runs
    on the unit LSA vectors with ``min_cluster_size`` from :func:`_theme_min_size` (1 % of the
    whole corpus, scaled to the sample) and ``min_samples`` ``THEME_MIN_SAMPLES`` (3: short answers are sparse, a larger value
    would call nearly everything noise). Above ``THEME_SAMPLE`` (3000) uncoded answers it runs on
    a fixed-seed sample and every other answer takes the label (theme or noise) of its nearest
    sampled answer. HDBSCAN never reports a single cluster by default; when it finds none, it is
    run again with ``allow_single_cluster=True``, so one theme among the uncoded answers is found.
    """
    m = len(Xu)
    if m > THEME_SAMPLE:
        rng = np.random.default_rng([seed, 104729])
        sample = np.sort(rng.choice(m, THEME_SAMPLE, replace=False))
    else:
        sample = np.arange(m)
    min_size = _theme_min_size(n_total, len(sample), m)
    if len(sample) < max(min_size, 2) or len(np.unique(Xu, axis=0)) < 2:
        return np.full(m, -1, dtype=int)
    def run(single: bool) -> np.ndarray:
        model = HDBSCAN(
            min_cluster_size=min_size,
            min_samples=min(THEME_MIN_SAMPLES, len(sample) - 1),
            allow_single_cluster=single,
            copy=True,
        )
        return model.fit_predict(Xu[sample]).astype(int)

    fitted = run(False)
    if fitted.max() < 0:  # no split into themes: allow the one theme HDBSCAN otherwise cannot report
        fitted = run(True)
    if len(sample) == m:
        return fitted
    labels = np.empty(m, dtype=int)
    labels[sample] = fitted
    rest = np.setdiff1d(np.arange(m), sample)
    nn = NearestNeighbors(n_neighbors=1).fit(Xu[sample])
    for start in range(0, len(rest), 20000):
        chunk = rest[start : start + 20000]
        nearest = nn.kneighbors(Xu[chunk], return_distance=False)[:, 0]
        labels[chunk] = fitted[nearest]
    return labels


def _fit_themes(
    X: np.ndarray,
    codes: np.ndarray,
    seed_keys: Sequence[str],
    seed: int,
    weak: np.ndarray | None = None,
) -> tuple[np.ndarray, int, int, bool]:
    """Seed clusters, HDBSCAN free themes and a miscellany cluster (the ``k="auto"`` method).

    Returns ``(labels, n_seeded, n_themes, has_misc)``: labels ``0 .. n_seeded - 1`` are seed
    clusters, the next ``n_themes`` free themes, and ``n_seeded + n_themes`` (when ``has_misc``)
    the miscellany cluster. Steps: (1) HDBSCAN on the uncoded answers gives themes and noise;
    (2) seeded k-means (:func:`_seeded_kmeans`) on every answer except the noise, initialised
    with the seed means and the theme means; (3) a noise answer joins its nearest cluster when its
    squared distance to the centroid is within that cluster's reach (the ``REACH_QUANTILE``
    (90 %) quantile of its members' squared distances), otherwise the miscellany cluster.
    """
    n = len(X)
    uncoded = codes == ""
    themes = np.full(n, -1, dtype=int)
    themes[uncoded] = _free_themes(X[uncoded], n, seed)
    n_themes_found = int(themes.max()) + 1 if n else 0
    present = [key for key in seed_keys if np.any(codes == key)]
    centroids = [X[codes == key].mean(axis=0) for key in present]
    centroids += [X[themes == t].mean(axis=0) for t in range(n_themes_found)]
    noise = uncoded & (themes < 0)
    active = ~noise
    labels = np.full(n, -1, dtype=int)
    if len(centroids) >= 2 and active.sum() >= 2:
        labels[active] = _seeded_kmeans(
            X[active], codes[active], present, np.vstack(centroids),
            weak=None if weak is None else weak[active],
        )
    elif centroids:
        labels[active] = 0
    # drop clusters left empty, keeping seeds first
    used = sorted(set(labels[active].tolist()))
    n_seeded = sum(1 for c in used if c < len(present))
    remap = {old: new for new, old in enumerate(used)}
    labels[active] = [remap[v] for v in labels[active]]
    k = len(used)
    if noise.any() and k:
        cents = np.vstack([X[labels == c].mean(axis=0) for c in range(k)])
        sq = (
            np.einsum("ij,ij->i", X, X)[:, None]
            - 2.0 * X @ cents.T
            + np.einsum("ij,ij->i", cents, cents)[None, :]
        )
        reach = np.array(
            [float(np.quantile(sq[labels == c, c], REACH_QUANTILE)) for c in range(k)]
        )
        rows = np.flatnonzero(noise)
        nearest = np.argmin(sq[rows], axis=1)
        inside = sq[rows, nearest] <= reach[nearest] + 1e-12
        labels[rows[inside]] = nearest[inside]
        noise = np.zeros(n, dtype=bool)
        noise[rows[~inside]] = True
    has_misc = bool(noise.any())
    if has_misc:
        labels[noise] = k
    return labels, n_seeded, k - n_seeded, has_misc


def _free_range(n: int) -> range:
    """Candidate numbers of clusters without codebook seeds: 2 .. min(30, sqrt(n), n - 1)."""
    hi = min(30, int(math.isqrt(n)), n - 1)
    return range(2, max(2, hi) + 1)


def _best_jaccard(old: np.ndarray, new: np.ndarray, clusters: Sequence[int]) -> dict[int, float]:
    """For each reference cluster, the best Jaccard similarity with any cluster of ``new``.

    ``old`` and ``new`` label the same answers; clusters absent from ``old`` are skipped.
    """
    out: dict[int, float] = {}
    for c in clusters:
        a = old == c
        if not a.any():
            continue
        best = 0.0
        for b_label in np.unique(new[a]):
            b = new == b_label
            best = max(best, int(np.sum(a & b)) / int(np.sum(a | b)))
        out[int(c)] = best
    return out


def _selection_sample(n: int, seed: int) -> np.ndarray:
    """Fixed-seed sample of at most ``SELECTION_SAMPLE`` answer indices (sorted) for choosing k."""
    if n <= SELECTION_SAMPLE:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, SELECTION_SAMPLE, replace=False))


def _select_free(space: _Space, seed: int, progress: bool) -> tuple[int, pd.DataFrame]:
    """Choose k without codebook seeds: the highest silhouette; returns (k, table).

    With codebook seeds, unnamed themes come from :func:`_fit_themes` instead (step 2). The
    table keeps the stability columns of :data:`SELECTION_COLUMNS` (empty here) so that
    ``k_selection`` has one shape.
    """
    n = len(space.X)
    idx = _selection_sample(n, seed)
    Xs, cs = space.X[idx], space.codes[idx]
    rows = []
    for e in track(_free_range(n), desc="k の選択", enabled=progress):
        labels = _fit_partition(Xs, cs, space.seed_keys, e, seed)
        score = float("nan")
        if 2 <= len(np.unique(labels)) < len(Xs):
            score = float(silhouette_samples(Xs, labels, metric="euclidean").mean())
        rows.append(
            {
                "k": e,
                "free_clusters": e,
                "silhouette": score,
                "stability": float("nan"),
                "stability_mean": float("nan"),
            }
        )
    table = pd.DataFrame(rows, columns=SELECTION_COLUMNS)
    valid = table.dropna(subset=["silhouette"])
    if valid.empty:
        return 1, table
    best = valid.sort_values(["silhouette", "k"], ascending=[False, True], kind="mergesort")
    return int(best.iloc[0]["free_clusters"]), table


def _renumber(labels: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """Renumber clusters 1.. by size (desc), then by smallest record id."""
    frame = pd.DataFrame({"label": labels, "rid": record_ids})
    summary = frame.groupby("label").agg(size=("rid", "size"), first=("rid", "min")).reset_index()
    summary = summary.sort_values(["size", "first"], ascending=[False, True], kind="mergesort")
    mapping = {old: new for new, old in enumerate(summary["label"], start=1)}
    return np.array([mapping[v] for v in labels], dtype=int)


def _short_name(codebook: Any, key: str) -> str:
    if codebook is not None:
        for attr in ("short", "short_name", "name"):
            fn = getattr(codebook, attr, None)
            if callable(fn):
                try:
                    value = fn(key)
                except (KeyError, TypeError, ValueError):
                    continue
                if value:
                    return str(value)
    return key


def _codebook_keys(codebook: Any, codes: np.ndarray) -> list[str]:
    keys = list(getattr(codebook, "keys", []) or []) if codebook is not None else []
    if callable(keys):  # pragma: no cover - defensive: keys() as a method
        keys = list(keys())
    extra = sorted({c for c in codes if c and c not in keys})
    return [str(k) for k in keys] + extra


def _top_terms(
    tokens: Sequence[Sequence[str]], labels: np.ndarray, stop_words: frozenset[str]
) -> dict[int, list[str]]:
    cv = CountVectorizer(analyzer=identity_analyzer, lowercase=False)
    try:
        counts = cv.fit_transform([list(t) for t in tokens])
    except ValueError:
        return {int(c): [] for c in np.unique(labels)}
    vocab = cv.get_feature_names_out()
    keep = np.array([is_label_term(t, stop_words) for t in vocab], dtype=bool)
    classes, weights = class_tfidf(counts, labels)
    binary = (counts > 0).astype(np.int32)
    out: dict[int, list[str]] = {}
    for i, c in enumerate(classes):
        members = labels == c
        docfreq = np.asarray(binary[members].sum(axis=0)).ravel()
        min_docs = 2 if members.sum() >= 4 else 1
        ok = keep & (docfreq >= min_docs) & (weights[i] > 0)
        cand = np.flatnonzero(ok)
        # stable ranking: weight desc, then document frequency desc, then term
        order = sorted(cand, key=lambda j: (-weights[i, j], -docfreq[j], vocab[j]))
        out[int(c)] = [str(vocab[j]) for j in order[:N_TOP_TERMS]]
    return out


def _representatives(
    members: np.ndarray,
    X: np.ndarray,
    centroid: np.ndarray,
    sparse_unit: sp.csr_matrix,
    record_ids: np.ndarray,
) -> list[str]:
    dist = np.linalg.norm(X[members] - centroid, axis=1)
    order = sorted(range(len(members)), key=lambda i: (round(float(dist[i]), 10), record_ids[members[i]]))
    chosen: list[int] = []
    for i in order:
        row = members[i]
        if chosen:
            sims = (sparse_unit[chosen] @ sparse_unit[row].T).toarray().ravel()
            if np.any(sims >= NEAR_DUPLICATE):
                continue
        chosen.append(row)
        if len(chosen) == N_REPRESENTATIVES:
            break
    return [str(record_ids[r]) for r in chosen]


def _refit(space: _Space, idx: np.ndarray, n_free: int | None, seed: int) -> np.ndarray:
    """Refit the chosen method on the answers ``idx``: themes (``n_free`` None) or k-means."""
    if n_free is None:
        weak = None if space.weak is None else space.weak[idx]
        return _fit_themes(space.X[idx], space.codes[idx], space.seed_keys, seed, weak)[0]
    return _fit_partition(space.X[idx], space.codes[idx], space.seed_keys, n_free, seed)


def _resample_fits(
    space: _Space, n_free: int | None, seed: int, n_resamples: int, progress: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Refit the method on ``n_resamples`` random subsamples; returns ``(indices, labels)`` pairs.

    Each subsample holds ``SUBSAMPLE_FRACTION`` (80 %) of the answers, at most
    ``STABILITY_SAMPLE``. The refits do not depend on the partition being scored, so the same
    fits score the clusters before and after unstable themes are folded (:func:`_fold_unstable`).
    """
    n = len(space.X)
    m = min(max(2, int(round(SUBSAMPLE_FRACTION * n))), STABILITY_SAMPLE)
    fits = []
    for r in track(range(n_resamples), desc="安定性", enabled=progress):
        rng = np.random.default_rng([seed, r + 1])
        idx = np.sort(rng.choice(n, m, replace=False))
        fits.append((idx, _refit(space, idx, n_free, seed + r + 1)))
    return fits


def _stability(labels: np.ndarray, fits: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    """Clusterwise stability (Hennig 2007): mean best Jaccard match of each cluster over ``fits``.

    NaN for every cluster without fits (``n_resamples=0``); 1 when there is a single cluster.
    """
    clusters = [int(c) for c in np.unique(labels)]
    if not fits:
        return {c: float("nan") for c in clusters}
    if len(clusters) < 2:
        return {c: 1.0 for c in clusters}
    scores: dict[int, list[float]] = {c: [] for c in clusters}
    for idx, new in fits:
        for c, v in _best_jaccard(labels[idx], new, clusters).items():
            scores[c].append(v)
    return {c: float(np.mean(v)) if v else float("nan") for c, v in scores.items()}


def _cluster_challenge(member_codes: np.ndarray) -> str:
    """The codebook key most members were coded with, if it covers ``PURITY_THRESHOLD`` of them."""
    counts = pd.Series(member_codes)
    counts = counts[counts != ""].value_counts()
    if not len(counts):
        return ""
    key, count = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return str(key) if count / len(member_codes) >= PURITY_THRESHOLD else ""


def _fold_unstable(
    labels: np.ndarray,
    free_ids: set[int],
    misc_id: int | None,
    stability: dict[int, float],
) -> tuple[np.ndarray, set[int], int | None]:
    """Fold free themes with stability below ``FOLD_STABILITY`` into the miscellany cluster.

    Returns new (not yet renumbered) labels, the surviving free theme ids and the miscellany's
    id (a new id, one above the largest, when it did not exist and something was folded).
    Seed (codebook) clusters and themes without a stability score (NaN) are never folded.
    """
    unstable = sorted(
        c for c in free_ids
        if not math.isnan(stability.get(c, float("nan"))) and stability[c] < FOLD_STABILITY
    )
    if not unstable:
        return labels, set(free_ids), misc_id
    if misc_id is None:
        misc_id = int(labels.max()) + 1
    out = labels.copy()
    out[np.isin(labels, unstable)] = misc_id
    return out, set(free_ids) - set(unstable), misc_id


def _label_terms(terms: Sequence[str], n: int = 3) -> list[str]:
    """Pick label words, preferring noun-like terms.

    Verb and adjective lemmas (増える, 難しい) end in hiragana; they are used only when fewer than
    two other terms exist. The c-TF-IDF order is kept.
    """
    nouns = [t for t in terms if not re.search(r"[\u3040-\u309f]$", t)]
    picked = nouns[:n]
    if len(picked) < 2:
        picked += [t for t in terms if t not in picked][: max(0, 2 - len(picked))]
    return picked


def _unique_labels(labels: dict[int, str], terms: dict[int, list[str]]) -> dict[int, str]:
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for c in sorted(labels):
        label = labels[c]
        if label in seen:
            extra = next((t for t in terms.get(c, []) if t not in label), None)
            label = f"{label}（{extra}）" if extra else f"{label}（{c}）"
            if label in seen:
                label = f"{labels[c]}（{c}）"
        seen[label] = c
        out[c] = label
    return out


def _theme_selection(
    space: _Space,
    labels: np.ndarray,
    free_ids: set[int],
    misc_id: int | None,
    stability: dict[int, float],
) -> pd.DataFrame:
    """The ``k_selection`` row of the themes method (one candidate: the partition found).

    ``silhouette`` is that of the uncoded answers outside the miscellany cluster (information
    only); ``stability`` and ``stability_mean`` are the minimum and mean clusterwise stability of
    the free theme clusters (NaN when there are none).
    """
    keep = (space.codes == "") & (labels != (misc_id if misc_id is not None else -1))
    sil = float("nan")
    if 2 <= len(np.unique(labels)) < len(labels) and keep.sum() >= 2:
        sil = float(silhouette_samples(space.X, labels, metric="euclidean")[keep].mean())
    stabs = [stability[c] for c in sorted(free_ids) if not math.isnan(stability.get(c, float("nan")))]
    row = {
        "k": len(np.unique(labels)),
        "free_clusters": len(free_ids),
        "silhouette": sil,
        "stability": float(min(stabs)) if stabs else float("nan"),
        "stability_mean": float(np.mean(stabs)) if stabs else float("nan"),
    }
    return pd.DataFrame([row], columns=SELECTION_COLUMNS)


def discover_challenges(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    record_ids: Sequence[str],
    *,
    k: int | str = "auto",
    seed: int = 0,
    codebook: Any = None,
    coded: pd.DataFrame | None = None,
    progress: bool = False,
    n_resamples: int = 10,
) -> ChallengeResult:
    """Cluster answers into challenges, name them, pick evidence and score their stability.

    See the module docstring for the method.

    Parameters
    ----------
    texts : sequence of str
        Masked, normalised answer texts (kept rows only).
    tokens : sequence of list of str
        Cached tokens, aligned with ``texts``; never recomputed here.
    record_ids : sequence of str
        Unique record ids, aligned with ``texts``.
    k : int or "auto", default="auto"
        Number of clusters, or ``"auto"`` to choose it (see the module docstring).
    seed : int, default=0
        Seed for every random step; the same input and seed give identical results.
    codebook : Codebook, optional
        Used for the clusters' short names and, when ``coded`` is not given, to code the answers
        with :func:`rsnet_analysis.codebook.code_records`.
    coded : pandas.DataFrame, optional
        Per-answer coding aligned with ``texts``, with a ``challenge`` column (key or ``""``).
    progress : bool, default=False
        Show progress bars (:func:`rsnet_analysis.progress.track`).
    n_resamples : int, default=10
        Resamples for the stability score (0 skips it and reports NaN).

    Returns
    -------
    ChallengeResult
        Per-record assignments and the clusters table.

    Raises
    ------
    ValueError
        If the inputs differ in length, record ids repeat, or ``k`` is invalid.
    """
    n = len(texts)
    if not (len(tokens) == n == len(record_ids)):
        raise ValueError(
            "texts, tokens, record_ids の件数が違います / texts, tokens and record_ids differ in length"
        )
    rids = np.asarray([str(r) for r in record_ids], dtype=object)
    if len(set(rids)) != n:
        raise ValueError("record_id が重複しています / record_ids must be unique")
    if not (k == "auto" or (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1)):
        raise ValueError(f"k は 'auto' か 1 以上の整数にしてください (k={k!r}) / k must be 'auto' or an int >= 1")
    if n == 0:
        empty_records = pd.DataFrame({"record_id": [], "cluster": [], "cluster_label": []})
        return ChallengeResult(
            empty_records.astype({"cluster": int}),
            pd.DataFrame(columns=CLUSTER_COLUMNS),
            0,
            pd.DataFrame(columns=SELECTION_COLUMNS),
            seed,
        )

    if coded is None and codebook is not None:
        from rsnet_analysis.challenges.coding import code_records

        coded = code_records(list(texts), list(tokens), codebook)
    if coded is not None:
        if len(coded) != n:
            raise ValueError("coded の行数が texts と違います / coded must align with texts")
        codes = np.asarray(coded["challenge"].fillna("").astype(str), dtype=object)
    else:
        codes = np.full(n, "", dtype=object)

    frame = feature_frame(list(texts), list(tokens))
    vectorizer = AnswerVectorizer()
    sparse = vectorizer.fit_transform(frame)
    emb = LsaEmbedder(random_state=seed).fit_transform(sparse)
    space = _build_space(emb, codes, _codebook_keys(codebook, codes), _weak_codes(coded, codes))

    n_free: int | None
    misc = np.zeros(n, dtype=bool)
    themed = False
    if n < 3:
        labels = np.zeros(n, dtype=int)
        n_free, selection = 0, pd.DataFrame(columns=SELECTION_COLUMNS)
    elif k == "auto" and space.seed_keys:
        labels, n_seeded, n_themes, has_misc = _fit_themes(
            space.X, space.codes, space.seed_keys, seed, space.weak
        )
        if has_misc:
            misc = labels == n_seeded + n_themes
        n_free, themed = None, True
        selection = pd.DataFrame(columns=SELECTION_COLUMNS)
    elif k == "auto":
        n_free, selection = _select_free(space, seed, progress)
        labels = _fit_partition(space.X, space.codes, space.seed_keys, n_free, seed)
    else:
        k_fixed = min(int(k), n)
        seeds = space.seed_keys
        if len(seeds) > k_fixed:  # keep the best-supported keys, in codebook order
            support = {s: int(np.sum(codes == s)) for s in seeds}
            top = sorted(seeds, key=lambda s: (-support[s], seeds.index(s)))[:k_fixed]
            seeds = tuple(s for s in seeds if s in top)
            space = _Space(space.X, space.codes, seeds)
        n_free = k_fixed - len(seeds)
        labels = _fit_partition(space.X, space.codes, seeds, n_free, seed)
        selection = pd.DataFrame(columns=SELECTION_COLUMNS)

    free_raw = set()
    if themed:
        free_raw = {int(c) for c in np.unique(labels[~misc]) if c >= n_seeded}
    renumbered = _renumber(labels, rids)
    free_ids = {int(renumbered[np.flatnonzero(labels == c)[0]]) for c in free_raw}
    labels = renumbered
    misc_id = int(labels[misc][0]) if misc.any() else None
    fits = _resample_fits(space, n_free, seed, n_resamples if n >= 3 else 0, progress)
    stability = _stability(labels, fits)
    if themed:
        # a theme the codebook mapping names (step 5) is a named cluster: never folded
        named = {c for c in free_ids if _cluster_challenge(space.codes[labels == c])}
        folded, kept, misc_id = _fold_unstable(labels, free_ids - named, misc_id, stability)
        free_ids = kept | named
        if misc_id is not None and not np.array_equal(folded, labels):
            # renumber by the usual rule, then score the changed partition on the same refits
            renumbered = _renumber(folded, rids)
            free_ids = {int(renumbered[np.flatnonzero(folded == c)[0]]) for c in free_ids}
            misc_id = int(renumbered[np.flatnonzero(folded == misc_id)[0]])
            labels = renumbered
            stability = _stability(labels, fits)
    cluster_ids = sorted(int(c) for c in np.unique(labels))
    stop_words = _stop_words()
    terms = _top_terms(tokens, labels, stop_words)
    if themed:
        selection = _theme_selection(space, labels, free_ids, misc_id, stability)
    norms = sp.linalg.norm(sparse, axis=1) if sparse.shape[1] else np.ones(n)
    norms = np.where(norms > 0, norms, 1.0)
    sparse_unit = sp.csr_matrix(sp.diags(1.0 / norms) @ sparse)

    raw_labels: dict[int, str] = {}
    rows = []
    for c in cluster_ids:
        members = np.flatnonzero(labels == c)
        challenge = "" if c == misc_id else _cluster_challenge(codes[members])
        top = terms.get(c, [])
        if challenge:
            raw_labels[c] = _short_name(codebook, challenge)
        elif c == misc_id:
            raw_labels[c] = MISC_LABEL
        else:
            raw_labels[c] = "・".join(_label_terms(top)) if top else UNNAMED_FALLBACK
        centroid = space.X[members].mean(axis=0)
        reps = _representatives(members, space.X, centroid, sparse_unit, rids)
        rows.append(
            {
                "cluster": c,
                "size": len(members),
                "share": round(len(members) / n, 6),
                "top_terms": " ".join(top),
                "challenge": challenge,
                "representative_record_ids": " ".join(reps),
                "stability": round(stability.get(c, float("nan")), 4),
            }
        )
    final_labels = _unique_labels(raw_labels, terms)
    clusters = pd.DataFrame(rows)
    clusters["label"] = clusters["cluster"].map(final_labels)
    clusters = clusters[CLUSTER_COLUMNS].reset_index(drop=True)
    clusters["cluster"] = clusters["cluster"].astype(int)
    clusters["size"] = clusters["size"].astype(int)
    records = pd.DataFrame(
        {
            "record_id": rids.astype(str),
            "cluster": labels.astype(int),
            "cluster_label": [final_labels[int(c)] for c in labels],
        }
    )
    return ChallengeResult(records, clusters, len(cluster_ids), selection.reset_index(drop=True), seed)
