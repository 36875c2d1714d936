"""What every check phase is given, and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass, field

from relgraph.checks.report import Problem
from relgraph.settings import Settings
from relgraph.store.memory import GraphStore
from relgraph.store.parts import GraphParts

__all__ = ["CheckContext", "PhaseResult"]


@dataclass(frozen=True)
class CheckContext:
    """The graph under check, for every phase.

    :ivar store: the checked graphs (ontology, data, mappings, extra files) in one
        store, without the shapes: queries over its union default graph are
        several times faster in pyoxigraph than over an explicit list of graphs.
    :ivar shapes: a store that holds the shapes graphs (``parts.shapes``): a store of
        the shapes alone, or one of every graph.
    :ivar parts: which named graphs are ontology, data, shapes, mappings, extra.
    :ivar settings: the settings (``seed_dir``, ``external_dir``, ``queries_dir``, ``java`` ...).
    :ivar reasoner: whether HermiT runs (the OWL 2 RL rules always do).
    :ivar errors_only: run only the rules that can find errors (``relgraph build``'s
        verification, which refuses errors and reports nothing else): a phase may then
        skip its rules of severity warning or info. ``relgraph check`` runs them all.
    """

    store: GraphStore
    shapes: GraphStore
    parts: GraphParts
    settings: Settings
    reasoner: bool = True
    errors_only: bool = False


@dataclass
class PhaseResult:
    """What a phase found.

    :ivar problems: the problems (built with keyword arguments, labels added later).
    :ivar notes: what the report should say besides the problems (what did not run).
    :ivar timings: more timings than the phase's own (e.g. HermiT's wall time), in seconds.
    :ivar spans_verified: False when the review's text was absent for the span checks.
    """

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    spans_verified: bool = True
