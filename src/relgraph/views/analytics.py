"""Network analytics of the theory graph with networkx.

Three analyses, each behind a page and a JSON endpoint:

* :func:`shared_elements` -- constructs, methods and instruments (and other
  factors) that belong to two or more theories, with the links through which
  each theory reaches them (its own structure, its method applications or its
  findings).
* :func:`centrality` -- the most central entities of the graph by **degree
  centrality** (the share of the other nodes a node is linked to: how many
  direct connections it has; :func:`networkx.degree_centrality`) and
  **betweenness centrality** (the share of shortest paths between two other
  nodes that pass through it: how much it bridges parts of the graph;
  :func:`networkx.betweenness_centrality`, normalised, Brandes' algorithm).
  Both are computed on the undirected graph of links and findings.
* :func:`evidence_path` -- the shortest evidence paths from a theory to an
  outcome (:func:`networkx.all_shortest_paths` on the directed graph): along
  the theory's structure (theory -> model or construct, method -> instrument ->
  what it measures), to a factor of a finding about the theory, then along
  findings (factor -> outcome or construct), so a path may cross to a construct
  another theory shares. Every finding step names its findings, direction and
  cited works.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import networkx as nx

from relgraph.errors import RelgraphError
from relgraph.views.explorer import RELATIONS, direction_key
from relgraph.views.graph import TheoryGraph
from relgraph.views.kinds import STATES
from relgraph.vocab import RG

__all__ = [
    "directed_graph",
    "shared_elements",
    "centrality",
    "evidence_path",
    "MEASURES",
    "MAX_PATHS",
]

#: What each centrality measure means, for the page and the JSON.
MEASURES: dict[str, str] = {
    "degree": (
        "Degree centrality: the share of the other entities an entity is directly linked to "
        "(by a structural link or a finding). High for hubs such as a theory with many models "
        "and constructs, or an outcome many findings concern."
    ),
    "betweenness": (
        "Betweenness centrality: the share of shortest paths between two other entities that "
        "pass through this one. High for bridges, such as a method or construct that several "
        "theories share and through which their parts of the graph connect."
    ),
}

#: Most evidence paths listed for one theory and outcome.
MAX_PATHS = 20

_STATE = {s.key: s for s in STATES}


def directed_graph(graph: TheoryGraph) -> nx.MultiDiGraph:
    """The theory graph as a networkx multigraph (edges keyed by relation or finding).

    Structural edges carry ``relation``; finding edges carry ``finding``. A
    finding also links its theory to each factor (``relation`` =
    ``rg:aboutTheory``), so that paths can start from the theory.
    """
    g = nx.MultiDiGraph()
    for node in graph.drawn():
        g.add_node(node.iri, label=node.label, kind=node.kind.key)
    for lk in graph.links:
        g.add_edge(lk.source, lk.target, key=lk.relation, relation=lk.relation)
    for finding in graph.findings.values():
        if finding.theory:
            for factor in finding.factors:
                g.add_edge(
                    finding.theory, factor, key=str(RG.aboutTheory), relation=str(RG.aboutTheory)
                )
        for relation, target in finding.targets:
            for factor in finding.factors or ({finding.theory} if finding.theory else set()):
                g.add_edge(factor, target, key=finding.iri, relation=relation, finding=finding.iri)
    return g


def shared_elements(graph: TheoryGraph, link: Callable[[str], str]) -> dict[str, Any]:
    """Entities that two or more theories reach, most shared first.

    A theory reaches an entity through its own links (``structure``), a
    method application about it (``method use``, in the structure query) or a
    finding about it that has the entity as factor or target (``finding``).
    """
    via: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for lk in graph.links:
        for theory in lk.theories:
            if graph.nodes.get(theory) is not None:
                for iri in (lk.source, lk.target):
                    if iri != theory:
                        via[iri][theory].add("structure")
    for finding in graph.findings.values():
        if finding.theory:
            for iri in finding.factors | {t for _, t in finding.targets}:
                via[iri][finding.theory].add("finding")
    theory_iris = [t.iri for t in graph.theories()]
    out: list[dict[str, Any]] = []
    for iri, by_theory in via.items():
        theories = [t for t in theory_iris if t in by_theory]
        node = graph.nodes.get(iri)
        if len(theories) < 2 or node is None or node.kind.key == "theory":
            continue
        out.append(
            {
                "iri": iri,
                "label": node.label,
                "kind": node.kind.key,
                "kindLabel": node.kind.label,
                "href": link(iri),
                "count": len(theories),
                "theories": [
                    {
                        "iri": t,
                        "label": graph.label(t),
                        "href": link(t),
                        "via": sorted(by_theory[t]),
                    }
                    for t in theories
                ],
            }
        )
    out.sort(key=lambda e: (-e["count"], e["kind"], e["label"].lower()))
    return {"shared": out, "theories": len(theory_iris)}


def centrality(graph: TheoryGraph, link: Callable[[str], str], top: int = 15) -> dict[str, Any]:
    """The ``top`` entities by degree and by betweenness centrality (normalised, 0..1)."""
    undirected = nx.Graph(directed_graph(graph).to_undirected())
    degree = nx.degree_centrality(undirected)
    betweenness = nx.betweenness_centrality(undirected, normalized=True)

    def ranked(values: dict[str, float]) -> list[dict[str, Any]]:
        order = sorted(values, key=lambda n: (-values[n], graph.label(n).lower()))[:top]
        return [
            {
                "iri": n,
                "label": graph.label(n),
                "kind": graph.nodes[n].kind.key if n in graph.nodes else "other",
                "href": link(n),
                "value": round(values[n], 4),
                "degree": undirected.degree(n),
            }
            for n in order
        ]

    return {
        "measures": MEASURES,
        "degree": ranked(degree),
        "betweenness": ranked(betweenness),
        "graph": {
            "nodes": undirected.number_of_nodes(),
            "edges": undirected.number_of_edges(),
            "components": nx.number_connected_components(undirected),
        },
    }


def evidence_path(
    graph: TheoryGraph, theory: str, outcome: str, link: Callable[[str], str]
) -> dict[str, Any]:
    """The shortest evidence paths from a theory to an outcome (or construct).

    :param theory: a theory's IRI; :param outcome: an outcome's (or construct's) IRI.
    :raises RelgraphError: (400) if either is not in the graph, or ``theory`` is not a theory.
    :returns: ``{"theory", "outcome", "paths": [{"steps": [...]}], "length"}``; a step is
        ``{"source", "target", "relations": [...], "findings": [...]}`` and ``paths``
        is empty when no path exists (an evidence gap).
    """
    g = directed_graph(graph)
    theories = {t.iri for t in graph.theories()}
    if theory not in theories:
        raise RelgraphError(
            f"{theory!r} is not a theory of the graph",
            "give theory= the IRI of one of the six theories (see /compare)",
        )
    if outcome not in g and outcome not in graph.nodes:
        raise RelgraphError(
            f"{outcome!r} is not an outcome or construct the graph links",
            "give outcome= the IRI of an outcome (see the columns of /gaps)",
        )
    # A path runs from the theory only: other theories are not stepping stones.
    allowed = g.subgraph([n for n in g if n == theory or n not in theories])
    paths: list[list[str]] = []
    if outcome in allowed and nx.has_path(allowed, theory, outcome):
        for path in nx.all_shortest_paths(allowed, theory, outcome):
            paths.append(path)
            if len(paths) >= MAX_PATHS:
                break
    return {
        "theory": _node(graph, theory, link),
        "outcome": _node(graph, outcome, link),
        "length": len(paths[0]) - 1 if paths else None,
        "paths": [{"steps": _steps(graph, allowed, p, link)} for p in paths],
        "truncated": len(paths) >= MAX_PATHS,
    }


def _node(graph: TheoryGraph, iri: str, link: Callable[[str], str]) -> dict[str, str]:
    node = graph.nodes.get(iri)
    return {
        "iri": iri,
        "label": graph.label(iri),
        "kind": node.kind.key if node else "other",
        "href": link(iri),
    }


def _steps(
    graph: TheoryGraph, g: nx.MultiDiGraph, path: list[str], link: Callable[[str], str]
) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for source, target in zip(path, path[1:], strict=False):
        relations: set[str] = set()
        findings: list[dict[str, Any]] = []
        for data in g.get_edge_data(source, target).values():
            if "finding" in data:
                finding = graph.findings[data["finding"]]
                state = _STATE[direction_key(finding.direction)]
                findings.append(
                    {
                        "iri": finding.iri,
                        "label": finding.label,
                        "href": link(finding.iri),
                        "direction": state.key,
                        "directionLabel": state.label,
                        "symbol": state.symbol,
                        "works": sorted(graph.label(w) for w in finding.works),
                    }
                )
            else:
                relations.add(data["relation"])
        steps.append(
            {
                "source": _node(graph, source, link),
                "target": _node(graph, target, link),
                "relations": [
                    {"iri": r, "label": RELATIONS.get(r, "factor in its findings")}
                    for r in sorted(relations)
                ],
                "findings": sorted(findings, key=lambda f: f["label"].lower()),
            }
        )
    return steps
