"""``relgraph import``: a study sheet becomes canonical Turtle in data/studies/, checked first.

:func:`import_study` reads the sheet (:mod:`relgraph.curation.tables`), turns
its rows into the records of one study (:mod:`relgraph.curation.parsing`),
writes them as RDF (:func:`relgraph.curation.turtle.study_graph`) and runs the whole check of
``relgraph check`` over the graph with the study in place of its previous
version. Only when neither the rows nor the check have errors is
``data/studies/<study id>.ttl`` written (atomically, replacing the study's
previous file); with ``dry_run`` nothing is ever written. Every problem is
reported at its sheet, row and column, also those the graph's check finds on
the nodes a row made.

The provenance it writes is described in :mod:`relgraph.curation.turtle`.
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

from relgraph.checks import check_store
from relgraph.checks.report import CheckReport, Problem, locate
from relgraph.curation import naming
from relgraph.curation.parsing import parse_study
from relgraph.curation.problems import SheetProblem
from relgraph.curation.records import Study, study_id
from relgraph.curation.resolve import Vocabulary
from relgraph.curation.sheets import ENTITIES, SHEETS, WORK, sheet_named
from relgraph.curation.tables import Table, read_study
from relgraph.curation.turtle import curator_node, study_graph, turtle_text
from relgraph.errors import StudySheetError
from relgraph.settings import Settings
from relgraph.store.builder import load_sources
from relgraph.store.memory import GraphStore
from relgraph.store.origins import SourceIndex
from relgraph.store.sources import graph_iri_for, parse_file
from relgraph.vocab import GRAPH, PRISM, RGR

__all__ = [
    "ImportResult",
    "import_study",
    "studies_dir",
    "study_path",
    "STUDIES_FOLDER",
]

#: The folder of studies inside the data folder.
STUDIES_FOLDER = "studies"


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

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready report of the import (``relgraph import --format json``)."""
        return {
            "ok": True,
            "study": self.study,
            "path": str(self.path),
            "graph": self.graph,
            "written": self.written,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "findings": self.findings,
            "method_applications": self.method_applications,
            "new_entities": self.new_entities,
            "problems": [w.to_dict() for w in self.warnings],
        }

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
    out[str(curator_node(study))] = work
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
    :param curator: the curator's name (else the Work sheet's, else the setting
        ``curator``).
    :param today: the curation date when the Work sheet gives none (default: today).
    :raises StudySheetError: (exit 1) listing every error at its sheet, row and column;
        nothing is written.
    :raises LoadError: when the sheet, or a source of the graph, cannot be read.
    """
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
        tables,
        vocabulary,
        taken=taken,
        today=today or dt.date.today(),
        curator=curator,
        default_curator=settings.curator,
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
    report.problems = locate(report.problems, index)
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
