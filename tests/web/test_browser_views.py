"""The views in headless Chromium over the real graph (issue 11).

Each view loads without console errors or requests to other hosts; the
explorer draws as many nodes as the graph has (checked against its JSON twin
and SPARQL), a filter hides what it should, a click on a node opens its
page, and SVG and PNG exports download. Screenshots at desktop and phone
width go to ``build/screenshots/`` (git-ignored). Like tests/web/test_browser.py,
these fail, never skip, when Chromium is missing.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relgraph.settings import Settings
from relgraph.store import GraphStore
from tests import ROOT
from tests.conftest import serve_in_background
from tests.web.test_browser import TIMEOUT_MS, launched_chromium

pytestmark = pytest.mark.browser

SHOTS = ROOT / "build" / "screenshots"
RGR = "https://w3id.org/relgraph/resource/"


@pytest.fixture(scope="module")
def real_server(repo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``relgraph serve`` over the real graph."""
    tmp = tmp_path_factory.mktemp("live-views")
    settings = repo_settings.replace(queries_dir=str(ROOT / "queries"))
    with serve_in_background(settings, tmp, threads=4) as server:
        yield server.url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


def _tab(browser: Any, base: str, width: int = 1400, height: int = 900) -> Any:
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.errors = []
    tab.foreign = []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on(
        "request",
        lambda r: None if r.url.startswith((base, "data:", "blob:")) else tab.foreign.append(r.url),
    )
    return tab


@pytest.fixture
def tab(chromium: Any, real_server: str) -> Iterator[Any]:
    page = _tab(chromium, real_server)
    yield page
    page.context.close()


