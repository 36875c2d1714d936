"""Issue 13: RemoteStore's HTTP against stores that echo long datasets or answer late.

At 10^6 triples every query to Virtuoso through ``RemoteStore`` failed with "got more
than 100 headers" (first seen after a ``cq07`` time-out, which it followed by chance):
Virtuoso echoes each ``default-graph-uri`` and ``named-graph-uri`` of a request as a
header of its answer, and relgraph lists its 51 graphs in both. Python's ``http.client``
refuses answers of more than 100 header lines. The loopback stores here behave as
Virtuoso does (the echo), or answer after the client gave up, or not in HTTP at all.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from relgraph.errors import QueryTimeout
from relgraph.store.http import query_error
from relgraph.store.remote import RemoteStore, RemoteStoreError

GRAPHS = [f"https://w3id.org/relgraph/graph/data/synthetic/studies-{n:03d}" for n in range(60)]


def _results(variable: str, values: list[str]) -> bytes:
    rows = [{variable: {"type": "literal", "value": v}} for v in values]
    return json.dumps({"head": {"vars": [variable]}, "results": {"bindings": rows}}).encode()


def _graph_list() -> bytes:
    rows = [{"g": {"type": "uri", "value": g}} for g in GRAPHS]
    return json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": rows}}).encode()


class Store:
    """A SPARQL endpoint on 127.0.0.1 that answers ``SELECT ("mark" AS ?m)`` with the mark.

    * like Virtuoso 7, it echoes each dataset parameter as an ``X-SPARQL-...`` header;
    * a query whose mark starts with ``late`` is answered after ``delay_s``, on the same
      connection (a store that finishes a query its client stopped waiting for);
    * one whose mark starts with ``stall`` sends its header and half its body, then the
      rest after ``delay_s``;
    * one whose mark is ``garbage`` gets an answer that is not HTTP.
    """

    def __init__(self, delay_s: float = 1.5) -> None:
        self.delay_s = delay_s
        self.requests: list[str] = []
        store = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server interface
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                query = form["query"][0]
                store.requests.append(query)
                if "GRAPH ?g" in query:
                    body = _graph_list()
                    mark = ""
                else:
                    mark = query.split('("', 1)[1].split('"', 1)[0]
                    body = _results("m", [mark])
                if mark == "garbage":
                    self.wfile.write(b"this is not HTTP\r\n\r\n")
                    self.close_connection = True
                    return
                if mark.startswith("late"):
                    time.sleep(store.delay_s)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                for name, kind in (("default-graph-uri", "default"), ("named-graph-uri", "named")):
                    for graph in form.get(name, []):
                        self.send_header(f"X-SPARQL-{kind}-graph", graph)
                self.end_headers()
                if mark.startswith("stall"):
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(store.delay_s)
                    body = body[len(body) // 2 :]
                try:
                    self.wfile.write(body)
                except OSError:  # the client hung up: nothing to send it to
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Store:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as server:
        yield server


def _mark(remote: RemoteStore, mark: str, *, streamed: bool, limit_s: float = 30.0) -> str:
    text = f'SELECT ("{mark}" AS ?m) WHERE {{}}'
    if streamed:
        answer = remote.answer(text, time_limit_s=limit_s)
        return str(answer.rows[0][0].value)
    remote.timeout_s = limit_s
    result = remote.query(text)
    return str(next(iter(result))["m"].value)  # type: ignore[arg-type, index]


@pytest.mark.parametrize("streamed", [False, True], ids=["query", "answer"])
def test_an_answer_that_echoes_a_long_dataset_is_read(
    store: Store, streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 graphs listed twice: 120 echoed headers, over http.client's 100."""
    monkeypatch.setattr(http.client, "_MAXHEADERS", 100)  # as a fresh process has it
    remote = RemoteStore(store.url)
    assert _mark(remote, "first", streamed=streamed) == "first"
    assert _mark(remote, "second", streamed=streamed) == "second"
    # each request listed every graph, and was sent once (no retry)
    assert len(store.requests) == 3


@pytest.mark.parametrize("kind", ["late", "stall"])
@pytest.mark.parametrize("streamed", [False, True], ids=["query", "answer"])
def test_after_a_timeout_the_next_query_gets_its_own_answer(
    store: Store, kind: str, streamed: bool
) -> None:
    """A connection whose answer was cut by our deadline is never reused for another query."""
    remote = RemoteStore(store.url, dataset="store")
    remote._union_checked = True  # noqa: SLF001 - this endpoint has no graphs to check
    with pytest.raises(QueryTimeout):
        _mark(remote, f"{kind}-1", streamed=streamed, limit_s=0.5)
    time.sleep(store.delay_s + 0.5)  # the store has now written the rest of the old answer
    for n in range(3):
        assert _mark(remote, f"next-{n}", streamed=streamed) == f"next-{n}"


def test_an_answer_that_is_not_http_is_named_and_not_sent_again(store: Store) -> None:
    remote = RemoteStore(store.url, dataset="store")
    remote._union_checked = True  # noqa: SLF001 - this endpoint has no graphs to check
    with pytest.raises(RemoteStoreError, match="could not be read as HTTP") as caught:
        _mark(remote, "garbage", streamed=True)
    assert store.url in caught.value.message
    assert sum('"garbage"' in q for q in store.requests) == 1


def test_a_store_that_closed_an_idle_connection_is_asked_again() -> None:
    """The kept-alive connection was closed by the store: one retry, on a fresh one."""
    with Store() as server:
        remote = RemoteStore(server.url, dataset="store")
        remote._union_checked = True  # noqa: SLF001 - this endpoint has no graphs to check
        assert _mark(remote, "one", streamed=True) == "one"
        for pool in remote.pool._manager.pools._container.values():  # noqa: SLF001
            while not pool.pool.empty():
                conn = pool.pool.get_nowait()
                if conn is not None and conn.sock is not None:
                    conn.sock.shutdown(socket.SHUT_RDWR)  # as if the store had closed it
                pool.pool.put_nowait(conn)
                break
        assert _mark(remote, "two", streamed=True) == "two"


def test_virtuosos_cancelled_statement_is_a_timeout() -> None:
    """Virtuoso 7.2 stops a query at its ``timeout`` parameter with SR189."""
    body = b"Virtuoso HY008 Error SR189: Async statement killed by SQLCancel.\n\nSPARQL query:..."
    error = query_error("http://127.0.0.1:8890/sparql", 500, body)
    assert isinstance(error, QueryTimeout)
    assert "SR189" in error.message
