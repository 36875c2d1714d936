"""Tests of the OWL reasoning: HermiT in a subprocess and the OWL 2 RL rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from relgraph.checks import check, check_store
from relgraph.checks.owl import start_hermit
from relgraph.checks.sparql import load_check_queries, run_check_queries
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.sources import parse_file
from tests import ROOT, R
from tests.conftest import make_fixture_settings

INVALID = ROOT / "tests" / "data" / "invalid"
RULES = ROOT / "queries" / "rules"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_fixture_settings(tmp_path_factory.mktemp("reasoning"))


@pytest.fixture(scope="module")
def sources(settings: Settings) -> GraphStore:
    return load_sources(settings)


def _with(store: GraphStore, name: str) -> GraphStore:
    copy = store.copy()
    copy.add_quads(parse_file(INVALID / f"{name}.ttl", "https://w3id.org/relgraph/graph/extra"))
    return copy


def load_rules(folder: Path) -> list:  # type: ignore[type-arg]
    return load_check_queries(folder)


def run_rules(store: GraphStore, rules: list) -> list:  # type: ignore[type-arg]
    return run_check_queries(store, rules, phase="reasoning")


def test_rules_have_headers() -> None:
    rules = load_rules(RULES)
    assert len(rules) >= 5
    for rule in rules:
        assert rule.id.startswith("owl-rl/") and rule.description and rule.hint
        assert rule.severity == "error"


def test_rules_find_nothing_in_fixture(sources: GraphStore) -> None:
    assert run_rules(sources, load_rules(RULES)) == []


@pytest.mark.parametrize(
    ("name", "rule", "node", "axiom"),
    [
        ("disjoint-classes", "owl-rl/disjoint-classes", R + "theory-odd", "DisjointClasses"),
        (
            "functional-second-value",
            "owl-rl/functional-property",
            R + "finding-collaborative-adherence",
            "FunctionalProperty(<https://w3id.org/relgraph/ontology/hasDirection>)",
        ),
        ("year-ill-typed", "owl-rl/datatype", R + "work-words-1981", "not a valid"),
        ("year-not-integer", "owl-rl/datatype", R + "work-quoted-1980", "DataPropertyRange"),
        ("domain-disjoint", "owl-rl/domain-range-disjoint", R + "theory-role-theory", "Domain"),
    ],
)
def test_rule_pinpoints_individual_and_axiom(
    sources: GraphStore, name: str, rule: str, node: str, axiom: str
) -> None:
    found = run_rules(_with(sources, name), load_rules(RULES))
    assert any(v.rule == rule and v.node == node and axiom in v.message for v in found), found


def test_hermit_consistent_and_inconsistent(sources: GraphStore) -> None:
    """Two HermiT runs in parallel: the fixture graph, and one with two disjoint types."""
    good = start_hermit(sources.quads())
    bad = start_hermit(_with(sources, "disjoint-classes").quads())
    report = good.result()
    assert report.ran and report.consistent and report.unsatisfiable == [], report.message
    report = bad.result()
    assert report.ran and not report.consistent
    assert "inconsistent" in report.message


def test_check_reports_inconsistency_with_individuals(settings: Settings) -> None:
    report = check(settings, [INVALID / "functional-second-value.ttl"], reasoner=True)
    rules = {(p.rule, p.node) for p in report.errors}
    assert ("owl/inconsistent", "https://w3id.org/relgraph/ontology") in rules
    assert ("owl-rl/functional-property", R + "finding-collaborative-adherence") in rules
    (summary,) = [p for p in report.errors if p.rule == "owl/inconsistent"]
    assert "name the individuals" in summary.message


def test_hermit_timeout_is_reported(sources: GraphStore) -> None:
    report = start_hermit(sources.quads(), timeout_s=0.01).result()
    assert not report.ran and "reasoner_timeout_s" in report.message


def test_missing_java_falls_back_to_rules(settings: Settings, sources: GraphStore) -> None:
    store = _with(sources, "disjoint-classes")
    report = check_store(store, settings.replace(java="/no/such/java"), phases=("reasoning",))
    assert any("Java" in n and "OWL 2 RL" in n for n in report.notes)
    assert ("info", "owl/java-missing") in {(p.severity, p.rule) for p in report.problems}
    assert ("owl-rl/disjoint-classes", R + "theory-odd") in {
        (p.rule, p.node) for p in report.errors
    }


def test_rule_files_parse(sources: GraphStore) -> None:
    for path in sorted(Path(RULES).glob("*.rq")):
        sources.query(path.read_text(encoding="utf-8"))


# -- two HermiT runs answer as one on everything (docs/decisions/0012-check-at-scale.md) -------

_UNSAT_TBOX = """
@prefix rg: <https://w3id.org/relgraph/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
rg:TheoryFinding a owl:Class ; rdfs:label "theory finding"@en ;
    rdfs:subClassOf rg:Theory , rg:Finding .