def _json(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.loads(response.read())


def _shot(page: Any, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_explorer_draws_the_graph_filters_and_opens_a_page(
    tab: Any, real_server: str, repo_store: GraphStore
) -> None:
    tab.goto("/graph")
    tab.wait_for_selector("#graph[data-ready=true]")
    data = _json(real_server, "/graph.json")
    drawn = int(tab.get_attribute("#graph", "data-nodes"))
    assert drawn == data["counts"]["nodes"] == len(data["elements"]["nodes"])
    assert int(tab.get_attribute("#graph", "data-edges")) == data["counts"]["edges"]
    theories = tab.evaluate("window.relgraphExplorer.nodes(\"[kind = 'theory']\").length")
    count = next(iter(repo_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?t a rg:Theory }")))  # type: ignore[call-overload]
    assert theories == int(count["n"].value) == 6
    _shot(tab, "explorer-desktop", full=False)
    # Filter by theory: only role theory's entities stay.
    tab.select_option("#filter-theory", RGR + "theory-role-theory")
    visible = int(tab.get_attribute("#graph", "data-visible-nodes"))
    expected = sum(
        1 for n in data["elements"]["nodes"] if RGR + "theory-role-theory" in n["data"]["theories"]
    )
    assert visible == expected < drawn
    # Filter findings by direction: no negative finding edge stays visible.
    tab.uncheck("#filter-direction input[value=negative]")
    hidden = tab.evaluate(
        "window.relgraphExplorer.edges(\"[direction = 'negative']\")"
        ".filter(e => e.style('display') !== 'none').length"
    )
    assert hidden == 0
    tab.click("#show-all")
    assert int(tab.get_attribute("#graph", "data-visible-nodes")) == drawn
    # Search, then click a node and open its page.
    tab.fill("#search", "collaborative relationship")
    assert "1 match" in tab.inner_text("#status")
    # Click the node where it is drawn, as a user would.
    box = tab.locator("#graph").bounding_box()
    at = tab.evaluate(
        f"window.relgraphExplorer.getElementById('{RGR}model-collaborative').renderedPosition()"
    )
    tab.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    assert tab.inner_text("#summary h2") == "collaborative relationship"
    tab.click("#summary-open")
    tab.wait_for_selector("#entity-label")
    assert tab.inner_text("#entity-label") == "collaborative relationship"
    assert tab.url.endswith("/resource/model-collaborative.html")
    assert tab.errors == [] and tab.foreign == []


def test_explorer_exports_svg_and_png(tab: Any) -> None:
    tab.goto("/graph")
    tab.wait_for_selector("#graph[data-ready=true]")
    with tab.expect_download() as svg:
        tab.click("#export-svg")
    text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert "<svg" in text and "role theory" in text
    with tab.expect_download() as png:
        tab.click("#export-png")
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.value.suggested_filename == "relgraph-theories.svg"


def test_explorer_keyboard_list_selects_nodes(tab: Any) -> None:
    tab.goto("/graph")
    tab.wait_for_selector("#graph[data-ready=true]")
    tab.click("#element-list summary")
    tab.focus(f"#element-list li[data-id='{RGR}theory-psychoanalysis'] a")
    assert tab.inner_text("#summary h2") == "psychoanalysis"
    tab.click("#focus-selection")
    visible = int(tab.get_attribute("#graph", "data-visible-nodes"))
    assert 1 < visible < int(tab.get_attribute("#graph", "data-nodes"))


def test_gap_map_expands_and_opens_a_cell(tab: Any, real_server: str) -> None:
    tab.goto("/gaps?settingKind=psychiatric")
    role = f"tr[data-iri='{RGR}theory-role-theory']"
    child = f"tr[data-parent='{RGR}theory-role-theory'][data-iri='{RGR}model-collaborative']"
    assert not tab.is_visible(child)
    tab.click(f"{role} button.toggle")
    assert tab.is_visible(child)
    data = _json(real_server, "/gaps.json?settingKind=psychiatric")
    rows = [r for r in data["rows"] if r["level"] == 0]
    assert tab.locator("#gap-map tr.level-0").count() == len(rows) == 6
    tab.click(f"{child} td.state-supported a")
    detail = tab.locator(".cell-detail.open")
    assert (
        "Eisenthal et al. 1979" in detail.inner_text()
        and "Fenton et al. 1997" in detail.inner_text()
    )
    _shot(tab, "gaps-desktop")
    tab.select_option("#setting-kind", "psychotherapy")
    tab.wait_for_url("**settingKind=psychotherapy")
    assert tab.errors == [] and tab.foreign == []


def test_entity_page_draws_its_neighbourhood(tab: Any, real_server: str) -> None:
    tab.goto("/resource/theory-role-theory")
    tab.wait_for_selector("#neighbourhood[data-nodes]:not([data-nodes='0'])")
    data = _json(real_server, "/resource/theory-role-theory.json")
    assert int(tab.get_attribute("#neighbourhood", "data-nodes")) == len(
        data["neighbourhood"]["nodes"]
    )
    assert "has relationship model" in tab.inner_text("#relations-out")
    _shot(tab, "entity-desktop")
    assert tab.errors == [] and tab.foreign == []


def test_query_page_graph_tab(tab: Any, repo_store: GraphStore) -> None:
    tab.goto("/")
    tab.wait_for_function("window.relgraphEditor !== undefined")
    tab.evaluate(
        "window.relgraphEditor.setValue('CONSTRUCT { ?t rg:hasRelationshipModel ?m . "
        "?m rdfs:label ?l } "
        "WHERE { ?t rg:hasRelationshipModel ?m . ?m rdfs:label ?l }')"
    )
    tab.click("#run")
    tab.wait_for_selector("#tab-graph")
    tab.click("#tab-graph")
    nodes = int(tab.get_attribute("#result-graph", "data-nodes"))
    ends = repo_store.query(
        "SELECT (COUNT(DISTINCT ?t) + COUNT(DISTINCT ?m) AS ?n) "
        "WHERE { ?t rg:hasRelationshipModel ?m }"
    )
    assert nodes == int(next(iter(ends))["n"].value) == 4 + 10  # type: ignore[call-overload]
    _shot(tab, "query-graph-tab", full=False)
    assert tab.errors == [] and tab.foreign == []


@pytest.mark.parametrize(
    "path", ["/graph", "/compare", "/gaps", "/analytics", "/resource/model-collaborative"]
)
def test_views_at_phone_width(chromium: Any, real_server: str, path: str) -> None:
    page = _tab(chromium, real_server, 390, 844)
    try:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
        name = path.strip("/").replace("/", "-") or "index"
        _shot(page, f"{name}-phone")
        assert page.errors == [] and page.foreign == []
    finally:
        page.context.close()
