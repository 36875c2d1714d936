"""Generate the import modules: the external terms relgraph uses, from the offline copies.

For each source of :data:`~relgraph.mappings.sources.SOURCES`, the module
``ontology/imports/<prefix>.ttl`` holds every term of that source that
relgraph uses (a mapping target, or a term used directly such as the ECO
evidence types), with its label and definition as the copy gives them, and
its named superclasses up to the source's root (BFO ``entity`` for MF, MFOEM
and BCIO; ECO ``evidence``; MFOMD ``mental disorder`` for DOID), so that
SPARQL can walk the hierarchy offline with ``rdfs:subClassOf*``.

Modelling, chosen so that the ontology stays OWL 2 DL without surprises:

* OBO and BCIO terms are ``owl:Class`` es with ``rdfs:subClassOf``, as in
  their sources. relgraph's entities point to them with SKOS mapping
  properties, which the ontology declares as annotation properties, so no
  relgraph individual is typed with an external class.
* The four ECO evidence types are, in ``ontology/modules/core.ttl``, members
  (``owl:NamedIndividual``) of the closed class ``rg:EvidenceType``; in the
  ECO module they are classes. This is deliberate class-individual punning,
  which OWL 2 DL allows (OWL 2 Structural Specification, section 5.9): the
  individual is the value of ``rg:hasEvidenceType``, the class carries ECO's
  hierarchy.
* MeSH descriptors are SKOS concepts (``owl:NamedIndividual`` of
  ``skos:Concept``), as NLM publishes them (instances, not classes). The
  offline copy is a list of descriptors with their preferred labels: it has
  no tree numbers, scope notes or qualifiers, so the MeSH module has no
  hierarchy and no definitions. Queries reach MeSH headings through the
  mapping predicates only (``skos:broadMatch`` to a heading is "under" it).

Every module is written in canonical Turtle (``relgraph fmt`` leaves it
unchanged) and records its source file, release and licence in its header.
Run it with ``.venv/bin/python scripts/imports.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from relgraph.mappings.sources import (
    SOURCES,
    ExternalSource,
    SourceIndex,
    Term,
    load_index,
    source_of,
)
from relgraph.settings import Settings
from relgraph.store.base import ReadableStore
from relgraph.store.formatting import canonical_turtle
from relgraph.vocab import IAO_DEFINITION, IMPORT_MODULES, IMPORTS_GRAPH

__all__ = ["used_terms", "module_graph", "generate_modules", "imports_dir"]

_TITLE = "relgraph import module: {name} ({prefix})"


def imports_dir(settings: Settings) -> Path:
    """The folder of the import modules (``ontology/imports``)."""
    return settings.path("ontology_dir") / "imports"


def used_terms(store: ReadableStore) -> dict[str, set[str]]:
    """The IRIs of external terms relgraph's graphs use, by source prefix.

    Import modules themselves are left out, so a term drops out of its module
    once nothing refers to it.
    """
    result = store.select(
        f"""SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
             FILTER(isIRI(?o) && !STRSTARTS(STR(?g), "{IMPORTS_GRAPH}")) }}"""
    )
    subjects = store.select(
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
             FILTER(isIRI(?s) && !STRSTARTS(STR(?g), "{IMPORTS_GRAPH}")) }}"""
    )
    out: dict[str, set[str]] = {s.prefix: set() for s in SOURCES}
    for row in [*result, *subjects]:
        iri = row[0].value
        source = source_of(iri)
        if source is not None:
            out[source.prefix].add(iri)
    return out


def _literal(text: str, lang: str) -> rdflib.Literal:
    return rdflib.Literal(text, lang=lang) if lang else rdflib.Literal(text)


