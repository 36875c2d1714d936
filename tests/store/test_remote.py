"""The remote store (issue 13): real stores on loopback answer the stored queries as we do.

Oxigraph's server (the ``oxigraph`` package) and Virtuoso Open Source 7 (Debian's
``virtuoso-opensource``, installed by ``make virtuoso``) are started by the
fixtures, loaded with ``relgraph push`` and queried through :class:`RemoteStore`.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from benchmarks.stores import OxigraphServer, free_port
from relgraph.errors import QuerySyntaxError, QueryTimeout
from relgraph.query.catalog import list_queries
from relgraph.query.formats import write
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.answer import Answer, collect
from relgraph.store.http import query_error
from relgraph.store.push import GraphStoreClient
from relgraph.store.remote import (
    Credentials,
    RemoteStore,
    RemoteStoreError,
    values_clause,
)
from relgraph.vocab import GRAPH
from tests import ROLE_THEORY, THEORY
from tests.conftest import VIRTUOSO_PASSWORD, VIRTUOSO_USER

ROLE_GRAPH = str(GRAPH) + "data/role-theory"


def _cell(term: Any, *, plain: bool) -> str:
    """A comparable form of a term.

    The order of GROUP_CONCAT's values is undefined (SPARQL 1.1 §18.5.1.7), so the
    parts of a "; " or " | " joined value are sorted. With ``plain``, literals lose
    their language tag and an unbound value equals "" (Virtuoso writes GROUP_CONCAT as
    a simple literal, "" for an empty group, as §18.5.1.7 says; Oxigraph keeps the
    common language tag and leaves an empty group unbound).
    """
    if term is None:
        return '""' if plain else "UNBOUND"
    if isinstance(term, ox.Literal):
        value = term.value
        for sep in ("; ", " | "):
            if sep in value:
                value = sep.join(sorted(value.split(sep)))
        if plain and (term.language or term.datatype.value.endswith("#string")):
            return str(ox.Literal(value))
        return str(
            ox.Literal(value, language=term.language)
            if term.language
            else ox.Literal(value, datatype=term.datatype)
        )
    return str(term)


def _normal(answer: Answer, *, plain: bool = False) -> object:
    if answer.kind == "select":
        return sorted(tuple(_cell(t, plain=plain) for t in row) for row in answer.rows)
    if answer.kind == "ask":
        return answer.boolean
    return sorted(str(t) for t in answer.triples)


STORES = ["oxigraph", "virtuoso"]

#: Stored queries a store answers otherwise than SPARQL 1.1 (and the embedded store) does.
#: Documented in docs/external-stores.md; the test fails if the list changes either way.
KNOWN_DIFFERENCES: dict[str, set[str]] = {
    "oxigraph": set(),
    # Virtuoso 7.2 joins the grouped subquery inside OPTIONAL with the outer BIND(?key)
    # before grouping, so each row's outcome list holds only that finding's outcomes.
    # (cq41 and cq42 differed, or stopped with Virtuoso's "SQ156: Internal Optimized compiler
    # error", while parameters were bound by a trailing VALUES; bound at the start of the WHERE
    # group, as relgraph.store.values does now, Virtuoso answers them as the embedded store.)
    "virtuoso": {"cq07-evidence-gap-map"},
    # Asked without a dataset (its default graph: the union of every graph it holds; the
    # benchmark asks so), Virtuoso 7.2 answers cq07 as above and counts cq27's claims and
    # citations per section wrongly (right with the graphs listed). It also answered cq42
    # with no rows and cq45 with one of three while a class test came before cq42's
    # rdfs:subClassOf* path and cq45's root label before its OPTIONAL; both texts are
    # reordered to the same solutions, so that only Virtuoso's own faults remain here.
    "virtuoso-store": {"cq07-evidence-gap-map", "cq27-claims-per-section"},
}


@pytest.fixture
def remote(request: pytest.FixtureRequest) -> RemoteStore:
    server = request.getfixturevalue(f"{request.param}_store")
    return RemoteStore(server.sparql)


@pytest.mark.parametrize("remote", STORES, indirect=True)
def test_push_put_every_named_graph(remote: RemoteStore, repo_store: GraphStore) -> None:
    assert remote.graphs() == repo_store.graphs()
    assert len(remote) == len(repo_store)


@pytest.mark.parametrize("remote", STORES, indirect=True)
def test_every_stored_query_answers_as_the_embedded_store(
    remote: RemoteStore, repo_store: GraphStore, repo_settings: Settings
) -> None:
    name = "virtuoso" if remote.endpoint.endswith("/sparql") else "oxigraph"
    _compare_every_stored_query(remote, repo_store, repo_settings, name)


def test_every_stored_query_answers_so_on_virtuosos_own_default_graph(
    virtuoso_store: Any, repo_store: GraphStore, repo_settings: Settings
) -> None:
    """No dataset in the request (``dataset="store"``), as the benchmark sends them."""
    remote = RemoteStore(virtuoso_store.sparql, dataset="store")
    _compare_every_stored_query(remote, repo_store, repo_settings, "virtuoso-store")


def _compare_every_stored_query(
    remote: RemoteStore, repo_store: GraphStore, repo_settings: Settings, name: str
) -> None:
    plain = name.startswith("virtuoso")
    stored = list_queries(repo_settings)
    assert len(stored) >= 40
    differ = []
    for query in stored:
        ours = collect(query.select(repo_store), 100_000)
        # A time-out on a loaded machine is not a difference (a CI run saw two): ask again,
        # at most twice; any other error of the store counts as a difference.
        for attempt in range(3):
            try:
                theirs = remote.answer(query.text, bindings=query.bind(), max_rows=100_000)
                break
            except QueryTimeout:
                if attempt == 2:
                    raise
            except RemoteStoreError:
                theirs = None
                break
        if theirs is None:
            differ.append(query.id)
            continue
        assert theirs.kind == ours.kind and theirs.variables == ours.variables, query.id
        if _normal(theirs, plain=plain) != _normal(ours, plain=plain):
            differ.append(query.id)
    assert set(differ) == KNOWN_DIFFERENCES[name]


@pytest.mark.parametrize("remote", STORES, indirect=True)
def test_results_are_pyoxigraph_results(remote: RemoteStore) -> None:
    select = remote.query("SELECT ?t WHERE { ?t a rg:Theory }")
    assert isinstance(select, ox.QuerySolutions)
    assert str(ROLE_THEORY) in {row["t"].value for row in select}
    ask = remote.query("ASK { ?t a rg:Theory }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    graph = remote.query("CONSTRUCT { ?t a rg:Theory } WHERE { ?t a rg:Theory }")
    assert isinstance(graph, ox.QueryTriples)
    assert len(list(graph)) == 6
    answer = remote.answer("SELECT ?t ?l WHERE { ?t a rg:Theory ; rdfs:label ?l }", max_rows=2)
    assert answer.size == 2 and answer.truncated
    assert b'"vars"' in write(answer, "json") and write(answer, "csv").startswith(b"t,l")


@pytest.mark.parametrize("remote", STORES, indirect=True)
def test_bindings_dataset_and_base(remote: RemoteStore) -> None:
    theory = ox.NamedNode(str(ROLE_THEORY))
    rows = remote.query(
        "SELECT ?t ?m WHERE { ?t rg:hasRelationshipModel ?m }", bindings={"t": theory}
    )
    assert isinstance(rows, ox.QuerySolutions)
    found = [row["t"] for row in rows]
    assert found and set(found) == {theory}
    # the default graph made of one named graph only
    query = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a rg:Theory }"
    one = remote.query(query, default_graphs=[ROLE_GRAPH])
    assert isinstance(one, ox.QuerySolutions)
    assert [row["n"].value for row in one] == ["1"]
    named = remote.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?t a rg:Theory } }", named_graphs=[ROLE_GRAPH]
    )
    assert isinstance(named, ox.QuerySolutions)
    assert [row["g"].value for row in named] == [ROLE_GRAPH]
    based = remote.query(
        "SELECT ?t WHERE { ?t a <Theory> }", base_iri="https://w3id.org/relgraph/ontology/"
    )
    assert isinstance(based, ox.QuerySolutions) and len(list(based)) == 6


def test_union_default_graph_is_relgraphs_graphs_only(oxigraph_store: OxigraphServer) -> None:
    """A store shared with other data: our default graph is the union of relgraph's graphs."""
    other = "http://example.org/graphs/someone-else"
    client = GraphStoreClient(oxigraph_store.graph_store)
    client.put(other, f"<http://example.org/t> a <{THEORY}> .\n".encode())
    try:
        remote = RemoteStore(oxigraph_store.sparql)
        count = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?t a rg:Theory }")
        assert isinstance(count, ox.QuerySolutions)
        assert [row["n"].value for row in count] == ["6"]
        assert other not in remote.graph_iris(refresh=True)
        everything = RemoteStore(oxigraph_store.sparql, graph_prefix="http://example.org/")
        assert everything.graph_iris() == [other]
    finally:
        client.delete(other)


