"""What ``/sparql`` does under settings other than the defaults: row cap, body size, free SPARQL.

These need an app made with the setting changed (``make_app``), so they run
through Flask's client only; the endpoint's protocol under the default
settings is the contract suite of ``tests/web/test_protocol.py``, which runs
through Flask's client and over HTTP.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

ASK = "ASK { ?s a rg:Theory }"


def bindings(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.data
    rows: list[dict[str, Any]] = json.loads(response.data)["results"]["bindings"]
    return rows


def test_the_default_time_limit_is_the_documented_one(client: Any) -> None:
    settings = client.get("/-/settings.json").json
    assert settings["settings"]["query_time_limit_ms"] == 10000


def test_truncation_is_signalled_in_a_header(make_app: Any) -> None:
    client = make_app(max_rows=3).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert len(bindings(response)) == 3
    assert response.headers["X-Relgraph-Truncated"] == "true"
    assert response.headers["X-Relgraph-Rows"] == "3"
    small = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
    assert small.headers["X-Relgraph-Truncated"] == "false"
    assert float(small.headers["X-Relgraph-Elapsed-Ms"]) >= 0


def test_body_size_cap_is_413(make_app: Any) -> None:
    client = make_app(max_request_bytes=200).test_client()
    big = "ASK { ?s ?p ?o } #" + "x" * 400
    assert client.post("/sparql", data={"query": big}).status_code == 413
    direct = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert direct.status_code == 413
    assert direct.json["status"] == 413 and "max_request_bytes" in direct.json["hint"]


def test_free_sparql_off_is_403(make_app: Any) -> None:
    client = make_app(allow_free_sparql=False).test_client()
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.status_code == 403 and "allow_free_sparql" in response.json["error"]
    assert client.get("/queries/fx01-models.json").status_code == 200


def test_negotiation_remembered_per_header_still_answers_each_kind_and_406(client: Any) -> None:
    """The remembered negotiation (conneg._choose) is keyed by kind, parameters and Accept."""
    csv = {"Accept": "text/csv"}
    for _ in range(2):
        select = client.get(
            "/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 1"}, headers=csv
        )
        assert select.status_code == 200 and select.mimetype == "text/csv"
        ask = client.get("/sparql", query_string={"query": ASK}, headers=csv)
        assert ask.status_code == 406 and "json" in ask.json["error"].lower()
        param = client.get("/sparql", query_string={"query": ASK, "format": "xml"}, headers=csv)
        assert param.status_code == 200 and "xml" in param.mimetype
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get("/sparql", query_string={"query": ASK}, headers=browser)
    assert page.status_code == 303


def test_version_json_reads_the_package_versions_once(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``importlib.metadata.version`` scans the installed packages (~5 ms a call, issue 13)."""
    from relgraph.web import api

    first = client.get("/-/version.json").json
    assert first["pyoxigraph"] and first["flask"] and first["python"]
    calls: list[str] = []

    def counted(name: str) -> str:
        calls.append(name)
        return "0"

    monkeypatch.setattr(api, "version", counted)
    assert client.get("/-/version.json").json == first
    assert calls == []
