"""The embedded graph store: pyoxigraph in memory, one named graph per source.

:class:`GraphStore` holds the graph while it is built and checked;
:class:`ReadOnlyStore` is the view of it that the web gets, with no method that
changes the graph. The built graph is persisted as an N-Quads file in the
build folder and loaded into memory by every process that serves it. See
``docs/decisions/0001-store-engine.md`` for the measurements behind the choice.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from relgraph.errors import LoadError, NotBuiltError
from relgraph.store.base import GraphInfo, QueryMethods, QueryResult, Term, parse_query_error
from relgraph.store.sources import Source, load_source, to_rdflib_triple
from relgraph.store.values import bind_in_text
from relgraph.vocab import MODULES, OWL, PREFIXES

__all__ = ["GraphStore", "ReadOnlyStore"]

#: The RDF syntaxes :meth:`GraphStore.serialize` writes with rdflib, which groups the
#: triples of a subject and nests blank nodes (pyoxigraph writes the others).
_PRETTY: dict[ox.RdfFormat, str] = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.RDF_XML: "xml",
    ox.RdfFormat.JSON_LD: "json-ld",
}


class GraphStore(QueryMethods):
    """A read-mostly quad store with one named graph per source file.

    Queries see the union of all named graphs as their default graph unless a
    dataset is given, so ``SELECT * WHERE { ?s ?p ?o }`` sees everything.
    """

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()

    # -- construction ------------------------------------------------------
    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> GraphStore:
        """Build a store from quads."""
        store = ox.Store()
        store.bulk_extend(quads)
        return cls(store)

    @classmethod
    def open(cls, path: Path) -> GraphStore:
        """Load a built graph (N-Quads) into memory.

        :raises NotBuiltError: if the file does not exist.
        """
        if not path.is_file():
            raise NotBuiltError(
                f"no built graph at {path}", "run `relgraph build` (or `make build`) first"
            )
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise LoadError(
                f"the built graph is damaged: {exc.msg}",
                "delete the build folder and run `relgraph build` again",
                path=str(path),
            ) from None
        return cls(store)

    def copy(self) -> GraphStore:
        """Return an independent in-memory copy."""
        return GraphStore.from_quads(self._store)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (used while building and for checking extra files)."""
        self._store.bulk_extend(quads)

    def load_source(self, source: Source) -> None:
        """Load a source file into its named graph with pyoxigraph's loader.

        :raises LoadError: see :func:`relgraph.store.sources.load_source`.
        """
        load_source(self._store, source)

    def remove_graph(self, graph: str) -> None:
        """Remove a named graph and its quads (nothing happens if there is none)."""
        node = ox.NamedNode(graph)
        if node in self._store.named_graphs():
            self._store.remove_graph(node)

    # -- reading -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._store)

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        """Iterate over the quads, of one named graph or of all."""
        g = ox.NamedNode(graph) if graph else None
        return self._store.quads_for_pattern(None, None, None, g)

    def objects(self, node: str, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The objects of a node (an IRI, or ``_:`` and a blank node's id) for a predicate."""
        subject = ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)
        return [
            q.object
            for q in self._store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None)
            if not isinstance(q.object, ox.Triple)
        ]

    def graphs(self) -> list[GraphInfo]:
        """List the named graphs with their triple counts, sorted by IRI.

        Counted by the engine (one SPARQL aggregate), not by iterating in Python:
        ~5x faster at 10^6 triples.
        """
        counts: dict[str, int] = {}
        solutions = self._store.query(_COUNT_BY_GRAPH)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            graph, count = row[0], row[1]
            if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
                counts[graph.value] = int(count.value)
        return [GraphInfo(iri, n) for iri, n in sorted(counts.items())]

    def graph_names(self) -> list[str]:
        """The named graphs' IRIs, sorted (without counting their triples)."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def subject_graphs(self, node: str) -> list[str]:
        """The named graphs in which a node (IRI, or ``_:`` and a blank node's id) is a subject."""
        try:
            subject = ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)
        except ValueError:  # not an IRI (a report's graph-wide problem, a literal)
            return []
        found = {
            q.graph_name.value
            for q in self._store.quads_for_pattern(subject, None, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        }
        return sorted(found)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a SPARQL query.

        :param default_graphs: graphs forming the default graph (all, merged, if None).
        :param named_graphs: graphs visible to ``GRAPH`` (all if None).
        :param union_default_graph: when ``default_graphs`` is None, merge all
            graphs into the default graph; False lets the query's own ``FROM``
            and ``FROM NAMED`` choose (they only select graphs of this store).
        :param bindings: variable name -> pyoxigraph term, bound before evaluation: IRIs and
            literals as a ``VALUES`` block opening the WHERE group (:func:`_bound`), blank
            nodes as pyoxigraph substitutions.
        :raises QuerySyntaxError: with line and column if the query does not parse.
        """
        kwargs: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": base_iri}
        if default_graphs is not None:
            kwargs["default_graph"] = [_graph_node(g) for g in default_graphs]
        elif union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        text = sparql.removeprefix("\ufeff")
        if bindings:
            text, kwargs["substitutions"] = _bound(text, bindings)
        try:
            return self._store.query(text, **kwargs)
        except SyntaxError as exc:
            if bindings:  # the line and column of the text as written, not as bound
                try:
                    self._store.query(sparql.removeprefix("\ufeff"), prefixes=PREFIXES)
                except SyntaxError as original:
                    raise parse_query_error(original) from None
            raise parse_query_error(exc) from None

    # -- writing out -------------------------------------------------------
    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples, written by pyoxigraph (no Python object per triple).

        Blank nodes keep the store's ids (``_:`` and :attr:`pyoxigraph.BlankNode.value`).
        """
        return _bytes(
            self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        )

    def dump(self, path: Path) -> None:
        """Write all quads as N-Quads to ``path``, in a canonical form (not atomically).

        Two loads of the same sources give blank nodes other ids, so a plain dump
        differs from build to build (and so did every entity tag after a rebuild).
        Here the quads without a blank node come first, as pyoxigraph writes them (its
        order follows the order the sources were loaded in, not the blank nodes' ids),
        then the quads with one, with the ids of the W3C RDF Dataset Canonicalization
        (RDFC-1.0, pyoxigraph's ``Dataset.canonicalize``, given every quad that names
        a blank node), sorted. The same sources loaded in the same order give the same
        bytes (tests/store/test_canonical_dump.py). The store ends as it began.

        :raises OSError: when the file cannot be written (a full disk, no permission).
        """
        solutions = self._store.query(_BLANK_QUADS)
        assert isinstance(solutions, ox.QuerySolutions)
        blank = [ox.Quad(r[0], r[1], r[2], r[3]) for r in solutions]
        for quad in blank:
            self._store.remove(quad)
        try:
            self._store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
        finally:
            self._store.extend(blank)
        if not blank:
            return
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        lines = sorted(_bytes(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)).splitlines())
        with path.open("ab") as stream:
            stream.write(b"\n".join(lines) + b"\n")

    def _quads_of(self, graphs: Iterable[str] | None) -> Iterable[ox.Quad]:
        if graphs is None:
            return self._store
        return (q for g in graphs for q in self.quads(g))

    def merged_triples(self, graphs: Iterable[str] | None = None) -> set[ox.Triple]:
        """The triples of some (default: all) named graphs as one graph, as ``robot merge``.

        The modules' ``owl:imports`` and their own ontology headers are left out:
        their content is in the merged graph, and a tool that opens it (Protégé,
        the OWL API) would otherwise try to fetch the modules from the web.
        """
        triples: set[ox.Triple] = set()
        for quad in self._quads_of(graphs):
            subject, predicate, obj = quad.subject, quad.predicate, quad.object
            if predicate.value == _OWL_IMPORTS and _is_module(obj):
                continue
            if _is_module(subject):
                continue
            triples.add(quad.triple)
        return triples

    def serialize(self, syntax: ox.RdfFormat, graphs: Iterable[str] | None = None) -> bytes:
        """Serialise the whole graph, or some of its named graphs.

        :param syntax: N-Quads keeps the named graphs as they are; a triple
            syntax (Turtle, N-Triples, RDF/XML, JSON-LD) writes
            :meth:`merged_triples`.
        :param graphs: the named graphs to write (default: all).
        """
        if syntax.supports_datasets and syntax not in _PRETTY:
            if graphs is None:
                data = self._store.dump(format=syntax)
            else:
                data = ox.serialize(self._quads_of(list(graphs)), format=syntax)
            return _bytes(data)
        triples = self.merged_triples(graphs)
        if syntax not in _PRETTY:
            return _bytes(ox.serialize(sorted(triples, key=str), format=syntax))
        graph = rdflib.Graph(bind_namespaces="none")
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, replace=True)
        for triple in triples:
            graph.add(to_rdflib_triple(ox.Quad(triple.subject, triple.predicate, triple.object)))
        out = io.BytesIO()
        graph.serialize(out, format=_PRETTY[syntax], encoding="utf-8")
        return out.getvalue()

    def to_rdflib(self, graphs: Iterable[str] | None = None) -> rdflib.Graph:
        """Return the union of some (default: all) named graphs as an rdflib graph."""
        graph = rdflib.Graph(bind_namespaces="none")
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, replace=True)
        wanted = None if graphs is None else {ox.NamedNode(g) for g in graphs}
        for quad in self._store:
            if wanted is None or quad.graph_name in wanted:
                graph.add(to_rdflib_triple(quad))
        return graph


