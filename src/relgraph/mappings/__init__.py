"""Links from relgraph's entities to MeSH, MF, MFOMD, MFOEM, BCIO, DOID and ECO.

The curated links are an SSSOM mapping set, ``mappings/relgraph.sssom.tsv``
(:mod:`.sssom`), with a list of entities left unmapped on purpose
(``mappings/unmapped.tsv``). The build loads the set into its own named graph
as SKOS triples; the import modules of ``ontology/imports/`` (:mod:`.imports`)
give the external terms' labels and hierarchies; ``relgraph check`` checks the
links against the offline copies of the sources (:mod:`relgraph.checks.mappings`).

The mapping set is a source of the graph, so this package sits beside
:mod:`relgraph.store` in the layers: it reads and writes files, never the web
or the checks. :func:`relgraph.views.mappings.mappings_for` is what entity
pages call: the mappings of one node, read from the graph.
"""

from __future__ import annotations

from relgraph.mappings.sssom import (
    MappingSet,
    Unmapped,
    read_mapping_set,
    read_unmapped,
    to_json,
    to_tsv,
    unmapped_tsv,
)
from relgraph.settings import Settings

__all__ = [
    "load_mapping_set",
    "load_unmapped",
    "render",
    "FORMATS",
]

#: Output formats of :func:`render` (``relgraph mappings --format``): mapping-set
#: formats (SSSOM), not RDF or query results (:mod:`relgraph.query.formats`).
FORMATS = ("sssom", "tsv", "json")


def load_mapping_set(settings: Settings) -> MappingSet:
    """The mapping set of ``mappings_dir`` (all ``*.sssom.tsv`` files joined)."""
    folder = settings.path("mappings_dir")
    files = sorted(folder.glob("*.sssom.tsv")) if folder.is_dir() else []
    if not files:
        return MappingSet({}, [])
    first = read_mapping_set(files[0])
    for path in files[1:]:
        first.mappings += read_mapping_set(path).mappings
    return first


def load_unmapped(settings: Settings) -> list[Unmapped]:
    """The entities listed as unmapped on purpose."""
    return read_unmapped(settings.path("mappings_dir") / "unmapped.tsv")


def render(
    settings: Settings, fmt: str = "tsv", sources: tuple[str, ...] = (), unmapped: bool = False
) -> str:
    """The mapping set (or, with ``unmapped``, the unmapped list) as text.

    :param fmt: ``sssom`` (SSSOM/TSV with its metadata block), ``tsv`` (the
        table only) or ``json``.
    :param sources: only mappings to these sources (prefixes, e.g. ``MESH``); the
        unmapped list is per entity and is not filtered.
    :raises ConfigError: for an unknown source prefix.
    """
    from relgraph.mappings.sources import source_by_prefix

    prefixes = tuple(source_by_prefix(p).prefix for p in sources)
    mapping_set = load_mapping_set(settings).select(prefixes)
    if unmapped:
        rows = load_unmapped(settings)
        return to_json(mapping_set, rows) if fmt == "json" else unmapped_tsv(rows)
    if fmt == "sssom":
        return mapping_set.to_sssom()
    if fmt == "json":
        return to_json(mapping_set)
    return to_tsv(mapping_set.mappings)
