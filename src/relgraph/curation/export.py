"""The reverse of the import: the rows of a study sheet from a study in the graph.

:func:`study_rows` fills the sheets from an imported study (its named graph,
``data/studies/<study id>.ttl``), so that the study can be corrected in a
spreadsheet and imported again: every row keeps its IRI in the id column, every
entity is written by its label (by ``label (CURIE)`` where a label is shared),
and a label, description or evidence type that the import would make by itself
is left empty, so that template -> import -> template gives the same sheet.
:func:`review_rows` fills the Findings and Method applications sheets with the
review's own claims, for a team that wants to read them in a spreadsheet
(their quotation is the passage of the review, their locator its section).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from relgraph.curation import naming
from relgraph.curation.kinds import KINDS, NEW_ENTITY_KINDS
from relgraph.curation.records import DEFAULT_EVIDENCE, ClaimRecord
from relgraph.curation.resolve import Vocabulary, name_key
from relgraph.curation.sheets import (
    ENTITIES,
    FINDINGS,
    METHODS,
    SEPARATOR,
    WORK,
    Column,
    SheetSpec,
)
from relgraph.curation.turtle import generated_texts
from relgraph.errors import UnknownStudy
from relgraph.store.memory import GraphStore
from relgraph.vocab import ORCID, PRISM, RG, RGR, compact_iri

__all__ = ["study_rows", "review_rows", "study_graphs", "REVIEW"]

#: The study id that stands for the review itself.
REVIEW = "review"


def study_graphs(store: GraphStore) -> dict[str, str]:
    """Study id -> the named graph of each imported study (found by its curation)."""
    result = store.query("SELECT ?g ?c WHERE { GRAPH ?g { ?c a rg:StudyCuration } } ORDER BY ?c")
    assert isinstance(result, ox.QuerySolutions)
    out: dict[str, str] = {}
    for row in result:
        study = str(row["c"].value).rsplit("/", 1)[-1].removeprefix("curation-")
        out.setdefault(study, str(row["g"].value))
    return out


def _text(g: rdflib.Graph, node: rdflib.term.Node, predicate: URIRef) -> str:
    for value in sorted(g.objects(node, predicate), key=str):
        return str(value)
    return ""


class _Writer:
    def __init__(self, g: rdflib.Graph, vocabulary: Vocabulary) -> None:
        self.g = g
        self.vocabulary = vocabulary
        shared: dict[str, int] = {}
        for entity in vocabulary.of_kinds(tuple(KINDS)):
            shared[name_key(entity.label)] = shared.get(name_key(entity.label), 0) + 1
        self.shared = shared

    def name(self, iri: str) -> str:
        entity = self.vocabulary.get(iri)
        if entity is None or not entity.label:
            return compact_iri(iri)
        if self.shared.get(name_key(entity.label), 0) > 1:
            return f"{entity.label} ({entity.curie})"
        return entity.label

    def cell(self, node: rdflib.term.Node, column: Column) -> str:
        values = [str(v) for v in self.g.objects(node, URIRef(column.predicate))]
        if column.kinds or column.key == "different":
            names = sorted((self.name(v) for v in values), key=name_key)
            if column.key == "evidence" and values == [DEFAULT_EVIDENCE]:
                return ""
            return f"{SEPARATOR} ".join(names)
        return f"{SEPARATOR} ".join(sorted(values))

    def claim_row(
        self, node: rdflib.term.Node, spec: SheetSpec, work: str, quotation: str, locator: str
    ) -> dict[str, str]:
        row = {"id": compact_iri(str(node))}
        record = ClaimRecord("finding" if spec is FINDINGS else "method", spec.name, 0, str(node))
        for column in spec.columns:
            if not column.predicate:
                continue
            row[column.key] = self.cell(node, column)
            values = sorted(str(v) for v in self.g.objects(node, URIRef(column.predicate)))
            if values and column.kinds:
                record.links[column.predicate] = values
            elif values:
                record.numbers[column.predicate] = (values[0], "")
        label, description = generated_texts(record, self.vocabulary, work)
        own_label = _text(self.g, node, RDFS.label)
        own_description = _text(self.g, node, DCTERMS.description)
        row["label"] = "" if own_label == label else own_label
        row["description"] = "" if own_description == description else own_description
        row["quotation"], row["locator"] = quotation, locator
        return {k: v for k, v in row.items() if v}

    def entity_row(self, node: rdflib.term.Node, kind: str) -> dict[str, str]:
        row = {
            "id": compact_iri(str(node)),
            "kind": kind,
            "label": _text(self.g, node, RDFS.label),
            "alt_labels": f"{SEPARATOR} ".join(
                sorted((str(v) for v in self.g.objects(node, SKOS.altLabel)), key=name_key)
            ),
            "definition": _text(self.g, node, DCTERMS.description),
        }
        for key in ("setting_kind", "implements", "measures", "different"):
            row[key] = self.cell(node, ENTITIES.column(key))
        return {k: v for k, v in row.items() if v}


def _claims(
    g: rdflib.Graph, cls: URIRef, among: Iterable[rdflib.term.Node]
) -> list[rdflib.term.Node]:
    wanted = set(among)
    return sorted((n for n in g.subjects(RDF.type, cls) if n in wanted), key=str)


def _kind_of(g: rdflib.Graph, node: rdflib.term.Node) -> str:
    types = {str(t) for t in g.objects(node, RDF.type)}
    for kind in NEW_ENTITY_KINDS:
        if set(KINDS[kind].classes) & types:
            return kind
    return ""


def study_rows(store: GraphStore, study: str) -> dict[str, list[dict[str, str]]]:
    """The sheets' rows of an imported study (sheet title -> rows).

    :raises UnknownStudy: (404) when no study of the graph has this id.
    """
    graphs = study_graphs(store)
    if study == REVIEW:
        return review_rows(store)
    if study not in graphs:
        known = ", ".join(sorted(graphs)) or "none yet"
        raise UnknownStudy(
            f"no imported study has the id {study!r} (imported: {known})",
            "give the id of a file in data/studies/ (without .ttl), or 'review' for the"
            " review's own findings",
        )
    g = store.to_rdflib([graphs[study]])
    vocabulary = Vocabulary.from_store(store)
    writer = _Writer(g, vocabulary)
    curation = RGR["curation-" + study]
    work = next(iter(g.objects(curation, PROV.used)), None)
    agent = next(iter(g.objects(curation, PROV.wasAssociatedWith)), None)
    work_label = _text(g, work, RDFS.label) if work is not None else ""
    authors = _text(g, work, RG.authorList) if work is not None else ""
    title = _text(g, work, DCTERMS.title) if work is not None else ""
    curator = _text(g, agent, RDFS.label) if agent is not None else ""
    description = _text(g, work, DCTERMS.description) if work is not None else ""
    if description == naming.work_description(work_label, title, curator):
        description = ""
    year = _text(g, work, RG.publicationYear) + _text(g, work, RG.yearSuffix) if work else ""
    minted = naming.work_local([a.strip() for a in authors.split(";")], year)
    work_row = {
        "study": "" if minted.removeprefix("work-") == study else study,
        "authors": authors,
        "year": year,
        "title": title,
        "journal": _text(g, work, PRISM.publicationName) if work is not None else "",
        "doi": _text(g, work, PRISM.doi) if work is not None else "",
        "description": description,
        "curator": curator,
        "orcid": str(agent).removeprefix(ORCID) if str(agent).startswith(ORCID) else "",
        "date": _text(g, curation, DCTERMS.date),
    }
    made = set(g.subjects(PROV.wasGeneratedBy, curation))
    rows: dict[str, list[dict[str, str]]] = {WORK.name: [{k: v for k, v in work_row.items() if v}]}
    for spec, cls in ((FINDINGS, RG.Finding), (METHODS, RG.MethodApplication)):
        out = []
        for node in _claims(g, cls, made):
            excerpt = next(
                (
                    e
                    for e in g.objects(node, PROV.wasDerivedFrom)
                    if (e, RDF.type, RG.StudyExcerpt) in g
                ),
                None,
            )
            quotation = _text(g, excerpt, PROV.value) if excerpt is not None else ""
            locator = _text(g, excerpt, RG.locator) if excerpt is not None else ""
            out.append(writer.claim_row(node, spec, work_label, quotation, locator))
        rows[spec.name] = out
    entities = []
    for node in sorted(made, key=str):
        kind = _kind_of(g, node)
        if kind:
            entities.append(writer.entity_row(node, kind))
    rows[ENTITIES.name] = entities
    return rows


def review_rows(store: GraphStore) -> dict[str, list[dict[str, str]]]:
    """The review's own findings and method applications, as sheet rows (to read, not import)."""
    g = store.to_rdflib()
    vocabulary = Vocabulary.from_store(store)
    writer = _Writer(g, vocabulary)
    review = RGR["review"]
    work_row = {
        "study": REVIEW,
        "authors": _text(g, review, RG.authorList),
        "year": _text(g, review, RG.publicationYear),
        "title": _text(g, review, DCTERMS.title),
        "description": _text(g, review, DCTERMS.bibliographicCitation),
    }
    label = "McGuire, McCabe and Priebe 2001"
    rows: dict[str, list[dict[str, str]]] = {WORK.name: [{k: v for k, v in work_row.items() if v}]}
    from_review = set(g.subjects(RG.derivedFromPassage, None))
    for spec, cls in ((FINDINGS, RG.Finding), (METHODS, RG.MethodApplication)):
        out = []
        for node in _claims(g, cls, from_review):
            if (node, DCTERMS.source, None) in g or (node, OWL.deprecated, None) in g:
                continue
            passages = sorted(
                g.objects(node, RG.derivedFromPassage),
                key=lambda p: int(_text(g, p, RG.startOffset) or 0),
            )
            quotation = " [...] ".join(_text(g, p, RG.quotation) for p in passages)
            sections = dict.fromkeys(
                _text(g, s, RDFS.label) for p in passages for s in g.objects(p, RG.inSection)
            )
            out.append(writer.claim_row(node, spec, label, quotation, "; ".join(sections)))
        rows[spec.name] = out
    rows[ENTITIES.name] = []
    return rows
