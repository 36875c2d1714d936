"""What relgraph sends to and reads from an external store: media types, the query text.

* :data:`ACCEPT_RESULTS`, :data:`ACCEPT_GRAPH`, :data:`ACCEPT`: the ``Accept`` headers of a
  query request (SPARQL 1.1 Protocol §2.1; the media types of SPARQL 1.1 Query Results
  JSON/XML/CSV/TSV and of N-Triples, Turtle and RDF/XML), and the pyoxigraph formats
  that read each answer's ``Content-Type``.
* :func:`accept_for` chooses the header from the query's form; :func:`with_prologue`
  writes the text a store gets (relgraph's prefixes, the base, the bindings as ``VALUES``).

Split from :mod:`relgraph.store.remote`, which sends the requests.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from relgraph.store.base import Term, parse_query_error
from relgraph.store.values import bind_in_text
from relgraph.vocab import PREFIXES

__all__ = [
    "ACCEPT",
    "ACCEPT_GRAPH",
    "ACCEPT_RESULTS",
    "GRAPH_FORMATS",
    "JSON_TYPES",
    "RESULT_FORMATS",
    "VIRTUOSO_BNODE",
    "accept_for",
    "with_prologue",
]

#: What a query request accepts, preferred first: for SELECT and ASK, for CONSTRUCT and
#: DESCRIBE, and for a query whose form pyoxigraph cannot tell (a store's own syntax).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
ACCEPT = f"{ACCEPT_RESULTS}, application/n-triples;q=0.8, text/turtle;q=0.7"
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
JSON_TYPES = {"application/sparql-results+json", "application/json"}
#: Virtuoso names blank nodes ``nodeID://b123`` in SPARQL JSON results, which is no blank
#: node label (SPARQL 1.1 Query §19.8, BLANK_NODE_LABEL); the prefix is dropped as the
#: answer is read. Matched with Virtuoso's own spacing, so a literal never matches.
VIRTUOSO_BNODE = (b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "')
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def accept_for(sparql: str, base_iri: str | None) -> str:
    """The Accept header for a query, from its form as relgraph's engine parses it.

    The text is parsed here first (pyoxigraph, on an empty store), so only SPARQL 1.1
    reaches the store, never a store's own extensions (e.g. Virtuoso's ``DEFINE``
    pragmas), and a syntax error has the line and column of the text as the user wrote it.
    Some stores (Virtuoso) answer a CONSTRUCT in SPARQL Results JSON if asked for it.

    :raises QuerySyntaxError: when the query does not parse.
    """
    try:
        result = ox.Store().query(sparql, prefixes=PREFIXES, base_iri=base_iri)
    except SyntaxError as exc:
        raise parse_query_error(exc) from None
    return ACCEPT_GRAPH if isinstance(result, ox.QueryTriples) else ACCEPT_RESULTS


def with_prologue(
    sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
) -> str:
    """The query text a store gets: relgraph's prefixes, the base, the text, the bindings.

    >>> print(with_prologue("SELECT ?x WHERE { ?x a rg:Theory }", base_iri="http://e/")
    ...       .splitlines()[0])
    BASE <http://e/>
    """
    base = f"BASE {ox.NamedNode(base_iri)}\n" if base_iri else ""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return base + prologue + bind_in_text(sparql.rstrip(), bindings) + "\n"
