"""The two tables of a discovery: one row per cluster, one row per answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rsnet_analysis.challenges.codebook import Codebook
from rsnet_analysis.challenges.naming import (
    MISC_LABEL,
    phrase_counts,
    representatives,
    theme_phrase,
    top_terms,
    unique_labels,
)
from rsnet_analysis.challenges.partition import MISC, Partition
from rsnet_analysis.challenges.themes import TermIndex
from rsnet_analysis.contract import CLUSTER_COLUMNS

__all__ = ["answer_rows", "cluster_kind", "cluster_row", "cluster_table", "describe_clusters", "record_columns"]

RECORD_COLUMNS = (
    "record_id",
    "cluster",
    "cluster_label",
    "challenge",
    "challenge_secondary",
    "challenge_reason",
    "challenge_score",
)


def record_columns() -> list[str]:
    """Columns of :attr:`ChallengeResult.records`."""
    return list(RECORD_COLUMNS)


def _short(codebook: Codebook | None, key: str) -> str:
    return codebook.short(key) if codebook is not None else key


def _kind_of(original: int, part: Partition) -> str:
    if original == MISC:
        return "misc"
    return "named" if 0 <= original < len(part.keys) else "new"


def describe_clusters(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    E: np.ndarray,
    feature_rows: Callable[[np.ndarray], sp.csr_matrix],
    rids: np.ndarray,
    part: Partition,
    labels: np.ndarray,
    misc_id: int | None,
    stab: dict[int, float],
    codebook: Codebook | None,
    stop: frozenset[str],
) -> pd.DataFrame:
    """One row per cluster (:data:`~rsnet_analysis.contract.CLUSTER_COLUMNS`), by cluster id.

    Parameters
    ----------
    texts, tokens : sequence
        Masked texts and readable terms of the answers.
    E : numpy.ndarray
        Unit answer vectors.
    feature_rows : callable
        ``feature_rows(rows)``: row-normalised features of some answers (near-duplicate detection).
    rids : numpy.ndarray
        Record ids.
    part : Partition
        The partition (original ids).
    labels : numpy.ndarray
        Renumbered cluster ids (1 = largest).
    misc_id : int or None
        Renumbered id of the miscellany.
    stab : dict of int to float
        Stability per renumbered cluster.
    codebook : Codebook or None
    stop : frozenset of str
        Stop words of labels.

    Returns
    -------
    pandas.DataFrame
    """
    n = len(labels)
    terms = top_terms(tokens, labels, stop)
    raw_labels: dict[int, str] = {}
    overall: Counter[str] | None = None
    rows = []
    for c in sorted(int(x) for x in np.unique(labels)):
        members = np.flatnonzero(labels == c)
        original = int(part.labels[members[0]])
        kind, challenge, core = cluster_kind(original, part)
        if kind == "new":
            if overall is None:  # counted once for all new themes
                overall = phrase_counts(texts, tokens)
            raw_labels[c] = theme_phrase(
                texts, tokens, labels == c, core or dict.fromkeys(terms.get(c, [])[:2], 1.0), stop, overall
            )
        else:
            raw_labels[c] = _short(codebook, challenge) if kind == "named" else MISC_LABEL
        centroid = E[members].mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        reps = representatives(members, E, centroid, feature_rows, rids)
        rows.append(cluster_row(c, kind, len(members), n, terms.get(c, []), challenge, core, reps, stab))
    return cluster_table(rows, raw_labels, terms)


def cluster_kind(original: int, part: Partition) -> tuple[str, str, dict[str, float]]:
    """Kind (named, new, misc), codebook key and core terms of a cluster with its original id."""
    kind = _kind_of(original, part)
    return kind, part.keys[original] if kind == "named" else "", part.themes.get(original, {})


def cluster_row(
    c: int,
    kind: str,
    size: int,
    n: int,
    terms: list[str],
    challenge: str,
    core: dict[str, float],
    reps: list[str],
    stab: dict[int, float],
) -> dict[str, object]:
    """One row of the cluster table (its label is added by :func:`cluster_table`)."""
    return {
        "question": "",
        "cluster": c,
        "kind": kind,
        "size": size,
        "share": round(size / n, 6),
        "top_terms": " ".join(terms),
        "challenge": challenge,
        "core_terms": " ".join(core),
        "representative_record_ids": " ".join(reps),
        "stability": round(stab.get(c, float("nan")), 4),
    }


def cluster_table(
    rows: list[dict[str, object]], raw_labels: dict[int, str], terms: dict[int, list[str]]
) -> pd.DataFrame:
    """The cluster table from its rows, with unique labels."""
    table = pd.DataFrame(rows)
    table["label"] = table["cluster"].map(unique_labels(raw_labels, terms))
    table = table[CLUSTER_COLUMNS].reset_index(drop=True)
    table["cluster"] = table["cluster"].astype(int)
    table["size"] = table["size"].astype(int)
    return table


def _reason(
    kind: str,
    key: str,
    label: str,
    rule_hits: list[str],
    rule_strong: bool,
    theme_terms: list[str],
    similarity: float,
    codebook: Codebook | None,
) -> str:
    if kind == "misc":
        return f"どの課題の回答群とも近くない（類似度 {similarity:.2f}）"
    if kind == "named" and rule_strong:
        hits = f"（{', '.join(rule_hits[:4])}）" if rule_hits else ""
        return f"ルール一致: {_short(codebook, key)}{hits}"
    if kind == "new" and theme_terms:
        return f"新しい課題「{label}」の語（{', '.join(theme_terms[:4])}）を含む"
    name = _short(codebook, key) if kind == "named" else label
    return f"文面が「{name}」の回答群に近い（類似度 {similarity:.2f}）"


def answer_rows(
    rids: np.ndarray,
    labels: np.ndarray,
    part: Partition,
    clusters: pd.DataFrame,
    evidence: np.ndarray | None,
    keys: list[str],
    matched: Sequence[Sequence[list[str]]],
    min_score: float,
    codebook: Codebook | None,
    conf: np.ndarray,
    E: np.ndarray,
    index: TermIndex,
    *,
    centroids: dict[int, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per answer: primary challenge, secondaries, confidence and reason.

    Secondary challenges are the other codebook challenges whose rule evidence reaches
    ``min_score`` (strongest first), then the new themes whose core-term evidence does
    (as ``cluster:<id>``). Whole columns are computed at once; only the reason text is written
    answer by answer. ``centroids`` (cluster → unit centroid) are those of the given answers
    unless the caller passes the centroids of more (a streaming run, chunk by chunk).
    """
    info = clusters.set_index("cluster")
    cinfo = {
        int(c): (str(info.at[c, "kind"]), str(info.at[c, "label"]), str(info.at[c, "challenge"]))
        for c in info.index
    }
    key_col = {k: j for j, k in enumerate(keys)}
    lab = labels.tolist()
    cols = np.array([key_col.get(cinfo[c][2], -1) for c in lab], dtype=np.int64)
    strong = np.zeros(len(lab), dtype=bool)
    if evidence is not None and len(lab):
        strong = (cols >= 0) & (evidence[np.arange(len(lab)), np.maximum(cols, 0)] >= min_score)
    if centroids is None:
        centroids = {}
        for c in np.unique(labels):
            v = E[labels == c].mean(axis=0)
            centroids[int(c)] = v / max(float(np.linalg.norm(v)), 1e-12)
    used_terms = _used_terms(index, part)
    reasons = []
    for i, c in enumerate(lab):
        kind, label, key = cinfo[c]
        used = used_terms.get(i, [])
        is_strong = bool(strong[i])
        words = (kind == "named" and is_strong) or (kind == "new" and bool(used))
        sim = float("nan") if words and kind != "misc" else float(E[i] @ centroids[c])
        hits = list(matched[i][int(cols[i])]) if is_strong and matched else []
        reasons.append(_reason(kind, key, label, hits, is_strong, used, sim, codebook))
    return pd.DataFrame(
        {
            "record_id": [str(r) for r in rids],
            "cluster": lab,
            "cluster_label": [cinfo[c][1] for c in lab],
            "challenge": [cinfo[c][2] for c in lab],
            "challenge_secondary": _secondary(labels, part, evidence, keys, [cinfo[c][2] for c in lab], min_score),
            "challenge_reason": reasons,
            "challenge_score": [round(x, 4) for x in conf.astype(float).tolist()],
        },
        columns=RECORD_COLUMNS,
    )


