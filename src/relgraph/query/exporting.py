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

import pyoxigraph as ox

from relgraph.errors import FormatNotAcceptable, RelgraphError
from relgraph.query.formats import Format, format_named, formats_for
from relgraph.settings import Settings
from relgraph.store.memory import GraphStore, ReadOnlyStore
from relgraph.store.parts import graph_parts

__all__ = ["PARTS", "export_formats", "export_format", "export_parts", "export"]

#: The parts of the graph an export may hold (the mappings are statements about the
#: individuals, so they are data here; see :mod:`relgraph.store.parts`).
PARTS = ("ontology", "data", "shapes")


def export_formats() -> list[Format]:
    """The export syntaxes: the ``graph`` formats merge the named graphs, ``dataset`` keeps them.

    >>> [f.name for f in export_formats()]
    ['ttl', 'nt', 'xml', 'jsonld', 'nq']
    """
    return formats_for("graph") + formats_for("dataset")


def export_format(name: str) -> Format:
    """The export syntax with a name or alias (``owl`` is RDF/XML).

    :raises RelgraphError: (exit code 2) naming the export formats.
    """
    for kind in ("graph", "dataset"):
        try:
            return format_named(kind, name)
        except FormatNotAcceptable:
            continue
    raise RelgraphError(
        f"unknown export format {name!r}",
        "use ttl, nt, nq, jsonld or owl (RDF/XML, OWL 2 DL)",
    )


def _is_owl(fmt: Format) -> bool:
    return fmt.name == "xml" and "graph" in fmt.kinds


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
    if _is_owl(export_format(fmt)):
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


def export(
    store: GraphStore | ReadOnlyStore, settings: Settings, fmt: str, parts: Iterable[str] = ()
) -> bytes:
    """Serialise some parts of the graph in an export syntax (see the module's table).

    :param fmt: ``ttl``, ``nt``, ``nq``, ``jsonld`` or ``owl`` (RDF/XML, OWL 2 DL),
        or another name of one of these (:func:`export_format`).
    :param parts: ``ontology``, ``data``, ``shapes`` or ``all``; the default is
        the ontology for ``owl`` and every part for the others.
    :raises RelgraphError: (exit code 2) for an export that would not fit its tool.
    """
    syntax = export_format(fmt)
    chosen = export_parts(fmt, list(parts))
    found = graph_parts(store, settings)
    by_part = {"ontology": found.ontology, "data": found.individuals, "shapes": found.shapes}
    graphs = [g for part in chosen for g in by_part[part]]
    if not graphs:
        raise RelgraphError(
            f"the built graph has no {' or '.join(chosen)} graphs to export",
            "check the folders in the settings (ontology_dir, data_dir, shapes_dir) and rebuild",
        )
    assert isinstance(syntax.syntax, ox.RdfFormat)
    return store.serialize(syntax.syntax, graphs=graphs)
