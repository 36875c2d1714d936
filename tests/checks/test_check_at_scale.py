"""The check's phases at scale (issue 13, docs/decisions/0017-check-phases-at-scale.md).

Each speed-up keeps the results: the rewritten quality queries give the rows of
their reference formulations (``tests/checks/reference/``, the queries before
the rewrite) on the real graph and on every negative fixture; the fidelity
phase's shortcuts give what the long way gives; the store a check is given
ends as it began.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pyoxigraph as ox
import pytest

from relgraph.checks import _with_extra, check_store
from relgraph.checks import phases as phase_table
from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.fidelity import VOCABULARY_QUERY
from relgraph.checks.shacl import _blank_order, _text_blank_order
from relgraph.checks.sparql import load_check_queries
from relgraph.checks.wording import ReviewText, words
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.origins import SourceIndex
from relgraph.store.parts import graph_parts
from tests import ROOT, SEED_DIR, requires_seed
from tests.conftest import make_fixture_settings

INVALID = sorted(
    p for p in (ROOT / "tests" / "data" / "invalid").glob("*.ttl") if p.stem != "not-turtle"
)
REFERENCE = ROOT / "tests" / "checks" / "reference"
#: The vocabulary query before 0017 (FILTER NOT EXISTS, evaluated per row).
VOCABULARY_REFERENCE = """SELECT ?e ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:altLabel dcterms:description }
  ?e ?p ?o .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), STR(rgr:)))
  FILTER NOT EXISTS { ?e a/rdfs:subClassOf* rg:Publication }
  FILTER NOT EXISTS { ?e dcterms:source|prov:wasQuotedFrom|prov:used ?elsewhere }
  FILTER NOT EXISTS { ?e a/rdfs:subClassOf* prov:Agent }
}"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GraphStore]:
    settings = make_fixture_settings(tmp_path_factory.mktemp("scale"))
    return settings, load_sources(settings)


def _checked(store: GraphStore, settings: Settings, extra: list[str]) -> GraphStore:
    parts = graph_parts(store, settings, extra)
    return GraphStore.from_quads(q for g in parts.checked for q in store.quads(g))


def _rows(store: GraphStore, text: str) -> set[tuple[str, ...]]:
    result = store.select(text)
    return {tuple(str(t) for t in row) for row in result}


def _stores(project: tuple[Settings, GraphStore]) -> list[tuple[str, GraphStore]]:
    settings, base = project
    out = [("fixture project", _checked(base, settings, []))]
    for path in INVALID:
        store, extra = _with_extra(base, settings, [path], SourceIndex())
        out.append((path.stem, _checked(store, settings, extra)))
    return out


def test_rewritten_queries_give_the_reference_rows(
    project: tuple[Settings, GraphStore], repo_settings: Settings
) -> None:
    """malformed-iri and undeclared-term: the same rows on every fixture and the real graph."""
    rewritten = {q.id: q for q in load_check_queries(ROOT / "queries" / "checks")}
    references = load_check_queries(REFERENCE)
    assert {q.id for q in references} == {"malformed-iri", "undeclared-term"}
    real = load_sources(repo_settings)
    stores = [*_stores(project), ("real graph", _checked(real, repo_settings, []))]
    found = set()
    for name, store in stores:
        for reference in references:
            expected = _rows(store, reference.text)
            assert _rows(store, rewritten[reference.id].text) == expected, (name, reference.id)
            found |= {(reference.id, name)} if expected else set()
        assert _rows(store, VOCABULARY_QUERY) == _rows(store, VOCABULARY_REFERENCE), name
    # the fixtures that plant the faults do find them (so the comparison is not vacuous)
    assert {("undeclared-term", "undeclared-term"), ("malformed-iri", "obo-curie")} <= found


def test_multiple_labels_and_definitions_name_the_smallest_value(
    project: tuple[Settings, GraphStore],
) -> None:
    """MIN, not SAMPLE: the value reported does not depend on the store's history."""
    settings, base = project
    queries = {q.id: q for q in load_check_queries(ROOT / "queries" / "checks")}
    for fixture, rule, value in [
        ("multiple-labels", "multiple-labels", "first name"),
        ("multiple-definitions", "multiple-definitions", "A fixture outcome for one fault."),
    ]:
        path = ROOT / "tests" / "data" / "invalid" / f"{fixture}.ttl"
        store, extra = _with_extra(base, settings, [path], SourceIndex())
        for copy in (_checked(store, settings, extra), store):
            rows = [row for row in copy.select(queries[rule].text)]
            assert [r["value"].value for r in rows] == [value]


