"""The evidence gap map and the review's stated research gaps (issue 11).

Computed from the real graph, checked against the review.
McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from typing import Any

import pytest

from relgraph.views.gaps import gap_map, research_gaps
from relgraph.views.graph import TheoryGraph
from relgraph.views.source import ViewSource
from relgraph.vocab import RGR
from tests.views import same


def _row(data: dict[str, Any], iri: str, parent: str = "") -> dict[str, Any]:
    return next(r for r in data["rows"] if r["iri"] == iri and r["parent"] == parent)


def _cell(data: dict[str, Any], row: dict[str, Any], outcome: str) -> dict[str, Any]:
    return next(c for c in row["cells"] if c["outcome"] == outcome)


def test_gap_cell_collaborative_adherence_in_psychiatric_settings(graph: TheoryGraph) -> None:
    """'A collaborative approach has been linked to better patient outcome in a variety of
    psychiatric settings, from increased treatment adherence (Eisenthal et al. 1979; Fenton
    et al. 1997)': supported, one finding, two cited works."""
    data = gap_map(graph, same, "psychiatric")
    row = _row(data, str(RGR["model-collaborative"]), str(RGR["theory-role-theory"]))
    cell = _cell(data, row, str(RGR["outcome-treatment-adherence"]))
    assert (cell["findings"], cell["works"], cell["state"]) == (1, 2, "supported")
    finding = data["findings"][cell["finding_iris"][0]]
    assert [w["label"] for w in finding["works"]] == ["Eisenthal et al. 1979", "Fenton et al. 1997"]
    # Role theory's treatment adherence cell counts the same finding and works.
    theory = _cell(
        data, _row(data, str(RGR["theory-role-theory"])), str(RGR["outcome-treatment-adherence"])
    )
    assert (theory["findings"], theory["works"]) == (1, 2)


def test_gap_map_untested_in_psychiatric_settings(graph: TheoryGraph) -> None:
    """Social constructionism and social psychology report no finding from psychiatric
    settings (the conversation analysis is of general medical practice consultations; the
    influence strategies study names no setting); in all settings, social psychology's
    influence strategies are positively and negatively related to therapy quality: mixed."""
    psychiatric = gap_map(graph, same, "psychiatric")
    for name in ("theory-social-constructionism", "theory-social-psychology"):
        row = _row(psychiatric, str(RGR[name]))
        assert all(c["state"] == "none" for c in row["cells"]), name
    everything = gap_map(graph, same, "")
    row = _row(everything, str(RGR["theory-social-psychology"]))
    quality = _cell(everything, row, str(RGR["outcome-therapy-quality"]))
    assert (quality["findings"], quality["works"], quality["state"]) == (3, 1, "mixed")


def test_systems_theory_settings(graph: TheoryGraph) -> None:
    """'Differences in attitude toward patient illness ... predicted better outcome among
    depressive inpatients (Priebe 1989; Priebe and Pommerien 1992), and in psychiatric
    community care (Priebe and Gruyters 1994). In general medical practice, clinical case
    study descriptions reveal that many patients seek to form a compensatory alliance'."""
    systems = str(RGR["theory-systems-theory"])
    attitude = [
        f
        for f in graph.findings.values()
        if f.theory == systems and str(RGR["construct-attitude-difference"]) in f.factors
    ]
    settings = {graph.label(s) for f in attitude for s in f.settings}
    assert settings == {"psychiatric inpatient care", "psychiatric community care"}
    kinds = {k for f in attitude for k in f.setting_kinds}
    assert {graph.label(k) for k in kinds} == {"psychiatric settings"}
    works = {graph.label(w) for f in attitude for w in f.works}
    assert works == {"Priebe 1989", "Priebe and Pommerien 1992", "Priebe and Gruyters 1994"}
    alliance = graph.findings[str(RGR["finding-compensatory-alliance"])]
    assert {graph.label(s) for s in alliance.settings} == {"general medical practice"}
    assert {graph.label(w) for w in alliance.works} == {"Hahn et al. 1988"}
    # The gap map: systems theory x patient outcome in psychiatric settings, 2 findings, 3 works.
    data = gap_map(graph, same, "psychiatric")
    cell = _cell(data, _row(data, systems), str(RGR["outcome-patient-outcome"]))
    assert (cell["findings"], cell["works"], cell["state"]) == (2, 3, "supported")


def test_gap_map_rejects_an_unknown_setting_kind(graph: TheoryGraph) -> None:
    from relgraph.errors import RelgraphError

    with pytest.raises(RelgraphError, match="no kind of setting 'hospitals'") as info:
        gap_map(graph, same, "hospitals")
    assert "psychiatric" in info.value.hint


def test_research_gaps_beside_the_map(source: ViewSource, graph: TheoryGraph) -> None:
    """The review's own gaps, e.g. 'None of the theories identified have been fully specified
    and comprehensively investigated in psychiatric settings'."""
    gaps = research_gaps(source.rows("view-research-gaps"), graph, same, None)
    assert len(gaps) == 5
    first = next(
        g for g in gaps if g["iri"].endswith("gap-theories-not-fully-specified-and-tested")
    )
    assert len([c for c in first["concerns"] if c["iri"].startswith(str(RGR["theory-"]))]) == 6
    assert any("fully specified" in " ".join(p["reflowed"]) for p in first["passages"])
