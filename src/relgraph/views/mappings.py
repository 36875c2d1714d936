"""The mappings of one entity to external vocabularies, for entity pages.

A pure function of a store (the mapping set is in the graph as SKOS triples
with SSSOM ``owl:Axiom`` annotations, see :mod:`relgraph.mappings.sssom`); it
returns dataclasses the pages render, never HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from relgraph.mappings.sources import SOURCES, converter, source_of
from relgraph.store.base import ReadableStore
from relgraph.vocab import SSSOM

__all__ = ["EntityMapping", "mappings_for"]

_PREDICATE_LABELS = {
    "exactMatch": "exact match",
    "closeMatch": "close match",
    "broadMatch": "broader term",
    "narrowMatch": "narrower term",
    "relatedMatch": "related term",
}

_QUERY = f"""PREFIX sssom: <{SSSOM}>
SELECT ?s ?p ?o ?label ?just ?conf ?version ?comment WHERE {{
  VALUES ?p {{ skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }}
  ?s ?p ?o . FILTER(isIRI(?o))
  OPTIONAL {{
    ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
    OPTIONAL {{ ?a sssom:mapping_justification ?just }}
    OPTIONAL {{ ?a sssom:confidence ?conf }}
    OPTIONAL {{ ?a sssom:object_source_version ?version }}
    OPTIONAL {{ ?a sssom:object_label ?alabel }}
    OPTIONAL {{ ?a rdfs:comment ?comment }}
  }}
  OPTIONAL {{ ?o rdfs:label ?olabel
             FILTER(LANG(?olabel) = "" || LANGMATCHES(LANG(?olabel), "en")) }}
  BIND(COALESCE(?olabel, ?alabel) AS ?label)
}}"""


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


def mappings_for(store: ReadableStore, iri: str) -> list[EntityMapping]:
    """The SKOS mappings of one entity, exact matches first, then by source and label.

    :param iri: the entity's IRI.
    :raises ValueError: if ``iri`` is not an absolute IRI.
    """
    result = store.select(_QUERY, bindings={"s": ox.NamedNode(iri)})
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
