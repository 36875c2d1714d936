"""The OWL 2 RL rules rewritten for their plans (docs/decisions/0021) give the rows of the
formulation they replace (``tests/checks/reference/rules-0016/``, 0016's files), every
field compared, on every negative fixture and on planted faults the fixtures lack."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from relgraph.checks.sparql import load_check_queries, run_check_queries
from relgraph.errors import LoadError
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.sources import parse_file
from tests import ROOT
from tests.conftest import make_fixture_settings

INVALID = ROOT / "tests" / "data" / "invalid"
RULES = ROOT / "queries" / "rules"
REFERENCE = Path(__file__).parent / "reference" / "rules-0016"
NAMES = sorted(p.stem for p in REFERENCE.glob("*.rq"))

#: a range fault (the fixtures have a domain fault only) and a type two subclass steps
#: below a disjoint class (the zero-length and the longer paths both needed)
_PLANTED = """
@prefix rg: <https://w3id.org/relgraph/ontology/> .
@prefix rgr: <https://w3id.org/relgraph/resource/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
rg:DeepTheory a owl:Class ; rdfs:subClassOf rg:DeeperTheory .
rg:DeeperTheory a owl:Class ; rdfs:subClassOf rg:Theory .
rgr:deep a owl:NamedIndividual , rg:DeepTheory , rg:Finding .
rgr:finding-planted a owl:NamedIndividual , rg:Finding ; rg:aboutTheory rgr:deep ;
  rg:concernsOutcome rgr:deep .
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    settings: Settings = make_fixture_settings(tmp_path_factory.mktemp("plans"))
    return load_sources(settings)


def _rows(store: GraphStore, folder: Path, name: str) -> set[tuple[str, ...]]:
    rules = [q for q in load_check_queries(folder) if q.path.stem == name]
    assert len(rules) == 1
    return {
        (p.severity, p.rule, p.node, p.value, p.message, p.hint)
        for p in run_check_queries(store, rules, phase="reasoning")
    }


def _parses(path: Path) -> bool:
    try:
        parse_file(path, "urn:x-test:g")
    except LoadError:  # the fixtures of syntax errors
        return False
    return True


def _cases() -> list[str]:
    fixtures = sorted(p.stem for p in INVALID.glob("*.ttl") if _parses(p))
    return ["project", "planted", *fixtures]


@pytest.mark.parametrize("case", _cases())
def test_rewritten_rules_give_the_same_rows(sources: GraphStore, case: str) -> None:
    store = sources.copy()
    graph = "https://w3id.org/relgraph/graph/extra"
    if case == "planted":
        store.add_quads(
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
            for t in ox.parse(_PLANTED.encode(), format=ox.RdfFormat.TURTLE)
        )
    elif case != "project":
        store.add_quads(parse_file(INVALID / f"{case}.ttl", graph))
    for name in NAMES:
        assert _rows(store, RULES, name) == _rows(store, REFERENCE, name), name


def test_planted_faults_are_found(sources: GraphStore) -> None:
    """The planted case is not vacuous: both rules report it."""
    store = sources.copy()
    store.add_quads(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:x-test:planted"))
        for t in ox.parse(_PLANTED.encode(), format=ox.RdfFormat.TURTLE)
    )
    deep = "https://w3id.org/relgraph/resource/deep"
    assert any(r[2] == deep for r in _rows(store, RULES, "disjoint-classes"))
    found = _rows(store, RULES, "domain-range-disjoint")
    assert any(r[3] == deep and "Range" in r[4] for r in found), found
