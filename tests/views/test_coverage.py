"""The coverage report (``relgraph stats``) and docs/coverage.md."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import RelgraphError
from relgraph.store import GraphStore
from relgraph.views.coverage import KINDS, coverage
from relgraph.vocab import RDF, RG, RGR
from tests import ROOT

COVERAGE_DOC = ROOT / "docs" / "coverage.md"


def _quad(s: str, p: str, o: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), ox.NamedNode(str(RGR.extra)))


def test_fixture_counts_and_gap_map(fixture_store: GraphStore) -> None:
    report = coverage(fixture_store)
    assert list(report.counts) == [name for name, _ in KINDS]
    assert report.counts["theories"] == 1
    assert report.counts["relationship models"] == 1
    assert report.counts["findings"] == 1
    assert report.counts["claims"] == 1  # a finding is a claim
    assert report.counts["cited works"] == 1
    assert report.counts["citations"] == 1
    assert report.counts["passages"] == 1
    assert report.counts["recommendations"] == 0
    assert report.findings_by_theory == {"role theory": 1}
    cells = {(c.theory_label, c.setting_kind): c.findings for c in report.gap_map}
    assert cells[("role theory", str(RG.PsychiatricSettingKind))] == 1
    assert sum(cells.values()) == 1
    assert report.complete
    assert all(items == [] for items in report.loose_ends.values())


def test_loose_ends_are_listed(fixture_store: GraphStore) -> None:
    store = fixture_store.copy()
    citation, work, claim = RGR["citation-x"], RGR["work-nobody-2000"], RGR["finding-x"]
    store.add_quads(
        [
            _quad(str(citation), str(RDF.type), str(RG.Citation)),
            _quad(str(work), str(RDF.type), str(RG.CitedWork)),
            _quad(str(claim), str(RDF.type), str(RG.Finding)),
            _quad(str(claim), str(RG.citesAsEvidence), str(work)),
        ]
    )
    report = coverage(store)
    assert not report.complete
    assert report.loose_ends["citations not linked to any claim"] == ["rgr:citation-x"]
    assert report.loose_ends["citations without a cited work"] == ["rgr:citation-x"]
    assert report.loose_ends["cited works never cited"] == ["rgr:work-nobody-2000"]
    assert report.loose_ends["claims or research gaps without a passage"] == ["rgr:finding-x"]
    assert report.loose_ends["evidence links without a citation"] == [
        "rgr:finding-x -> rgr:work-nobody-2000"
    ]
    assert report.counts["findings"] == 2
    text = report.render("text")
    assert "cited works never cited: 1" in text
    assert "rgr:work-nobody-2000" in text


def test_render_formats(fixture_store: GraphStore) -> None:
    report = coverage(fixture_store)
    data = json.loads(report.render("json"))
    assert data["counts"]["theories"] == 1
    assert data["complete"] is True
    assert data["gap_map"][0]["theory_label"] == "role theory"
    markdown = report.render("markdown")
    assert markdown.startswith("# Coverage of the graph\n")
    assert "| theories | 1 |" in markdown
    assert "## Evidence gap map" in markdown
    assert "| role theory |" in markdown
    with pytest.raises(ValueError, match="unknown report format"):
        report.render("html")


def test_stats_command(built_cli) -> None:  # type: ignore[no-untyped-def]
    invoke = built_cli
    result = invoke("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["citations"] == 1
    result = invoke("stats")
    assert "evidence gap map" in result.output
    assert invoke("stats", "--format", "xml").exit_code == 2


def test_repo_graph_has_no_loose_ends(repo_store: GraphStore) -> None:
    report = coverage(repo_store)
    assert report.counts["theories"] == 6
    # every citation of the text is linked to a claim, every cited work is cited
    for name, items in report.loose_ends.items():
        assert items == [], f"{name}: {items}"


def test_coverage_doc_is_current(repo_store: GraphStore) -> None:
    expected = coverage(repo_store).render("markdown")
    current = COVERAGE_DOC.read_text(encoding="utf-8") if COVERAGE_DOC.is_file() else ""
    assert current == expected, (
        "docs/coverage.md is out of date: run "
        "`relgraph build && relgraph stats --format markdown > docs/coverage.md`"
    )


def test_counts_in_data_readme_come_from_the_graph(repo_store: GraphStore) -> None:
    """Regression (issue 9): data/README.md said 29 findings when the graph had 30."""
    counts = coverage(repo_store).counts
    readme = " ".join((ROOT / "data" / "README.md").read_text(encoding="utf-8").split())
    sentence = (
        "Current counts (from the graph; `tests/views/test_coverage.py` checks them): "
        f"{counts['cited works']} cited works, {counts['citations']} citations, "
        f"{counts['findings']} findings, {counts['suggested associations']} suggested "
        f"associations, {counts['method applications']} method applications, "
        f"{counts['review statements']} review statements (suggested associations included), "
        f"{counts['recommendations']} recommendations, {counts['research gaps']} research gaps, "
        f"{counts['passages']} passages."
    )
    assert sentence in readme, f"update data/README.md: {sentence}"
    assert f"the {counts['cited works']} cited works" in readme
    assert f"the {counts['review sections']} `rg:ReviewSection`s" in readme


def test_the_review_alone_and_with_the_added_studies(
    studied: tuple[Any, Any], repo_store: GraphStore
) -> None:
    """Issue 15: ``scope="review"`` leaves the studies out; ``all`` counts them, no loose end."""
    from relgraph.store.builder import open_built

    store = open_built(studied[0])
    review, both, alone = coverage(store, scope="review"), coverage(store), coverage(repo_store)
    assert review.counts == alone.counts and review.gap_map == alone.gap_map
    assert review.studies == 0 and review.filled_gaps == []
    assert both.counts["findings"] == alone.counts["findings"] + 6
    assert both.studies == 1 and both.filled_gaps
    assert both.complete, both.loose_ends  # a study's claims name their source, not a passage
    assert "gaps the review states that added studies filled:" in both.render("text")
    assert "## Gaps filled by added studies" in both.render("markdown")
    assert "## Gaps filled" not in alone.render("markdown")  # docs/coverage.md is unchanged
    assert json.loads(both.render("json"))["filled_gaps"][0]["studies"] == ["hypothetica-etal-2029"]
    with pytest.raises(RelgraphError, match="unknown scope 'studies'"):
        coverage(store, scope="studies")
