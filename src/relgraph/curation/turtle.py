"""A study's records as RDF, with its provenance, and as canonical Turtle.

:func:`study_graph` makes the RDF of one study: its publication (an
``rg:CitedWork``), the curation that added it and the curator, the new
entities, the findings and method applications, and the quotations they rest
on. Provenance is W3C PROV-O: the claims and new entities name their
publication (``dcterms:source``, and ``rg:citesAsEvidence`` for claims), the
curation (``prov:wasGeneratedBy`` a ``rg:StudyCuration``,
``prov:wasAssociatedWith`` its curator, ``dcterms:date`` its day) and, for
claims, the quotation (``prov:wasDerivedFrom`` a ``rg:StudyExcerpt`` with
``prov:value``, ``prov:wasQuotedFrom`` and ``rg:locator``).
:func:`turtle_text` writes it as ``relgraph fmt`` would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from relgraph.curation import naming
from relgraph.curation.kinds import KINDS
from relgraph.curation.records import ClaimRecord, Study
from relgraph.curation.resolve import Vocabulary, name_key
from relgraph.store.formatting import canonical_turtle
from relgraph.vocab import ORCID, PRISM, RG, RGR

__all__ = ["study_graph", "generated_texts", "turtle_text", "curator_node"]


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def curator_node(study: Study) -> URIRef:
    """The curator of a study: their ORCID iD, or an IRI made from their name."""
    if study.work.orcid:
        return URIRef(ORCID + study.work.orcid)
    return RGR["curator-" + (naming.slug(study.work.curator) or "unknown")]


def _excerpt_label(work: str, locator: str, quotation: str) -> str:
    first = " ".join(quotation.replace("-\n", "").split()[:8])
    more = "..." if len(quotation.split()) > 8 else ""
    return f'excerpt of {work} ({locator}): "{first}{more}"'


def study_graph(study: Study, vocabulary: Vocabulary) -> rdflib.Graph:
    """The RDF of a study: its work, curation and curator, entities, claims and excerpts."""
    g = rdflib.Graph(bind_namespaces="none")
    g.bind("prism", PRISM)
    w = study.work
    work = URIRef(w.iri)
    curation = RGR["curation-" + w.study]
    agent = curator_node(study)
    g.add((work, RDF.type, OWL.NamedIndividual))
    g.add((work, RDF.type, RG.CitedWork))
    g.add((work, RDFS.label, _en(w.label)))
    description = w.description or naming.work_description(w.label, w.title, w.curator)
    g.add((work, DCTERMS.description, _en(description)))
    g.add((work, RG.firstAuthor, Literal(w.authors[0])))
    for other in w.authors[1:]:
        g.add((work, RG.otherAuthor, Literal(other)))
    g.add((work, RG.authorList, Literal("; ".join(w.authors))))
    g.add((work, RG.etAl, Literal(len(w.authors) > 2)))
    g.add((work, RG.publicationYear, Literal(w.year)))
    if w.suffix:
        g.add((work, RG.yearSuffix, Literal(w.suffix)))
    for term, value in ((DCTERMS.title, w.title), (PRISM.publicationName, w.journal),
                        (PRISM.doi, w.doi)):  # fmt: skip
        if value:
            g.add((work, term, Literal(value)))
    g.add((curation, RDF.type, OWL.NamedIndividual))
    g.add((curation, RDF.type, RG.StudyCuration))
    g.add((curation, RDFS.label, _en(f"Curation of {w.label}")))
    g.add(
        (
            curation,
            DCTERMS.description,
            _en(f"{w.curator} recorded the study {w.label} in a study sheet and imported it."),
        )
    )
    g.add(
        (
            curation,
            RDFS.comment,
            _en(
                "Written by relgraph import from a study sheet: correct the sheet (relgraph"
                f" template --study {w.study}) and import it again rather than editing this file."
            ),
        )
    )
    g.add((curation, PROV.used, work))
    g.add((curation, PROV.wasAssociatedWith, agent))
    g.add((curation, DCTERMS.date, Literal(w.date, datatype=XSD.date)))
    g.add((agent, RDF.type, OWL.NamedIndividual))
    g.add((agent, RDF.type, PROV.Person))
    g.add((agent, RDFS.label, Literal(w.curator)))
    if not w.orcid:
        g.add((agent, DCTERMS.description, _en("A curator who added studies to relgraph.")))
    for entity in study.entities:
        node = URIRef(entity.iri)
        g.add((node, RDF.type, OWL.NamedIndividual))
        g.add((node, RDF.type, URIRef(KINDS[entity.kind].classes[0])))
        g.add((node, RDFS.label, _en(entity.label)))
        for alt in entity.alt_labels:
            g.add((node, SKOS.altLabel, _en(alt)))
        g.add((node, DCTERMS.description, _en(entity.definition)))
        g.add((node, DCTERMS.source, work))
        g.add((node, PROV.wasGeneratedBy, curation))
        for predicate, values in entity.links.items():
            for value in values:
                g.add((node, URIRef(predicate), URIRef(value)))
    for claim in study.claims:
        _add_claim(g, claim, study, vocabulary, work, curation)
    return g


def _names(vocabulary: Vocabulary, claim: ClaimRecord, *predicates: str) -> list[str]:
    """The labels of a claim's values, in alphabetical order (the order of cells is not kept)."""
    out = []
    for predicate in predicates:
        for iri in claim.links.get(str(RG[predicate]), []):
            entity = vocabulary.get(iri)
            out.append(entity.label if entity else naming.local_slug(iri))
    return sorted(out, key=name_key)


