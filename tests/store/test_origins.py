"""Issue 13, the build at scale: sources go to pyoxigraph's loader, lines are found when asked.

The build no longer keeps the line of every node and every literal as written
(:class:`relgraph.store.origins.SourceIndex` parses again only the files of
the nodes a report names); these tests hold it to what the eager index gave:
the same graph, the file and line of IRIs and blank nodes, values as written,
and a build refused with file and line for an error deep in a big file, the
previous graph kept.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pyoxigraph as ox
import pytest

from relgraph.checks import verify_for_build
from relgraph.errors import CheckFailed, LoadError
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import (
    build,
    built_graph_path,
    load_checked_and_shapes,
    load_sources,
)
from relgraph.store.origins import SourceIndex, blank_colours
from relgraph.store.sources import Origins, Source, discover_sources, parse_file, parse_source
from relgraph.vocab import RGR
from tests import FIXTURE_DATA
from tests.conftest import make_fixture_settings

EX = "http://example.org/"
YEAR_ILL_TYPED = FIXTURE_DATA.parent / "invalid" / "year-ill-typed.ttl"
HEAD = f"@prefix ex: <{EX}> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def _source(path: Path, graph: str = EX + "g") -> Source:
    return Source(path, graph, "data")


def _loaded(path: Path) -> tuple[GraphStore, SourceIndex]:
    store, index = GraphStore(), SourceIndex()
    source = _source(path)
    store.load_source(source)
    index.track(store, source, path.name)
    return store, index


def _blank(store: GraphStore, label: str) -> str:
    """The store's id of the blank node labelled ``label``."""
    rows = list(store.select(f'SELECT ?b WHERE {{ ?b <{EX}label> "{label}" FILTER isBlank(?b) }}'))
    assert len(rows) == 1
    node = rows[0]["b"]
    assert isinstance(node, ox.BlankNode)
    return "_:" + node.value


def test_the_loader_gives_the_graph_parse_file_gives(fixture_settings: Settings) -> None:
    """Every source, loaded by pyoxigraph's loader, is the graph the Python parse gives."""
    for source in discover_sources(fixture_settings):
        fast, slow = ox.Store(), ox.Store()
        GraphStore(fast).load_source(source)
        slow.bulk_extend(parse_source(source))
        assert len(fast) == len(slow), source.path
        ground = {q for q in slow if not _has_blank(q)}
        assert ground == {q for q in fast if not _has_blank(q)}, source.path
        assert sorted(blank_colours(fast).values()) == sorted(blank_colours(slow).values())


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def test_iri_lines_are_the_first_statement_of_the_node(tmp_path: Path) -> None:
    path = tmp_path / "a.ttl"
    lines = [HEAD.rstrip("\n")] + [f"ex:n{i} ex:label {i} ." for i in range(2000)]
    lines.insert(1500, "ex:n7 ex:again 7 .")  # described again later: the first line counts
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store, index = _loaded(path)
    assert index.where(EX + "n7") == ("a.ttl", 3 + 7)
    assert index.where(EX + "n1999") == ("a.ttl", 3 + 1999 + 1)  # after the inserted line
    assert index.where(EX + "nowhere") is None and index.where("") is None


def test_blank_nodes_are_found_by_their_place_in_the_graph(tmp_path: Path) -> None:
    """Blank nodes get new ids in every parse; their lines are still found, nested ones too."""
    path = tmp_path / "b.ttl"
    body = []
    for i in range(300):
        body.append(f'ex:s{i} ex:has [ ex:label "b{i}" ; ex:inner [ ex:label "c{i}" ] ] .')
        body.append(f'_:x{i} ex:label "x{i}" .')
    path.write_text(HEAD + "\n".join(body) + "\n", encoding="utf-8")
    store, index = _loaded(path)
    first = HEAD.count("\n") + 1
    for i in (0, 150, 299):
        assert index.where(_blank(store, f"b{i}")) == ("b.ttl", first + 2 * i)
        assert index.where(_blank(store, f"c{i}")) == ("b.ttl", first + 2 * i)
        assert index.where(_blank(store, f"x{i}")) == ("b.ttl", first + 2 * i + 1)


def test_blank_nodes_told_apart_only_by_their_neighbours(tmp_path: Path) -> None:
    """Same triples of their own, different IRIs around them: colour refinement tells."""
    path = tmp_path / "c.ttl"
    path.write_text(
        HEAD + 'ex:a ex:p [ ex:q [ ex:r "same" ] ] .\n\nex:b ex:p [ ex:q [ ex:r "same" ] ] .\n',
        encoding="utf-8",
    )
    store, index = _loaded(path)
    rows = list(
        store.select(f"SELECT ?s ?inner WHERE {{ ?s <{EX}p> ?b . ?b <{EX}q> ?inner }} ORDER BY ?s")
    )
    inner = {str(row["s"].value): "_:" + row["inner"].value for row in rows}  # type: ignore[union-attr]
    assert index.where(inner[EX + "a"]) == ("c.ttl", 3)
    assert index.where(inner[EX + "b"]) == ("c.ttl", 5)


