"""The co-occurrence network figure: node size = answers, edge width = Jaccard, colour = group."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from rsnet_analysis.explore import cooccurrence_graph

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Japanese font shipped with matplotlib-fontja.
_FONT = "IPAexGothic"

def cooccurrence_figure(
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
            root = ax.get_figure(root=True)
            assert isinstance(root, Figure)
            fig = root
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
