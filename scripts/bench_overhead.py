"""What the server adds to the engine, stage by stage, for every stored query.

Usage (the graph built, e.g. ``make build``)::

    .venv/bin/python scripts/bench_overhead.py [--project-dir DIR] [--repeat 30] [--json OUT]
        [--concurrency 8]

Each stored query (``queries/cq/``, its default parameters bound) is answered in
layers, each including the one before, and the median over the queries of each
layer's median is printed, with the difference between layers:

1. ``engine``: pyoxigraph in this process, answer read (``store.query`` + ``collect``);
2. ``inspect``: the query inspection (``inspect_query``) alone;
3. ``service``: ``QueryService.run`` through the worker pool (inspection, job pickling,
   the pipe, the engine in the worker, the answer back), 2 workers, forkserver;
4. ``serialise``: writing the answer as SPARQL Results JSON (``formats.write``);
5. ``wsgi``: a POST to ``/sparql`` through the Flask app called as gunicorn calls it
   (a WSGI environ, the body as ``wsgi.input``: protocol, negotiation, service,
   serialisation, headers). Until docs/decisions/0014 this layer used Flask's test
   client, whose own request building cost more than the app (1-4 ms);
6. ``http``: the same POST over loopback HTTP to ``relgraph serve`` (gunicorn, 1 web
   worker), on one keep-alive connection, as ``benchmarks/client.py`` sends it;
7. ``http_304`` (reported apart, not a layer of the others): the same POST with the
   answer's ``ETag`` in ``If-None-Match``, answered 304 without evaluation.

With ``--compare SRC`` a second server is started from another source tree (``SRC``, a
checkout's ``src`` folder, put first on ``PYTHONPATH``: e.g. main before a change) and
every HTTP request is sent to both in alternation (layer ``http_compare``), so the two
are compared on the same machine state; the throughput runs alternate between them too.

With ``--concurrency N`` the throughput of the same server is then measured with
``benchmarks/client.py`` at concurrency 1 and N (every stored query, ``--rounds``
rounds per client), as the benchmark does: N/1 is the concurrency target's ratio.

Requests go to 127.0.0.1 only; every loop is bounded by ``--repeat``.
"""

from __future__ import annotations

import argparse
import http.client
import io
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


