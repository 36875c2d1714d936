"""The SPARQL 1.1 Protocol contract of ``/sparql``, run three times: Flask's client (2) and HTTP.

One suite, one fixture (``endpoint``) with three implementations: the Flask
test client of the app (with the fast path of ``/sparql``, and without it, so
through Flask's view: the same protocol code must answer alike), and plain
HTTP (``http.client``, every request on a fresh connection) against a live
gunicorn server (``relgraph serve``) over the same fixture project. The tests
mirror the query tests of the W3C SPARQL 1.1 Protocol test suite
(``protocol/manifest``: query_get, query_post_form, query_post_direct,
query_dataset_*, query_multiple_dataset, query_content_type_*, bad_query_*),
plus the update tests turned into refusals (this endpoint implements the query
operation only and answers every update with 403, changing nothing), content
negotiation, the limits, the headers, the service description, VoID and the
``/-/`` introspection.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph as ox
import pytest
import rdflib

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.sources import parse_file
from relgraph.vocab import SD, VOID
from tests import (
    CORE_GRAPH,
    EVIDENCE_GRAPH,
    EXPENSIVE,
    FIXTURE_DATA,
    MINI_GRAPH,
    ROOT,
    THEORY,
)

MINI, CORE, EVIDENCE = str(MINI_GRAPH), str(CORE_GRAPH), str(EVIDENCE_GRAPH)
SELECT = "SELECT ?label WHERE { rgr:theory-role-theory rdfs:label ?label }"
ASK = "ASK { ?s a rg:Theory }"
CONSTRUCT = "CONSTRUCT WHERE { ?s a rg:Theory }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Triples in the two graphs used below, counted from their source files.
CORE_TRIPLES = len(list(parse_file(ROOT / "ontology" / "modules" / "core.ttl")))
MINI_TRIPLES = len(list(parse_file(FIXTURE_DATA / "mini.ttl")))


@dataclass
class Reply:
    """A response, the same whichever client got it."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip()

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        return json.loads(self.body)


Params = list[tuple[str, str]] | dict[str, str]


class Endpoint:
    """What a client of the server does: requests to paths, with parameters, bodies and headers.

    :ivar base: the server's base URL (``http://localhost`` for Flask's client).
    """

    base: str

    def request(
        self,
        method: str,
        path: str = "/sparql",
        params: Params | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        raise NotImplementedError

    def get(self, params: Params | None = None, path: str = "/sparql", **headers: str) -> Reply:
        return self.request("GET", path, params, headers=_headers(headers))

    def form(self, params: Params, path: str = "/sparql", **headers: str) -> Reply:
        body = urlencode(params).encode()
        return self.request(
            "POST", path, body=body, headers={"Content-Type": FORM, **_headers(headers)}
        )

    def direct(self, query: str, params: Params | None = None, **headers: str) -> Reply:
        return self.request(
            "POST",
            params=params,
            body=query.encode(),
            headers={"Content-Type": DIRECT, **_headers(headers)},
        )


def _headers(given: dict[str, str]) -> dict[str, str]:
    """Keyword arguments (``Accept=...``, ``Content_Type=...``) as header names."""
    return {name.replace("_", "-"): value for name, value in given.items()}


class FlaskEndpoint(Endpoint):
    def __init__(self, app: Any) -> None:
        self.client = app.test_client()
        self.base = "http://localhost"

    def request(
        self,
        method: str,
        path: str = "/sparql",
        params: Params | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        query = "?" + urlencode(params) if params else ""
        response = self.client.open(path + query, method=method, data=body, headers=headers or {})
        return Reply(
            response.status_code, {k.lower(): v for k, v in response.headers}, response.data
        )


class HttpEndpoint(Endpoint):
    """Plain HTTP: every request on a fresh connection, always closed."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.base = base

    def request(
        self,
        method: str,
        path: str = "/sparql",
        params: Params | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        query = "?" + urlencode(params) if params else ""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path + query, body=body, headers=headers or {})
            response = conn.getresponse()
            return Reply(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            conn.close()


@pytest.fixture(scope="module")
def view_app(built_fixture: tuple[Settings, GraphStore]) -> Iterator[Any]:
    """The app with the fast path of /sparql off: every request through Flask's view."""
    from relgraph.web import create_app
    from tests.conftest import WEB_QUERIES

    settings, store = built_fixture
    web = create_app(settings.replace(queries_dir=str(WEB_QUERIES), sparql_fast_path=False), store)
    web.config["TESTING"] = True
    pool = web.extensions["relgraph"].service.pool
    assert pool is not None
    pool.warm()  # as a server does at start (relgraph.web.server): the deadline tests need them
    yield web
    web.extensions["relgraph"].close()


@pytest.fixture(scope="module", params=["flask", "flask-view", "http"])
def ep(request: pytest.FixtureRequest) -> Endpoint:
    """The endpoint: through Flask's test client (with the fast path of /sparql, the
    default, or without it: Flask's view) or over HTTP from a live server."""
    if request.param == "flask":
        return FlaskEndpoint(request.getfixturevalue("app"))
    if request.param == "flask-view":
        return FlaskEndpoint(request.getfixturevalue("view_app"))
    return HttpEndpoint(request.getfixturevalue("live_server"))


def solutions(reply: Reply) -> list[dict[str, Any]]:
    assert reply.status == 200, reply.body
    assert reply.mimetype == "application/sparql-results+json"
    rows: list[dict[str, Any]] = reply.json()["results"]["bindings"]
    return rows


def number(reply: Reply) -> int:
    return int(solutions(reply)[0]["n"]["value"])


def graphs_of(reply: Reply) -> list[str]:
    return [r["g"]["value"] for r in solutions(reply)]


def parse_rdf(data: bytes, media_type: str) -> rdflib.Graph:
    """Parse RDF with pyoxigraph (rdflib's JSON-LD parser warns) into an rdflib graph."""
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.from_media_type(media_type))]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


