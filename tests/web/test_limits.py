"""Issue 14, limits and policy: per-client concurrency and budget (429), sizes, queue wait (503)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import QueryTimeout, ServerBusy, TooManyQueries
from relgraph.query.pool import Job, QueryPool
from relgraph.store import GraphStore
from relgraph.web.limits import ClientLimits, client_key
from tests import EXPENSIVE

QUICK = "ASK { ?s ?p ?o }"
BROWSER = {"Accept": "text/html"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(**kwargs: Any) -> tuple[ClientLimits, Clock]:
    clock = Clock()
    values = {"max_queries": 2, "budget_ms": 1000, "window_s": 60, **kwargs}
    return ClientLimits(clock=clock, **values), clock


def test_concurrency_limit_per_client() -> None:
    lim, _ = limits()
    with lim.admit("192.0.2.1"), lim.admit("192.0.2.1"):
        with pytest.raises(TooManyQueries) as info, lim.admit("192.0.2.1"):
            pass
        assert info.value.http_status == 429 and info.value.retry_after_s == 1
        assert "client_max_queries" in info.value.message
        with lim.admit("192.0.2.2"):  # another client is not affected
            pass
    with lim.admit("192.0.2.1"):  # the first client's queries ended
        pass
    assert lim.refused == {"concurrency": 1, "budget": 0}


def test_budget_is_a_sliding_window_with_retry_after() -> None:
    lim, clock = limits()
    with lim.admit("192.0.2.1") as ticket:
        ticket.charge(600)
    clock.now += 10
    with lim.admit("192.0.2.1") as ticket:
        ticket.charge(600)
    clock.now += 5
    with pytest.raises(TooManyQueries) as info, lim.admit("192.0.2.1"):
        pass
    # 1200 ms spent; the first 600 ms expire 60 s after they were spent, 45 s from now.
    assert info.value.retry_after_s == 45
    assert "client_query_budget_ms" in info.value.message
    clock.now += 45
    with lim.admit("192.0.2.1") as ticket:  # back under the budget
        ticket.charge(1)
    assert lim.usage("192.0.2.1")["spent_ms"] == 601


def test_a_query_stopped_at_the_deadline_is_charged_its_time_limit() -> None:
    lim, _ = limits()
    timeout = QueryTimeout("stopped", "hint")
    timeout.time_limit_ms = 5000
    with pytest.raises(QueryTimeout), lim.admit("192.0.2.9"):
        raise timeout
    assert lim.usage("192.0.2.9") == {"running": 0, "spent_ms": 5000.0}


def test_loopback_is_unlimited_only_when_it_connects_directly() -> None:
    lim, _ = limits(max_queries=1, unlimited=frozenset({"127.0.0.1", "::1"}))
    with lim.admit("127.0.0.1"), lim.admit("127.0.0.1"), lim.admit("::1"):
        pass
    with lim.admit("127.0.0.1", forwarded=True):
        with pytest.raises(TooManyQueries), lim.admit("127.0.0.1", forwarded=True):
            pass


def test_ipv6_clients_are_counted_by_their_64_network() -> None:
    assert client_key("2001:db8:1:2:3::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    lim, _ = limits(max_queries=1)
    with lim.admit("2001:db8::1"):
        with pytest.raises(TooManyQueries), lim.admit("2001:db8::2"):
            pass


def test_limits_count_every_kind_of_query_over_http(make_app: Any) -> None:
    app = make_app(unlimited_clients="", client_query_budget_ms=1, client_max_queries=0)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200
    # The first query spent more than the 1 ms budget: every way of querying is refused.
    answers = [
        client.get("/sparql", query_string={"query": QUICK}),
        client.post("/sparql", data=QUICK, content_type="application/sparql-query"),
        client.get("/query.json", query_string={"query": QUICK}),
        client.get("/index.json", query_string={"query": QUICK}),
        client.get("/", query_string={"query": QUICK}, headers=BROWSER),
        client.get("/queries/fx01-models.json"),
        client.get("/queries/fx01-models/results"),
    ]
    for response in answers:
        assert response.status_code == 429, response.request.url
        assert 1 <= int(response.headers["Retry-After"]) <= 60
    body = answers[0].json
    assert body["type"] == "TooManyQueries" and "client_query_budget_ms" in body["error"]
    assert "client_query_budget_ms" in answers[4].get_data(as_text=True)  # the HTML page
    # Pages that run no user query are not limited.
    assert client.get("/queries").status_code == 200
    assert client.get("/-/health.json").json["refused_queries"]["budget"] == len(answers)


def test_loopback_clients_are_not_hampered_by_default(make_app: Any) -> None:
    app = make_app(client_query_budget_ms=1)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200
    # ... but a request that came through a proxy is someone else's, and is limited.
    proxied = {"X-Forwarded-For": "198.51.100.7"}
    assert client.get("/sparql", query_string={"query": QUICK}, headers=proxied).status_code == 200
    refused = client.get("/sparql", query_string={"query": QUICK}, headers=proxied)
    assert refused.status_code == 429


def test_forwarded_addresses_are_trusted_only_behind_proxy_hops(make_app: Any) -> None:
    def run(client: Any, address: str) -> int:
        headers = {"X-Forwarded-For": address}
        status: int = client.get(
            "/sparql", query_string={"query": QUICK}, headers=headers
        ).status_code
        return status

    spoofable = make_app(unlimited_clients="", client_query_budget_ms=1).test_client()
    assert run(spoofable, "198.51.100.1") == 200
    # Without a trusted proxy the header is not believed: a new address is no new budget.
    assert run(spoofable, "198.51.100.2") == 429

    behind = make_app(unlimited_clients="", client_query_budget_ms=1, proxy_hops=1).test_client()
    assert run(behind, "198.51.100.1") == 200
    assert run(behind, "198.51.100.2") == 200  # another client, as the proxy says
    assert run(behind, "198.51.100.1") == 429
    # Only the last hop is trusted: a client cannot prepend addresses to escape its budget.
    assert run(behind, "203.0.113.5, 198.51.100.1") == 429


def test_a_query_longer_than_max_query_chars_is_413(make_app: Any) -> None:
    client = make_app(max_query_chars=100).test_client()
    long_query = "ASK { ?s ?p ?o }" + " " * 100
    reply = client.post("/sparql", data={"query": long_query})
    assert reply.status_code == 413
    assert "max_query_chars" in reply.json["error"] and reply.json["type"] == "TooLarge"
    page = client.post("/", data={"query": long_query}, headers=BROWSER)
    assert page.status_code == 413 and "max_query_chars" in page.get_data(as_text=True)
    assert client.post("/sparql", data={"query": QUICK}).status_code == 200


def test_a_request_body_larger_than_max_request_bytes_is_413(make_app: Any) -> None:
    client = make_app(max_request_bytes=1000).test_client()
    body = "ASK { ?s ?p ?o }" + " " * 2000
    for reply in (
        client.post("/sparql", data={"query": body}),
        client.post("/sparql", data=body, content_type="application/sparql-query"),
        client.post("/query.json", data={"query": body}),
    ):
        assert reply.status_code == 413 and "max_request_bytes" in reply.json["hint"]


def test_max_result_bytes_cuts_the_answer_and_flags_it(make_app: Any) -> None:
    client = make_app(max_result_bytes=2000).test_client()
    reply = client.get(
        "/sparql",
        query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status_code == 200 and reply.headers["X-Relgraph-Truncated"] == "true"
    rows = reply.json["results"]["bindings"]
    assert 0 < len(rows) < 100
    assert sum(len(v["value"]) for row in rows for v in row.values()) <= 2000
    huge = 'SELECT ?x WHERE { BIND(CONCAT(STRUUID(), "' + "x" * 3000 + '") AS ?x) }'
    refused = client.get("/sparql", query_string={"query": huge})
    assert refused.status_code == 400 and "max_result_bytes" in refused.json["error"]


def test_deeply_nested_queries_are_refused_before_the_engine(make_app: Any) -> None:
    """The engine's parser is cubic in nesting depth and overflows its stack (a crash)."""
    client = make_app().test_client()
    for depth in (51, 10_000):  # 10 000 deep crashes the engine, past 100 it is slow
        for query in (
            "SELECT * WHERE " + "{" * depth + "}" * depth,
            "SELECT * WHERE { ?s ?p " + "(" * depth + ")" * depth + " }",
            "SELECT * WHERE { ?s ?p " + "[ ?p " * depth + "1" + "]" * depth + " }",
        ):
            started = time.monotonic()
            reply = client.post("/sparql", data={"query": query})
            assert reply.status_code == 403, reply.json
            assert "max_query_nesting" in reply.json["error"]
            assert time.monotonic() - started < 5
    ok = "SELECT * WHERE " + "{" * 20 + "?s ?p ?o" + "}" * 20
    assert client.post("/sparql", data={"query": ok}).status_code == 200
    stats = client.get("/-/health.json").json["query_workers"]
    assert stats["died"] == 0 and stats["recycled"] == 0


