"""``relgraph import``: a study sheet becomes canonical Turtle in data/studies/, checked first.

:func:`import_study` reads the sheet (:mod:`relgraph.curation.tables`), turns
its rows into the records of one study (:mod:`relgraph.curation.records`),
writes them as RDF (:func:`study_graph`) and runs the whole check of
``relgraph check`` over the graph with the study in place of its previous
version. Only when neither the rows nor the check have errors is
``data/studies/<study id>.ttl`` written (atomically, replacing the study's
previous file); with ``dry_run`` nothing is ever written. Every problem is
reported at its sheet, row and column, also those the graph's check finds on
the nodes a row made.

Provenance (W3C PROV-O): the claims and new entities of a study name its
publication (``dcterms:source``, and ``rg:citesAsEvidence`` for claims), the
curation that added them (``prov:wasGeneratedBy`` a ``rg:StudyCuration``,
``prov:wasAssociatedWith`` its curator, ``dcterms:date`` its day) and, for
claims, the quotation they rest on (``prov:wasDerivedFrom`` a
``rg:StudyExcerpt`` with ``prov:value``, ``prov:wasQuotedFrom`` and
``rg:locator``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from relgraph.checking import check_store
from relgraph.curation import naming
from relgraph.curation.problems import SheetProblem, StudySheetError
from relgraph.curation.records import ClaimRecord, Study, parse_study, study_id
from relgraph.curation.resolve import Vocabulary, name_key
from relgraph.curation.sheets import ENTITIES, KINDS, SHEETS, WORK, sheet_named
from relgraph.curation.tables import Table, read_study
from relgraph.formatting import canonical_turtle
from relgraph.loading import graph_iri_for, parse_file
from relgraph.origins import SourceIndex
from relgraph.report import CheckReport, Problem
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.vocab import GRAPH, RG, RGR

__all__ = [
    "ImportResult",
    "import_study",
    "study_graph",
    "studies_dir",
    "study_path",
    "PRISM",
    "STUDIES_FOLDER",
]

#: PRISM, the bibliographic vocabulary of publication name and DOI.
PRISM = rdflib.Namespace("http://prismstandard.org/namespaces/basic/2.0/")
#: The folder of studies inside the data folder.
STUDIES_FOLDER = "studies"
_ORCID = "https://orcid.org/"


def studies_dir(settings: Settings) -> Path:
    """``<data_dir>/studies``: one Turtle file (named graph) per imported study."""
    return settings.path("data_dir") / STUDIES_FOLDER


def study_path(settings: Settings, study: str) -> Path:
    """The file of one study."""
    return studies_dir(settings) / f"{study}.ttl"


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    :ivar turtle: the study's file, as written (or as it would be).
    :ivar written: the file was written.
    :ivar replaced: a previous version of the study's file existed.
    :ivar unchanged: the previous version was the same as this one.
    :ivar warnings: warnings of the rows and of the check, at their rows.
    """

    study: str
    path: Path
    graph: str
    turtle: str
    written: bool
    replaced: bool
    unchanged: bool
    findings: int
    method_applications: int
    new_entities: int
    warnings: list[SheetProblem] = field(default_factory=list)
    report: CheckReport | None = None
    #: seconds per step: read, load, rows, turtle, check, write
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: what was (or would be) written."""
        verb = "would write" if not self.written else ("replaced" if self.replaced else "wrote")
        if self.unchanged:
            verb = "unchanged" if self.written else "would leave unchanged"
        return (
            f"{verb} {self.path} (study {self.study}): {self.findings} finding(s),"
            f" {self.method_applications} method application(s), {self.new_entities} new"
            " entit" + ("y" if self.new_entities == 1 else "ies")
        )


# -- RDF -------------------------------------------------------------------------------------


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _agent(study: Study) -> URIRef:
    if study.work.orcid:
        return URIRef(_ORCID + study.work.orcid)
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
    agent = _agent(study)
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


# -- the check -------------------------------------------------------------------------------


def _owner(store: GraphStore, iri: str) -> str:
    """Where an IRI is described in a store: the name of its graph ('' if nowhere)."""
    result = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} LIMIT 1")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        graph = str(row["g"].value)
        return graph.removeprefix(str(GRAPH)) + ".ttl" if graph.startswith(str(GRAPH)) else graph
    return ""


#: Rules of the check whose column a property does not name, by the column key they concern.
_RULE_COLUMNS = {
    "Finding-direction-required": "direction",
    "Preference-hasDirection": "direction",
    "Finding-descriptive-no-direction": "direction",
    "Factor-partner": "outcome",
    "Finding-content": "factor",
    "finding-mixed-factors": "factor",
    "self-association": "factor",
    "StudyClaim-excerpt": "quotation",
}


def _column_for(problem: Problem, sheet: str) -> str:
    spec = sheet_named(sheet)
    if spec is None:
        return ""
    rule = problem.rule.split("/", 1)[-1]
    if rule in _RULE_COLUMNS:
        return _RULE_COLUMNS[rule]
    if rule in ("label-whitespace", "label-formatting", "duplicate-label"):
        return "label"
    if rule == "copied-run":  # the message names the field: "its label shares ..."
        described = "definition" if spec is ENTITIES else "description"
        fields = {"alternative label": "alt_labels", "description": described, "label": "label"}
        for name, key in fields.items():
            if f"its {name} " in problem.message:
                return key if key in {c.key for c in spec.columns} else ""
    lowered = rule.lower()
    named = [
        (re.split(r"[/#]", c.predicate)[-1].lower(), c.key) for c in spec.columns if c.predicate
    ]
    for local, key in sorted(named, key=lambda pair: -len(pair[0])):  # percentageMin first
        if local in lowered:
            return key
    return ""


def _origins(study: Study) -> dict[str, tuple[str, int]]:
    """IRI -> (sheet, row) of every node the study's rows made, excerpts and curation too."""
    out = study.origins()
    work = (WORK.name, study.work.row)
    out[str(RGR["curation-" + study.work.study])] = work
    out[str(_agent(study))] = work
    for claim in study.claims:
        local = naming.excerpt_local(study.work.study, claim.quotation, claim.locator)
        out.setdefault(str(RGR[local]), (claim.sheet, claim.row))
    return out