# -- the query operation: GET, POST form, POST direct -------------------------------------------


def test_query_get_post_form_and_post_direct_give_the_same_answer(ep: Endpoint) -> None:
    expected = [{"label": {"type": "literal", "value": "role theory", "xml:lang": "en"}}]
    for reply in (ep.get({"query": SELECT}), ep.form({"query": SELECT}), ep.direct(SELECT)):
        assert solutions(reply) == expected
    assert number(ep.get({"query": COUNT_ALL})) > 0
    assert number(ep.form({"query": COUNT_ALL})) > 0
    assert number(ep.direct(COUNT_ALL)) > 0


def test_post_direct_takes_the_dataset_from_the_url(ep: Endpoint) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"
    reply = ep.direct(query, {"default-graph-uri": CORE}, Content_Type=f"{DIRECT}; charset=utf-8")
    assert number(reply) == 0


# -- the dataset ----------------------------------------------------------------------------------


def test_query_dataset_default_graphs(ep: Endpoint) -> None:
    params = [("query", COUNT_ALL), ("default-graph-uri", CORE), ("default-graph-uri", MINI)]
    both = number(ep.get(params))
    core = number(ep.get(params[:2]))
    assert both == core + MINI_TRIPLES
    assert core == CORE_TRIPLES
    assert number(ep.form([("query", COUNT_ALL), ("default-graph-uri", MINI)])) == MINI_TRIPLES


def test_query_dataset_named_graphs(ep: Endpoint) -> None:
    params = [("query", GRAPHS), ("named-graph-uri", MINI), ("named-graph-uri", CORE)]
    assert graphs_of(ep.form(params)) == [CORE, MINI]
    assert graphs_of(ep.get([("query", GRAPHS), ("named-graph-uri", EVIDENCE)])) == [EVIDENCE]


def test_query_dataset_full(ep: Endpoint) -> None:
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o BIND(<urn:default> AS ?g) } "
        "UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g"
    )
    rows = solutions(
        ep.get([("query", query), ("default-graph-uri", MINI), ("named-graph-uri", CORE)])
    )
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == {
        CORE: CORE_TRIPLES,
        "urn:default": MINI_TRIPLES,
    }


def test_the_protocol_dataset_overrides_from_and_from_named(ep: Endpoint) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CORE}> FROM NAMED <{CORE}> WHERE {{ ?s ?p ?o }}"
    assert number(ep.get({"query": query})) == CORE_TRIPLES
    assert number(ep.get({"query": query, "default-graph-uri": MINI})) == MINI_TRIPLES
    theories = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"
    assert number(ep.get({"query": theories})) == 1
    assert number(ep.get({"query": theories, "default-graph-uri": CORE})) == 0
    from_core = theories.replace("WHERE", f"FROM <{CORE}> WHERE")
    assert number(ep.get({"query": from_core})) == 0
    assert number(ep.get({"query": from_core, "default-graph-uri": MINI})) == 1
    distinct = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert (
        number(ep.get([("query", distinct), ("named-graph-uri", MINI), ("named-graph-uri", CORE)]))
        == 2
    )
    assert number(ep.get({"query": distinct, "default-graph-uri": MINI})) == 0


