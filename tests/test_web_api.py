"""Every SPARQL Protocol rule of /sparql, and the introspection pages, via Flask's client."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from relgraph.loading import parse_file
from tests import FIXTURE_DATA

SELECT = "SELECT ?label WHERE { rgr:theory-role-theory rdfs:label ?label }"
ASK = "ASK { ?s a rg:Theory }"
CONSTRUCT = "CONSTRUCT WHERE { ?s a rg:Theory }"
MINI = "https://w3id.org/relgraph/graph/tests/data/fixture/mini"
CORE = "https://w3id.org/relgraph/graph/ontology/modules/core"
FORM = "application/x-www-form-urlencoded"


def parse_rdf(data: bytes, media_type: str) -> rdflib.Graph:
    """Parse RDF with pyoxigraph (rdflib's JSON-LD parser warns) into an rdflib graph."""
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.from_media_type(media_type))]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


def bindings(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.data
    rows: list[dict[str, Any]] = json.loads(response.data)["results"]["bindings"]
    return rows


# -- the three ways of sending a query ---------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(client: Any) -> None:
    via_get = client.get("/sparql", query_string={"query": SELECT})
    via_form = client.post("/sparql", data={"query": SELECT})
    via_direct = client.post(
        "/sparql", data=SELECT.encode(), content_type="application/sparql-query"
    )
    expected = [{"label": {"type": "literal", "value": "role theory", "xml:lang": "en"}}]
    for response in (via_get, via_form, via_direct):
        assert response.mimetype == "application/sparql-results+json"
        assert bindings(response) == expected


def test_post_direct_takes_dataset_from_the_url(client: Any) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"
    response = client.post(
        f"/sparql?default-graph-uri={quote(CORE)}",
        data=query.encode("utf-8"),
        content_type="application/sparql-query; charset=utf-8",
    )
    assert bindings(response)[0]["n"]["value"] == "0"


def test_wrong_method_is_405_with_allow(client: Any) -> None:
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/sparql", data={"query": ASK})
        assert response.status_code == 405
        assert {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))
        assert response.json["ok"] is False and response.json["status"] == 405


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x"]
)
def test_wrong_media_type_is_415(client: Any, content_type: str) -> None:
    response = client.post("/sparql", data=ASK.encode(), content_type=content_type)
    assert response.status_code == 415
    assert response.json["status"] == 415


def test_missing_body_type_is_415(client: Any) -> None:
    response = client.post("/sparql", data=ASK.encode(), headers={"Content-Type": ""})
    assert response.status_code == 415


def test_non_utf8_is_refused(client: Any) -> None:
    latin = 'SELECT * WHERE { ?s rdfs:label "théorie" }'.encode("latin-1")
    assert (
        client.post("/sparql", data=latin, content_type="application/sparql-query").status_code
        == 400
    )
    response = client.post(
        "/sparql", data=ASK.encode(), content_type="application/sparql-query; charset=latin-1"
    )
    assert response.status_code == 415


def test_malformed_query_is_400_with_line_and_column(client: Any) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert response.status_code == 400
    body = response.json
    assert body["ok"] is False and body["type"] == "QuerySyntaxError"
    assert body["line"] == 2 and isinstance(body["column"], int)
    assert f"line 2, column {body['column']}" in body["error"]


def test_exactly_one_query(client: Any) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400 and "exactly one" in response.json["hint"]
    both = client.post(
        "/sparql?query=ASK%7B%7D", data=ASK.encode(), content_type="application/sparql-query"
    )
    assert both.status_code == 400
    empty = client.post("/sparql", data={"default-graph-uri": MINI})
    assert empty.status_code == 400


# -- read-only by construction -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/x.ttl>",
        "CLEAR DEFAULT",
        "DROP ALL",
    ],
)
def test_updates_in_any_channel_are_403(client: Any, text: str, app: Any) -> None:
    before = len(app.extensions["relgraph"].store)
    responses = [
        client.get("/sparql", query_string={"query": text}),
        client.post("/sparql", data={"query": text}),
        client.post("/sparql", data={"update": text}),
        client.get("/sparql", query_string={"update": text}),
        client.post("/sparql", data=text.encode(), content_type="application/sparql-update"),
        client.post("/sparql", data=text.encode(), content_type="application/sparql-query"),
    ]
    for response in responses:
        assert response.status_code == 403, response.data
        assert response.json["type"] == "QueryRejected"
        assert "refused" in response.json["error"]
    assert len(app.extensions["relgraph"].store) == before
    assert bindings(client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 1"}))


def test_service_is_403(client: Any) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403 and "SERVICE" in response.json["error"]


# -- dataset -----------------------------------------------------------------


def count(client: Any, query: str, **params: Any) -> int:
    rows = bindings(client.get("/sparql", query_string={"query": query, **params}))
    return int(rows[0]["n"]["value"])


def test_protocol_dataset_overrides_from(client: Any) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"
    assert count(client, query) == 1
    assert count(client, query, **{"default-graph-uri": CORE}) == 0
    from_core = query.replace("WHERE", f"FROM <{CORE}> WHERE")
    assert count(client, from_core) == 0
    assert count(client, from_core, **{"default-graph-uri": MINI}) == 1
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, graphs, **{"named-graph-uri": [MINI, CORE]}) == 2
    assert count(client, graphs, **{"default-graph-uri": MINI}) == 0