def _without(store: GraphStore, graph: str) -> GraphStore:
    """A copy of a store without one named graph ('' or absent: all of it)."""
    if not graph or graph not in {g.iri for g in store.graphs()}:
        return GraphStore.from_quads(store.quads())
    dropped = ox.NamedNode(graph)
    return GraphStore.from_quads(q for q in store.quads() if q.graph_name != dropped)


def _sheet_problems(
    problems: list[Problem],
    origins: dict[str, tuple[str, int]],
    tables: dict[str, Table],
    source: str,
) -> list[SheetProblem]:
    out = []
    for p in problems:
        where = origins.get(p.node)
        message = p.message + (f" (value: {p.value})" if p.value and p.value != p.node else "")
        if where is None:
            place = p.place or "the graph"
            described = f"{p.label or p.node} ({place})" if p.node else place
            out.append(
                SheetProblem(
                    f"[{p.rule}] {described}: {message}",
                    p.hint,
                    severity=p.severity,
                    rule=p.rule,
                    value=p.value,
                )  # fmt: skip
            )
            continue
        sheet, row = where
        table = tables.get(sheet)
        if table is None:
            spec = next(s for s in SHEETS if s.name == sheet)
            table = Table(spec, source)
        key = _column_for(p, sheet)
        out.append(
            table.problem(
                row,
                key,
                f"[{p.rule}] {message}",
                p.hint,
                value=p.value,
                severity=p.severity,
                rule=p.rule,
            )  # fmt: skip
        )
    return out


# -- the import ------------------------------------------------------------------------------


