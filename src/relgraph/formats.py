"""Result formats: which answer kinds each can carry, its media types and ``format=`` names.

One table serves the SPARQL endpoint's content negotiation, the download
links of the pages, the CLI's ``--format`` and the serialisers, so that no
answer is ever written in a format that is not defined for it:

* SELECT answers: SPARQL 1.1 Query Results JSON and XML, CSV and TSV
  (`SPARQL 1.1 Query Results CSV and TSV Formats`_ defines CSV and TSV for
  SELECT only);
* ASK answers: JSON and XML only;
* CONSTRUCT and DESCRIBE answers (graphs): Turtle, N-Triples, RDF/XML, JSON-LD.

The ``format=`` names (the values of the ``format``, ``output`` and
``results`` request parameters) are those sent by common clients:
SPARQLWrapper (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``n3``,
``rdf``, ``rdf+xml``, ``json-ld`` and the media types), Jena and Fuseki
(``json``, ``xml``, ``sparql``, ``csv``, ``tsv``, ``ttl``, ``nt``, ``rdf``),
Virtuoso (media types), and the short names of our own pages.

.. _SPARQL 1.1 Query Results CSV and TSV Formats: https://www.w3.org/TR/sparql11-results-csv-tsv/
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from relgraph.errors import FormatNotAcceptable

__all__ = [
    "ANSWER_KINDS",
    "ResultFormat",
    "FORMATS",
    "formats_for",
    "format_named",
    "from_parameters",
    "require",
]

#: The kinds of answer: SELECT, ASK, and graphs (CONSTRUCT and DESCRIBE).
ANSWER_KINDS = ("select", "ask", "graph")

_KIND_NAMES = {
    "select": "a SELECT answer",
    "ask": "an ASK answer",
    "graph": "a CONSTRUCT or DESCRIBE answer",
}


@dataclass(frozen=True)
class ResultFormat:
    """One result format.

    :ivar name: relgraph's short name (``--format`` of the CLI, ``format=`` of the pages).
    :ivar label: a name for people.
    :ivar media_type: the Content-Type answers in this format are sent with.
    :ivar kinds: the answer kinds (``select``, ``ask``, ``graph``) it can carry.
    :ivar accept: media types that select it in an ``Accept`` header, preferred first.
    :ivar aliases: other ``format=`` values that select it (lower case).
    :ivar extension: the file name extension of a download.
    """

    name: str
    label: str
    media_type: str
    kinds: frozenset[str]
    accept: tuple[str, ...]
    aliases: tuple[str, ...]
    extension: str

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats say their charset)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    def writer(self) -> ox.QueryResultsFormat | ox.RdfFormat:
        """pyoxigraph's writer of this format."""
        return _WRITERS[(self.name, "graph" in self.kinds)]

    def rdf_writer(self) -> ox.RdfFormat:
        """pyoxigraph's RDF writer of a graph format."""
        writer = self.writer()
        assert isinstance(writer, ox.RdfFormat), self.name
        return writer

    def results_writer(self) -> ox.QueryResultsFormat:
        """pyoxigraph's query results writer of a SELECT or ASK format."""
        writer = self.writer()
        assert isinstance(writer, ox.QueryResultsFormat), self.name
        return writer


_SOLUTIONS = frozenset({"select", "ask"})
_GRAPH = frozenset({"graph"})

