"""The checks part: ``relgraph check``, a runner over the phase table of :mod:`.phases`.

The check runs over the sources (what the built graph is made of; parsed
again, so that every problem can name the file and line of its node, see
:class:`~relgraph.store.sources.SourceIndex`) plus optional extra files,
loaded into their own store so the built graph is never changed. Every
problem names its rule, the node (IRI and label, or a blank node), where it
is described, the offending value as written, what is wrong and how to fix
it. The phases:

* :mod:`.shacl` -- SHACL shapes (pySHACL);
* :mod:`.spans` -- passage spans against the review's text;
* :mod:`.fidelity` (with :mod:`.wording`) -- the graph says what the review says;
* :mod:`.quality` -- the quality queries of ``queries/checks/``;
* :mod:`.mappings` -- the SSSOM mapping set;
* :mod:`.owl` -- HermiT and the OWL 2 RL rules of ``queries/rules/``.

:mod:`.sparql` runs the SPARQL check files of both folders; :mod:`.report` is
the report; :mod:`.owlprofile` is the OWL API's OWL 2 DL profile check of the
OWL exports.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from relgraph.checks.context import CheckContext
from relgraph.checks.phases import PHASE_NAMES, PHASES
from relgraph.checks.report import SEVERITY_ORDER, CheckReport, Problem, locate
from relgraph.checks.verdict import Verdict, inputs_key, read_verdict, record_verdict
from relgraph.errors import CheckFailed
from relgraph.settings import Settings
from relgraph.store.builder import load_checked_and_shapes
from relgraph.store.labels import labels
from relgraph.store.memory import GraphStore
from relgraph.store.origins import SourceIndex
from relgraph.store.parts import GraphParts, graph_parts
from relgraph.store.sources import Origins, extra_source, parse_source

__all__ = [
    "PHASE_NAMES",
    "SEVERITY_ORDER",
    "CheckReport",
    "Problem",
    "check",
    "check_store",
    "ordered",
    "verify_for_build",
]


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


def _labelled(store: GraphStore, problems: Iterable[Problem]) -> list[Problem]:
    """The problems, each once, with their nodes' labels, sorted by severity, rule and node."""
    unique = set(problems)
    names = labels(store, sorted({p.node for p in unique if p.node}))
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    out = []
    for p in unique:
        label = names.get(p.node, "")
        out.append(p if p.label == label else _replace_label(p, label))
    return sorted(out, key=lambda p: (rank.get(p.severity, 9), p.rule, p.node, p.value))


def _replace_label(problem: Problem, label: str) -> Problem:
    return replace(problem, label=label)


