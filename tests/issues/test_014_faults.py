"""Issue 14: faults. A worker killed mid-query, every worker busy, a missing or damaged graph,
a build that fails halfway or runs out of disk, a restart under load.

Found and fixed: a build that ran out of disk ended in an OSError (an
"internal error" line) instead of saying what happened; builds now flush the
new graph and manifest to disk before renaming them, and say which file could
not be written and that the previous graph is unchanged. A graph damaged or
cut short after its build was served as it was (a truncated N-Quads file
parses); the manifest now records the graph's digest, which `serve`, the web
app and every command that opens the graph check first, and `build` rebuilds
a graph that does not match it. A query worker killed from outside (the
out-of-memory killer, an operator) was answered 500, an internal error that
counted towards replacing the web worker; it is a 503 with ``Retry-After``
now, and the worker is replaced.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.errors import LoadError, NotBuiltError, RelgraphError, WorkerDied
from relgraph.query.pool import Job, QueryPool
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, built_graph_path, check_built, manifest_path, open_built
from relgraph.store.memory import GraphStore as MemoryStore
from tests import EXPENSIVE, ROOT
from tests.conftest import WEB_QUERIES, LiveServer, cli_for, serve_in_background

QUICK = Job(query="ASK { ?s ?p ?o }")


def wait_busy(pool: QueryPool) -> None:
    deadline = time.monotonic() + 15
    while pool.stats().busy == 0:
        assert time.monotonic() < deadline, "the query never started"
        time.sleep(0.01)
    time.sleep(0.2)  # the worker is evaluating


def busy_pid(pool: QueryPool) -> int:
    idle = set(id(w) for w in pool._idle)
    (worker,) = [w for w in pool._workers if id(w) not in idle]
    pid = worker.process.pid
    assert pid is not None
    return pid


def test_a_worker_killed_mid_query_is_a_clear_503_and_is_replaced(
    fixture_store: GraphStore,
) -> None:
    with QueryPool(nquads=fixture_store.serialize(ox.RdfFormat.N_QUADS), size=1) as pool:
        pool.warm()
        outcome: dict[str, BaseException] = {}

        def run() -> None:
            try:
                pool.run(Job(query=EXPENSIVE), 20)
            except BaseException as exc:  # noqa: BLE001 - recorded for the test
                outcome["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        wait_busy(pool)
        victim = busy_pid(pool)
        started = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        thread.join(10)
        assert not thread.is_alive() and time.monotonic() - started < 5
        error = outcome["error"]
        assert isinstance(error, WorkerDied)
        assert error.http_status == 503 and error.retry_after_s
        assert "ended while answering" in error.message
        stats = pool.stats()
        assert stats.died == 1 and stats.alive == 1
        assert pool.run(QUICK, 10).boolean is True
        (fresh,) = pool._workers
        assert fresh.process.pid != victim


def test_a_killed_worker_over_http(make_app: Any) -> None:
    app = make_app(query_workers=1)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    pool = app.extensions["relgraph"].service.pool
    replies: list[Any] = []
    thread = threading.Thread(
        target=lambda: replies.append(client.get("/sparql", query_string={"query": EXPENSIVE}))
    )
    thread.start()
    wait_busy(pool)
    os.kill(busy_pid(pool), signal.SIGKILL)
    thread.join(10)
    (reply,) = replies
    assert reply.status_code == 503 and int(reply.headers["Retry-After"]) >= 1
    assert reply.json["type"] == "WorkerDied" and "try again" in reply.json["hint"]
    health = client.get("/-/health.json").json
    assert health["internal_errors"] == 0  # not a bug of relgraph: the web worker stays
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    assert client.get("/-/health.json").json["query_workers"]["died"] == 1


def test_every_worker_busy_over_http_is_503_with_retry_after(make_app: Any) -> None:
    app = make_app(query_workers=1, query_queue_wait_ms=300)
    client = app.test_client()
    pool = app.extensions["relgraph"].service.pool
    replies: list[Any] = []
    slow = threading.Thread(
        target=lambda: replies.append(
            client.get("/sparql", query_string={"query": EXPENSIVE, "timeout": "3000"})
        )
    )
    slow.start()
    wait_busy(pool)
    started = time.monotonic()
    busy = client.get("/sparql", query_string={"query": "ASK {}"})
    assert time.monotonic() - started < 3
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert busy.json["type"] == "ServerBusy" and "query_queue_wait_ms" in busy.json["error"]
    page = client.get("/query.json", query_string={"query": "ASK {}"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    slow.join(15)
    assert replies[0].status_code == 503 and replies[0].json["type"] == "QueryTimeout"
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


# -- the built graph at start ------------------------------------------------------------------


def test_serve_without_a_built_graph_says_so(fixture_settings: Settings) -> None:
    result = cli_for(fixture_settings)("serve", "--port", "1")
    assert result.exit_code == 2
    assert "no built graph at" in result.output and "relgraph build" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("damage", ["garbage", "truncated", "emptied"])
def test_a_damaged_graph_is_refused_clearly_and_rebuilt(
    fixture_settings: Settings, fixture_store: GraphStore, damage: str
) -> None:
    path = built_graph_path(fixture_settings)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"<not n-quads\x00\xff" + data[:100])
    elif damage == "truncated":
        cut = data.rfind(b"\n", 0, len(data) // 2) + 1  # whole lines: it still parses
        path.write_bytes(data[:cut])
        assert len(list(ox.parse(data[:cut], format=ox.RdfFormat.N_QUADS))) > 0
    else:
        path.write_bytes(b"")
    with pytest.raises(LoadError, match="damaged") as info:
        open_built(fixture_settings)
    assert "relgraph build" in info.value.hint
    invoke = cli_for(fixture_settings)
    for command in (("serve", "--port", "1"), ("query", "ASK {}"), ("info",)):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "damaged" in result.output and "Traceback" not in result.output
    # `relgraph build` sees the damage (sources unchanged) and builds again.
    rebuilt = build(fixture_settings)
    assert not rebuilt.skipped
    assert len(open_built(fixture_settings)) == len(fixture_store)


def test_the_web_app_refuses_a_damaged_graph(
    fixture_settings: Settings, fixture_store: Any
) -> None:
    from relgraph.web import create_app

    built_graph_path(fixture_settings).write_bytes(b"")
    with pytest.raises(LoadError, match="damaged"):
        create_app(fixture_settings)
    shutil.rmtree(fixture_settings.path("build_dir"))
    with pytest.raises(NotBuiltError):
        create_app(fixture_settings)


# -- builds that fail --------------------------------------------------------------------------


def _state(settings: Settings) -> dict[str, bytes]:
    folder = settings.path("build_dir")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_build_that_runs_out_of_disk_leaves_the_previous_graph(
    fixture_settings: Settings, fixture_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(fixture_settings)

    def full_disk(self: Any, path: Path) -> None:
        path.write_bytes(b"<http://example.org/half> <http://example.org/p> ")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(MemoryStore, "dump", full_disk)
    with pytest.raises(RelgraphError) as info:
        build(fixture_settings, force=True)
    assert "No space left on device" in info.value.message
    assert "free some disk space" in info.value.hint and "previous graph" in info.value.hint
    assert _state(fixture_settings) == before  # no temporary file left, nothing replaced
    assert check_built(fixture_settings) and len(open_built(fixture_settings)) == len(fixture_store)


def test_a_build_out_of_disk_on_the_cli_says_so(
    fixture_settings: Settings, fixture_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Any, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(MemoryStore, "dump", full_disk)
    result = cli_for(fixture_settings)("build", "--force")
    assert result.exit_code == 2
    assert "cannot write the built graph" in result.output and "internal error" not in result.output


def test_a_build_that_fails_halfway_writes_nothing(
    fixture_settings: Settings, fixture_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between writing the graph and the manifest: the old pair stays."""
    before = _state(fixture_settings)
    real_dump = MemoryStore.dump
    calls: list[Path] = []

    def dump_then_fail(self: Any, path: Path) -> None:
        real_dump(self, path)
        calls.append(path)
        raise KeyboardInterrupt  # Ctrl-C, after the whole new graph was written

    monkeypatch.setattr(MemoryStore, "dump", dump_then_fail)
    with pytest.raises(KeyboardInterrupt):
        build(fixture_settings, force=True)
    assert calls and not calls[0].exists()  # the temporary file was removed
    assert _state(fixture_settings) == before


