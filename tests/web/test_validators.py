"""Entity tags of SPARQL answers: ``ETag``, ``If-None-Match`` and 304 (relgraph.web.validators).

Through Flask's client and over real HTTP (gunicorn): a tag comes back as 304 without the
query being run, it names the format, the query and the graph, refusals and the per-client
limits hold for conditional requests, volatile queries get no tag, and a rebuild of the
graph under a running server withdraws every tag until the server restarts.
"""

from __future__ import annotations

import http.client
import json
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from relgraph.settings import Settings
from relgraph.store.builder import build, manifest_path
from relgraph.web.validators import GraphIdentity, answer_tag
from tests.conftest import WEB_QUERIES, make_fixture_settings, serve_in_background

QUERY = "SELECT ?t WHERE { ?t a rg:Theory } ORDER BY ?t"
JSON = {"Accept": "application/sparql-results+json"}


def _tag(response: Any) -> str:
    assert response.status_code == 200, response.data
    tag = response.headers.get("ETag")
    assert tag and tag.startswith('W/"'), response.headers
    return str(tag)


def test_a_tag_sent_back_gets_304_without_a_body(client: Any) -> None:
    tag = _tag(client.post("/sparql", data={"query": QUERY}, headers=JSON))
    again = client.post("/sparql", data={"query": QUERY}, headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag and again.headers["Vary"] == "Accept"
    assert again.headers["X-Content-Type-Options"] == "nosniff"  # security headers kept
    assert again.headers["Content-Security-Policy"].startswith("default-src 'none'")
    get = client.get(
        "/sparql", query_string={"query": QUERY}, headers={**JSON, "If-None-Match": tag}
    )
    assert get.status_code == 304
    stale = client.post(
        "/sparql", data={"query": QUERY}, headers={**JSON, "If-None-Match": 'W/"0000"'}
    )
    assert stale.status_code == 200 and stale.headers["ETag"] == tag


def test_the_tag_names_the_format_the_query_and_the_dataset(client: Any) -> None:
    json_tag = _tag(client.post("/sparql", data={"query": QUERY}, headers=JSON))
    csv_tag = _tag(client.post("/sparql", data={"query": QUERY}, headers={"Accept": "text/csv"}))
    other = _tag(client.post("/sparql", data={"query": QUERY + " LIMIT 1"}, headers=JSON))
    graph = "https://w3id.org/relgraph/graph/data/review"
    dataset = _tag(
        client.post("/sparql", data={"query": QUERY, "default-graph-uri": graph}, headers=JSON)
    )
    assert len({json_tag, csv_tag, other, dataset}) == 4
    csv = client.post(
        "/sparql", data={"query": QUERY}, headers={"Accept": "text/csv", "If-None-Match": json_tag}
    )
    assert csv.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) WHERE {}",
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "SELECT (bnode() AS ?b) WHERE {}",
    ],
)
def test_volatile_queries_get_no_tag(client: Any, query: str) -> None:
    response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 200 and "ETag" not in response.headers
    star = client.post("/sparql", data={"query": query}, headers={**JSON, "If-None-Match": "*"})
    assert star.status_code == 200


def test_refusals_hold_for_conditional_requests(client: Any) -> None:
    any_tag = {**JSON, "If-None-Match": "*"}
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert client.post("/sparql", data={"query": service}, headers=any_tag).status_code == 403
    update = client.post("/sparql", data={"update": "DROP ALL"}, headers=any_tag)
    assert update.status_code == 403
    syntax = client.post("/sparql", data={"query": "SELECT ?x WHERE {"}, headers=any_tag)
    assert syntax.status_code == 400  # no answer: never 'not modified', not even for '*'
    fine = client.post("/sparql", data={"query": QUERY}, headers=any_tag)
    assert fine.status_code == 200  # '*' is answered in full
    tag = {**JSON, "If-None-Match": fine.headers["ETag"]}
    bad_timeout = client.post("/sparql", data={"query": QUERY, "timeout": "soon"}, headers=tag)
    assert bad_timeout.status_code == 400  # the request's options are read as without a tag


def test_limits_hold_for_conditional_requests(make_app: Any) -> None:
    app = make_app(client_query_budget_ms=1, client_budget_window_s=60)
    client = app.test_client()
    remote = {"REMOTE_ADDR": "192.0.2.9"}
    first = client.post("/sparql", data={"query": QUERY}, headers=JSON, environ_base=remote)
    tag = _tag(first)  # charged at least 1 ms: the budget is spent
    again = client.post(
        "/sparql",
        data={"query": QUERY},
        headers={**JSON, "If-None-Match": tag},
        environ_base=remote,
    )
    assert again.status_code == 429 and "Retry-After" in again.headers
    local = client.post("/sparql", data={"query": QUERY}, headers={**JSON, "If-None-Match": tag})
    assert local.status_code == 304  # loopback is free of the limits, as without tags


