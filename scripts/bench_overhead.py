"""What the server adds to the engine, stage by stage, for every stored query.

Usage (the graph built, e.g. ``make build``)::

    .venv/bin/python scripts/bench_overhead.py [--project-dir DIR] [--repeat 30] [--json OUT]

Each stored query (``queries/cq/``, its default parameters bound) is answered in
layers, each including the one before, and the median over the queries of each
layer's median is printed, with the difference between layers:

1. ``engine``: pyoxigraph in this process, answer read (``store.query`` + ``collect``);
2. ``inspect``: the query inspection (``inspect_query``) alone;
3. ``service``: ``QueryService.run`` through the worker pool (inspection, job pickling,
   the pipe, the engine in the worker, the answer back), 2 workers, forkserver;
4. ``serialise``: writing the answer as SPARQL Results JSON (``formats.write``);
5. ``flask``: a POST to ``/sparql`` through Flask's test client (the whole request in
   this process: protocol, negotiation, service, serialisation, headers);
6. ``http``: the same POST over loopback HTTP to ``relgraph serve`` (gunicorn, 1 web
   worker), on one keep-alive connection, as ``benchmarks/client.py`` sends it.

Requests go to 127.0.0.1 only; every loop is bounded by ``--repeat``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn: Any, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> int:
    from relgraph.query.catalog import list_queries
    from relgraph.query.formats import write
    from relgraph.query.inspection import inspect_query
    from relgraph.query.service import QueryRequest, QueryService
    from relgraph.settings import Settings
    from relgraph.store.answer import collect
    from relgraph.store.builder import open_built
    from relgraph.vocab import PREFIXES
    from relgraph.web import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=ROOT)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    args = parser.parse_args()
    settings = Settings.load(args.project_dir).replace(query_workers=2)
    store = open_built(settings)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    stored = list_queries(settings)
    texts = {q.id: prologue + q.standalone() for q in stored}
    layers: dict[str, dict[str, float]] = {
        k: {} for k in ("engine", "inspect", "service", "serialise", "flask", "http")
    }
    app = create_app(settings, store)
    client = app.test_client()
    service = QueryService.with_pool(settings, start_method="forkserver")
    pool = service.pool
    assert pool is not None
    pool.warm()
    port = free_port()
    env = dict(os.environ, RELGRAPH_DEBUG="")
    server = subprocess.Popen(
        [sys.executable, "-m", "relgraph", "--project-dir", str(args.project_dir)]
        + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn.request("GET", "/-/version.json")
                conn.getresponse().read()
                break
            except OSError:
                conn.close()
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        }

        for q in stored:
            text = texts[q.id]
            bindings = q.bind()
            layers["engine"][q.id] = median_ms(
                lambda q=q, b=bindings: collect(store.query(q.text, bindings=b), 10000),
                args.repeat,
            )
            layers["inspect"][q.id] = median_ms(lambda t=text: inspect_query(t), args.repeat)
            request = QueryRequest(query=text)
            layers["service"][q.id] = median_ms(lambda r=request: service.run(r), args.repeat)
            outcome = service.run(request)
            layers["serialise"][q.id] = median_ms(
                lambda o=outcome: write(o.answer, "json"), args.repeat
            )
            form = {"query": text}
            layers["flask"][q.id] = median_ms(
                lambda f=form: client.post(
                    "/sparql", data=f, headers={"Accept": headers["Accept"]}
                ),
                args.repeat,
            )
            body = urllib.parse.urlencode(form).encode()

            def over_http(b: bytes = body) -> None:
                # gunicorn closes a connection idle for 2 s (keepalive): open a new one then
                for attempt in (1, 2):
                    try:
                        conn.request("POST", "/sparql", body=b, headers=headers)
                        response = conn.getresponse()
                        break
                    except (http.client.HTTPException, OSError):
                        conn.close()
                        if attempt == 2:
                            raise
                response.read()
                assert response.status == 200, response.status

            layers["http"][q.id] = median_ms(over_http, args.repeat)
    finally:
        server.terminate()
        server.wait(20)
        service.close()
    med = {k: statistics.median(v.values()) for k, v in layers.items()}
    added = {
        q.id: layers["http"][q.id] - layers["engine"][q.id] for q in stored
    }  # per query, then the median
    print(f"{len(stored)} stored queries, {len(store)} triples, {args.repeat} runs each")
    print(f"{'layer':<10} {'median ms':>10}")
    for name, value in med.items():
        print(f"{name:<10} {value:>10.3f}")
    print("stages (difference of medians):")
    hop = med["service"] - med["engine"] - med["inspect"]
    print(f"  pool hop (service - engine - inspect):   {hop:.3f}")
    print(
        f"  flask (flask - service - serialise):     {med['flask'] - med['service'] - med['serialise']:.3f}"
    )
    print(
        f"  web stack (http - service - serialise):  {med['http'] - med['service'] - med['serialise']:.3f}"
    )
    addition = statistics.median(added.values())
    print(f"server's addition (median over queries of http - engine): {addition:.3f}")
    if args.json:
        args.json.write_text(json.dumps({"layers": layers, "medians": med}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