def interleaved(fns: dict[str, Any], repeat: int) -> dict[str, float]:
    """The median time (ms) of each function, called in alternation ``repeat`` times."""
    for fn in fns.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def start_server(project_dir: Path, port: int, src: Path | None = None) -> subprocess.Popen[bytes]:
    """``relgraph serve`` (one web worker) on ``port``, from ``src`` when given."""
    env = dict(os.environ, RELGRAPH_DEBUG="")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return subprocess.Popen(
        [sys.executable, "-m", "relgraph", "--project-dir", str(project_dir)]
        + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def connect(port: int) -> http.client.HTTPConnection:
    """A keep-alive connection to a server on ``port``, once it answers (60 s at most)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    deadline = time.monotonic() + 60
    while True:
        try:
            conn.request("GET", "/-/version.json")
            conn.getresponse().read()
            return conn
        except OSError:
            conn.close()
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wsgi_post(app: Any, body: bytes, accept: str) -> bytes:
    """POST ``body`` (form-encoded) to ``/sparql`` of a WSGI app, as gunicorn would."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_ACCEPT": accept,
        "HTTP_HOST": "127.0.0.1:5000",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status: list[str] = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    try:
        data = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    assert status and status[0].startswith("200"), (status, data[:200])
    return data


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
    parser.add_argument("--concurrency", type=int, default=0, help="also measure c1 and cN")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per client at cN")
    parser.add_argument(
        "--compare", type=Path, default=None, help="another tree's src/: a second server"
    )
    args = parser.parse_args()
    settings = Settings.load(args.project_dir).replace(query_workers=2)
    store = open_built(settings)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    stored = list_queries(settings)
    texts = {q.id: prologue + q.standalone() for q in stored}
    layers: dict[str, dict[str, float]] = {
        k: {}
        for k in (
            "engine",
            "inspect",
            "service",
            "serialise",
            "wsgi",
            "http",
            "http_304",
            "http_compare",
        )
    }
    app = create_app(settings)  # the built graph, as the server serves it
    service = QueryService.with_pool(settings, start_method="forkserver")
    pool = service.pool
    assert pool is not None
    pool.warm()
    port = free_port()
    server = start_server(args.project_dir, port)
    other_port = free_port()
    other = start_server(args.project_dir, other_port, args.compare) if args.compare else None
    try:
        conn = connect(port)
        other_conn = connect(other_port) if other is not None else None
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
            body = urllib.parse.urlencode({"query": text}).encode()
            layers["wsgi"][q.id] = median_ms(
                lambda b=body: wsgi_post(app, b, headers["Accept"]), args.repeat
            )

            def over_http(
                b: bytes = body,
                sent: dict[str, str] = headers,
                expect: int = 200,
                to: http.client.HTTPConnection = conn,
            ) -> str | None:
                # gunicorn closes a connection idle for 2 s (keepalive): open a new one then
                for attempt in (1, 2):
                    try:
                        to.request("POST", "/sparql", body=b, headers=sent)
                        response = to.getresponse()
                        break
                    except (http.client.HTTPException, OSError):
                        to.close()
                        if attempt == 2:
                            raise
                response.read()
                assert response.status == expect, response.status
                return response.getheader("ETag")

            if other_conn is None:
                layers["http"][q.id] = median_ms(over_http, args.repeat)
            else:
                both = interleaved(
                    {"http": over_http, "http_compare": lambda: over_http(to=other_conn)},
                    args.repeat,
                )
                layers["http"][q.id], layers["http_compare"][q.id] = (
                    both["http"],
                    both["http_compare"],
                )
            tag = over_http()
            if tag:
                conditional = dict(headers, **{"If-None-Match": tag})
                layers["http_304"][q.id] = median_ms(
                    lambda c=conditional: over_http(sent=c, expect=304), args.repeat
                )
        if args.concurrency > 1:
            throughput = concurrency(port, stored, texts, args.concurrency, args.rounds)
            if other is not None:
                compared = concurrency(other_port, stored, texts, args.concurrency, args.rounds)
                again = concurrency(port, stored, texts, args.concurrency, args.rounds)
                throughput = {k: (throughput[k] + again[k]) / 2 for k in throughput}
    finally:
        for process in (server, other):
            if process is not None:
                process.terminate()
                process.wait(20)
        service.close()
        app.extensions["relgraph"].close()
    med = {k: statistics.median(v.values()) for k, v in layers.items() if v}
    added = {
        q.id: layers["http"][q.id] - layers["engine"][q.id] for q in stored
    }  # per query, then the median
    compared_added = {
        q: layers["http_compare"][q] - layers["engine"][q] for q in layers["http_compare"]
    }
    print(f"{len(stored)} stored queries, {len(store)} triples, {args.repeat} runs each")
    print(f"{'layer':<10} {'median ms':>10}")
    for name, value in med.items():
        print(f"{name:<10} {value:>10.3f}")
    print("stages (difference of medians):")
    hop = med["service"] - med["engine"] - med["inspect"]
    print(f"  pool hop (service - engine - inspect):   {hop:.3f}")
    print(
        f"  flask (wsgi - service - serialise):      {med['wsgi'] - med['service'] - med['serialise']:.3f}"
    )
    print(
        f"  web stack (http - service - serialise):  {med['http'] - med['service'] - med['serialise']:.3f}"
    )
    addition = statistics.median(added.values())
    print(f"server's addition (median over queries of http - engine): {addition:.3f}")
    if compared_added:
        print(
            f"the compared server ({args.compare}), interleaved: http {med['http_compare']:.3f}, "
            f"addition {statistics.median(compared_added.values()):.3f}"
        )
    if "http_304" in med:
        print(
            f"conditional request answered 304 (not a layer; answer cache): {med['http_304']:.3f}"
        )
    result: dict[str, Any] = {"layers": layers, "medians": med, "addition": addition}
    if args.concurrency > 1:
        result["throughput"] = throughput
        print(
            f"throughput: c1 {throughput['c1']:.0f} req/s, c{args.concurrency} "
            f"{throughput['cn']:.0f} req/s, ratio {throughput['ratio']:.2f}"
        )
        if args.compare:
            result["throughput_compare"] = compared
            print(
                f"compared server, between two runs of this one: c1 {compared['c1']:.0f} req/s, "
                f"c{args.concurrency} {compared['cn']:.0f} req/s, ratio {compared['ratio']:.2f}"
            )
    print(f"load average: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


def concurrency(
    port: int, stored: list[Any], texts: dict[str, str], clients: int, rounds: int
) -> dict[str, float]:
    """Throughput at concurrency 1 and ``clients``, measured as ``benchmarks/run.py`` does."""
    from benchmarks.client import Query, concurrent_run, latency_run

    url = f"http://127.0.0.1:{port}/sparql"
    queries = [Query(q.id, texts[q.id]) for q in stored]
    c1 = [s for s in latency_run(url, queries, repeat=rounds) if s.status == 200]
    one = len(c1) / (sum(s.ms for s in c1) / 1000)
    many = concurrent_run(url, queries, clients=clients, rounds=rounds, budget_s=120).throughput
    return {"c1": one, "cn": many, "ratio": many / one}


if __name__ == "__main__":
    sys.exit(main())
