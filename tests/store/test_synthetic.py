"""Synthetic graphs (issue 13): seeded, the real graph as their core, and they pass the check."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from relgraph.checks import check
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, load_sources, open_built
from relgraph.store.synthetic import generate, pools_from, write_project
from relgraph.vocab import GRAPH, RG, SKOS
from tests import SHARED, requires_external, requires_seed


def _project_settings(project: Path) -> Settings:
    return Settings.load(project)


def _ground(quad: ox.Quad) -> bool:
    return not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode)


def _files(project: Path) -> dict[str, bytes]:
    folder = project / "data" / "synthetic"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_other_seed_other_files(
    repo_settings: Settings, repo_store: GraphStore, tmp_path: Path
) -> None:
    size = len(repo_store) + 2_000
    a = write_project(repo_settings, repo_store, tmp_path / "a", triples=size, seed=3)
    b = write_project(repo_settings, repo_store, tmp_path / "b", triples=size, seed=3)
    write_project(repo_settings, repo_store, tmp_path / "c", triples=size, seed=4)
    assert _files(tmp_path / "a")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert a.studies == b.studies


def test_project_builds_to_the_size_asked_with_the_real_graph_inside(
    repo_settings: Settings, repo_store: GraphStore, tmp_path: Path
) -> None:
    target = len(repo_store) + 5_000
    result = write_project(
        repo_settings, repo_store, tmp_path / "p", triples=target, seed=1, graph_triples=2_000
    )
    settings = _project_settings(result.project)
    built = build(settings, force=True)
    assert target <= built.triples < target + 600  # one study is a few dozen triples
    grown = open_built(settings)
    # every real quad is there, in the same named graph (blank nodes are renamed at parse)
    real = {q for q in repo_store.quads() if _ground(q)}
    assert real <= set(grown.quads())
    sizes = {g.iri: g.triples for g in grown.graphs()}
    # each real graph is unchanged; the mapping set also maps the new instruments
    for g in repo_store.graphs():
        assert sizes[g.iri] == g.triples or ("/mappings/" in g.iri and sizes[g.iri] > g.triples)
    synthetic = [g.iri for g in grown.graphs() if "/synthetic/" in g.iri]
    assert len(synthetic) == len(result.files) >= 2  # split into graphs of ~2,000 triples
    assert all(g.startswith(str(GRAPH) + "data/synthetic/studies-") for g in synthetic)
    # every generated resource says it is synthetic, in its IRI and its label
    new = {q.subject for q in grown.quads() if q.graph_name.value in synthetic}
    assert new and all("synthetic" in s.value for s in new if isinstance(s, ox.NamedNode))
    labels = grown.query(
        "SELECT ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } FILTER(CONTAINS(STR(?g), '/synthetic/')) }"
    )
    assert isinstance(labels, ox.QuerySolutions)
    assert all("synthetic" in row["l"].value for row in labels)
    counts = grown.query(
        "SELECT ?c (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(CONTAINS(STR(?g), '/synthetic/')) } GROUP BY ?c"
    )
    assert isinstance(counts, ox.QuerySolutions)
    kinds = {row["c"].value.removeprefix(str(RG)) for row in counts}
    assert {"CitedWork", "Finding", "Citation", "Passage", "MethodApplication"} <= kinds
    assert "Instrument" in kinds


@requires_external
@requires_seed
def test_the_grown_graph_passes_the_check(
    repo_settings: Settings, repo_store: GraphStore, tmp_path: Path
) -> None:
    """Some thousand triples over the real size (the bench checks every size it measures)."""
    target = len(repo_store) + 6_000
    result = write_project(repo_settings, repo_store, tmp_path / "p", triples=target, seed=2)
    settings = _project_settings(result.project)
    # new instruments are mapped in the project's SSSOM mapping set, as real ones are
    sssom = (result.project / "mappings" / "relgraph.sssom.tsv").read_text(encoding="utf-8")
    assert "rgr:instrument-synthetic-" in sssom
    report = check(settings, reasoner=False)
    assert report.triples >= target
    assert not report.errors, [p.rule for p in report.errors]
    assert json.loads(report.to_json())["problems"] == []


def test_stored_queries_see_the_synthetic_studies(
    repo_settings: Settings, repo_store: GraphStore, tmp_path: Path
) -> None:
    from relgraph.query.catalog import get_query

    target = len(repo_store) + 3_000
    result = write_project(repo_settings, repo_store, tmp_path / "p", triples=target, seed=1)
    grown = load_sources(_project_settings(result.project))
    query = get_query(repo_settings, "cq25-findings-by-direction")
    real_rows = list(query.select(repo_store))  # type: ignore[arg-type]
    grown_rows = list(query.select(grown))  # type: ignore[arg-type]
    assert len(grown_rows) > len(real_rows)


def test_mappings_are_grown_when_the_graph_has_a_mappings_graph(repo_store: GraphStore) -> None:
    """A mappings graph of plain SKOS triples (no SSSOM file): mapping triples are grown."""
    mappings = str(GRAPH) + "mappings/instruments"
    bare = GraphStore.from_quads(
        q for q in repo_store.quads() if "mapping" not in str(q.graph_name)
    )
    store = bare.copy()
    target = ox.NamedNode("http://purl.obolibrary.org/obo/MF_0000016")
    store.add_quads(
        [
            ox.Quad(
                ox.NamedNode(
                    "https://w3id.org/relgraph/resource/instrument-working-alliance-inventory"
                ),
                ox.NamedNode(str(SKOS.closeMatch)),
                target,
                ox.NamedNode(mappings),
            )
        ]
    )
    pools = pools_from(store)
    assert pools.mapping_graph == mappings
    mapped = [t for _, m, _ in generate(pools, 20_000, seed=5) for t in m]
    assert mapped
    assert all(t.predicate.value == str(SKOS.closeMatch) and t.object == target for t in mapped)
    assert all("instrument-synthetic-" in t.subject.value for t in mapped)
    # without a mappings graph, none
    assert not [t for _, m, _ in generate(pools_from(bare), 20_000, seed=5) for t in m]


def test_synth_command(invoke: object, tmp_path: Path, repo_settings: Settings) -> None:
    from click.testing import CliRunner

    from relgraph.cli import cli

    out = tmp_path / "synth"
    args = ["-s", f"build_dir={repo_settings.build_dir}", "-s", f"seed_dir={SHARED / 'seed'}"]
    result = CliRunner().invoke(
        cli, [*args, "synth", "--triples", "1.5e4", "--seed", "7", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "synthetic studies" in result.output and str(out) in result.output
    assert (out / "relgraph.toml").is_file() and (out / "data" / "synthetic").is_dir()
    bad = CliRunner().invoke(cli, [*args, "synth", "--triples", "lots", "-o", str(out)])
    assert bad.exit_code == 2 and "not a number of triples" in bad.output


def test_synth_refuses_to_overwrite_the_project(
    repo_settings: Settings, repo_store: GraphStore
) -> None:
    from relgraph.errors import ConfigError

    with pytest.raises(ConfigError, match="project folder itself"):
        write_project(repo_settings, repo_store, repo_settings.project_path / ".", triples=10)
