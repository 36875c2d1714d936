"""A store whose default graph is the union of its named graphs (issue 13): no graph list sent.

Oxigraph's server started with ``--union-default-graph`` holds the real graph
(``relgraph push``); with ``backend_union_default_graph`` relgraph sends its
queries without ``default-graph-uri`` / ``named-graph-uri`` and gets the embedded
store's answers, and a store whose default graph is not the union is refused.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.stores import OxigraphServer
from relgraph.cli.backend import with_backend
from relgraph.errors import ConfigError
from relgraph.query.catalog import list_queries
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.answer import collect
from relgraph.store.remote import RemoteStore
from tests import ROLE_THEORY
from tests.conftest import _push_with_cli
from tests.store.test_remote import _normal


@pytest.fixture(scope="module")
def union_server(repo_settings: Settings) -> Iterator[OxigraphServer]:
    """Oxigraph's server with --union-default-graph, holding the real graph."""
    with OxigraphServer(union_default_graph=True) as server:
        _push_with_cli(repo_settings, server.graph_store, env={})
        yield server


def _recorded(remote: RemoteStore) -> list[dict[str, list[str]]]:
    """Record the form fields of every query request the store object sends."""
    sent: list[dict[str, list[str]]] = []
    post = remote.pool.post

    def spy(url: str, **kwargs: Any) -> Any:
        sent.append(urllib.parse.parse_qs(kwargs["data"].decode()))
        return post(url, **kwargs)

    remote.pool.post = spy  # type: ignore[method-assign]
    return sent


def test_every_stored_query_answers_as_the_embedded_store(
    union_server: OxigraphServer, repo_store: GraphStore, repo_settings: Settings
) -> None:
    settings = repo_settings.replace(backend=union_server.sparql, backend_union_default_graph=True)
    remote = RemoteStore.from_settings(settings)
    assert remote.dataset == "store"
    sent = _recorded(remote)
    stored = list_queries(repo_settings)
    assert len(stored) >= 40
    differ = []
    for query in stored:
        ours = collect(query.select(repo_store), 100_000)
        theirs = remote.answer(query.text, bindings=query.bind(), max_rows=100_000)
        assert theirs.kind == ours.kind and theirs.variables == ours.variables, query.id
        if _normal(theirs) != _normal(ours):
            differ.append(query.id)
    assert differ == []
    queries = [fields for fields in sent if any("rg:" in q for q in fields["query"])]
    assert len(queries) == len(stored)
    assert not any("default-graph-uri" in f or "named-graph-uri" in f for f in queries)


def test_the_graph_list_is_sent_without_the_setting(union_server: OxigraphServer) -> None:
    remote = RemoteStore(union_server.sparql)
    sent = _recorded(remote)
    rows = remote.rows("SELECT ?m WHERE { ?t rg:hasRelationshipModel ?m }", bindings={})
    assert rows
    graphs = remote.graph_iris()
    assert sent[-1]["default-graph-uri"] == graphs and sent[-1]["named-graph-uri"] == graphs


def test_bindings_and_entity_lookups_in_union_mode(union_server: OxigraphServer) -> None:
    remote = RemoteStore(union_server.sparql, dataset="store")
    labels = remote.objects(str(ROLE_THEORY), "http://www.w3.org/2000/01/rdf-schema#label")
    assert [label.value for label in labels] == ["role theory"]
    # a dataset of the request still chooses among the store's graphs (the query service
    # turns a query's FROM into this dataset, cut to relgraph's graphs)
    one = remote.query(
        "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a rg:Theory }",
        default_graphs=["https://w3id.org/relgraph/graph/data/role-theory"],
    )
    assert [row["n"].value for row in one] == ["1"]  # type: ignore[union-attr]


def test_a_store_whose_default_graph_is_not_the_union_is_refused(
    oxigraph_store: OxigraphServer,
) -> None:
    """Oxigraph's server without --union-default-graph: its default graph is empty."""
    remote = RemoteStore(oxigraph_store.sparql, dataset="store")
    with pytest.raises(ConfigError, match="is not the union of its named graphs") as caught:
        remote.query("SELECT ?t WHERE { ?t a rg:Theory }")
    assert "--union-default-graph" in caught.value.hint
    assert "--list-graphs" in caught.value.hint


def test_the_command_line_option_sets_the_setting(repo_settings: Settings) -> None:
    on = with_backend(repo_settings, backend="http://127.0.0.1:9/query", union_default_graph=True)
    assert on.backend_union_default_graph is True
    off = with_backend(on, union_default_graph=False)
    assert off.backend_union_default_graph is False
    assert with_backend(on, union_default_graph=None).backend_union_default_graph is True


@pytest.mark.parametrize("command", ["serve", "check"])
def test_the_wrong_union_setting_is_refused_at_start(
    oxigraph_store: OxigraphServer, repo_settings: Settings, command: str
) -> None:
    """Regression (issue 13, tester): ``serve --backend URL --union-default-graph`` against a
    store without the union started and answered every query 400; it is now exit 2 before
    anything is served, and ``check --backend`` refuses it the same way."""
    from click.testing import CliRunner

    from relgraph.cli import cli

    args = ["-s", f"project_dir={repo_settings.project_dir}", command]
    args += ["--backend", oxigraph_store.sparql, "--union-default-graph"]
    if command == "serve":
        args += ["--port", "9"]  # never reached: the store is refused first
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "is not the union of its named graphs" in result.output
    assert "serving relgraph" not in result.output
