"""The one registry of output formats: answers, RDF documents and exports.

Every format relgraph writes is one :class:`Format` line in :data:`FORMATS`,
built on pyoxigraph's own format objects (:class:`pyoxigraph.QueryResultsFormat`,
:class:`pyoxigraph.RdfFormat`), which carry the media type, the file extension
and the W3C format IRI. The registry serves the SPARQL endpoint's content
negotiation (:mod:`relgraph.web.conneg`), the download links of the pages, the
CLI's ``--format`` of ``query``, ``queries run`` and ``export``, the service
description's ``sd:resultFormat`` and the writers (:func:`write`,
:func:`write_document`), so that no answer is ever written in a format that
is not defined for its kind, and adding a format is adding one line.

Kinds of output:

* ``select``: SPARQL 1.1 Query Results JSON and XML, CSV and TSV
  (`SPARQL 1.1 Query Results CSV and TSV Formats`_ defines CSV and TSV for
  SELECT only);
* ``ask``: JSON and XML only;
* ``graph`` (CONSTRUCT and DESCRIBE answers, RDF documents, merged exports):
  Turtle, N-Triples, RDF/XML, JSON-LD;
* ``dataset`` (exports that keep the named graphs): N-Quads.

The ``format=`` names (the values of the ``format``, ``output`` and
``results`` request parameters, and of ``--format``) are those sent by common
clients: SPARQLWrapper (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``,
``n3``, ``rdf``, ``rdf+xml``, ``json-ld`` and the media types), Jena and Fuseki
(``json``, ``xml``, ``sparql``, ``csv``, ``tsv``, ``ttl``, ``nt``, ``rdf``),
Virtuoso (media types), and the short names of our own pages.

.. _SPARQL 1.1 Query Results CSV and TSV Formats: https://www.w3.org/TR/sparql11-results-csv-tsv/
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox
import rdflib

from relgraph.errors import FormatNotAcceptable
from relgraph.store.answer import Answer
from relgraph.store.base import Term
from relgraph.vocab import PREFIXES, W3C_FORMATS, XSD

__all__ = [
    "KINDS",
    "Kind",
    "Format",
    "FORMATS",
    "formats_for",
    "format_named",
    "from_parameters",
    "require",
    "downloads",
    "result_format_iris",
    "term_json",
    "sparql_json",
    "write",
    "write_document",
]

#: A kind of output: SELECT and ASK answers, graphs, datasets (named graphs kept).
Kind = Literal["select", "ask", "graph", "dataset"]
#: The kinds, in the order of :data:`FORMATS`.
KINDS: tuple[Kind, ...] = ("select", "ask", "graph", "dataset")

_KIND_NAMES = {
    "select": "a SELECT answer",
    "ask": "an ASK answer",
    "graph": "a CONSTRUCT or DESCRIBE answer",
    "dataset": "an export with named graphs",
}

#: Where pyoxigraph's format IRI differs from the one W3C lists at https://www.w3.org/ns/formats/.
_W3C_IRIS: dict[ox.QueryResultsFormat | ox.RdfFormat, str] = {
    ox.RdfFormat.JSON_LD: str(W3C_FORMATS["JSON-LD"])
}


@dataclass(frozen=True)
class Format:
    """One output format.

    :ivar name: relgraph's short name (``--format``, ``format=``), unique within a kind.
    :ivar syntax: pyoxigraph's format object (media type, file extension, IRI).
    :ivar kinds: the kinds of output it can carry.
    :ivar aliases: more ``format=`` values that select it (lower case), besides
        its name and media type.
    :ivar accept: more media types that select it in an ``Accept`` header.
    :ivar download: its place among the download links of a result table (0: not offered).
    """

    name: str
    syntax: ox.QueryResultsFormat | ox.RdfFormat
    kinds: frozenset[Kind]
    aliases: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    download: int = 0

    @property
    def media_type(self) -> str:
        """The media type, without parameters."""
        return self.syntax.media_type.split(";", 1)[0].strip()

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats say their charset)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def extension(self) -> str:
        """The file name extension of a download (without the dot)."""
        return self.syntax.file_extension

    @property
    def iri(self) -> str:
        """The format's unique IRI (W3C's), for the service description."""
        return _W3C_IRIS.get(self.syntax, self.syntax.iri)

    @property
    def label(self) -> str:
        """A name for people: the syntax's name for RDF, the short name for results."""
        if isinstance(self.syntax, ox.RdfFormat):
            return self.syntax.name
        return self.name.upper()

    @property
    def media_types(self) -> tuple[str, ...]:
        """Media types that select it in ``Accept``, preferred first."""
        return (self.media_type, *self.accept)

    def named(self, value: str) -> bool:
        """True when a ``format=`` value (lower case) names this format."""
        return value == self.name or value == self.media_type or value in self.aliases


