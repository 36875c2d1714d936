"""Query inspection: what a text is, and whether the endpoint may run it."""

from __future__ import annotations

import pytest

from relgraph.errors import QueryRejected, QuerySyntaxError
from relgraph.query.inspection import inspect_query


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


def test_query_forms_and_dataset_clauses() -> None:
    assert inspect_query("ASK { ?s ?p ?o }").form == "ask"
    assert inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").returns_graph
    assert inspect_query("DESCRIBE <http://example.org/x>").form == "describe"
    assert not inspect_query("SELECT * { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM <g> { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }").has_dataset


def test_an_empty_text_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="empty"):
        inspect_query("   ")
    with pytest.raises(QuerySyntaxError, match="empty"):
        inspect_query("# only a comment\n")


# -- the remembered inspection (docs/decisions/0014-latency.md) ------------------------------


def test_remembered_inspection_is_the_inspection() -> None:
    from relgraph.query.inspection import inspect_cached

    texts = [
        "SELECT * WHERE { ?s ?p ?o }",
        "PREFIX e: <http://e/> CONSTRUCT { ?s ?p ?o } FROM e:g WHERE { ?s ?p ?o }",
        'ASK { ?s ?p "self-service" }',
    ]
    for text in texts:
        first = inspect_cached(text, max_nesting=50)
        assert first == inspect_query(text, max_nesting=50)
        assert inspect_cached(text, max_nesting=50) is first  # remembered


def test_refused_texts_are_refused_every_time_with_the_cache() -> None:
    from relgraph.query.inspection import inspect_cached

    for _ in range(3):
        with pytest.raises(QueryRejected, match="SERVICE"):
            inspect_cached("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
        with pytest.raises(QueryRejected, match="DROP"):
            inspect_cached("DROP ALL")
    deep = "ASK { " + "{ " * 20 + "}" * 20 + " }"
    assert inspect_cached(deep, max_nesting=50).form == "ask"
    with pytest.raises(QueryRejected, match="max_query_nesting"):
        inspect_cached(deep, max_nesting=10)  # the limit is part of the key


def test_the_cache_keeps_no_long_texts_and_is_bounded() -> None:
    from relgraph.query import inspection

    inspection._inspect_remembered.cache_clear()
    long_text = "ASK { ?s ?p ?o } #" + "x" * inspection.INSPECTION_CACHE_CHARS
    assert inspection.inspect_cached(long_text).form == "ask"
    assert inspection._inspect_remembered.cache_info().currsize == 0
    for i in range(inspection.INSPECTION_CACHE_SIZE + 50):
        inspection.inspect_cached(f"ASK {{ ?s ?p {i} }}")
    info = inspection._inspect_remembered.cache_info()
    assert info.currsize == info.maxsize == inspection.INSPECTION_CACHE_SIZE
