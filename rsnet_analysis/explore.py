"""KH Coder style exploration of the answers: the analyses Japanese analysts already think in.

- :func:`frequency_table`: frequency list (抽出語リスト) with a part-of-speech filter;
- :func:`kwic`: KWIC concordance (コンコーダンス) on the masked text;
- :func:`cooccurrence`, :func:`cooccurrence_graph`, :func:`plot_cooccurrence`: co-occurrence
  network (共起ネットワーク) with Jaccard coefficients and a fixed-seed layout;
- :func:`characteristic_words`: words characteristic of each segment (特徴語), such as each kind
  of municipality.

All functions take the record table (``records.build_record_table`` plus the cached ``tokens``
column), use only rows whose ``status`` is ``kept``, read only ``text_masked`` (never the
unmasked text), and return sorted, deterministic tables. A "document" is one answer (one kept
record); counts of documents therefore count answers, not words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from rsnet_analysis.tokenize import JapaneseTokenizer

__all__ = [
    "MIN_SEGMENT_RESPONDENTS",
    "characteristic_words",
    "cooccurrence",
    "cooccurrence_graph",
    "frequency_table",
    "kept_records",
    "kwic",
    "plot_cooccurrence",
]

#: Segments with fewer respondents than this are left out of :func:`characteristic_words`
#: (the same small-cell rule as ``trends.MIN_CELL``).
MIN_SEGMENT_RESPONDENTS = 5

FREQUENCY_COLUMNS = ["term", "pos", "count", "documents"]
KWIC_COLUMNS = ["record_id", "left", "keyword", "right"]
COOCCURRENCE_COLUMNS = ["term_a", "term_b", "jaccard", "co_documents", "documents_a", "documents_b"]
CHARACTERISTIC_COLUMNS = [
    "segment",
    "term",
    "count",
    "segment_documents",
    "share_in_segment",
    "share_overall",
    "lift",
    "jaccard",
]

_SPACES = re.compile(r"\s+")

#: Japanese font shipped with matplotlib-fontja.
_FONT = "IPAexGothic"


# -- shared helpers ------------------------------------------------------------------------------
def kept_records(records: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that are analysed (``status == "kept"``), in their original order.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table. A table without a ``status`` column is taken as all kept.

    Returns
    -------
    pandas.DataFrame
        The kept rows.
    """
    if "status" not in records.columns:
        return records
    return records.loc[records["status"].eq("kept")]


def _record_sort_key(record_id: str) -> tuple[str, int, str]:
    """Sort ``"survey_2023:12"`` before ``"survey_2023:100"`` (file, then row as a number)."""
    stem, sep, row = str(record_id).rpartition(":")
    if sep and row.isdigit():
        return (stem, int(row), "")
    return (str(record_id), -1, "")


def _token_lists(
    records: pd.DataFrame, tokenizer: JapaneseTokenizer | None = None
) -> list[list[str]]:
    """Token lists of the kept rows: the cached ``tokens`` column, or tokenize ``text_masked``."""
    kept = kept_records(records)
    if "tokens" in kept.columns and tokenizer is None:
        return [list(t) if isinstance(t, Iterable) and not isinstance(t, str) else [] for t in kept["tokens"]]
    if "text_masked" not in kept.columns:
        raise ValueError(
            "レコード表に tokens 列も text_masked 列もありません。run_analysis の結果の records を渡してください。"
            " / The record table has neither a 'tokens' nor a 'text_masked' column."
        )
    tok = tokenizer if tokenizer is not None else _default_tokenizer()
    return [tok(str(t)) for t in kept["text_masked"].fillna("")]


def _default_tokenizer() -> JapaneseTokenizer:
    from rsnet_analysis.tokenize import JapaneseTokenizer

    return JapaneseTokenizer()


def _normalise_pos(pos: str | Sequence[str] | None) -> frozenset[str] | None:
    if pos is None:
        return None
    if isinstance(pos, str):
        return frozenset({pos})
    return frozenset(pos)


