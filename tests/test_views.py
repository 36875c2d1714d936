"""The views' data (issue 11), computed from the real graph, checked against the review.

McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relgraph.catalog import load_query
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.views.analytics import centrality, evidence_path, shared_elements
from relgraph.views.compare import comparison
from relgraph.views.entity import entity_page
from relgraph.views.explorer import explorer_data
from relgraph.views.gaps import gap_map, research_gaps
from relgraph.views.graph import TheoryGraph, theory_graph
from relgraph.views.iris import local_path, split_extension
from relgraph.views.reflow import lexicon_of, reflow
from relgraph.views.source import LocalSource, ViewSource
from relgraph.vocab import RGR
from tests import ROOT, SEED_DIR, requires_seed

VIEW_QUERIES = sorted((ROOT / "queries" / "views").glob("*.rq"))
BASE = "https://w3id.org/relgraph/"


def same(iri: str) -> str:
    return iri


@pytest.fixture(scope="module")
def source(repo_settings: Settings, repo_store: GraphStore) -> ViewSource:
    return LocalSource(repo_settings, repo_store)


@pytest.fixture(scope="module")
def graph(source: ViewSource) -> TheoryGraph:
    return theory_graph(source)


@pytest.mark.parametrize("path", VIEW_QUERIES, ids=[p.stem for p in VIEW_QUERIES])
def test_view_query_returns_its_expected_shape(path: Path, repo_store: GraphStore) -> None:
    """Every view query has a header and answers with its expected columns and rows."""
    query = load_query(path)
    assert query.id.startswith("view-")
    result = query.run(repo_store)
    assert [v.value for v in result.variables] == list(query.columns)  # type: ignore[union-attr]
    assert len(list(result)) >= query.min_rows


def _row(data: dict[str, Any], iri: str, parent: str = "") -> dict[str, Any]:
    return next(r for r in data["rows"] if r["iri"] == iri and r["parent"] == parent)


def _cell(data: dict[str, Any], row: dict[str, Any], outcome: str) -> dict[str, Any]:
    return next(c for c in row["cells"] if c["outcome"] == outcome)


def test_gap_cell_collaborative_adherence_in_psychiatric_settings(graph: TheoryGraph) -> None:
    """'A collaborative approach has been linked to better patient outcome in a variety of
    psychiatric settings, from increased treatment adherence (Eisenthal et al. 1979; Fenton
    et al. 1997)': supported, one finding, two cited works."""
    data = gap_map(graph, same, "psychiatric")
    row = _row(data, str(RGR["model-collaborative"]), str(RGR["theory-role-theory"]))
    cell = _cell(data, row, str(RGR["outcome-treatment-adherence"]))
    assert (cell["findings"], cell["works"], cell["state"]) == (1, 2, "supported")
    finding = data["findings"][cell["finding_iris"][0]]
    assert [w["label"] for w in finding["works"]] == ["Eisenthal et al. 1979", "Fenton et al. 1997"]
    # Role theory's treatment adherence cell counts the same finding and works.
    theory = _cell(
        data, _row(data, str(RGR["theory-role-theory"])), str(RGR["outcome-treatment-adherence"])
    )
    assert (theory["findings"], theory["works"]) == (1, 2)


def test_gap_map_untested_in_psychiatric_settings(graph: TheoryGraph) -> None:
    """Social constructionism and social psychology report no finding from psychiatric
    settings (the conversation analysis is of general medical practice consultations; the
    influence strategies study names no setting); in all settings, social psychology's
    influence strategies are positively and negatively related to therapy quality: mixed."""
    psychiatric = gap_map(graph, same, "psychiatric")
    for name in ("theory-social-constructionism", "theory-social-psychology"):
        row = _row(psychiatric, str(RGR[name]))
        assert all(c["state"] == "none" for c in row["cells"]), name
    everything = gap_map(graph, same, "")
    row = _row(everything, str(RGR["theory-social-psychology"]))
    quality = _cell(everything, row, str(RGR["outcome-therapy-quality"]))
    assert (quality["findings"], quality["works"], quality["state"]) == (3, 1, "mixed")


def test_systems_theory_settings(graph: TheoryGraph) -> None:
    """'Differences in attitude toward patient illness ... predicted better outcome among
    depressive inpatients (Priebe 1989; Priebe and Pommerien 1992), and in psychiatric
    community care (Priebe and Gruyters 1994). In general medical practice, clinical case
    study descriptions reveal that many patients seek to form a compensatory alliance'."""
    systems = str(RGR["theory-systems-theory"])
    attitude = [
        f
        for f in graph.findings.values()
        if f.theory == systems and str(RGR["construct-attitude-difference"]) in f.factors
    ]
    settings = {graph.label(s) for f in attitude for s in f.settings}
    assert settings == {"psychiatric inpatient care", "psychiatric community care"}
    kinds = {k for f in attitude for k in f.setting_kinds}
    assert {graph.label(k) for k in kinds} == {"psychiatric settings"}
    works = {graph.label(w) for f in attitude for w in f.works}
    assert works == {"Priebe 1989", "Priebe and Pommerien 1992", "Priebe and Gruyters 1994"}
    alliance = graph.findings[str(RGR["finding-compensatory-alliance"])]
    assert {graph.label(s) for s in alliance.settings} == {"general medical practice"}
    assert {graph.label(w) for w in alliance.works} == {"Hahn et al. 1988"}
    # The gap map: systems theory x patient outcome in psychiatric settings, 2 findings, 3 works.
    data = gap_map(graph, same, "psychiatric")
    cell = _cell(data, _row(data, systems), str(RGR["outcome-patient-outcome"]))
    assert (cell["findings"], cell["works"], cell["state"]) == (2, 3, "supported")


def test_gap_map_rejects_an_unknown_setting_kind(graph: TheoryGraph) -> None:
    from relgraph.errors import RelgraphError

    with pytest.raises(RelgraphError, match="no kind of setting 'hospitals'") as info:
        gap_map(graph, same, "hospitals")
    assert "psychiatric" in info.value.hint


def test_research_gaps_beside_the_map(source: ViewSource, graph: TheoryGraph) -> None:
    """The review's own gaps, e.g. 'None of the theories identified have been fully specified
    and comprehensively investigated in psychiatric settings'."""
    gaps = research_gaps(source.rows("view-research-gaps"), graph, same, None)
    assert len(gaps) == 5
    first = next(
        g for g in gaps if g["iri"].endswith("gap-theories-not-fully-specified-and-tested")
    )
    assert len([c for c in first["concerns"] if c["iri"].startswith(str(RGR["theory-"]))]) == 6
    assert any("fully specified" in " ".join(p["reflowed"]) for p in first["passages"])


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


@requires_seed
def test_reflow_joins_soft_hyphens_and_keeps_compounds() -> None:
    text = next(SEED_DIR.glob("*.txt")).read_text(encoding="utf-8")
    lexicon = lexicon_of(text)
    start = text.index("The second, consumer-")
    out = " ".join(reflow(text[start : start + 200], lexicon))
    assert "consumer-based, model emphasises the authority of the patient" in out
    assert reflow("has been found to predict treatment ad-\nherence and", lexicon) == [
        "has been found to predict treatment adherence and"
    ]


def test_iri_paths() -> None:
    assert local_path(BASE + "resource/theory-role-theory", BASE) == "/resource/theory-role-theory"
    assert local_path(BASE + "ontology", BASE) == "/ontology"
    assert local_path("http://purl.obolibrary.org/obo/ECO_0006017", BASE) is None
    assert split_extension("ontology/releases/0.1.0") == ("ontology/releases/0.1.0", None)
