"""The SHACL phase: the shapes of ``shapes/`` over data and ontology; results are values.

Shapes live in ``shapes/`` (see ``shapes/README.md``). Every shape carries a
plain-language ``sh:message`` (what is wrong) and an ``sh:description`` (how
to fix it); :func:`validate` copies both into each :class:`ShaclResult`.
:func:`run` validates ``shapes/data.ttl`` over ontology and data (class
targets follow ``rdfs:subClassOf`` in the data graph, so no RDFS inference is
needed) and ``shapes/ontology-style.ttl`` over the ontology only.

Two engines implement SHACL Core (W3C SHACL, section 4) here, chosen by the
setting ``shacl_engine``; they give the same results on the real graph and on
every fixture of ``tests/data/invalid`` (``tests/checks/test_shacl.py``):

* ``shacl`` (default): the Rust engine of PyPI's ``shacl`` package, fed
  N-Triples straight from pyoxigraph (no rdflib graph is built). 10^6 triples
  validate in about 4 s, against about 290 s for pySHACL
  (``docs/decisions/0012-check-at-scale.md``). The engine names blank nodes
  by its own labels, numbered in the order they first appear in its input
  (the shapes, then the data); :func:`_validate_rust` maps them back to the
  store's and checks that mapping on two probe nodes, one first and one last
  in the data, falling back to pySHACL if the numbering ever differs.
* ``pyshacl``: pySHACL on rdflib graphs, the reference implementation.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.errors import ConfigError
from relgraph.store.memory import GraphStore
from relgraph.store.sources import node_key
from relgraph.vocab import SCRATCH, SH, SHAPES, XSD

__all__ = [
    "ENGINES",
    "SEVERITIES",
    "ShaclResult",
    "ValidationReport",
    "validate",
    "validate_graphs",
    "rule_id",
    "run",
    "start",
]

#: SHACL severities and relgraph's names for them.
SEVERITIES: dict[str, str] = {
    str(SH.Violation): "error",
    str(SH.Warning): "warning",
    str(SH.Info): "info",
}

#: The SHACL engines (setting ``shacl_engine``).
ENGINES: tuple[str, ...] = ("shacl", "pyshacl")

#: Namespace of relgraph's shapes; rule ids drop it.
SHAPES_BASE = str(SHAPES)

_SH_DESCRIPTION = str(SH.description)
_SH_PROPERTY = str(SH.property)
#: The probe: a shape of our own, outside the shapes graph, that fires on two blank
#: nodes placed first and last in the data, to check how the engine names blank nodes.
_PROBE = SCRATCH + "shacl-probe"
_PROBE_SHAPE = (
    f"<{_PROBE}> <{SH}targetSubjectsOf> <{_PROBE}> .\n"
    f"<{_PROBE}> <{SH}property> <{_PROBE}-p> .\n"
    f"<{_PROBE}-p> <{SH}path> <{_PROBE}> .\n"
    f'<{_PROBE}-p> <{SH}maxCount> "0"^^<{XSD.integer}> .\n'
)
_ENGINE_BLANK = re.compile(r"^_:(?:\d+_)?b(\d+)$")


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result (SHACL 3.6.2), flattened.

    :ivar rule: ``shacl/<shape>``, e.g. ``shacl/Publication-publicationYear``.
    :ivar focus: the focus node: an IRI, or ``_:`` and the store's blank node id.
    :ivar path: the result path: an IRI, or a complex path in SPARQL syntax.
    :ivar value: the value node: an IRI, a literal's lexical form, or ``_:`` and an id.
    """

    severity: str
    rule: str
    focus: str
    path: str
    value: str
    message: str
    hint: str
    component: str


@dataclass
class ValidationReport:
    """What the engine found: ``conforms`` is False when there is any error."""

    conforms: bool
    results: list[ShaclResult] = field(default_factory=list)
    text: str = ""
    seconds: float = 0.0
    engine: str = "shacl"


def rule_id(shape: str | None) -> str:
    """Name a rule after its source shape (an IRI, or ``_:...`` for a blank node).

    >>> rule_id("https://w3id.org/relgraph/shapes/FindingShape")
    'shacl/FindingShape'
    >>> rule_id("_:b0")
    'shacl/anonymous-shape'
    """
    if shape and not shape.startswith("_:"):
        return "shacl/" + (shape[len(SHAPES_BASE) :] if shape.startswith(SHAPES_BASE) else shape)
    return "shacl/anonymous-shape"