_OWL_IMPORTS = str(OWL.imports)
#: The quads of the named graphs that name a blank node, for :meth:`GraphStore.dump` (a
#: built graph has no triple in the default graph: one named graph per source).
_BLANK_QUADS = (
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isBlank(?s) || isBlank(?o)) }"
)
_COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _is_module(term: object) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(MODULES)


def _bytes(data: bytes | None) -> bytes:
    """Narrow pyoxigraph's optional return value (None only when writing to a file)."""
    assert data is not None
    return data


def _graph_node(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if iri == "" else ox.NamedNode(iri)


class ReadOnlyStore(QueryMethods):
    """A view of a :class:`GraphStore` with no method that changes the graph.

    What the web's views get (:mod:`relgraph.web.state`): queries, the named
    graphs, quads and serialisations, never :meth:`GraphStore.add_quads`.
    """

    def __init__(self, store: GraphStore) -> None:
        self._graph = store

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a SPARQL query (see :meth:`GraphStore.query`)."""
        return self._graph.query(
            sparql,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bindings=bindings,
            base_iri=base_iri,
            union_default_graph=union_default_graph,
        )

    def __len__(self) -> int:
        return len(self._graph)

    def graphs(self) -> list[GraphInfo]:
        """The named graphs with their triple counts (see :meth:`GraphStore.graphs`)."""
        return self._graph.graphs()

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        """The quads, of one named graph or of all."""
        return self._graph.quads(graph)

    def objects(self, node: str, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """The objects of a node for a predicate (see :meth:`GraphStore.objects`)."""
        return self._graph.objects(node, predicate)

    def serialize(self, syntax: ox.RdfFormat, graphs: Iterable[str] | None = None) -> bytes:
        """Serialise the graph or some named graphs (see :meth:`GraphStore.serialize`)."""
        return self._graph.serialize(syntax, graphs)


def _bound(text: str, bindings: Mapping[str, Term]) -> tuple[str, dict[ox.Variable, Term]]:
    """The query text with its bindings written in, and the substitutions left over.

    pyoxigraph 0.5 applies ``substitutions`` after it has planned the query, so a bound
    variable does not steer the join order: a stored query bound to one theory evaluated
    the patterns for every theory first (cq32 took 178 ms at 10^6 triples with the
    substitution, 0.8 ms with the same binding as a ``VALUES`` block opening the WHERE
    group, docs/decisions/0018). A ``VALUES`` block there joins with the patterns before
    any grouping (SPARQL 1.1 Query §10.2.1, §18.2.4.1), which gives the same solutions as
    the substitution (the stored queries' parameters are projected variables, a rule of
    the catalog). Blank nodes cannot appear in ``VALUES`` (§19.8, DataBlockValue), so
    those (and RDF 1.2 triple terms) stay substitutions.
    """
    plain = (ox.NamedNode, ox.Literal)
    written = {k: v for k, v in bindings.items() if isinstance(v, plain)}
    rest: dict[ox.Variable, Term] = {
        ox.Variable(k): v for k, v in bindings.items() if not isinstance(v, plain)
    }
    return bind_in_text(text, written), rest