_SOLUTIONS: frozenset[Kind] = frozenset({"select", "ask"})
_SELECT: frozenset[Kind] = frozenset({"select"})
_GRAPH: frozenset[Kind] = frozenset({"graph"})
_DATASET: frozenset[Kind] = frozenset({"dataset"})
_QR, _RDF = ox.QueryResultsFormat, ox.RdfFormat

#: Every format, in the server's order of preference within each kind.
FORMATS: tuple[Format, ...] = (
    Format("json", _QR.JSON, _SOLUTIONS, ("srj", "sparql-results+json", "application/json"),
           ("application/json",), download=3),
    Format("xml", _QR.XML, _SOLUTIONS, ("srx", "sparql", "sparql-results+xml", "application/xml",
           "text/xml"), ("application/xml", "text/xml")),
    Format("csv", _QR.CSV, _SELECT, download=1),
    Format("tsv", _QR.TSV, _SELECT, ("tab-separated-values",), download=2),
    # Turtle is a subset of N3: an N3 reader reads it
    Format("ttl", _RDF.TURTLE, _GRAPH, ("turtle", "application/x-turtle", "application/turtle",
           "n3", "text/n3", "text/rdf+n3", "application/n3"), ("application/x-turtle",
           "application/turtle", "text/n3", "text/rdf+n3", "application/n3"), download=1),
    Format("nt", _RDF.N_TRIPLES, _GRAPH, ("ntriples", "n-triples"), ("text/plain",), download=3),
    # the OWL export (``--format owl``) is RDF/XML: what Protégé and the OWL API read best
    Format("xml", _RDF.RDF_XML, _GRAPH, ("rdf", "rdfxml", "rdf+xml", "rdf/xml", "owl",
           "application/xml", "text/xml"), ("application/xml", "text/xml")),
    Format("jsonld", _RDF.JSON_LD, _GRAPH, ("json-ld", "application/x-json+ld", "json"),
           ("application/x-json+ld", "application/json"), download=2),
    Format("nq", _RDF.N_QUADS, _DATASET, ("nquads", "n-quads")),
)  # fmt: skip


def formats_for(kind: Kind | str) -> list[Format]:
    """The formats of one kind, preferred first.

    >>> [f.name for f in formats_for("ask")]
    ['json', 'xml']
    """
    return [f for f in FORMATS if kind in f.kinds]


def downloads(kind: Kind | str) -> list[Format]:
    """The formats a result table of this kind offers as downloads, in link order.

    >>> [f.name for f in downloads("select")]
    ['csv', 'tsv', 'json']
    """
    return sorted((f for f in formats_for(kind) if f.download), key=lambda f: f.download)


def result_format_iris() -> list[str]:
    """The IRIs of every format an answer can be sent in (``sd:resultFormat``)."""
    return list(dict.fromkeys(f.iri for f in FORMATS if f.kinds & {"select", "ask", "graph"}))


def _describe(kind: Kind | str) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in formats_for(kind))


def _refuse(kind: Kind | str, asked: str) -> FormatNotAcceptable:
    return FormatNotAcceptable(
        f"{_KIND_NAMES[kind]} cannot be sent as {asked}: it can be sent as {_describe(kind)}",
        f"ask for one of these with the Accept header or the format parameter "
        f"({', '.join(dict.fromkeys(f.name for f in formats_for(kind)))})",
    )


def format_named(kind: Kind | str, name: str) -> Format:
    """The format with a name, alias or media type, for a kind of output.

    >>> format_named("graph", "xml").media_type
    'application/rdf+xml'
    >>> format_named("graph", "json").name
    'jsonld'
    >>> format_named("ask", "csv")
    Traceback (most recent call last):
    ...
    relgraph.errors.FormatNotAcceptable: an ASK answer cannot be sent as csv: ...

    :raises FormatNotAcceptable: (406, exit code 2) if the format is unknown
        or does not apply to the kind.
    """
    key = name.strip().lower()
    for f in formats_for(kind):
        if f.named(key):
            return f
    return require(kind, None, asked=name)


def require(kind: Kind | str, found: Format | None, *, asked: str) -> Format:
    """``found``, or the error saying which formats would have worked.

    :raises FormatNotAcceptable: when ``found`` is None.
    """
    if found is None:
        raise _refuse(kind, asked)
    return found