def test_a_graph_renamed_without_its_manifest_is_not_served(
    fixture_settings: Settings, fixture_store: GraphStore
) -> None:
    """A crash between the two renames leaves a new graph with the old manifest: refused."""
    manifest = json.loads(manifest_path(fixture_settings).read_text())
    assert manifest["graph_sha256"]
    path = built_graph_path(fixture_settings)
    path.write_bytes(
        path.read_bytes()
        + b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    )
    with pytest.raises(LoadError, match="damaged"):
        check_built(fixture_settings)


# -- a restart under load ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def restart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from tests.conftest import make_fixture_settings

    tmp = tmp_path_factory.mktemp("restart")
    settings = make_fixture_settings(tmp).replace(queries_dir=str(WEB_QUERIES))
    build(settings, force=True)
    with serve_in_background(settings, tmp, workers=2, threads=2) as live:
        yield live


@pytest.mark.slow
def test_a_restart_under_load_completes_every_request(restart_server: LiveServer) -> None:
    """SIGHUP makes gunicorn replace its workers gracefully: requests in flight complete."""
    url = (
        restart_server.url
        + "/sparql?"
        + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    )
    stop = time.monotonic() + 6
    results: list[int | str] = []
    lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < stop:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status: int | str = response.status
            except urllib.error.HTTPError as error:
                status = error.code if error.code != 503 or error.headers["Retry-After"] else "503?"
                error.close()
            except OSError as error:
                status = f"{type(error).__name__}: {error}"
            with lock:
                results.append(status)

    before = json.load(urllib.request.urlopen(restart_server.url + "/-/health.json", timeout=10))
    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    os.kill(restart_server.process.pid, signal.SIGHUP)
    for thread in threads:
        thread.join(60)
    failures = [r for r in results if r != 200 and r != 503]
    assert not failures, (failures[:5], restart_server.log_text()[-2000:])
    assert results.count(200) > 20
    log = restart_server.log_text()
    assert "Hang up" in log or "Handling signal: hup" in log
    # new workers answer, with their own pids
    deadline = time.monotonic() + 30
    while True:
        after = json.load(urllib.request.urlopen(restart_server.url + "/-/health.json", timeout=10))
        if after["pid"] != before["pid"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_serve_refuses_to_start_on_a_damaged_graph_from_a_subprocess(
    fixture_settings: Settings, fixture_store: GraphStore
) -> None:
    """The real command line, as `make serve` runs it: one clear line, exit 2."""
    built_graph_path(fixture_settings).write_bytes(b"")
    args = [sys.executable, "-m", "relgraph"]
    for name in (
        "project_dir",
        "data_dir",
        "build_dir",
        "seed_dir",
        "external_dir",
        "mappings_dir",
    ):
        args += ["-s", f"{name}={getattr(fixture_settings, name)}"]
    done = subprocess.run(
        [*args, "serve", "--port", "1"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 2
    assert "damaged" in done.stderr and "relgraph build" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
