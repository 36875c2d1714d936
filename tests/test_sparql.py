"""The core query service: read-only grammar, dataset, row cap, deadline."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from relgraph.answer import Answer
from relgraph.errors import QueryRejected, QuerySyntaxError, QueryTimeout, RelgraphError
from relgraph.settings import Settings
from relgraph.sparql import (
    QueryRequest,
    SparqlService,
    effective_time_limit_ms,
    inspect_query,
    resolve_dataset,
)
from relgraph.store import GraphStore
from tests import COLLABORATIVE, ROLE_THEORY

MINI = "https://w3id.org/relgraph/graph/tests/data/fixture/mini"
CORE = "https://w3id.org/relgraph/graph/ontology/modules/core"
#: A cross product over the whole fixture graph: far too slow to finish.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture
def service(fixture_settings: Settings, fixture_store: GraphStore) -> Iterator[SparqlService]:
    with SparqlService(fixture_settings.replace(max_rows=5), fixture_store) as svc:
        yield svc


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("LOAD <http://127.0.0.1:1/data.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://example.org/g>", "DROP"),
        ("CREATE GRAPH <http://example.org/g>", "CREATE"),
        ("COPY DEFAULT TO <http://example.org/g>", "COPY"),
    ],
)
def test_updates_are_refused_with_the_operation_named(text: str, word: str) -> None:
    with pytest.raises(QueryRejected) as info:
        inspect_query(text)
    assert word in info.value.message
    assert "read-only" in info.value.hint
    assert info.value.http_status == 403


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x.org/> { ?s ?q ?r } } }",
        "ASK { { SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
    ],
)
def test_service_is_refused_wherever_it_hides(text: str) -> None:
    with pytest.raises(QueryRejected, match="SERVICE is refused"):
        inspect_query(text)


def test_syntax_errors_carry_line_and_column(service: SparqlService) -> None:
    """The engine is the grammar authority: its errors carry line and column."""
    with pytest.raises(QuerySyntaxError) as info:
        service.run(QueryRequest("SELECT * WHERE {\n  ?s ?p }"))
    assert info.value.line == 2 and info.value.column is not None
    assert f"line 2, column {info.value.column}" in info.value.message
    with pytest.raises(QuerySyntaxError, match="empty"):
        inspect_query("   ")
    with pytest.raises(QuerySyntaxError, match="empty"):
        inspect_query("# only a comment\n")


def test_query_forms_and_dataset_clauses() -> None:
    assert inspect_query("ASK { ?s ?p ?o }").form == "ask"
    assert inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").returns_graph
    assert inspect_query("DESCRIBE <http://example.org/x>").form == "describe"
    assert not inspect_query("SELECT * { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM <g> { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }").has_dataset


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


def _select(service: SparqlService, text: str, **kwargs: object) -> Answer:
    answer = service.run(QueryRequest(text, **kwargs)).answer  # type: ignore[arg-type]
    assert answer.kind == "select"
    return answer


def test_row_cap_reads_one_more_and_flags_truncation(service: SparqlService) -> None:
    capped = _select(service, "SELECT ?s WHERE { ?s ?p ?o }")
    assert len(capped.rows) == 5 and capped.truncated
    exact = _select(service, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert len(exact.rows) == 5 and not exact.truncated
    graph = service.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }")).answer
    assert len(graph.triples) == 5 and graph.truncated


def test_default_graph_is_the_union_unless_a_dataset_is_chosen(service: SparqlService) -> None:
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


def test_from_an_unknown_graph_fetches_nothing_and_is_empty(service: SparqlService) -> None:
    answer = _select(service, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert answer.rows == [] and not answer.truncated


def test_bindings_are_terms_never_text(service: SparqlService) -> None:
    text = "SELECT ?theory ?model WHERE { ?theory rg:hasRelationshipModel ?model }"
    answer = _select(service, text, bindings={"theory": ox.NamedNode(str(ROLE_THEORY))})
    assert answer.rows == [(ox.NamedNode(str(ROLE_THEORY)), ox.NamedNode(str(COLLABORATIVE)))]
    attack = ox.Literal("x } ; DROP ALL ; SELECT * { ?s ?p ?o ")
    assert _select(service, text, bindings={"theory": attack}).rows == []


def test_answers_serialise_in_every_format(service: SparqlService) -> None:
    answer = _select(service, "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 2")
    for fmt in ("json", "xml", "csv", "tsv"):
        assert answer.serialize(fmt)
    parsed = ox.parse_query_results(answer.serialize("xml"), format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 2
    graph = service.run(QueryRequest("CONSTRUCT WHERE { ?s a rg:Theory }")).answer
    for fmt in ("ttl", "nt", "xml", "jsonld"):
        assert graph.serialize(fmt)
    with pytest.raises(RelgraphError, match="cannot be sent as csv"):
        graph.serialize("csv")


def test_free_sparql_can_be_switched_off(
    fixture_settings: Settings, fixture_store: GraphStore
) -> None:
    with SparqlService(fixture_settings.replace(allow_free_sparql=False), fixture_store) as svc:
        with pytest.raises(QueryRejected, match="allow_free_sparql"):
            svc.check(QueryRequest("ASK { ?s ?p ?o }"))
        assert svc.check(QueryRequest("ASK { ?s ?p ?o }", trusted=True)).form == "ask"


@pytest.mark.slow
def test_deadline_kills_the_worker_while_another_query_is_answered(
    fixture_settings: Settings, fixture_store: GraphStore
) -> None:
    limit_ms = 1500
    settings = fixture_settings.replace(query_time_limit_ms=limit_ms)
    with SparqlService(settings, fixture_store) as svc:
        svc.pool.warm()
        outcome: dict[str, object] = {}

        def expensive() -> None:
            started = time.monotonic()
            try:
                svc.run(QueryRequest(EXPENSIVE))
            except QueryTimeout as exc:
                outcome["error"] = exc
            outcome["seconds"] = time.monotonic() - started

        gc.collect()  # see conftest: no garbage of this thread may be collected in the other
        thread = threading.Thread(target=expensive)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        quick = svc.run(QueryRequest("ASK { ?s a rg:Theory }")).answer
        quick_seconds = time.monotonic() - started
        thread.join(limit_ms / 1000 + 5)
        assert quick.boolean is True
        assert quick_seconds < 1.0
        error = outcome["error"]
        assert isinstance(error, QueryTimeout)
        assert "query_time_limit_ms" in error.message and "1500 ms" in error.message
        assert "LIMIT" in error.hint
        assert float(str(outcome["seconds"])) < limit_ms / 1000 + 2
        assert svc.pool.kills == 1
        # The replacement worker answers; a lower per-request limit also holds.
        assert svc.run(QueryRequest("ASK { ?s ?p ?o }")).answer.boolean is True
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="lowered by the request"):
            svc.run(QueryRequest(EXPENSIVE, time_limit_ms=300))
        assert time.monotonic() - started < 0.3 + 2