def test_the_store_default_graph_when_asked(virtuoso_store: Any) -> None:
    """``dataset="store"``: Virtuoso's own default graph (the union of all its graphs)."""
    remote = RemoteStore(virtuoso_store.sparql, dataset="store")
    count = remote.query("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a rg:Theory }")
    assert isinstance(count, ox.QuerySolutions)
    assert [row["n"].value for row in count] == ["6"]


def test_a_query_that_does_not_parse_never_reaches_the_store() -> None:
    """Only SPARQL 1.1 that relgraph's engine parses is sent: the error has our line and column."""
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens: a request would fail
    with pytest.raises(QuerySyntaxError, match="line 2, column 15") as caught:
        RemoteStore(url).query("SELECT ?x\nWHERE { ?x a }")
    assert caught.value.line == 2
    with pytest.raises(QuerySyntaxError):  # a store's own dialect (Virtuoso's pragmas)
        RemoteStore(url).query('DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }')


def test_a_query_the_store_refuses_is_a_syntax_error_naming_it() -> None:
    error = query_error("http://127.0.0.1:1/sparql", 400, b"Virtuoso 37000 Error SP030: bad")
    assert isinstance(error, QuerySyntaxError)
    assert "refused the query" in error.message and "SP030" in error.message


def test_an_unreachable_store_is_named() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(RemoteStoreError, match="cannot reach the store") as caught:
        RemoteStore(url).query("ASK {}")
    assert url in caught.value.message and "running" in caught.value.hint


