"""Cost of query inspection, before and after issue #8, measured in one run.

Usage::

    .venv/bin/python scripts/bench_inspection.py [--repeat 30] [--threads 4]

Inspects every ``queries/cq/*.rq`` text ``--repeat`` times with

* **rdflib**: the inspector before issue #8 (rdflib's SPARQL parser:
  ``parseQuery``, on failure ``parseUpdate``, then a walk of the parse tree
  for SERVICE), without its result cache;
* **rdflib + lock**: the same behind a lock (design a of the decision record),
  called from ``--threads`` threads at once;
* **tokens**: :func:`relgraph.inspection.inspect_query` (design b), plus the
  :func:`~relgraph.inspection.service_probe` copy when a text mentions
  "service";
* **tokens, threads**: the same from ``--threads`` threads at once;
* **engine parse**: pyoxigraph parsing the text (on an empty store, result
  dropped), which design b adds only for texts that mention "service" (the
  worker parses every query anyway to run it).

The methods run interleaved, query by query, so that a machine shared with
other jobs slows them alike; the ratios are the result. Prints a Markdown
table of microseconds per query (median over the queries of the mean of
their repetitions) and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from relgraph.query.inspection import inspect_query, service_probe
from relgraph.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent


def _nodes(node: object) -> bool:
    """True when the parse tree has a ServiceGraphPattern (the old walk)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or (
            hasattr(item, "as_list") and not isinstance(item, str)
        ):
            stack.extend(item)
    return False


def rdflib_inspect(text: str) -> object:
    """The inspector before issue #8, uncached."""
    try:
        tree = parseQuery(text)
    except ParseException:
        try:
            parseUpdate(text)
        except ParseException:
            return "syntax"
        return "update"
    return ("service" if _nodes(tree) else tree[1].name, "datasetClause" in tree[1])


_LOCK = threading.Lock()


def rdflib_locked(text: str) -> object:
    """Design a: the old inspector serialised behind one lock."""
    with _LOCK:
        return rdflib_inspect(text)


def token_inspect(text: str) -> object:
    """Design b as the web process runs it: tokens, and the probe text if needed."""
    info = inspect_query(text)
    if info.mentions_service:
        service_probe(text)
    return info


def engine_parse(text: str) -> object:
    """pyoxigraph's parser, on an empty store (what the probe costs the worker)."""
    return ox.Store().query(text, prefixes=PREFIXES, base_iri="http://127.0.0.1/sparql")


def timed(func: Callable[[str], object], text: str, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        func(text)
    return (time.perf_counter() - started) / repeat


def threaded(func: Callable[[str], object], text: str, repeat: int, threads: int) -> float:
    """Seconds per inspection when ``threads`` threads inspect at once (wall / total)."""
    per_thread = max(1, repeat // threads)
    workers = [
        threading.Thread(target=lambda: [func(text) for _ in range(per_thread)])
        for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - started) / (per_thread * threads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="inspections of each query")
    parser.add_argument("--threads", type=int, default=4, help="threads for the threaded rows")
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "cq").glob("*.rq"))]
    methods: dict[str, Callable[[str], float]] = {
        "rdflib (before)": lambda t: timed(rdflib_inspect, t, args.repeat),
        f"rdflib + lock, {args.threads} threads (design a)": lambda t: threaded(
            rdflib_locked, t, args.repeat, args.threads
        ),
        "tokens (design b, after)": lambda t: timed(token_inspect, t, args.repeat),
        f"tokens, {args.threads} threads": lambda t: threaded(
            token_inspect, t, args.repeat, args.threads
        ),
        "engine parse (probe, in the worker)": lambda t: timed(engine_parse, t, args.repeat),
    }
    for text in texts:  # warm up every parser once
        rdflib_inspect(text)
        token_inspect(text)
        engine_parse(text)
    times: dict[str, list[float]] = {name: [] for name in methods}
    for text in texts:
        for name, method in methods.items():
            times[name].append(method(text))
    mentions = sum(1 for t in texts if inspect_query(t).mentions_service)
    base = statistics.median(times["rdflib (before)"])
    total = sum(times["rdflib (before)"])
    print(
        f"{len(texts)} queries (queries/cq), {args.repeat} inspections each; "
        f"{mentions} mention 'service'; Python {sys.version.split()[0]}"
    )
    print()
    print("| method | median µs per query | total µs (all queries) | before / method |")
    print("| --- | --- | --- | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"| {name} | {median * 1e6:,.1f} | {sum(values) * 1e6:,.0f} "
            f"| {base / median:,.1f}x (total {total / sum(values):,.1f}x) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