rg:BothKinds a owl:Class ; rdfs:label "both kinds"@en ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( rg:Theory rg:Construct ) ] .
"""

#: extra fixtures the reasoning reacts to, and TBox faults written in an extra file
#: or in a data file (whose schema quads the class run must also read).
REASONING_CASES = [
    "disjoint-classes",
    "functional-second-value",
    "domain-disjoint",
    "same-and-different",
    "year-ill-typed",
    "setting-kind",
    "unsat-in-extra",
    "unsat-in-data",
    "unsat-and-inconsistent",
]


def _case(settings: Settings, sources: GraphStore, name: str) -> tuple[GraphStore, list[str]]:
    import pyoxigraph as ox

    from relgraph.checks import _with_extra
    from relgraph.store.origins import SourceIndex

    if name.startswith("unsat"):
        graph = "https://w3id.org/relgraph/graph/" + (
            "data/extra-classes" if name == "unsat-in-data" else "extra"
        )
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
            for t in ox.parse(_UNSAT_TBOX.encode(), format=ox.RdfFormat.TURTLE)
        ]
        store = _with(sources, "disjoint-classes") if "inconsistent" in name else sources.copy()
        store.add_quads(quads)
        return store, [] if name == "unsat-in-data" else [graph]
    return _with_extra(sources, settings, [INVALID / f"{name}.ttl"], SourceIndex())


@pytest.mark.parametrize("name", REASONING_CASES)
def test_split_hermit_answers_as_hermit_on_everything(
    settings: Settings, sources: GraphStore, name: str
) -> None:
    """HermiT's -k -U on the whole graph, against -k on it (no annotations) + -U on the TBox."""
    from relgraph.vocab import ONTOLOGY_IRI

    store, extra = _case(settings, sources, name)
    report = check_store(store, settings, extra_graphs=extra, phases=("reasoning",))
    found = {(p.rule, p.node) for p in report.problems if p.rule.startswith("owl/")}
    checked = GraphStore.from_quads(
        q for q in store.quads() if "/graph/shapes/" not in q.graph_name.value
    )
    whole = start_hermit(checked.quads()).result()
    expected = {("owl/unsatisfiable-class", c) for c in whole.unsatisfiable}
    if not whole.ran:  # e.g. an ill-typed literal the OWL API refuses to parse
        expected.add(("owl/hermit-not-run", ""))
    elif not whole.consistent:
        expected.add(("owl/inconsistent", ONTOLOGY_IRI))
    assert found == expected
    if name in ("unsat-in-extra", "unsat-in-data"):
        assert {c for _r, c in found} >= {
            "https://w3id.org/relgraph/ontology/TheoryFinding",
            "https://w3id.org/relgraph/ontology/BothKinds",
        }


def test_an_inconsistency_no_rule_explains_points_to_the_shacl_errors(tmp_path: Path) -> None:
    """Regression (session 5's tester): a method application whose rg:aboutMethod is a theory
    breaks a union range, which no OWL 2 RL rule explains; the hint said "fix the rule
    violations reported" when none was reported."""
    extra = tmp_path / "wrong-range.ttl"
    extra.write_text(
        "PREFIX rg: <https://w3id.org/relgraph/ontology/>\n"
        "PREFIX rgr: <https://w3id.org/relgraph/resource/>\n"
        "rgr:methoduse-role-theory-rating-scales rg:aboutMethod rgr:theory-role-theory .\n",
        encoding="utf-8",
    )
    settings = Settings(project_dir=str(ROOT), build_dir=str(tmp_path / "build"))
    report = check(settings, [extra])
    rules = {p.rule for p in report.errors}
    assert "shacl/Claim-aboutMethod" in rules
    assert not any(r.startswith("owl-rl/") for r in rules)
    (owl,) = [p for p in report.errors if p.rule == "owl/inconsistent"]
    assert "no OWL 2 RL rule pinpoints the cause" in owl.message
    assert "SHACL" in owl.hint and "rule violations reported" not in owl.hint
