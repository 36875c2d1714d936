"""A real client (SPARQLWrapper) against a real server (gunicorn) on 127.0.0.1.

Also the refusal tests with a listening socket that proves nothing was fetched,
and the deadline over HTTP while another client is served.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from tests import ROLE_THEORY
from tests.conftest import LIVE_TIME_LIMIT_MS

MINI = "https://w3id.org/relgraph/graph/tests/data/fixture/mini"
CORE = "https://w3id.org/relgraph/graph/ontology/modules/core"


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


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A socket on 127.0.0.1 that records any connection made to it."""
    seen: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    seen.append(b"(connected)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(2)
    server.close()


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


def http_get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def query_url(endpoint: str, query: str) -> str:
    return endpoint + "?" + urllib.parse.urlencode({"query": query})


@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("SELECT * FROM <http://127.0.0.1:{port}/graph.ttl> WHERE {{ ?s ?p ?o }}", 200),
        (
            "SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            200,
        ),
        ("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", 403),
        ("SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}", 403),
        ("LOAD <http://127.0.0.1:{port}/data.ttl>", 403),
        # SERVICE as pyoxigraph reads it without word boundaries (issue #8)
        ("PREFIX : <http://127.0.0.1:{port}/> ASK {{ SERVICE:g {{ ?s ?p ?o }} }}", 403),
        ("ASK {{ ?s ?p trueSERVICE<http://127.0.0.1:{port}/>{{ ?s ?p ?o }} }}", 403),
        (
            "ASK {{ ?s ?p ?o FILTER(?s<?p)SERVICE#>\n<http://127.0.0.1:{port}/>{{ ?a ?b ?c }} }}",
            400,
        ),
        ("LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <http://x.org/g>", 403),
    ],
)
def test_nothing_is_ever_fetched(
    endpoint: str, listener: tuple[int, list[bytes]], template: str, status: int
) -> None:
    port, seen = listener
    code, _, body = http_get(query_url(endpoint, template.format(port=port)))
    assert code == status, body
    if status == 200:
        assert json.loads(body)["results"]["bindings"] == []
    time.sleep(0.3)
    assert seen == []


def test_from_a_local_file_reads_nothing(endpoint: str) -> None:
    code, _, body = http_get(query_url(endpoint, "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"))
    assert code == 200
    assert json.loads(body)["results"]["bindings"] == []
    assert b"root" not in body


@pytest.mark.slow
def test_deadline_over_http_while_another_client_is_served(endpoint: str) -> None:
    expensive = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    outcome: dict[str, Any] = {}

    def slow_client() -> None:
        started = time.monotonic()
        outcome["response"] = http_get(query_url(endpoint, expensive))
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow_client)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert run(endpoint, "ASK { ?s a rg:Theory }")["boolean"] is True
    assert time.monotonic() - started < 1.5
    thread.join(LIVE_TIME_LIMIT_MS / 1000 + 10)
    code, headers, body = outcome["response"]
    assert code == 503
    assert int(headers["Retry-After"]) > 0
    error = json.loads(body)
    assert "query_time_limit_ms" in error["error"] and "LIMIT" in error["hint"]
    assert outcome["seconds"] < LIVE_TIME_LIMIT_MS / 1000 + 2
    # The killed worker was replaced: the server keeps answering.
    assert run(endpoint, "ASK { ?s ?p ?o }")["boolean"] is True