# -- frequency list ------------------------------------------------------------------------------
def frequency_table(
    records: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    pos: str | Sequence[str] | None = None,
    top: int | None = 50,
) -> pd.DataFrame:
    """Frequency list of the terms in the kept answers (KH Coder's 抽出語リスト).

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows are used).
    tokenizer : JapaneseTokenizer or None
        Tokenizer whose :meth:`~rsnet_analysis.tokenize.JapaneseTokenizer.analyze` gives each
        term its part of speech. When None and ``pos`` is None, the cached ``tokens`` column is
        counted and ``pos`` is left empty; when None and ``pos`` is given, the default
        tokenizer is used.
    pos : str, sequence of str or None
        Keep only terms of these parts of speech (UniDic ``pos1``: ``"名詞"``, ``"動詞"``,
        ``"形容詞"``, ``"形状詞"``). Compounds and domain terms count as ``"名詞"``. Only words
        the tokenizer keeps (content words, not stop words) are counted.
    top : int or None, default 50
        Number of rows returned; None returns all.

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``pos``, ``count`` (occurrences), ``documents`` (answers containing
        the term), sorted by ``count`` descending, then ``documents`` descending, then ``term``
        and ``pos``. The index is 0..n-1.
    """
    wanted = _normalise_pos(pos)
    kept = kept_records(records)
    counts: Counter[tuple[str, str]] = Counter()
    documents: Counter[tuple[str, str]] = Counter()
    if tokenizer is None and wanted is None and "tokens" in kept.columns:
        for tokens in _token_lists(kept):
            keys = [(t, "") for t in tokens]
            counts.update(keys)
            documents.update(set(keys))
    else:
        tok = tokenizer if tokenizer is not None else _default_tokenizer()
        texts = kept["text_masked"].fillna("").astype(str) if "text_masked" in kept.columns else None
        if texts is None:
            raise ValueError("レコード表に text_masked 列がありません。 / The record table has no 'text_masked' column.")
        for text in texts:
            keys = [
                (t.lemma, t.pos)
                for t in tok.analyze(text)
                if t.keep and (wanted is None or t.pos in wanted)
            ]
            counts.update(keys)
            documents.update(set(keys))
    rows = [
        {"term": term, "pos": p, "count": n, "documents": documents[(term, p)]}
        for (term, p), n in counts.items()
    ]
    table = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS)
    table = table.sort_values(
        ["count", "documents", "term", "pos"], ascending=[False, False, True, True], kind="mergesort"
    )
    if top is not None:
        table = table.head(top)
    return table.reset_index(drop=True).astype({"count": "int64", "documents": "int64"})


