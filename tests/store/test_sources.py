"""Loading sources: discovery, named graphs, clear errors for bad Turtle."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
import rdflib.compare

from relgraph.errors import LoadError
from relgraph.store.sources import discover_sources, graph_iri_for, load_rdflib, parse_file
from tests import FIXTURE_DATA, ROLE_THEORY, ROOT


def test_discovery_finds_ontology_then_data(fixture_settings):
    sources = discover_sources(fixture_settings)
    kinds = [s.kind for s in sources]
    assert kinds.index("data") > kinds.index("ontology")
    graphs = {s.graph for s in sources}
    assert "https://w3id.org/relgraph/graph/ontology/modules/core" in graphs
    assert len(graphs) == len(sources), "one named graph per file"


def test_graph_iri_outside_project_is_namespaced():
    assert graph_iri_for(Path("/elsewhere/new.ttl"), ROOT).endswith("/graph/extra/new")


def test_parse_file_puts_quads_in_graph():
    quads = list(parse_file(FIXTURE_DATA / "mini.ttl", "https://example.org/g"))
    assert quads and all(q.graph_name.value == "https://example.org/g" for q in quads)


def test_bad_turtle_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix rg: <https://w3id.org/relgraph/ontology/> .\n"
        "rg:a rg:b rg:c .\n"
        "rg:d rg:e \n"
        "rg:f rg:g .\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as info:
        list(parse_file(bad))
    err = info.value
    assert err.path == str(bad)
    assert err.line == 4
    assert f"{bad}:4" in str(err)
    assert err.hint


def test_unknown_extension_is_refused(tmp_path):
    odd = tmp_path / "x.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(LoadError, match="unsupported file type"):
        list(parse_file(odd))


def test_rdflib_graph_is_isomorphic_to_rdflib_parse():
    ours = load_rdflib([FIXTURE_DATA / "mini.ttl"])
    theirs = rdflib.Graph().parse(FIXTURE_DATA / "mini.ttl")
    assert rdflib.compare.isomorphic(ours, theirs)
    assert (ROLE_THEORY, None, None) in ours
