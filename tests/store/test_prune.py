"""``relgraph push --prune`` and ``--dry-run`` (issue 13): stale graphs go, others stay.

"One named graph per source, replacing the previous version" means that a source
removed since the last push must not linger in the store. Real Oxigraph and
Virtuoso servers hold the data; a failing store is the forwarding proxy of
``test_push.py``, which answers some requests itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from benchmarks.stores import OxigraphServer
from relgraph.cli import cli
from relgraph.errors import ConfigError
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, open_built
from relgraph.store.push import GraphStoreClient, PushError, plan, push, stale_graphs
from relgraph.store.remote import Credentials, RemoteStore
from relgraph.vocab import GRAPH
from tests.conftest import VIRTUOSO_PASSWORD, VIRTUOSO_USER, make_fixture_settings
from tests.store.test_push import Proxy

#: A graph of relgraph's that the build no longer has (its source file was removed).
STALE = str(GRAPH) + "data/a-removed-source"
STALE_TOO = str(GRAPH) + "data/another-removed-source"
#: Another application's graph in the same store: never touched.
FOREIGN = "http://example.org/graphs/someone-else"
_NT = ox.RdfFormat.N_TRIPLES
_BNODE = re.compile(r"_:[A-Za-z0-9]+")


def _triple(n: int) -> bytes:
    return f'<http://example.org/s{n}> <http://example.org/p> "v{n}" .\n'.encode()


@pytest.fixture
def oxigraph() -> Iterator[OxigraphServer]:
    """A fresh, empty Oxigraph server."""
    with OxigraphServer() as server:
        yield server


@pytest.fixture
def small(tmp_path: Path) -> tuple[Settings, GraphStore]:
    """The fixture project, built."""
    settings = make_fixture_settings(tmp_path)
    build(settings, force=True)
    return settings, open_built(settings)


def _cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> Any:
    opts = []
    for name in ("project_dir", "data_dir", "build_dir", "seed_dir", "external_dir"):
        opts += ["-s", f"{name}={getattr(settings, name)}"]
    return CliRunner().invoke(cli, [*opts, "push", *args], env=env or {})


def _holds(client: GraphStoreClient, graph: str) -> set[str] | None:
    """The graph's triples (blank node labels blanked: a graph put back gets new ones)."""
    found = client.get(graph)
    if found is None:
        return None
    return {_BNODE.sub("_:b", str(q.triple)) for q in ox.parse(found[0], format=_NT)}


def _seeded(server: OxigraphServer, store: GraphStore, *, skip: int = 0) -> GraphStoreClient:
    """The store holds the build (but its first ``skip`` graphs), a stale and a foreign graph."""
    client = GraphStoreClient(server.graph_store)
    names = [g.iri for g in store.graphs()]
    push(store, client, graphs=names[skip:])
    client.put(STALE, _triple(1))
    client.put(FOREIGN, _triple(2))
    return client


def test_stale_graphs_are_relgraphs_only() -> None:
    listed = [STALE, FOREIGN, str(GRAPH) + "data/kept", "https://w3id.org/relgraphX/graph/x"]
    assert stale_graphs(listed, [str(GRAPH) + "data/kept"]) == [STALE]


