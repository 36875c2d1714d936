"""Links from relgraph's entities to MeSH, MF, MFOMD, MFOEM, BCIO, DOID and ECO.

The curated links are an SSSOM mapping set, ``mappings/relgraph.sssom.tsv``
(:mod:`.sssom`), with a list of entities left unmapped on purpose
(``mappings/unmapped.tsv``). The build loads the set into its own named graph
as SKOS triples; the import modules of ``ontology/imports/`` (:mod:`.imports`)
give the external terms' labels and hierarchies; ``relgraph check`` checks the
links against the offline copies of the sources (:mod:`.checks`).

:func:`mappings_for` is what entity pages call: the mappings of one node, read
from the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from relgraph.mappings.sources import SOURCES, converter, source_of
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
from relgraph.store import GraphStore

__all__ = [
    "EntityMapping",
    "mappings_for",
    "load_mapping_set",
    "load_unmapped",
    "render",
    "FORMATS",
]

#: Output formats of :func:`render` (``relgraph mappings --format``).
FORMATS = ("sssom", "tsv", "json")

_PREDICATE_LABELS = {
    "exactMatch": "exact match",
    "closeMatch": "close match",
    "broadMatch": "broader term",
    "narrowMatch": "narrower term",
    "relatedMatch": "related term",
}

_QUERY = """SELECT ?s ?p ?o ?label ?just ?conf ?version ?comment WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  ?s ?p ?o . FILTER(isIRI(?o))
  OPTIONAL {
    ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
    OPTIONAL { ?a <https://w3id.org/sssom/mapping_justification> ?just }
    OPTIONAL { ?a <https://w3id.org/sssom/confidence> ?conf }
    OPTIONAL { ?a <https://w3id.org/sssom/object_source_version> ?version }
    OPTIONAL { ?a <https://w3id.org/sssom/object_label> ?alabel }
    OPTIONAL { ?a rdfs:comment ?comment }
  }
  OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "" || LANGMATCHES(LANG(?olabel), "en")) }
  BIND(COALESCE(?olabel, ?alabel) AS ?label)
}"""


@dataclass(frozen=True)
class EntityMapping:
    """One mapping of an entity, ready for an entity page.

    :ivar predicate: the SKOS predicate's IRI; :ivar predicate_label: in words.
    :ivar target: the external term's IRI; :ivar curie: its CURIE (``MESH:D012649``).
    :ivar label: the term's label (from its import module, else the SSSOM row).
    :ivar source: the source's prefix (``MESH``), '' for a vocabulary relgraph does not map;
        :ivar source_name: its name.
    :ivar version: the source release the mapping was curated against.
    :ivar justification: the SEMAPV IRI of the justification ('' if unknown).
    :ivar confidence: the curator's confidence, 0..1 (None if not given).
    :ivar comment: why the match is partial, if it is.
    :ivar url: the source's page about the term.
    """

    predicate: str
    predicate_label: str
    target: str
    curie: str
    label: str
    source: str
    source_name: str
    version: str
    justification: str
    confidence: float | None
    comment: str
    url: str


def mappings_for(store: GraphStore, iri: str) -> list[EntityMapping]:
    """The SKOS mappings of one entity, exact matches first, then by source and label.

    :param iri: the entity's IRI.
    :raises ValueError: if ``iri`` is not an absolute IRI.
    """
    result = store.query(_QUERY, bindings={"s": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        predicate, target = row["p"].value, row["o"].value
        local = predicate.rsplit("#", 1)[-1]
        source = source_of(target)
        curie = converter().compress(target, strict=False) or target
        local_id = curie.split(":", 1)[1] if source is not None else target
        conf = row["conf"]
        out.append(
            EntityMapping(
                predicate=predicate,
                predicate_label=_PREDICATE_LABELS.get(local, local),
                target=target,
                curie=curie,
                label=row["label"].value if row["label"] is not None else "",
                source=source.prefix if source else "",
                source_name=source.name if source else "",
                version=row["version"].value if row["version"] is not None else "",
                justification=row["just"].value if row["just"] is not None else "",
                confidence=float(conf.value) if conf is not None else None,
                comment=row["comment"].value if row["comment"] is not None else "",
                url=source.term_page.format(iri=target, id=local_id) if source else target,
            )
        )
    order = list(_PREDICATE_LABELS)
    prefixes = [s.prefix for s in SOURCES]
    return sorted(
        out,
        key=lambda m: (
            order.index(m.predicate.rsplit("#", 1)[-1])
            if m.predicate.rsplit("#", 1)[-1] in order
            else 9,
            prefixes.index(m.source) if m.source in prefixes else 99,
            m.label,
        ),
    )


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
