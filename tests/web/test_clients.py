"""A real client (SPARQLWrapper) against a real server (gunicorn) on 127.0.0.1.

The protocol itself (refusals, nothing fetched, deadlines, negotiation) is the
contract suite of ``tests/web/test_protocol.py``, run over HTTP and through
Flask's client; here a client library reads the answers as its users would.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from tests import CORE_GRAPH, MINI_GRAPH, ROLE_THEORY

MINI, CORE = str(MINI_GRAPH), str(CORE_GRAPH)


def run(endpoint: str, query: str, fmt: str = JSON, **options: Any) -> Any:
    """Run a query with SPARQLWrapper and close the response."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if options.get("post"):
        client.setMethod(POST)
    for graph in options.get("default_graphs", ()):
        client.addDefaultGraph(graph)
    for graph in options.get("named_graphs", ()):
        client.addNamedGraph(graph)
    result = client.query()
    try:
        return result.convert()
    finally:
        result.response.close()


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return live_server + "/sparql"


def test_sparqlwrapper_select_in_every_format(endpoint: str) -> None:
    query = f"SELECT ?label WHERE {{ <{ROLE_THEORY}> rdfs:label ?label }}"
    data = run(endpoint, query)
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == ["role theory"]
    assert run(endpoint, query, post=True)["results"]["bindings"] == data["results"]["bindings"]
    xml = run(endpoint, query, XML)
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "role theory"
    assert run(endpoint, query, CSV).decode().splitlines() == ["label", "role theory"]


def test_sparqlwrapper_ask_and_construct(endpoint: str) -> None:
    assert run(endpoint, "ASK { ?s a rg:Theory }")["boolean"] is True
    graph = run(endpoint, "CONSTRUCT WHERE { ?s a rg:Theory }", TURTLE)
    assert b"theory-role-theory" in graph


def test_sparqlwrapper_dataset(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"
    n = run(endpoint, query, default_graphs=[CORE])["results"]["bindings"][0]["n"]["value"]
    assert n == "0"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = run(endpoint, named, named_graphs=[MINI], post=True)["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [MINI]


def test_sparqlwrapper_update_is_refused(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://a.org/s> <http://a.org/p> <http://a.org/o> }")
    with pytest.raises(urllib.error.HTTPError) as info:
        client.query()
    assert info.value.code == 403
    body = json.loads(info.value.read())
    info.value.close()
    assert "updates are refused" in body["error"]
    assert run(endpoint, "ASK { <http://a.org/s> ?p ?o }")["boolean"] is False
