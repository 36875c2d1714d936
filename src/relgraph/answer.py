"""The answer to a SPARQL query, capped, detached from the engine, serialisable.

A query runs in a worker process (see :mod:`relgraph.pool`); the worker
collects at most ``max_rows + 1`` rows (or triples) into an :class:`Answer`,
which pickles back to the web process. The extra row only tells that the
answer was cut: it is dropped and :attr:`Answer.truncated` is set.

Serialisation goes through pyoxigraph's own writers: a SELECT or ASK answer is
written once as SPARQL Results JSON, read back with
:func:`pyoxigraph.parse_query_results` and written in the wanted format, so
XML, CSV and TSV are exactly what the engine would have produced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

import pyoxigraph as ox

from relgraph.formats import format_named
from relgraph.store import QueryResult
from relgraph.vocab import PREFIXES

__all__ = ["Answer", "Term", "collect", "term_json"]

#: An RDF term as pyoxigraph gives it (None for an unbound variable).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def term_json(term: Term) -> dict[str, Any]:
    """Encode a term as in SPARQL 1.1 Query Results JSON.

    >>> term_json(ox.Literal("x", language="en"))
    {'type': 'literal', 'value': 'x', 'xml:lang': 'en'}
    >>> term_json(ox.NamedNode("http://example.org/a"))
    {'type': 'uri', 'value': 'http://example.org/a'}
    """
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


@dataclass
class Answer:
    """A capped query answer.

    :ivar kind: ``select``, ``ask`` or ``graph`` (CONSTRUCT and DESCRIBE).
    :ivar variables: the projected variables of a SELECT.
    :ivar rows: one tuple of terms (None if unbound) per solution.
    :ivar boolean: the answer of an ASK.
    :ivar triples: the triples of a CONSTRUCT or DESCRIBE.
    :ivar truncated: True when more rows (or triples) existed than the cap.
    :ivar elapsed_ms: time spent evaluating, in milliseconds.
    """

    kind: Literal["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    elapsed_ms: float = 0.0

    @property
    def size(self) -> int:
        """Number of rows (SELECT), triples (graph) or 1 (ASK)."""
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    def sparql_json(self) -> dict[str, Any]:
        """The answer as a SPARQL Results JSON document (SELECT and ASK only).

        :raises FormatNotAcceptable: for a graph answer.
        """
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.kind != "select":
            format_named(self.kind, "application/sparql-results+json")
        bindings = [
            {v: term_json(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}

    def media_type(self, fmt: str) -> str:
        """The Content-Type of this answer written in format ``fmt``.

        :raises FormatNotAcceptable: if the format does not fit the answer.
        """
        return format_named(self.kind, fmt).content_type

    def serialize(self, fmt: str) -> bytes:
        """Write the answer in a format defined for its kind (see :mod:`relgraph.formats`).

        :param fmt: json, xml, csv or tsv for SELECT; json or xml for ASK;
            ttl, nt, xml or jsonld for graphs (or any alias of these).
        :raises FormatNotAcceptable: if the format does not fit the answer.
        """
        chosen = format_named(self.kind, fmt)
        if self.kind == "graph":
            data = ox.serialize(self.triples, format=chosen.rdf_writer(), prefixes=PREFIXES)
            assert data is not None
            return data
        doc = json.dumps(self.sparql_json(), ensure_ascii=False).encode("utf-8")
        if chosen.name == "json":
            return doc
        parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
        data = parsed.serialize(format=chosen.results_writer())
        assert data is not None
        return data


def collect(result: QueryResult, max_rows: int) -> Answer:
    """Read at most ``max_rows`` rows (or triples) of a live result.

    One more is read to tell whether the answer was cut.
    """
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples = list(islice(result, max_rows + 1))
        return Answer("graph", triples=triples[:max_rows], truncated=len(triples) > max_rows)
    variables = [v.value for v in result.variables]
    rows = [tuple(sol[v] for v in variables) for sol in islice(result, max_rows + 1)]
    return Answer(
        "select", variables=variables, rows=rows[:max_rows], truncated=len(rows) > max_rows
    )
