"""The added studies as pages and views read them (relgraph.views.studies, issue 15).

Over a project copy with the hypothetical example study imported (fixture
``studied``; "Hypothetica et al. 2029" is not a real publication) and over the
real graph, which holds the review alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from relgraph.errors import UnknownStudy
from relgraph.store import GraphStore
from relgraph.store.builder import open_built
from relgraph.views.studies import (
    filled_gaps,
    list_studies,
    review_graph_iris,
    studies_data,
    study_data,
    study_graph_iris,
)
from relgraph.vocab import RGR
from tests.curation.studies import EXAMPLE_ID


@pytest.fixture(scope="module")
def store(studied: tuple[Any, Any]) -> GraphStore:
    return open_built(studied[0])


def test_each_study_is_listed_with_work_curator_date_and_counts(store: GraphStore) -> None:
    (info,) = list_studies(store)
    assert info.study == EXAMPLE_ID
    assert info.label == "Hypothetica et al. 2029" and "not a real publication" in info.title
    assert (info.curator, info.date) == ("Josiah Carberry", "2026-12-01")
    assert info.curator_iri == "https://orcid.org/0000-0002-1825-0097"
    assert (info.findings, info.method_applications, info.new_entities) == (6, 2, 4)
    assert info.graph.endswith(f"/graph/data/studies/{EXAMPLE_ID}")


def test_the_review_alone_is_every_graph_but_the_studies(store: GraphStore) -> None:
    studies, review = study_graph_iris(store), review_graph_iris(store)
    assert studies == [list_studies(store)[0].graph]
    assert not set(studies) & set(review)
    assert set(studies) | set(review) == {g.iri for g in store.graphs()}
    ask = "ASK { ?f rg:citesAsEvidence rgr:work-hypothetica-etal-2029 }"
    assert store.ask(ask) and not store.ask(ask, default_graphs=review)


def test_filled_gaps_are_cells_the_review_left_empty_under_a_stated_gap(
    store: GraphStore,
) -> None:
    gaps = {(g.theory_label, g.outcome_label, g.setting_kind_label): g for g in filled_gaps(store)}
    # the review states that no theory has been fully tested in psychiatric settings, and
    # has no finding of psychoanalysis on early drop-out there; the study has one
    cell = gaps[("psychoanalysis", "early drop-out", "psychiatric settings")]
    assert cell.studies == (EXAMPLE_ID,)
    assert str(RGR["gap-theories-not-fully-specified-and-tested"]) in cell.gaps
    assert cell.findings == (str(RGR[f"finding-therapeutic-alliance-drop-out-{EXAMPLE_ID}"]),)
    # a cell the review already fills is no gap: collaborative relationship ->
    # treatment adherence in psychiatric settings under role theory
    assert not any(t == "role theory" and o == "treatment adherence" for t, o, _ in gaps)


def test_page_data_links_entities_doi_and_orcid(store: GraphStore) -> None:
    data = studies_data(store, lambda iri: f"/entity?iri={iri}", lambda s: f"/studies/{s}")
    (study,) = data["studies"]
    assert study["page"] == f"/studies/{EXAMPLE_ID}"
    assert study["work_page"] == f"/entity?iri={RGR['work-hypothetica-etal-2029']}"
    assert study["doi_url"] == "https://doi.org/10.5555/relgraph.hypothetical.2029"
    assert study["orcid_url"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["graphs"]["studies"] == [study["graph"]]
    assert len(data["filled_gaps"]) == len(filled_gaps(store))
    detail = study_data(store, EXAMPLE_ID, str, str)
    kinds = [c["kind"] for c in detail["claims"]]
    assert kinds.count("finding") == 6 and kinds.count("method application") == 2
    assert all(c["quotation"] and c["locator"] for c in detail["claims"])
    assert {e["kind"] for e in detail["entities"]} <= {
        "Construct", "Outcome", "Instrument", "PatientCharacteristic", "Setting",
    }  # fmt: skip
    assert len(detail["entities"]) == 4


def test_an_unknown_study_is_a_404_naming_the_known_ones(store: GraphStore) -> None:
    with pytest.raises(UnknownStudy, match="no imported study has the id 'nope'") as caught:
        study_data(store, "nope", str, str)
    assert caught.value.http_status == 404 and EXAMPLE_ID in caught.value.hint


def test_the_review_alone_has_no_studies_and_fills_no_gap(repo_store: GraphStore) -> None:
    assert list_studies(repo_store) == [] and study_graph_iris(repo_store) == []
    assert filled_gaps(repo_store) == []
    data = studies_data(repo_store, str, str)
    assert data == {"studies": [], "filled_gaps": [], "graphs": {"review": [], "studies": []}}
