"""OWL reasoning: HermiT for OWL 2 DL, and OWL 2 RL consistency rules in SPARQL.

HermiT (the jar shipped with owlready2) runs as a Java subprocess on an
N-Triples dump of the graph without ``owl:imports`` (so nothing is fetched).
It answers two questions: is the graph consistent, and which named classes
are unsatisfiable. It cannot say *why*, so :func:`run_rules` runs OWL 2 RL
consistency rules (``queries/rules/*.rq``) on pyoxigraph; each row names the
individual, the offending value and the axiom involved.

Results are return values (:class:`ReasoningReport`, :class:`RuleViolation`),
not exceptions. See ``docs/decisions/0002-reasoning-and-checks.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib

from relgraph.errors import ConfigError

__all__ = [
    "query_header",
    "HermitRun",
    "ReasoningReport",
    "Rule",
    "RuleViolation",
    "hermit_classpath",
    "java_available",
    "load_rules",
    "run_hermit",
    "run_rules",
    "start_hermit",
]

_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"
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
        self, ntriples: bytes, *, java: str, timeout_s: float, infer_types: bool = False
    ) -> None:
        self._started = time.perf_counter()
        self._timeout = timeout_s
        self._infer_types = infer_types
        self._tmp = tempfile.TemporaryDirectory(prefix="relgraph-hermit-")
        path = Path(self._tmp.name) / "merged.nt"
        path.write_bytes(ntriples)
        exe = shutil.which(java) or java
        command = [exe, *_JVM_OPTIONS, "-cp", hermit_classpath()]
        command += ["org.semanticweb.HermiT.cli.CommandLine", "-k", "-U"]
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
) -> HermitRun:
    """Start HermiT in the background on the given triples (imports dropped).

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
    return HermitRun(data, java=java, timeout_s=timeout_s, infer_types=infer_types)


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


# -- OWL 2 RL consistency rules --------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A consistency rule: a SPARQL SELECT returning ``?node ?value ?axiom`` rows."""

    id: str
    description: str
    hint: str
    text: str
    path: Path


@dataclass(frozen=True)
class RuleViolation:
    """One row of a rule: the individual, the offending value and the axiom broken."""

    rule: str
    node: str
    value: str
    axiom: str
    message: str
    hint: str


def query_header(text: str) -> dict[str, str]:
    """Read ``# key: value`` lines at the top of a query file.

    >>> query_header("# id: x\\n# fix: do y\\nSELECT")["fix"]
    'do y'
    """
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    return meta


def load_rules(folder: Path) -> list[Rule]:
    """Read every ``*.rq`` rule file of a folder, sorted by name."""
    rules = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8-sig")
        meta = query_header(text)
        rules.append(
            Rule(
                id=meta.get("id", path.stem),
                description=meta.get("description", path.stem),
                hint=meta.get("fix", ""),
                text=text,
                path=path,
            )
        )
    return rules


def _term_text(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


class _Queryable(Protocol):
    """Anything with :meth:`relgraph.store.GraphStore.query`'s signature."""

    def query(
        self, sparql: str, *, default_graphs: list[str] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...


def run_rules(
    query: _Queryable, rules: Iterable[Rule], *, default_graphs: list[str] | None = None
) -> list[RuleViolation]:
    """Run consistency rules; every returned row is a violation."""
    out: list[RuleViolation] = []
    for rule in rules:
        result = query.query(rule.text, default_graphs=default_graphs)
        if not isinstance(result, ox.QuerySolutions):
            continue
        names = {v.value for v in result.variables}
        for row in result:
            node = _term_text(row["node"])
            value = _term_text(row["value"]) if "value" in names else ""
            axiom = _term_text(row["axiom"]) if "axiom" in names else ""
            out.append(
                RuleViolation(
                    rule=rule.id,
                    node=node,
                    value=value,
                    axiom=axiom,
                    message=f"{rule.description}: {axiom}" if axiom else rule.description,
                    hint=rule.hint,
                )
            )
    return out
