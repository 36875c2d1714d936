"""Issue #8, item 1: a process that starts failing is replaced, not left serving errors.

After the pyparsing corruption every GROUP BY query of a web worker failed
with 500 until the server was restarted. Now a web worker that answers
``max_error_streak`` internal errors in a row exits gracefully and gunicorn
forks a fresh one; a query worker process that fails in an unexpected way is
replaced by its pool. Every 500 is logged with the request (method, path,
query) and the traceback.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import WorkerFault
from relgraph.query.pool import Job, QueryPool
from relgraph.store import GraphStore
from relgraph.store.answer import Answer
from relgraph.store.builder import build
from tests import ROOT
from tests.conftest import WEB_QUERIES, LiveServer, make_fixture_settings, serve_in_background

FAULT = "SELECT ?s WHERE { ?s a rg:Theory } #plant-fault"
GOOD = "SELECT ?s WHERE { ?s a rg:Theory }"
STREAK = 3


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def ask(url: str, query: str) -> tuple[int, Any]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        url + "/sparql", data=data, headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("healing")
    settings = make_fixture_settings(tmp).replace(queries_dir=str(WEB_QUERIES))
    build(settings, force=True)
    launcher = [sys.executable, str(ROOT / "tests" / "issues" / "fault_server.py")]
    overrides = {"max_error_streak": str(STREAK)}
    with serve_in_background(
        settings, tmp, workers=1, threads=2, overrides=overrides, launcher=launcher
    ) as live:
        yield live


@pytest.mark.slow
def test_a_failing_web_worker_is_replaced(server: LiveServer) -> None:
    before = get_json(server.url + "/-/health.json")
    assert before["ok"] is True and before["max_error_streak"] == STREAK
    status, body = ask(server.url, GOOD)
    assert status == 200 and body["results"]["bindings"]
    for _ in range(STREAK):
        status, body = ask(server.url, FAULT)
        assert status == 500
        assert body["type"] == "InternalError" and "planted" not in json.dumps(body)
    # The worker exits after its answer; gunicorn forks a new one, which answers.
    deadline = time.monotonic() + 30
    while True:
        try:
            after = get_json(server.url + "/-/health.json")
            if after["pid"] != before["pid"]:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, server.log_text()[-3000:]
        time.sleep(0.2)
    assert after["ok"] is True and after["internal_errors"] == 0
    status, body = ask(server.url, GOOD)
    assert status == 200 and body["results"]["bindings"]
    log = server.log_text()
    assert log.count("internal error (500) on POST /sparql; query: ") == STREAK
    assert "#plant-fault" in log and "Traceback" in log
    assert "RuntimeError: a fault planted by the self-healing test" in log
    assert "internal errors in a row" in log and f"Booting worker with pid: {after['pid']}" in log


def test_a_query_worker_that_fails_is_recycled(fixture_store: GraphStore) -> None:
    """An unexpected failure inside a query worker (here: a job the engine cannot take)."""
    with QueryPool(nquads=fixture_store.serialize(ox.RdfFormat.N_QUADS), size=1) as pool:
        pool.warm()
        (worker,) = pool._workers
        first_pid = worker.process.pid
        ok = pool.run(Job(query="ASK { ?s ?p ?o }"), 10)
        assert isinstance(ok, Answer) and ok.boolean is True
        bad = Job(query="SELECT ?x WHERE { }", bindings=(("x", object()),))  # type: ignore[arg-type]
        with pytest.raises(WorkerFault) as info:
            pool.run(bad, 10)
        assert info.value.http_status == 500
        assert "Traceback" in info.value.detail
        stats = pool.stats()
        assert stats.recycled == 1 and stats.alive == 1
        (replacement,) = pool._workers
        assert replacement.process.pid != first_pid
        assert pool.run(Job(query="ASK { ?s ?p ?o }"), 10).boolean is True


def test_an_evaluation_error_is_the_clients_not_a_crash(fixture_store: GraphStore) -> None:
    """pyoxigraph's errors for a query it cannot evaluate are answered 400; no recycling."""
    with QueryPool(nquads=fixture_store.serialize(ox.RdfFormat.N_QUADS), size=1) as pool:
        job = Job(query="SELECT (<http://example.org/f>(?s) AS ?x) WHERE { ?s ?p ?o }")
        with pytest.raises(Exception) as info:
            pool.run(job, 10)
        assert getattr(info.value, "http_status", None) == 400
        assert "could not be evaluated" in str(info.value)
        assert pool.stats().recycled == 0


def test_every_500_in_the_app_is_logged_with_the_request(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(max_error_streak=2)
    calls: list[int] = []
    app.extensions["relgraph"].health.on_unhealthy = lambda health: calls.append(health.streak)

    @app.route("/-/boom")
    def boom() -> str:
        raise ValueError("boom")

    client = app.test_client()
    with caplog.at_level("ERROR", logger="relgraph.web"):
        assert client.get("/-/boom?query=SELECT%201").status_code == 500
        assert client.get("/-/boom").status_code == 500
        assert client.get("/-/boom").status_code == 500
    records = [r for r in caplog.records if "internal error (500)" in r.getMessage()]
    assert len(records) == 3
    assert "GET /-/boom?query=SELECT%201; query: 'SELECT 1'" in records[0].getMessage()
    assert "ValueError: boom" in records[0].getMessage()
    assert calls == [2]  # unhealthy once, when the streak reached the limit
    health = client.get("/-/health.json").json
    assert health["pid"] == os.getpid() and health["ok"] is False


def test_an_answer_ends_the_streak(make_app: Any) -> None:
    app = make_app(max_error_streak=2)

    @app.route("/-/boom")
    def boom() -> str:
        raise ValueError("boom")

    client = app.test_client()
    client.get("/-/boom")
    assert client.get("/-/version.json").status_code == 200
    client.get("/-/boom")
    health = client.get("/-/health.json").json
    assert health["ok"] is True and health["error_streak"] == 1 and health["internal_errors"] == 2


def test_a_worker_failure_on_a_page_is_logged_and_counted(
    make_app: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages answer errors themselves (as HTML or JSON); a 500 among them is still a bug."""
    app = make_app()
    service = app.extensions["relgraph"].service

    def failing(request: object) -> None:
        raise WorkerFault("the query engine failed", "try again", detail="Traceback: in the worker")

    monkeypatch.setattr(service, "run", failing)
    client = app.test_client()
    with caplog.at_level("ERROR", logger="relgraph.web"):
        response = client.get("/query.json", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 500
    (record,) = [r for r in caplog.records if "internal error (500)" in r.getMessage()]
    assert "query: 'ASK { ?s ?p ?o }'" in record.getMessage()
    assert "query worker traceback:\nTraceback: in the worker" in record.getMessage()
    assert client.get("/-/health.json").json["internal_errors"] == 1