class _Hints:
    """The fix of a shape: its sh:description, or that of a shape using it as a property."""

    def __init__(self, shapes: Sequence[ox.Triple]) -> None:
        self._description: dict[str, str] = {}
        self._parents: dict[str, list[str]] = {}
        for t in shapes:
            if t.predicate.value == _SH_DESCRIPTION:
                self._description.setdefault(node_key(t.subject), node_key(t.object))
            elif t.predicate.value == _SH_PROPERTY:
                self._parents.setdefault(node_key(t.object), []).append(node_key(t.subject))

    def __call__(self, shape: str) -> str:
        hint = self._description.get(shape, "")
        if hint:
            return hint
        for parent in self._parents.get(shape, []):
            hint = self._description.get(parent, "")
            if hint:
                return hint
        return ""


def _triples(items: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    return [i.triple if isinstance(i, ox.Quad) else i for i in items]


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ConfigError(
            f"unknown SHACL engine {engine!r}",
            f"set shacl_engine to one of: {', '.join(ENGINES)}",
        )


class _Background:
    """The Rust engine on one prepared input, in a worker thread (it releases the GIL).

    The thread touches no pyoxigraph object (their results may only be dropped on the
    thread that made them); :meth:`result` waits and re-raises what the engine raised.
    """

    def __init__(self, given: _RustInput) -> None:
        self._outcome: list[ShaclResult] | None | BaseException = None
        self._thread = threading.Thread(
            target=self._work, args=(given,), name="relgraph-shacl", daemon=True
        )
        self._thread.start()

    def _work(self, given: _RustInput) -> None:
        try:
            self._outcome = _run_rust(given)
        except BaseException as exc:  # handed to the caller's thread by result()
            self._outcome = exc

    def result(self) -> list[ShaclResult] | None:
        """The engine's results (None: its blank nodes did not map back)."""
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def validate(
    data: Iterable[ox.Triple | ox.Quad],
    shapes: Iterable[ox.Triple | ox.Quad],
    *,
    engine: str = "shacl",
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (SHACL Core, no inference).

    Class targets and ``sh:class`` follow ``rdfs:subClassOf`` in the data
    graph, so pass the ontology together with the instance data. Blank nodes
    are named as in the store (``_:`` and the id pyoxigraph gives them).

    :param engine: one of :data:`ENGINES`.
    :raises ConfigError: for an unknown engine.
    """
    data_triples = _triples(data)
    return _validate(
        lambda: (ox.serialize(data_triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(),
        lambda: data_triples,
        _triples(shapes),
        engine,
    )


def validate_graphs(
    store: GraphStore,
    graphs: Sequence[str],
    shapes: Iterable[ox.Triple | ox.Quad],
    *,
    engine: str = "shacl",
) -> ValidationReport:
    """Validate some named graphs of a store, merged, against ``shapes`` (as :func:`validate`).

    The ``shacl`` engine is given the graphs' N-Triples as pyoxigraph writes
    them, with no Python object per triple (at 10^6 triples the triples' list,
    its serialisation and the scan for blank nodes cost 3.5x the engine's own
    time; docs/decisions/0017).

    :raises ConfigError: for an unknown engine.
    """
    return _validate(
        lambda: "".join(store.graph_ntriples(g).decode() for g in graphs),
        partial(_graph_triples, store, graphs),
        _triples(shapes),
        engine,
    )


def _validate(
    text: Callable[[], str],
    triples: Callable[[], list[ox.Triple]],
    shape_triples: list[ox.Triple],
    engine: str,
    background: _Background | None = None,
) -> ValidationReport:
    """Run an engine on the data, given as N-Triples text or as triples (whichever it needs).

    :param background: the Rust engine already running on this data (see :func:`start`).
    """
    _check_engine(engine)
    started = time.perf_counter()
    hints = _Hints(shape_triples)
    results = None
    if background is not None:
        results = background.result()
    elif engine == "shacl":
        results = _validate_rust(text(), shape_triples, hints)
    if results is None:  # pyshacl asked for, or the Rust engine's blank nodes did not map
        engine = "pyshacl"
        results = _validate_pyshacl(triples(), shape_triples, hints)
    results.sort(key=lambda r: (r.severity, r.rule, r.focus, r.value))
    errors = sum(r.severity == "error" for r in results)
    return ValidationReport(
        conforms=not errors,
        results=results,
        text=f"{len(results)} result(s), {errors} error(s)",
        seconds=time.perf_counter() - started,
        engine=engine,
    )


def _blank_order(triples: Iterable[ox.Triple]) -> list[str]:
    """Blank node ids in the order they first appear in N-Triples (subject, then object)."""
    seen: dict[str, None] = {}
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.BlankNode):
                seen.setdefault(term.value, None)
    return list(seen)


#: A blank node in N-Triples: a subject opens its line; an object ends it (`` _:x .``),
#: which no literal or IRI does (they end with ``"``, a language tag or ``>``).
_NT_BLANK = re.compile(r"^_:(\S+) | _:(\S+) \.$", re.MULTILINE)


def _text_blank_order(text: str) -> list[str]:
    """:func:`_blank_order` of an N-Triples text, read with one regular expression.

    >>> _text_blank_order('_:a <p> _:b .\\n<s> <p> "_:c ." .\\n<s> <p> _:a .\\n<s> <p> _:d .\\n')
    ['a', 'b', 'd']
    """
    return list(dict.fromkeys(a or b for a, b in _NT_BLANK.findall(text)))


@dataclass(frozen=True)
class _RustInput:
    """What the Rust engine is given: text only, so that it can run in another thread.

    :ivar text: the data as N-Triples, with the probe's two blank nodes first and last.
    :ivar shapes: the shapes as N-Triples, with the probe shape.
    :ivar offset: how many blank nodes the shapes have (the engine numbers them first).
    :ivar probes: the probe's blank nodes as reports name them.
    """

    text: str
    shapes: str
    offset: int
    probes: frozenset[str]
    hints: _Hints


def _rust_input(data: str, shapes: list[ox.Triple], hints: _Hints) -> _RustInput:
    first, last = ox.BlankNode(), ox.BlankNode()
    if data and not data.endswith("\n"):
        data += "\n"
    text = f'{first} <{_PROBE}> "first" .\n' + data + f'{last} <{_PROBE}> "last" .\n'
    shapes_text = (ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return _RustInput(
        text,
        shapes_text + _PROBE_SHAPE,
        len(_blank_order(shapes)),
        frozenset({f"_:{first.value}", f"_:{last.value}"}),
        hints,
    )


def _validate_rust(data: str, shapes: list[ox.Triple], hints: _Hints) -> list[ShaclResult] | None:
    """The ``shacl`` engine on N-Triples; None if its blank-node labels do not map back."""
    return _run_rust(_rust_input(data, shapes, hints))


def _run_rust(given: _RustInput) -> list[ShaclResult] | None:
    """The engine on prepared text (no pyoxigraph object: it may run in a worker thread)."""
    import shacl

    hints, offset = given.hints, given.offset
    compiled = shacl.Shapes.from_text(given.shapes, format="ntriples")
    blanks = _text_blank_order(given.text)
    report = compiled.validate_text(given.text, format="ntriples", allow_warnings=True)

    def node(term: str | None) -> str | None:
        """A term as reports name it; None for an engine blank node out of range."""
        if not term:
            return ""
        if term.startswith("<") and term.endswith(">"):
            return term[1:-1]
        match = _ENGINE_BLANK.match(term)
        if match:
            index = int(match.group(1)) - offset
            return f"_:{blanks[index]}" if 0 <= index < len(blanks) else None
        return term

    probes: set[str | None] = set()
    out: list[ShaclResult] = []
    for r in report.results:
        shape = node(r.source_shape) if r.source_shape else ""
        focus = node(r.focus_node)
        if (r.root_shape or "").startswith(f"<{_PROBE}"):
            probes.add(focus)
            continue
        value = r.value_plain or ""
        if r.value and r.value.startswith("_:"):
            value = node(r.value) or ""
        path = r.path or ""
        if path.startswith("<") and path.endswith(">") and " " not in path:
            path = path[1:-1]
        if focus is None:
            return None
        hint = hints(shape) if shape and not (r.source_shape or "").startswith("_:") else ""
        if not hint and r.root_shape:
            hint = hints(r.root_shape.strip("<>"))
        rule = rule_id(r.source_shape.strip("<>") if r.source_shape else None)
        out.append(
            ShaclResult(
                severity=SEVERITIES.get(r.severity_iri.strip("<>"), "error"),
                rule=rule,
                focus=focus,
                path=path,
                value=value,
                message=r.message or f"{r.component} on {path or focus}",
                hint=hint,
                component=r.component,
            )
        )
    if probes != given.probes:
        return None
    return out


def _validate_pyshacl(
    data: list[ox.Triple], shapes: list[ox.Triple], hints: _Hints
) -> list[ShaclResult]:
    """pySHACL, the reference, on rdflib graphs built from the triples."""
    import pyshacl
    import rdflib
    from rdflib.namespace import RDF

    from relgraph.store.sources import to_rdflib_triple

    def graph(triples: list[ox.Triple]) -> rdflib.Graph:
        g = rdflib.Graph(bind_namespaces="none")
        for t in triples:
            g.add(to_rdflib_triple(ox.Quad(t.subject, t.predicate, t.object)))
        return g

    def text(n: rdflib.term.Node | None) -> str:
        if n is None:
            return ""
        return f"_:{n}" if isinstance(n, rdflib.BNode) else str(n)

    _conforms, report, _text = pyshacl.validate(
        graph(data),
        shacl_graph=graph(shapes),
        inference="none",
        advanced=False,
        allow_warnings=True,
        allow_infos=True,
    )
    out: list[ShaclResult] = []
    for n in report.subjects(RDF.type, SH.ValidationResult):
        shape = text(report.value(n, SH.sourceShape))
        component = text(report.value(n, SH.sourceConstraintComponent))
        out.append(
            ShaclResult(
                severity=SEVERITIES.get(text(report.value(n, SH.resultSeverity)), "error"),
                rule=rule_id(shape),
                focus=text(report.value(n, SH.focusNode)),
                path=text(report.value(n, SH.resultPath)),
                value=text(report.value(n, SH.value)),
                message=text(report.value(n, SH.resultMessage)),
                hint=hints(shape),
                component=component.rsplit("#", 1)[-1],
            )
        )
    return out


def _runs(ctx: CheckContext) -> list[tuple[list[str], list[str]]]:
    """(shapes graphs, data graphs) of each validation: data shapes, then style shapes.

    A shapes graph whose file name starts with ``ontology`` holds style shapes.
    """
    parts = ctx.parts
    style = [g for g in parts.shapes if g.rsplit("/", 1)[-1].startswith("ontology")]
    data_shapes = [g for g in parts.shapes if g not in style]
    runs = [(data_shapes, parts.checked), (style, parts.ontology + parts.extra)]
    return [(shapes, data) for shapes, data in runs if shapes]


def _graph_triples(store: GraphStore, graphs: Sequence[str]) -> list[ox.Triple]:
    return [q.triple for g in graphs for q in store.quads(g)]


def _shape_triples(ctx: CheckContext, graphs: list[str]) -> list[ox.Triple]:
    return [q.triple for g in graphs for q in ctx.shapes.quads(g)]


def start(ctx: CheckContext) -> list[_Background] | None:
    """Start the Rust engine in the background, before the other phases run.

    The data's N-Triples are written here (pyoxigraph, in this thread); the engine
    validates them in a worker thread while the Python phases run (at 10^6 triples
    the engine takes most of this phase, docs/decisions/0017). None with pySHACL.
    """
    if ctx.settings.shacl_engine != "shacl":
        return None
    started = []
    for shapes, data in _runs(ctx):
        triples = _shape_triples(ctx, shapes)
        text = "".join(ctx.store.graph_ntriples(g).decode() for g in data)
        started.append(_Background(_rust_input(text, triples, _Hints(triples))))
    return started


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """Validate the data shapes over everything checked, the style shapes over the ontology.

    :param started: what :func:`start` began (the engine's runs), if it did.
    """
    result = PhaseResult()
    engine = ctx.settings.shacl_engine
    background = started if isinstance(started, list) else None
    for i, (shapes, data) in enumerate(_runs(ctx)):
        triples = _shape_triples(ctx, shapes)
        if background is not None:
            quads = partial(_graph_triples, ctx.store, data)
            report = _validate(str, quads, triples, engine, background[i])
        else:
            report = validate_graphs(ctx.store, data, triples, engine=engine)
        if report.engine != engine:
            result.notes.append(
                f"the {engine!r} SHACL engine named blank nodes unexpectedly; "
                f"{report.engine} was used instead"
            )
        for r in report.results:
            value = r.value
            if r.path and not value:
                value = f"(property {r.path})"
            result.problems.append(
                Problem(
                    severity=r.severity,
                    rule=r.rule,
                    node=r.focus,
                    value=value,
                    message=r.message,
                    hint=r.hint,
                    phase="shacl",
                )
            )
    return result
