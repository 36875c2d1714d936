"""The HTML pages and their JSON twins, through Flask's test client."""

from __future__ import annotations

import re
from typing import Any

from tests import FINDING, ROLE_THEORY

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_index_has_editor_examples_and_no_remote_assets(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert 'id="query-form"' in html and 'method="post"' in html
    assert 'textarea id="query-text" name="query"' in html
    assert "/static/vendor/yasgui.min.js" in html and "/static/app.js" in html
    assert 'data-endpoint="/sparql"' in html
    assert "Which relationship models does a theory distinguish?" in html
    assert 'href="/queries/fx01-models"' in html
    # Nothing is loaded from another host.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_static_assets_are_served_locally(client: Any) -> None:
    for path in ("/static/vendor/yasgui.min.js", "/static/vendor/yasgui.min.css", "/static/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_no_javascript_form_posts_and_gets_a_table(client: Any) -> None:
    query = "SELECT ?model ?label WHERE { ?model a rg:RelationshipModel ; rdfs:label ?label }"
    response = client.post("/", data={"query": query})
    assert response.status_code == 200
    html = text(response)
    assert '<table class="results" data-kind="select">' in html
    assert "collaborative relationship" in html
    # Our IRIs link to their own path (issue 11), others to /entity?iri=.
    assert 'href="/resource/model-collaborative"' in html
    assert 'id="row-count" data-rows="1"' in html
    assert 'id="elapsed"' in html
    assert 'id="permalink" href="/?query=' in html
    for fmt in ("csv", "tsv", "json"):
        assert f'data-format="{fmt}"' in html


def test_permalink_reproduces_query_and_results(client: Any) -> None:
    first = client.post("/query.json", data={"query": "SELECT ?s WHERE { ?s a rg:Theory }"}).json
    again = client.get(first["permalink"])
    assert again.status_code == 200
    assert "role theory" in text(again)
    assert "SELECT ?s WHERE { ?s a rg:Theory }" in text(again)


def test_query_json_twin_has_labels_links_and_counts(client: Any) -> None:
    data = client.post(
        "/query.json", data={"query": "SELECT ?t ?n WHERE { ?t a rg:Theory BIND(1 AS ?n) }"}
    ).json
    assert data["ok"] is True and data["kind"] == "select"
    assert data["columns"] == ["t", "n"]
    assert data["row_count"] == 1 and data["truncated"] is False
    cell = data["rows"][0][0]
    assert cell["label"] == "role theory" and cell["curie"] == "rgr:theory-role-theory"
    assert cell["href"] == "/resource/theory-role-theory"
    assert data["rows"][0][1] == {
        "type": "literal",
        "value": "1",
        "lang": "",
        "datatype": "xsd:integer",
    }
    assert {d["format"] for d in data["downloads"]} == {"csv", "tsv", "json"}
    download = client.get(data["downloads"][0]["href"])
    assert (
        download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    )


def test_graph_results_offer_turtle_and_jsonld(client: Any) -> None:
    data = client.post("/query.json", data={"query": "CONSTRUCT WHERE { ?s a rg:Theory }"}).json
    assert data["kind"] == "graph" and data["columns"] == ["subject", "predicate", "object"]
    assert {d["format"] for d in data["downloads"]} >= {"ttl", "jsonld"}
    turtle = client.get(next(d["href"] for d in data["downloads"] if d["format"] == "ttl"))
    assert turtle.mimetype == "text/turtle"


def test_page_errors_are_clear(client: Any, make_app: Any) -> None:
    bad = client.post("/", data={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400
    assert "SPARQL syntax error at line 1" in text(bad) and 'role="alert"' in text(bad)
    refused = client.post("/query.json", data={"query": "DROP ALL"})
    assert refused.status_code == 403 and refused.json["type"] == "QueryRejected"
    slow = make_app(query_time_limit_ms=500).test_client()
    expensive = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    timed_out = slow.post("/", data={"query": expensive})
    assert timed_out.status_code == 503 and timed_out.headers["Retry-After"]
    assert "query_time_limit_ms" in text(timed_out) and "LIMIT" in text(timed_out)


def test_truncation_is_shown(make_app: Any) -> None:
    client = make_app(max_rows=2).test_client()
    response = client.post("/", data={"query": "SELECT * { ?s ?p ?o }"})
    assert 'id="truncated"' in text(response) and "max_rows" in text(response)
    assert client.post("/query.json", data={"query": "SELECT * { ?s ?p ?o }"}).json["truncated"]


def test_stored_query_page_with_parameters_bound_safely(client: Any) -> None:
    page = client.get("/queries/fx01-models")
    html = text(page)
    assert page.status_code == 200
    assert '<h1 id="question">Which relationship models does a theory distinguish?</h1>' in html
    assert 'name="theory" value="rgr:theory-role-theory"' in html
    assert "collaborative relationship" in html
    assert "?theory rg:hasRelationshipModel ?model" in html
    other = client.get("/queries/fx01-models.json", query_string={"theory": "rgr:nothing"}).json
    assert other["results"]["rows"] == [] and other["values"]["theory"] == "rgr:nothing"
    attack = client.get("/queries/fx01-models.json", query_string={"theory": "<x> } ; DROP ALL"})
    assert attack.status_code == 400 and attack.json["error"]["type"] == "ParameterError"
    literal = client.get(
        "/queries/fx02-works-by-author.json", query_string={"author": "x } ; DROP ALL #"}
    ).json
    assert literal["results"]["rows"] == []
    assert client.get("/queries/nope").status_code == 404


def test_stored_query_downloads_keep_parameters(client: Any) -> None:
    data = client.get("/queries/fx01-models.json", query_string={"theory": str(ROLE_THEORY)}).json
    href = next(d["href"] for d in data["results"]["downloads"] if d["format"] == "csv")
    assert "theory=" in href
    csv_text = client.get(href).get_data(as_text=True)
    assert "collaborative relationship" in csv_text


def test_query_list_and_json_twins(client: Any) -> None:
    html = text(client.get("/queries"))
    assert "Which cited works have a given first author?" in html
    listed = client.get("/queries.json").json["queries"]
    assert [q["id"] for q in listed] == ["fx01-models", "fx02-works-by-author"]
    assert listed[0]["params"] == [{"name": "theory", "default": "rgr:theory-role-theory"}]
    index = client.get("/index.json").json
    assert index["limits"]["max_rows"] == 10000 and len(index["examples"]) == 2


def test_entity_page_lists_triples_with_labels_and_passages(client: Any) -> None:
    response = client.get("/entity", query_string={"iri": str(FINDING)})
    html = text(response)
    assert response.status_code == 200
    assert ">collaborative approach linked to treatment adherence</h1>" in html
    assert "treatment adherence" in html and "Eisenthal et al. 1979" in html
    assert '<blockquote class="passage reflowed"' in html and "A collaborative" in html
    data = client.get("/entity.json", query_string={"iri": str(FINDING)}).json
    assert data["label"] == "collaborative approach linked to treatment adherence"
    assert data["passages"][0]["start"] == 7744 and data["passages"][0]["end"] == 7927
    # Relations are grouped by property (issue 11); the header properties are shown apart.
    predicates = {g["property"]["curie"] for g in data["outgoing"]}
    assert {"rg:aboutTheory", "rg:derivedFromPassage"} <= predicates
    assert [t["curie"] for t in data["types"]] == ["rg:Finding"]
    incoming = {v["value"] for g in data["incoming"] for v in g["values"]}
    assert any("citation-collaborative" in iri for iri in incoming)
    unknown = client.get("/entity.json", query_string={"iri": "http://example.org/none"})
    assert unknown.status_code == 404 and unknown.json["found"] is False
    assert client.get("/entity.json", query_string={"iri": "not an iri"}).status_code == 400


def test_html_errors_for_browsers_json_for_clients(client: Any) -> None:
    html = client.get("/no/such/page", headers=BROWSER)
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert 'role="alert"' in text(html)
    api = client.get("/no/such/page")
    assert api.mimetype == "application/json"
    assert api.json == {
        "ok": False,
        "error": api.json["error"],
        "hint": "see / for the query page and /sparql for the endpoint",
        "status": 404,
        "type": "NotFound",
    }


def test_a_json_url_always_answers_json(client: Any) -> None:
    """Issue 10: a browser opening /queries/nope.json got an HTML error page."""
    for path in ("/queries/nope.json", "/entity.json", "/query.json", "/nothing/here.json"):
        response = client.get(path, headers=BROWSER)
        assert response.mimetype == "application/json", path
        assert response.json["ok"] is False and response.json["status"] >= 400, path
    assert client.get("/queries/nope.json", headers=BROWSER).status_code == 404
    # the same errors as pages, for browsers
    assert client.get("/queries/nope", headers=BROWSER).mimetype == "text/html"


def test_every_page_and_its_twin_share_one_data_function(client: Any) -> None:
    """The twin sends what the page shows: the same data, the same status."""
    pairs = [
        ("/", "/index.json", {}),
        ("/queries", "/queries.json", {}),
        ("/queries/fx01-models", "/queries/fx01-models.json", {}),
        ("/entity", "/entity.json", {"iri": str(FINDING)}),
        ("/entity", "/entity.json", {"iri": "http://example.org/none"}),
    ]
    for page, twin, params in pairs:
        html = client.get(page, query_string=params, headers=BROWSER)
        data = client.get(twin, query_string=params, headers=BROWSER)
        assert data.mimetype == "application/json" and html.mimetype == "text/html"
        assert html.status_code == data.status_code, page


def test_the_index_twin_runs_a_query_only_when_given_one(client: Any) -> None:
    """Issue 10: /index.json ran the default query and threw the result away."""
    plain = client.get("/index.json").json
    assert plain["results"] is None and plain["error"] is None
    asked = client.get("/index.json", query_string={"query": "ASK { ?s a rg:Theory }"}).json
    assert asked["results"]["kind"] == "ask" and asked["results"]["row_count"] == 1