def check_store(
    store: GraphStore,
    settings: Settings,
    *,
    extra_graphs: Sequence[str] = (),
    reasoner: bool = True,
    phases: Sequence[str] = PHASE_NAMES,
    shapes: GraphStore | None = None,
    errors_only: bool = False,
) -> CheckReport:
    """Run the check over a store: every phase of :data:`PHASES`.

    The store ends as it began. Without ``shapes``, its shapes graphs are out of
    it while the phases run (see :func:`_shapes_apart`), so do not share it with
    other threads meanwhile.

    :param extra_graphs: named graphs that hold the extra files.
    :param reasoner: also run HermiT (the OWL 2 RL rules always run).
    :param phases: the names of the phases to run (all by default).
    :param shapes: the shapes graphs, when ``store`` holds every other graph and no
        shapes (:func:`relgraph.store.builder.load_checked_and_shapes`); without it,
        the shapes graphs of ``store`` are moved out for the check and put back.
    :param errors_only: let the phases skip rules that can only find warnings or
        infos (:attr:`CheckContext.errors_only`); the report may then lack some of
        those, never an error.
    """
    started = time.perf_counter()
    if shapes is not None:
        parts = _joined(
            graph_parts(store, settings, extra_graphs), graph_parts(shapes, settings), extra_graphs
        )
        report = CheckReport(triples=len(store) + len(shapes))
        ctx = CheckContext(store, shapes, parts, settings, reasoner, errors_only)
        report.timings["prepare"] = time.perf_counter() - started
        _run_phases(ctx, report, phases)
        report.problems = _labelled(store, report.problems)
    else:
        parts = graph_parts(store, settings, extra_graphs)
        report = CheckReport(triples=len(store))
        with _shapes_apart(store, parts.shapes) as apart:
            ctx = CheckContext(store, apart, parts, settings, reasoner, errors_only)
            report.timings["prepare"] = time.perf_counter() - started
            _run_phases(ctx, report, phases)
            report.problems = _labelled(store, report.problems)
    report.problems = ordered(report.problems)
    report.timings["total"] = time.perf_counter() - started
    return report


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """The problems in a stable order: severity, phase, rule, place, node, value, message.

    Blank nodes' ids change from run to run, so they are ordered by their place (file
    and line) and label, not by id; two runs on the same input list the problems in
    the same order, so reports can be compared with ``diff``.
    """
    phase = {name: i for i, name in enumerate(PHASE_NAMES)}
    severity = {name: i for i, name in enumerate(SEVERITY_ORDER)}

    def key(p: Problem) -> tuple[object, ...]:
        node = "" if p.node.startswith("_:") else p.node
        value = "" if p.value.startswith("_:") else p.value
        where = (p.file, p.line or 0)
        return (
            severity.get(p.severity, 9),
            phase.get(p.phase, 99),
            p.rule,
            where,
            node,
            p.label,
            value,
            p.message,
        )

    return sorted(problems, key=key)


@contextmanager
def _shapes_apart(store: GraphStore, graphs: Sequence[str]) -> Iterator[GraphStore]:
    """Take the shapes graphs out of the store for the check; put them back after it.

    Queries over an explicit list of default graphs are several times slower in
    pyoxigraph than over the union default graph (0002), so the phases query the
    store itself with the shapes out of it. The shapes (a few hundred triples) are
    moved to a store of their own rather than the rest copied, which at 10^6
    triples cost 12 s (docs/decisions/0017). The quads put back are the same
    objects, blank nodes included, so the store ends as it began, also when a
    phase raises.

    :yields: a store holding the shapes graphs.
    """
    quads = [q for g in graphs for q in store.quads(g)]
    shapes = GraphStore.from_quads(quads)
    for g in graphs:
        store.remove_graph(g)
    try:
        yield shapes
    finally:
        store.add_quads(quads)


def _run_phases(ctx: CheckContext, report: CheckReport, phases: Sequence[str]) -> None:
    """Start the phases that work in the background, then run every phase in order."""
    chosen = [p for p in PHASES if p.name in phases]
    begun: dict[str, object] = {}
    start_seconds: dict[str, float] = {}
    for phase in chosen:
        if phase.start is not None:
            t = time.perf_counter()
            begun[phase.name] = phase.start(ctx)
            start_seconds[phase.name] = time.perf_counter() - t
    for phase in chosen:
        t = time.perf_counter()
        result = phase.run(ctx, begun.get(phase.name))
        report.timings[phase.name] = time.perf_counter() - t + start_seconds.get(phase.name, 0.0)
        report.timings.update(result.timings)
        report.problems += result.problems
        report.notes += result.notes
        report.spans_verified = report.spans_verified and result.spans_verified


def _joined(checked: GraphParts, shapes: GraphParts, extra: Sequence[str]) -> GraphParts:
    """The parts of a store of the checked graphs and a store of the shapes graphs.

    A shapes graph that an extra file replaces (in the first store) is an extra file.
    """
    return GraphParts(
        checked.ontology + shapes.ontology,
        checked.data + shapes.data,
        [g for g in shapes.shapes if g not in extra] + checked.shapes,
        checked.mappings + shapes.mappings,
        checked.extra + shapes.extra,
    )


