"""HermiT, the OWL 2 DL reasoner, as a Java subprocess (the jar shipped with owlready2).

It reads an N-Triples file without ``owl:imports`` (so nothing is fetched) and answers
whether the graph is consistent (``-k``) and which named classes are unsatisfiable
(``-U``). :class:`HermitRun` runs it in the background with a real timeout
(``reasoner_timeout_s``). See ``docs/decisions/0002-reasoning-and-checks.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from relgraph.errors import ConfigError
from relgraph.vocab import OWL

__all__ = [
    "HermitRun",
    "ReasoningReport",
    "hermit_classpath",
    "java_available",
    "run_hermit",
    "start_hermit",
    "start_ntriples",
]

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
