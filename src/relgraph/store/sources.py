"""Find and parse relgraph's source files: one named graph per file, and where nodes are.

Parsing uses pyoxigraph (fast, with line and column in errors); rdflib is
used where a Python graph object is needed (canonical formatting, pySHACL).
:func:`load_source` hands a file to pyoxigraph's own loader (Rust, no Python
object per triple: ~10^6 triples in about ten seconds on this machine), which
the build and the check use; :func:`parse_file` yields the quads to Python and
can record lines, which :class:`relgraph.store.origins.SourceIndex` does only
for the files that describe a node a report names.

Files are read as their editors wrote them: a UTF-8 byte-order mark (which
Windows editors add) is dropped before parsing. RDF 1.2 constructs that the
checks cannot handle (triple terms and reified triples ``<< ... >>``,
literals with a base direction ``"..."@en--ltr``) are refused with an error
naming the file, the line and the construct. :func:`parse_file` can also
record where each node is described (:class:`Origins`), so that reports name
the file and line of a node, blank nodes included.

SSSOM mapping files (``mappings/*.sssom.tsv``) are sources too: they become
SKOS triples (:func:`relgraph.mappings.sssom.mapping_quads`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, cast

import pyoxigraph as ox
import rdflib

from relgraph.errors import LoadError
from relgraph.mappings.sssom import mapping_quads
from relgraph.settings import PathSetting, Settings
from relgraph.vocab import GRAPH, OWL, XSD

__all__ = [
    "BOM",
    "Origins",
    "Source",
    "SOURCE_FOLDERS",
    "SourceKind",
    "discover_sources",
    "extra_source",
    "node_key",
    "load_source",
    "parse_source",
    "parse_file",
    "graph_iri_for",
    "load_rdflib",
    "to_rdflib_triple",
]

#: The UTF-8 byte-order mark.
BOM = b"\xef\xbb\xbf"

#: node key (an IRI, or ``_:`` and a blank node's id) -> (file, line) of its first statement.
Origins = dict[str, tuple[str, int]]


class _QuietIllTypedLiterals(logging.Filter):
    """rdflib logs a traceback for every literal whose text is not of its datatype
    (``"2O30"^^xsd:integer``); relgraph's checks report those values, so drop the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_QuietIllTypedLiterals())


def node_key(term: object) -> str:
    """How reports name a node: its IRI, or ``_:`` and the id of a blank node.

    >>> node_key(ox.BlankNode("b1")), node_key(ox.NamedNode("http://example.org/a"))
    ('_:b1', 'http://example.org/a')
    """
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


#: The kinds of source: one per source folder, and files given beside them (``extra``).
SourceKind = Literal["ontology", "data", "shapes", "mappings", "extra"]

#: Source folders, in load order, and the kind of graph each holds.
SOURCE_FOLDERS: tuple[tuple[PathSetting, SourceKind], ...] = (
    ("ontology_dir", "ontology"),
    ("data_dir", "data"),
    ("shapes_dir", "shapes"),
    ("mappings_dir", "mappings"),
)
#: Files of the mappings folder that are loaded (SSSOM/TSV, turned into SKOS triples).
MAPPING_SUFFIX = ".sssom.tsv"

#: The RDF syntaxes a source file may be written in (by file extension; ``.owl`` is RDF/XML).
SOURCE_SYNTAXES: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
)


def _syntax_of(path: Path) -> ox.RdfFormat | None:
    """The syntax of a source file, from its extension (None for other files).

    >>> _syntax_of(Path("a.owl")).name, _syntax_of(Path("b.ttl")).name, _syntax_of(Path("c.md"))
    ('RDF/XML', 'Turtle', None)
    """
    extension = path.suffix[1:].lower()
    extension = "rdf" if extension == "owl" else extension
    return next((s for s in SOURCE_SYNTAXES if s.file_extension == extension), None)


