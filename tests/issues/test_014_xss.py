"""Issue 14: labels, query texts and parameters carrying markup are shown as text on every page.

The graph served here is the fixture graph plus an entity whose label,
definition, alternative label and links carry HTML and script payloads (and
an IRI with the ``javascript:`` scheme). Every HTML page of the app, with
payloads in every parameter, is parsed: the only elements are those our
templates write (scripts only from ``/static/``), no attribute is an event
handler, JSON data blocks (``<script type="application/json">``, which never
run) parse whole, and no link or source uses a ``javascript:`` or ``data:`` URL but
our favicon. The query page's script, which renders results in the browser,
is tested in Chromium: results holding markup show as text, and no Content
Security Policy violation (which would mean an injection was attempted) is
reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.vocab import RDFS, RG, RGR, SKOS
from tests.conftest import WEB_QUERIES

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror="window.__xss=2">'
SVG = "'><svg onload=alert(3)>"
PAYLOADS = [SCRIPT, IMG, SVG, "</textarea><script>alert(4)</script>", "{{7*7}}"]
EVIL = str(RGR["theory-evil"])
JS_IRI = "javascript:alert(5)"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def hostile_app(built_fixture: tuple[Settings, GraphStore]) -> Iterator[Any]:
    from relgraph.web import create_app

    settings, store = built_fixture
    hostile = store.copy()
    evil, graph = ox.NamedNode(EVIL), ox.NamedNode("https://w3id.org/relgraph/graph/data/evil")
    label = ox.NamedNode(str(RDFS.label))
    hostile.add_quads(
        [
            ox.Quad(evil, RDF_TYPE, ox.NamedNode(str(RG.Theory)), graph),
            ox.Quad(evil, label, ox.Literal(SCRIPT + IMG, language="en"), graph),
            ox.Quad(evil, ox.NamedNode(str(SKOS.definition)), ox.Literal(SVG), graph),
            ox.Quad(evil, ox.NamedNode(str(SKOS.altLabel)), ox.Literal(PAYLOADS[3]), graph),
            ox.Quad(evil, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode(JS_IRI), graph),
            ox.Quad(ox.NamedNode(JS_IRI), label, ox.Literal(IMG), graph),
        ]
    )
    app = create_app(settings.replace(queries_dir=str(WEB_QUERIES)), hostile)
    app.config["TESTING"] = True
    yield app
    app.extensions["relgraph"].close()


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "body", "header", "nav", "main", "footer", "a",
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tr", "th", "td", "code", "pre", "small", "form", "label", "input", "textarea", "button",
    "select", "option", "section", "div", "span", "strong", "em", "blockquote", "details",
    "summary", "script", "noscript", "br", "abbr", "fieldset", "legend", "caption", "cite", "q",
    "article", "aside", "figure", "figcaption", "time", "output", "hr", "b", "i", "kbd", "var",
}  # fmt: skip


class Elements(HTMLParser):
    """Every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data_blocks: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_data = tag == "script" and dict(attrs).get("type") == "application/json"
        if self._in_data:
            self.data_blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_blocks[-1] += data


