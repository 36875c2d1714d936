"""Turn SPARQL results into text: tables, CSV/TSV/JSON/XML, RDF syntaxes."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from relgraph.formats import format_named
from relgraph.store import QueryResult
from relgraph.vocab import PREFIXES

__all__ = [
    "answer_kind",
    "serialize_result",
    "render_table",
    "compact_iri",
    "term_text",
]


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


def answer_kind(result: QueryResult) -> str:
    """``select``, ``ask`` or ``graph``: the kind of a live result (see :mod:`relgraph.formats`)."""
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    if isinstance(result, ox.QueryTriples):
        return "graph"
    return "select"


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result in a format defined for its kind.

    :param fmt: json, xml, csv or tsv for SELECT; json or xml for ASK; ttl,
        nt, xml or jsonld for CONSTRUCT/DESCRIBE.
    :raises FormatNotAcceptable: (exit code 2) if the format does not fit the
        result, naming the formats that would.
    """
    chosen = format_named(answer_kind(result), fmt)
    if isinstance(result, ox.QueryTriples):
        return _bytes(result.serialize(format=chosen.rdf_writer()))
    return _bytes(result.serialize(format=chosen.results_writer()))


def _bytes(data: bytes | None) -> bytes:
    """Narrow pyoxigraph's optional return value (None only when writing to a file)."""
    assert data is not None
    return data
