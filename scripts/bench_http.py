"""Latency of every competency query over HTTP, against a running relgraph server.

Usage (start the server first, e.g. ``make serve`` in another terminal)::

    .venv/bin/python scripts/bench_http.py [--url http://127.0.0.1:5000] [--repeat 20]

Each stored query runs through ``/queries/<id>/results?format=json`` (its
default parameters bound by the server), ``--warmup`` times unmeasured and
then ``--repeat`` times; the script prints the median and 95th percentile per
query and over all requests, and exits 1 if any request failed. Requests go to
the given URL only (use a loopback address) and the loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request


def fetch(url: str) -> tuple[int, float]:
    """GET a URL, read the body, and return (status, seconds)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            status = error.code
    return status, time.perf_counter() - started


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method), or the only value."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="server base URL")
    parser.add_argument("--repeat", type=int, default=20, help="measured runs per query")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured runs per query")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    with urllib.request.urlopen(base + "/queries.json", timeout=30) as response:
        queries = [q["id"] for q in json.load(response)["queries"]]
    if not queries:
        print("the server has no stored queries", file=sys.stderr)
        return 1
    failures = 0
    everything: list[float] = []
    print(f"{'query':<48} {'median ms':>10} {'p95 ms':>10}")
    for query_id in queries:
        url = f"{base}/queries/{query_id}/results?format=json"
        for _ in range(args.warmup):
            fetch(url)
        times = []
        for _ in range(args.repeat):
            status, seconds = fetch(url)
            if status != 200:
                failures += 1
            times.append(seconds * 1000)
        everything += times
        print(f"{query_id:<48} {statistics.median(times):>10.1f} {p95(times):>10.1f}")
    print(
        f"{'all ' + str(len(queries)) + ' queries, ' + str(len(everything)) + ' requests':<48} "
        f"{statistics.median(everything):>10.1f} {p95(everything):>10.1f}"
    )
    if failures:
        print(f"{failures} requests failed", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