def _secondary(
    labels: np.ndarray,
    part: Partition,
    evidence: np.ndarray | None,
    keys: list[str],
    own_keys: list[str],
    min_score: float,
) -> list[str]:
    """The secondary challenges of every answer, space-separated (see :func:`answer_rows`)."""
    n = len(labels)
    items: dict[int, list[str]] = {}
    if evidence is not None and n:
        reach = evidence >= min_score
        rows = np.flatnonzero(reach.any(axis=1))
        order = np.argsort(-evidence[rows], axis=1, kind="stable").tolist()
        for r, ranked, ok in zip(rows.tolist(), order, reach[rows].tolist(), strict=True):
            found = [keys[s] for s in ranked if ok[s] and keys[s] != own_keys[r]]
            if found:
                items[r] = found
    renumbered = {int(o): int(r) for o, r in zip(part.labels, labels, strict=True)}
    for t, ev in sorted(part.theme_evidence.items()):
        if t not in renumbered:
            continue
        for r in np.flatnonzero((ev >= min_score) & (part.labels != t)).tolist():
            items.setdefault(r, []).append(f"cluster:{renumbered[t]}")
    return [" ".join(items[i]) if i in items else "" for i in range(n)]


def _used_terms(index: TermIndex, part: Partition) -> dict[int, list[str]]:
    """For each answer of a new theme, the theme's core terms it uses (strongest first)."""
    out: dict[int, list[str]] = {}
    for theme, core in part.themes.items():
        terms = [t for t in core if t in index.column]
        if not terms:
            continue
        rows = np.flatnonzero(part.labels == theme)
        sub = index.matrix[:, [index.column[t] for t in terms]].tocsr()[rows]
        weight = [-core[t] for t in terms]
        indptr, indices = sub.indptr.tolist(), sub.indices.tolist()
        for k, r in enumerate(rows.tolist()):
            used = indices[indptr[k] : indptr[k + 1]]
            out[r] = [terms[j] for j in sorted(used, key=weight.__getitem__)]
    return out


def unit_names(clusters: pd.DataFrame, codebook: Codebook | None) -> tuple[dict[str, str], dict[str, str]]:
    """Display name and kind of every challenge unit of a cluster table.

    Parameters
    ----------
    clusters : pandas.DataFrame
        :data:`~rsnet_analysis.contract.CLUSTER_COLUMNS`.
    codebook : Codebook or None
        Names of the named challenges (their keys otherwise).

    Returns
    -------
    (dict, dict)
        Unit (codebook key or ``cluster:<id>``) to its name (the codebook's name, or the
        cluster's label), and to its kind (``named``, ``new``, ``misc``).
    """
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for row in clusters.itertuples(index=False):
        unit = str(row.challenge or "") or f"cluster:{int(row.cluster)}"
        names[unit] = (codebook.name(unit) if codebook is not None else unit) if row.challenge else str(row.label)
        kinds[unit] = str(row.kind)
    return names, kinds