def check(settings: Settings, files: Iterable[Path] = (), *, reasoner: bool = True) -> CheckReport:
    """Check the sources (what the built graph is made of) plus extra files.

    The check parses the sources itself, so that every problem names the file
    and line of its node (blank nodes included) and values as written there.

    A check of the sources alone (no ``files``) that finds no error records its
    verdict (:mod:`relgraph.checks.verdict`), so that a build of the same inputs
    need not verify them again.

    :raises LoadError: when a file does not parse (nothing is checked).
    """
    files = list(files)
    key = None if files else inputs_key(settings)  # before reading: what was checked
    index = SourceIndex()
    store, shapes = load_checked_and_shapes(settings, index)
    extra: list[str] = []
    if files:
        store, extra = _with_extra(store, settings, files, index)
    report = check_store(store, settings, extra_graphs=extra, reasoner=reasoner, shapes=shapes)
    report.problems = ordered(locate(report.problems, index))
    report.files = [str(f) for f in files]
    if key is not None and report.ok:
        record_verdict(settings, key, reasoner=_hermit_ran(report), by="check", notes=report.notes)
    return report


def verify_for_build(
    store: GraphStore,
    index: SourceIndex | None = None,
    shapes: GraphStore | None = None,
    *,
    settings: Settings,
    key: str | None = None,
) -> list[str]:
    """Refuse a new graph with errors (called by ``relgraph build`` before replacing).

    HermiT runs only if the ``build_check_reasoner`` setting is true; the OWL 2
    RL rules always run. The build refuses errors and reports nothing else, so the
    rules that can only find warnings do not run (``errors_only``,
    docs/decisions/0015); ``relgraph check`` runs them. Only the errors are located
    (file and line), and only the first 20 of them, which the message lists.

    :param shapes: the shapes graphs when ``store`` holds the others (see
        :func:`check_store`).
    :param key: :func:`~relgraph.checks.verdict.inputs_key` of the inputs, taken before
        they were read: a passing verdict recorded for it is reused (nothing is checked
        again, a note says so), and a passing verification is recorded under it.
    :returns: the check's notes (e.g. that passage spans were not verified).
    :raises CheckFailed: listing the errors.
    """
    reasoner = settings.build_check_reasoner
    if key is not None:
        verdict = read_verdict(settings, key, reasoner=reasoner)
        if verdict is not None:
            return [*verdict.notes, _reused(verdict)]
    report = check_store(store, settings, reasoner=reasoner, shapes=shapes, errors_only=True)
    if report.ok:
        if key is not None:
            record_verdict(
                settings, key, reasoner=_hermit_ran(report), by="build", notes=report.notes
            )
        return list(report.notes)
    errors = report.errors
    shown = locate(errors[:20], index) if index is not None else errors[:20]
    lines = [
        f"the new graph has {len(errors)} error(s); nothing was written "
        "(the graph built before, if any, is kept):"
    ]
    for p in shown:
        lines.append(
            f"  [{p.rule}] {p.describe()}: {p.message}"
            + (f" (value: {p.value})" if p.value else "")
        )
    if len(errors) > 20:
        lines.append(f"  ... and {len(errors) - 20} more")
    raise CheckFailed("\n".join(lines), "run `relgraph check` for the full report with fixes")


def _hermit_ran(report: CheckReport) -> bool:
    """Whether HermiT gave its verdict (not skipped: no Java, a timeout, not asked for)."""
    return "hermit" in report.timings and not any(
        p.rule == "owl/hermit-not-run" for p in report.problems
    )


def _reused(verdict: Verdict) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(verdict.when))
    what = "`relgraph check`" if verdict.by == "check" else "a build's verification"
    return (
        f"not verified again: {what} passed on these same inputs at {when} "
        "(build_dir/cache/verdict.json; `-s build_reuse_verdict=false` verifies anyway)"
    )
