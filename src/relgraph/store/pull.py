"""Read relgraph's graphs out of an external store into the embedded one (``check --backend``).

``relgraph check --backend URL`` checks the data *in the store*: the named graphs
under relgraph's prefix are read, one by one, into an embedded
:class:`~relgraph.store.memory.GraphStore`, and the whole check runs on it here
(SHACL, HermiT, the OWL 2 RL rules, spans, fidelity, quality queries, mappings:
none of it can run inside a store). Each graph is read

* with the SPARQL 1.1 Protocol (``CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } }``)
  by default, so the query endpoint is all that is needed; or
* with the Graph Store Protocol (``GET ?graph=IRI``), when its URL is given
  (``--graph-store``): needed where a store caps the size of query answers
  (Virtuoso's ``ResultSetMaxRows``).

Either way the triples read are counted against the store's own count of the
graph; a shortfall is an error naming the graph and the cap, never a silently
partial check. See ``docs/decisions/0013-serving-from-a-store.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from relgraph.errors import LoadError, RemoteStoreError
from relgraph.store.memory import GraphStore
from relgraph.store.push import GraphStoreClient
from relgraph.store.remote import RemoteStore

__all__ = ["PullReport", "pull"]

_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class PullReport:
    """What was read: :ivar graphs: how many named graphs; :ivar triples: how many
    triples; :ivar seconds: how long it took; :ivar via: ``sparql`` or ``graph-store``."""

    graphs: int
    triples: int
    seconds: float
    via: str


def _parse(graph: str, body: bytes, media: str) -> list[ox.Triple]:
    fmt = _FORMATS.get(media.split(";")[0].strip().lower(), ox.RdfFormat.TURTLE)
    try:
        return [q.triple for q in ox.parse(body, format=fmt)]
    except SyntaxError as exc:
        raise LoadError(
            f"the store sent graph <{graph}> as {media}, which does not parse: {exc.msg}",
            "check that --graph-store is the store's Graph Store Protocol URL",
        ) from None


def _in_graph(triples: list[ox.Triple], graph: ox.NamedNode) -> list[ox.Quad]:
    """The triples as quads of ``graph``, with blank nodes of their own.

    A store's blank node labels are only valid inside one answer (two answers may
    both say ``_:b0``), so each graph's are renamed apart, as each source file's
    are when the graph is built.
    """
    fresh: dict[str, ox.BlankNode] = {}

    def own(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return term

    return [ox.Quad(own(t.subject), t.predicate, own(t.object), graph) for t in triples]


def pull(
    remote: RemoteStore, graph_store: GraphStoreClient | None = None
) -> tuple[GraphStore, PullReport]:
    """Every relgraph graph of the store, as an embedded store (one named graph each).

    :raises RemoteStoreError: when the store holds no relgraph graph, cannot be read,
        or sent fewer triples of a graph than it counts.
    """
    started = time.perf_counter()
    expected = {g.iri: g.triples for g in remote.graphs()}
    if not expected:
        raise RemoteStoreError(
            f"the store at {remote.endpoint} holds no relgraph graphs "
            f"(no named graph under {remote.graph_prefix})",
            "upload the graph first: relgraph push --endpoint GRAPH-STORE-URL",
        )
    store = GraphStore()
    total = 0
    for iri, count in sorted(expected.items()):
        if graph_store is None:
            triples = remote.fetch_graph(iri)
        else:
            got = graph_store.get(iri)
            triples = [] if got is None else _parse(iri, *got)
        # A graph's triples form a set: the store's count of the graph is of distinct triples.
        if len(set(triples)) < count:
            hint = (
                "the store caps query answers (Virtuoso: ResultSetMaxRows in virtuoso.ini); "
                "give --graph-store URL to read graphs with the Graph Store Protocol"
                if graph_store is None
                else "check that the store is not changing meanwhile; try again"
            )
            raise RemoteStoreError(
                f"the store at {remote.endpoint} sent {len(triples)} of the {count} triples "
                f"of graph <{iri}>: the check would be partial",
                hint,
            )
        store.add_quads(_in_graph(triples, ox.NamedNode(iri)))
        total += len(triples)
    report = PullReport(
        len(expected),
        total,
        time.perf_counter() - started,
        "sparql" if graph_store is None else "graph-store",
    )
    return store, report
