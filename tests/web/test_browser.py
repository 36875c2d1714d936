"""The query page in headless Chromium (Debian's ``chromium``, driven by Playwright).

These tests fail, never skip, when Chromium is missing: ``make chromium``
installs it (CI does so before the tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TIMEOUT_MS = 15000


@contextlib.contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (fails, never skips, when missing)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh page that records console errors and requests to other hosts."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1300, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.errors = []
    tab.foreign = []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on(
        "request",
        lambda r: None if r.url.startswith((live_server, "data:")) else tab.foreign.append(r.url),
    )
    yield tab
    context.close()


def wait_for_editor(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector(".CodeMirror")
    page.wait_for_function("window.relgraphEditor !== undefined")


def test_pick_an_example_and_see_its_rows(page: Any, live_server: str) -> None:
    wait_for_editor(page)
    page.get_by_role("link", name="Which relationship models does a theory distinguish?").click()
    page.wait_for_selector("#results table.results tbody tr")
    table = page.locator("#results table.results")
    assert table.locator("thead th").all_inner_texts() == ["theory", "model", "label"]
    assert "collaborative relationship" in table.locator("tbody").inner_text()
    assert page.locator("#row-count").get_attribute("data-rows") == "1"
    assert "ms" in page.locator("#elapsed").inner_text()
    # The editor shows the example, with the prefixes it uses declared.
    editor = page.evaluate("window.relgraphEditor.getValue()")
    assert "rg:hasRelationshipModel" in editor and "PREFIX rg:" in editor
    # The permalink is now the page's address and reproduces the result.
    assert "query=" in page.url
    page.goto(page.url)
    assert "collaborative relationship" in page.locator("#results").inner_text()
    # The entity link opens the entity page.
    page.locator("#results a.iri", has_text="role theory").first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "role theory"
    assert page.errors == [] and page.foreign == []


def test_malformed_query_shows_the_error(page: Any) -> None:
    wait_for_editor(page)
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s ?p ")
    page.locator("#run").click()
    alert = page.wait_for_selector("#results .message.error")
    text = alert.inner_text()
    assert "SPARQL syntax error at line 1" in text
    assert alert.get_attribute("data-status") == "400"
    assert page.foreign == []


def test_results_sort_and_show_labels(page: Any) -> None:
    wait_for_editor(page)
    page.evaluate(
        "window.relgraphEditor.setValue('SELECT ?x ?n WHERE { VALUES (?x ?n) "
        "{ (rgr:theory-role-theory 2) (rgr:model-collaborative 10) "
        "(rgr:work-eisenthal-etal-1979 1) } }')"
    )
    page.locator("#run").click()
    page.wait_for_selector("#results table.results tbody tr")
    header = page.locator("#results th", has_text="n")
    header.click()
    column = page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert [c.split()[0] for c in column] == ["1", "2", "10"]
    header.click()
    column = page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert [c.split()[0] for c in column] == ["10", "2", "1"]
    labels = page.locator("#results a.iri").all_inner_texts()
    assert set(labels) == {"role theory", "collaborative relationship", "Eisenthal et al. 1979"}


def test_autocompletion_offers_our_classes_by_label(page: Any) -> None:
    wait_for_editor(page)
    page.evaluate("window.relgraphEditor.setValue('SELECT * WHERE {\\n  ?x a \\n}')")
    page.evaluate("window.relgraphEditor.setCursor({line: 1, ch: 7})")
    page.evaluate("window.relgraphEditor.focus()")
    page.keyboard.type("rg:theo")
    page.keyboard.press("Control+Space")
    hints = page.wait_for_selector(".CodeMirror-hints")
    assert "rg:Theory" in hints.inner_text()
    assert page.foreign == []


def test_stored_query_page(page: Any) -> None:
    page.goto("/queries/fx01-models")
    assert page.locator("#question").inner_text() == (
        "Which relationship models does a theory distinguish?"
    )
    assert "collaborative relationship" in page.locator("#results tbody").inner_text()
    page.fill("input[name=theory]", "rgr:theory-psychoanalysis")
    page.locator("#params button").click()
    page.wait_for_load_state()
    assert page.locator("#row-count").get_attribute("data-rows") == "0"
    assert "theory=rgr%3Atheory-psychoanalysis" in page.url
    assert page.errors == []


def test_the_plain_form_works_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.locator("#query-text").is_visible()
        page.fill("#query-text", "SELECT ?t WHERE { ?t a rg:Theory }")
        page.locator("#run").click()
        page.wait_for_load_state()
        assert page.url.rstrip("/") == live_server
        assert "role theory" in page.locator("#results table.results").inner_text()
        page.get_by_role("link", name="Which cited works have a given first author?").click()
        page.wait_for_load_state()
        assert "Eisenthal et al. 1979" in page.locator("#results").inner_text()
    finally:
        context.close()
