"""An independent SPARQL 1.1 Protocol suite, over plain HTTP against the live server.

The tests mirror the query tests of the W3C SPARQL 1.1 Protocol test suite
(``protocol/manifest``: query_get, query_post_form, query_post_direct,
query_dataset_*, query_multiple_dataset, query_content_type_*, bad_query_*),
plus the update tests turned into refusals: this endpoint implements the query
operation only and answers every update with 403, changing nothing.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from relgraph.loading import parse_file
from tests import FIXTURE_DATA, ROOT

MINI = "https://w3id.org/relgraph/graph/tests/data/fixture/mini"
CORE = "https://w3id.org/relgraph/graph/ontology/modules/core"
EVIDENCE = "https://w3id.org/relgraph/graph/ontology/modules/evidence"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: Triples in the two graphs used below, counted from their source files.
CORE_TRIPLES = len(list(parse_file(ROOT / "ontology" / "modules" / "core.ttl")))
MINI_TRIPLES = len(list(parse_file(FIXTURE_DATA / "mini.ttl")))
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


class Endpoint:
    """A minimal HTTP client: every request on a fresh connection, always closed."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self,
        method: str,
        params: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        path = "/sparql" + ("?" + urlencode(params) if params else "")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def form(self, params: list[tuple[str, str]], **headers: str) -> tuple[int, Any, bytes]:
        body = urlencode(params).encode()
        return self.request(
            "POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )


@pytest.fixture(scope="module")
def ep(live_server: str) -> Endpoint:
    return Endpoint(live_server)


def solutions(status: int, headers: Any, body: bytes) -> list[dict[str, Any]]:
    assert status == 200, body
    assert headers.get_content_type() == "application/sparql-results+json"
    rows: list[dict[str, Any]] = json.loads(body)["results"]["bindings"]
    return rows


def graphs_of(rows: list[dict[str, Any]]) -> list[str]:
    return [r["g"]["value"] for r in rows]


def number(rows: list[dict[str, Any]]) -> int:
    return int(rows[0]["n"]["value"])


# -- query operation ---------------------------------------------------------


def test_query_get(ep: Endpoint) -> None:
    assert number(solutions(*ep.request("GET", [("query", COUNT_ALL)]))) > 0


def test_query_post_form(ep: Endpoint) -> None:
    assert number(solutions(*ep.form([("query", COUNT_ALL)]))) > 0


def test_query_post_direct(ep: Endpoint) -> None:
    result = ep.request(
        "POST", body=COUNT_ALL.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert number(solutions(*result)) > 0


def test_query_dataset_default_graphs_get(ep: Endpoint) -> None:
    params = [("query", COUNT_ALL), ("default-graph-uri", CORE), ("default-graph-uri", MINI)]
    both = number(solutions(*ep.request("GET", params)))
    core = number(solutions(*ep.request("GET", params[:2])))
    assert both == core + MINI_TRIPLES


def test_query_dataset_default_graphs_post(ep: Endpoint) -> None:
    params = [("query", COUNT_ALL), ("default-graph-uri", MINI)]
    assert number(solutions(*ep.form(params))) == MINI_TRIPLES


def test_query_dataset_named_graphs_post(ep: Endpoint) -> None:
    params = [("query", GRAPHS), ("named-graph-uri", MINI), ("named-graph-uri", CORE)]
    assert graphs_of(solutions(*ep.form(params))) == [CORE, MINI]


def test_query_dataset_named_graphs_get(ep: Endpoint) -> None:
    params = [("query", GRAPHS), ("named-graph-uri", EVIDENCE)]
    assert graphs_of(solutions(*ep.request("GET", params))) == [EVIDENCE]


def test_query_dataset_full(ep: Endpoint) -> None:
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o BIND(<urn:default> AS ?g) } "
        "UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g"
    )
    params = [("query", query), ("default-graph-uri", MINI), ("named-graph-uri", CORE)]
    rows = solutions(*ep.request("GET", params))
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == {
        CORE: CORE_TRIPLES,
        "urn:default": MINI_TRIPLES,
    }