def _owner_term(iri: str, here: SourceIndex, indexes: dict[str, SourceIndex]) -> Term | None:
    """The term as its own source describes it.

    A term of another mapped source (an MF class in BCIO) is described as that
    source gives it; a term of an unmapped vocabulary that several copies carry
    (BFO, GO) as the first copy in :data:`SOURCES` order gives it, so that every
    term has one label across the modules (MF's BFO says "realizable entity",
    BCIO's "realizable").
    """
    source = source_of(iri)
    if source is not None:
        own = indexes[source.prefix].get(iri) if source.prefix in indexes else None
        return own if own is not None and own.label else here.get(iri)
    for candidate in SOURCES:
        index = indexes.get(candidate.prefix)
        found = index.get(iri) if index is not None else None
        if found is not None and found.label:
            return found
    return here.get(iri)


def module_graph(
    source: ExternalSource, iris: Iterable[str], indexes: dict[str, SourceIndex]
) -> rdflib.Graph:
    """The import module of one source as an rdflib graph.

    :param iris: the source's terms relgraph uses (others are ignored).
    :param indexes: the parsed copies of every source, by prefix.
    """
    index = indexes[source.prefix]
    graph = rdflib.Graph(bind_namespaces="none")
    graph.bind(source.prefix, source.uri_prefix)
    module = rdflib.URIRef(IMPORT_MODULES + source.module)
    graph.add((module, RDF.type, OWL.Ontology))
    graph.add((module, DCTERMS.title, rdflib.Literal(_TITLE.format(**vars(source)), lang="en")))
    graph.add((module, OWL.versionInfo, rdflib.Literal(index.version)))
    graph.add((module, DCTERMS.license, rdflib.URIRef(source.licence)))
    graph.add(
        (
            module,
            RDFS.comment,
            rdflib.Literal(
                f"Generated by scripts/imports.py from the offline copy {source.file} "
                f"(release {index.version}) of {source.name} ({source.homepage}): the terms "
                "relgraph uses, with "
                "their labels, definitions and superclasses as the source gives them. Do not "
                "edit by hand; regenerate it when the source or the mappings change.",
                lang="en",
            ),
        )
    )
    wanted = sorted(i for i in iris if index.own(i) and index.get(i) is not None)
    if source.reader == "mesh-csv":
        graph.add((SKOS.Concept, RDF.type, OWL.Class))
        for iri in wanted:
            node = rdflib.URIRef(iri)
            term = index.terms[iri]
            graph.add((node, RDF.type, OWL.NamedIndividual))
            graph.add((node, RDF.type, SKOS.Concept))
            for text, lang in term.labels:
                graph.add((node, RDFS.label, _literal(text, lang)))
        return graph
    closure: dict[str, None] = {}
    for iri in wanted:
        closure[iri] = None
        closure.update(dict.fromkeys(index.ancestors(iri)))
    for iri in closure:
        node = rdflib.URIRef(iri)
        graph.add((node, RDF.type, OWL.Class))
        described = _owner_term(iri, index, indexes)
        if described is not None and described.label:
            lang = next(lg for text, lg in described.labels if text == described.label)
            graph.add((node, RDFS.label, _literal(described.label, lang)))
            if described.definition:
                graph.add((node, IAO_DEFINITION, rdflib.Literal(described.definition)))
        here = index.get(iri)
        for parent in here.parents if here is not None else []:
            graph.add((node, RDFS.subClassOf, rdflib.URIRef(parent)))
    return graph


def generate_modules(
    settings: Settings, store: ReadableStore, out_dir: Path | None = None
) -> list[Path]:
    """Write every import module from the offline copies; return the files written.

    :param store: the graph whose external terms are imported (built from the sources).
    :raises ConfigError: when an offline copy is missing.
    """
    external = settings.path("external_dir")
    indexes = {s.prefix: load_index(s, external) for s in SOURCES}
    used = used_terms(store)
    folder = out_dir or imports_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in SOURCES:
        graph = module_graph(source, used[source.prefix], indexes)
        target = folder / f"{source.module}.ttl"
        with tempfile.TemporaryDirectory(prefix="relgraph-imports-") as tmp:
            raw = Path(tmp) / target.name
            graph.serialize(raw, format="turtle", encoding="utf-8")
            text = canonical_turtle(raw)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
