"""What every store offers: SPARQL queries over named graphs, typed by the form they answer.

:class:`ReadableStore` is the protocol the rest of relgraph reads a graph
through (the checks, the views, the query workers): the embedded store
(:class:`~relgraph.store.memory.GraphStore`), its read-only view for the web
(:class:`~relgraph.store.memory.ReadOnlyStore`) and external stores implement
it. :class:`QueryMethods` gives any class with a :meth:`~ReadableStore.query`
method the typed forms :meth:`~QueryMethods.select`, :meth:`~QueryMethods.ask`,
:meth:`~QueryMethods.construct` and :meth:`~QueryMethods.rows`, so no caller
has to check the kind of a result itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from relgraph.errors import QuerySyntaxError, RelgraphError

__all__ = [
    "GraphInfo",
    "QueryMethods",
    "QueryResult",
    "ReadableStore",
    "Term",
    "Value",
    "parse_query_error",
]

#: What a SPARQL query returns: solutions (SELECT), a boolean (ASK) or triples (graphs).
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: An RDF term as pyoxigraph gives it (a bound value of a solution).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: A term of an RDF 1.1 graph (relgraph's sources never hold triple terms).
Value = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and its size.

    :ivar iri: the graph's name; :ivar triples: how many triples it holds.
    """

    iri: str
    triples: int


def parse_query_error(exc: SyntaxError) -> QuerySyntaxError:
    """Turn pyoxigraph's SPARQL syntax error into one with line and column.

    >>> e = parse_query_error(SyntaxError("error at 2:16: expected X"))
    >>> (e.line, e.column)
    (2, 16)
    """
    text = str(exc.msg if exc.msg else exc)
    line = column = None
    if text.startswith("error at ") and ":" in text[9:]:
        where, _, rest = text[9:].partition(": ")
        parts = where.split(":")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            line, column = int(parts[0]), int(parts[1])
            text = rest
    where = f" at line {line}, column {column}" if line is not None else ""
    return QuerySyntaxError(
        f"SPARQL syntax error{where}: {text}",
        "check the query near that position; prefixes rg:, rgr:, rdfs:, skos: ... are predeclared",
        line=line,
        column=column,
    )


class ReadableStore(Protocol):
    """A graph that answers SPARQL queries: one named graph per source file.

    Queries see the union of the named graphs as their default graph unless a
    dataset is given.
    """

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
        """Run a SPARQL query (see :meth:`relgraph.store.memory.GraphStore.query`)."""
        ...

    def select(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> ox.QuerySolutions:
        """Run a SELECT query."""
        ...

    def ask(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> bool:
        """Run an ASK query."""
        ...

    def rows(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> list[dict[str, Value]]:
        """Run a SELECT query; one dict of the bound variables per solution."""
        ...

    def graphs(self) -> list[GraphInfo]:
        """The named graphs with their triple counts, sorted by IRI."""
        ...

    def objects(self, node: str, predicate: str) -> list[Value]:
        """The objects of a node (an IRI, or ``_:`` and a blank node's id) for a predicate."""
        ...

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        """The quads of one named graph, or of all."""
        ...

    def __len__(self) -> int:
        """The number of quads."""
        ...


def _form(result: QueryResult) -> str:
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    return "CONSTRUCT or DESCRIBE"


def _wrong_form(result: QueryResult, wanted: str) -> RelgraphError:
    return RelgraphError(
        f"expected a {wanted} query, but the query is a {_form(result)} query",
        f"write the query as a {wanted}",
    )


class QueryMethods:
    """The typed query forms, for any class with :meth:`ReadableStore.query`."""

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
        """Run a SPARQL query (implemented by the store)."""
        raise NotImplementedError

    def select(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> ox.QuerySolutions:
        """Run a SELECT query.

        :raises QuerySyntaxError: if the query does not parse.
        :raises RelgraphError: if it is not a SELECT query.
        """
        result = self.query(sparql, default_graphs=default_graphs, bindings=bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise _wrong_form(result, "SELECT")
        return result

    def ask(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> bool:
        """Run an ASK query.

        :raises RelgraphError: if it is not an ASK query.
        """
        result = self.query(sparql, default_graphs=default_graphs, bindings=bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise _wrong_form(result, "ASK")
        return bool(result)

    def construct(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> ox.QueryTriples:
        """Run a CONSTRUCT or DESCRIBE query.

        :raises RelgraphError: if it is neither.
        """
        result = self.query(sparql, default_graphs=default_graphs, bindings=bindings)
        if not isinstance(result, ox.QueryTriples):
            raise _wrong_form(result, "CONSTRUCT or DESCRIBE")
        return result

    def rows(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> list[dict[str, Value]]:
        """Run a SELECT query: one dict per solution, of the variables it binds.

        A triple term (RDF 1.2, which relgraph's sources never hold) counts as unbound.
        """
        solutions = self.select(sparql, default_graphs=default_graphs, bindings=bindings)
        names = [v.value for v in solutions.variables]
        out = []
        for solution in solutions:
            row: dict[str, Value] = {}
            for name in names:
                value = solution[name]
                if value is not None and not isinstance(value, ox.Triple):
                    row[name] = value
            out.append(row)
        return out