def assert_no_injection(html: str, where: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"{where}: an injected <{tag} {attrs}>"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: an event handler on <{tag} {attrs}>"
            if name in {"href", "src", "action", "formaction"} and value:
                url = value.strip().lower()
                assert not url.startswith("javascript:"), f"{where}: <{tag} {name}={value}>"
                assert not url.startswith("data:") or value == "data:,", f"{where}: {value}"
        if tag == "script" and attrs.get("type") != "application/json":
            assert (attrs.get("src") or "").startswith("/static/"), f"{where}: inline script"
    for block in parser.data_blocks:  # a data block (not run) is whole: markup did not end it
        json.loads(block)


BROWSER = {"Accept": "text/html"}


def pages(app: Any) -> list[tuple[str, str, dict[str, str]]]:
    payload = PAYLOADS[0] + PAYLOADS[1] + PAYLOADS[2]
    markup_query = f'SELECT ?x ?l WHERE {{ BIND("{IMG.replace(chr(34), "")}" AS ?l) ?x rdfs:label ?l2 }} LIMIT 1'  # noqa: E501
    out = [
        ("GET", "/", {}),
        ("GET", "/", {"query": "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"}),
        (
            "POST",
            "/",
            {
                "query": "SELECT ?x ?l ?d WHERE { ?x rdfs:label ?l "
                "OPTIONAL { ?x skos:definition ?d } }"
            },
        ),  # noqa: E501
        ("GET", "/", {"query": payload}),
        ("GET", "/", {"query": markup_query}),
        ("GET", "/", {"query": "SELECT * WHERE { ?s ?p ?o } " + SCRIPT}),  # a syntax error
        ("GET", "/", {"query": "ASK {}", "timeout": payload}),
        ("GET", "/", {"query": "ASK {}", "default-graph-uri": payload}),
        ("GET", "/queries", {}),
        ("GET", "/queries/fx01-models", {"theory": payload}),
        ("GET", "/queries/fx01-models", {"theory": EVIL}),
        ("GET", "/queries/" + SCRIPT, {}),
        ("GET", "/entity", {"iri": EVIL}),
        ("GET", "/entity", {"iri": JS_IRI}),
        ("GET", "/entity", {"iri": payload}),
        ("GET", "/no-such-page/" + SCRIPT, {}),
        ("GET", "/sparql", {"query": payload}),
    ]
    # every other page of the app (the views, when they land), with payloads as parameters
    known = {path for _, path, _ in out}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and "<" not in rule.rule and rule.rule not in known:
            if not rule.rule.endswith(".json") and not rule.rule.startswith(("/static", "/-/")):
                params = {"iri": EVIL, "q": payload, "id": payload, "settingKind": payload}
                out.append(("GET", rule.rule, params))
                out.append(("GET", rule.rule, {"theory": EVIL, "outcome": payload}))
    # our IRIs' own pages (issue 11): the hostile entity's document
    out += [
        ("GET", "/resource/theory-evil.html", {}),
        ("GET", "/resource/theory-evil", {}),
        ("GET", "/entity/document", {"iri": EVIL, "format": payload}),
    ]
    return out


def test_markup_is_shown_as_text_on_every_page(hostile_app: Any) -> None:
    client = hostile_app.test_client()
    seen_label = False
    for method, path, params in pages(hostile_app):
        if method == "GET":
            reply = client.get(path, query_string=params, headers=BROWSER)
        else:
            reply = client.post(path, data=params, headers=BROWSER)
        if reply.mimetype != "text/html":
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
            continue
        html = reply.get_data(as_text=True)
        assert_no_injection(html, f"{method} {path} {params}")
        seen_label = seen_label or "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert seen_label, "the hostile label was never shown: the test would prove nothing"


def test_the_entity_page_shows_the_hostile_entity_as_text(hostile_app: Any) -> None:
    reply = hostile_app.test_client().get("/entity", query_string={"iri": EVIL}, headers=BROWSER)
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&lt;svg onload=alert(3)&gt;" in html or "&#39;&gt;&lt;svg" in html
    assert 'href="javascript:' not in html.lower()


@pytest.mark.browser
def test_results_with_markup_render_as_text_in_the_browser(live_server: str) -> None:
    from tests.web.test_browser import TIMEOUT_MS, launched_chromium

    query = (
        f'SELECT ?label ?link WHERE {{ VALUES ?label {{ "{SCRIPT}" "{IMG.replace(chr(34), "")}" '
        f'"{SVG}" }} BIND(IRI("{JS_IRI}") AS ?link) }}'
    )
    with launched_chromium() as chromium:
        page = chromium.new_page(base_url=live_server)
        page.set_default_timeout(TIMEOUT_MS)
        messages: list[str] = []
        page.on("console", lambda m: messages.append(m.text))
        page.on("dialog", lambda d: (messages.append("dialog " + d.message), d.dismiss()))
        page.goto("/")
        page.wait_for_function("window.relgraphEditor !== undefined")
        page.evaluate("q => window.relgraphEditor.setValue(q)", query)
        page.locator("#query-form button[type=submit], #run").first.click()
        page.wait_for_selector("#results table.results tbody tr")
        text = page.locator("#results").inner_text()
        assert SCRIPT in text and "onerror" in text
        assert page.evaluate("window.__xss === undefined")
        assert page.locator("#results img, #results svg, #results script").count() == 0
        hrefs = page.eval_on_selector_all("#results a", "els => els.map(e => e.href)")
        assert not [h for h in hrefs if h.lower().startswith("javascript:")], hrefs
        assert not [m for m in messages if "Content Security Policy" in m or "dialog" in m]
