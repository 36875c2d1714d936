"""The comparison of the theories (issue 11).

Computed from the real graph, checked against the review.
McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from relgraph.views.compare import comparison
from relgraph.views.graph import TheoryGraph
from relgraph.views.source import ViewSource
from tests.views import same


def test_comparison_counts(source: ViewSource, graph: TheoryGraph) -> None:
    """Role theory: three models ('paternalistic, consumer based and collaborative'); applied
    more often in psychiatry ('role theory, psychoanalysis and systems theory have been
    applied more often'); social constructionism less often."""
    data = comparison(graph, source.rows("view-theories"), source.rows("view-claims"), same)
    labels = [t["label"] for t in data["theories"]]
    assert labels == [
        "role theory",
        "psychoanalysis",
        "social constructionism",
        "systems theory",
        "social psychology",
        "cognitive behaviourism",
    ]
    rows = {r["key"]: r["cells"] for r in data["rows"]}
    assert [i["label"] for i in rows["models"][0]["items"]] == [
        "collaborative relationship",
        "consumer-based relationship",
        "paternalistic relationship",
    ]
    assert [c["text"] for c in rows["usage"]] == [
        "applied more often",
        "applied more often",
        "applied less often",
        "applied more often",
        "applied less often",
        "applied less often",
    ]
    assert all(c["sources"] for c in rows["usage"]) and all(c["sources"] for c in rows["emphasis"])
    assert rows["psychiatric_findings"][2]["count"] == 0
    assert rows["psychiatric_findings"][3]["count"] == 2