def test_tags_depend_on_the_graph() -> None:
    parts = ("", "", "0", "0", "", "10000", "0", "")
    assert answer_tag("a" * 64, QUERY, "json", parts) != answer_tag("b" * 64, QUERY, "json", parts)
    assert GraphIdentity("d").current() == "d"


def _post(url: str, tag: str | None = None) -> tuple[int, str | None]:
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
    if tag:
        headers["If-None-Match"] = tag
    try:
        conn.request(
            "POST", "/sparql", body=urllib.parse.urlencode({"query": QUERY}), headers=headers
        )
        response = conn.getresponse()
        body = response.read()
        assert (response.status == 304) == (body == b"")
        return response.status, response.getheader("ETag")
    finally:
        conn.close()


def test_over_http_and_a_rebuild_withdraws_the_tags_until_restart(tmp_path: Path) -> None:
    settings: Settings = make_fixture_settings(tmp_path).replace(queries_dir=str(WEB_QUERIES))
    build(settings, force=True)
    manifest = manifest_path(settings)
    manifests = [tmp_path / "manifest-before.json"]
    shutil.copy(manifest, manifests[0])
    with serve_in_background(settings, tmp_path) as server:
        status, tag = _post(server.url)
        assert status == 200 and tag
        assert _post(server.url, tag) == (304, tag)
        build(settings, force=True)  # the built graph and its manifest are replaced
        manifests.append(manifest)
        assert _post(server.url, tag) == (200, None)
        assert _post(server.url) == (200, None)
    with serve_in_background(settings, tmp_path) as server:  # restarted: tags again
        status, fresh = _post(server.url, tag)
        digests = {json.loads(manifest.read_text())["graph_sha256"] for manifest in manifests}
        # a rebuild that wrote another graph (blank node labels, build time) gives new tags
        assert (status, fresh == tag) == ((200, False) if len(digests) == 2 else (304, True))
        assert fresh and _post(server.url, fresh) == (304, fresh)


# -- /queries/<id>/results: the same tags (a gap noticed at the close of the last session) ----

RESULTS = "/queries/fx01-models/results"


def test_stored_results_get_a_tag_and_304(client: Any) -> None:
    first = client.get(RESULTS, query_string={"format": "json"})
    tag = _tag(first)
    again = client.get(RESULTS, query_string={"format": "json"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    other_value = {"format": "json", "theory": "rgr:nothing"}
    other = client.get(RESULTS, query_string=other_value, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag  # the value is in the tag
    csv = client.get(RESULTS, query_string={"format": "csv"}, headers={"If-None-Match": tag})
    assert csv.status_code == 200 and csv.headers["ETag"] not in (tag, other.headers["ETag"])
    download = client.get(
        RESULTS, query_string={"format": "json", "download": "1"}, headers={"If-None-Match": tag}
    )
    assert download.status_code == 200 and download.headers["ETag"] != tag


def test_stored_results_read_their_options_before_304(client: Any) -> None:
    tag = _tag(client.get(RESULTS, query_string={"format": "json"}))
    conditional = {"If-None-Match": tag}
    bad_value = client.get(
        RESULTS, query_string={"format": "json", "theory": "<x> } ; DROP ALL"}, headers=conditional
    )
    assert bad_value.status_code == 400 and "ETag" not in bad_value.headers
    bad_timeout = client.get(
        RESULTS, query_string={"format": "json", "timeout": "soon"}, headers=conditional
    )
    assert bad_timeout.status_code == 400
    ignored = client.get(RESULTS, query_string={"format": "json", "nope": "1"}, headers=conditional)
    assert ignored.status_code == 304  # not a parameter of the query: ignored, as without a tag
    assert client.get("/queries/nope/results", headers=conditional).status_code == 404


def test_stored_results_limits_hold_for_conditional_requests(make_app: Any) -> None:
    app = make_app(client_query_budget_ms=1, client_budget_window_s=60)
    client = app.test_client()
    remote = {"REMOTE_ADDR": "192.0.2.9"}
    tag = _tag(client.get(RESULTS, query_string={"format": "json"}, environ_base=remote))
    again = client.get(
        RESULTS,
        query_string={"format": "json"},
        headers={"If-None-Match": tag},
        environ_base=remote,
    )
    assert again.status_code == 429 and "Retry-After" in again.headers


def test_stored_results_tags_over_http(live_server: str) -> None:
    parsed = urllib.parse.urlsplit(live_server)
    conn = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    try:
        conn.request("GET", RESULTS + "?format=json")
        first = conn.getresponse()
        body = first.read()
        tag = first.getheader("ETag")
        assert first.status == 200 and tag and json.loads(body)["results"]["bindings"]
        conn.request("GET", RESULTS + "?format=json", headers={"If-None-Match": tag})
        again = conn.getresponse()
        assert (again.status, again.read(), again.getheader("ETag")) == (304, b"", tag)
    finally:
        conn.close()