@dataclass(frozen=True)
class Source:
    """A source file and the named graph it loads into."""

    path: Path
    graph: str
    kind: SourceKind

    def digest(self) -> str:
        """Return the SHA-256 of the file's bytes."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def graph_iri_for(path: Path, root: Path) -> str:
    """Return the named-graph IRI of a source file.

    >>> graph_iri_for(Path("/p/data/works.ttl"), Path("/p"))
    'https://w3id.org/relgraph/graph/data/works'
    """
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path("extra") / path.name
    return str(GRAPH) + rel.with_suffix("").as_posix()


def discover_sources(settings: Settings) -> list[Source]:
    """List the ontology, data and shapes files in load order."""
    root = settings.project_path
    sources: list[Source] = []
    for setting, kind in SOURCE_FOLDERS:
        folder = settings.path(setting)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            wanted = (
                path.name.endswith(MAPPING_SUFFIX)
                if kind == "mappings"
                else _syntax_of(path) is not None
            )
            if wanted and path.is_file():
                sources.append(Source(path, graph_iri_for(path, root), kind))
    return sources


def extra_source(path: Path, settings: Settings) -> Source:
    """Describe a file given on the command line (e.g. a curator's new study)."""
    if path.is_dir():
        raise LoadError(
            "a folder, not a file",
            f"name the Turtle files inside it, e.g. `relgraph check {path}/*.ttl`",
            path=str(path),
        )
    if not path.is_file():
        raise LoadError("no such file", "check the path of the file to load", path=str(path))
    return Source(path, graph_iri_for(path, settings.project_path), "extra")


def _format_for(path: Path) -> ox.RdfFormat:
    syntax = _syntax_of(path)
    if syntax is None:
        raise LoadError(
            f"unsupported file type {path.suffix!r}",
            "use Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl, .rdf)",
            path=str(path),
        )
    return syntax


class _LineReader(io.RawIOBase):
    """Hands the parser one line at a time, so that each quad's line is known."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self._newlines = 0
        #: The line the parser is reading (1-based).
        self.line = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        end = self._data.find(b"\n", self._pos)
        end = len(self._data) if end < 0 else end + 1
        end = min(end, self._pos + len(buffer))
        chunk = self._data[self._pos : end]
        buffer[: len(chunk)] = chunk
        self._newlines += chunk.count(b"\n")
        # the line being parsed: the last one handed over, complete or not
        self.line = self._newlines + (0 if chunk.endswith(b"\n") else 1) if chunk else self.line
        self._pos = end
        return len(chunk)


#: Most characters that the entity references of an RDF/XML file may expand to.
MAX_ENTITY_EXPANSION = 1 << 24
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY = re.compile(
    rb"""<!ENTITY\s+(%\s+)?([^\s%"']+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC))"""
)
_REFERENCE = re.compile(rb"&([A-Za-z_:][\w.:-]*);")


def _guard_entities(data: bytes, path: Path) -> None:
    """Refuse RDF/XML whose entities could exhaust memory ("billion laughs") or read files.

    Entities that stand for plain text (Protégé's ``<!ENTITY owl "http://...#">``)
    are fine; an entity whose value refers to other entities, a parameter entity,
    an external one (``SYSTEM``, ``PUBLIC``), or references that would expand to
    more than :data:`MAX_ENTITY_EXPANSION` characters in all are refused.

    :raises LoadError: naming the entity.
    """
    doctype = _DOCTYPE.search(data, 0, 1 << 20)
    if doctype is None:
        return
    sizes: dict[bytes, int] = {}
    for match in _ENTITY.finditer(doctype.group(1)):
        parameter, name, value = match.group(1), match.group(2), match.group(3) or match.group(4)
        if parameter or match.group(5) or value is None or b"&" in value or b"%" in value:
            raise LoadError(
                f"the entity {name.decode(errors='replace')!r} of the document type declaration "
                "is external, a parameter entity, or refers to other entities",
                f'declare entities as plain text only (e.g. <!ENTITY owl "{OWL}">), or write '
                "the file as Turtle",
                path=str(path),
            )
        sizes[name] = len(value)
    expanded = sum(sizes.get(m.group(1), 0) for m in _REFERENCE.finditer(data, doctype.end()))
    if expanded > MAX_ENTITY_EXPANSION:
        raise LoadError(
            f"the entity references expand to {expanded} characters, more than the "
            f"{MAX_ENTITY_EXPANSION} a file may (entity expansion can exhaust memory)",
            "write the values out, or write the file as Turtle",
            path=str(path),
        )


def _rdf12(term: object) -> tuple[str, str] | None:
    """The RDF 1.2 construct a term is, if the checks cannot handle it, and what to write."""
    if isinstance(term, ox.Triple):
        return (
            "an RDF 1.2 triple term or reified triple (<< ... >>)",
            "state the source on the node itself, e.g. rgr:finding-x dcterms:source "
            "rgr:work-example-2030 (the cited work), or cite it with rg:citesAsEvidence",
        )
    if isinstance(term, ox.Literal) and term.direction is not None:
        return (
            f'an RDF 1.2 literal with a base direction ("{term.value}"@{term.language}--'
            f"{term.direction})",
            f'write a plain language-tagged string ("{term.value}"@{term.language})',
        )
    return None


def parse_file(
    path: Path,
    graph: str | None = None,
    *,
    origins: Origins | None = None,
    name: str | None = None,
) -> Iterator[ox.Quad]:
    """Parse one RDF file into quads of ``graph`` (the default graph if None).

    :param origins: when given, filled with the first line where each subject
        (IRI or blank node, see :func:`node_key`) is described.
    :param name: how to name the file in ``origins`` (default: the path).
    :raises LoadError: naming the file, line and column of a syntax error, or
        the line of an RDF 1.2 construct the checks cannot handle.
    """
    fmt, data = _read(path)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    reader = _LineReader(data) if origins is not None else None
    label = name or str(path)
    quads: list[ox.Quad] = []
    try:
        for q in ox.parse(
            cast(IO[bytes], reader) if reader is not None else data,
            format=fmt,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        ):
            construct = _rdf12(q.subject) or _rdf12(q.object)
            if construct is not None:
                raise LoadError(
                    f"{construct[0]} is not supported: relgraph's checks (SHACL, OWL) read "
                    "RDF 1.1 graphs",
                    construct[1],
                    path=str(path),
                    line=reader.line if reader is not None else _construct_line(path, fmt),
                )
            if origins is not None and reader is not None:
                key = node_key(q.subject)
                if key not in origins:
                    origins[key] = (label, max(1, reader.line))
            quads.append(ox.Quad(q.subject, q.predicate, q.object, target))
    except (SyntaxError, ValueError, MemoryError) as exc:
        raise _load_error(exc, fmt, path, reader.line if reader is not None else None) from None
    return iter(quads)


def _read(path: Path) -> tuple[ox.RdfFormat, bytes]:
    """A source file's syntax and bytes (BOM dropped, RDF/XML entities guarded).

    :raises LoadError: for a file of no RDF syntax, that cannot be read, or whose
        entities could exhaust memory.
    """
    fmt = _format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(
            f"cannot read file: {exc.strerror}", "check the path", path=str(path)
        ) from exc
    data = data.removeprefix(BOM)
    if fmt == ox.RdfFormat.RDF_XML:
        _guard_entities(data, path)
    return fmt, data


def _load_error(exc: Exception, fmt: ox.RdfFormat, path: Path, line: int | None) -> LoadError:
    """The LoadError for what pyoxigraph's parser raised, with file, line and column."""
    if isinstance(exc, SyntaxError):
        return LoadError(
            f"invalid {fmt.name}: {exc.msg}",
            "fix the syntax at that line (an unclosed statement often shows one line later)",
            path=str(path),
            line=exc.lineno if isinstance(exc.lineno, int) else None,
            column=exc.offset if isinstance(exc.offset, int) else None,
        )
    if isinstance(exc, MemoryError):
        # pyoxigraph reads one token (a literal, an IRI) into a buffer of at most 16 MiB
        return LoadError(
            f"a literal or IRI is too long to read ({exc})",
            "keep literals and IRIs under 16 MiB: long texts belong in files the graph points to",
            path=str(path),
            line=line,
        )
    return LoadError(f"invalid {fmt.name}: {exc}", "fix the file", path=str(path))


#: Bytes without which a file cannot hold an RDF 1.2 construct the checks refuse (triple
#: terms ``<<( )>>``, reified triples ``<< >>``, annotations ``{| |}``, reifiers ``~``,
#: base directions ``@en--ltr``; in RDF/XML ``rdf:parseType="Triple"``,
#: ``rdf:annotation`` and ``its:dir``). Loose on purpose: a file that has one is
#: parsed in Python, where :func:`parse_file` finds the construct exactly or none.
_RDF12_MARKS: dict[ox.RdfFormat, tuple[bytes, ...]] = {
    ox.RdfFormat.TURTLE: (b"<<", b"{|", b"~", b"--"),
    ox.RdfFormat.N_TRIPLES: (b"<<", b"~", b"--"),
    ox.RdfFormat.RDF_XML: (b"parseType", b"annotation", b"dir"),
}


def load_source(store: ox.Store, source: Source) -> None:
    """Load a source into a pyoxigraph store, into its named graph, by pyoxigraph's loader.

    The same result, errors and refusals as :func:`parse_source` (blank nodes get
    fresh ids), without a Python object per triple: the file's bytes go to the loader
    (Rust) unless they may hold an RDF 1.2 construct (:data:`_RDF12_MARKS`), then
    :func:`parse_file` reads them. Lines of nodes are not kept; see
    :class:`relgraph.store.origins.SourceIndex`.

    :raises LoadError: naming the file, line and column of a syntax error, or the
        line of an RDF 1.2 construct; the store may then hold part of the file.
    """
    if source.kind == "mappings":
        store.bulk_extend(mapping_quads(source.path, source.graph))
        return
    fmt, data = _read(source.path)
    if any(mark in data for mark in _RDF12_MARKS.get(fmt, (b"",))):
        store.bulk_extend(parse_file(source.path, source.graph))
        return
    try:
        store.bulk_load(
            data,
            format=fmt,
            base_iri=source.path.resolve().as_uri(),
            to_graph=ox.NamedNode(source.graph),
        )
    except (SyntaxError, ValueError, MemoryError) as exc:
        raise _load_error(exc, fmt, source.path, None) from None


def _construct_line(path: Path, fmt: ox.RdfFormat) -> int | None:
    """The line of the first RDF 1.2 construct of a file, found by parsing it again."""
    origins: Origins = {}
    try:
        parse_file(path, origins=origins)
    except LoadError as exc:
        return exc.line
    return None


def parse_source(
    source: Source, *, origins: Origins | None = None, name: str | None = None
) -> list[ox.Quad]:
    """Parse a source into quads of its named graph (see :func:`parse_file`).

    SSSOM mapping files become SKOS triples (:func:`relgraph.mappings.sssom.mapping_quads`).
    """
    if source.kind == "mappings":
        return mapping_quads(source.path, source.graph)
    return list(parse_file(source.path, source.graph, origins=origins, name=name))


def load_rdflib(paths: Iterable[Path]) -> rdflib.Graph:
    """Parse files into one merged rdflib graph (checked first with pyoxigraph)."""
    graph = rdflib.Graph()
    for path in paths:
        for quad in parse_file(path):
            graph.add(to_rdflib_triple(quad))
    return graph


_XSD_STRING = str(XSD.string)


def _to_rdflib_term(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


def to_rdflib_triple(quad: ox.Quad) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    """The triple of a pyoxigraph quad as rdflib terms (blank nodes keep their ids)."""
    return (
        _to_rdflib_term(quad.subject),
        _to_rdflib_term(quad.predicate),
        _to_rdflib_term(quad.object),
    )
