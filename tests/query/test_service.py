"""The query service: read-only grammar, dataset, row cap, deadline; in a pool and in process.

Every behaviour but the deadline is checked with both executors: the worker
pool (the web's) and in process (the CLI's), so the two front ends accept,
refuse and answer queries alike.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest

from relgraph.errors import QueryRejected, QuerySyntaxError, QueryTimeout, RelgraphError
from relgraph.query.formats import write
from relgraph.query.service import (
    QueryRequest,
    QueryService,
    effective_time_limit_ms,
    resolve_dataset,
)
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.answer import Answer
from tests import COLLABORATIVE, CORE_GRAPH, EXPENSIVE, MINI_GRAPH, ROLE_THEORY

MINI = MINI_GRAPH
CORE = CORE_GRAPH


@pytest.fixture(scope="module", params=["pool", "in-process"])
def service(
    request: pytest.FixtureRequest, built_fixture: tuple[Settings, GraphStore]
) -> Iterator[QueryService]:
    """The service with either executor (the pool is started once per module)."""
    settings, store = built_fixture
    settings = settings.replace(max_rows=5)
    if request.param == "pool":
        with QueryService.with_pool(settings, store) as svc:
            yield svc
    else:
        yield QueryService.in_process(settings, store)


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Wait for a state of the pool (an event, not a duration); fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_syntax_errors_carry_line_and_column(service: QueryService) -> None:
    """The engine is the grammar authority: its errors carry line and column."""
    with pytest.raises(QuerySyntaxError) as info:
        service.run(QueryRequest("SELECT * WHERE {\n  ?s ?p }"))
    assert info.value.line == 2 and info.value.column is not None
    assert f"line 2, column {info.value.column}" in info.value.message
    with pytest.raises(QuerySyntaxError, match="empty"):
        service.run(QueryRequest("   "))


def test_protocol_dataset_resolves_relative_iris() -> None:
    base = "http://127.0.0.1:5000/sparql"
    assert resolve_dataset(["g1", "/abs"], [], base) == (
        ("http://127.0.0.1:5000/g1", "http://127.0.0.1:5000/abs"),
        (),
    )
    assert resolve_dataset([], ["http://example.org/n"], base) == ((), ("http://example.org/n",))
    with pytest.raises(RelgraphError, match="not an IRI"):
        resolve_dataset(["not an iri"], [], None)


def test_time_limit_may_only_be_lowered() -> None:
    settings = Settings(query_time_limit_ms=800)
    assert effective_time_limit_ms(settings, None) == 800
    assert effective_time_limit_ms(settings, "200") == 200
    assert effective_time_limit_ms(settings, 99999) == 800
    for bad in ("0", "-5", "soon"):
        with pytest.raises(RelgraphError, match="positive"):
            effective_time_limit_ms(settings, bad)


def _select(service: QueryService, text: str, **kwargs: object) -> Answer:
    answer = service.run(QueryRequest(text, **kwargs)).answer  # type: ignore[arg-type]
    assert answer.kind == "select"
    return answer


def test_row_cap_reads_one_more_and_flags_truncation(service: QueryService) -> None:
    capped = _select(service, "SELECT ?s WHERE { ?s ?p ?o }")
    assert len(capped.rows) == 5 and capped.truncated
    exact = _select(service, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert len(exact.rows) == 5 and not exact.truncated
    graph = service.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }")).answer
    assert len(graph.triples) == 5 and graph.truncated


def test_default_graph_is_the_union_unless_a_dataset_is_chosen(service: QueryService) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a rg:Theory }"

    def n(answer: Answer) -> int:
        term = answer.rows[0][0]
        assert isinstance(term, ox.Literal)
        return int(term.value)

    assert n(_select(service, count)) == 1
    assert n(_select(service, count, default_graph_uris=(CORE,))) == 0
    assert n(_select(service, count, default_graph_uris=(MINI,))) == 1
    from_core = count.replace("WHERE", f"FROM <{CORE}> WHERE")
    assert n(_select(service, from_core)) == 0
    # The protocol dataset overrides FROM.
    assert n(_select(service, from_core, default_graph_uris=(MINI,))) == 1
    # FROM NAMED alone leaves the default graph empty; GRAPH sees the named one.
    named = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ROLE_THEORY}> ?p ?o }} }} LIMIT 1"
    answer = _select(service, named.replace("WHERE", f"FROM NAMED <{MINI}> WHERE"))
    assert answer.rows[0][0] == ox.NamedNode(MINI)
    assert _select(service, named, named_graph_uris=(CORE,)).rows == []


def test_from_an_unknown_graph_fetches_nothing_and_is_empty(service: QueryService) -> None:
    answer = _select(service, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert answer.rows == [] and not answer.truncated


def test_bindings_are_terms_never_text(service: QueryService) -> None:
    text = "SELECT ?theory ?model WHERE { ?theory rg:hasRelationshipModel ?model }"
    answer = _select(service, text, bindings={"theory": ox.NamedNode(str(ROLE_THEORY))})
    assert answer.rows == [(ox.NamedNode(str(ROLE_THEORY)), ox.NamedNode(str(COLLABORATIVE)))]
    attack = ox.Literal("x } ; DROP ALL ; SELECT * { ?s ?p ?o ")
    assert _select(service, text, bindings={"theory": attack}).rows == []


def test_answers_serialise_in_every_format(service: QueryService) -> None:
    answer = _select(service, "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 2")
    for fmt in ("json", "xml", "csv", "tsv"):
        assert write(answer, fmt)
    parsed = ox.parse_query_results(write(answer, "xml"), format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 2
    graph = service.run(QueryRequest("CONSTRUCT WHERE { ?s a rg:Theory }")).answer
    for fmt in ("ttl", "nt", "xml", "jsonld"):
        assert write(graph, fmt)
    with pytest.raises(RelgraphError, match="cannot be sent as csv"):
        write(graph, "csv")


def test_free_sparql_can_be_switched_off(built_fixture: tuple[Settings, GraphStore]) -> None:
    settings, store = built_fixture
    svc = QueryService.in_process(settings.replace(allow_free_sparql=False), store)
    with pytest.raises(QueryRejected, match="allow_free_sparql"):
        svc.check(QueryRequest("ASK { ?s ?p ?o }"))
    assert svc.check(QueryRequest("ASK { ?s ?p ?o }", trusted=True)).form == "ask"
    with pytest.raises(QueryRejected, match="allow_free_sparql"):
        svc.run(QueryRequest("ASK { ?s ?p ?o }"))


@pytest.mark.slow
def test_deadline_kills_the_worker_while_another_query_is_answered(
    built_fixture: tuple[Settings, GraphStore],
) -> None:
    limit_ms = 2000
    settings, store = built_fixture
    settings = settings.replace(query_time_limit_ms=limit_ms)
    with QueryService.with_pool(settings, store) as svc:
        pool = svc.pool
        assert pool is not None
        pool.warm()
        outcome: dict[str, object] = {}

        def expensive() -> None:
            try:
                svc.run(QueryRequest(EXPENSIVE))
            except QueryTimeout as exc:
                outcome["error"] = exc

        gc.collect()  # see conftest: no garbage of this thread may be collected in the other
        thread = threading.Thread(target=expensive)
        thread.start()
        wait_until(lambda: pool.stats().busy == 1, "the expensive query runs in a worker")
        quick = svc.run(QueryRequest("ASK { ?s a rg:Theory }")).answer
        # answered by the other worker while the expensive query was still running
        assert quick.boolean is True
        assert thread.is_alive() and pool.stats().kills == 0
        thread.join(limit_ms / 1000 + 60)
        error = outcome["error"]
        assert isinstance(error, QueryTimeout)
        assert "query_time_limit_ms" in error.message and "2000 ms" in error.message
        assert "LIMIT" in error.hint
        stats = pool.stats()
        assert stats.kills == 1 and stats.busy == 0 and stats.alive == stats.size
        # The replacement worker answers; a lower per-request limit also holds.
        assert svc.run(QueryRequest("ASK { ?s ?p ?o }")).answer.boolean is True
        with pytest.raises(QueryTimeout, match="lowered by the request"):
            svc.run(QueryRequest(EXPENSIVE, time_limit_ms=300))
        assert pool.stats().kills == 2
