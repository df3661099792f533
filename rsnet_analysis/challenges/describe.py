"""The two tables of a discovery: one row per cluster, one row per answer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rsnet_analysis.challenges.codebook import Codebook
from rsnet_analysis.challenges.naming import (
    MISC_LABEL,
    representatives,
    theme_phrase,
    top_terms,
    unique_labels,
)
from rsnet_analysis.challenges.partition import MISC, Partition
from rsnet_analysis.challenges.themes import TermIndex
from rsnet_analysis.contract import CLUSTER_COLUMNS

__all__ = ["answer_rows", "describe_clusters", "record_columns"]

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
    features: sp.csr_matrix,
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
    features : scipy.sparse.csr_matrix
        Row-normalised features (near-duplicate detection).
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
    rows = []
    for c in sorted(int(x) for x in np.unique(labels)):
        members = np.flatnonzero(labels == c)
        original = int(part.labels[members[0]])
        kind = _kind_of(original, part)
        core = part.themes.get(original, {})
        challenge = part.keys[original] if kind == "named" else ""
        if kind == "named":
            raw_labels[c] = _short(codebook, challenge)
        elif kind == "misc":
            raw_labels[c] = MISC_LABEL
        else:
            raw_labels[c] = theme_phrase(texts, tokens, labels == c, core or dict.fromkeys(terms.get(c, [])[:2], 1.0), stop)
        centroid = E[members].mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        rows.append(
            {
                "question": "",
                "cluster": c,
                "kind": kind,
                "size": len(members),
                "share": round(len(members) / n, 6),
                "top_terms": " ".join(terms.get(c, [])),
                "challenge": challenge,
                "core_terms": " ".join(core),
                "representative_record_ids": " ".join(representatives(members, E, centroid, features, rids)),
                "stability": round(stab.get(c, float("nan")), 4),
            }
        )
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
    matched: list[list[list[str]]],
    min_score: float,
    codebook: Codebook | None,
    conf: np.ndarray,
    E: np.ndarray,
    index: TermIndex,
) -> pd.DataFrame:
    """One row per answer: primary challenge, secondaries, confidence and reason.

    Secondary challenges are the other codebook challenges whose rule evidence reaches
    ``min_score`` (strongest first), then the new themes whose core-term evidence does
    (as ``cluster:<id>``).
    """
    info = clusters.set_index("cluster")
    renumbered = {int(o): int(r) for o, r in zip(part.labels, labels, strict=True)}
    key_col = {k: j for j, k in enumerate(keys)}
    centroids = {}
    for c in np.unique(labels):
        v = E[labels == c].mean(axis=0)
        centroids[int(c)] = v / max(float(np.linalg.norm(v)), 1e-12)
    used_terms = _used_terms(index, part)
    out = []
    for i, rid in enumerate(rids):
        c = int(labels[i])
        kind, label, key = info.at[c, "kind"], str(info.at[c, "label"]), str(info.at[c, "challenge"])
        j = key_col.get(key)
        strong = evidence is not None and j is not None and evidence[i, j] >= min_score
        original = int(part.labels[i])
        used = used_terms.get(i, [])
        secondary = []
        if evidence is not None:
            order = np.argsort(-evidence[i], kind="stable")
            secondary = [keys[s] for s in order if evidence[i, s] >= min_score and keys[s] != key]
        for t, ev in sorted(part.theme_evidence.items()):
            if t != original and ev[i] >= min_score and t in renumbered:
                secondary.append(f"cluster:{renumbered[t]}")
        sim = float(E[i] @ centroids[c])
        hits = matched[i][j] if strong and matched and j is not None else []
        out.append(
            {
                "record_id": str(rid),
                "cluster": c,
                "cluster_label": label,
                "challenge": key,
                "challenge_secondary": " ".join(secondary),
                "challenge_reason": _reason(kind, key, label, hits, strong, used, sim, codebook),
                "challenge_score": round(float(conf[i]), 4),
            }
        )
    return pd.DataFrame(out, columns=RECORD_COLUMNS)


def _used_terms(index: TermIndex, part: Partition) -> dict[int, list[str]]:
    """For each answer of a new theme, the theme's core terms it uses (strongest first)."""
    out: dict[int, list[str]] = {}
    for theme, core in part.themes.items():
        terms = [t for t in core if t in index.column]
        if not terms:
            continue
        rows = np.flatnonzero(part.labels == theme)
        sub = index.matrix[:, [index.column[t] for t in terms]].tocsr()[rows]
        for r, row in zip(rows, sub, strict=True):
            out[int(r)] = [terms[j] for j in sorted(row.indices, key=lambda j: -core[terms[j]])]
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
