"""The reasoning phase: HermiT for OWL 2 DL, and OWL 2 RL consistency rules in SPARQL.

HermiT (the jar shipped with owlready2) runs as a Java subprocess on an
N-Triples dump of the graph without ``owl:imports`` (so nothing is fetched).
It answers two questions: is the graph consistent, and which named classes
are unsatisfiable. It cannot say *why*, so the phase also runs the OWL 2 RL
consistency rules of ``queries/rules/`` (:mod:`relgraph.checks.sparql`) on
pyoxigraph; each row names the individual, the offending value and the axiom.
HermiT is started before every other phase (:func:`start`) and its answer
read last (:func:`run`), so its start-up overlaps their work.

Results are return values (:class:`ReasoningReport`, problems), not
exceptions. See ``docs/decisions/0002-reasoning-and-checks.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.checks.sparql import load_check_queries, run_check_queries
from relgraph.checks.summary import Triple, module, ntriples, summarise
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
_OWL_IMPORTS = str(OWL.imports)
_OWL_NOTHING = str(OWL.Nothing)
_IRI = re.compile(r"<([^>]+)>")
_TYPE_LINE = re.compile(r"^Type\( <([^>]+)> <([^>]+)> \)$", re.MULTILINE)
#: JVM options: C1-only compilation starts HermiT about twice as fast on small inputs.
_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CICompilerCount=1", "-Xss8m")


@dataclass
class ReasoningReport:
    """The outcome of a HermiT run.

    :ivar consistent: False when HermiT proved the graph inconsistent.
    :ivar unsatisfiable: IRIs of named classes equivalent to owl:Nothing.
    :ivar ran: False when HermiT could not run (no Java, timeout, parse error).
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_types: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    seconds: float = 0.0
    ran: bool = True

    @property
    def ok(self) -> bool:
        """True when consistent and no class is unsatisfiable."""
        return self.ran and self.consistent and not self.unsatisfiable


def java_available(java: str = "java") -> bool:
    """True when a Java executable can be found."""
    return shutil.which(java) is not None


def hermit_classpath() -> str:
    """The class path of the HermiT jar that owlready2 ships."""
    import owlready2

    here = Path(owlready2.__file__).parent / "hermit"
    return os.pathsep.join([str(here), str(here / "HermiT.jar")])


class HermitRun:
    """A HermiT process running in the background on a temporary N-Triples file.

    Start it with :func:`start_hermit`, do other work, then call :meth:`result`.
    """

    def __init__(
        self,
        ntriples: bytes,
        *,
        java: str,
        timeout_s: float,
        infer_types: bool = False,
        classes: bool = True,
    ) -> None:
        self._started = time.perf_counter()
        self._timeout = timeout_s
        self._infer_types = infer_types
        self._tmp = tempfile.TemporaryDirectory(prefix="relgraph-hermit-")
        path = Path(self._tmp.name) / "merged.nt"
        path.write_bytes(ntriples)
        exe = shutil.which(java) or java
        command = [exe, *_JVM_OPTIONS, "-cp", hermit_classpath()]
        command += ["org.semanticweb.HermiT.cli.CommandLine", "-k"]
        if classes:
            command.append("-U")
        if infer_types:
            command.append("-I")
        command.append(path.as_uri())
        self._proc = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        # a thread reads HermiT's output as it comes and notes when it ended, so the
        # time measured is HermiT's own, not how late the caller asked for it
        self._out = b""
        self._ended: float | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        out, _ = self._proc.communicate()
        self._out = out
        self._ended = time.perf_counter()

    def done(self) -> bool:
        """True when HermiT has ended (its answer can be read without waiting)."""
        return self._ended is not None

    def result(self) -> ReasoningReport:
        """Wait for HermiT (up to the timeout) and parse its answer.

        ``seconds`` is HermiT's wall time: from its start to its end.
        """
        remaining = max(0.1, self._timeout - (time.perf_counter() - self._started))
        self._reader.join(remaining)
        if self._ended is None:
            self._proc.kill()
            self._reader.join()
            self._tmp.cleanup()
            return ReasoningReport(
                consistent=True,
                ran=False,
                message=f"HermiT did not finish within {self._timeout:g} s "
                "(setting reasoner_timeout_s); only the OWL 2 RL rules were checked",
                seconds=time.perf_counter() - self._started,
            )
        out = self._out
        self._tmp.cleanup()
        text = out.decode("utf-8", "replace").replace("\r", "")
        seconds = self._ended - self._started
        if "Inconsistent ontology" in text or "is not satisfiable" in text.split("\n", 1)[0]:
            return ReasoningReport(
                consistent=False,
                message="HermiT found the graph inconsistent: no model satisfies all its axioms",
                seconds=seconds,
            )
        if self._proc.returncode != 0:
            first = next((line for line in text.splitlines() if line.strip()), "")
            return ReasoningReport(
                consistent=True,
                ran=False,
                message=f"HermiT could not run: {first[:300]}",
                seconds=seconds,
            )
        unsat: list[str] = []
        if "Classes equivalent to 'owl:Nothing':" in text:
            block = text.split("Classes equivalent to 'owl:Nothing':", 1)[1]
            for line in block.splitlines()[1:] if block.startswith("\n") else block.splitlines():
                stripped = line.strip()
                if not line.startswith("\t") and stripped:
                    break
                for iri in _IRI.findall(stripped):
                    if iri != _OWL_NOTHING:
                        unsat.append(iri)
        types: dict[str, list[str]] = {}
        if self._infer_types:
            for ind, cls in _TYPE_LINE.findall(text):
                types.setdefault(ind, []).append(cls)
        return ReasoningReport(
            consistent=True, unsatisfiable=sorted(set(unsat)), inferred_types=types, seconds=seconds
        )


