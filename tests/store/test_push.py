"""``relgraph push`` (issue 13): replace graphs in a real store; a failed push is undone or named.

A real Oxigraph server holds the data. To make a store fail in the middle of a
push, or demand credentials, requests go through a small forwarding proxy on
127.0.0.1 that answers some of them itself (a 500, or a 401 without the right
``Authorization`` header) and passes the rest to the real store.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from benchmarks.stores import OxigraphServer
from relgraph.cli import cli
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, open_built
from relgraph.store.push import GraphStoreClient, PushError, push
from tests.conftest import make_fixture_settings

#: (method, number of this method's request so far, headers) -> a status to answer, or None.
Policy = Callable[[str, int, Any], int | None]


class Proxy:
    """Forward HTTP requests to ``upstream``, except those ``policy`` answers itself."""

    def __init__(self, upstream: str, policy: Policy) -> None:
        target = urllib.parse.urlsplit(upstream)
        counts: dict[str, int] = {}
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with lock:
                    counts[self.command] = counts.get(self.command, 0) + 1
                    number = counts[self.command]
                status = policy(self.command, number, self.headers)
                if status is not None:
                    message = f"proxy says {status}".encode()
                    self.send_response(status)
                    if status == 401:
                        self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", str(len(message)))
                    self.end_headers()
                    self.wfile.write(message)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_DELETE = do_POST = _any  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{target.path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def oxigraph() -> Iterator[OxigraphServer]:
    """A fresh, empty Oxigraph server."""
    with OxigraphServer() as server:
        yield server


@pytest.fixture
def small(tmp_path: Path) -> tuple[Settings, GraphStore]:
    """The fixture project, built: a few named graphs, small and quick to push."""
    settings = make_fixture_settings(tmp_path)
    build(settings, force=True)
    return settings, open_built(settings)


def _contents(client: GraphStoreClient, graphs: list[str]) -> dict[str, set[str] | None]:
    out: dict[str, set[str] | None] = {}
    for graph in graphs:
        found = client.get(graph)
        out[graph] = (
            None
            if found is None
            else {str(q.triple) for q in ox.parse(found[0], format=ox.RdfFormat.N_TRIPLES)}
        )
    return out


def _cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> Any:
    opts = []
    for name in ("project_dir", "data_dir", "build_dir", "seed_dir", "external_dir"):
        opts += ["-s", f"{name}={getattr(settings, name)}"]
    return CliRunner().invoke(cli, [*opts, "push", *args], env=env or {})


def test_push_creates_then_replaces_each_graph(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small
    graphs = [g.iri for g in store.graphs()]
    first = _cli(settings, "--endpoint", oxigraph.graph_store)
    assert first.exit_code == 0, first.output
    assert f"{len(graphs)} new" in first.output and f"pushing {len(graphs)} graphs" in first.output
    client = GraphStoreClient(oxigraph.graph_store)
    assert all(_contents(client, graphs).values())
    # a new version: one graph loses its triples about one subject, another gains one
    data_graph = next(g for g in graphs if "/fixture/" in g)
    gone = next(q for q in store.quads(data_graph) if isinstance(q.subject, ox.NamedNode))
    changed = GraphStore.from_quads(q for q in store.quads() if q.subject != gone.subject)
    extra = ox.Quad(gone.subject, gone.predicate, ox.Literal("new"), ox.NamedNode(graphs[0]))
    changed.add_quads([extra])
    report = push(changed, client)
    assert sorted(report.replaced) == sorted(graphs) and report.created == []
    now = _contents(client, graphs)
    assert not any(
        str(gone.subject) in t for t in now[data_graph] or set() if t.startswith(str(gone.subject))
    )
    assert str(extra.triple) in (now[graphs[0]] or set())
    expected = {g: {str(q.triple) for q in changed.quads(g)} for g in graphs}
    ground = {g: {t for t in v if "_:" not in t} for g, v in expected.items()}
    assert {g: {t for t in v if "_:" not in t} for g, v in now.items() if v} == ground


def test_a_failed_push_leaves_the_store_as_it_was(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small
    graphs = [g.iri for g in store.graphs()]
    assert len(graphs) >= 3
    client = GraphStoreClient(oxigraph.graph_store)
    # the store holds an older version of the first graph only
    client.put(graphs[0], b"<http://example.org/old> <http://example.org/p> 'x' .\n")
    before = _contents(client, graphs)

    def fail_third_put(method: str, number: int, _headers: Any) -> int | None:
        return 500 if method == "PUT" and number == 3 else None

    with Proxy(oxigraph.graph_store, fail_third_put) as proxy:
        result = _cli(settings, "--endpoint", proxy.url)
    assert result.exit_code == 2
    assert f"pushing graph <{graphs[2]}> failed" in result.output
    assert "HTTP 500" in result.output and "left as it was" in result.output
    assert "2 graph(s) already replaced were put back" in result.output
    assert _contents(client, graphs) == before  # old version back, new graphs gone


def test_when_putting_back_fails_too_the_graphs_are_named(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    _, store = small
    graphs = [g.iri for g in store.graphs()]

    def fail_from_third_put(method: str, number: int, _headers: Any) -> int | None:
        return 503 if method == "DELETE" or (method == "PUT" and number >= 3) else None

    with Proxy(oxigraph.graph_store, fail_from_third_put) as proxy:
        with pytest.raises(PushError) as caught:
            push(store, GraphStoreClient(proxy.url))
    error = caught.value
    assert error.replaced == graphs[:2]
    assert set(error.unrestored) == set(graphs[:3])
    for graph in graphs[:2]:
        assert f"<{graph}>" in error.message
    assert "Every other graph is unchanged" in error.message
    assert "run `relgraph push` again" in error.hint
    # the store really holds the new version of the first two graphs, and nothing else
    now = _contents(GraphStoreClient(oxigraph.graph_store), graphs)
    assert [g for g in graphs if now[g] is not None] == graphs[:2]


def test_nothing_changes_when_the_store_cannot_be_read(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small

    def refuse_reading(method: str, _number: int, _headers: Any) -> int | None:
        return 403 if method == "GET" else None

    with Proxy(oxigraph.graph_store, refuse_reading) as proxy:
        result = _cli(settings, "--endpoint", proxy.url)
    assert result.exit_code == 2 and "reading of graph" in result.output
    assert "HTTP 403" in result.output
    graphs = [g.iri for g in store.graphs()]
    assert set(_contents(GraphStoreClient(oxigraph.graph_store), graphs).values()) == {None}


@pytest.mark.parametrize(
    ("args", "env", "header"),
    [
        (["--token-env", "STORE_TOKEN"], {"STORE_TOKEN": "t0ken"}, "Bearer t0ken"),
        (["--user", "ana"], {"RELGRAPH_STORE_PASSWORD": "pw"}, "Basic YW5hOnB3"),
        (
            ["--user", "ana", "--password-env", "MY_PW"],
            {"MY_PW": "other"},
            "Basic YW5hOm90aGVy",
        ),
    ],
)
def test_credentials_are_sent(
    oxigraph: OxigraphServer,
    small: tuple[Settings, GraphStore],
    args: list[str],
    env: dict[str, str],
    header: str,
) -> None:
    settings, _ = small

    def demand(method: str, _number: int, headers: Any) -> int | None:
        return None if headers.get("Authorization") == header else 401

    with Proxy(oxigraph.graph_store, demand) as proxy:
        refused = _cli(settings, "--endpoint", proxy.url)
        assert refused.exit_code == 2 and "HTTP 401" in refused.output
        assert "--user NAME with --password-env" in refused.output
        accepted = _cli(settings, "--endpoint", proxy.url, *args, env=env)
        assert accepted.exit_code == 0, accepted.output


def test_missing_secret_and_bad_url_are_usage_errors(small: tuple[Settings, GraphStore]) -> None:
    settings, _ = small
    missing = _cli(settings, "--endpoint", "http://127.0.0.1:9/store", "--token-env", "NOPE")
    assert missing.exit_code == 2 and "NOPE" in missing.output
    bad = _cli(settings, "--endpoint", "ftp://example.org/store")
    assert bad.exit_code == 2 and "not an http(s) URL" in bad.output


def test_progress_is_reported_per_graph(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    _, store = small
    seen: list[tuple[int, int, str]] = []
    report = push(
        store,
        GraphStoreClient(oxigraph.graph_store),
        progress=lambda sent, total, graph: seen.append((sent, total, graph)),
    )
    assert [g for _, _, g in seen] == [g.iri for g in store.graphs()]
    sent = [s for s, _, _ in seen]
    assert sent == sorted(sent) and sent[-1] == report.bytes == seen[0][1]
