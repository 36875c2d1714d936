"""``relgraph serve --backend URL`` (issue 13): every page and /sparql from a real external store.

Oxigraph's server and Virtuoso (the session fixtures of ``tests/conftest.py``, started
on loopback and loaded with ``relgraph push``) are served by a real ``relgraph serve
--backend`` (gunicorn), and queried over HTTP as users do: the stored queries give the
embedded store's answers, the pages work, and the refusals, row cap and deadlines hold.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import QueryTimeout
from relgraph.query.catalog import list_queries
from relgraph.query.service import QueryRequest, QueryService
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.answer import Answer, collect
from relgraph.store.remote import RemoteStore
from relgraph.vocab import GRAPH, PREFIXES
from tests import EXPENSIVE, ROLE_THEORY
from tests.conftest import serve_in_background
from tests.store.test_remote import KNOWN_DIFFERENCES, _normal

ROLE_GRAPH = str(GRAPH) + "data/role-theory"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
STORES = ["oxigraph", "virtuoso"]


class Served:
    """A ``relgraph serve --backend`` over one store."""

    def __init__(self, name: str, url: str, store: Any) -> None:
        self.name, self.url, self.store = name, url, store

    def get(self, path: str, **params: str) -> tuple[int, dict[str, str], bytes]:
        query = "?" + urllib.parse.urlencode(params) if params else ""
        return _send(urllib.request.Request(self.url + path + query))

    def sparql(
        self, text: str, accept: str = "application/sparql-results+json", **more: str
    ) -> Any:
        data = urllib.parse.urlencode({"query": text, **more}).encode()
        request = urllib.request.Request(
            self.url + "/sparql", data=data, headers={"Accept": accept}
        )
        return _send(request)


def _send(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module", params=STORES)
def served(
    request: pytest.FixtureRequest,
    repo_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    store = request.getfixturevalue(f"{request.param}_store")
    overrides = {"backend": store.sparql}
    if request.param == "virtuoso":
        overrides["backend_timeout_parameter"] = "ms"
    tmp = tmp_path_factory.mktemp(f"backend-{request.param}")
    with serve_in_background(repo_settings, tmp, overrides=overrides) as server:
        yield Served(request.param, server.url, store)


def _answer(body: bytes) -> Answer:
    return collect(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), 10**6)


def test_every_stored_query_answers_over_http_as_the_embedded_store(
    served: Served, repo_store: GraphStore, repo_settings: Settings
) -> None:
    plain = served.name == "virtuoso"
    differ = []
    stored = list_queries(repo_settings)
    assert len(stored) >= 40
    for query in stored:
        ours = collect(query.select(repo_store), 10**6)
        status, headers, body = served.sparql(PROLOGUE + query.standalone())
        if status != 200:
            differ.append(query.id)
            continue
        assert headers["X-Relgraph-Truncated"] == "false", query.id
        theirs = _answer(body)
        assert theirs.variables == ours.variables, query.id
        if _normal(theirs, plain=plain) != _normal(ours, plain=plain):
            differ.append(query.id)
    assert set(differ) == KNOWN_DIFFERENCES[served.name]


def test_stored_query_pages_bind_parameters_at_the_store(served: Served) -> None:
    status, _, body = served.get(
        "/queries/cq03-relationship-models-of-theory.json", theory=str(ROLE_THEORY)
    )
    assert status == 200, body[:300]
    page = json.loads(body)
    assert page["error"] is None and page["results"]["rows"], page


def test_pages_read_the_store(served: Served, repo_store: GraphStore) -> None:
    status, _, body = served.get("/entity.json", iri=str(ROLE_THEORY))
    assert status == 200, body[:300]
    entity = json.loads(body)
    assert entity["found"] and entity["label"] == "role theory"
    assert entity["passages"], entity
    status, _, html = served.get("/entity", iri=str(ROLE_THEORY))
    assert status == 200 and b"role theory" in html
    status, _, body = served.get("/-/graphs.json")
    graphs = json.loads(body)
    assert {g["iri"]: g["triples"] for g in graphs["graphs"]} == {
        g.iri: g.triples for g in repo_store.graphs()
    }
    for path in ("/", "/queries", "/queries/cq01-theories", "/.well-known/void"):
        status, _, body = served.get(path)
        assert status == 200, (path, body[:300])
    status, _, body = served.get("/query.json", query="SELECT ?t WHERE { ?t a rg:Theory }")
    assert status == 200 and len(json.loads(body)["rows"]) == 6, body[:300]


@pytest.mark.parametrize(
    "path", ["/graph.json", "/compare.json", "/gaps.json", "/analytics.json", "/graph", "/gaps"]
)
def test_the_graph_views_read_the_store(served: Served, path: str) -> None:
    status, _, body = served.get(path)
    assert status == 200, (path, body[:300])


def test_documents_of_our_iris_read_the_store(served: Served, repo_store: GraphStore) -> None:
    """An IRI's RDF document (303 target): the store's triples about it, as the embedded."""
    name = "resource/theory-role-theory"
    status, _, body = served.get(f"/{name}.nt")
    assert status == 200, body[:300]
    theirs = {str(q.triple) for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    ours = {
        str(q.triple)
        for q in repo_store.quads()
        if isinstance(q.subject, ox.NamedNode) and q.subject.value == str(ROLE_THEORY)
    }
    assert ours and ours <= theirs


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", b"SERVICE"),
        ("SELECT * WHERE { SERVICEex:g { ?s ?p ?o } }", b"SERVICE"),
        ("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", b"updates are refused"),
        ("DROP ALL", b"updates are refused"),
    ],
)
def test_refusals_hold_with_a_backend(served: Served, query: str, why: bytes) -> None:
    status, _, body = served.sparql(query)
    assert status == 403 and why in body, body[:300]


def test_updates_by_protocol_are_refused(served: Served) -> None:
    request = urllib.request.Request(
        served.url + "/sparql",
        data=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    status, _, _ = _send(request)
    assert status == 403
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = served.sparql(count)
    assert int(_answer(body).rows[0][0].value) > 10_000  # type: ignore[union-attr]


def test_the_dataset_names_only_relgraphs_graphs_in_the_store(
    served: Served, repo_store: GraphStore
) -> None:
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    role = {g.iri: g.triples for g in repo_store.graphs()}[ROLE_GRAPH]
    for dataset, expected in [
        (f"FROM <{ROLE_GRAPH}>", role),
        ("FROM <file:///etc/passwd>", 0),
        ("FROM <http://example.org/elsewhere.ttl>", 0),
        (f"FROM <file:///etc/passwd> FROM <{ROLE_GRAPH}>", role),
    ]:
        status, _, body = served.sparql(count.format(dataset))
        assert status == 200, body[:300]
        assert int(_answer(body).rows[0][0].value) == expected, dataset  # type: ignore[union-attr]
    status, _, body = served.sparql(count.format(""), **{"default-graph-uri": "file:///etc/passwd"})
    assert status == 200 and _answer(body).rows[0][0].value == "0"  # type: ignore[union-attr]


def test_a_stores_own_dialect_never_reaches_it(served: Served) -> None:
    status, _, body = served.sparql('DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }')
    assert status == 400 and b"syntax error" in body, body[:300]
    status, _, body = served.sparql("SELECT ?x\nWHERE { ?x a }")
    assert status == 400 and b"line 2" in body


def test_the_row_cap_reads_only_what_it_keeps(served: Served, repo_settings: Settings) -> None:
    store = RemoteStore(served.store.sparql)
    service = QueryService.with_backend(repo_settings.replace(max_rows=3), store)
    with service:
        outcome = service.run(QueryRequest(query="SELECT * WHERE { ?s ?p ?o }"))
        assert outcome.answer.size == 3 and outcome.answer.truncated
        again = service.run(QueryRequest(query="SELECT ?t WHERE { ?t a rg:Theory }"))
        assert again.answer.size == 3 and again.answer.truncated
        ask = service.run(QueryRequest(query="ASK { ?t a rg:Theory }"))
        assert ask.answer.boolean is True


@pytest.mark.parametrize("served", ["virtuoso"], indirect=True)
def test_a_runaway_query_is_stopped_by_the_stores_own_limit(served: Served) -> None:
    """Virtuoso gets the limit as its ``timeout`` parameter (Oxigraph's server takes none)."""
    started = time.monotonic()
    status, headers, body = served.sparql(EXPENSIVE, timeout="1000")
    took = time.monotonic() - started
    assert status == 503 and b"time limit of 1000 ms" in body, body[:300]
    assert took < 15 and "Retry-After" in headers
    status, _, _ = served.sparql("ASK { ?t a rg:Theory }")
    assert status == 200  # the store answers again at once


@pytest.mark.parametrize("served", ["oxigraph"], indirect=True)
def test_relgraphs_deadline_holds_without_the_stores_help(served: Served) -> None:
    """No limit sent to the store: relgraph's HTTP deadline still answers the client in time.

    Oxigraph only: a store keeps evaluating a query after its client hangs up, so the
    query here is merely slow (a cross product of the typed nodes, about a second)
    rather than endless; Virtuoso is stopped by its own limit (the test above).
    """
    store = RemoteStore(served.store.sparql, timeout_parameter="none")
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d a ?f . ?g a ?h }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.answer(slow, time_limit_s=0.1)
    assert time.monotonic() - started < 2
    store.close()
