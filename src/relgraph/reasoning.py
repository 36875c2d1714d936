"""OWL 2 DL reasoning with HermiT (through owlready2, on Java).

The ontology (and optionally instance data) is written to a temporary
RDF/XML file without ``owl:imports`` (so nothing is fetched), loaded into a
fresh owlready2 world and classified by HermiT. The result is a return value,
not an exception: see :class:`ReasoningReport`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import OWL

from relgraph.errors import ConfigError

__all__ = ["ReasoningReport", "run_hermit", "java_available"]


@dataclass
class ReasoningReport:
    """The outcome of a reasoner run."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_types: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when consistent and no class is unsatisfiable."""
        return self.consistent and not self.unsatisfiable


def java_available(java: str = "java") -> bool:
    """True when a Java executable can be found."""
    return shutil.which(java) is not None


def run_hermit(
    graph: rdflib.Graph, *, java: str = "java", infer_types: bool = False
) -> ReasoningReport:
    """Check a graph for consistency and unsatisfiable classes with HermiT.

    :param graph: the ontology, optionally with instance data.
    :param java: the Java executable.
    :param infer_types: also return the inferred types of named individuals.
    :raises ConfigError: if Java cannot be found.
    """
    import owlready2

    if not java_available(java):
        raise ConfigError(
            f"Java executable {java!r} not found; HermiT needs Java 11 or newer",
            "install a JRE (apt-get install default-jre-headless) or set the `java` setting",
        )
    owlready2.JAVA_EXE = shutil.which(java) or java
    started = time.perf_counter()
    clean = rdflib.Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            clean.add(triple)
    with tempfile.TemporaryDirectory(prefix="relgraph-hermit-") as tmp:
        path = Path(tmp) / "merged.owl"
        clean.serialize(path, format="xml")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        before: dict[str, set[str]] = {}
        if infer_types:
            before = {
                i.iri: {c.iri for c in i.is_a if hasattr(c, "iri")} for i in onto.individuals()
            }
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasoningReport(
                consistent=False,
                message=f"HermiT found the ontology inconsistent: {exc}".strip(),
                seconds=time.perf_counter() - started,
            )
        unsat = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        inferred: dict[str, list[str]] = {}
        if infer_types:
            for ind in onto.individuals():
                after = {c.iri for c in ind.is_a if hasattr(c, "iri")}
                new = sorted(after - before.get(ind.iri, set()))
                if new:
                    inferred[ind.iri] = new
        world.close()
    return ReasoningReport(
        consistent=True,
        unsatisfiable=unsat,
        inferred_types=inferred,
        seconds=time.perf_counter() - started,
    )
