"""Measure SPARQL endpoints over HTTP: latency at concurrency 1 and N, and throughput.

Every request is a SPARQL 1.1 Protocol query by POST (form-encoded), asking for
SPARQL Results JSON, over a persistent (keep-alive) connection per client,
so what is measured is the server's work plus loopback HTTP. Request loops are
bounded in count and in time.

The client must not be what limits the throughput it reports: on the 2-core
machine the clients compete with the server for the cores. So the concurrent
run reads each answer but counts its rows (a JSON parse) only after the timed
window; ``processes=True`` runs each client in a process of its own instead of
a thread (docs/decisions/0014-latency.md compares the two).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Query", "Sample", "Client", "latency_run", "concurrent_run", "p95", "summary"]


@dataclass(frozen=True)
class Query:
    """A stored query as sent to every engine: id and full, standalone text."""

    id: str
    text: str


@dataclass
class Sample:
    """One request: which query, how long (ms), HTTP status, rows in the answer."""

    query: str
    ms: float
    status: int
    rows: int | None
    error: str = ""
    #: The answer's bytes while its rows are not counted yet (see :meth:`Client.run`).
    data: bytes | None = field(default=None, repr=False)

    def count(self) -> Sample:
        """Count the rows of a kept answer (after a timed run) and drop its bytes."""
        if self.data is not None:
            self.rows = _rows(self.data, self.status)
            self.data = None
        return self


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method), or the only value."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[94]


class Client:
    """A keep-alive HTTP connection to one SPARQL endpoint."""

    def __init__(self, endpoint: str, timeout_s: float = 300.0) -> None:
        url = urllib.parse.urlsplit(endpoint)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 80
        self.path = url.path or "/"
        self.timeout_s = timeout_s
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def run(self, query: Query, *, count: bool = True) -> Sample:
        """Send one query; return its sample (status 0 for a transport failure).

        :param count: count the answer's rows now; False keeps its bytes in the sample
            for :meth:`Sample.count` later, out of a timed window.
        """
        body = urllib.parse.urlencode({"query": query.text}).encode("utf-8")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        }
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                conn = self._connection()
                conn.request("POST", self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                ms = (time.perf_counter() - started) * 1000
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                error = "" if response.status == 200 else _excerpt(data)
                if not count:
                    return Sample(query.id, ms, response.status, None, error, data)
                return Sample(query.id, ms, response.status, _rows(data, response.status), error)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt == 2:
                    ms = (time.perf_counter() - started) * 1000
                    return Sample(query.id, ms, 0, None, f"no answer: {exc}")
        raise AssertionError("unreachable")


def _excerpt(data: bytes) -> str:
    return " ".join(data.decode("utf-8", "replace").split())[:300]


def _rows(data: bytes, status: int) -> int | None:
    if status != 200:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if "boolean" in doc:
        return 1
    return len(doc.get("results", {}).get("bindings", []))


def latency_run(
    endpoint: str,
    queries: list[Query],
    *,
    repeat: int,
    budget_s: float = 60.0,
    timeout_s: float = 300.0,
    on_timeout: Callable[[], None] | None = None,
) -> list[Sample]:
    """Concurrency 1: each query once unmeasured (warm-up), then up to ``repeat`` times.

    A query stops repeating once its runs have taken ``budget_s`` seconds; when
    the warm-up alone took longer, it is the query's one (cold) sample. A
    request that times out (``timeout_s``; status 0) ends that query's runs and
    calls ``on_timeout`` (e.g. to restart a server that cannot cancel a query).
    """
    client = Client(endpoint, timeout_s)
    samples: list[Sample] = []
    try:
        for query in queries:
            first = client.run(query)
            if first.status == 0 or first.ms / 1000 > budget_s:
                samples.append(first)
                if first.status == 0:
                    client.close()
                    if on_timeout is not None:
                        on_timeout()
                continue
            spent = first.ms / 1000
            for i in range(repeat):
                if i and spent > budget_s:
                    break
                sample = client.run(query)
                spent += sample.ms / 1000
                samples.append(sample)
                if sample.status == 0:
                    client.close()
                    if on_timeout is not None:
                        on_timeout()
                    break
    finally:
        client.close()
    return samples


@dataclass
class ConcurrentResult:
    """Requests made by N clients at once, and the wall time they took."""

    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        ok = sum(1 for s in self.samples if s.status == 200)
        return ok / self.wall_s if self.wall_s else 0.0


def concurrent_run(
    endpoint: str,
    queries: list[Query],
    *,
    clients: int,
    rounds: int,
    budget_s: float = 60.0,
    timeout_s: float = 300.0,
    processes: bool = False,
) -> ConcurrentResult:
    """``clients`` clients at once, each sending every query ``rounds`` times (rotated order).

    Each client opens its connection (one warm-up request) before the clock starts; a
    client stops early when ``budget_s`` has passed since the start. Rows are counted
    after the run.

    :param processes: one process per client, so that the clients' own Python work is
        spread over the cores; False (default): one thread per client in this process.
        On the 2-core machine the threads measured the server as fast or faster (they
        leave it more of the cores: docs/decisions/0014-latency.md).
    """
    result = ConcurrentResult()
    if processes:
        ctx = multiprocessing.get_context("spawn")
        barrier: Any = ctx.Barrier(clients + 1)
        out: Any = ctx.Queue()
        workers: list[Any] = [
            ctx.Process(
                target=_client_process,
                args=(endpoint, queries, i, rounds, budget_s, timeout_s, barrier, out),
                daemon=True,
            )
            for i in range(clients)
        ]
    else:
        barrier = threading.Barrier(clients + 1)
        lock = threading.Lock()
        collected: list[list[Sample]] = []

        def work(index: int) -> None:
            mine = _client_loop(endpoint, queries, index, rounds, budget_s, timeout_s, barrier)
            with lock:
                collected.append(mine)

        workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for worker in workers:
        worker.start()
    barrier.wait()  # every client connected: go
    started = time.perf_counter()
    barrier.wait()  # every client done
    result.wall_s = time.perf_counter() - started
    parts = [out.get() for _ in workers] if processes else collected
    for worker in workers:
        worker.join()
    result.samples = [sample.count() for part in parts for sample in part]
    return result


def _client_loop(
    endpoint: str,
    queries: list[Query],
    index: int,
    rounds: int,
    budget_s: float,
    timeout_s: float,
    barrier: Any,
) -> list[Sample]:
    """One client of :func:`concurrent_run`: connect, wait for the others, send, wait again."""
    client = Client(endpoint, timeout_s)
    order = queries[index % len(queries) :] + queries[: index % len(queries)]
    mine: list[Sample] = []
    client.run(order[0])  # open the connection
    barrier.wait()
    deadline = time.perf_counter() + budget_s
    try:
        for _ in range(rounds):
            for query in order:
                if time.perf_counter() > deadline:
                    break
                mine.append(client.run(query, count=False))
    finally:
        client.close()
        barrier.wait()
    return mine


def _client_process(
    endpoint: str,
    queries: list[Query],
    index: int,
    rounds: int,
    budget_s: float,
    timeout_s: float,
    barrier: Any,
    out: Any,
) -> None:
    """A client of :func:`concurrent_run` in a process of its own; sends its samples back."""
    samples = _client_loop(endpoint, queries, index, rounds, budget_s, timeout_s, barrier)
    out.put([sample.count() for sample in samples])  # after the timed window


def summary(samples: list[Sample], timeout_ms: float | None = None) -> dict[str, object]:
    """Median of the per-query medians, p95 of all requests, errors, rows per query.

    With ``timeout_ms``, a query that timed out counts at that time (a lower bound of
    its latency) in the median and the p95, so a slow engine is not flattered by
    leaving out its slowest queries; queries that failed otherwise are left out.
    """
    by_query: dict[str, list[float]] = {}
    rows: dict[str, int | None] = {}
    errors = timeouts = 0
    messages: dict[str, str] = {}
    for s in samples:
        if s.status != 200:
            errors += 1
            messages.setdefault(s.query, f"HTTP {s.status}: {s.error}" if s.status else s.error)
            timeouts += s.status == 0
            rows.setdefault(s.query, None)
            if s.status == 0 and timeout_ms is not None:
                by_query.setdefault(s.query, []).append(timeout_ms)
            continue
        by_query.setdefault(s.query, []).append(s.ms)
        rows[s.query] = s.rows
    medians = {q: statistics.median(v) for q, v in by_query.items()}
    ok = [s.ms for s in samples if s.status == 200]
    if timeout_ms is not None:
        ok += [timeout_ms for s in samples if s.status == 0]
    return {
        "median_ms": statistics.median(medians.values()) if medians else None,
        "p95_ms": p95(ok) if ok else None,
        "requests": len(samples),
        "errors": errors,
        "timeouts": timeouts,
        "per_query_median_ms": medians,
        "rows": rows,
        "error_messages": messages,
    }
