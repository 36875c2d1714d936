"""The SHACL phase: pySHACL over data and ontology; the report is a return value.

Shapes live in ``shapes/`` (see ``shapes/README.md``). Every shape carries a
plain-language ``sh:message`` (what is wrong) and an ``sh:description`` (how
to fix it); :func:`validate` copies both into each :class:`ShaclResult`.
:func:`run` validates ``shapes/data.ttl`` over ontology and data (class
targets follow ``rdfs:subClassOf`` in the data graph, so no RDFS inference is
needed) and ``shapes/ontology-style.ttl`` over the ontology only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import RDF

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.vocab import SH, SHAPES

__all__ = ["SEVERITIES", "ShaclResult", "ValidationReport", "validate", "rule_id", "run"]

#: SHACL severities and relgraph's names for them.
SEVERITIES: dict[str, str] = {
    str(SH.Violation): "error",
    str(SH.Warning): "warning",
    str(SH.Info): "info",
}

#: Namespace of relgraph's shapes; rule ids drop it.
SHAPES_BASE = str(SHAPES)


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, flattened.

    :ivar rule: ``shacl/<shape>``, e.g. ``shacl/Publication-publicationYear``.
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
    """What pySHACL found: ``conforms`` is False when there is any error."""

    conforms: bool
    results: list[ShaclResult] = field(default_factory=list)
    text: str = ""
    seconds: float = 0.0


def rule_id(shape: rdflib.term.Node | None) -> str:
    """Name a rule after its source shape.

    >>> rule_id(rdflib.URIRef("https://w3id.org/relgraph/shapes/FindingShape"))
    'shacl/FindingShape'
    """
    if isinstance(shape, rdflib.URIRef):
        text = str(shape)
        return "shacl/" + (text[len(SHAPES_BASE) :] if text.startswith(SHAPES_BASE) else text)
    return "shacl/anonymous-shape"


def _text(node: rdflib.term.Node | None) -> str:
    """A node as reports name it: its text, or ``_:`` and the id of a blank node."""
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _first_text(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> str:
    for value in graph.objects(subject, predicate):
        return str(value)
    return ""


def _hint(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """The shape's sh:description, or that of a node shape using it as a property."""
    if shape is None:
        return ""
    hint = _first_text(shapes, shape, SH.description)
    if hint:
        return hint
    for parent in shapes.subjects(SH.property, shape):
        hint = _first_text(shapes, parent, SH.description)
        if hint:
            return hint
    return ""


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Validate ``data`` against ``shapes`` without inference.

    Class targets and ``sh:class`` follow ``rdfs:subClassOf`` in the data
    graph, so pass the ontology together with the instance data.
    """
    import pyshacl

    started = time.perf_counter()
    conforms, graph, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
        allow_infos=True,
    )
    results: list[ShaclResult] = []
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        shape = graph.value(node, SH.sourceShape)
        severity = SEVERITIES.get(_text(graph.value(node, SH.resultSeverity)), "error")
        message = _text(graph.value(node, SH.resultMessage))
        results.append(
            ShaclResult(
                severity=severity,
                rule=rule_id(shape),
                focus=_text(graph.value(node, SH.focusNode)),
                path=_text(graph.value(node, SH.resultPath)),
                value=_text(graph.value(node, SH.value)),
                message=message,
                hint=_hint(shapes, shape),
                component=_text(graph.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            )
        )
    results.sort(key=lambda r: (r.severity, r.rule, r.focus, r.value))
    has_errors = any(r.severity == "error" for r in results)
    return ValidationReport(
        conforms=bool(conforms) and not has_errors,
        results=results,
        text=str(text),
        seconds=time.perf_counter() - started,
    )


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """Validate the data shapes over everything checked, the style shapes over the ontology.

    A shapes graph whose file name starts with ``ontology`` holds style shapes.
    """
    parts = ctx.parts
    style = [g for g in parts.shapes if g.rsplit("/", 1)[-1].startswith("ontology")]
    data_shapes = [g for g in parts.shapes if g not in style]
    runs = [(data_shapes, parts.checked), (style, parts.ontology + parts.extra)]
    result = PhaseResult()
    for shapes, data in runs:
        if not shapes:
            continue
        report = validate(ctx.full.to_rdflib(data), ctx.full.to_rdflib(shapes))
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
