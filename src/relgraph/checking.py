"""``relgraph check``: SHACL, OWL reasoning, spans, fidelity, quality queries and mappings.

The check runs over the sources (what the built graph is made of; parsed
again, so that every problem can name the file and line of its node, see
:mod:`relgraph.origins`) plus optional extra files, loaded into their own
store so the built graph is never changed. Every problem names its rule, the
node (IRI and label, or a blank node), where it is described, the offending
value as written, what is wrong and how to fix it. HermiT runs in a background
process while the other phases run, so its start-up time mostly overlaps them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from relgraph.entities import labels as node_labels
from relgraph.errors import CheckFailed, ConfigError
from relgraph.fidelity import fidelity_problems
from relgraph.loading import Origins, discover_sources, extra_source, node_key, parse_source
from relgraph.mappings.checks import mapping_problems
from relgraph.origins import SourceIndex
from relgraph.passages import span_problems, unverified_note
from relgraph.reasoning import (
    HermitRun,
    ReasoningReport,
    java_available,
    load_rules,
    query_header,
    run_rules,
    start_hermit,
)
from relgraph.report import PHASES, SEVERITY_ORDER, CheckReport, Problem
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.validation import validate
from relgraph.vocab import GRAPH, ONTOLOGY_IRI

__all__ = [
    "SEVERITY_ORDER",
    "CheckReport",
    "Problem",
    "check",
    "check_store",
    "span_problems",
    "quality_problems",
    "verify_for_build",
]


# -- graphs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Graphs:
    ontology: list[str]
    data: list[str]
    shapes: list[str]
    extra: list[str]

    @property
    def checked(self) -> list[str]:
        return self.ontology + self.data + self.extra


def _classify(store: GraphStore, settings: Settings, extra: Sequence[str]) -> _Graphs:
    # Mappings are statements about data individuals: checked with the data.
    kinds = {s.graph: s.kind.replace("mappings", "data") for s in discover_sources(settings)}
    kinds.update({g: "extra" for g in extra})
    out: dict[str, list[str]] = {"ontology": [], "data": [], "shapes": [], "extra": []}
    for info in store.graphs():
        kind = kinds.get(info.iri)
        if kind is None:
            rest = info.iri[len(str(GRAPH)) :] if info.iri.startswith(str(GRAPH)) else ""
            kind = next((k for k in ("ontology", "shapes") if rest.startswith(k + "/")), "data")
        out[kind].append(info.iri)
    return _Graphs(out["ontology"], out["data"], out["shapes"], out["extra"])


def _with_extra(
    store: GraphStore, settings: Settings, files: Iterable[Path], index: SourceIndex
) -> tuple[GraphStore, list[str]]:
    """A copy of the store with extra files loaded (replacing a graph of the same file)."""
    paths = [Path(f) for f in files]
    sources = [extra_source(p, settings) for p in paths]
    origins: Origins = {}
    parsed = [  # raises LoadError first
        (s.graph, parse_source(s, origins=origins, name=str(p)))
        for s, p in zip(sources, paths, strict=True)
    ]
    index.origins.update(origins)  # a node described in an extra file is shown there
    for _graph, quads in parsed:
        index.add(quads)
    replaced = {ox.NamedNode(g) for g, _ in parsed}
    copy = GraphStore.from_quads(q for q in store.quads() if q.graph_name not in replaced)
    for _graph, quads in parsed:
        copy.add_quads(quads)
    return copy, [g for g, _ in parsed]


# -- phases ------------------------------------------------------------------------------------


def _shacl(store: GraphStore, graphs: _Graphs) -> list[Problem]:
    problems: list[Problem] = []
    style = [g for g in graphs.shapes if g.rsplit("/", 1)[-1].startswith("ontology")]
    data_shapes = [g for g in graphs.shapes if g not in style]
    runs = [(data_shapes, graphs.checked), (style, graphs.ontology + graphs.extra)]
    for shapes, data in runs:
        if not shapes:
            continue
        report = validate(store.to_rdflib(data), store.to_rdflib(shapes))
        for r in report.results:
            value = r.value
            if r.path and not value:
                value = f"(property {r.path})"
            problems.append(
                Problem(r.severity, r.rule, r.focus, "", value, r.message, r.hint, "shacl")
            )
    return problems


def quality_problems(
    store: GraphStore, folder: Path, graphs: list[str] | None = None
) -> list[Problem]:
    """Run every ``*-violation.rq`` query; every returned row is a problem."""
    problems: list[Problem] = []
    for path in sorted(folder.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8-sig")
        meta = query_header(text)
        rule = meta.get("id", path.stem.removesuffix("-violation"))
        severity = meta.get("severity", "error")
        result = store.query(text, default_graphs=graphs)
        if not isinstance(result, ox.QuerySolutions):
            continue
        names = {v.value for v in result.variables}
        for row in result:
            node = node_key(row["node"]) if "node" in names and row["node"] is not None else ""
            value = row["value"] if "value" in names else None
            message = row["message"] if "message" in names else None
            problems.append(
                Problem(
                    severity,
                    rule,
                    node,
                    "",
                    "" if value is None else node_key(value),
                    message.value if message is not None else meta.get("description", rule),
                    meta.get("fix", ""),
                    "queries",
                )
            )
    return problems


def _reasoning(
    store: GraphStore, settings: Settings, hermit: HermitRun | None
) -> tuple[list[Problem], list[str], float]:
    problems: list[Problem] = []
    notes: list[str] = []
    rules_dir = settings.path("queries_dir") / "rules"
    for v in run_rules(store, load_rules(rules_dir)):
        problems.append(
            Problem("error", v.rule, v.node, "", v.value, v.message, v.hint, "reasoning")
        )
    if hermit is None:
        return problems, notes, 0.0
    report: ReasoningReport = hermit.result()
    if not report.ran:
        notes.append(report.message)
        problems.append(
            Problem(
                "info",
                "owl/hermit-not-run",
                "",
                "",
                "",
                report.message,
                "raise reasoner_timeout_s or fix the Java set-up; rule checks still ran",
                "reasoning",
            )
        )
    elif not report.consistent:
        explained = bool(problems)
        message = report.message + (
            "; the OWL 2 RL rule violations listed name the individuals and axioms involved"
            if explained
            else "; no OWL 2 RL rule pinpoints the cause (look for cardinality or"
            " enumeration axioms the data contradicts)"
        )
        problems.append(
            Problem(
                "error",
                "owl/inconsistent",
                ONTOLOGY_IRI,
                "",
                "",
                message,
                "fix the rule violations reported, then run the check again",
                "reasoning",
            )
        )
    for cls in report.unsatisfiable:
        problems.append(
            Problem(
                "error",
                "owl/unsatisfiable-class",
                cls,
                "",
                "",
                "HermiT proves this class can have no members (it is equivalent to owl:Nothing)",
                "check its superclasses and equivalent-class axioms for disjoint classes",
                "reasoning",
            )
        )
    return problems, notes, report.seconds


# -- orchestration -----------------------------------------------------------------------------


def check_store(
    store: GraphStore,
    settings: Settings,
    *,
    extra_graphs: Sequence[str] = (),
    reasoner: bool = True,
    phases: Sequence[str] = PHASES,
) -> CheckReport:
    """Run the check over a store (which is not modified).

    :param extra_graphs: named graphs that hold the extra files.
    :param reasoner: also run HermiT (the OWL 2 RL rules always run).
    :param phases: the phases to run (all by default).
    """
    started = time.perf_counter()
    graphs = _classify(store, settings, extra_graphs)
    report = CheckReport(triples=len(store))
    hermit: HermitRun | None = None
    # Queries over an explicit list of default graphs are several times slower in
    # pyoxigraph than over the union default graph, so query a copy without shapes.
    full = store
    if graphs.shapes:
        store = GraphStore.from_quads(q for g in graphs.checked for q in full.quads(g))
    report.timings["prepare"] = time.perf_counter() - started
    if "reasoning" in phases and reasoner:
        if java_available(settings.java):
            try:
                quads = store.quads()
                hermit = start_hermit(
                    quads, java=settings.java, timeout_s=settings.reasoner_timeout_s
                )
            except ConfigError as exc:
                report.notes.append(str(exc))
        else:
            note = (
                f"Java ({settings.java!r}) not found: HermiT skipped; only the OWL 2 RL"
                " consistency rules were checked"
            )
            report.notes.append(note)
            report.problems.append(
                Problem(
                    "info",
                    "owl/java-missing",
                    "",
                    "",
                    settings.java,
                    note,
                    "install Java 11+ or set the `java` setting",
                    "reasoning",
                )
            )
    hermit_started = time.perf_counter() - started
    if "shacl" in phases:
        t = time.perf_counter()
        report.problems += _shacl(full, graphs)
        report.timings["shacl"] = time.perf_counter() - t
    if "spans" in phases:
        t = time.perf_counter()
        seed_dir = settings.path("seed_dir")
        unverified = unverified_note(seed_dir)
        if unverified is None:
            report.problems += span_problems(store, seed_dir)
        else:
            report.notes.append(unverified)
            report.spans_verified = False
        report.timings["spans"] = time.perf_counter() - t
    if "fidelity" in phases:
        t = time.perf_counter()
        report.problems += fidelity_problems(store, settings.path("seed_dir"))
        report.timings["fidelity"] = time.perf_counter() - t
    if "queries" in phases:
        t = time.perf_counter()
        checks = settings.path("queries_dir") / "checks"
        report.problems += quality_problems(store, checks)
        report.timings["queries"] = time.perf_counter() - t
    if "mappings" in phases:
        t = time.perf_counter()
        problems, notes = mapping_problems(full, settings, graphs.extra)
        report.problems += problems
        report.notes += notes
        report.timings["mappings"] = time.perf_counter() - t
    if "reasoning" in phases:
        t = time.perf_counter()
        problems, notes, hermit_seconds = _reasoning(store, settings, hermit)
        report.problems += problems
        report.notes += notes
        report.timings["reasoning"] = time.perf_counter() - t + hermit_started
        if hermit is not None:
            report.timings["hermit"] = hermit_seconds
    labels = node_labels(store, sorted({p.node for p in report.problems if p.node}))
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    report.problems = sorted(
        (
            Problem(
                p.severity,
                p.rule,
                p.node,
                labels.get(p.node, ""),
                p.value,
                p.message,
                p.hint,
                p.phase,
            )
            for p in set(report.problems)
        ),
        key=lambda p: (rank.get(p.severity, 9), p.rule, p.node, p.value),
    )
    report.timings["total"] = time.perf_counter() - started
    return report


def check(settings: Settings, files: Iterable[Path] = (), *, reasoner: bool = True) -> CheckReport:
    """Check the sources (what the built graph is made of) plus extra files.

    The check parses the sources itself, so that every problem names the file
    and line of its node (blank nodes included) and values as written there.

    :raises LoadError: when a file does not parse (nothing is checked).
    """
    from relgraph.builder import load_sources

    files = list(files)
    index = SourceIndex()
    store = load_sources(settings, index)
    extra: list[str] = []
    if files:
        store, extra = _with_extra(store, settings, files, index)
    report = check_store(store, settings, extra_graphs=extra, reasoner=reasoner)
    report.problems = index.locate(report.problems)
    report.files = [str(f) for f in files]
    return report


def verify_for_build(
    store: GraphStore, index: SourceIndex | None = None, *, settings: Settings
) -> list[str]:
    """Refuse a new graph with errors (called by ``relgraph build`` before replacing).

    HermiT runs only if the ``build_check_reasoner`` setting is true; the OWL 2
    RL rules always run.

    :returns: the check's notes (e.g. that passage spans were not verified).
    :raises CheckFailed: listing the errors.
    """
    reasoner = bool(getattr(settings, "build_check_reasoner", False))
    report = check_store(store, settings, reasoner=reasoner)
    if report.ok:
        return list(report.notes)
    if index is not None:
        report.problems = index.locate(report.problems)
    lines = [f"the new graph has {len(report.errors)} error(s); the previous graph is kept:"]
    for p in report.errors[:20]:
        lines.append(
            f"  [{p.rule}] {p.describe()}: {p.message}"
            + (f" (value: {p.value})" if p.value else "")
        )
    if len(report.errors) > 20:
        lines.append(f"  ... and {len(report.errors) - 20} more")
    raise CheckFailed("\n".join(lines), "run `relgraph check` for the full report with fixes")
