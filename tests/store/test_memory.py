"""The embedded store and the builder."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import OWL, RDF

from relgraph.errors import LoadError, NotBuiltError, QuerySyntaxError
from relgraph.mappings.sources import SOURCES
from relgraph.store import GraphStore
from relgraph.store.builder import build, built_graph_path, is_up_to_date, open_built
from relgraph.store.sources import discover_sources, parse_source, to_rdflib_triple
from tests import FIXTURE_DATA, ROLE_THEORY, ROOT
from tests import MINI_GRAPH as MINI
from tests.conftest import make_fixture_settings

MINI_GRAPH = str(MINI)


def test_default_graph_is_union(fixture_store):
    result = fixture_store.query(
        "SELECT ?label WHERE { ?t a rg:Theory ; rdfs:label ?label . rg:Theory rdfs:label ?c }"
    )
    assert [s["label"].value for s in result] == ["role theory"]


def test_named_graph_counts(fixture_store):
    graphs = {g.iri: g.triples for g in fixture_store.graphs()}
    assert graphs[MINI_GRAPH] == len(list(fixture_store.quads(MINI_GRAPH)))
    assert sum(graphs.values()) == len(fixture_store)


def test_dataset_restricts_default_graph(fixture_store):
    q = "ASK { ?t a rg:Theory }"
    assert bool(fixture_store.query(q, default_graphs=[MINI_GRAPH]))
    core = "https://w3id.org/relgraph/graph/ontology/modules/core"
    assert not bool(fixture_store.query(q, default_graphs=[core]))


def test_bindings_are_substituted(fixture_store):
    result = fixture_store.query(
        "SELECT ?t ?label WHERE { ?t rdfs:label ?label }", bindings={"t": ox.NamedNode(ROLE_THEORY)}
    )
    assert [s["label"].value for s in result] == ["role theory"]


def test_syntax_error_has_line_and_column(fixture_store):
    with pytest.raises(QuerySyntaxError) as info:
        fixture_store.query("SELECT *\nWHERE { ?s ?p }")
    assert info.value.line == 2
    assert info.value.column is not None
    assert "line 2" in str(info.value)


def _canonical(graph: rdflib.Graph) -> Counter[tuple[object, object, object]]:
    """The graph with each blank node named by the tree below it: equal iff isomorphic.

    relgraph's blank nodes form a forest (the SSSOM mappings' owl:Axiom nodes, the shapes'
    property shapes and RDF lists: each blank node is the object of one triple at most, and
    none reaches itself), checked below. For a forest, naming every blank node by the
    statements below it (recursively) is a canonical labelling, so comparing the multisets
    of named triples decides isomorphism. (rdflib's general ``isomorphic`` took ~5 s per
    graph here, four times per run.)
    """
    below: dict[rdflib.BNode, list[tuple[object, object]]] = {}
    parents: Counter[rdflib.BNode] = Counter()
    for s_, p_, o_ in graph:
        if isinstance(s_, rdflib.BNode):
            below.setdefault(s_, []).append((p_, o_))
        if isinstance(o_, rdflib.BNode):
            parents[o_] += 1
    assert all(n == 1 for n in parents.values()), "a blank node with two parents"
    names: dict[rdflib.BNode, str] = {}

    def name(node: rdflib.BNode, depth: int = 0) -> str:
        assert depth < 1000, "a cycle of blank nodes"
        if node not in names:
            edges = sorted(
                f"{p_} {name(o_, depth + 1) if isinstance(o_, rdflib.BNode) else o_.n3()}"
                for p_, o_ in below.get(node, [])
            )
            names[node] = "_:[" + "; ".join(edges) + "]"
        return names[node]

    return Counter(
        tuple(name(t) if isinstance(t, rdflib.BNode) else t for t in triple) for triple in graph
    )


def test_export_is_isomorphic_to_sources(fixture_settings, fixture_store):
    sources = discover_sources(fixture_settings)
    assert FIXTURE_DATA / "mini.ttl" in [s.path for s in sources]
    expected = rdflib.Graph()
    for source in sources:  # Turtle files, and the SSSOM mapping set as SKOS triples
        for quad in parse_source(source):
            expected.add(to_rdflib_triple(quad))
    # The merged export leaves out the modules' headers and their owl:imports (robot merge):
    # the modules of ontology/modules/ and the import modules of ontology/imports/.
    modules = [m for m in expected.subjects(RDF.type, OWL.Ontology) if "/modules/" in str(m)]
    assert len(modules) == len(list((ROOT / "ontology" / "modules").glob("*.ttl"))) + len(SOURCES)
    for module in modules:
        expected.remove((module, None, None))
        expected.remove((None, OWL.imports, module))
    formats = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "owl": ox.RdfFormat.RDF_XML,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    canonical = _canonical(expected)
    for fmt, syntax in formats.items():
        exported = rdflib.Graph()
        for quad in ox.parse(fixture_store.serialize(syntax), format=syntax):
            exported.add(to_rdflib_triple(quad))
        assert _canonical(exported) == canonical, fmt
    quads = list(
        ox.parse(fixture_store.serialize(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    )
    assert len(quads) == len(fixture_store)
    assert MINI_GRAPH in {q.graph_name.value for q in quads}


def test_build_is_idempotent_and_skips_when_unchanged(fixture_settings):
    first = build(fixture_settings)
    assert not first.skipped
    assert is_up_to_date(fixture_settings)
    second = build(fixture_settings)
    assert second.skipped and second.triples == first.triples


def test_failed_build_keeps_previous_graph(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mini.ttl").write_bytes((FIXTURE_DATA / "mini.ttl").read_bytes())
    settings = make_fixture_settings(tmp_path, data)
    build(settings)
    before = built_graph_path(settings).read_bytes()
    (data / "broken.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b x:e .\nx:c x:d\n", "utf-8")
    with pytest.raises(LoadError) as info:
        build(settings)
    assert "broken.ttl:3" in str(info.value) or "broken.ttl:4" in str(info.value)
    assert built_graph_path(settings).read_bytes() == before
    assert len(open_built(settings)) > 0


def test_verify_can_refuse_a_build(tmp_path):
    settings = make_fixture_settings(tmp_path)
    build(settings)
    before = built_graph_path(settings).read_bytes()

    def refuse(store: GraphStore, index: object, shapes: GraphStore) -> None:
        raise LoadError("refused on purpose", "none")

    with pytest.raises(LoadError, match="refused"):
        build(settings, force=True, verify=refuse)
    assert built_graph_path(settings).read_bytes() == before


def test_open_without_build_says_how_to_fix(tmp_path):
    with pytest.raises(NotBuiltError) as info:
        open_built(make_fixture_settings(tmp_path))
    assert "relgraph build" in info.value.hint


def test_owl_export_opens_offline_in_the_owl_api(fixture_store, tmp_path):
    """Regression: the export kept the modules' owl:imports, so Protégé / the OWL API
    tried to fetch them from the web. HermiT's command line parses with the OWL API."""
    import shutil
    import subprocess

    from relgraph.checks.owl import hermit_classpath

    path = tmp_path / "relgraph.owl"
    path.write_bytes(fixture_store.serialize(ox.RdfFormat.RDF_XML))
    done = subprocess.run(
        [shutil.which("java") or "java", "-cp", hermit_classpath(),
         "org.semanticweb.HermiT.cli.CommandLine", "-k", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Exception" not in done.stderr
    assert "is satisfiable" in done.stdout