def test_query_multiple_dataset(ep: Endpoint) -> None:
    """The protocol dataset overrides the query's FROM and FROM NAMED."""
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CORE}> FROM NAMED <{CORE}> WHERE {{ ?s ?p ?o }}"
    assert number(solutions(*ep.request("GET", [("query", query)]))) == CORE_TRIPLES
    overridden = [("query", query), ("default-graph-uri", MINI)]
    assert number(solutions(*ep.request("GET", overridden))) == MINI_TRIPLES


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_query_content_type_select(ep: Endpoint, accept: str, content_type: str) -> None:
    status, headers, body = ep.request(
        "GET", [("query", "SELECT * { ?s ?p ?o } LIMIT 1")], headers={"Accept": accept}
    )
    assert status == 200 and headers.get_content_type() == content_type and body


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json", "application/sparql-results+json"),
    ],
)
def test_query_content_type_ask(ep: Endpoint, accept: str, content_type: str) -> None:
    status, headers, body = ep.request(
        "GET", [("query", "ASK { ?s ?p ?o }")], headers={"Accept": accept}
    )
    assert status == 200 and headers.get_content_type() == content_type
    assert b"true" in body


@pytest.mark.parametrize(
    "form", ["DESCRIBE rgr:theory-role-theory", "CONSTRUCT WHERE { ?s a rg:Theory }"]
)
@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"]
)
def test_query_content_type_describe_and_construct(ep: Endpoint, form: str, accept: str) -> None:
    status, headers, body = ep.request("GET", [("query", form)], headers={"Accept": accept})
    assert status == 200 and headers.get_content_type() == accept
    assert b"theory-role-theory" in body


# -- bad requests ------------------------------------------------------------


def test_bad_query_method(ep: Endpoint) -> None:
    status, headers, _ = ep.request("PUT", [("query", COUNT_ALL)])
    assert status == 405 and "GET" in headers["Allow"]


def test_bad_multiple_queries(ep: Endpoint) -> None:
    assert ep.request("GET", [("query", COUNT_ALL), ("query", COUNT_ALL)])[0] == 400


def test_bad_query_wrong_media_type(ep: Endpoint) -> None:
    status, _, _ = ep.request(
        "POST", body=COUNT_ALL.encode(), headers={"Content-Type": "text/plain"}
    )
    assert status == 415


def test_bad_query_missing_form_type(ep: Endpoint) -> None:
    body = urlencode([("query", COUNT_ALL)]).encode()
    assert 400 <= ep.request("POST", body=body)[0] < 500


def test_bad_query_missing_direct_type(ep: Endpoint) -> None:
    assert 400 <= ep.request("POST", body=COUNT_ALL.encode())[0] < 500


def test_bad_query_non_utf8(ep: Endpoint) -> None:
    body = 'SELECT * WHERE { ?s ?p "é" }'.encode("utf-16")
    headers = {"Content-Type": "application/sparql-query"}
    assert ep.request("POST", body=body, headers=headers)[0] == 400


def test_bad_query_syntax(ep: Endpoint) -> None:
    status, _, body = ep.request("GET", [("query", "SELECT * WHERE {")])
    assert status == 400
    error = json.loads(body)
    assert error["line"] == 1 and error["column"]


# -- updates are refused -----------------------------------------------------

INSERT = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"


@pytest.mark.parametrize(
    "send",
    [
        lambda ep: ep.form([("update", INSERT)]),
        lambda ep: ep.request("GET", [("update", INSERT)]),
        lambda ep: ep.request(
            "POST", body=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}
        ),
        lambda ep: ep.form([("query", INSERT)]),
        lambda ep: ep.form([("query", "DELETE WHERE { ?s ?p ?o }")]),
        lambda ep: ep.request("GET", [("query", "CLEAR ALL")]),
        lambda ep: ep.request("GET", [("query", "DROP DEFAULT")]),
        lambda ep: ep.request("GET", [("query", "LOAD <urn:x:data>")]),
    ],
    ids=[
        "update_form",
        "update_get",
        "update_direct",
        "query_insert",
        "query_delete",
        "query_clear",
        "query_drop",
        "query_load",
    ],
)
def test_update_is_refused_and_nothing_changes(ep: Endpoint, send: Any) -> None:
    before = number(solutions(*ep.request("GET", [("query", COUNT_ALL)])))
    status, headers, body = send(ep)
    assert status == 403
    assert headers.get_content_type() == "application/json"
    assert "refused" in json.loads(body)["error"]
    assert number(solutions(*ep.request("GET", [("query", COUNT_ALL)]))) == before