def test_all_workers_busy_is_503_with_retry_after_not_a_hang(fixture_store: GraphStore) -> None:
    nquads = fixture_store.serialize(ox.RdfFormat.N_QUADS)
    with QueryPool(nquads=nquads, size=1, queue_wait_s=0.3) as pool:
        pool.warm()
        thread = threading.Thread(
            target=lambda: pytest.raises(QueryTimeout, pool.run, Job(query=EXPENSIVE), 3)
        )
        thread.start()
        deadline = time.monotonic() + 10
        while pool.stats().busy == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        started = time.monotonic()
        with pytest.raises(ServerBusy) as info:
            pool.run(Job(query=QUICK), 3)
        waited = time.monotonic() - started
        assert 0.25 < waited < 2
        assert info.value.http_status == 503 and info.value.retry_after_s
        assert "query_queue_wait_ms" in info.value.message
        thread.join()
        assert pool.run(Job(query=QUICK), 3).boolean is True


def test_every_response_has_the_security_headers(client: Any) -> None:
    paths = [
        "/",
        "/index.json",
        "/queries",
        "/queries/fx01-models",
        "/queries/fx01-models.json",
        "/queries/fx01-models/results",
        "/entity?iri=https://w3id.org/relgraph/resource/theory-role-theory",
        "/entity.json?iri=x",
        "/sparql",
        "/sparql?query=ASK{}",
        "/sparql?query=NOT+SPARQL",
        "/.well-known/void",
        "/-/settings.json",
        "/-/health.json",
        "/no-such-page",
        "/static/app.js",
    ]
    for path in paths:
        for headers in ({}, BROWSER):
            reply = client.get(path, headers=headers)
            h = reply.headers
            assert h["X-Content-Type-Options"] == "nosniff", path
            assert h["X-Frame-Options"] == "DENY", path
            assert h["Referrer-Policy"] == "same-origin", path
            assert "frame-ancestors 'none'" in h["Content-Security-Policy"], path
            assert "Access-Control-Allow-Credentials" not in h, path
            assert h["Access-Control-Allow-Origin"] == "*", path
            if reply.mimetype == "text/html":
                csp = h["Content-Security-Policy"]
                assert (
                    "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
                ), path
                assert "default-src 'self'" in csp and "object-src 'none'" in csp
            elif not path.startswith("/static/"):
                assert h["Content-Security-Policy"].startswith("default-src 'none'"), path
            reply.close()


def test_cors_preflight_never_allows_credentials(client: Any) -> None:
    reply = client.options(
        "/sparql",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Authorization, Cookie",
        },
    )
    assert reply.status_code < 400
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in reply.headers
    assert "Authorization" not in reply.headers["Access-Control-Allow-Headers"]
    assert "Cookie" not in reply.headers["Access-Control-Allow-Headers"]
