"""The parts of the graph: which named graphs hold the ontology, the data, the shapes ...

One classification, used by the checks (which graphs to validate against
which shapes) and by the exports (which graphs a ``--part`` holds). A named
graph belongs to the part of the source folder it was loaded from
(:data:`relgraph.store.sources.SOURCE_FOLDERS`); a graph of no known source is
an extra file (a curator's new study, given to ``relgraph check``) when the
caller says so, and otherwise classified by its IRI
(``.../graph/ontology/...``, ``.../graph/shapes/...``; anything else is data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from relgraph.settings import Settings
from relgraph.store.base import ReadableStore
from relgraph.store.memory import GraphStore
from relgraph.store.sources import SourceKind, discover_sources
from relgraph.vocab import GRAPH

__all__ = ["PART_NAMES", "Part", "GraphParts", "graph_parts"]

#: A part of the graph: the kind of source its graphs come from.
Part = SourceKind
#: The parts, in load order.
PART_NAMES: tuple[Part, ...] = ("ontology", "data", "shapes", "mappings", "extra")


@dataclass(frozen=True)
class GraphParts:
    """The named graphs of each part, sorted by IRI.

    :ivar ontology: ``ontology/`` (OWL 2 DL modules and import modules).
    :ivar data: ``data/`` (the individuals).
    :ivar shapes: ``shapes/`` (SHACL).
    :ivar mappings: ``mappings/*.sssom.tsv`` as SKOS triples (statements about individuals).
    :ivar extra: files given to a check beside the sources.
    """

    ontology: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    mappings: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def checked(self) -> list[str]:
        """The graphs a check validates: everything but the shapes."""
        return self.ontology + self.data + self.mappings + self.extra

    @property
    def individuals(self) -> list[str]:
        """The data in the wide sense: instance data, the mappings and extra files."""
        return self.data + self.mappings + self.extra

    def of(self, part: Part) -> list[str]:
        """The graphs of one part."""
        graphs: list[str] = getattr(self, part)
        return graphs


def _by_iri(iri: str) -> Part:
    rest = iri[len(str(GRAPH)) :] if iri.startswith(str(GRAPH)) else ""
    if rest.startswith("ontology/"):
        return "ontology"
    if rest.startswith("shapes/"):
        return "shapes"
    return "data"


def graph_parts(store: ReadableStore, settings: Settings, extra: Iterable[str] = ()) -> GraphParts:
    """Classify the named graphs of a store into parts.

    :param extra: graphs that hold extra files (they win over a source of the same name).
    """
    kinds: dict[str, Part] = {s.graph: s.kind for s in discover_sources(settings)}
    kinds.update({g: "extra" for g in extra})
    parts = GraphParts()
    for iri in _graph_names(store):
        parts.of(kinds.get(iri) or _by_iri(iri)).append(iri)
    return parts


def _graph_names(store: ReadableStore) -> list[str]:
    """The named graphs' IRIs, sorted; the embedded store's without counting their triples."""
    if isinstance(store, GraphStore):
        return store.graph_names()
    return [info.iri for info in store.graphs()]
