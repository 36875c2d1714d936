"""Tests of the SHACL wrapper and of the shapes files themselves."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

from relgraph.checks import _with_extra, check_store
from relgraph.checks.shacl import ENGINES, rule_id, validate
from relgraph.errors import ConfigError
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.origins import SourceIndex
from relgraph.store.sources import load_rdflib, parse_file
from relgraph.vocab import SH
from tests import ROOT
from tests.conftest import make_fixture_settings

SHAPES = ROOT / "shapes"
FIXTURE = ROOT / "tests" / "data" / "fixture" / "mini.ttl"
ONTOLOGY = sorted((ROOT / "ontology").rglob("*.ttl"))
INVALID = sorted(
    p for p in (ROOT / "tests" / "data" / "invalid").glob("*.ttl") if p.stem != "not-turtle"
)
R = "https://w3id.org/relgraph/resource/"
ONT = "https://w3id.org/relgraph/ontology/"


def triples(*paths: Path) -> list[ox.Triple]:
    return [q.triple for p in paths for q in parse_file(p)]


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
    for engine in ENGINES:
        report = validate(
            triples(*ONTOLOGY, FIXTURE), triples(*SHAPES.glob("*.ttl")), engine=engine
        )
        assert report.conforms and report.engine == engine, report.text
        assert all(r.severity in {"warning", "info"} for r in report.results)


@pytest.mark.parametrize("engine", ENGINES)
def test_violation_is_a_return_value_with_hint(engine: str) -> None:
    year = ox.NamedNode(ONT + "publicationYear")
    work = ox.NamedNode(R + "work-eisenthal-etal-1979")
    data = [t for t in triples(*ONTOLOGY, FIXTURE) if (t.subject, t.predicate) != (work, year)]
    data.append(ox.Triple(work, year, ox.Literal("2200", datatype=ox.NamedNode(XSD_INTEGER))))
    report = validate(data, triples(SHAPES / "data.ttl"), engine=engine)
    assert not report.conforms
    (result,) = [r for r in report.results if r.severity == "error"]
    assert result.rule == "shacl/Publication-publicationYear"
    assert result.focus == work.value and result.value == "2200"
    assert result.path == year.value
    assert result.component == "MaxInclusiveConstraintComponent"
    assert "1850" in result.message and result.hint


XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("engine", ENGINES)
def test_subclass_instances_are_targeted(engine: str) -> None:
    """A rg:Finding is checked by the rg:Claim shape through rdfs:subClassOf."""
    finding = ox.NamedNode(R + "finding-collaborative-adherence")
    pct = ox.NamedNode(ONT + "percentage")
    data = triples(*ONTOLOGY, FIXTURE)
    data.append(ox.Triple(finding, pct, ox.Literal("-3", datatype=ox.NamedNode(XSD_INTEGER))))
    report = validate(data, triples(SHAPES / "data.ttl"), engine=engine)
    assert ("shacl/Claim-percentage", finding.value) in {(r.rule, r.focus) for r in report.results}


def test_rule_id_of_blank_shape() -> None:
    assert rule_id("_:b0") == "shacl/anonymous-shape"
    assert rule_id(str(rdflib.BNode().n3())) == "shacl/anonymous-shape"


def test_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="shacl_engine"):
        validate([], [], engine="topbraid")


# -- the engines agree (docs/decisions/0012-check-at-scale.md) ----------------------------------


def _shacl_problems(
    store: GraphStore, settings: Settings, extra: list[str], engine: str
) -> set[tuple[str, str, str, str, str, str]]:
    report = check_store(
        store,
        settings.replace(shacl_engine=engine),
        extra_graphs=extra,
        reasoner=False,
        phases=("shacl",),
    )
    assert not report.notes, report.notes  # the fast engine was not replaced by the fallback
    return {(p.severity, p.rule, p.node, p.value, p.message, p.hint) for p in report.problems}


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GraphStore]:
    settings = make_fixture_settings(tmp_path_factory.mktemp("shacl"))
    return settings, load_sources(settings)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_engines_agree_on_every_invalid_fixture(
    path: Path, fixture_project: tuple[Settings, GraphStore]
) -> None:
    """Every problem (severity, rule, node, value, message, fix) is the same with both."""
    settings, base = fixture_project
    store, extra = _with_extra(base, settings, [path], SourceIndex())
    fast = _shacl_problems(store, settings, extra, "shacl")
    assert fast == _shacl_problems(store, settings, extra, "pyshacl")


def test_engines_agree_on_the_real_graph(repo_settings: Settings) -> None:
    store = load_sources(repo_settings)
    fast = _shacl_problems(store, repo_settings, [], "shacl")
    assert fast == _shacl_problems(store, repo_settings, [], "pyshacl")


def test_blank_nodes_keep_their_store_ids() -> None:
    """The Rust engine renames blank nodes; results name the store's (issue 8's blank finding)."""
    text = SHAPES / "data.ttl"
    base = triples(*ONTOLOGY, FIXTURE)
    claim = ox.NamedNode(ONT + "Finding")
    rdf_type = ox.NamedNode(str(RDF.type))
    label = ox.NamedNode(str(rdflib.RDFS.label))
    # blank nodes before, between and after the faulty ones, in subject and object position
    blanks = [ox.BlankNode(f"n{i}") for i in range(30)]
    extra = [
        ox.Triple(b, label, ox.Literal(f"blank {i}", language="en")) for i, b in enumerate(blanks)
    ]
    extra += [ox.Triple(blanks[i], rdf_type, claim) for i in (3, 17, 29)]
    extra += [ox.Triple(blanks[0], ox.NamedNode(ONT + "hasFactor"), blanks[1])]
    results = {}
    for engine in ENGINES:
        report = validate([*extra[:10], *base, *extra[10:]], triples(text), engine=engine)
        assert report.engine == engine
        results[engine] = {(r.rule, r.focus, r.value, r.message) for r in report.results}
    assert results["shacl"] == results["pyshacl"]
    # the three findings, and n0 as the subject of rg:hasFactor
    assert {f for _r, f, _v, _m in results["shacl"] if f.startswith("_:")} == {
        "_:n0",
        "_:n3",
        "_:n17",
        "_:n29",
    }
