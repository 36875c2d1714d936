"""The RDF documents behind our IRIs: what ``/resource/<name>.ttl`` and friends contain.

* An entity's document is its **symmetric concise bounded description**
  (W3C Member Submission *CBD -- Concise Bounded Description*, 2005, section
  "Symmetric Concise Bounded Description"): every statement with the entity as
  subject or as object, and, recursively, the statements of the blank nodes
  those reach (such as the ``owl:Axiom`` annotations of a mapping), so the
  document can be read on its own.
* A named graph's IRI (one source file, ``.../graph/<folder>/<file>``) names the
  graph: its document is the graph's triples.

Both are read from a :class:`TripleIndex` of an in-process
:class:`~relgraph.store.GraphStore` (blank nodes are local to a store, so
they cannot be followed through the worker pool), bounded by
:data:`MAX_TRIPLES`.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from relgraph.store.base import ReadableStore
from relgraph.vocab import PREFIXES

__all__ = ["TripleIndex", "describe", "serialize", "MAX_TRIPLES"]

Node = ox.NamedNode | ox.BlankNode

#: Most triples one document holds (the largest description of the real graph has ~900).
MAX_TRIPLES = 20000


class TripleIndex:
    """The store's triples indexed by subject, object and graph, built once.

    The store is read-only while served, so one index per process answers every
    document request without a query (and follows blank nodes, which SPARQL
    cannot name).
    """

    def __init__(self, store: ReadableStore) -> None:
        self.by_subject: dict[Node, list[ox.Triple]] = defaultdict(list)
        self.by_object: dict[Node, list[ox.Triple]] = defaultdict(list)
        self.by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
        for quad in store.quads():
            triple = quad.triple
            if not isinstance(quad.subject, ox.Triple):
                self.by_subject[quad.subject].append(triple)
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                self.by_object[quad.object].append(triple)
            if isinstance(quad.graph_name, ox.NamedNode):
                self.by_graph[quad.graph_name.value].append(triple)


def describe(index: TripleIndex, iri: str, *, graph: bool = False) -> tuple[list[ox.Triple], bool]:
    """The triples of an entity's document, and whether they were cut at :data:`MAX_TRIPLES`.

    :param graph: describe the named graph ``iri`` (its triples) instead of the entity.
    :raises ValueError: if ``iri`` is not an absolute IRI.
    """
    node = ox.NamedNode(iri)
    seen: set[ox.Triple] = set()
    if graph:
        seen.update(index.by_graph.get(iri, []))
    else:
        todo: list[Node] = [node]
        done: set[Node] = set()
        while todo and len(seen) <= MAX_TRIPLES:
            current = todo.pop()
            if current in done:
                continue
            done.add(current)
            for triple in index.by_subject.get(current, []):
                seen.add(triple)
                if isinstance(triple.object, ox.BlankNode):
                    todo.append(triple.object)
            if current == node or isinstance(current, ox.BlankNode):
                for triple in index.by_object.get(current, []):
                    seen.add(triple)
                    if isinstance(triple.subject, ox.BlankNode):
                        todo.append(triple.subject)
    ordered = sorted(seen, key=str)
    return ordered[:MAX_TRIPLES], len(ordered) > MAX_TRIPLES


def serialize(triples: list[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    """Write triples in an RDF syntax with relgraph's prefixes."""
    data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    assert data is not None
    return data