def test_prune_deletes_the_stale_graph_and_nothing_else(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small
    client = _seeded(oxigraph, store)
    names = [g.iri for g in store.graphs()]
    result = _cli(
        settings, "--endpoint", oxigraph.graph_store, "--prune", "--backend", oxigraph.sparql
    )
    assert result.exit_code == 0, result.output
    assert f"{len(names)} replaced, 0 new, 1 deleted" in result.output
    assert f"deleted <{STALE}>" in result.output
    assert _holds(client, STALE) is None
    assert _holds(client, FOREIGN) == {str(q.triple) for q in ox.parse(_triple(2), format=_NT)}
    remote = RemoteStore(oxigraph.sparql, graph_prefix="")
    assert set(remote.graph_iris()) == {*names, FOREIGN}
    # without --prune the stale graph would have stayed
    client.put(STALE, _triple(1))
    kept = _cli(settings, "--endpoint", oxigraph.graph_store)
    assert kept.exit_code == 0 and "deleted" not in kept.output
    assert _holds(client, STALE) is not None


def test_dry_run_shows_the_plan_and_changes_nothing(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small
    client = _seeded(oxigraph, store, skip=1)
    names = [g.iri for g in store.graphs()]
    everything = [*names, STALE, FOREIGN]
    before = {g: _holds(client, g) for g in everything}
    args = ["--endpoint", oxigraph.graph_store, "--dry-run"]
    pruned = _cli(settings, *args, "--prune", "--backend", oxigraph.sparql)
    assert pruned.exit_code == 0, pruned.output
    out = pruned.output
    assert "dry run: nothing was changed" in out
    assert f"replace: {len(names) - 1} graph(s)" in out and "create: 1 graph(s)" in out
    assert "delete (in the store, no longer in the build): 1 graph(s)" in out
    assert f"    <{STALE}>" in out and FOREIGN not in out
    create_part = out.split("create:")[1].split("delete")[0]
    assert f"<{names[0]}>" in create_part
    # without --backend (and --prune) each graph is asked for with HEAD
    plain = _cli(settings, *args)
    assert plain.exit_code == 0, plain.output
    assert f"replace: {len(names) - 1} graph(s)" in plain.output and "delete" not in plain.output
    assert {g: _holds(client, g) for g in everything} == before


def test_prune_needs_the_query_endpoint(small: tuple[Settings, GraphStore]) -> None:
    settings, _ = small
    result = _cli(settings, "--endpoint", "http://127.0.0.1:9/store", "--prune")
    assert result.exit_code == 2
    assert "--prune needs the store's SPARQL query endpoint" in result.output
    assert "--backend QUERY-URL" in result.output


def test_push_refuses_to_delete_a_graph_that_is_not_stale(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    _, store = small
    client = GraphStoreClient(oxigraph.graph_store)
    with pytest.raises(ConfigError, match="not one of relgraph's"):
        push(store, client, delete=[FOREIGN])
    with pytest.raises(ConfigError, match="the build has it"):
        plan(store, client, delete=[store.graphs()[0].iri])
    assert RemoteStore(oxigraph.sparql, graph_prefix="").graph_iris() == []  # nothing sent


def test_a_failed_delete_leaves_the_store_as_it_was(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    settings, store = small
    client = _seeded(oxigraph, store)
    names = [g.iri for g in store.graphs()]
    client.put(names[0], _triple(3))  # an older version of one graph
    everything = [*names, STALE, FOREIGN]
    before = {g: _holds(client, g) for g in everything}

    def fail_delete(method: str, _number: int, _headers: Any) -> int | None:
        return 500 if method == "DELETE" else None

    with Proxy(oxigraph.graph_store, fail_delete) as proxy:
        result = _cli(settings, "--endpoint", proxy.url, "--prune", "--backend", oxigraph.sparql)
    assert result.exit_code == 2, result.output
    assert f"deleting graph <{STALE}> failed" in result.output
    assert "left as it was" in result.output
    assert f"{len(names)} graph(s) already replaced were put back" in result.output
    assert {g: _holds(client, g) for g in everything} == before


def test_a_deleted_graph_that_cannot_be_put_back_is_named(
    oxigraph: OxigraphServer, small: tuple[Settings, GraphStore]
) -> None:
    _, store = small
    client = _seeded(oxigraph, store)
    client.put(STALE_TOO, _triple(4))
    names = [g.iri for g in store.graphs()]

    def fail_second_delete_and_restoring(method: str, number: int, _headers: Any) -> int | None:
        if method == "DELETE" and number == 2:
            return 503
        return 503 if method == "PUT" and number > len(names) else None

    with Proxy(oxigraph.graph_store, fail_second_delete_and_restoring) as proxy:
        with pytest.raises(PushError) as caught:
            push(store, GraphStoreClient(proxy.url), delete=[STALE, STALE_TOO])
    error = caught.value
    assert error.deleted == [STALE]
    assert STALE_TOO in error.unrestored and error.replaced == names
    assert f"deleting graph <{STALE_TOO}> failed" in error.message
    assert "were deleted (or, for the failing one, may be) and not put back" in error.message
    assert f"  <{STALE}>" in error.message and "Every other graph is unchanged" in error.message
    assert "deletes the stale ones" in error.hint
    assert _holds(client, STALE) is None and _holds(client, STALE_TOO) is not None
    assert _holds(client, FOREIGN) is not None


def test_prune_on_virtuoso(
    virtuoso_store: Any, repo_settings: Settings, repo_store: GraphStore
) -> None:
    """Virtuoso (digest authentication): the stale graph goes, its own and others' graphs stay."""
    credentials = Credentials("digest", VIRTUOSO_PASSWORD, VIRTUOSO_USER)
    client = GraphStoreClient(virtuoso_store.graph_store, credentials=credentials)
    client.put(STALE, _triple(5))
    client.put(FOREIGN, _triple(6))
    try:
        auth = ["--user", VIRTUOSO_USER, "--auth", "digest"]
        env = {"RELGRAPH_STORE_PASSWORD": VIRTUOSO_PASSWORD}
        args = ["--endpoint", virtuoso_store.graph_store, *auth, "--prune"]
        args += ["--backend", virtuoso_store.sparql]
        dry = _cli(repo_settings, *args, "--dry-run", env=env)
        assert dry.exit_code == 0, dry.output
        names = [g.iri for g in repo_store.graphs()]
        assert f"replace: {len(names)} graph(s)" in dry.output
        assert f"    <{STALE}>" in dry.output and FOREIGN not in dry.output
        assert _holds(client, STALE) is not None
        result = _cli(repo_settings, *args, env=env)
        assert result.exit_code == 0, result.output
        assert "1 deleted" in result.output
        assert _holds(client, STALE) is None and _holds(client, FOREIGN) is not None
        remote = RemoteStore(virtuoso_store.sparql)
        assert remote.graphs() == repo_store.graphs()
    finally:
        client.delete(FOREIGN)
        client.delete(STALE)
