"""Network analytics (issue 11), computed from the real graph, checked against the review.

McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from relgraph.views.analytics import centrality, evidence_path, shared_elements
from relgraph.views.graph import TheoryGraph
from relgraph.vocab import RGR
from tests.views import same


def test_shared_elements_and_centrality(graph: TheoryGraph) -> None:
    """Rating scales are used from role theory ('quantitative rating scales have also been used
    in psychiatry'), psychoanalysis and social psychology; conversation analysis from role
    theory and social constructionism."""
    shared = {e["label"]: e for e in shared_elements(graph, same)["shared"]}
    assert [t["label"] for t in shared["rating scale"]["theories"]] == [
        "role theory",
        "psychoanalysis",
        "social psychology",
    ]
    assert [t["label"] for t in shared["conversation analysis"]["theories"]] == [
        "role theory",
        "social constructionism",
    ]
    data = centrality(graph, same)
    assert set(data["measures"]) == {"degree", "betweenness"}
    assert data["betweenness"][0]["value"] >= data["betweenness"][-1]["value"]
    assert all(0 <= e["value"] <= 1 for e in data["degree"])


def test_shortest_evidence_path(graph: TheoryGraph) -> None:
    role, adherence = str(RGR["theory-role-theory"]), str(RGR["outcome-treatment-adherence"])
    data = evidence_path(graph, role, adherence, same)
    assert data["length"] == 2
    steps = data["paths"][0]["steps"]
    assert [s["target"]["label"] for s in steps] == [
        "collaborative relationship",
        "treatment adherence",
    ]
    assert steps[1]["findings"][0]["works"] == ["Eisenthal et al. 1979", "Fenton et al. 1997"]
    # Social psychology reaches adherence only through a method it shares with role theory
    # (rating scales, used on role relationship patterns).
    shared = evidence_path(graph, str(RGR["theory-social-psychology"]), adherence, same)
    labels = [s["target"]["label"] for s in shared["paths"][0]["steps"]]
    assert labels == ["rating scale", "collaborative relationship", "treatment adherence"]
    # No finding concerns public safety, a treatment goal of psychiatry: an evidence gap.
    none = evidence_path(graph, role, str(RGR["outcome-public-safety"]), same)
    assert none["paths"] == [] and none["length"] is None