def test_relative_graph_iris_resolve_against_the_endpoint(ep: Endpoint) -> None:
    assert number(ep.get({"query": COUNT_ALL, "default-graph-uri": "graphs/none"})) == 0
    rows = solutions(ep.get({"query": "SELECT ?g WHERE { BIND(<g1> AS ?g) }"}))
    assert rows[0]["g"]["value"] == ep.base + "/g1"


# -- content negotiation --------------------------------------------------------------------------


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
def test_query_content_type_select(ep: Endpoint, accept: str | None, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    reply = ep.request("GET", params={"query": SELECT}, headers=headers)
    assert reply.status == 200 and reply.mimetype == mimetype and reply.body
    assert "Accept" in reply.header("Vary")


def test_select_formats_parse_back(ep: Endpoint) -> None:
    def get(fmt: str) -> bytes:
        return ep.get({"query": SELECT, "format": fmt}).body

    xml = ox.parse_query_results(get("xml"), format=ox.QueryResultsFormat.XML)
    assert [s["label"] for s in xml] == [ox.Literal("role theory", language="en")]  # type: ignore[index]
    assert list(csv.reader(io.StringIO(get("csv").decode()))) == [["label"], ["role theory"]]
    assert get("tsv").decode().splitlines() == ["?label", '"role theory"@en']


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+xml", "application/sparql-results+json", None]
)
def test_query_content_type_ask(ep: Endpoint, accept: str | None) -> None:
    reply = ep.request("GET", params={"query": ASK}, headers={"Accept": accept} if accept else {})
    assert reply.status == 200
    assert reply.mimetype == (accept or "application/sparql-results+json")
    if reply.mimetype.endswith("json"):
        assert reply.json() == {"head": {}, "boolean": True}
    else:
        assert b"<boolean>true</boolean>" in reply.body


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.4, application/ld+json;q=0.8", "application/ld+json"),
        ("*/*", "text/turtle"),
    ],
)
def test_query_content_type_describe_and_construct(
    ep: Endpoint, accept: str, mimetype: str
) -> None:
    for query in (CONSTRUCT, "DESCRIBE rgr:theory-role-theory"):
        reply = ep.get({"query": query}, Accept=accept)
        assert reply.status == 200 and reply.mimetype == mimetype
        assert b"theory-role-theory" in reply.body
        assert len(parse_rdf(reply.body, reply.mimetype)) >= 1


def test_the_format_parameter_names_a_format(ep: Endpoint) -> None:
    pairs = [
        (SELECT, "csv", "text/csv"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (SELECT, "application/sparql-results+json", "application/sparql-results+json"),
    ]
    for query, fmt, mimetype in pairs:
        assert ep.get({"query": query, "format": fmt}, Accept="text/turtle").mimetype == mimetype
    # A value that names no format falls back to the Accept header (issue #8).
    unknown = ep.get({"query": SELECT, "format": "pdf"}, Accept="text/csv")
    assert unknown.status == 200 and unknown.mimetype == "text/csv"


def test_an_unacceptable_type_is_406(ep: Endpoint) -> None:
    assert ep.get({"query": SELECT}, Accept="image/png").status == 406


def test_browsers_get_the_page(ep: Endpoint) -> None:
    reply = ep.get({"query": SELECT}, Accept=BROWSER)
    assert reply.status == 303 and reply.header("Location").startswith("/?query=")
    described = ep.get(Accept=BROWSER)
    assert described.status == 303 and described.header("Location") == "/"


# -- bad requests ---------------------------------------------------------------------------------


def test_bad_query_method_is_405_with_allow(ep: Endpoint) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        reply = ep.request(method, params={"query": ASK})
        assert reply.status == 405
        assert {"GET", "POST"} <= set(reply.header("Allow").replace(" ", "").split(","))
        assert reply.json()["ok"] is False and reply.json()["status"] == 405


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x"]
)
def test_bad_query_wrong_media_type_is_415(ep: Endpoint, content_type: str) -> None:
    reply = ep.request("POST", body=ASK.encode(), headers={"Content-Type": content_type})
    assert reply.status == 415 and reply.json()["status"] == 415