def import_study(
    settings: Settings,
    path: Path,
    *,
    dry_run: bool = False,
    reasoner: bool = True,
    curator: str = "",
    today: dt.date | None = None,
) -> ImportResult:
    """Import a study sheet (an .xlsx workbook or a folder of CSV files).

    :param dry_run: check everything, write nothing.
    :param reasoner: run HermiT in the check (the OWL 2 RL rules always run).
    :param curator: the curator's name (else the Work sheet's).
    :param today: the curation date when the Work sheet gives none (default: today).
    :raises StudySheetError: (exit 1) listing every error at its sheet, row and column;
        nothing is written.
    :raises LoadError: when the sheet, or a source of the graph, cannot be read.
    """
    from relgraph.builder import load_sources

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = now - clock
        clock = now

    tables, problems = read_study(path)
    lap("read")
    index = SourceIndex()
    sources = load_sources(settings, index)
    # The rows are resolved against the graph without the study's previous version.
    early = study_id(tables)
    previous_graph = (
        graph_iri_for(study_path(settings, early), settings.project_path) if early else ""
    )
    base = _without(sources, previous_graph)
    vocabulary = Vocabulary.from_store(base)
    lap("load")

    def taken(iri: str) -> str:
        return _owner(base, iri)

    study, found = parse_study(
        tables, vocabulary, taken=taken, today=today or dt.date.today(), curator=curator
    )
    problems += found
    source = path.name
    if study.work.doi and not any(p.severity == "error" for p in problems):
        owner = _doi_owner(base, study.work.doi)
        if owner:
            problems.append(
                tables[WORK.name].problem(
                    study.work.row,
                    "doi",
                    f"the DOI {study.work.doi} is already that of {owner}",
                    "if it is the same study, give its study id in the study id column to"
                    " replace it",
                    value=study.work.doi,
                )  # fmt: skip
            )
    if any(p.severity == "error" for p in problems):
        raise StudySheetError(problems, source)
    target = study_path(settings, study.work.study)
    graph_iri = graph_iri_for(target, settings.project_path)
    lap("rows")
    text = turtle_text(study_graph(study, vocabulary))
    with tempfile.TemporaryDirectory(prefix="relgraph-import-") as folder:
        draft = Path(folder) / target.name
        draft.write_text(text, encoding="utf-8")
        quads = list(parse_file(draft, graph_iri, origins=index.origins, name=str(target)))
    index.add(quads)
    store = _without(sources, graph_iri)
    store.add_quads(quads)
    lap("turtle")
    report = check_store(store, settings, extra_graphs=[graph_iri], reasoner=reasoner)
    lap("check")
    report.problems = index.locate(report.problems)
    origins = _origins(study)
    mine = [
        p
        for p in report.problems
        if p.severity == "error" or p.node in origins or p.file == str(target)
    ]
    problems += _sheet_problems(mine, origins, tables, source)
    if any(p.severity == "error" for p in problems):
        raise StudySheetError(problems, source)
    previous = target.read_text(encoding="utf-8") if target.is_file() else None
    result = ImportResult(
        study.work.study,
        target,
        graph_iri,
        text,
        written=False,
        replaced=previous is not None,
        unchanged=previous == text,
        findings=sum(1 for c in study.claims if c.kind == "finding"),
        method_applications=sum(1 for c in study.claims if c.kind == "method"),
        new_entities=len(study.entities),
        warnings=[p for p in problems if p.severity != "error"],
        report=report,
        timings=timings,
    )
    if not dry_run:
        _atomic_write(target, text)
        result.written = True
        lap("write")
    return result


def _doi_owner(store: GraphStore, doi: str) -> str:
    same = f"FILTER(LCASE(STR(?d)) = LCASE({ox.Literal(doi)}))"
    result = store.query(f"SELECT ?w WHERE {{ ?w <{PRISM.doi}> ?d . {same} }} LIMIT 1")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        return naming.local_slug(row["w"].value) if row["w"] is not None else ""
    return ""


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
