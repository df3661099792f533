"""Co-occurrence network (共起ネットワーク): Jaccard coefficients between words of the answers."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import pandas as pd

from rsnet_analysis.explore.terms import _token_lists

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from rsnet_analysis.text import JapaneseTokenizer

COOCCURRENCE_COLUMNS = ["term_a", "term_b", "jaccard", "co_documents", "documents_a", "documents_b"]

def cooccurrence(
    records: pd.DataFrame,
    *,
    top_terms: int = 60,
    min_jaccard: float = 0.1,
    max_edges: int = 80,
    min_co_documents: int = 2,
    tokenizer: JapaneseTokenizer | None = None,
) -> pd.DataFrame:
    """Co-occurrence of terms within answers, measured by the Jaccard coefficient (共起関係).

    The ``top_terms`` terms found in the most answers are paired; a pair's Jaccard coefficient
    is (answers with both) / (answers with either). Pairs below ``min_jaccard`` or seen
    together in fewer than ``min_co_documents`` answers are dropped, and the strongest
    ``max_edges`` are kept, as in KH Coder's co-occurrence network.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows; the cached ``tokens`` column, or ``text_masked`` tokenized
        with ``tokenizer`` when there is no ``tokens`` column).
    top_terms : int, default 60
        How many terms (by number of answers, ties by term) take part.
    min_jaccard : float, default 0.1
        Smallest Jaccard coefficient kept.
    max_edges : int, default 80
        Most pairs returned.
    min_co_documents : int, default 2
        Fewest answers in which both terms must appear (a single answer is not a pattern).
    tokenizer : JapaneseTokenizer or None
        Used only when the table has no ``tokens`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``term_a``, ``term_b`` (``term_a < term_b``), ``jaccard``, ``co_documents``,
        ``documents_a``, ``documents_b`` (answers containing each term); sorted by ``jaccard``
        descending, then ``co_documents`` descending, then the terms.
    """
    doc_sets: dict[str, set[int]] = {}
    for i, tokens in enumerate(_token_lists(records, tokenizer)):
        for term in set(tokens):
            doc_sets.setdefault(term, set()).add(i)
    ranked = sorted(doc_sets, key=lambda t: (-len(doc_sets[t]), t))[: max(top_terms, 0)]
    rows = []
    for a, b in combinations(sorted(ranked), 2):
        both = len(doc_sets[a] & doc_sets[b])
        if both < max(min_co_documents, 1):
            continue
        jaccard = both / len(doc_sets[a] | doc_sets[b])
        if jaccard < min_jaccard:
            continue
        rows.append(
            {
                "term_a": a,
                "term_b": b,
                "jaccard": round(jaccard, 6),
                "co_documents": both,
                "documents_a": len(doc_sets[a]),
                "documents_b": len(doc_sets[b]),
            }
        )
    table = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    table = table.sort_values(
        ["jaccard", "co_documents", "term_a", "term_b"],
        ascending=[False, False, True, True],
        kind="mergesort",
    ).head(max(max_edges, 0))
    return table.reset_index(drop=True).astype(
        {"co_documents": "int64", "documents_a": "int64", "documents_b": "int64", "jaccard": "float64"}
    )


def cooccurrence_graph(edges: pd.DataFrame) -> nx.Graph:
    """Build a networkx graph from :func:`cooccurrence` edges.

    Nodes are added in sorted order (so layouts are reproducible) with the attribute
    ``documents`` (answers containing the term, when the edge table has it) and the
    attribute ``community`` (0 = largest group of strongly connected terms, found with
    greedy modularity on the Jaccard weights). Edges carry ``jaccard``, ``weight`` (= Jaccard)
    and ``co_documents``.

    Parameters
    ----------
    edges : pandas.DataFrame
        The output of :func:`cooccurrence`.

    Returns
    -------
    networkx.Graph
        The co-occurrence network.
    """
    import networkx as nx


    graph = nx.Graph()
    documents: dict[str, int] = {}
    for row in edges.itertuples(index=False):
        documents[row.term_a] = int(getattr(row, "documents_a", 0) or 0)
        documents[row.term_b] = int(getattr(row, "documents_b", 0) or 0)
    for term in sorted(documents):
        graph.add_node(term, documents=documents[term])
    ordered = edges.sort_values(["term_a", "term_b"], kind="mergesort")
    for row in ordered.itertuples(index=False):
        graph.add_edge(
            row.term_a,
            row.term_b,
            jaccard=float(row.jaccard),
            weight=float(row.jaccard),
            co_documents=int(row.co_documents),
        )
    if graph.number_of_edges():
        groups = nx.community.greedy_modularity_communities(graph, weight="weight")
        ordered_groups = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
        for index, members in enumerate(ordered_groups):
            for term in members:
                graph.nodes[term]["community"] = index
    return graph