#: Every format, in the server's order of preference within each kind.
FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "SPARQL Results JSON",
        "application/sparql-results+json",
        _SOLUTIONS,
        ("application/sparql-results+json", "application/json"),
        (
            "json",
            "srj",
            "sparql-results+json",
            "application/sparql-results+json",
            "application/json",
        ),
        "json",
    ),
    ResultFormat(
        "xml",
        "SPARQL Results XML",
        "application/sparql-results+xml",
        _SOLUTIONS,
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        (
            "xml",
            "srx",
            "sparql",
            "sparql-results+xml",
            "application/sparql-results+xml",
            "application/xml",
            "text/xml",
        ),
        "xml",
    ),
    ResultFormat(
        "csv",
        "CSV",
        "text/csv",
        frozenset({"select"}),
        ("text/csv",),
        ("csv", "text/csv"),
        "csv",
    ),
    ResultFormat(
        "tsv",
        "TSV",
        "text/tab-separated-values",
        frozenset({"select"}),
        ("text/tab-separated-values",),
        ("tsv", "tab-separated-values", "text/tab-separated-values"),
        "tsv",
    ),
    ResultFormat(
        "ttl",
        "Turtle",
        "text/turtle",
        _GRAPH,
        (
            "text/turtle",
            "application/x-turtle",
            "application/turtle",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
        (
            "ttl",
            "turtle",
            "text/turtle",
            "application/x-turtle",
            "application/turtle",
            # Turtle is a subset of N3: an N3 reader reads it
            "n3",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
        "ttl",
    ),
    ResultFormat(
        "nt",
        "N-Triples",
        "application/n-triples",
        _GRAPH,
        ("application/n-triples", "text/plain"),
        ("nt", "ntriples", "n-triples", "application/n-triples"),
        "nt",
    ),
    ResultFormat(
        "xml",
        "RDF/XML",
        "application/rdf+xml",
        _GRAPH,
        ("application/rdf+xml", "application/xml", "text/xml"),
        (
            "xml",
            "rdf",
            "rdfxml",
            "rdf+xml",
            "rdf/xml",
            "application/rdf+xml",
            "application/xml",
            "text/xml",
        ),
        "rdf",
    ),
    ResultFormat(
        "jsonld",
        "JSON-LD",
        "application/ld+json",
        _GRAPH,
        ("application/ld+json", "application/x-json+ld", "application/json"),
        ("jsonld", "json-ld", "application/ld+json", "application/x-json+ld", "json"),
        "jsonld",
    ),
)

_WRITERS: dict[tuple[str, bool], ox.QueryResultsFormat | ox.RdfFormat] = {
    ("json", False): ox.QueryResultsFormat.JSON,
    ("xml", False): ox.QueryResultsFormat.XML,
    ("csv", False): ox.QueryResultsFormat.CSV,
    ("tsv", False): ox.QueryResultsFormat.TSV,
    ("ttl", True): ox.RdfFormat.TURTLE,
    ("nt", True): ox.RdfFormat.N_TRIPLES,
    ("xml", True): ox.RdfFormat.RDF_XML,
    ("jsonld", True): ox.RdfFormat.JSON_LD,
}


def formats_for(kind: str) -> list[ResultFormat]:
    """The formats of one answer kind, preferred first.

    >>> [f.name for f in formats_for("ask")]
    ['json', 'xml']
    """
    return [f for f in FORMATS if kind in f.kinds]


def _describe(kind: str) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in formats_for(kind))


def _refuse(kind: str, asked: str) -> FormatNotAcceptable:
    return FormatNotAcceptable(
        f"{_KIND_NAMES[kind]} cannot be sent as {asked}: it can be sent as {_describe(kind)}",
        f"ask for one of these with the Accept header or the format parameter "
        f"({', '.join(dict.fromkeys(f.name for f in formats_for(kind)))})",
    )


def format_named(kind: str, name: str) -> ResultFormat:
    """The format with a name or alias, for an answer kind.

    >>> format_named("graph", "xml").media_type
    'application/rdf+xml'
    >>> format_named("ask", "csv")
    Traceback (most recent call last):
    ...
    relgraph.errors.FormatNotAcceptable: an ASK answer cannot be sent as csv: ...

    :raises FormatNotAcceptable: (406, exit code 2) if the format is unknown
        or does not apply to the kind.
    """
    key = name.strip().lower()
    for f in formats_for(kind):
        if key == f.name or key in f.aliases:
            return f
    return require(kind, None, asked=name)


def require(kind: str, found: ResultFormat | None, *, asked: str) -> ResultFormat:
    """``found``, or the error saying which formats would have worked.

    :raises FormatNotAcceptable: when ``found`` is None.
    """
    if found is None:
        raise _refuse(kind, asked)
    return found


def from_parameters(kind: str, values: Iterable[str]) -> ResultFormat | None:
    """The format the ``format``/``output``/``results`` parameter values ask for.

    The first value understood decides. Values that name no format at all are
    ignored (the caller then negotiates by ``Accept``); a value naming a
    format that does not apply to the answer kind is refused, since the client
    asked for something this answer cannot be.

    >>> from_parameters("graph", ["rdf+xml", "application/rdf+xml"]).name
    'xml'
    >>> from_parameters("select", ["pdf"]) is None
    True

    :raises FormatNotAcceptable: for a known format that does not fit the kind.
    """
    for value in values:
        key = value.strip().lower()
        if not key:
            continue
        for f in formats_for(kind):
            if key == f.name or key in f.aliases:
                return f
        if any(key == f.name or key in f.aliases for f in FORMATS):
            raise _refuse(kind, f"{value!r}")
    return None
