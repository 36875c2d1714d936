"""HermiT, the OWL 2 DL reasoner, as a Java subprocess (the jar shipped with owlready2).

It reads an N-Triples file without ``owl:imports`` (so nothing is fetched) and answers
whether the graph is consistent (``-k``) and which named classes are unsatisfiable
(``-U``). A :class:`HermitRun` runs it in the background with a real timeout
(``reasoner_timeout_s``): in the process's one HermiT JVM (:mod:`relgraph.checks.jvm`),
or, when that cannot be used, with HermiT's command line in a JVM of its own (the
answers are the same). See ``docs/decisions/0002-reasoning-and-checks.md`` and ``0020``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from relgraph.checks import jvm
from relgraph.errors import ConfigError
from relgraph.vocab import OWL

__all__ = [
    "HermitRun",
    "ReasoningReport",
    "hermit_classpath",
    "hermit_dir",
    "java_available",
    "prestart",
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


def hermit_dir() -> Path:
    """owlready2's ``hermit`` folder: ``HermiT.jar`` and the classes that override its own.

    Found without importing owlready2 (~90 ms).
    """
    spec = importlib.util.find_spec("owlready2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("owlready2 is not installed", "run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "hermit"


def hermit_classpath() -> str:
    """The class path of the HermiT jar that owlready2 ships (its overrides first)."""
    here = hermit_dir()
    return os.pathsep.join([str(here), str(here / "HermiT.jar")])


def _timed_out(timeout_s: float, seconds: float) -> ReasoningReport:
    return ReasoningReport(
        consistent=True,
        ran=False,
        message=f"HermiT did not finish within {timeout_s:g} s "
        "(setting reasoner_timeout_s); only the OWL 2 RL rules were checked",
        seconds=seconds,
    )


_INCONSISTENT = "HermiT found the graph inconsistent: no model satisfies all its axioms"


class HermitRun(ABC):
    """HermiT answering in the background about a temporary N-Triples file.

    Start it with :func:`start_hermit` or :func:`start_ntriples`, do other work, then
    call :meth:`result`.
    """

    @abstractmethod
    def done(self) -> bool:
        """True when HermiT has answered (:meth:`result` returns without waiting)."""

    @abstractmethod
    def result(self) -> ReasoningReport:
        """Wait for HermiT (up to the timeout) and return its answer.

        ``seconds`` is HermiT's wall time: from its start to its end.
        """


class _ProcessRun(HermitRun):
    """HermiT's command line in a JVM of its own (``CommandLine -k [-U] [-I]``)."""

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
            return _timed_out(self._timeout, time.perf_counter() - self._started)
        out = self._out
        self._tmp.cleanup()
        text = out.decode("utf-8", "replace").replace("\r", "")
        seconds = self._ended - self._started
        if "Inconsistent ontology" in text or "is not satisfiable" in text.split("\n", 1)[0]:
            return ReasoningReport(consistent=False, message=_INCONSISTENT, seconds=seconds)
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


class _SessionRun(HermitRun):
    """One question to the process's HermiT session (:class:`relgraph.checks.jvm.Session`).

    The same question as :class:`_ProcessRun` with ``-k`` or ``-k -U``; if the session
    ends before it answers (the JVM failed, or ended idle at that moment), the question
    is asked again on HermiT's command line, so a session never changes an answer.
    """

    def __init__(self, ntriples: bytes, *, java: str, timeout_s: float, classes: bool) -> None:
        self._java, self._timeout, self._classes = java, timeout_s, classes
        self._data = ntriples
        self._tmp = tempfile.TemporaryDirectory(prefix="relgraph-hermit-")
        self._path = Path(self._tmp.name) / "merged.nt"
        self._path.write_bytes(ntriples)
        self._fallback: HermitRun | None = None
        self._session: jvm.Session | None = None
        self._job: jvm.Job | None = None
        submitted = _submit(java, self._path, "kU" if classes else "k")
        if submitted is None:
            self._fallback = self._process()
        else:
            self._session, self._job = submitted

    def _process(self) -> HermitRun:
        self._tmp.cleanup()
        return _ProcessRun(
            self._data, java=self._java, timeout_s=self._timeout, classes=self._classes
        )

    def done(self) -> bool:
        """True when HermiT has answered (:meth:`result` returns without waiting)."""
        if self._fallback is not None:
            return self._fallback.done()
        assert self._job is not None
        return self._job.finished.is_set() and not self._job.lost

    def result(self) -> ReasoningReport:
        """Wait for the answer, up to the timeout from when the session took the question."""
        if self._fallback is not None:
            return self._fallback.result()
        job, session = self._job, self._session
        assert job is not None and session is not None
        while not job.finished.is_set():
            remaining = (job.began or job.submitted) + self._timeout - time.perf_counter()
            if remaining <= 0:
                session.kill()  # the questions after this one are asked again elsewhere
                self._tmp.cleanup()
                return _timed_out(self._timeout, time.perf_counter() - job.submitted)
            job.finished.wait(min(remaining, 0.5))
        if job.lost:
            self._fallback = self._process()
            return self._fallback.result()
        self._tmp.cleanup()
        if job.status == "inconsistent":
            return ReasoningReport(consistent=False, message=_INCONSISTENT, seconds=job.seconds)
        if job.status != "consistent":
            return ReasoningReport(
                consistent=True,
                ran=False,
                message=f"HermiT could not run: {job.message[:300]}",
                seconds=job.seconds,
            )
        return ReasoningReport(
            consistent=True, unsatisfiable=sorted(set(job.unsatisfiable)), seconds=job.seconds
        )


