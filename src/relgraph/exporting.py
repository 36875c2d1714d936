"""Exports of the built graph, each fitting the tool it is for.

The graph has three parts, one or more named graphs each: the **ontology**
(``ontology/``, OWL 2 DL), the **data** (``data/``: the individuals) and the
**shapes** (``shapes/``, SHACL). An export writes some parts in one syntax:

=============================  ======================  =====================================
tool                           export                  what it holds
=============================  ======================  =====================================
Protégé, the OWL API, HermiT,  ``--format owl``        the ontology, as OWL 2 DL (RDF/XML);
ROBOT (reason, report)                                 ``--part data`` adds the individuals
a triple store                 ``--format nq``         every part, one named graph per file
(Oxigraph, Fuseki, GraphDB)
a SHACL engine (pySHACL,       ``--part shapes``       the shapes graph; the data graph is
Jena SHACL, TopBraid)                                  ``--part ontology --part data``
web code, JSON tools           ``--format jsonld``     every part (or those asked), merged
=============================  ======================  =====================================

SHACL shapes are RDF but not OWL: in an OWL document every ``sh:`` term is an
undeclared class or annotation property (806 OWL 2 DL profile violations
under the OWL API when they were merged in, issue #8), so the OWL export
leaves them out and refuses ``--part shapes``. Merged exports drop the
modules' headers and ``owl:imports`` (as ``robot merge`` does), so a tool
opens them offline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from relgraph.errors import RelgraphError
from relgraph.loading import discover_sources
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.vocab import GRAPH

__all__ = ["PARTS", "EXPORT_FORMATS", "graph_parts", "export_parts", "export"]

#: The parts of the graph.
PARTS = ("ontology", "data", "shapes")
#: Export syntaxes: nq keeps the named graphs; the others merge them.
EXPORT_FORMATS = ("ttl", "nt", "nq", "jsonld", "owl")


def graph_parts(store: GraphStore, settings: Settings) -> dict[str, list[str]]:
    """The named graphs of each part, sorted by IRI.

    A graph is classified by the source folder it was loaded from; graphs of
    no known source (extra files) and the SKOS mappings count as data.
    """
    kinds = {s.graph: s.kind.replace("mappings", "data") for s in discover_sources(settings)}
    parts: dict[str, list[str]] = {part: [] for part in PARTS}
    for info in store.graphs():
        kind = kinds.get(info.iri)
        if kind is None:
            rest = info.iri[len(str(GRAPH)) :] if info.iri.startswith(str(GRAPH)) else ""
            kind = next((k for k in ("ontology", "shapes") if rest.startswith(k + "/")), "data")
        parts[kind].append(info.iri)
    return parts


def export_parts(fmt: str, asked: Sequence[str]) -> tuple[str, ...]:
    """The parts an export of ``fmt`` holds, given the ``--part`` values asked for.

    >>> export_parts("owl", [])
    ('ontology',)
    >>> export_parts("owl", ["data"])
    ('ontology', 'data')
    >>> export_parts("ttl", [])
    ('ontology', 'data', 'shapes')

    :raises RelgraphError: (exit code 2) for shapes in an OWL export, or an unknown part.
    """
    unknown = [p for p in asked if p not in PARTS and p != "all"]
    if unknown:
        raise RelgraphError(
            f"unknown part {unknown[0]!r}", f"give one or more of {', '.join(PARTS)}, or all"
        )
    wanted = set(PARTS) if "all" in asked else set(asked)
    if fmt == "owl":
        if "shapes" in wanted:
            raise RelgraphError(
                "SHACL shapes are not part of an OWL export: they are not OWL, and in an "
                "OWL 2 DL document every sh: term would be an undeclared entity",
                "export the shapes for a SHACL engine with `relgraph export --part shapes` "
                "(Turtle), and the ontology with `relgraph export --format owl`",
            )
        # the individuals need the ontology's declarations to be OWL 2 DL
        wanted.add("ontology")
    elif not wanted:
        wanted = set(PARTS)
    return tuple(p for p in PARTS if p in wanted)


def export(store: GraphStore, settings: Settings, fmt: str, parts: Iterable[str] = ()) -> bytes:
    """Serialise some parts of the graph in an export syntax (see the module's table).

    :param fmt: ``ttl``, ``nt``, ``nq``, ``jsonld`` or ``owl`` (RDF/XML, OWL 2 DL).
    :param parts: ``ontology``, ``data``, ``shapes`` or ``all``; the default is
        the ontology for ``owl`` and every part for the others.
    :raises RelgraphError: (exit code 2) for an export that would not fit its tool.
    """
    if fmt not in EXPORT_FORMATS:
        raise RelgraphError(f"unknown export format {fmt!r}", f"use {', '.join(EXPORT_FORMATS)}")
    chosen = export_parts(fmt, list(parts))
    by_part = graph_parts(store, settings)
    graphs = [g for part in chosen for g in by_part[part]]
    if not graphs:
        raise RelgraphError(
            f"the built graph has no {' or '.join(chosen)} graphs to export",
            "check the folders in the settings (ontology_dir, data_dir, shapes_dir) and rebuild",
        )
    return store.serialize(fmt, graphs=graphs)
