"""Entity pages (issue 11), computed from the real graph, checked against the review.

McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from relgraph.store import GraphStore
from relgraph.views.entities import entity_page
from relgraph.views.source import ViewSource
from relgraph.vocab import RGR
from tests.views import same


def test_entity_page_both_directions(source: ViewSource, repo_store: GraphStore) -> None:
    page = entity_page(source, str(RGR["model-collaborative"]), same)
    assert page["label"] == "collaborative relationship"
    incoming = {g["property"]["label"] for g in page["incoming"]}
    assert "has relationship model" in incoming
    finding = next(
        f for f in page["findings"] if f["iri"].endswith("finding-collaborative-adherence")
    )
    assert finding["direction"] == "supported" and [w["label"] for w in finding["works"]] == [
        "Eisenthal et al. 1979",
        "Fenton et al. 1997",
    ]
    assert page["passages"][0]["quotation"].startswith(
        "The third, collaborative or partnership,\nmodel"
    )
    assert "\n" not in page["passages"][0]["reflowed"][0]
    assert page["neighbourhood"]["edges"]
    term = entity_page(source, "https://w3id.org/relgraph/ontology/Finding", same)
    assert term["term"]["is_class"] and term["term"]["uses_count"] == 26
    assert [p["label"] for p in term["term"]["parents"]] == ["claim"]
    assert term["term"]["definition_sources"][0].startswith("McGuire R, McCabe R, Priebe S (2001)")