# -- KWIC ----------------------------------------------------------------------------------------
def kwic(records: pd.DataFrame, keyword: str, *, width: int = 20) -> pd.DataFrame:
    """KWIC concordance: every occurrence of ``keyword`` in the masked answers, with context.

    Matching is literal on ``text_masked`` after NFKC normalisation of the keyword (so ``ＤＸ``
    finds ``DX``), and ignores letter case. Line breaks in the context are shown as spaces.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows are used).
    keyword : str
        The word to look for.
    width : int, default 20
        Characters of context on each side.

    Returns
    -------
    pandas.DataFrame
        Columns ``record_id``, ``left``, ``keyword`` (as written in the answer), ``right``;
        one row per occurrence, sorted by record (file, then row number) and position.

    Raises
    ------
    ValueError
        If ``keyword`` is empty or ``width`` is negative.
    """
    needle = unicodedata.normalize("NFKC", keyword or "").strip()
    if not needle:
        raise ValueError("KWIC のキーワードが空です。 / The KWIC keyword is empty.")
    if width < 0:
        raise ValueError(f"width must be >= 0, got {width}")
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    kept = kept_records(records)
    rows: list[tuple[tuple[str, int, str], int, dict[str, str]]] = []
    for record_id, text in zip(kept["record_id"], kept["text_masked"].fillna(""), strict=True):
        text = str(text)
        for match in pattern.finditer(text):
            start, end = match.span()
            rows.append(
                (
                    _record_sort_key(record_id),
                    start,
                    {
                        "record_id": str(record_id),
                        "left": _SPACES.sub(" ", text[max(0, start - width) : start]),
                        "keyword": match.group(0),
                        "right": _SPACES.sub(" ", text[end : end + width]),
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return pd.DataFrame([r[2] for r in rows], columns=KWIC_COLUMNS)


# -- co-occurrence -------------------------------------------------------------------------------
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


def plot_cooccurrence(
    edges: pd.DataFrame,
    *,
    seed: int = 0,
    title: str = "共起ネットワーク（Jaccard係数）",
    ax: Axes | None = None,
) -> Figure:
    """Draw the co-occurrence network: node size = answers, edge width = Jaccard, colour = group.

    The layout is ``networkx.spring_layout(seed=seed)`` over nodes in sorted order, so the same
    edges always give the same picture.

    Parameters
    ----------
    edges : pandas.DataFrame
        The output of :func:`cooccurrence`.
    seed : int, default 0
        Seed of the spring layout.
    title : str
        Figure title.
    ax : matplotlib.axes.Axes or None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.figure.Figure
        The figure. It is not registered with pyplot: show it with ``display(fig)`` in a
        notebook, or save it with ``fig.savefig(path)``.
    """
    import matplotlib

    try:  # registers a Japanese font (IPAexGothic) and makes it the default family
        import matplotlib_fontja  # noqa: F401
    except ImportError:  # pragma: no cover - listed in requirements
        pass
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    graph = cooccurrence_graph(edges)
    with matplotlib.rc_context({"font.family": _FONT}):
        if ax is None:  # a figure outside pyplot: no global state, shown only when displayed
            fig = Figure(figsize=(9, 7), dpi=100, layout="constrained")
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        _draw_network(graph, ax, seed=seed, title=title)
    return fig


def _draw_network(graph: nx.Graph, ax: Axes, *, seed: int, title: str) -> None:
    import matplotlib
    import networkx as nx

    ax.set_title(title)
    ax.set_axis_off()
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "共起関係が見つかりませんでした", ha="center", va="center", transform=ax.transAxes)
        return
    positions = nx.spring_layout(graph, seed=seed, weight="weight")
    nodes = list(graph.nodes)
    cmap = matplotlib.colormaps["tab10"]
    colours = [cmap(graph.nodes[n].get("community", 0) % 10) for n in nodes]
    most = max(max(graph.nodes[n]["documents"] for n in nodes), 1)
    sizes = [200 + 1600 * graph.nodes[n]["documents"] / most for n in nodes]
    widths = [0.5 + 6 * graph.edges[e]["jaccard"] for e in graph.edges]
    nx.draw_networkx_edges(graph, positions, ax=ax, width=widths, edge_color="#999999", alpha=0.7)
    nx.draw_networkx_nodes(graph, positions, nodelist=nodes, ax=ax, node_size=sizes, node_color=colours, alpha=0.85)
    nx.draw_networkx_labels(graph, positions, ax=ax, font_size=10, font_family=_FONT)
    ax.margins(0.08)


# -- characteristic words ------------------------------------------------------------------------
def characteristic_words(
    records: pd.DataFrame,
    segment_col: str,
    *,
    top: int = 10,
    min_documents: int = MIN_SEGMENT_RESPONDENTS,
    min_count: int = 2,
    tokenizer: JapaneseTokenizer | None = None,
) -> pd.DataFrame:
    """Words characteristic of each segment (KH Coder's 特徴語), ranked by Jaccard coefficient.

    For a segment S and a term w over the kept answers: ``count`` = answers in S containing w;
    ``share_in_segment`` = count / answers in S; ``share_overall`` = answers containing w / all
    answers; ``lift`` = share_in_segment / share_overall; ``jaccard`` = count / (answers in S +
    answers with w - count), the coefficient KH Coder uses to rank 特徴語.

    Parameters
    ----------
    records : pandas.DataFrame
        The record table (kept rows).
    segment_col : str
        Attribute column, e.g. ``"自治体区分"``. Rows with an empty value are not a segment
        (they still count in the overall shares).
    top : int, default 10
        Terms per segment.
    min_documents : int, default 5
        Segments with fewer respondents than this (distinct ``respondent`` values, or answers
        when there is no ``respondent`` column) are left out, so no small group is described.
    min_count : int, default 2
        Fewest answers in the segment that must contain a term for it to be listed.
    tokenizer : JapaneseTokenizer or None
        Used only when the table has no ``tokens`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment``, ``term``, ``count``, ``segment_documents``, ``share_in_segment``,
        ``share_overall``, ``lift``, ``jaccard``; segments in sorted order, and within each the
        terms by ``jaccard`` descending, then ``count`` descending, then term.

    Raises
    ------
    KeyError
        If ``segment_col`` is not a column of ``records``.
    """
    if segment_col not in records.columns:
        raise KeyError(
            f"列『{segment_col}』がありません。使える列: {', '.join(map(str, records.columns))} "
            f"/ Column {segment_col!r} not found."
        )
    kept = kept_records(records)
    token_sets = [set(t) for t in _token_lists(kept, tokenizer)]
    segments = kept[segment_col].astype("string").fillna("").str.strip().tolist()
    respondents = (
        kept["respondent"].astype(str).tolist() if "respondent" in kept.columns else [str(i) for i in kept.index]
    )
    total = len(token_sets)
    overall: Counter[str] = Counter()
    for terms in token_sets:
        overall.update(terms)

    members: dict[str, list[int]] = {}
    people: dict[str, set[str]] = {}
    for i, segment in enumerate(segments):
        if not segment:
            continue
        members.setdefault(segment, []).append(i)
        people.setdefault(segment, set()).add(respondents[i])

    rows: list[dict[str, Any]] = []
    for segment in sorted(members):
        if len(people[segment]) < min_documents:
            continue
        docs = members[segment]
        n_seg = len(docs)
        inside: Counter[str] = Counter()
        for i in docs:
            inside.update(token_sets[i])
        scored = []
        for term, count in inside.items():
            if count < min_count:
                continue
            share_in = count / n_seg
            share_all = overall[term] / total
            scored.append(
                {
                    "segment": segment,
                    "term": term,
                    "count": count,
                    "segment_documents": n_seg,
                    "share_in_segment": round(share_in, 6),
                    "share_overall": round(share_all, 6),
                    "lift": round(share_in / share_all, 6),
                    "jaccard": round(count / (n_seg + overall[term] - count), 6),
                }
            )
        scored.sort(key=lambda r: (-r["jaccard"], -r["count"], r["term"]))
        rows.extend(scored[:top])
    return pd.DataFrame(rows, columns=CHARACTERISTIC_COLUMNS).astype(
        {"count": "int64", "segment_documents": "int64"}
    )