#: Whether HermiT's questions go to one JVM per process (:mod:`relgraph.checks.jvm`).
USE_SESSION = True


def _session(java: str) -> jvm.Session | None:
    """The process's HermiT session, started (and its files made) if needed."""
    files = jvm.session_files(java, hermit_dir(), _JVM_OPTIONS)
    if files is None:
        return None
    command = [shutil.which(java) or java, *_JVM_OPTIONS, "-cp", files.classpath]
    return jvm.session(command, files.archive)


def prestart(java: str = "java") -> None:
    """Start the process's HermiT JVM now, so that its start-up and class loading overlap
    the caller's work before its first question (``relgraph check`` calls it before it
    reads the sources). Does nothing without Java, or when :data:`USE_SESSION` is off;
    never raises for the session's sake."""
    if not USE_SESSION or not java_available(java):
        return
    try:
        _session(java)
    except (OSError, ConfigError):
        pass


def _submit(java: str, path: Path, mode: str) -> tuple[jvm.Session, jvm.Job] | None:
    """Send a question to the process's session, started (and its files made) if needed."""
    try:
        for _attempt in range(2):  # a session that just ended idle: start another one
            session = _session(java)
            if session is None:
                return None
            job = session.submit(path, mode)
            if job is not None:
                return session, job
    except OSError:
        return None
    return None


def _run(
    data: bytes, *, java: str, timeout_s: float, infer_types: bool, classes: bool, session: bool
) -> HermitRun:
    if session and not infer_types:
        return _SessionRun(data, java=java, timeout_s=timeout_s, classes=classes)
    return _ProcessRun(
        data, java=java, timeout_s=timeout_s, infer_types=infer_types, classes=classes
    )


def _require_java(java: str) -> None:
    """:raises ConfigError: if Java cannot be found (before any input is serialised)."""
    if not java_available(java):
        raise ConfigError(
            f"Java executable {java!r} not found; HermiT needs Java 11 or newer",
            "install a JRE (apt-get install default-jre-headless) or set the `java` setting",
        )


def start_hermit(
    quads: Iterable[ox.Quad | ox.Triple],
    *,
    java: str = "java",
    timeout_s: float = 120,
    infer_types: bool = False,
    classes: bool = True,
    session: bool | None = None,
) -> HermitRun:
    """Start HermiT in the background on the given triples (imports dropped).

    :param classes: also list the unsatisfiable classes (``-U``); without it HermiT
        only decides consistency (``-k``), one tableau instead of one per class.
    :param session: ask the process's HermiT JVM (:mod:`relgraph.checks.jvm`; default
        :data:`USE_SESSION`) rather than start HermiT's command line; ``infer_types``
        always uses the command line.
    :raises ConfigError: if Java cannot be found.
    """
    _require_java(java)
    triples = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if q.predicate.value != _OWL_IMPORTS
    }
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return start_ntriples(
        data,
        java=java,
        timeout_s=timeout_s,
        infer_types=infer_types,
        classes=classes,
        session=session,
    )


def start_ntriples(
    data: bytes,
    *,
    java: str = "java",
    timeout_s: float = 120,
    infer_types: bool = False,
    classes: bool = True,
    session: bool | None = None,
) -> HermitRun:
    """Start HermiT in the background on an N-Triples document (see :func:`start_hermit`).

    :raises ConfigError: if Java cannot be found.
    """
    _require_java(java)
    use = USE_SESSION if session is None else session
    return _run(
        data, java=java, timeout_s=timeout_s, infer_types=infer_types, classes=classes, session=use
    )


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