def generated_texts(claim: ClaimRecord, vocabulary: Vocabulary, work: str) -> tuple[str, str]:
    """The label and description the import gives a claim whose curator gave none."""

    def names(*predicates: str) -> tuple[str, ...]:
        return tuple(_names(vocabulary, claim, *predicates))

    if claim.kind == "method":
        words = naming.ClaimWords(
            "method", work, methods=names("aboutMethod"), partners=names("assesses"),
            settings=names("studiedInSetting"), populations=names("studiedInPopulation"),
        )  # fmt: skip
    else:
        words = naming.ClaimWords(
            "finding",
            work,
            factors=names("hasFactor"),
            partners=names("concernsOutcome", "concernsConstruct"),
            preferred=names("predictsPreferenceFor"),
            direction="".join(names("hasDirection")),
            settings=names("studiedInSetting"),
            populations=names("studiedInPopulation"),
            percentage=claim.numbers.get(str(RG.percentage), ("", ""))[0],
        )
    return naming.claim_label(words), naming.claim_description(words)


def _add_claim(
    g: rdflib.Graph,
    claim: ClaimRecord,
    study: Study,
    vocabulary: Vocabulary,
    work: URIRef,
    curation: URIRef,
) -> None:
    node = URIRef(claim.iri)
    label, description = generated_texts(claim, vocabulary, study.work.label)
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDF.type, RG.Finding if claim.kind == "finding" else RG.MethodApplication))
    g.add((node, RDFS.label, _en(claim.label or label)))
    g.add((node, DCTERMS.description, _en(claim.description or description)))
    for predicate, values in claim.links.items():
        for value in values:
            g.add((node, URIRef(predicate), URIRef(value)))
    for predicate, (text, datatype) in claim.numbers.items():
        g.add((node, URIRef(predicate), Literal(text, datatype=URIRef(datatype))))
    g.add((node, RG.citesAsEvidence, work))
    g.add((node, DCTERMS.source, work))
    g.add((node, PROV.wasGeneratedBy, curation))
    excerpt = RGR[naming.excerpt_local(study.work.study, claim.quotation, claim.locator)]
    g.add((node, PROV.wasDerivedFrom, excerpt))
    if (excerpt, RDF.type, RG.StudyExcerpt) in g:
        return
    g.add((excerpt, RDF.type, OWL.NamedIndividual))
    g.add((excerpt, RDF.type, RG.StudyExcerpt))
    g.add(
        (excerpt, RDFS.label, _en(_excerpt_label(study.work.label, claim.locator, claim.quotation)))
    )
    g.add(
        (
            excerpt,
            DCTERMS.description,
            _en(
                f"Words of {study.work.label} ({claim.locator}) that a claim of the study rests on."
            ),
        )
    )
    g.add((excerpt, PROV.value, Literal(claim.quotation)))
    g.add((excerpt, PROV.wasQuotedFrom, work))
    g.add((excerpt, RG.locator, Literal(claim.locator)))


def turtle_text(graph: rdflib.Graph) -> str:
    """A graph as canonical Turtle (what ``relgraph fmt`` writes)."""
    with tempfile.TemporaryDirectory(prefix="relgraph-import-") as folder:
        path = Path(folder) / "study.ttl"
        graph.serialize(path, format="turtle", encoding="utf-8")
        return canonical_turtle(path)