def test_the_check_leaves_the_store_as_it_was(
    project: tuple[Settings, GraphStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shapes graphs are out of the store during the phases and back after, even on error."""
    settings, base = project
    store = GraphStore.from_quads(base.quads())
    before = set(store.quads())
    seen: list[int] = []

    def spy(ctx: CheckContext, started: object = None) -> PhaseResult:
        seen.append(len(ctx.store))
        assert not [g for g in ctx.parts.shapes if any(True for _ in ctx.store.quads(g))]
        assert len(ctx.shapes) > 0
        return PhaseResult()

    table = tuple(
        phase_table.Phase(p.name, spy, p.summary) if p.name == "spans" else p
        for p in phase_table.PHASES
    )
    monkeypatch.setattr("relgraph.checks.PHASES", table)
    check_store(store, settings, reasoner=False, phases=("spans",))
    assert seen and seen[0] < len(before)
    assert set(store.quads()) == before

    def boom(ctx: CheckContext, started: object = None) -> PhaseResult:
        raise RuntimeError("a phase failed")

    table = tuple(
        phase_table.Phase(p.name, boom, p.summary) if p.name == "spans" else p
        for p in phase_table.PHASES
    )
    monkeypatch.setattr("relgraph.checks.PHASES", table)
    with pytest.raises(RuntimeError):
        check_store(store, settings, reasoner=False, phases=("spans",))
    assert set(store.quads()) == before


def test_graph_counts_are_the_quads_of_each_graph(project: tuple[Settings, GraphStore]) -> None:
    _settings, store = project
    counts: dict[str, int] = {}
    for q in store.quads():
        if isinstance(q.graph_name, ox.NamedNode):
            counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    assert [(g.iri, g.triples) for g in store.graphs()] == sorted(counts.items())


def test_blank_node_order_read_from_the_text(project: tuple[Settings, GraphStore]) -> None:
    """The regular expression finds the blank nodes in the order the engine numbers them."""
    _settings, store = project
    graphs = [g.iri for g in store.graphs()]
    text = "".join(store.graph_ntriples(g).decode() for g in graphs)
    triples = [q.triple for g in graphs for q in store.quads(g)]
    order = _blank_order(triples)
    assert len(order) > 10  # the ontology's axioms and lists
    assert _text_blank_order(text) == order
    # literals that look like blank nodes, also over several lines, are not blank nodes
    tricky = [
        ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), o)
        for o in (ox.Literal("x _:fake ."), ox.Literal("_:fake2 <p> _:fake3 .\n_:fake4 ."))
    ]
    blank = ox.BlankNode("real")
    tricky.append(ox.Triple(blank, ox.NamedNode("http://example.org/p"), ox.Literal("_:x")))
    text = (ox.serialize(tricky, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    assert _text_blank_order(text) == _blank_order(tricky) == ["real"]


@requires_seed
def test_copied_run_prefilter_misses_nothing() -> None:
    """The stride prefilter only skips literals without a shared run (against no prefilter)."""
    review = ReviewText(sorted(SEED_DIR.glob("*.txt"))[0].read_text(encoding="utf-8"))
    plain = ReviewText(review.text)
    plain._stride = 1  # every position: a filter that only needs one shared word
    plain._grams = [{(t.text,) for t in stream} for stream in plain._streams]
    every = words(review.text)
    rng = random.Random(13)
    literals = []
    for _ in range(400):
        start, size = rng.randrange(len(every) - 40), rng.choice([11, 12, 13, 14, 20, 30])
        chosen = every[start : start + size]
        if rng.random() < 0.5:  # break the run somewhere
            chosen[rng.randrange(size)] = "zzzz"
        literals.append("Our words then " + " ".join(chosen) + " and ours again.")
    hits = 0
    for literal in literals:
        expected = plain.copied_run(literal)
        assert review.copied_run(literal) == expected, literal
        hits += expected is not None
    assert hits > 50


def test_words_of_ascii_and_other_texts() -> None:
    """The ASCII shortcut of words() gives what the general way (NFC, then each word) gives."""
    for text in ("Self-Concept (patient)", "A B_c d9 E", "nai\u0308ve Überich", "İstanbul x"):
        general = [w.lower() for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))]
        assert words(text) == general, text


def test_shacl_runs_in_the_background_after_the_python_phases() -> None:
    """The Rust engine starts first, in a worker thread, and is collected after them."""
    names = [p.name for p in phase_table.PHASES]
    assert names == ["spans", "fidelity", "queries", "mappings", "shacl", "reasoning"]
    assert {p.name for p in phase_table.PHASES if p.start is not None} == {"shacl", "reasoning"}
