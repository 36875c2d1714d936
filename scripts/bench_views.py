"""Time the view pages and entity documents of a running server (issue 11).

Usage: .venv/bin/python scripts/bench_views.py --url http://127.0.0.1:5000 [--repeat 5]

Each path is fetched once cold (the first request of a web worker computes and
caches the view's data from the graph) and then ``--repeat`` times warm; the
table gives the cold time and the median and maximum of the warm ones, in
milliseconds, with the answer's size. Start the server with one web worker
(``relgraph serve --workers 1``) so that "cold" means the first request.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request

RGR = "https://w3id.org/relgraph/resource/"
PATHS = [
    "/graph",
    "/graph.json",
    "/compare",
    "/compare.json",
    "/gaps",
    "/gaps.json",
    "/gaps?settingKind=psychiatric",
    "/analytics",
    "/analytics/shared",
    "/analytics/centrality",
    f"/analytics/path?theory={RGR}theory-role-theory&outcome={RGR}outcome-treatment-adherence",
    "/resource/theory-role-theory.html",
    "/resource/review.html",
    "/resource/review.ttl",
    "/ontology/Passage.html",
    "/ontology/hasFactor.html",
    "/graph/data/role-theory.html",
    "/graph/data/role-theory.ttl",
]


def fetch(url: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        status = response.status
    return (time.perf_counter() - start) * 1000, status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| path | status | bytes | cold ms | warm median ms | warm max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for path in PATHS:
        cold, status, size = fetch(args.url + path)
        warm = [fetch(args.url + path)[0] for _ in range(args.repeat)]
        shown = path if len(path) < 60 else path[:57] + "..."
        print(
            f"| `{shown}` | {status} | {size} | {cold:.0f} | {statistics.median(warm):.0f} | {max(warm):.0f} |"
        )


if __name__ == "__main__":
    main()
