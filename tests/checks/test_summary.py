"""The summary ABox (docs/decisions/0016-reasoning-at-scale.md): HermiT's consistency test
on a folded graph gives the verdicts HermiT gives on the graph itself."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from relgraph.checks import check_store
from relgraph.checks.owl import (
    annotation_properties,
    classes_input,
    reasoning_input,
    start_ntriples,
)
from relgraph.checks.summary import (
    SUMMARY_PREFIX,
    fold,
    module,
    ntriples,
    read_store,
    summarise,
    terms,
    whole_graph,
)
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.parts import graph_parts
from tests import ROOT
from tests.checks.test_owl import REASONING_CASES, _case
from tests.conftest import make_fixture_settings

INVALID = ROOT / "tests" / "data" / "invalid"
EX = "http://example.org/"
_HEAD = """
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:T a owl:Class . ex:U a owl:Class .
ex:p a owl:ObjectProperty . ex:f a owl:ObjectProperty , owl:FunctionalProperty .
ex:year a owl:DatatypeProperty , owl:FunctionalProperty ; rdfs:range xsd:integer .
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_fixture_settings(tmp_path_factory.mktemp("summary"))


@pytest.fixture(scope="module")
def sources(settings: Settings) -> GraphStore:
    return load_sources(settings)


def _triples(turtle: str) -> set[tuple[str, str, str]]:
    return terms(ox.parse((_HEAD + turtle).encode(), format=ox.RdfFormat.TURTLE))


def _hermit(data: bytes) -> bool:
    report = start_ntriples(data, classes=False).result()
    assert report.ran, report.message
    return report.consistent


def _subjects(summary: bytes) -> set[str]:
    return {line.split(" ", 1)[0] for line in summary.decode().splitlines()}


# -- how individuals are folded ------------------------------------------------------------------


def test_individuals_of_one_kind_share_a_summary_individual() -> None:
    triples = _triples(
        "ex:a a ex:T ; ex:p ex:c . ex:b a ex:T ; ex:p ex:d . ex:c a ex:U . ex:d a ex:U ."
    )
    summary = summarise(triples)
    assert summary.individuals == 4 and summary.groups == 2
    assert not any(f"<{EX}{x}>" in summary.ntriples.decode() for x in "abcd")
    assert _hermit(summary.ntriples)


def test_functional_values_keep_individuals_apart() -> None:
    """Two works with different years, cited through a functional property by two
    findings of one kind: merging either pair would give a property two values."""
    triples = _triples(
        """
        ex:w1 a ex:U ; ex:year 1979 . ex:w2 a ex:U ; ex:year 1980 .
        ex:a a ex:T ; ex:f ex:w1 . ex:b a ex:T ; ex:f ex:w2 .
        """
    )
    summary = summarise(triples)
    assert summary.groups == 4 and summary.rounds >= 1
    assert _hermit(summary.ntriples)


def test_individuals_named_outside_assertions_map_to_themselves() -> None:
    """Nominals (owl:oneOf), owl:sameAs / owl:differentFrom and blank nodes stay as written."""
    triples = _triples(
        """
        ex:V a owl:Class ; owl:equivalentClass [ owl:oneOf ( ex:v1 ex:v2 ) ] .
        ex:a a ex:T ; ex:p ex:v1 . ex:b a ex:T ; ex:p ex:v2 .
        ex:c a ex:T ; owl:differentFrom ex:d . ex:d a ex:T .
        [] a ex:T ; ex:p ex:a .
        """
    )
    text = summarise(triples).ntriples.decode()
    for name in ("v1", "v2", "c", "d"):
        assert f"<{EX}{name}>" in text
    assert f"<{EX}a>" in text  # named by the blank node's assertion, kept verbatim
    assert f"<{EX}b>" not in text


def test_summary_iri_in_the_graph_is_refused() -> None:
    with pytest.raises(ValueError, match=SUMMARY_PREFIX):
        summarise(_triples(f"<{SUMMARY_PREFIX}1> a ex:T ."))


