"""The CLI and the web accept and refuse the same queries (issue 10): one query service.

``relgraph query`` runs queries in its own process and ``/sparql`` in the
worker pool, both through :class:`relgraph.query.service.QueryService`: the
same inspection (updates and SERVICE, also where only the engine's parser
would see one), the same syntax errors, the same formats for each kind of
answer (``--format json`` of a CONSTRUCT is JSON-LD, as ``format=json`` is).
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import QueryRejected, QuerySyntaxError, RelgraphError

#: query -> the error class both front ends answer with (None: both answer it).
CASES: dict[str, type[RelgraphError] | None] = {
    "SELECT ?label WHERE { rgr:theory-role-theory rdfs:label ?label }": None,
    "ASK { ?s a rg:Theory }": None,
    "CONSTRUCT WHERE { ?s a rg:Theory }": None,
    "DESCRIBE rgr:theory-role-theory": None,
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }": QueryRejected,
    "DELETE WHERE { ?s ?p ?o }": QueryRejected,
    "LOAD <http://127.0.0.1:9/x.ttl>": QueryRejected,
    "DROP ALL": QueryRejected,
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }": QueryRejected,
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }": (
        QueryRejected
    ),
    # SERVICE as only the engine's parser reads it (no word boundary): found by the probe
    "PREFIX : <http://127.0.0.1:9/> ASK { SERVICE:g { ?s ?p ?o } }": QueryRejected,
    "ASK { ?s ?p trueSERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }": QueryRejected,
    "SELECT * WHERE {\n  ?s ?p }": QuerySyntaxError,
    "   ": QuerySyntaxError,
}


@pytest.fixture
def built(built_cli: Any) -> Any:
    """The CLI over the fixture project, built once for the module."""
    return built_cli


@pytest.mark.parametrize("text", sorted(CASES))
def test_the_cli_accepts_and_refuses_what_the_endpoint_does(
    built: Any, client: Any, text: str
) -> None:
    expected = CASES[text]
    web = client.get("/sparql", query_string={"query": text, "format": "json"})
    cli = built("query", text, "--format", "json")
    if expected is None:
        assert web.status_code == 200, web.data
        assert cli.exit_code == 0, cli.output
        # the same answer in the same format (JSON results, or JSON-LD for graphs)
        if web.mimetype == "application/ld+json":
            web_triples = set(ox.parse(web.data, format=ox.RdfFormat.JSON_LD))
            cli_triples = set(ox.parse(cli.stdout.encode(), format=ox.RdfFormat.JSON_LD))
            assert web_triples == cli_triples and web_triples
        else:
            assert json.loads(cli.stdout) == web.json
        return
    assert web.status_code == expected.http_status, web.data
    assert web.json["type"] == expected.__name__
    assert cli.exit_code == expected.exit_code == 2
    assert web.json["error"] in cli.output


def test_a_format_the_answer_cannot_have_is_refused_by_both(built: Any, client: Any) -> None:
    ask = "ASK { ?s a rg:Theory }"
    web = client.get("/sparql", query_string={"query": ask, "format": "csv"})
    cli = built("query", ask, "--format", "csv")
    assert web.status_code == 406 and cli.exit_code == 2
    assert "an ASK answer cannot be sent as" in web.json["error"]
    assert "an ASK answer cannot be sent as csv" in cli.output


def test_the_cli_cuts_answers_at_max_rows_and_says_so(built: Any) -> None:
    result = built("-s", "max_rows=3", "query", "SELECT * { ?s ?p ?o }", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 3
    assert "cut at 3 rows (setting max_rows)" in result.stderr