def test_values_as_written_for_iris_and_blank_nodes(tmp_path: Path) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(
        HEAD
        + 'ex:w ex:year "01700"^^xsd:integer .\n[] ex:label "n" ; ex:year "+0042"^^xsd:integer .\n',
        encoding="utf-8",
    )
    store, index = _loaded(path)
    blank = _blank(store, "n")
    written = index.written({EX + "w", blank})
    assert written == {(EX + "w", "1700"): "01700", (blank, "42"): "+0042"}


def test_files_parsed_with_lines_win(tmp_path: Path) -> None:
    """An extra file (parsed with lines from the start) is where its nodes are shown."""
    path = tmp_path / "e.ttl"
    path.write_text(HEAD + "ex:a ex:p 1 .\n", encoding="utf-8")
    store, index = _loaded(path)
    extra = tmp_path / "extra.ttl"
    extra.write_text(HEAD + "\n\nex:a ex:p 2 .\n", encoding="utf-8")
    origins: Origins = {}
    index.add(parse_file(extra, EX + "extra", origins=origins, name="extra.ttl"))
    index.origins.update(origins)
    assert index.where(EX + "a") == ("extra.ttl", 5)


@pytest.mark.parametrize(
    ("text", "construct", "line"),
    [
        ("# a -- comment\nex:a ex:p ex:b .\nex:c ex:p << ex:a ex:p ex:b >> .\n", "triple term", 5),
        ('ex:a ex:p "x"@en--rtl .\n', "base direction", 3),
    ],
)
def test_rdf12_constructs_are_refused_with_their_line(
    tmp_path: Path, text: str, construct: str, line: int
) -> None:
    path = tmp_path / "r.ttl"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        GraphStore().load_source(_source(path))
    assert construct in info.value.message and info.value.line == line


def test_a_file_with_rdf12_marks_but_no_construct_loads(tmp_path: Path) -> None:
    """The byte marks only send a file to the Python parser; it loads the same graph."""
    path = tmp_path / "m.ttl"
    path.write_text(
        HEAD + '# see <<this>> -- and ~that\nex:a ex:label "x -- y ~ z << w" .\n', encoding="utf-8"
    )
    store, index = _loaded(path)
    assert len(store) == 1 and index.where(EX + "a") == ("m.ttl", 4)


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(HEAD + "ex:a ex:p ex:b .\nex:c ex:p \nex:d ex:q .\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        GraphStore().load_source(_source(path))
    assert info.value.path == str(path) and info.value.line == 5
    assert f"{path}:5:" in str(info.value) and info.value.hint


def test_checked_and_shapes_split_holds_every_graph(fixture_settings: Settings) -> None:
    everything = load_sources(fixture_settings)
    checked, shapes = load_checked_and_shapes(fixture_settings)
    assert shapes.graph_names() and all("/graph/shapes/" in g for g in shapes.graph_names())
    assert not set(checked.graph_names()) & set(shapes.graph_names())
    assert len(checked) + len(shapes) == len(everything)
    assert sorted(checked.graph_names() + shapes.graph_names()) == everything.graph_names()
    counts = {g.iri: g.triples for g in everything.graphs()}
    by_iteration: dict[str, int] = {}
    for quad in everything.quads():
        by_iteration[quad.graph_name.value] = by_iteration.get(quad.graph_name.value, 0) + 1  # type: ignore[union-attr]
    assert counts == by_iteration


@pytest.fixture
def big_project(tmp_path: Path) -> tuple[Settings, Path]:
    """The fixture project plus one data file of ~30,000 lines, and a built graph."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    settings = make_fixture_settings(tmp_path, data)
    big = data / "big.ttl"
    lines = [line for line in YEAR_ILL_TYPED.read_text().splitlines() if line.startswith("@")]
    for i in range(10_000):  # comments keep the file long and the graph valid
        lines += [f"# filler {i}", f"# more filler {i}", ""]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(settings, force=True, verify=partial(verify_for_build, settings=settings))
    return settings, big


def test_an_error_deep_in_a_big_file_names_file_and_line_and_keeps_the_graph(
    big_project: tuple[Settings, Path],
) -> None:
    settings, big = big_project
    before = built_graph_path(settings).read_bytes()
    start = big.read_text(encoding="utf-8").count("\n") + 1  # the next line's number
    body = [line for line in YEAR_ILL_TYPED.read_text().splitlines() if not line.startswith("@")]
    body += ["", '[] a rg:Finding ; rdfs:label "a blank finding"@en .']
    with big.open("a", encoding="utf-8") as out:
        out.write("\n".join(body) + "\n")
    work = start + next(i for i, line in enumerate(body) if line.startswith("rgr:work-words"))
    blank = start + len(body) - 1
    assert work > 30_000
    with pytest.raises(CheckFailed) as info:
        build(settings, force=True, verify=partial(verify_for_build, settings=settings))
    message = info.value.message
    assert "the graph built before, if any, is kept" in message
    assert (
        f"[shacl/Publication-publicationYear] Words 1981 <{RGR}work-words-1981> ({big}:{work})"
        in message
    )
    assert f"a blank finding [a blank node, {big}:{blank}]" in message
    assert "value: nineteen eighty-one" in message
    assert built_graph_path(settings).read_bytes() == before
