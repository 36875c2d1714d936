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
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.errors import ConfigError
from relgraph.vocab import SCRATCH, SH, SHAPES, XSD

__all__ = [
    "ENGINES",
    "SEVERITIES",
    "ShaclResult",
    "ValidationReport",
    "validate",
    "rule_id",
    "run",
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
                self._description.setdefault(_key(t.subject), _key(t.object))
            elif t.predicate.value == _SH_PROPERTY:
                self._parents.setdefault(_key(t.object), []).append(_key(t.subject))

    def __call__(self, shape: str) -> str:
        hint = self._description.get(shape, "")
        if hint:
            return hint
        for parent in self._parents.get(shape, []):
            hint = self._description.get(parent, "")
            if hint:
                return hint
        return ""


def _key(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", ""))


def _triples(items: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    return [i.triple if isinstance(i, ox.Quad) else i for i in items]


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
    if engine not in ENGINES:
        raise ConfigError(
            f"unknown SHACL engine {engine!r}",
            f"set shacl_engine to one of: {', '.join(ENGINES)}",
        )
    started = time.perf_counter()
    data_triples, shape_triples = _triples(data), _triples(shapes)
    hints = _Hints(shape_triples)
    results = None
    if engine == "shacl":
        results = _validate_rust(data_triples, shape_triples, hints)
    if results is None:  # pyshacl asked for, or the Rust engine's blank nodes did not map
        engine = "pyshacl"
        results = _validate_pyshacl(data_triples, shape_triples, hints)
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


def _validate_rust(
    data: list[ox.Triple], shapes: list[ox.Triple], hints: _Hints
) -> list[ShaclResult] | None:
    """The ``shacl`` engine; None if its blank-node labels do not map back (see module)."""
    import shacl

    probe = ox.NamedNode(_PROBE)
    first, last = ox.BlankNode(), ox.BlankNode()
    data = [ox.Triple(first, probe, ox.Literal("first")), *data]
    data.append(ox.Triple(last, probe, ox.Literal("last")))
    shapes_text = (ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    compiled = shacl.Shapes.from_text(shapes_text + _PROBE_SHAPE, format="ntriples")
    offset = len(_blank_order(shapes))
    blanks = _blank_order(data)
    text = (ox.serialize(data, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    report = compiled.validate_text(text, format="ntriples", allow_warnings=True)

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
    if probes != {f"_:{first.value}", f"_:{last.value}"}:
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


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """Validate the data shapes over everything checked, the style shapes over the ontology.

    A shapes graph whose file name starts with ``ontology`` holds style shapes.
    """
    parts = ctx.parts
    style = [g for g in parts.shapes if g.rsplit("/", 1)[-1].startswith("ontology")]
    data_shapes = [g for g in parts.shapes if g not in style]
    runs = [(data_shapes, parts.checked), (style, parts.ontology + parts.extra)]
    result = PhaseResult()
    engine = ctx.settings.shacl_engine
    for shapes, data in runs:
        if not shapes:
            continue
        report = validate(
            (q for g in data for q in ctx.store.quads(g)),
            (q for g in shapes for q in ctx.shapes.quads(g)),
            engine=engine,
        )
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
