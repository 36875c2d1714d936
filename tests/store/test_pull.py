"""``relgraph check --backend URL`` (issue 13): the graph in a real store is read and checked.

The stores are the session fixtures of ``tests/conftest.py`` (Oxigraph's server and
Virtuoso on loopback, loaded with ``relgraph push``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from relgraph.cli import cli
from relgraph.errors import RemoteStoreError
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.pull import pull
from relgraph.store.push import GraphStoreClient
from relgraph.store.remote import Credentials, RemoteStore
from relgraph.vocab import GRAPH, RGR
from tests.conftest import VIRTUOSO_PASSWORD, VIRTUOSO_USER

PLANTED_GRAPH = str(GRAPH) + "data/planted-fault"
PLANTED = RGR["theory-planted-without-label"]


def _canonical(store: GraphStore) -> dict[str, int]:
    return {g.iri: g.triples for g in store.graphs()}


@pytest.mark.parametrize("name", ["oxigraph", "virtuoso"])
def test_pull_reads_every_graph_as_pushed(
    name: str, request: pytest.FixtureRequest, repo_store: GraphStore
) -> None:
    server = request.getfixturevalue(f"{name}_store")
    pulled, report = pull(RemoteStore(server.sparql))
    assert _canonical(pulled) == _canonical(repo_store)
    assert report.triples == len(repo_store) and report.via == "sparql"
    # the same through the Graph Store Protocol
    credentials = (
        Credentials("digest", VIRTUOSO_PASSWORD, VIRTUOSO_USER) if name == "virtuoso" else None
    )
    client = GraphStoreClient(server.graph_store, credentials=credentials)
    again, report = pull(RemoteStore(server.sparql), client)
    assert _canonical(again) == _canonical(repo_store) and report.via == "graph-store"


def test_a_partial_read_is_an_error_not_a_partial_check(oxigraph_store: Any) -> None:
    class Capped(RemoteStore):
        def fetch_graph(self, graph: str) -> list[Any]:
            return super().fetch_graph(graph)[:10]

    with pytest.raises(RemoteStoreError, match="sent 10 of the") as caught:
        pull(Capped(oxigraph_store.sparql))
    assert "--graph-store" in caught.value.hint


def test_check_backend_finds_a_fault_planted_in_the_store(
    oxigraph_store: Any, repo_settings: Settings
) -> None:
    """A theory without label or definition, put straight into the store, is found."""
    client = GraphStoreClient(oxigraph_store.graph_store)
    client.put(
        PLANTED_GRAPH, f"<{PLANTED}> a <https://w3id.org/relgraph/ontology/Theory> .\n".encode()
    )
    try:
        args = []
        for setting in ("project_dir", "build_dir", "seed_dir", "external_dir"):
            args += ["-s", f"{setting}={getattr(repo_settings, setting)}"]
        args += ["check", "--backend", oxigraph_store.sparql, "--no-reasoner", "--format", "json"]
        result = CliRunner().invoke(cli, args)
    finally:
        client.delete(PLANTED_GRAPH)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert errors and {p["node"] for p in errors} == {str(PLANTED)}, errors
    assert any(oxigraph_store.sparql in note for note in report["notes"])


def test_check_backend_refuses_files(oxigraph_store: Any, tmp_path: Any) -> None:
    extra = tmp_path / "new.ttl"
    extra.write_text("")
    result = CliRunner().invoke(cli, ["check", "--backend", oxigraph_store.sparql, str(extra)])
    assert result.exit_code == 2 and "cannot be checked with --backend" in result.output
