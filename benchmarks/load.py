"""Load test: many concurrent clients against `relgraph serve`, bounded in time (issue 14).

Each client is a thread with its own keep-alive connection that, until the
time is up, picks requests from a weighted mix:

* ``stored``: a stored query's answer (``/queries/<id>/results``, SPARQL JSON,
  with its default parameters), every stored query in turn;
* ``page``: an HTML page or its JSON twin: the query page, the list of stored
  queries, a stored query's page, an entity page (``/entity?iri=``) of an
  entity of the graph, the views (:data:`VIEWS`, those the server has), and
  any ``--page`` given;
* ``sparql``: a small query sent to ``/sparql``;

while ``--expensive-clients`` clients send only an expensive query (a cross
product that never finishes) and get the deadline's 503. The server's memory
(RSS of the server process and all its children, from /proc) is sampled every
second. The run fails (exit 1) on any error other than the deadline answers
of the expensive queries (a 5xx, a refused connection, a wrong answer), or
when the memory at the end is more than ``--max-growth`` above the memory
after the warm-up. Loopback only: the server is started here (``--start``, the
default: the same ``relgraph serve`` that ``make serve`` runs, with the
default settings) or given with ``--url`` (then ``--pid`` for its memory).

    .venv/bin/python benchmarks/load.py --clients 32 --duration 60   # the target of issue 14
    .venv/bin/python benchmarks/load.py --clients 16 --duration 10   # the CI version

Writes a JSON report (``--json``) and prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.stores import RelgraphServer, _tree  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: A cross product over the whole graph: never finishes, stopped at the time limit.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = [
    "SELECT ?t ?label WHERE { ?t a rg:Theory ; rdfs:label ?label } ORDER BY ?label",
    "ASK { ?s a rg:Finding }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?w ?label WHERE { ?w a rg:CitedWork ; rdfs:label ?label } LIMIT 20",
]
#: The views' pages and twins (issue 11), used when the server has them.
VIEWS = [
    "/graph", "/graph.json", "/compare", "/compare.json", "/gaps", "/gaps.json",
    "/analytics", "/analytics.json", "/analytics/shared", "/analytics/centrality",
]  # fmt: skip

#: Weights of the request kinds of an ordinary client.
MIX = {"stored": 5, "page": 4, "sparql": 1}


@dataclass
class Sample:
    kind: str
    path: str
    ms: float
    status: int
    error: str = ""
    at: float = 0.0  # when it ended (monotonic seconds)


@dataclass
class Plan:
    """What the clients request: paths per kind (all GET)."""

    stored: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)
    sparql: list[str] = field(default_factory=list)
    expensive: str = ""


def _get(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": accept, "Connection": "keep-alive"})
    response = conn.getresponse()
    body = response.read()
    return response.status, body


def make_plan(base: str, pages: list[str]) -> Plan:
    """Read the stored queries and some entities from the server, and plan the requests."""
    host = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    status, body = _get(conn, "/queries.json", "application/json")
    if status != 200:
        raise SystemExit(f"{base}/queries.json answered {status}")
    ids = [q["id"] for q in json.loads(body)["queries"]]
    query = "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l FILTER(isIRI(?s)) } LIMIT 300"
    status, body = _get(
        conn,
        "/sparql?" + urllib.parse.urlencode({"query": query}),
        "application/sparql-results+json",
    )
    entities = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    plan = Plan(expensive="/sparql?" + urllib.parse.urlencode({"query": EXPENSIVE}))
    plan.stored = [f"/queries/{i}/results?format=json" for i in ids]
    views = [v for v in VIEWS if _get(conn, v, "text/html")[0] == 200]
    conn.close()
    plan.page = ["/", "/index.json", "/queries", "/queries.json", *views, *pages]
    for i in ids:
        plan.page += [f"/queries/{i}", f"/queries/{i}.json"]
    for iri in entities:
        encoded = urllib.parse.urlencode({"iri": iri})
        plan.page += [f"/entity?{encoded}", f"/entity.json?{encoded}"]
    plan.sparql = ["/sparql?" + urllib.parse.urlencode({"query": q}) for q in SMALL]
    return plan


def _accept(path: str) -> str:
    if path.startswith(("/sparql", "/queries/")) and ("results" in path or "sparql" in path):
        return "application/sparql-results+json"
    return "application/json" if ".json" in path else "text/html"


def client_loop(
    base: str, plan: Plan, stop: float, expensive: bool, seed: int, out: list[Sample]
) -> None:
    """One client: requests until ``stop`` (monotonic seconds); samples appended to ``out``."""
    rng = random.Random(seed)
    host = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    kinds, weights = list(MIX), list(MIX.values())
    while time.monotonic() < stop:
        if expensive:
            kind, path = "expensive", plan.expensive
        else:
            kind = rng.choices(kinds, weights)[0]
            path = rng.choice(getattr(plan, kind))
        started = time.perf_counter()
        try:
            status, body = _get(conn, path, _accept(path))
            error = ""
            if status == 200 and kind in {"stored", "sparql"}:
                json.loads(body)  # a well-formed answer
        except (OSError, http.client.HTTPException, ValueError) as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
            conn.close()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        out.append(Sample(kind, path, elapsed, status, error, time.monotonic()))
    conn.close()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    import os

    total = 0
    for child in _tree(pid):
        try:
            fields = Path(f"/proc/{child}/statm").read_text().split()
            total += int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(
    base: str,
    pid: int | None,
    *,
    clients: int,
    duration: float,
    expensive_clients: int,
    warmup: float,
    pages: list[str],
    seed: int,
) -> dict[str, Any]:
    """Run the load and return the report (see :func:`verdict` for pass or fail)."""
    plan = make_plan(base, pages)
    memory: list[tuple[float, float]] = []
    samples: list[list[Sample]] = [[] for _ in range(clients)]
    begin = time.monotonic()
    stop = begin + warmup + duration
    threads = [
        threading.Thread(
            target=client_loop,
            args=(base, plan, stop, i < expensive_clients, seed + i, samples[i]),
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        if pid is not None:
            memory.append((time.monotonic() - begin, rss_mb(pid)))
        time.sleep(1.0)
    for thread in threads:
        thread.join()
    flat = [s for per in samples for s in per]
    measured = [s for s in flat if s.at >= begin + warmup]  # latencies after the warm-up
    by_kind: dict[str, Any] = {}
    for kind in ("stored", "page", "sparql", "expensive"):
        ok = [s.ms for s in measured if s.kind == kind and s.status == 200]
        of_kind = [s for s in measured if s.kind == kind]
        statuses: dict[str, int] = {}
        for s in of_kind:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        by_kind[kind] = {
            "requests": len(of_kind),
            "statuses": statuses,
            "p50_ms": round(percentile(ok, 50), 1) if ok else None,
            "p99_ms": round(percentile(ok, 99), 1) if ok else None,
            "max_ms": round(max(ok), 1) if ok else None,
        }
    errors = [
        {"kind": s.kind, "path": s.path[:200], "status": s.status, "error": s.error}
        for s in flat
        if not (s.status == 200 or (s.kind == "expensive" and s.status == 503))
    ]
    after_warmup = [m for t, m in memory if t >= warmup] or [m for _, m in memory]
    return {
        "clients": clients,
        "expensive_clients": expensive_clients,
        "duration_s": duration,
        "warmup_s": warmup,
        "requests": len(flat),
        "throughput_rps": round(len(flat) / (warmup + duration), 1),
        "kinds": by_kind,
        "errors": len(errors),
        "error_examples": errors[:10],
        "rss_mb": {
            "start": round(after_warmup[0], 1) if after_warmup else None,
            "end": round(after_warmup[-1], 1) if after_warmup else None,
            "max": round(max(after_warmup), 1) if after_warmup else None,
            "samples": [[round(t, 1), round(m, 1)] for t, m in memory],
        },
    }


def verdict(report: dict[str, Any], max_growth: float) -> list[str]:
    """What failed: errors, and memory growth past ``max_growth`` (a fraction)."""
    problems = []
    if report["errors"]:
        problems.append(f"{report['errors']} errors, e.g. {report['error_examples'][:3]}")
    rss = report["rss_mb"]
    if rss["start"] and rss["end"] and rss["end"] > rss["start"] * (1 + max_growth):
        problems.append(f"memory grew from {rss['start']} MiB to {rss['end']} MiB")
    if not report["kinds"]["stored"]["requests"]:
        problems.append("no stored query was answered")
    return problems


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"{report['clients']} clients ({report['expensive_clients']} sending only an expensive "
        f"query) for {report['duration_s']:g} s after {report['warmup_s']:g} s of warm-up: "
        f"{report['requests']} requests, {report['throughput_rps']} per second, "
        f"{report['errors']} errors.",
        "",
        "| requests | count | statuses | p50 ms | p99 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind, row in report["kinds"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        lines.append(
            f"| {kind} | {row['requests']} | {statuses} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {row['max_ms']} |"
        )
    rss = report["rss_mb"]
    lines += [
        "",
        f"Server memory (RSS of all its processes): {rss['start']} MiB after the warm-up, "
        f"{rss['end']} MiB at the end, at most {rss['max']} MiB.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds, after warm-up")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds (not in memory start)")
    parser.add_argument("--expensive-clients", type=int, default=2)
    parser.add_argument("--url", help="a running server (default: start `relgraph serve`)")
    parser.add_argument("--pid", type=int, help="the running server's process, for its memory")
    parser.add_argument("--project-dir", default=str(ROOT), help="the project to serve")
    parser.add_argument("-s", "--setting", action="append", default=[], help="NAME=VALUE")
    parser.add_argument("--page", action="append", default=[], help="more page paths")
    parser.add_argument("--max-growth", type=float, default=0.25, help="memory growth allowed")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.setting)
    server = None
    if args.url:
        base, pid = args.url.rstrip("/"), args.pid
    else:
        server = RelgraphServer(Path(args.project_dir), settings=settings)
        server.start()
        assert server.process is not None
        base, pid = server.base, server.process.pid
    try:
        report = run(
            base,
            pid,
            clients=args.clients,
            duration=args.duration,
            expensive_clients=args.expensive_clients,
            warmup=args.warmup,
            pages=args.page,
            seed=args.seed,
        )
    finally:
        if server is not None:
            server.stop()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report), end="")
    problems = verdict(report, args.max_growth)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
