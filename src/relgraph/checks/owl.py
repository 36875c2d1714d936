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
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.checks.sparql import load_check_queries, run_check_queries
from relgraph.errors import ConfigError
from relgraph.store.memory import GraphStore
from relgraph.store.parts import GraphParts
from relgraph.vocab import ONTOLOGY_IRI, OWL, RDF, RDFS

__all__ = [
    "HermitRun",
    "ReasoningReport",
    "annotation_properties",
    "classes_input",
    "consistency_input",
    "RULES_FOLDER",
    "hermit_classpath",
    "java_available",
    "run",
    "run_hermit",
    "start",
    "start_hermit",
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

    def result(self) -> ReasoningReport:
        """Wait for HermiT (up to the timeout) and parse its answer."""
        try:
            remaining = max(0.1, self._timeout - (time.perf_counter() - self._started))
            out, _ = self._proc.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            self._tmp.cleanup()
            return ReasoningReport(
                consistent=True,
                ran=False,
                message=f"HermiT did not finish within {self._timeout:g} s "
                "(setting reasoner_timeout_s); only the OWL 2 RL rules were checked",
                seconds=time.perf_counter() - self._started,
            )
        self._tmp.cleanup()
        text = out.decode("utf-8", "replace").replace("\r", "")
        seconds = time.perf_counter() - self._started
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
_LOGICAL_PROPERTY_TYPES = frozenset(str(t) for t in (OWL.ObjectProperty, OWL.DatatypeProperty))


def _value(term: object) -> str:
    return str(getattr(term, "value", ""))


_AXIOM = ox.NamedNode(str(OWL.Axiom))
_INDIVIDUAL_DECLARATIONS = frozenset(str(t) for t in (OWL.NamedIndividual, OWL.Thing))


def annotation_properties(quads: Iterable[ox.Quad]) -> frozenset[str]:
    """Properties whose assertions are annotations: OWL 2's built-in ones and those declared
    ``owl:AnnotationProperty`` (and not also object or data properties)."""
    declared: set[str] = set()
    logical: set[str] = set()
    for q in quads:
        if q.predicate.value == _RDF_TYPE and isinstance(q.subject, ox.NamedNode):
            if _value(q.object) == str(OWL.AnnotationProperty):
                declared.add(q.subject.value)
            elif _value(q.object) in _LOGICAL_PROPERTY_TYPES:
                logical.add(q.subject.value)
    return _BUILTIN_ANNOTATIONS | (declared - logical)


def consistency_input(store: GraphStore) -> Iterator[ox.Quad]:
    """What HermiT needs to decide consistency: every quad but annotation assertions.

    Annotations have no meaning under the OWL 2 Direct Semantics (section 2.3.4), so
    dropping them changes no consistency answer; it takes ~30% of the triples away.
    A property's own statements (its declaration) are kept.
    """
    annotations = annotation_properties(store.quads())
    for q in store.quads():
        if q.predicate.value not in annotations or _value(q.subject) in annotations:
            yield q


def _is_tbox(quad: ox.Quad) -> bool:
    """A quad of a schema axiom or declaration: OWL/RDFS vocabulary, or about a blank node.

    Declarations of individuals (``a owl:NamedIndividual``) say nothing about classes.
    """
    if isinstance(quad.subject, ox.BlankNode):
        return True
    predicate = quad.predicate.value
    if predicate == _RDF_TYPE:
        kind = _value(quad.object)
        return kind.startswith(_VOCABULARIES) and kind not in _INDIVIDUAL_DECLARATIONS
    return predicate.startswith(_VOCABULARIES) and predicate not in _BUILTIN_ANNOTATIONS


def classes_input(store: GraphStore, parts: GraphParts) -> Iterator[ox.Quad]:
    """What HermiT needs to find unsatisfiable classes: the TBox, not the instance data.

    Every quad of the ontology graphs (its axioms, and the individuals it names in
    ``owl:oneOf``) and of the extra files, and from the other graphs the schema quads
    (:func:`_is_tbox`). Why no inconsistency is missed, and which unsatisfiable class
    could be: ``docs/decisions/0012-check-at-scale.md``.
    """
    whole = set(parts.ontology) | set(parts.extra)
    for info in store.graphs():
        if info.iri in whole:
            yield from store.quads(info.iri)
            continue
        quads = [q for q in store.quads(info.iri) if _is_tbox(q)]
        # axiom annotations (the SSSOM mappings' owl:Axiom nodes) have no meaning either
        annotated = {
            q.subject for q in quads if q.predicate.value == _RDF_TYPE and q.object == _AXIOM
        }
        yield from (q for q in quads if q.subject not in annotated)


# -- the phase ---------------------------------------------------------------------------------


@dataclass
class _Started:
    """HermiT running in the background (or why it is not): consistency, then classes."""

    consistency: HermitRun | None
    classes: HermitRun | None
    result: PhaseResult


def start(ctx: CheckContext) -> _Started:
    """Start HermiT in the background, before the other phases run.

    Two runs: consistency (``-k``) of the whole graph without annotation
    assertions, and the unsatisfiable classes (``-U``) of the TBox alone
    (:func:`consistency_input`, :func:`classes_input`). On the whole graph,
    ``-U`` costs one tableau with every individual per class: 6x the
    consistency run at 10^5 triples.
    """
    result = PhaseResult()
    consistency = classes = None
    if ctx.reasoner:
        java = ctx.settings.java
        if java_available(java):
            timeout = ctx.settings.reasoner_timeout_s
            try:
                consistency = start_hermit(
                    consistency_input(ctx.store), java=java, timeout_s=timeout, classes=False
                )
                classes = start_hermit(
                    classes_input(ctx.store, ctx.parts), java=java, timeout_s=timeout
                )
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
    return _Started(consistency, classes, result)


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


def run(ctx: CheckContext, started: object) -> PhaseResult:
    """Run the OWL 2 RL rules, then read HermiT's answer (see :func:`start`)."""
    assert isinstance(started, _Started)
    result = started.result
    rules = load_check_queries(ctx.settings.path("queries_dir") / RULES_FOLDER)
    violations = run_check_queries(ctx.store, rules, phase="reasoning")
    result.problems += violations
    if started.consistency is None or started.classes is None:
        return result
    # the classes run (the TBox) ends first: reading it first keeps both times right
    classes = started.classes.result()
    consistency = started.consistency.result()
    result.timings["hermit"] = max(consistency.seconds, classes.seconds)
    result.timings["hermit_consistency"] = consistency.seconds
    result.timings["hermit_classes"] = classes.seconds
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
