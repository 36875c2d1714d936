"""Issue #8, item 3: the OWL export does not open as OWL 2 DL.

``relgraph export --format owl`` merged the SHACL shapes into the ontology:
the OWL API (Protégé's library) found 806 OWL 2 DL profile violations, every
one from the shapes. The right answer: the OWL export holds the ontology, and
the individuals when asked (``--part data``), with zero violations under the
OWL API's profile checker, nothing it cannot parse and no declaration it has
to guess; the shapes are exported on their own (``--part shapes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.checks.owlprofile import ProfileResult, check_profile
from relgraph.query.exporting import export
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.parts import graph_parts
from relgraph.vocab import RGR, SH

OWL_NS = "http://www.w3.org/2002/07/owl#"


@pytest.fixture(scope="module")
def exports(
    repo_store: GraphStore, repo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("owl")
    parts = graph_parts(repo_store, repo_settings)
    files = {
        "ontology": export(repo_store, repo_settings, "owl"),
        "ontology+data": export(repo_store, repo_settings, "owl", ["data"]),
        # what the export used to hold: the shapes merged in (the data left out here)
        "with shapes": repo_store.serialize(
            ox.RdfFormat.RDF_XML, graphs=parts.ontology + parts.shapes
        ),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp / f"{name}.owl"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture(scope="module")
def profile(
    exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ProfileResult]:
    results = check_profile(exports.values(), tmp_path_factory.mktemp("owlapi"))
    return {name: results[str(path)] for name, path in exports.items()}


@pytest.mark.parametrize("name", ["ontology", "ontology+data"])
def test_the_owl_export_is_owl2_dl_under_the_owl_api(
    profile: dict[str, ProfileResult], name: str
) -> None:
    result = profile[name]
    assert result.violations == [], result.violations[:10]
    assert result.unparsed == [] and result.guessed == []
    assert result.axioms > 500


def test_the_checker_finds_what_the_shapes_did(profile: dict[str, ProfileResult]) -> None:
    """The ontology with the shapes merged in, as exported before: hundreds of violations,
    every one about an sh: term."""
    violations = profile["with shapes"].violations
    assert len(violations) > 500
    assert all(str(SH) in v for v in violations), [v for v in violations if str(SH) not in v][:3]


def test_individuals_only_when_asked(exports: dict[str, Path]) -> None:
    def subjects(path: Path) -> set[str]:
        return {
            q.subject.value
            for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.RDF_XML)
            if isinstance(q.subject, ox.NamedNode)
        }

    ontology, both = subjects(exports["ontology"]), subjects(exports["ontology+data"])
    assert not any(s.startswith(str(RGR)) for s in ontology)
    assert sum(s.startswith(str(RGR)) for s in both) > 500
    assert ontology < both


def test_shapes_are_exported_on_their_own(repo_store: GraphStore, repo_settings: Settings) -> None:
    data = export(repo_store, repo_settings, "ttl", ["shapes"])
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    types = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert str(SH.NodeShape) in types
    assert not {OWL_NS + "Class", OWL_NS + "ObjectProperty"} & types
    assert not any(str(RGR) in str(t.subject) for t in triples)
    shapes_graphs = graph_parts(repo_store, repo_settings).shapes
    assert len(triples) == len({q.triple for g in shapes_graphs for q in repo_store.quads(g)})


def test_no_owl_export_of_shapes_or_unknown_parts(built_cli: Any) -> None:
    invoke = built_cli
    refused = invoke("export", "--format", "owl", "--part", "shapes")
    assert refused.exit_code == 2
    assert "not part of an OWL export" in refused.output and "--part shapes" in refused.output
    assert invoke("export", "--part", "everything").exit_code == 2


def test_parts_keep_named_graphs_in_nquads(built_cli: Any) -> None:
    invoke = built_cli
    result = invoke("export", "--format", "nq", "--part", "ontology", "--part", "shapes")
    assert result.exit_code == 0
    graphs = {
        q.graph_name.value for q in ox.parse(result.output.encode(), format=ox.RdfFormat.N_QUADS)
    }
    assert graphs and all("/graph/ontology/" in g or "/graph/shapes/" in g for g in graphs)
    help_text = " ".join(invoke("export", "--help").output.split())
    assert "Protégé" in help_text and "SHACL engine" in help_text and "triple store" in help_text