def test_a_wrong_url_is_named(oxigraph_store: OxigraphServer) -> None:
    with pytest.raises(RemoteStoreError, match="no SPARQL endpoint"):
        RemoteStore(oxigraph_store.base + "/nothing-here").query(
            "ASK {}", union_default_graph=False
        )


CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Virtuoso estimates CROSS beyond its limit and refuses it at once; this one it runs.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"


def test_our_deadline_is_a_timeout(repo_store: GraphStore) -> None:
    with OxigraphServer() as server:
        client = GraphStoreClient(server.graph_store)
        data = ox.serialize([q.triple for q in repo_store.quads()], format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        client.put(ROLE_GRAPH, data)
        with pytest.raises(QueryTimeout, match="did not answer within 0.3 s"):
            RemoteStore(server.sparql, timeout_s=0.3).query(CROSS)


def test_the_stores_own_time_limit_is_a_timeout(repo_settings: Settings) -> None:
    from benchmarks.stores import Virtuoso
    from relgraph.store.builder import built_graph_path

    with Virtuoso(built_graph_path(repo_settings), query_timeout_s=1, cost_limit_s=400) as server:
        remote = RemoteStore(server.sparql, timeout_s=60)
        with pytest.raises(QueryTimeout, match="time limit.*timed out"):
            remote.query(SLOW)
        with pytest.raises(QueryTimeout, match="time limit.*exceeds the limit"):
            remote.query(CROSS)


def test_virtuoso_refuses_a_push_without_credentials(virtuoso_store: Any) -> None:
    client = GraphStoreClient(virtuoso_store.graph_store)
    with pytest.raises(RemoteStoreError, match="HTTP 401") as caught:
        client.get(ROLE_GRAPH)
    assert "--user" in caught.value.hint
    wrong = GraphStoreClient(
        virtuoso_store.graph_store, credentials=Credentials("digest", "wrong", VIRTUOSO_USER)
    )
    with pytest.raises(RemoteStoreError, match="HTTP 401"):
        wrong.get(ROLE_GRAPH)
    right = GraphStoreClient(
        virtuoso_store.graph_store,
        credentials=Credentials("digest", VIRTUOSO_PASSWORD, VIRTUOSO_USER),
    )
    found = right.get(ROLE_GRAPH)
    assert found is not None and b"theory-role-theory" in found[0]


def test_values_clause_writes_terms_not_text() -> None:
    sneaky = ox.Literal('x" } ; DROP ALL ; #')
    clause = values_clause({"v": sneaky})
    assert clause == 'VALUES (?v) { ("x\\" } ; DROP ALL ; #") }'
    with pytest.raises(ValueError):
        values_clause({"not a name": sneaky})


def test_credentials_come_from_the_environment() -> None:
    env = {"TOKEN": "s3cret", "PW": "pw"}
    assert Credentials.from_env(token_env="TOKEN", environ=env) == Credentials("bearer", "s3cret")
    creds = Credentials.from_env(user="me", password_env="PW", scheme="digest", environ=env)
    assert creds == Credentials("digest", "pw", "me")
    assert "pw" not in repr(creds)
    assert Credentials.from_env(environ=env) is None
    from relgraph.errors import ConfigError

    with pytest.raises(ConfigError, match="NOPE"):
        Credentials.from_env(token_env="NOPE", environ=env)
    with pytest.raises(ConfigError, match="RELGRAPH_STORE_PASSWORD"):
        Credentials.from_env(user="me", environ=env)
