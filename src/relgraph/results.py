"""Turn SPARQL results into text: tables, CSV/TSV/JSON/XML, RDF syntaxes."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.store import QueryResult
from relgraph.vocab import PREFIXES

__all__ = [
    "SOLUTION_FORMATS",
    "GRAPH_FORMATS",
    "serialize_result",
    "render_table",
    "compact_iri",
    "term_text",
]

#: Formats for SELECT and ASK results: short name -> pyoxigraph format.
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: Formats for CONSTRUCT and DESCRIBE results: short name -> pyoxigraph format.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def compact_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """Shorten an IRI with the longest matching prefix.

    >>> compact_iri("https://w3id.org/relgraph/ontology/Theory")
    'rg:Theory'
    >>> compact_iri("http://example.org/x")
    '<http://example.org/x>'
    """
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
            rest = iri[len(ns) :]
            if rest and all(c.isalnum() or c in "-_." for c in rest):
                best = prefix
    if best:
        return f"{best}:{iri[len(prefixes[best]) :]}"
    return f"<{iri}>"


def term_text(term: object) -> str:
    """Render one RDF term for a text table."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(result: QueryResult) -> str:
    """Render a result as an aligned plain-text table (or N-Triples for graphs)."""
    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    if isinstance(result, ox.QueryTriples):
        return _bytes(result.serialize(format=ox.RdfFormat.TURTLE)).decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [[term_text(sol[name]) for name in names] for sol in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result in a named format.

    :param fmt: json, xml, csv or tsv for SELECT/ASK; ttl, nt, xml or jsonld
        for CONSTRUCT/DESCRIBE.
    :raises RelgraphError: if the format does not fit the result.
    """
    if isinstance(result, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise RelgraphError(
                f"format {fmt!r} does not apply to a graph result",
                f"use one of {', '.join(GRAPH_FORMATS)} for CONSTRUCT and DESCRIBE",
            )
        return _bytes(result.serialize(format=GRAPH_FORMATS[fmt]))
    if fmt not in SOLUTION_FORMATS:
        raise RelgraphError(
            f"format {fmt!r} does not apply to a SELECT or ASK result",
            f"use one of {', '.join(SOLUTION_FORMATS)} (or table)",
        )
    return _bytes(result.serialize(format=SOLUTION_FORMATS[fmt]))


def _bytes(data: bytes | None) -> bytes:
    """Narrow pyoxigraph's optional return value (None only when writing to a file)."""
    assert data is not None
    return data
