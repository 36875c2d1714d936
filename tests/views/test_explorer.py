"""The theory explorer's elements (issue 11).

Computed from the real graph, checked against the review.
McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from relgraph.store import GraphStore
from relgraph.views.explorer import explorer_data
from relgraph.views.graph import TheoryGraph
from relgraph.vocab import RGR
from tests.views import same


def test_explorer_elements(graph: TheoryGraph, repo_store: GraphStore) -> None:
    data = explorer_data(graph, same)
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    theories = repo_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?t a rg:Theory }")
    assert sum(1 for n in nodes.values() if n["kind"] == "theory") == int(
        next(iter(theories))["n"].value
    )  # type: ignore[index]
    assert data["counts"]["findings"] == 26  # data/README.md: 26 findings
    edges = data["elements"]["edges"]
    assert all(e["data"]["source"] in nodes and e["data"]["target"] in nodes for e in edges)
    adherence = [
        e["data"]
        for e in edges
        if e["data"].get("finding") == str(RGR["finding-collaborative-adherence"])
    ]
    assert [(e["source"], e["direction"], e["settingKind"]) for e in adherence] == [
        (str(RGR["model-collaborative"]), "supported", "psychiatric")
    ]
    assert {k["key"] for k in data["filters"]["setting_kinds"]} >= {
        "psychiatric",
        "psychotherapy",
        "general-medical",
    }
