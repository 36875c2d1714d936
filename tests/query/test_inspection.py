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
