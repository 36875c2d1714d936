"""Find and parse relgraph's source files: one named graph per file.

Parsing uses pyoxigraph (fast, with line and column in errors); rdflib is
used where a Python graph object is needed (SHACL, canonical formatting).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from relgraph.errors import LoadError
from relgraph.settings import Settings
from relgraph.vocab import GRAPH

__all__ = [
    "Source",
    "discover_sources",
    "extra_source",
    "parse_source",
    "parse_file",
    "graph_iri_for",
    "load_rdflib",
    "to_rdflib_triple",
]

#: Source folders, in load order, and the kind of graph each holds.
SOURCE_FOLDERS: tuple[tuple[str, str], ...] = (
    ("ontology_dir", "ontology"),
    ("data_dir", "data"),
    ("shapes_dir", "shapes"),
    ("mappings_dir", "mappings"),
)
#: Files of the mappings folder that are loaded (SSSOM/TSV, turned into SKOS triples).
MAPPING_SUFFIX = ".sssom.tsv"

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Source:
    """A source file and the named graph it loads into."""

    path: Path
    graph: str
    kind: str

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
                else path.suffix in _FORMATS
            )
            if wanted and path.is_file():
                sources.append(Source(path, graph_iri_for(path, root), kind))
    return sources


def extra_source(path: Path, settings: Settings) -> Source:
    """Describe a file given on the command line (e.g. a curator's new study)."""
    if not path.is_file():
        raise LoadError("no such file", "check the path of the file to load", path=str(path))
    return Source(path, graph_iri_for(path, settings.project_path), "extra")


def _format_for(path: Path) -> ox.RdfFormat:
    try:
        return _FORMATS[path.suffix]
    except KeyError:
        raise LoadError(
            f"unsupported file type {path.suffix!r}",
            "use Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl, .rdf)",
            path=str(path),
        ) from None


def parse_file(path: Path, graph: str | None = None) -> Iterator[ox.Quad]:
    """Parse one RDF file into quads of ``graph`` (the default graph if None).

    :raises LoadError: naming the file, line and column of a syntax error.
    """
    fmt = _format_for(path)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(
            f"cannot read file: {exc.strerror}", "check the path", path=str(path)
        ) from exc
    try:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, target)
            for q in ox.parse(
                data, format=fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True
            )
        ]
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        column = exc.offset if isinstance(exc.offset, int) else None
        raise LoadError(
            f"invalid {fmt.name}: {exc.msg}",
            "fix the syntax at that line (an unclosed statement often shows one line later)",
            path=str(path),
            line=line,
            column=column,
        ) from None
    except ValueError as exc:
        raise LoadError(f"invalid {fmt.name}: {exc}", "fix the file", path=str(path)) from None
    return iter(quads)


def parse_source(source: Source) -> list[ox.Quad]:
    """Parse a source into quads of its named graph (SSSOM files into SKOS triples)."""
    if source.kind == "mappings":
        from relgraph.mappings.sssom import mapping_quads

        return mapping_quads(source.path, source.graph)
    return list(parse_file(source.path, source.graph))


def load_rdflib(paths: Iterable[Path]) -> rdflib.Graph:
    """Parse files into one merged rdflib graph (checked first with pyoxigraph)."""
    graph = rdflib.Graph()
    for path in paths:
        for quad in parse_file(path):
            graph.add(to_rdflib_triple(quad))
    return graph


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
    return (
        _to_rdflib_term(quad.subject),
        _to_rdflib_term(quad.predicate),
        _to_rdflib_term(quad.object),
    )