def test_bad_query_missing_type_is_415(ep: Endpoint) -> None:
    assert ep.request("POST", body=ASK.encode(), headers={"Content-Type": ""}).status == 415
    # with no Content-Type header at all, neither a form nor a direct query is read
    form = urlencode([("query", COUNT_ALL)]).encode()
    assert 400 <= ep.request("POST", body=form).status < 500
    assert 400 <= ep.request("POST", body=COUNT_ALL.encode()).status < 500


@pytest.mark.parametrize("content_type", [DIRECT, "application/x-www-form-urlencoded"])
def test_a_compressed_body_is_415(ep: Endpoint, content_type: str) -> None:
    """Regression (session 5's tester): `Content-Encoding: gzip` on a plain body was ignored
    and answered 200; a body we cannot decode is refused (RFC 9110 §15.5.16)."""
    body = ASK.encode() if content_type == DIRECT else urlencode([("query", ASK)]).encode()
    headers = {"Content-Type": content_type, "Content-Encoding": "gzip"}
    reply = ep.request("POST", body=body, headers=headers)
    assert reply.status == 415 and "Content-Encoding" in reply.json()["error"]
    identity = {"Content-Type": content_type, "Content-Encoding": "identity"}
    assert ep.request("POST", body=body, headers=identity).status == 200


def test_bad_query_non_utf8(ep: Endpoint) -> None:
    latin = 'SELECT * WHERE { ?s rdfs:label "théorie" }'.encode("latin-1")
    assert ep.request("POST", body=latin, headers={"Content-Type": DIRECT}).status == 400
    utf16 = 'SELECT * WHERE { ?s ?p "é" }'.encode("utf-16")
    assert ep.request("POST", body=utf16, headers={"Content-Type": DIRECT}).status == 400
    declared = ep.request(
        "POST", body=ASK.encode(), headers={"Content-Type": f"{DIRECT}; charset=latin-1"}
    )
    assert declared.status == 415


def test_bad_query_syntax_is_400_with_line_and_column(ep: Endpoint) -> None:
    reply = ep.get({"query": "SELECT * WHERE {\n ?s ?p }"})
    assert reply.status == 400
    body = reply.json()
    assert body["ok"] is False and body["type"] == "QuerySyntaxError"
    assert body["line"] == 2 and isinstance(body["column"], int)
    assert f"line 2, column {body['column']}" in body["error"]
    first = ep.get({"query": "SELECT * WHERE {"})
    assert first.status == 400 and first.json()["line"] == 1 and first.json()["column"]


def test_bad_multiple_queries(ep: Endpoint) -> None:
    reply = ep.get([("query", "ASK{}"), ("query", "ASK{}")])
    assert reply.status == 400 and "exactly one" in reply.json()["hint"]
    assert ep.direct(ASK, {"query": "ASK{}"}).status == 400
    assert ep.form({"default-graph-uri": MINI}).status == 400


# -- read-only by construction --------------------------------------------------------------------

INSERT = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
UPDATES = [
    INSERT,
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR DEFAULT",
    "CLEAR ALL",
    "DROP ALL",
    "DROP DEFAULT",
    "LOAD <urn:x:data>",
]
CHANNELS: dict[str, Callable[[Endpoint, str], Reply]] = {
    "query_get": lambda ep, text: ep.get({"query": text}),
    "query_form": lambda ep, text: ep.form({"query": text}),
    "query_direct": lambda ep, text: ep.direct(text),
    "update_form": lambda ep, text: ep.form({"update": text}),
    "update_get": lambda ep, text: ep.get({"update": text}),
    "update_direct": lambda ep, text: ep.request(
        "POST", body=text.encode(), headers={"Content-Type": "application/sparql-update"}
    ),
}


@pytest.mark.parametrize("text", UPDATES)
def test_updates_in_any_channel_are_403_and_change_nothing(ep: Endpoint, text: str) -> None:
    before = number(ep.get({"query": COUNT_ALL}))
    for name, send in CHANNELS.items():
        reply = send(ep, text)
        assert reply.status == 403, (name, reply.body)
        assert reply.mimetype == "application/json"
        assert reply.json()["type"] == "QueryRejected" and "refused" in reply.json()["error"]
    assert number(ep.get({"query": COUNT_ALL})) == before
    assert solutions(ep.get({"query": "SELECT * { ?s ?p ?o } LIMIT 1"}))


