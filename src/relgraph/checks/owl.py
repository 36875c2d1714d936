"""The reasoning phase: HermiT for OWL 2 DL, and OWL 2 RL consistency rules in SPARQL.

HermiT (:mod:`relgraph.checks.hermit`, a Java subprocess) answers two questions:
is the graph consistent (decided on its summary ABox, :mod:`relgraph.checks.summary`,
with exact fall-backs), and which named classes of the TBox are unsatisfiable.
It cannot say *why*, so the phase also runs the OWL 2 RL
consistency rules of ``queries/rules/`` (:mod:`relgraph.checks.sparql`) on
pyoxigraph; each row names the individual, the offending value and the axiom.
HermiT is started before every other phase (:func:`start`) and its answer
read last (:func:`run`), so its start-up overlaps their work.

Results are return values (:class:`ReasoningReport`, problems), not
exceptions. See ``docs/decisions/0002-reasoning-and-checks.md``, ``0012`` and ``0016``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.hermit import (
    HermitRun,
    ReasoningReport,
    hermit_classpath,
    java_available,
    run_hermit,
    start_hermit,
    start_ntriples,
)
from relgraph.checks.report import Problem
from relgraph.checks.sparql import load_check_queries, run_check_queries
from relgraph.checks.summary import (
    AboxInput,
    Triple,
    fold,
    module,
    ntriples,
    read_store,
    whole_graph,
)
from relgraph.errors import ConfigError
from relgraph.store.memory import GraphStore
from relgraph.store.parts import GraphParts
from relgraph.vocab import ONTOLOGY_IRI, OWL, RDF, RDFS

__all__ = [
    "HermitRun",
    "ReasoningInput",
    "ReasoningReport",
    "annotation_properties",
    "reasoning_input",
    "RULES_FOLDER",
    "hermit_classpath",
    "java_available",
    "run",
    "run_hermit",
    "start",
    "start_hermit",
    "start_ntriples",
]

#: Sub-folder of ``queries_dir`` holding the OWL 2 RL rules.
RULES_FOLDER = "rules"
# -- what each HermiT run reads ------------------------------------------------------------------

_RDF_TYPE = str(RDF.type)
_VOCABULARIES = (str(OWL), str(RDFS), str(RDF))
#: OWL 2's built-in annotation properties (OWL 2 Structural Specification, section 5.5).
_BUILTIN_ANNOTATIONS = frozenset(
    str(p)
    for p in (
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.versionInfo,
        OWL.deprecated,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    )
)


_INDIVIDUAL_DECLARATIONS = frozenset(str(t) for t in (OWL.NamedIndividual, OWL.Thing))


def annotation_properties(store: GraphStore) -> frozenset[str]:
    """Properties whose assertions are annotations: OWL 2's built-in ones and those declared
    ``owl:AnnotationProperty`` (and not also object or data properties)."""
    declared: set[str] = set()
    logical: set[str] = set()
    query = (
        "SELECT DISTINCT ?p ?k WHERE { ?p a ?k FILTER (isIRI(?p) && ?k IN "
        "(owl:AnnotationProperty, owl:ObjectProperty, owl:DatatypeProperty)) }"
    )
    for row in store.query(query):  # type: ignore[union-attr]
        (declared if row["k"].value == str(OWL.AnnotationProperty) else logical).add(row["p"].value)
    return _BUILTIN_ANNOTATIONS | (declared - logical)


def _graph_terms(store: GraphStore, graph: str) -> Iterator[Triple]:
    """The triples of one named graph (``""``: the default graph) as N-Triples terms.

    Serialised by pyoxigraph, about 5x faster than ``str()`` of each term: the lines are
    split at their first two spaces (N-Triples subjects and predicates hold none) and the
    graph's name cut off.
    """
    if graph:
        data = ox.serialize(store.quads(graph), format=ox.RdfFormat.N_QUADS) or b""
        end = f" <{graph}> ."
    else:
        result = store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[""])
        assert isinstance(result, ox.QueryTriples)
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        end = " ."
    for line in data.decode("utf-8").split("\n"):
        if line:
            s, p, rest = line.split(" ", 2)
            yield s, p, rest.removesuffix(end)


def _named_graphs(store: GraphStore) -> list[str]:
    """The named graphs of the store, and ``""`` if its default graph holds triples."""
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    graphs = sorted(row["g"].value for row in rows)  # type: ignore[union-attr]
    if store.query("ASK { ?s ?p ?o }", default_graphs=[""]):
        graphs.append("")
    return graphs


_TYPE_TERM = f"<{RDF.type}>"
_AXIOM_TERM = f"<{OWL.Axiom}>"
_IMPORTS_TERM = f"<{OWL.imports}>"
_VOCABULARY_TERMS = tuple(f"<{v}" for v in _VOCABULARIES)
_INDIVIDUAL_DECLARATION_TERMS = frozenset(f"<{t}>" for t in _INDIVIDUAL_DECLARATIONS)
_BUILTIN_ANNOTATION_TERMS = frozenset(f"<{p}>" for p in _BUILTIN_ANNOTATIONS)


def _is_tbox(triple: Triple) -> bool:
    """A triple of a schema axiom or declaration: OWL/RDFS vocabulary, or about a blank node.

    Declarations of individuals (``a owl:NamedIndividual``) say nothing about classes.
    """
    s, p, o = triple
    if s[0] == "_":
        return True
    if p == _TYPE_TERM:
        return o.startswith(_VOCABULARY_TERMS) and o not in _INDIVIDUAL_DECLARATION_TERMS
    return p.startswith(_VOCABULARY_TERMS) and p not in _BUILTIN_ANNOTATION_TERMS


@dataclass
class ReasoningInput:
    """What the HermiT runs read, as N-Triples terms (``owl:imports`` dropped).

    :ivar consistency: every triple but annotation assertions (a property's own
        declaration kept). Annotations have no meaning under the OWL 2 Direct Semantics
        (section 2.3.4), so dropping them changes no consistency answer.
    :ivar classes: the TBox: every triple of the ontology graphs (their axioms, and the
        individuals they name in ``owl:oneOf``) and of the extra files, and from the other
        graphs the schema triples (:func:`_is_tbox`) but axiom annotations (the SSSOM
        mappings' ``owl:Axiom`` nodes). Why no inconsistency is missed, and which
        unsatisfiable class could be: ``docs/decisions/0012-check-at-scale.md``.
    """

    consistency: set[Triple]
    classes: set[Triple]


def reasoning_input(store: GraphStore, parts: GraphParts) -> ReasoningInput:
    """Read both inputs of HermiT in one pass over the store (:class:`ReasoningInput`)."""
    annotations = {f"<{p}>" for p in annotation_properties(store)}
    whole = set(parts.ontology) | set(parts.extra)
    consistency: set[Triple] = set()
    classes: set[Triple] = set()
    for graph in _named_graphs(store):
        tbox: list[Triple] = []
        for t in _graph_terms(store, graph):
            if t[1] == _IMPORTS_TERM:
                continue
            if t[1] not in annotations or t[0] in annotations:
                consistency.add(t)
            if graph in whole:
                classes.add(t)
            elif _is_tbox(t):
                tbox.append(t)
        annotated = {s for s, p, o in tbox if p == _TYPE_TERM and o == _AXIOM_TERM}
        classes.update(t for t in tbox if t[0] not in annotated)
    return ReasoningInput(consistency, classes)


def classes_input(store: GraphStore, parts: GraphParts, graph: AboxInput) -> set[Triple]:
    """The TBox HermiT's ``-U`` run reads (:attr:`ReasoningInput.classes`), from what
    :func:`relgraph.checks.summary.read_store` read, without reading the store again.

    Every triple of the ontology graphs and extra files; from the rest of the store, the
    schema triples (:func:`_is_tbox`) but axiom annotations. Those are in ``graph.rest``
    (a schema triple is never a foldable assertion, unless its predicate is a vocabulary
    IRI declared an object or data property), but for the annotation assertions
    ``read_store`` skips: those on blank nodes, and those of annotation properties with
    a vocabulary IRI, are read here.
    """
    classes: set[Triple] = set()
    present = set(store.graph_names())
    for name in [*parts.ontology, *parts.extra]:
        if name in present:
            classes.update(t for t in _graph_terms(store, name) if t[1] != _IMPORTS_TERM)
    tbox = [t for t in graph.rest if _is_tbox(t)]
    found = graph.assertions
    for p, pairs in found.objects.items():
        if p.startswith(_VOCABULARY_TERMS):
            tbox += [(f"<{a}>", p, f"<{b}>") for a, b in pairs]
    tbox += [(f"<{a}>", p, v) for a, p, v in found.data if p.startswith(_VOCABULARY_TERMS)]
    for prop in sorted(graph.annotations):
        term = f"<{prop}>"
        if term in _BUILTIN_ANNOTATION_TERMS or not term.startswith(_VOCABULARY_TERMS):
            query = f"SELECT ?s ?o WHERE {{ ?s {term} ?o FILTER (isBlank(?s)) }}"
        else:
            query = f"SELECT ?s ?o WHERE {{ ?s {term} ?o }}"
        tbox += [(str(r[0]), term, str(r[1])) for r in store.select(query)]
    annotated = {s for s, p, o in tbox if p == _TYPE_TERM and o == _AXIOM_TERM}
    classes.update(t for t in tbox if t[0] not in annotated and _is_tbox(t))
    return classes


# -- the phase ---------------------------------------------------------------------------------


@dataclass
class _Started:
    """HermiT running in the background (or why it is not): consistency, then classes."""

    consistency: HermitRun | None
    classes: HermitRun | None
    result: PhaseResult
    #: whether the first run read the summary ABox (then an inconsistency is proved again)
    summarised: bool = False


def start(ctx: CheckContext) -> _Started:
    """Start HermiT in the background, before the other phases run.

    Two runs: consistency (``-k``) of the graph without annotation assertions, folded
    into its summary ABox (:mod:`relgraph.checks.summary`; setting ``reasoner_summary``),
    and the unsatisfiable classes (``-U``) of the TBox alone (:class:`ReasoningInput`).
    On the whole graph, ``-U`` costs one tableau with every individual per class: 6x the
    consistency run at 10^5 triples. See ``docs/decisions/0016-reasoning-at-scale.md``.
    """
    result = PhaseResult()
    consistency = classes = None
    summarised = False
    if ctx.reasoner:
        java = ctx.settings.java
        if java_available(java):
            timeout = ctx.settings.reasoner_timeout_s
            began = time.perf_counter()
            graph = read_store(ctx.store, annotation_properties(ctx.store))
            classes_data = ntriples(classes_input(ctx.store, ctx.parts, graph))
            result.timings["reasoning_input"] = time.perf_counter() - began
            try:
                classes = start_ntriples(classes_data, java=java, timeout_s=timeout)
                data = None
                if ctx.settings.reasoner_summary:
                    began = time.perf_counter()
                    try:
                        summary = fold(graph)
                    except ValueError as exc:  # the graph uses the summary's IRIs
                        result.notes.append(f"HermiT read the whole graph: {exc}")
                    else:
                        data, summarised = summary.ntriples, True
                        result.timings["abox_summary"] = time.perf_counter() - began
                if data is None:
                    data = ntriples(whole_graph(graph))
                del graph
                consistency = start_ntriples(data, java=java, timeout_s=timeout, classes=False)
            except ConfigError as exc:
                result.notes.append(str(exc))
        else:
            note = (
                f"Java ({java!r}) not found: HermiT skipped; only the OWL 2 RL"
                " consistency rules were checked"
            )
            result.notes.append(note)
            result.problems.append(
                Problem(
                    severity="info",
                    rule="owl/java-missing",
                    value=java,
                    message=note,
                    hint="install Java 11+ or set the `java` setting",
                    phase="reasoning",
                )
            )
    return _Started(consistency, classes, result, summarised)


def _combined(consistency: ReasoningReport, classes: ReasoningReport) -> ReasoningReport:
    """One answer as HermiT's ``-k -U`` on the whole graph gives it.

    Inconsistent: no class list (as HermiT prints none). Consistent: the TBox's
    unsatisfiable classes (unsatisfiable there means unsatisfiable with the data too).
    """
    seconds = max(consistency.seconds, classes.seconds)
    if not consistency.ran:
        return consistency
    if not consistency.consistent:
        return consistency
    if not classes.ran:
        return classes
    return ReasoningReport(consistent=True, unsatisfiable=classes.unsatisfiable, seconds=seconds)


def _seeds(violations: Iterable[Problem]) -> set[str]:
    """The IRIs the OWL 2 RL rules named (nodes and values of their errors)."""
    return {
        v
        for p in violations
        if p.severity == "error"
        for v in (p.node, p.value)
        if v.startswith(("http://", "https://", "urn:"))
    }


def _consistency(
    ctx: CheckContext, started: _Started, violations: list[Problem], timings: dict[str, float]
) -> ReasoningReport:
    """HermiT's consistency answer for the graph, exactly as on the whole graph.

    The summary ABox consistent: the graph is consistent. Otherwise (a summary proves
    no inconsistency), the module around the individuals the OWL 2 RL rules named
    (inconsistent: so is the graph), and last the whole graph.
    """
    assert started.consistency is not None
    first = started.consistency.result()
    if not started.summarised:
        timings["hermit_consistency"] = first.seconds
        return first
    timings["hermit_summary"] = first.seconds
    spent = first.seconds
    report: ReasoningReport | None = first
    if not (first.ran and first.consistent):
        java, timeout = ctx.settings.java, ctx.settings.reasoner_timeout_s
        whole = reasoning_input(ctx.store, ctx.parts).consistency
        report = None
        seeds = _seeds(violations)
        if first.ran and seeds:
            data, _size = module(whole, seeds)
            part = start_ntriples(data, java=java, timeout_s=timeout, classes=False).result()
            timings["hermit_module"] = part.seconds
            spent += part.seconds
            if part.ran and not part.consistent:
                report = part
        if report is None:
            data = ntriples(whole)
            report = start_ntriples(data, java=java, timeout_s=timeout, classes=False).result()
            timings["hermit_whole"] = report.seconds
            spent += report.seconds
    timings["hermit_consistency"] = spent
    assert report is not None
    return report


def run(ctx: CheckContext, started: object) -> PhaseResult:
    """Run the OWL 2 RL rules, then read HermiT's answer (see :func:`start`)."""
    assert isinstance(started, _Started)
    result = started.result
    rules = load_check_queries(ctx.settings.path("queries_dir") / RULES_FOLDER)
    violations = run_check_queries(ctx.store, rules, phase="reasoning")
    result.problems += violations
    if started.consistency is None or started.classes is None:
        return result
    classes = started.classes.result()
    consistency = _consistency(ctx, started, violations, result.timings)
    result.timings["hermit_classes"] = classes.seconds
    result.timings["hermit"] = max(result.timings["hermit_consistency"], classes.seconds)
    report = _combined(consistency, classes)
    if not report.ran:
        result.notes.append(report.message)
        result.problems.append(
            Problem(
                severity="info",
                rule="owl/hermit-not-run",
                message=report.message,
                hint="raise reasoner_timeout_s or fix the Java set-up; rule checks still ran",
                phase="reasoning",
            )
        )
    elif not report.consistent:
        explained = any(p.severity == "error" for p in violations)
        message = report.message + (
            "; the OWL 2 RL rule violations listed name the individuals and axioms involved"
            if explained
            else "; no OWL 2 RL rule pinpoints the cause: look at this report's SHACL errors"
            " (a value outside a property's range, a union range included, or of the wrong"
            " class) and at cardinality or enumeration axioms the data contradicts"
        )
        result.problems.append(
            Problem(
                severity="error",
                rule="owl/inconsistent",
                node=ONTOLOGY_IRI,
                message=message,
                hint=(
                    "fix the rule violations reported, then run the check again"
                    if explained
                    else "fix the other errors of this report (the SHACL shapes name the node"
                    " and value), then run the check again; if there are none, export the"
                    " graph (`relgraph export --format owl --part data`) and ask HermiT for"
                    " an explanation in Protégé"
                ),
                phase="reasoning",
            )
        )
    for cls in report.unsatisfiable:
        result.problems.append(
            Problem(
                severity="error",
                rule="owl/unsatisfiable-class",
                node=cls,
                message="HermiT proves this class can have no members (it is equivalent to "
                "owl:Nothing)",
                hint="check its superclasses and equivalent-class axioms for disjoint classes",
                phase="reasoning",
            )
        )
    return result