def from_parameters(kind: Kind | str, values: Iterable[str]) -> Format | None:
    """The format the ``format``/``output``/``results`` parameter values ask for.

    The first value understood decides. Values that name no format at all are
    ignored (the caller then negotiates by ``Accept``); a value naming a
    format that does not apply to the kind is refused, since the client asked
    for something this answer cannot be.

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
            if f.named(key):
                return f
        if any(f.named(key) for f in FORMATS):
            raise _refuse(kind, f"{value!r}")
    return None


# -- writers -----------------------------------------------------------------------------------

_XSD_STRING = str(XSD.string)


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
        elif term.datatype.value != _XSD_STRING:
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


def sparql_json(answer: Answer) -> dict[str, Any]:
    """A SELECT or ASK answer as a SPARQL Results JSON document.

    :raises FormatNotAcceptable: for a graph answer.
    """
    if answer.kind == "ask":
        return {"head": {}, "boolean": bool(answer.boolean)}
    if answer.kind != "select":
        format_named(answer.kind, "application/sparql-results+json")
    bindings = [
        {v: term_json(t) for v, t in zip(answer.variables, row, strict=True) if t is not None}
        for row in answer.rows
    ]
    return {"head": {"vars": list(answer.variables)}, "results": {"bindings": bindings}}


#: Characters XML 1.0 cannot carry at all, not even as character references (section 2.2).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_SYNTAXES = (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML)


def _texts(term: Term | ox.Triple | None) -> Iterator[str]:
    if term is None:
        return
    if isinstance(term, ox.Triple):
        for part in (term.subject, term.predicate, term.object):
            yield from _texts(part)
        return
    yield term.value
    if isinstance(term, ox.Literal):
        yield term.datatype.value


def _check_xml(answer: Answer, fmt: Format) -> None:
    """Refuse an answer holding a value that XML 1.0 cannot carry (e.g. U+0000).

    :raises FormatNotAcceptable: naming the character and the formats that can carry it.
    """
    terms: Iterable[Term | ox.Triple | None] = (
        answer.triples if answer.kind == "graph" else (t for row in answer.rows for t in row)
    )
    for term in terms:
        for text in _texts(term):
            found = _NOT_XML.search(text)
            if found:
                others = [f.name for f in formats_for(answer.kind) if f.syntax not in _XML_SYNTAXES]
                raise FormatNotAcceptable(
                    f"the answer holds the character U+{ord(found.group()):04X}, which XML 1.0 "
                    f"cannot carry, so it cannot be sent as {fmt.media_type}",
                    f"ask for another format ({', '.join(others)}), or leave the value out "
                    "(e.g. REPLACE it in the query)",
                )


def _xml_carriage_returns(data: bytes) -> bytes:
    """Write carriage returns as ``&#13;``: an XML reader turns a raw one into a line feed.

    The writers put a raw CR only into text content (never into markup), so
    replacing every one keeps the document well-formed and the value exact.
    """
    return data.replace(b"\r", b"&#13;")


def _bytes(data: bytes | None) -> bytes:
    """Narrow pyoxigraph's optional return value (None only when writing to a file)."""
    assert data is not None
    return data


def write(answer: Answer, fmt: Format | str) -> bytes:
    """Write an answer in a format of its kind.

    A SELECT or ASK answer is written once as SPARQL Results JSON, read back
    with :func:`pyoxigraph.parse_query_results` and written by pyoxigraph in the
    wanted format, so XML, CSV and TSV are exactly what the engine writes.

    XML formats (SPARQL Results XML, RDF/XML) write carriage returns as
    character references, and refuse values holding a character XML 1.0 cannot
    carry (C0 controls other than tab, line feed and CR; U+FFFE, U+FFFF), so
    that every document written parses back to the same values.

    :param fmt: a :class:`Format`, or a name or alias of one.
    :raises FormatNotAcceptable: if the format does not fit the answer's kind, or
        cannot carry one of its values.
    """
    chosen = format_named(answer.kind, fmt) if isinstance(fmt, str) else fmt
    if answer.kind not in chosen.kinds:
        chosen = format_named(answer.kind, chosen.name)
    xml = chosen.syntax in _XML_SYNTAXES
    if xml:
        _check_xml(answer, chosen)
    if isinstance(chosen.syntax, ox.RdfFormat):
        data = _bytes(ox.serialize(answer.triples, format=chosen.syntax, prefixes=PREFIXES))
        return _xml_carriage_returns(data) if xml else data
    doc = json.dumps(sparql_json(answer), ensure_ascii=False).encode("utf-8")
    if chosen.syntax == ox.QueryResultsFormat.JSON:
        return doc
    parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
    data = _bytes(parsed.serialize(format=chosen.syntax))
    return _xml_carriage_returns(data) if xml else data


def write_document(graph: rdflib.Graph, fmt: Format) -> bytes:
    """Write an RDF document (the service description, VoID) in a ``graph`` format.

    Turtle is written by rdflib, which groups the triples of a subject and nests
    blank nodes (easier to read); the other syntaxes by pyoxigraph.

    :raises FormatNotAcceptable: for a format of another kind.
    """
    if "graph" not in fmt.kinds or not isinstance(fmt.syntax, ox.RdfFormat):
        raise _refuse("graph", fmt.name)
    if fmt.syntax == ox.RdfFormat.TURTLE:
        return graph.serialize(format="turtle", encoding="utf-8")
    nt = graph.serialize(format="nt", encoding="utf-8")
    triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    return _bytes(ox.serialize(triples, format=fmt.syntax, prefixes=prefixes))
