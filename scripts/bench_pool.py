#!/usr/bin/env python3
"""Measure the query worker pool against pebble.ProcessPool behind the same interface.

The numbers of docs/decisions/0003-query-timeouts.md, for relgraph's own pool
(``relgraph.query.pool.QueryPool``, forkserver) and for a pool built on
``pebble.ProcessPool`` (a task past its timeout has its worker killed and
replaced; an initializer loads the graph), measured in one run on the real
build, alternating, so only the ratios count on a shared machine:

* start 2 workers and load the graph (until both have answered an ASK);
* one replacement worker ready (from the deadline to the next answer);
* overhead per query (an ASK, median of many);
* the expensive query (a 4-way cross product) stopped after, at a 1,000 ms limit;
* a concurrent ASK answered while the expensive query runs.

Usage: .venv/bin/python scripts/bench_pool.py [--runs 3]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import pebble

from relgraph.errors import QueryTimeout, WorkerDied
from relgraph.query.jobs import Job, execute
from relgraph.query.pool import QueryPool, _open_store
from relgraph.settings import Settings
from relgraph.store.answer import Answer
from relgraph.store.builder import built_graph_path

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = Job(query="ASK { ?s ?p ?o }")

_STORE: Any = None


def _init(path: str) -> None:
    global _STORE
    _STORE = _open_store(path, None)


def _run(job: Job) -> Answer:
    return execute(_STORE, job)


class PebblePool:
    """relgraph's pool interface (``run``, ``warm``, ``close``) over pebble.ProcessPool."""

    def __init__(self, path: Path, size: int = 2) -> None:
        self.size = size
        self.pool = pebble.ProcessPool(
            max_workers=size,
            initializer=_init,
            initargs=(str(path),),
            context=multiprocessing.get_context("forkserver"),
        )

    def run(self, job: Job, time_limit_s: float) -> Answer:
        future = self.pool.schedule(_run, args=(job,), timeout=time_limit_s)
        try:
            answer: Answer = future.result()
        except concurrent.futures.TimeoutError:
            raise QueryTimeout("the query ran past its time limit", "add a LIMIT") from None
        except pebble.ProcessExpired as exc:
            raise WorkerDied(f"the query worker ended: {exc}", "try again") from None
        return answer

    def warm(self) -> None:
        # pebble starts its workers lazily; one task per worker, at the same time
        futures = [self.pool.schedule(_run, args=(ASK,)) for _ in range(self.size)]
        for future in futures:
            future.result()

    def close(self) -> None:
        self.pool.stop()
        self.pool.join()


def measure(make: Any, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in ("start", "replace", "overhead", "stop", "ask")}
    for _ in range(runs):
        started = time.perf_counter()
        pool = make()
        pool.warm()
        out["start"].append(time.perf_counter() - started)
        times = []
        for _ in range(200):
            t = time.perf_counter()
            pool.run(ASK, 10)
            times.append(time.perf_counter() - t)
        out["overhead"].append(statistics.median(times) * 1000)
        concurrent_ask: list[float] = []

        def quick(pool: Any = pool, concurrent_ask: list[float] = concurrent_ask) -> None:
            time.sleep(0.3)
            t = time.perf_counter()
            pool.run(ASK, 10)
            concurrent_ask.append((time.perf_counter() - t) * 1000)

        thread = threading.Thread(target=quick)
        thread.start()
        t = time.perf_counter()
        try:
            pool.run(Job(query=EXPENSIVE), 1.0)
        except QueryTimeout:
            pass
        stopped = time.perf_counter()
        out["stop"].append(stopped - t)
        thread.join()
        out["ask"] += concurrent_ask
        pool.run(ASK, 30)
        out["replace"].append(time.perf_counter() - stopped)
        pool.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    path = built_graph_path(Settings.load(root))
    makers = {
        "relgraph QueryPool": lambda: QueryPool(path=path, size=2),
        "pebble.ProcessPool": lambda: PebblePool(path, 2),
    }
    results: dict[str, dict[str, list[float]]] = {name: {} for name in makers}
    for _ in range(args.runs):  # alternate, one run of each at a time
        for name, make in makers.items():
            found = measure(make, 1)
            for key, values in found.items():
                results[name].setdefault(key, []).extend(values)
    rows = [
        ("start 2 workers and load the graph (s)", "start", min),
        ("one replacement worker ready (s)", "replace", min),
        ("overhead per query, ASK (ms, median)", "overhead", min),
        ("expensive query stopped after, limit 1 s (s)", "stop", None),
        ("concurrent ASK answered while it runs (ms)", "ask", None),
    ]
    print("| | " + " | ".join(makers) + " |")
    print("| --- |" + " --- |" * len(makers))
    for label, key, pick in rows:
        cells = []
        for name in makers:
            values = results[name][key]
            if pick is None:
                cells.append(f"{min(values):.3f}-{max(values):.3f}")
            else:
                cells.append(f"{pick(values):.3f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
