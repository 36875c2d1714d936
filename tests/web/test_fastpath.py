"""The fast path of ``/sparql`` (relgraph.web.fastpath): Flask's answers, without Flask's dispatch.

GET and POST ``/sparql`` are answered by a WSGI middleware with the code of the Flask
view (relgraph.web.endpoint); every error goes to the app's own handlers. So an app
with the fast path and one without must answer every request alike (status, headers,
body), the fast path must really skip Flask's dispatch, and a real server (gunicorn,
several workers and threads) must give concurrent clients the answers it gives
sequential ones. The whole protocol suite (tests/web/test_protocol.py) also runs
with and without it.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from flask import request_started
from rdflib.compare import isomorphic, to_canonical_graph
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build
from relgraph.web import endpoint
from relgraph.web.server import _set_cork
from tests.conftest import WEB_QUERIES, make_fixture_settings, serve_in_background

QUERY = "SELECT ?t WHERE { ?t a rg:Theory } ORDER BY ?t"
FORM = "application/x-www-form-urlencoded"
JSON_RESULTS = "application/sparql-results+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Headers that differ between two answers to the same request (time taken).
VOLATILE = {"x-relgraph-elapsed-ms", "date"}


@pytest.fixture(scope="module")
def apps(built_fixture: tuple[Settings, GraphStore]) -> Iterator[dict[str, Any]]:
    """Two apps over the same graph: with the fast path (default) and without it."""
    from relgraph.web import create_app

    settings, store = built_fixture
    settings = settings.replace(queries_dir=str(WEB_QUERIES), max_request_bytes=4096)
    made = {
        "fast": create_app(settings, store),
        "view": create_app(settings.replace(sparql_fast_path=False), store),
    }
    for app in made.values():
        app.config["TESTING"] = True
    yield made
    for app in made.values():
        app.extensions["relgraph"].close()


def _reply(app: Any, method: str, params: dict[str, str] | None, **kwargs: Any) -> Any:
    query = "?" + urllib.parse.urlencode(params) if params else ""
    response = app.test_client().open("/sparql" + query, method=method, **kwargs)
    headers = {k.lower(): v for k, v in response.headers if k.lower() not in VOLATILE}
    return response.status_code, headers, response.data


def _form(query: str, **more: str) -> dict[str, Any]:
    return {"data": {"query": query, **more}, "content_type": FORM}


#: Requests of every kind the fast path answers or hands on: (method, URL parameters, options).
REQUESTS: list[tuple[str, dict[str, str] | None, dict[str, Any]]] = [
    ("POST", None, {**_form(QUERY), "headers": {"Accept": JSON_RESULTS}}),
    ("GET", {"query": QUERY}, {"headers": {"Accept": "text/csv"}}),
    ("POST", None, {"data": "ASK { ?s a rg:Theory }", "content_type": "application/sparql-query"}),
    (
        "POST",
        None,
        {**_form("CONSTRUCT WHERE { ?s a rg:Theory }"), "headers": {"Accept": "text/turtle"}},
    ),
    ("GET", {"query": QUERY}, {"headers": {"Accept": BROWSER}}),  # 303 to the query page
    ("GET", {"query": "SELECT ?x WHERE {"}, {"headers": {"Accept": BROWSER}}),  # error page
    ("POST", None, _form("SELECT ?x WHERE {")),  # 400, line and column
    ("POST", None, {"data": {"update": "DROP ALL"}, "content_type": FORM}),  # 403
    ("POST", None, {"data": "DROP ALL", "content_type": "application/sparql-update"}),  # 403
    ("POST", None, {"data": "x", "content_type": "text/plain"}),  # 415
    ("POST", None, {**_form(QUERY), "headers": {"Accept": "image/png"}}),  # 406
    ("POST", None, _form("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")),
    ("POST", None, _form(QUERY, timeout="soon")),  # 400
    ("POST", None, _form("SELECT ?s WHERE { ?s ?p ?o } #" + "x" * 5000)),  # 413 body
    ("POST", None, {"data": b"", "content_type": FORM}),  # no query: 400
    ("GET", None, {"headers": {"Accept": "text/turtle"}}),  # the service description
    ("OPTIONS", None, {"headers": {"Origin": "https://example.org"}}),  # CORS preflight
    ("HEAD", {"query": QUERY}, {}),
]


@pytest.mark.parametrize(("method", "params", "options"), REQUESTS)
def test_the_fast_path_answers_as_flasks_view(
    apps: dict[str, Any], method: str, params: dict[str, str] | None, options: dict[str, Any]
) -> None:
    fast = _reply(apps["fast"], method, params, **options)
    view = _reply(apps["view"], method, params, **options)
    if fast[1].get("content-type", "").startswith("text/turtle"):  # blank nodes: compare graphs
        assert fast[:2] == view[:2]
        graphs = [rdflib.Graph().parse(data=reply[2], format="turtle") for reply in (fast, view)]
        assert isomorphic(*graphs)
    else:
        assert fast == view


def test_a_tag_is_answered_304_alike_by_both_paths(apps: dict[str, Any]) -> None:
    options = {**_form(QUERY), "headers": {"Accept": JSON_RESULTS}}
    status, headers, _ = _reply(apps["fast"], "POST", None, **options)
    assert status == 200 and headers["etag"].startswith('W/"')
    conditional = {**options, "headers": {"Accept": JSON_RESULTS, "If-None-Match": headers["etag"]}}
    fast = _reply(apps["fast"], "POST", None, **conditional)
    assert fast[0] == 304 and fast == _reply(apps["view"], "POST", None, **conditional)


def test_the_fast_path_skips_flasks_dispatch(apps: dict[str, Any]) -> None:
    dispatched: list[str] = []

    def seen(sender: Any, **extra: Any) -> None:
        from flask import request

        dispatched.append(f"{request.method} {request.path}")

    app = apps["fast"]
    with request_started.connected_to(seen, app):
        client = app.test_client()
        assert client.post("/sparql", data={"query": QUERY}).status_code == 200
        assert client.get("/sparql", query_string={"query": QUERY}).status_code == 200
        assert client.post("/sparql", data={"query": "SELECT ?x WHERE {"}).status_code == 400
        assert dispatched == []  # answered, errors included, without Flask's dispatch
        assert client.get("/sparql").status_code == 200  # the service description: Flask's
        assert client.get("/-/prefixes.json").status_code == 200
    assert dispatched == ["GET /sparql", "GET /-/prefixes.json"]


def test_an_internal_error_on_the_fast_path_is_logged_counted_and_hidden(
    apps: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a planted bug")

    monkeypatch.setattr(endpoint, "answer_response", broken)
    replies = {}
    for name, app in apps.items():
        health = app.extensions["relgraph"].health
        before = health.internal_errors
        replies[name] = _reply(app, "POST", None, **_form(QUERY + " #" + name))
        assert health.internal_errors == before + 1
    assert replies["fast"][0] == 500 and "planted" not in replies["fast"][2].decode()
    assert replies["fast"][1:] == replies["view"][1:]
    logged = [r.getMessage() for r in caplog.records if "internal error (500)" in r.getMessage()]
    assert any("#fast" in m and "RuntimeError: a planted bug" in m for m in logged), logged


def test_the_cork_is_not_set_on_a_closed_socket() -> None:
    import socket

    sock = socket.socket()
    sock.close()
    assert _set_cork(sock, True) is False


# -- a real server: gunicorn, two web workers, four threads each, concurrent clients ---------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("fastpath")
    settings = make_fixture_settings(tmp).replace(queries_dir=str(WEB_QUERIES))
    build(settings, force=True)
    with serve_in_background(settings, tmp, workers=2, threads=4) as live:
        yield live.url


#: Requests a client sends over one keep-alive connection: (method, path, body, headers).
MIXED: list[tuple[str, str, bytes | None, dict[str, str]]] = [
    (
        "POST",
        "/sparql",
        urllib.parse.urlencode({"query": QUERY}).encode(),
        {"Content-Type": FORM, "Accept": JSON_RESULTS},
    ),
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": QUERY}), None, {"Accept": "text/csv"}),
    (
        "POST",
        "/sparql",
        b"ASK { ?s a rg:Theory }",
        {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS},
    ),
    (
        "POST",
        "/sparql",
        urllib.parse.urlencode({"query": "SELECT ?x WHERE {"}).encode(),
        {"Content-Type": FORM},
    ),
    ("POST", "/sparql", b"update=DROP+ALL", {"Content-Type": FORM}),
    ("GET", "/-/prefixes.json", None, {}),
    ("GET", "/sparql", None, {"Accept": "text/turtle"}),
]


def _send(conn: http.client.HTTPConnection) -> list[tuple[int, str, bytes]]:
    out = []
    for method, path, body, headers in MIXED:
        response = _request(conn, method, path, body, headers)
        data = response.read()
        kind = response.getheader("Content-Type", "")
        if kind.startswith("application/json"):
            data = json.dumps(json.loads(data), sort_keys=True).encode()
        elif kind.startswith("text/turtle"):  # blank node labels vary: the graph, canonical
            graph = to_canonical_graph(rdflib.Graph().parse(data=data, format="turtle"))
            data = "\n".join(sorted(graph.serialize(format="nt").splitlines())).encode()
        out.append((response.status, kind, data))
    return out


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> http.client.HTTPResponse:
    """Send a request; once more on a new connection if the server closed the kept-alive one.

    gunicorn closes a connection that waited ``keepalive`` seconds for a thread; a client
    whose next request crosses the close retries it, as HTTP/1.1 clients do (RFC 9112,
    9.3.1: the requests are safe). Only the transport is retried, never an answer.
    """
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=body, headers=headers)
            return conn.getresponse()
        except (ConnectionError, http.client.RemoteDisconnected):
            conn.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _connection(url: str) -> http.client.HTTPConnection:
    parsed = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=60)


def test_concurrent_clients_get_the_answers_of_sequential_ones(server: str) -> None:
    conn = _connection(server)
    try:
        sequential = _send(conn)
    finally:
        conn.close()
    assert [status for status, _, _ in sequential] == [200, 200, 200, 400, 403, 200, 200]
    results: list[list[tuple[int, str, bytes]]] = []
    lock = threading.Lock()

    def client() -> None:
        mine = []
        conn = _connection(server)
        try:
            for _ in range(5):
                mine.append(_send(conn))
        finally:
            conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(10)]  # more than 2 x 4 threads
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 50
    for result in results:
        assert result == sequential


def test_sparqlwrapper_reads_the_fast_paths_answers(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    result = client.query()
    try:
        rows = result.convert()["results"]["bindings"]
    finally:
        result.response.close()
    assert rows and all(row["t"]["type"] == "uri" for row in rows)


def test_the_fast_path_does_what_the_apps_request_hooks_do(apps: dict[str, Any]) -> None:
    """The fast path adds the security headers and the health count itself (what the two
    ``after_request`` functions do); a new hook must be added to it too, or this fails."""
    for app in apps.values():
        hooks = {f.__name__ for funcs in app.after_request_funcs.values() for f in funcs}
        assert hooks == {"_count", "secure"}
        assert not any(app.before_request_funcs.values())
        assert not any(app.teardown_request_funcs.values())