def test_service_is_403(ep: Endpoint) -> None:
    reply = ep.get({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert reply.status == 403 and "SERVICE" in reply.json()["error"]


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
    ep: Endpoint, listener: tuple[int, list[bytes]], template: str, status: int
) -> None:
    port, seen = listener
    reply = ep.get({"query": template.format(port=port)})
    assert reply.status == status, reply.body
    if status == 200:
        assert reply.json()["results"]["bindings"] == []
    time.sleep(0.3)  # a connection the query made would be accepted by now
    assert seen == []


def test_from_a_file_or_url_reads_nothing(ep: Endpoint) -> None:
    for source in ("file:///etc/passwd", "http://127.0.0.1:9/data.ttl"):
        reply = ep.get({"query": f"SELECT * FROM <{source}> WHERE {{ ?s ?p ?o }}"})
        assert solutions(reply) == [] and b"root" not in reply.body


# -- limits ---------------------------------------------------------------------------------------


def _limit(ep: Endpoint) -> int:
    return int(ep.get(path="/-/settings.json").json()["settings"]["query_time_limit_ms"])


def test_a_query_past_its_time_limit_is_503_with_retry_after(ep: Endpoint) -> None:
    reply = ep.get({"query": EXPENSIVE, "timeout": "300"})
    assert reply.status == 503 and int(reply.header("Retry-After")) > 0
    error = reply.json()
    assert "query_time_limit_ms" in error["error"] and "300 ms" in error["error"]
    assert "lowered by the request" in error["error"] and "LIMIT" in error["hint"]
    raised = ep.get({"query": ASK, "timeout": "999999"})
    assert raised.header("X-Relgraph-Time-Limit-Ms") == str(_limit(ep))


def _busy(ep: Endpoint) -> int:
    workers = ep.get(path="/-/health.json").json().get("query_workers", {})
    return int(workers.get("busy", 0))


@pytest.mark.slow
def test_the_deadline_stops_one_query_while_another_client_is_served(ep: Endpoint) -> None:
    """Two clients: one sends an endless query, the other is answered while it runs."""
    outcome: dict[str, Reply] = {}
    ep.get({"query": ASK})  # the query workers are started

    def slow_client() -> None:
        outcome["reply"] = ep.get({"query": EXPENSIVE, "timeout": "2000"})

    thread = threading.Thread(target=slow_client)
    thread.start()
    deadline = time.monotonic() + 60
    while _busy(ep) == 0:  # wait until the endless query runs in a worker (an event)
        assert time.monotonic() < deadline and thread.is_alive(), "the slow query never ran"
        time.sleep(0.02)
    quick = ep.get({"query": ASK})
    assert quick.status == 200 and quick.json()["boolean"] is True
    assert thread.is_alive(), "the quick query was answered after the slow one ended"
    thread.join(120)
    reply = outcome["reply"]
    assert reply.status == 503 and int(reply.header("Retry-After")) > 0
    error = reply.json()
    assert "query_time_limit_ms" in error["error"] and "LIMIT" in error["hint"]
    # The killed worker was replaced: the server keeps answering.
    assert ep.get({"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


# -- headers --------------------------------------------------------------------------------------


def test_cors_without_credentials_and_nosniff(ep: Endpoint) -> None:
    reply = ep.get({"query": ASK}, Origin="http://x.org")
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.header("Access-Control-Allow-Credentials") == ""
    assert "X-Relgraph-Truncated" in reply.header("Access-Control-Expose-Headers")
    assert reply.header("X-Content-Type-Options") == "nosniff"
    preflight = ep.request(
        "OPTIONS",
        headers={
            "Origin": "http://x.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 200
    assert "POST" in preflight.header("Access-Control-Allow-Methods")
    assert preflight.header("Access-Control-Allow-Origin") == "*"
    error = ep.get({"query": "nonsense"})
    assert error.header("X-Content-Type-Options") == "nosniff"
    assert error.header("Access-Control-Allow-Origin") == "*"


def test_answers_say_their_size(ep: Endpoint) -> None:
    small = ep.get({"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
    assert small.header("X-Relgraph-Truncated") == "false"
    assert small.header("X-Relgraph-Rows") == "2"
    assert float(small.header("X-Relgraph-Elapsed-Ms")) >= 0


def test_errors_never_reflect_input_as_html(ep: Endpoint) -> None:
    attack = "<script>alert(1)</script>"
    for reply in (
        ep.get({"query": attack}),
        ep.get({"query": attack}, Accept="text/html"),
        ep.get({"iri": attack}, path="/entity", Accept="text/html"),
        ep.get(path="/queries/" + quote(attack, safe=""), Accept="text/html"),
        ep.get({"query": attack}, path="/"),
    ):
        assert reply.status >= 400
        assert b"<script>alert" not in reply.body
        assert reply.header("X-Content-Type-Options") == "nosniff"
        if reply.mimetype == "application/json":
            assert reply.json()["ok"] is False


# -- the service description, VoID and introspection ----------------------------------------------


@pytest.mark.parametrize(
    "accept",
    ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples", None],
)
def test_the_service_description_by_negotiation(ep: Endpoint, accept: str | None) -> None:
    reply = ep.request("GET", headers={"Accept": accept} if accept else {})
    assert reply.status == 200
    graph = parse_rdf(reply.body, reply.mimetype)
    service = rdflib.URIRef(ep.base + "/sparql")
    assert (service, rdflib.RDF.type, rdflib.URIRef(SD.Service)) in graph
    assert (service, rdflib.URIRef(SD.endpoint), service) in graph
    assert (service, rdflib.URIRef(SD.supportedLanguage), rdflib.URIRef(SD.SPARQL11Query)) in graph
    assert (service, rdflib.URIRef(SD.feature), rdflib.URIRef(SD.UnionDefaultGraph)) in graph
    formats = set(graph.objects(service, rdflib.URIRef(SD.resultFormat)))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats
    assert rdflib.URIRef(MINI) in set(graph.objects(None, rdflib.URIRef(SD.name)))


def test_the_service_description_declares_only_used_prefixes(ep: Endpoint) -> None:
    """Regression: rdflib's default bindings (brick:, qb:, doap: ...) leaked into Turtle."""
    reply = ep.get(Accept="text/turtle")
    declared = {
        line.split()[1] for line in reply.body.decode().splitlines() if line.startswith("@prefix")
    }
    assert "brick:" not in declared and "doap:" not in declared
    assert {"sd:", "void:"} <= declared


def test_void_has_statistics_and_partitions(ep: Endpoint) -> None:
    reply = ep.get(path="/.well-known/void", Accept="text/turtle")
    assert reply.status == 200 and reply.mimetype == "text/turtle"
    graph = parse_rdf(reply.body, reply.mimetype)
    dataset = rdflib.URIRef(ep.base + "/.well-known/void#relgraph")
    void = rdflib.Namespace(str(VOID))
    assert (dataset, rdflib.RDF.type, void.Dataset) in graph
    graphs = ep.get(path="/-/graphs.json").json()["graphs"]
    assert len(list(graph.objects(dataset, void.subset))) == len(graphs)
    stats = ep.get(path="/-/statistics.json").json()
    assert int(graph.value(dataset, void.triples)) == stats["triples"] > 0  # type: ignore[arg-type]
    assert graph.value(dataset, void.sparqlEndpoint) == rdflib.URIRef(ep.base + "/sparql")
    classes = {graph.value(p, void["class"]) for p in graph.objects(dataset, void.classPartition)}
    assert rdflib.URIRef(str(THEORY)) in classes
    properties = {
        graph.value(p, void.property) for p in graph.objects(dataset, void.propertyPartition)
    }
    assert rdflib.RDFS.label in properties
    jsonld = ep.get({"format": "jsonld"}, path="/.well-known/void")
    assert jsonld.mimetype == "application/ld+json"
    assert len(parse_rdf(jsonld.body, jsonld.mimetype)) == len(graph)


def test_introspection_json(ep: Endpoint, built_fixture: tuple[Settings, GraphStore]) -> None:
    settings = ep.get(path="/-/settings.json").json()
    assert settings["settings"]["query_time_limit_ms"] == _limit(ep)
    assert "query_time_limit_ms" in settings["help"]
    graphs = ep.get(path="/-/graphs.json").json()
    assert {"iri": MINI, "triples": MINI_TRIPLES} in graphs["graphs"]
    assert graphs["triples"] == len(built_fixture[1])
    version = ep.get(path="/-/version.json").json()
    assert version["relgraph"] and version["ontology_version_iri"].startswith("https://w3id.org/")
    assert ep.get(path="/-/prefixes.json").json()["rg"] == "https://w3id.org/relgraph/ontology/"
    theory = {
        "iri": str(THEORY),
        "label": "theory",
        "kind": "class",
    }
    assert theory in ep.get(path="/-/terms.json").json()["terms"]
