"""The phase table of ``relgraph check``: one line per phase, run in this order.

Each phase is a function of a :class:`~relgraph.checks.context.CheckContext`
returning a :class:`~relgraph.checks.context.PhaseResult`; a phase may also
have a ``start`` function, called before any phase runs, whose result its
``run`` is given (the reasoning phase starts HermiT there, so that the JVM
works in the background while the other phases run; the phase comes last to
wait for it. The SHACL phase starts its Rust engine there, in a worker thread,
and comes after the Python phases to collect it: docs/decisions/0017). To add
a phase: write its module under ``relgraph/checks/`` with
``run(ctx, started) -> PhaseResult`` and add its line to :data:`PHASES`.
See ``docs/decisions/0002-reasoning-and-checks.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from relgraph.checks import fidelity, mappings, owl, quality, shacl, spans
from relgraph.checks.context import CheckContext, PhaseResult

__all__ = ["Phase", "PHASES", "PHASE_NAMES"]


@dataclass(frozen=True)
class Phase:
    """One phase of the check.

    :ivar name: the phase's name (``Problem.phase``, ``--format json`` timings).
    :ivar run: the phase: ``run(ctx, started)`` where ``started`` is what ``start`` gave.
    :ivar summary: what it checks, in a few words.
    :ivar start: called before every phase's ``run``, for work done in the background.
    """

    name: str
    run: Callable[[CheckContext, object], PhaseResult]
    summary: str
    start: Callable[[CheckContext], object] | None = None


#: The phases, in the order they run.
PHASES: tuple[Phase, ...] = (
    Phase("spans", spans.run, "passage spans and quotations against the review's text"),
    Phase("fidelity", fidelity.run, "labels, terms and claims against the review's words"),
    Phase("queries", quality.run, "quality queries of queries/checks/ (every row a problem)"),
    Phase("mappings", mappings.run, "the SSSOM mappings against the graph and the sources"),
    Phase("shacl", shacl.run, "SHACL shapes over the data and the ontology", start=shacl.start),
    Phase("reasoning", owl.run, "HermiT (OWL 2 DL) and the OWL 2 RL rules", start=owl.start),
)

#: The names of the phases, in the order they run.
PHASE_NAMES: tuple[str, ...] = tuple(p.name for p in PHASES)
