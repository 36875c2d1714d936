"""The pages of the added studies and their JSON twins (issue 15), through Flask's test client.

Over a project copy with the hypothetical example study imported (fixture
``studied``) and over the fixture graph, which has no study.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from relgraph.views.studies import studies_data
from relgraph.web import create_app
from tests.curation.studies import EXAMPLE_ID


@pytest.fixture(scope="module")
def studied_client(studied: tuple[Any, Any]) -> Iterator[Any]:
    app = create_app(studied[0])
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["relgraph"].close()


def test_studies_lists_work_curator_date_and_findings(studied_client: Any) -> None:
    response = studied_client.get("/studies")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/studies/{EXAMPLE_ID}"' in html
    assert "Hypothetica et al. 2029" in html and "Josiah Carberry" in html
    assert "2026-12-01" in html and '<td class="num">6</td>' in html
    assert 'href="https://doi.org/10.5555/relgraph.hypothetical.2029"' in html
    assert "Gaps of the review that added studies filled" in html
    assert "early drop-out" in html
    # the query page over the review alone: every named graph but the study's
    link = re.search(r'href="(/\?query=[^"]+)">the review', html)
    assert link and "default-graph-uri" in link.group(1)
    assert 'href="/studies"' in html  # in the navigation of every page


def test_the_twin_has_the_same_data(studied_client: Any, studied: tuple[Any, Any]) -> None:
    twin = studied_client.get("/studies.json")
    assert twin.status_code == 200 and twin.mimetype == "application/json"
    data = twin.json
    (study,) = data["studies"]
    assert study["study"] == EXAMPLE_ID and study["findings"] == 6
    assert study["curator"] == "Josiah Carberry" and study["date"] == "2026-12-01"
    assert data["json_url"] == "/studies.json"
    assert len(data["filled_gaps"]) == len(studies_data_of(studied)["filled_gaps"])


def studies_data_of(studied: tuple[Any, Any]) -> dict[str, Any]:
    from relgraph.store.builder import open_built

    return studies_data(open_built(studied[0]), str, str)


def test_a_studys_page_its_twin_and_its_sheet(studied_client: Any) -> None:
    page = studied_client.get(f"/studies/{EXAMPLE_ID}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Findings and method applications (8)" in html and "New entities (4)" in html
    assert f'href="/studies/{EXAMPLE_ID}/sheet.xlsx"' in html
    twin = studied_client.get(f"/studies/{EXAMPLE_ID}.json").json
    assert twin["study"]["study"] == EXAMPLE_ID and len(twin["study"]["claims"]) == 8
    sheet = studied_client.get(f"/studies/{EXAMPLE_ID}/sheet.xlsx")
    assert sheet.status_code == 200
    assert sheet.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{EXAMPLE_ID}.xlsx"' in sheet.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    findings = [r for r in book["Findings"].iter_rows(min_row=3, values_only=True) if any(r)]
    assert len(findings) == 6


def test_an_unknown_study_is_a_404_in_html_and_json(studied_client: Any) -> None:
    page = studied_client.get("/studies/nope", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "no imported study has the id" in page.get_data(True)
    twin = studied_client.get("/studies/nope.json")
    assert twin.status_code == 404 and twin.json["type"] == "UnknownStudy"
    assert studied_client.get("/studies/nope/sheet.xlsx").status_code == 404


def test_without_studies_the_page_says_so(client: Any) -> None:
    html = client.get("/studies").get_data(as_text=True)
    assert "No study has been added yet" in html
    assert client.get("/studies.json").json["studies"] == []


# -- the graph views, the review alone or with the added studies -------------------------------


def _cells(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (row["label"], cell["outcome"]): cell
        for row in data["rows"]
        if row["level"] == 0
        for cell in row["cells"]
    }


def test_the_gap_map_marks_the_gaps_a_study_filled(studied_client: Any) -> None:
    drop_out = "https://w3id.org/relgraph/resource/outcome-drop-out"
    both = studied_client.get("/gaps.json?settingKind=psychiatric").json
    cell = _cells(both)[("psychoanalysis", drop_out)]
    assert cell["findings"] == 1 and cell["filled"]["studies"] == [EXAMPLE_ID]
    assert "psychiatric settings" in cell["filled"]["setting_kinds"]
    assert both["counts"]["cells_filled_by_studies"] >= 1
    alone = studied_client.get("/gaps.json?settingKind=psychiatric&scope=review").json
    assert _cells(alone)[("psychoanalysis", drop_out)]["findings"] == 0
    assert not any("filled" in c for c in _cells(alone).values())
    assert alone["counts"]["findings"] < both["counts"]["findings"]
    assert alone["json_href"] == "/gaps.json?settingKind=psychiatric&scope=review"
    html = studied_client.get("/gaps?settingKind=psychiatric").get_data(as_text=True)
    assert "filled-by-study" in html
    assert f'data-filled-by="{EXAMPLE_ID}"' in html
    assert 'href="/gaps?settingKind=psychiatric&amp;scope=review"' in html  # the scope filter
    assert 'name="scope"' not in html  # the setting filter keeps the default scope


def test_the_explorer_and_comparison_show_the_review_alone_on_request(
    studied_client: Any,
) -> None:
    both = studied_client.get("/graph.json").json
    alone = studied_client.get("/graph.json?scope=review").json
    assert both["counts"]["findings"] == alone["counts"]["findings"] + 6
    assert alone["scope"]["value"] == "review" and alone["json_href"] == "/graph.json?scope=review"
    page = studied_client.get("/graph?scope=review").get_data(as_text=True)
    assert 'data-src="/graph.json?scope=review"' in page
    compare = studied_client.get("/compare.json").get_data(as_text=True)
    assert "hypothetica" in compare
    assert "hypothetica" not in studied_client.get("/compare.json?scope=review").get_data(True)
    bad = studied_client.get("/gaps.json?scope=studies")
    assert bad.status_code == 400 and "unknown scope" in bad.json["error"]


def test_without_studies_the_views_offer_no_scope(client: Any) -> None:
    data = client.get("/gaps.json").json
    assert data["scope"]["options"] == [] and data["counts"]["cells_filled_by_studies"] == 0
    assert "scope-filter" not in client.get("/gaps").get_data(as_text=True)
