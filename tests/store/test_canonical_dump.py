"""The built graph is written in a canonical form: the same sources, the same bytes (issue 13).

Before, two builds of the same sources wrote different N-Quads (blank node ids are
fresh in every load, and pyoxigraph orders quads by them), so every entity tag of
the endpoint changed on a rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, built_graph_path, manifest_path
from tests.conftest import make_fixture_settings


def test_two_builds_of_the_same_sources_write_the_same_graph(tmp_path: Path) -> None:
    digests, texts = [], []
    for name in ("one", "two"):
        settings: Settings = make_fixture_settings(tmp_path / name)
        build(settings, force=True)
        texts.append(built_graph_path(settings).read_bytes())
        digests.append(json.loads(manifest_path(settings).read_text())["graph_sha256"])
    assert texts[0] == texts[1] and digests[0] == digests[1]
    assert texts[0].count(b"_:") > 100  # the ontology's axioms: blank nodes were renamed


def _dumped(store: GraphStore, path: Path) -> bytes:
    store.dump(path)
    return path.read_bytes()


def test_the_canonical_form_is_the_same_graph(tmp_path: Path) -> None:
    g = ox.NamedNode("https://example.org/g")
    p, q = ox.NamedNode("https://example.org/p"), ox.NamedNode("https://example.org/q")
    a, b = ox.BlankNode(), ox.BlankNode()
    quads = [
        ox.Quad(ox.NamedNode("https://example.org/s"), p, a, g),
        ox.Quad(a, q, ox.Literal("a literal with _:x in it"), g),
        ox.Quad(a, p, b, g),
        ox.Quad(b, q, ox.Literal("two", language="en"), g),
        ox.Quad(ox.NamedNode("https://example.org/s"), q, ox.Literal("_:y ."), g),
    ]
    store = GraphStore.from_quads(quads)
    before = set(store.quads())
    text = _dumped(store, tmp_path / "one.nq")
    assert set(store.quads()) == before  # the store ends as it began
    lines = text.splitlines()
    assert len(lines) == len(quads)
    assert lines[-4:] == sorted(lines[-4:]) and all(b"_:" in line for line in lines[-4:])
    again = GraphStore.from_quads(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    assert _dumped(again, tmp_path / "two.nq") == text
    original = ox.Dataset(quads)
    parsed = ox.Dataset(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    original.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    parsed.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert original == parsed  # isomorphic: the same graph, blank nodes renamed
    assert _dumped(GraphStore(), tmp_path / "empty.nq") == b""
