"""The view pages, their JSON twins and the IRIs' own paths (issue 11), through Flask's client.

Every IRI form of ours answers at its path: 303 to the document the client's
``Accept`` asks for, and each document in its format. A planted label with
``<script>`` and markup shows as text on every page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.settings import Settings
from relgraph.store.builder import build, open_built
from tests import ROOT

BASE = "https://w3id.org/relgraph/"

#: One IRI of each form of the IRI policy (ontology/README.md).
IRI_FORMS = [
    "resource/theory-role-theory",
    "resource/model-collaborative",
    "ontology",
    "ontology/Theory",
    "ontology/hasRelationshipModel",
    "ontology/modules/theory",
    "ontology/releases/0.1.0",
    "graph/data/role-theory",
    "shapes/Citation-citesWork",
]
RDF_DOCUMENTS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@pytest.fixture(scope="module")
def real(repo_settings: Settings) -> Iterator[Any]:
    """A client of the app over the real graph."""
    from relgraph.web import create_app

    app = create_app(repo_settings)
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["relgraph"].close()


@pytest.mark.parametrize(
    "path",
    [
        "/graph",
        "/compare",
        "/gaps",
        "/analytics",
        "/analytics/shared",
        "/analytics/centrality",
        "/analytics/path",
    ],
)
def test_every_view_has_a_page_and_a_json_twin(real: Any, path: str) -> None:
    page = real.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Content-Security-Policy" in page.headers
    twin = real.get(path + ".json")
    assert twin.status_code == 200 and twin.mimetype == "application/json"
    assert f'href="{path}.json' in page.get_data(as_text=True)


def test_gaps_json_filters_by_setting_kind(real: Any) -> None:
    data = real.get("/gaps.json?settingKind=psychiatric").get_json()
    assert data["filter"]["settingKind"] == "psychiatric"
    role = next(r for r in data["rows"] if r["iri"] == BASE + "resource/model-collaborative")
    cell = next(
        c for c in role["cells"] if c["outcome"] == BASE + "resource/outcome-treatment-adherence"
    )
    assert (cell["findings"], cell["works"], cell["state"]) == (1, 2, "supported")
    bad = real.get("/gaps.json?settingKind=nowhere")
    assert bad.status_code == 400 and "psychiatric" in bad.get_json()["hint"]


def test_path_json(real: Any) -> None:
    answer = real.get(
        "/analytics/path.json",
        query_string={
            "theory": BASE + "resource/theory-role-theory",
            "outcome": BASE + "resource/outcome-patient-satisfaction",
        },
    ).get_json()
    assert answer["result"]["length"] == 2
    assert real.get("/analytics/path.json?theory=x").status_code == 400


@pytest.mark.parametrize("name", IRI_FORMS)
def test_every_iri_form_answers_at_its_path(real: Any, name: str) -> None:
    browser = real.get("/" + name, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["Location"].endswith(f"/{name}.html")
    assert "Accept" in browser.headers["Vary"]
    for media, ext in [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
        ("application/json", "json"),
    ]:
        answer = real.get("/" + name, headers={"Accept": media})
        assert answer.status_code == 303, (name, media)
        assert answer.headers["Location"].endswith(f"/{name}.{ext}")
    page = real.get(f"/{name}.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert BASE + name in page.get_data(as_text=True)
    assert real.get(f"/{name}.json").get_json()["iri"] == BASE + name
    for ext, fmt in RDF_DOCUMENTS.items():
        doc = real.get(f"/{name}.{ext}")
        assert doc.status_code == 200, (name, ext)
        assert doc.headers["Content-Location"] == f"/{name}.{ext}"
        triples = list(ox.parse(doc.data, format=fmt))
        assert triples, (name, ext)
        terms = (
            {t.subject for t in triples}
            | {t.object for t in triples}
            | {t.graph_name for t in triples}
        )
        assert ox.NamedNode(BASE + name) in terms or name.startswith("graph/"), (name, ext)


def test_unknown_iri_is_404(real: Any) -> None:
    assert real.get("/resource/no-such-thing.html").status_code == 404
    assert real.get("/resource/no-such-thing.ttl").status_code == 404
    assert real.get("/resource/no-such-thing.json").get_json()["found"] is False


def test_entity_page_content(real: Any) -> None:
    html = real.get("/resource/model-collaborative.html").get_data(as_text=True)
    assert "collaborative relationship" in html
    assert "has relationship model" in html  # the other direction, by label
    assert "Eisenthal et al. 1979" in html and "Fenton et al. 1997" in html
    assert "characters 6088–6376" in html
    data = real.get("/resource/model-collaborative.json").get_json()
    assert data["mappings"] is not None
    term = real.get("/ontology/Finding.json").get_json()
    assert term["term"]["uses_count"] == 26


PLANTED = '<script>alert("x")</script><b>bold</b> & "quoted"'


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An app over the fixture data plus a theory, model and finding labelled with markup."""
    from relgraph.web import create_app
    from tests.conftest import make_fixture_settings

    tmp = tmp_path_factory.mktemp("planted")
    data = tmp / "data"
    shutil.copytree(ROOT / "tests" / "data" / "fixture", data)
    label = "'''" + PLANTED + "'''@en"
    short = "'''" + PLANTED[:24] + "'''@en"
    (data / "planted.ttl").write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX rg: <https://w3id.org/relgraph/ontology/>\n"
        "PREFIX rgr: <https://w3id.org/relgraph/resource/>\n"
        "PREFIX obo: <http://purl.obolibrary.org/obo/>\n"
        f"rgr:theory-planted a rg:Theory ; rdfs:label {label} ; dcterms:description {label} ;\n"
        "    rg:hasRelationshipModel rgr:model-planted .\n"
        f"rgr:model-planted a rg:RelationshipModel ; rdfs:label {short} .\n"
        f"rgr:finding-planted a rg:Finding ; rdfs:label {short} ;\n"
        "    rg:aboutTheory rgr:theory-planted ; rg:hasFactor rgr:model-planted ;\n"
        "    rg:concernsOutcome rgr:outcome-treatment-adherence ;\n"
        "    rg:hasDirection rg:PositiveDirection ; rg:hasEvidenceType obo:ECO_0006017 ;\n"
        "    rg:citesAsEvidence rgr:work-eisenthal-etal-1979 .\n",
        encoding="utf-8",
    )
    settings = make_fixture_settings(tmp, data_dir=data).replace(queries_dir=str(ROOT / "queries"))
    build(settings, force=True)
    app = create_app(settings, open_built(settings))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["relgraph"].close()


PAGES = [
    "/",
    "/queries",
    "/graph",
    "/compare",
    "/gaps",
    "/gaps?settingKind=none",
    "/analytics",
    "/analytics/shared",
    "/analytics/centrality",
    "/analytics/path?theory=https://w3id.org/relgraph/resource/theory-planted"
    "&outcome=https://w3id.org/relgraph/resource/outcome-treatment-adherence",
    "/resource/theory-planted.html",
    "/resource/model-planted.html",
    "/resource/finding-planted.html",
    "/resource/outcome-treatment-adherence.html",
    "/graph/extra/planted.html",
    "/entity?iri=https://w3id.org/relgraph/resource/theory-planted",
]


@pytest.mark.parametrize("path", PAGES)
def test_planted_markup_shows_as_text(planted: Any, path: str) -> None:
    response = planted.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    assert '<script>alert("x")' not in html and "<b>bold</b>" not in html
    assert "<script>alert(" not in html.replace("&lt;script&gt;alert(", "")
    if path not in {"/", "/queries"}:
        assert "&lt;script&gt;alert(" in html or "\\u003cscript\\u003ealert(" in html, path
    for inline in html.split("<script")[1:]:
        head = inline.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, f"inline script on {path}"