def test_module_keeps_the_seeds_and_their_neighbours() -> None:
    triples = _triples(
        "ex:a a ex:T ; ex:p ex:c . ex:b a ex:T ; ex:p ex:d . ex:c a ex:U . ex:d a ex:U ."
    )
    data, size = module(triples, [EX + "a"])
    subjects = _subjects(data)
    assert {f"<{EX}a>", f"<{EX}c>"} <= subjects and f"<{EX}b>" not in subjects
    assert size == len(data.decode().splitlines())
    data, _size = module(triples, [EX + "c"])  # pointed to: its own assertions only
    assert f"<{EX}a>" not in _subjects(data) and f"<{EX}c>" in _subjects(data)


# -- the verdicts are HermiT's on the whole graph ---------------------------------------------


def test_fixture_summary_is_smaller_and_consistent(settings: Settings, sources: GraphStore) -> None:
    inputs = reasoning_input(sources, graph_parts(sources, settings))
    summary = summarise(inputs.consistency)
    assert summary.triples < len(inputs.consistency) and summary.groups < summary.individuals
    assert _hermit(summary.ntriples)


def _verdict(report: object) -> set[tuple[str, str]]:
    return {(p.rule, p.node) for p in report.problems if p.rule.startswith("owl/")}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", REASONING_CASES)
def test_summary_and_whole_graph_give_one_verdict(
    settings: Settings, sources: GraphStore, name: str
) -> None:
    """The check with the summary ABox, and with HermiT reading the graph itself."""
    store, extra = _case(settings, sources, name)
    folded = check_store(store, settings, extra_graphs=extra, phases=("reasoning",))
    whole = check_store(
        store, settings.replace(reasoner_summary=False), extra_graphs=extra, phases=("reasoning",)
    )
    assert _verdict(folded) == _verdict(whole)
    assert "hermit_summary" in folded.timings and "hermit_summary" not in whole.timings


def test_inconsistency_named_by_a_rule_is_proved_on_a_module(
    settings: Settings, sources: GraphStore
) -> None:
    """A second direction of a functional property: the summary is inconsistent, and the
    module around the finding the rule names proves it, without HermiT on everything."""
    store, extra = _case(settings, sources, "functional-second-value")
    report = check_store(store, settings, extra_graphs=extra, phases=("reasoning",))
    assert ("owl/inconsistent", "https://w3id.org/relgraph/ontology") in _verdict(report)
    assert "hermit_module" in report.timings and "hermit_whole" not in report.timings


_FALSE_ALARM = """
@prefix rg: <https://w3id.org/relgraph/ontology/> .
@prefix rgr: <https://w3id.org/relgraph/resource/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[ a owl:Class ; owl:intersectionOf (
    [ a owl:Restriction ; owl:onProperty rg:concernsOutcome ; owl:hasValue rgr:outcome-a ]
    [ a owl:Restriction ; owl:onProperty rg:concernsOutcome ; owl:hasValue rgr:outcome-b ] ) ]
  rdfs:subClassOf owl:Nothing .
rgr:outcome-a a owl:NamedIndividual , rg:Outcome .
rgr:outcome-b a owl:NamedIndividual , rg:Outcome .
rgr:finding-a a owl:NamedIndividual , rg:Finding ; rg:concernsOutcome rgr:outcome-a .
rgr:finding-b a owl:NamedIndividual , rg:Finding ; rg:concernsOutcome rgr:outcome-b .
"""


def test_false_alarm_of_the_summary_is_decided_on_the_whole_graph(
    settings: Settings, sources: GraphStore
) -> None:
    """No finding may concern both outcomes; two findings of one kind concern one each.
    Their summary individual concerns both (inconsistent), the graph is consistent."""
    graph = ox.NamedNode("https://w3id.org/relgraph/graph/extra")
    store = sources.copy()
    store.add_quads(
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(_FALSE_ALARM.encode(), format=ox.RdfFormat.TURTLE)
    )
    report = check_store(store, settings, extra_graphs=[graph.value], phases=("reasoning",))
    assert _verdict(report) == set()
    assert "hermit_whole" in report.timings  # the summary was a false alarm


def test_graph_using_summary_iris_is_read_whole(settings: Settings, sources: GraphStore) -> None:
    graph = ox.NamedNode("https://w3id.org/relgraph/graph/extra")
    store = sources.copy()
    store.add_quads(
        [
            ox.Quad(
                ox.NamedNode(SUMMARY_PREFIX + "0"),
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://w3id.org/relgraph/ontology/Finding"),
                graph,
            )
        ]
    )
    report = check_store(store, settings, extra_graphs=[graph.value], phases=("reasoning",))
    assert any("whole graph" in n for n in report.notes)
    assert "hermit_summary" not in report.timings


