"""Tests of the SHACL wrapper and of the shapes files themselves."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF

from relgraph.checks.shacl import rule_id, validate
from relgraph.store.sources import load_rdflib
from relgraph.vocab import SH
from tests import ROOT

SHAPES = ROOT / "shapes"
FIXTURE = ROOT / "tests" / "data" / "fixture" / "mini.ttl"
ONTOLOGY = sorted((ROOT / "ontology").rglob("*.ttl"))


def test_every_constraint_has_a_message_and_a_fix() -> None:
    shapes = load_rdflib(sorted(SHAPES.glob("*.ttl")))
    named = [
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, rdflib.URIRef)
    ]
    assert len(named) > 40
    for shape in named:
        messages = list(shapes.objects(shape, SH.message))
        is_property_of_node = (None, SH.property, shape) in shapes
        has_own_constraints = any(
            p not in (RDF.type, SH.message, SH.description, SH.path, SH.severity, SH.property)
            and not str(p).startswith(str(SH.target))
            for p in shapes.predicates(shape)
        )
        if has_own_constraints or is_property_of_node:
            assert messages, f"{shape} has no sh:message"
            assert all(m.language == "en" for m in messages)
            assert list(shapes.objects(shape, SH.description)), f"{shape} has no fix"


def test_fixture_conforms() -> None:
    data = load_rdflib([*ONTOLOGY, FIXTURE])
    report = validate(data, load_rdflib(sorted(SHAPES.glob("*.ttl"))))
    assert report.conforms, report.text
    assert all(r.severity in {"warning", "info"} for r in report.results)


def test_violation_is_a_return_value_with_hint() -> None:
    data = load_rdflib([*ONTOLOGY, FIXTURE])
    work = rdflib.URIRef("https://w3id.org/relgraph/resource/work-eisenthal-etal-1979")
    year = rdflib.URIRef("https://w3id.org/relgraph/ontology/publicationYear")
    data.set((work, year, rdflib.Literal(2200)))
    report = validate(data, load_rdflib([SHAPES / "data.ttl"]))
    assert not report.conforms
    (result,) = [r for r in report.results if r.severity == "error"]
    assert result.rule == "shacl/Publication-publicationYear"
    assert result.focus == str(work) and result.value == "2200"
    assert result.component == "MaxInclusiveConstraintComponent"
    assert "1850" in result.message and result.hint


def test_subclass_instances_are_targeted() -> None:
    """A rg:Finding is checked by the rg:Claim shape through rdfs:subClassOf."""
    data = load_rdflib([*ONTOLOGY, FIXTURE])
    finding = rdflib.URIRef("https://w3id.org/relgraph/resource/finding-collaborative-adherence")
    pct = rdflib.URIRef("https://w3id.org/relgraph/ontology/percentage")
    data.add((finding, pct, rdflib.Literal(-3)))
    report = validate(data, load_rdflib([SHAPES / "data.ttl"]))
    assert ("shacl/Claim-percentage", str(finding)) in {(r.rule, r.focus) for r in report.results}


def test_rule_id_of_blank_shape() -> None:
    assert rule_id(rdflib.BNode()) == "shacl/anonymous-shape"