def start_hermit(
    quads: Iterable[ox.Quad | ox.Triple],
    *,
    java: str = "java",
    timeout_s: float = 120,
    infer_types: bool = False,
    classes: bool = True,
) -> HermitRun:
    """Start HermiT in the background on the given triples (imports dropped).

    :param classes: also list the unsatisfiable classes (``-U``); without it HermiT
        only decides consistency (``-k``), one tableau instead of one per class.
    :raises ConfigError: if Java cannot be found.
    """
    if not java_available(java):
        raise ConfigError(
            f"Java executable {java!r} not found; HermiT needs Java 11 or newer",
            "install a JRE (apt-get install default-jre-headless) or set the `java` setting",
        )
    triples = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if q.predicate.value != _OWL_IMPORTS
    }
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return HermitRun(data, java=java, timeout_s=timeout_s, infer_types=infer_types, classes=classes)


def start_ntriples(
    data: bytes,
    *,
    java: str = "java",
    timeout_s: float = 120,
    infer_types: bool = False,
    classes: bool = True,
) -> HermitRun:
    """Start HermiT in the background on an N-Triples document (see :func:`start_hermit`).

    :raises ConfigError: if Java cannot be found.
    """
    if not java_available(java):
        raise ConfigError(
            f"Java executable {java!r} not found; HermiT needs Java 11 or newer",
            "install a JRE (apt-get install default-jre-headless) or set the `java` setting",
        )
    return HermitRun(data, java=java, timeout_s=timeout_s, infer_types=infer_types, classes=classes)


def run_hermit(
    graph: rdflib.Graph, *, java: str = "java", infer_types: bool = False, timeout_s: float = 120
) -> ReasoningReport:
    """Check an rdflib graph for consistency and unsatisfiable classes with HermiT.

    :param infer_types: also return every type HermiT derives for each named
        individual that was not asserted.
    :raises ConfigError: if Java cannot be found.
    """
    data = graph.serialize(format="nt", encoding="utf-8")
    lines = b"\n".join(line for line in data.splitlines() if _OWL_IMPORTS.encode() not in line)
    triples = ox.parse(lines + b"\n", format=ox.RdfFormat.N_TRIPLES)
    report = start_hermit(triples, java=java, timeout_s=timeout_s, infer_types=infer_types).result()
    if infer_types and report.inferred_types:
        inferred: dict[str, list[str]] = {}
        for ind, classes in report.inferred_types.items():
            asserted = {str(o) for o in graph.objects(rdflib.URIRef(ind), rdflib.RDF.type)}
            new = sorted(c for c in classes if c not in asserted)
            if new:
                inferred[ind] = new
        report.inferred_types = inferred
    return report


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
    """The triples of one named graph as N-Triples terms, serialised by pyoxigraph.

    About 5x faster than ``str()`` of each term: the lines are split at their first two
    spaces (N-Triples subjects and predicates hold none) and the graph's name cut off.
    """
    data = ox.serialize(store.quads(graph), format=ox.RdfFormat.N_QUADS) or b""
    end = f" <{graph}> ."
    for line in data.decode("utf-8").split("\n"):
        if line:
            s, p, rest = line.split(" ", 2)
            yield s, p, rest.removesuffix(end)


def _named_graphs(store: GraphStore) -> list[str]:
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    return sorted(row["g"].value for row in rows)  # type: ignore[union-attr]


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


# -- the phase ---------------------------------------------------------------------------------


@dataclass
class _Started:
    """HermiT running in the background (or why it is not): consistency, then classes."""

    consistency: HermitRun | None
    classes: HermitRun | None
    result: PhaseResult
    #: the consistency input, when the first run read its summary (for the fall-backs)
    whole: set[Triple] | None = None


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
    whole = None
    if ctx.reasoner:
        java = ctx.settings.java
        if java_available(java):
            timeout = ctx.settings.reasoner_timeout_s
            began = time.perf_counter()
            inputs = reasoning_input(ctx.store, ctx.parts)
            result.timings["reasoning_input"] = time.perf_counter() - began
            try:
                classes = start_ntriples(ntriples(inputs.classes), java=java, timeout_s=timeout)
                data = None
                if ctx.settings.reasoner_summary:
                    began = time.perf_counter()
                    try:
                        summary = summarise(inputs.consistency)
                    except ValueError as exc:  # the graph uses the summary's IRIs
                        result.notes.append(f"HermiT read the whole graph: {exc}")
                    else:
                        data, whole = summary.ntriples, inputs.consistency
                        result.timings["abox_summary"] = time.perf_counter() - began
                if data is None:
                    data = ntriples(inputs.consistency)
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
    return _Started(consistency, classes, result, whole)


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
    if started.whole is None:
        timings["hermit_consistency"] = first.seconds
        return first
    timings["hermit_summary"] = first.seconds
    spent = first.seconds
    report: ReasoningReport | None = first
    if not (first.ran and first.consistent):
        java, timeout = ctx.settings.java, ctx.settings.reasoner_timeout_s
        report = None
        seeds = _seeds(violations)
        if first.ran and seeds:
            data, _size = module(started.whole, seeds)
            part = start_ntriples(data, java=java, timeout_s=timeout, classes=False).result()
            timings["hermit_module"] = part.seconds
            spent += part.seconds
            if part.ran and not part.consistent:
                report = part
        if report is None:
            data = ntriples(started.whole)
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
            else "; no OWL 2 RL rule pinpoints the cause (look for cardinality or"
            " enumeration axioms the data contradicts)"
        )
        result.problems.append(
            Problem(
                severity="error",
                rule="owl/inconsistent",
                node=ONTOLOGY_IRI,
                message=message,
                hint="fix the rule violations reported, then run the check again",
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