def test_summary_keeps_every_assertion_form(settings: Settings, sources: GraphStore) -> None:
    """Mapped through f, the summary has an assertion for each of the graph's."""
    inputs = reasoning_input(sources, graph_parts(sources, settings))
    summary = summarise(inputs.consistency).ntriples.decode()
    predicates = {t[1] for t in inputs.consistency}
    assert {line.split(" ", 2)[1] for line in summary.splitlines()} == predicates
    assert ntriples(inputs.consistency).count(b"\n") == len(inputs.consistency)


def test_reasoning_input_reads_every_triple_as_written(
    settings: Settings, sources: GraphStore
) -> None:
    """The fast reader (pyoxigraph's N-Quads, split) against ``str()`` of each term."""
    from relgraph.checks.owl import annotation_properties

    annotations = annotation_properties(sources)
    imports = "http://www.w3.org/2002/07/owl#imports"
    expected = terms(
        q
        for q in sources.quads()
        if q.predicate.value != imports
        and (q.predicate.value not in annotations or str(q.subject)[1:-1] in annotations)
    )
    inputs = reasoning_input(sources, graph_parts(sources, settings))
    assert inputs.consistency == expected


def test_reasoning_input_reads_the_default_graph_too() -> None:
    """A store filled from elsewhere (e.g. pulled from a triple store) may use it."""
    from relgraph.checks.owl import _graph_terms, _named_graphs

    p = ox.NamedNode(EX + "p")
    store = GraphStore.from_quads(
        [
            ox.Quad(ox.NamedNode(EX + "a"), p, ox.Literal("x y ."), ox.DefaultGraph()),
            ox.Quad(ox.NamedNode(EX + "a"), p, ox.Literal("z"), ox.NamedNode(EX + "g")),
        ]
    )
    assert _named_graphs(store) == [EX + "g", ""]
    assert list(_graph_terms(store, "")) == [(f"<{EX}a>", f"<{EX}p>", '"x y ."')]
    assert list(_graph_terms(store, EX + "g")) == [(f"<{EX}a>", f"<{EX}p>", '"z"')]


# -- the store reader (read_store) against the reader of every triple (reasoning_input) ---------


@pytest.mark.parametrize("name", ["project", *REASONING_CASES])
def test_store_reader_reads_what_hermit_reads(
    settings: Settings, sources: GraphStore, name: str
) -> None:
    """The same consistency graph, TBox and summary (byte for byte) as from every triple."""
    store, extra = (sources, []) if name == "project" else _case(settings, sources, name)
    parts = graph_parts(store, settings, extra)
    inputs = reasoning_input(store, parts)
    graph = read_store(store, annotation_properties(store))
    assert whole_graph(graph) == inputs.consistency
    assert classes_input(store, parts, graph) == inputs.classes
    assert fold(graph).ntriples == summarise(inputs.consistency).ntriples


def test_store_reader_reads_the_default_graph_and_odd_triples() -> None:
    """Triples in the default graph, assertions on blank nodes, a literal given to an
    object property, an IRI to a data property, an annotation on an annotation property."""
    turtle = (
        _HEAD
        + """
        ex:note a owl:AnnotationProperty ; ex:note "an annotation of the property itself" .
        ex:a a ex:T ; ex:p "a literal" ; ex:year ex:b ; ex:note "dropped" ; rdfs:label "x" .
        [] a ex:T ; ex:p ex:a ; ex:year 1979 ; rdfs:comment "kept for the TBox" .
        ex:b a ex:U ; ex:q ex:a .
        """
    )
    triples = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    half = len(triples) // 2
    store = GraphStore.from_quads(
        [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples[:half]]
        + [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(EX + "g"))
            for t in triples[half:]
        ]
    )
    parts = graph_parts(store, Settings())
    inputs = reasoning_input(store, parts)
    assert (f"<{EX}a>", f"<{EX}p>", '"a literal"') in inputs.consistency  # default graph
    graph = read_store(store, annotation_properties(store))
    assert whole_graph(graph) == inputs.consistency
    assert classes_input(store, parts, graph) == inputs.classes
    assert fold(graph).ntriples == summarise(inputs.consistency).ntriples