def test_relative_graph_iris_resolve_against_the_endpoint(client: Any) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert count(client, query, **{"default-graph-uri": "graphs/none"}) == 0
    relative = "SELECT ?g WHERE { BIND(<g1> AS ?g) }"
    rows = bindings(client.get("/sparql", query_string={"query": relative}))
    assert rows[0]["g"]["value"] == "http://localhost/g1"


def test_from_a_file_or_url_reads_nothing(client: Any) -> None:
    for source in ("file:///etc/passwd", "http://127.0.0.1:9/data.ttl"):
        query = f"SELECT * FROM <{source}> WHERE {{ ?s ?p ?o }}"
        assert bindings(client.get("/sparql", query_string={"query": query})) == []


# -- content negotiation -----------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/csv;q=1.0, application/sparql-results+xml;q=0.9", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_negotiates_with_q_values(client: Any, accept: str | None, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]


def test_select_formats_parse_back(client: Any) -> None:
    def get(fmt: str) -> bytes:
        return client.get("/sparql", query_string={"query": SELECT, "format": fmt}).data

    xml = ox.parse_query_results(get("xml"), format=ox.QueryResultsFormat.XML)
    assert [s["label"] for s in xml] == [ox.Literal("role theory", language="en")]  # type: ignore[index]
    rows = list(csv.reader(io.StringIO(get("csv").decode())))
    assert rows == [["label"], ["role theory"]]
    assert get("tsv").decode().splitlines() == ["?label", '"role theory"@en']


