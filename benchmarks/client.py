"""Measure SPARQL endpoints over HTTP: latency at concurrency 1 and N, and throughput.

Every request is a SPARQL 1.1 Protocol query by POST (form-encoded), asking for
SPARQL Results JSON, over a persistent (keep-alive) connection per client
thread, so what is measured is the server's work plus loopback HTTP. Request
loops are bounded in count and in time.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

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

    def run(self, query: Query) -> Sample:
        """Send one query; return its sample (status 0 for a transport failure)."""
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
) -> ConcurrentResult:
    """``clients`` threads, each sending every query ``rounds`` times (rotated order).

    A thread stops early when ``budget_s`` has passed since the start.
    """
    result = ConcurrentResult()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work(index: int) -> None:
        client = Client(endpoint, timeout_s)
        order = queries[index % len(queries) :] + queries[: index % len(queries)]
        mine: list[Sample] = []
        client.run(order[0])  # open the connection
        barrier.wait()
        try:
            for _ in range(rounds):
                for query in order:
                    if time.perf_counter() > deadline[0]:
                        break
                    mine.append(client.run(query))
        finally:
            client.close()
            with lock:
                result.samples += mine

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    # The deadline is set before the threads are released (they read it at once).
    deadline[0] = time.perf_counter() + budget_s
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    return result


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
