"""The web server (gunicorn with :class:`~relgraph.web.server.KeepAliveWorker`) over real HTTP.

The worker keeps a kept-alive connection in its request thread for
``keepalive_linger_ms`` (docs/decisions/0014-latency.md): requests sent back to
back, pipelined, after a pause longer than the linger, and on several
connections at once must all be answered, and answered alike.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from typing import Any

from relgraph.settings import Settings
from relgraph.web.server import KeepAliveWorker, gunicorn_options, linger_worker

QUERY = "SELECT ?t WHERE { ?t a rg:Theory } ORDER BY ?t"
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Accept": "application/sparql-results+json",
}
BODY = urllib.parse.urlencode({"query": QUERY}).encode()


def _connection(url: str) -> http.client.HTTPConnection:
    parsed = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)


def _post(conn: http.client.HTTPConnection) -> tuple[int, Any]:
    conn.request("POST", "/sparql", body=BODY, headers=HEADERS)
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data)


def test_the_worker_class_is_the_lingering_gthread_worker() -> None:
    options = gunicorn_options(Settings(keepalive_linger_ms=5), "127.0.0.1", 1, 1)
    worker = options["worker_class"]
    assert issubclass(worker, KeepAliveWorker) and worker.linger_s == 0.005
    assert linger_worker(0).linger_s == 0.0


def test_back_to_back_requests_and_pauses_on_one_connection(live_server: str) -> None:
    conn = _connection(live_server)
    try:
        first = _post(conn)
        assert first[0] == 200 and first[1]["results"]["bindings"]
        for pause in (0, 0, 0, 0.05, 0, 0.3, 0):  # within and past the linger
            time.sleep(pause)
            assert _post(conn) == first
    finally:
        conn.close()


def test_pipelined_requests_are_all_answered_in_order(live_server: str) -> None:
    """Two requests in one packet: the second is read ahead with the first."""
    parsed = urllib.parse.urlsplit(live_server)
    queries = ["ASK { ?t a rg:Theory }", "ASK { ?t a rg:NoSuchClass }"]
    raw = b""
    for query in queries:
        body = urllib.parse.urlencode({"query": query}).encode()
        raw += (
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(raw)
        received = b""
        deadline = time.monotonic() + 30
        while received.count(b'"boolean"') < 2 and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    assert received.count(b"HTTP/1.1 200") == 2
    answers = [part.split(b"\r\n\r\n", 1)[1] for part in received.split(b"HTTP/1.1 ")[1:]]
    assert [json.loads(answer)["boolean"] for answer in answers] == [True, False]


def test_concurrent_keep_alive_connections_get_the_same_answers(live_server: str) -> None:
    first = _connection(live_server)
    try:
        reference = _post(first)
    finally:
        first.close()
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def client() -> None:
        conn = _connection(live_server)
        try:
            mine = [_post(conn) for _ in range(15)]
        finally:
            conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(12)]  # more than the threads
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 12 * 15
    assert all(result == reference for result in results)


def test_the_benchmark_client_counts_rows_after_the_run_in_threads_and_processes(
    live_server: str,
) -> None:
    """benchmarks/client.py: both kinds of concurrent client see every answer, rows counted."""
    from benchmarks.client import Query, concurrent_run

    queries = [
        Query("theories", QUERY),
        Query("none", "SELECT ?x WHERE { ?x a rg:NoSuchClass }"),
    ]
    for processes in (False, True):
        result = concurrent_run(
            live_server + "/sparql", queries, clients=3, rounds=2, budget_s=30, processes=processes
        )
        assert len(result.samples) == 3 * 2 * 2 and result.wall_s > 0
        assert all(s.status == 200 and s.data is None for s in result.samples)
        rows = {s.query: s.rows for s in result.samples}
        assert rows["none"] == 0 and (rows["theories"] or 0) > 0
        assert result.throughput > 0


def test_connections_beyond_the_threads_all_get_their_turn(live_server: str) -> None:
    """More busy keep-alive connections than threads (4): none waits while others linger."""
    counts: dict[int, int] = {}
    worst: dict[int, float] = {}
    stop = time.monotonic() + 4

    def client(index: int) -> None:
        conn = _connection(live_server)
        done, slowest = 0, 0.0
        try:
            while time.monotonic() < stop:
                started = time.monotonic()
                assert _post(conn)[0] == 200
                slowest = max(slowest, time.monotonic() - started)
                done += 1
        finally:
            conn.close()
        counts[index], worst[index] = done, slowest

    threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    mean = sum(counts.values()) / len(counts)
    assert len(counts) == 10 and min(counts.values()) >= 0.25 * mean, counts
    assert max(worst.values()) < 3.0, worst
