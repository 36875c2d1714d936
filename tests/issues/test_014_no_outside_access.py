"""Issue 14: no request makes the server (or `relgraph check`) reach the network or the files.

A canary HTTP listener on loopback records every connection, and answers any
request with a Turtle document holding a marker; a canary file holds another
marker. Every way a SPARQL query could name a resource to fetch (SERVICE,
LOAD, FROM and FROM NAMED, the protocol's ``default-graph-uri`` and
``named-graph-uri``, DESCRIBE of a remote IRI, a BASE that makes relative IRIs
point there), with ``http:`` loopback and ``file:`` URLs, is sent to the
endpoint and to every page that runs queries, in process and over a real
gunicorn server; then the listener must have seen no connection and no answer
may hold a marker. `relgraph check` is given files that import, include or
point to the canaries (``owl:imports``, RDF/XML external entities) likewise.
There is no external-store backend for serving on main (``RemoteStore`` is
used by ``push`` and the benchmark only), so there is nothing more to prove.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from relgraph.settings import Settings
from tests.conftest import cli_for


class Canary:
    """A loopback HTTP listener that records every request, and a file; both hold markers."""

    def __init__(self, folder: Path) -> None:
        self.marker = f"canary-{uuid.uuid4().hex}"
        self.file_marker = f"canary-file-{uuid.uuid4().hex}"
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                body = f'<http://canary.example/s> <http://canary.example/p> "{canary.marker}" .\n'
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(body.encode())

            do_GET = do_POST = do_HEAD = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.file = folder / "canary.ttl"
        self.file.write_text(
            f'<http://canary.example/s> <http://canary.example/p> "{self.file_marker}" .\n'
        )
        self.file_url = self.file.as_uri()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def leaked(self, text: str) -> bool:
        return self.marker in text or self.file_marker in text

    def queries(self) -> list[str]:
        """Queries that would fetch something if the engine followed any IRI."""
        out = []
        for target in (f"{self.url}/sparql", self.file_url, f"{self.url}/g"):
            out += [
                f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
                f"LOAD <{target}>",
                f"LOAD SILENT <{target}> INTO GRAPH <http://example.org/g>",
                f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
                f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                f"CONSTRUCT {{ ?s ?p ?o }} FROM <{target}> WHERE {{ ?s ?p ?o }}",
                f"ASK FROM <{target}> {{ ?s ?p ?o }}",
                f"DESCRIBE <{target}>",
                f"DESCRIBE <{target}/thing> <http://canary.example/s>",
                f"SELECT * WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}",
                f"BASE <{target}/> SELECT * FROM <g> WHERE {{ ?s ?p ?o }}",
            ]
        return out

    def dataset_params(self) -> list[dict[str, str]]:
        return [
            {"default-graph-uri": self.url + "/g"},
            {"named-graph-uri": self.url + "/g"},
            {"default-graph-uri": self.file_url},
            {"named-graph-uri": self.file_url},
            {"default-graph-uri": "canary.ttl"},  # relative: resolved against the endpoint
        ]


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canary]:
    found = Canary(tmp_path_factory.mktemp("canary"))
    yield found
    found.close()


def _requests(canary: Canary) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, parameters) of every request to try."""
    out: list[tuple[str, str, dict[str, str]]] = []
    for query in canary.queries():
        out.append(("GET", "/sparql", {"query": query}))
        out.append(("POST", "/query.json", {"query": query}))
    plain = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
    for params in canary.dataset_params():
        out.append(("GET", "/sparql", {"query": plain, **params}))
        out.append(("GET", "/query.json", {"query": plain, **params}))
    for iri in (canary.url + "/thing", canary.file_url):
        out.append(("GET", "/entity.json", {"iri": iri}))
        out.append(("GET", "/queries/fx01-models.json", {"theory": iri}))
        out.append(("GET", "/queries/fx01-models/results", {"theory": f"<{iri}>"}))
    return out


def _check(canary: Canary, status: int, body: str, what: str) -> None:
    assert status < 500, f"{what}: {status} {body[:300]}"
    assert not canary.leaked(body), f"{what} answered with the canary: {body[:300]}"


def test_no_query_reaches_the_network_or_the_files_in_process(client: Any, canary: Canary) -> None:
    for method, path, params in _requests(canary):
        if method == "GET":
            reply = client.get(path, query_string=params)
        else:
            reply = client.post(path, data=params)
        _check(canary, reply.status_code, reply.get_data(as_text=True), f"{method} {path} {params}")
        if "SERVICE" in params.get("query", "") or "LOAD" in params.get("query", ""):
            assert reply.status_code == 403, params
    assert canary.requests == []


@pytest.mark.slow
def test_no_query_reaches_the_network_or_the_files_over_http(
    live_server: str, canary: Canary
) -> None:
    for method, path, params in _requests(canary):
        encoded = urllib.parse.urlencode(params)
        if method == "GET":
            request = urllib.request.Request(f"{live_server}{path}?{encoded}")
        else:
            request = urllib.request.Request(live_server + path, data=encoded.encode())
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                status, body = error.code, error.read().decode()
        _check(canary, status, body, f"{method} {path} {params}")
    assert canary.requests == []


def test_the_cli_query_reaches_nothing_either(built_cli: Any, canary: Canary) -> None:
    for query in canary.queries():
        result = built_cli("query", query)
        assert result.exit_code in (0, 2), result.output
        assert not canary.leaked(result.output)
    assert canary.requests == []


def test_check_on_a_hostile_file_reaches_nothing(
    fixture_settings: Settings, canary: Canary, tmp_path: Path
) -> None:
    """A curator runs `check` on someone's file: its imports and entities are not followed."""
    turtle = tmp_path / "imports.ttl"
    turtle.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://w3id.org/relgraph/x> a owl:Ontology ; owl:imports <{canary.url}/onto> , "
        f"<{canary.file_url}> .\n"
    )
    xml = tmp_path / "entities.rdf"
    xml.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [<!ENTITY f SYSTEM "{canary.file_url}">'
        f' <!ENTITY h SYSTEM "{canary.url}/entity">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '<rdf:Description rdf:about="https://w3id.org/relgraph/resource/x">'
        "<rdfs:label>&f;&h;</rdfs:label></rdf:Description>\n</rdf:RDF>\n"
    )
    invoke = cli_for(fixture_settings)
    for path in (turtle, xml):
        result = invoke("check", "--no-reasoner", "--format", "json", str(path))
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        assert not canary.leaked(result.output)
    assert canary.requests == []