def test_ask_formats(client: Any) -> None:
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.json == {"head": {}, "boolean": True}
    xml = client.get(
        "/sparql", query_string={"query": ASK}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert b"<boolean>true</boolean>" in xml.data


@pytest.mark.parametrize(
    ("accept", "mimetype", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml;q=0.4, application/ld+json;q=0.8", "application/ld+json", "json-ld"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_construct_negotiates_rdf(
    client: Any, accept: str, mimetype: str, rdflib_format: str
) -> None:
    for query in (CONSTRUCT, "DESCRIBE rgr:theory-role-theory"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == mimetype
        graph = parse_rdf(response.data, response.mimetype)
        assert len(graph) >= 1


def test_format_parameter_is_an_alias(client: Any) -> None:
    pairs = [
        (SELECT, "csv", "text/csv"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (SELECT, "application/sparql-results+json", "application/sparql-results+json"),
    ]
    for query, fmt, mimetype in pairs:
        response = client.get(
            "/sparql",
            query_string={"query": query, "format": fmt},
            headers={"Accept": "text/turtle"},
        )
        assert response.mimetype == mimetype
    # A value that names no format falls back to the Accept header (issue #8).
    unknown = client.get(
        "/sparql", query_string={"query": SELECT, "format": "pdf"}, headers={"Accept": "text/csv"}
    )
    assert unknown.status_code == 200 and unknown.mimetype == "text/csv"


def test_unacceptable_type_is_406(client: Any) -> None:
    response = client.get(
        "/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406


def test_browsers_get_the_page(client: Any) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": browser})
    assert response.status_code == 303 and response.location.startswith("/?query=")
    described = client.get("/sparql", headers={"Accept": browser})
    assert described.status_code == 303 and described.location == "/"


# -- limits ------------------------------------------------------------------


def test_truncation_is_signalled_in_a_header(make_app: Any) -> None:
    client = make_app(max_rows=3).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert len(bindings(response)) == 3
    assert response.headers["X-Relgraph-Truncated"] == "true"
    assert response.headers["X-Relgraph-Rows"] == "3"
    small = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
    assert small.headers["X-Relgraph-Truncated"] == "false"
    assert float(small.headers["X-Relgraph-Elapsed-Ms"]) >= 0


def test_timeout_is_503_with_retry_after(make_app: Any) -> None:
    client = make_app(query_time_limit_ms=800).test_client()
    expensive = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    response = client.get("/sparql", query_string={"query": expensive})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "query_time_limit_ms" in response.json["error"]
    assert "LIMIT" in response.json["hint"]
    lowered = client.get("/sparql", query_string={"query": expensive, "timeout": "200"})
    assert lowered.status_code == 503 and "200 ms" in lowered.json["error"]
    raised = client.get("/sparql", query_string={"query": ASK, "timeout": "999999"})
    assert raised.headers["X-Relgraph-Time-Limit-Ms"] == "800"


def test_body_size_cap_is_413(make_app: Any) -> None:
    client = make_app(max_request_bytes=200).test_client()
    big = "ASK { ?s ?p ?o } #" + "x" * 400
    assert client.post("/sparql", data={"query": big}).status_code == 413
    direct = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert direct.status_code == 413
    assert direct.json["status"] == 413 and "max_request_bytes" in direct.json["hint"]


def test_free_sparql_off_is_403(make_app: Any) -> None:
    client = make_app(allow_free_sparql=False).test_client()
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.status_code == 403 and "allow_free_sparql" in response.json["error"]
    assert client.get("/queries/fx01-models.json").status_code == 200


# -- headers -----------------------------------------------------------------


def test_cors_without_credentials_and_nosniff(client: Any) -> None:
    response = client.get(
        "/sparql", query_string={"query": ASK}, headers={"Origin": "http://x.org"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "X-Relgraph-Truncated" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "http://x.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    error = client.get("/sparql", query_string={"query": "nonsense"})
    assert error.headers["X-Content-Type-Options"] == "nosniff"
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_errors_never_reflect_input_as_html(client: Any) -> None:
    attack = "<script>alert(1)</script>"
    for response in (
        client.get("/sparql", query_string={"query": attack}),
        client.get("/sparql", query_string={"query": attack}, headers={"Accept": "text/html"}),
        client.get("/entity", query_string={"iri": attack}, headers={"Accept": "text/html"}),
        client.get("/queries/" + quote(attack, safe=""), headers={"Accept": "text/html"}),
        client.get("/", query_string={"query": attack}),
    ):
        assert response.status_code >= 400
        assert b"<script>alert" not in response.data
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.mimetype == "application/json":
            assert response.json["ok"] is False


# -- service description, VoID, introspection -------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        (None, "turtle"),
    ],
)
def test_service_description_by_negotiation(
    client: Any, accept: str | None, rdflib_format: str
) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = parse_rdf(response.data, response.mimetype)
    service = rdflib.URIRef("http://localhost/sparql")
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    names = set(graph.objects(None, SD.name))
    assert rdflib.URIRef(MINI) in names


def test_void_has_statistics_and_partitions(client: Any) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = parse_rdf(response.data, response.mimetype)
    dataset = rdflib.URIRef("http://localhost/.well-known/void#relgraph")
    assert (dataset, rdflib.RDF.type, VOID.Dataset) in graph
    assert len(list(graph.objects(dataset, VOID.subset))) == len(
        client.get("/-/graphs.json").json["graphs"]
    )
    stats = client.get("/-/statistics.json").json
    assert int(graph.value(dataset, VOID.triples)) == stats["triples"] > 0  # type: ignore[arg-type]
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef("http://localhost/sparql")
    classes = {graph.value(p, VOID["class"]) for p in graph.objects(dataset, VOID.classPartition)}
    assert rdflib.URIRef("https://w3id.org/relgraph/ontology/Theory") in classes
    properties = {
        graph.value(p, VOID.property) for p in graph.objects(dataset, VOID.propertyPartition)
    }
    assert rdflib.RDFS.label in properties
    jsonld = client.get("/.well-known/void?format=jsonld")
    assert jsonld.mimetype == "application/ld+json"
    assert len(parse_rdf(jsonld.data, jsonld.mimetype)) == len(graph)


def test_introspection_json(client: Any, app: Any) -> None:
    settings = client.get("/-/settings.json").json
    assert settings["settings"]["query_time_limit_ms"] == 10000
    assert "query_time_limit_ms" in settings["help"]
    graphs = client.get("/-/graphs.json").json
    mini_triples = len(list(parse_file(FIXTURE_DATA / "mini.ttl")))
    assert {"iri": MINI, "triples": mini_triples} in graphs["graphs"]
    assert graphs["triples"] == len(app.extensions["relgraph"].store)
    version = client.get("/-/version.json").json
    assert version["relgraph"] and version["ontology_version_iri"].startswith("https://w3id.org/")
    assert client.get("/-/prefixes.json").json["rg"] == "https://w3id.org/relgraph/ontology/"
    terms = client.get("/-/terms.json").json["terms"]
    theory = {
        "iri": "https://w3id.org/relgraph/ontology/Theory",
        "label": "theory",
        "kind": "class",
    }
    assert theory in terms


def test_service_description_turtle_declares_only_used_prefixes(client: Any) -> None:
    """Regression: rdflib's default bindings (brick:, qb:, doap: ...) leaked into Turtle."""
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    declared = {line.split()[1] for line in text.splitlines() if line.startswith("@prefix")}
    assert "brick:" not in declared and "doap:" not in declared
    assert {"sd:", "void:"} <= declared
