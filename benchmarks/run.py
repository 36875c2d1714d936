#!/usr/bin/env python3
"""relgraph's benchmark: build, check and stored-query latency at growing sizes, side by side.

    .venv/bin/python benchmarks/run.py                 # full run (make bench): writes docs/
    .venv/bin/python benchmarks/run.py --smoke         # one small size, few runs (make bench-smoke)
    .venv/bin/python benchmarks/run.py --report-only docs/benchmarks.json   # re-render
    .venv/bin/python benchmarks/run.py --sizes 1e6 --only check --out-dir build/b   # columns
    .venv/bin/python benchmarks/run.py --report-only docs/benchmarks.json build/b/benchmarks.json
                                                      # merge: later files win, per size

For every size (total triples; the real graph is the core of each), in one run
on the same data and the same queries:

1. ``relgraph synth`` writes a project (real sources + synthetic studies);
2. ``relgraph build --force`` is timed with its peak memory (it includes the
   build's own verification: SHACL, OWL 2 RL rules, spans, quality queries);
3. ``relgraph check --format json`` (with HermiT) gives the time of every phase;
4. every stored query (``queries/cq/``) runs in process on pyoxigraph, as the
   query workers run it (the physical limit), then over HTTP, as standalone
   text (prefixes declared, parameters fixed by a trailing VALUES), against
   ``relgraph serve``, rdflib-endpoint and Virtuoso, at concurrency 1 and 8.

Results go to a JSON file, a Markdown report and a plot (``docs/`` by default).
Exit status 1 if a request to relgraph failed at concurrency 1 or its answers
differ from the in-process ones; other engines' failures are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from benchmarks.client import Query, concurrent_run, latency_run, p95, summary  # noqa: E402
from benchmarks.stores import RdflibEndpoint, RelgraphServer, Virtuoso  # noqa: E402

ENGINES = ("relgraph", "rdflib-endpoint", "virtuoso")


@dataclass
class Options:
    sizes: list[int]
    seed: int
    repeat: int
    rounds: int
    clients: int
    budget_s: float
    concurrent_budget_s: float
    timeout_s: float
    engines: list[str]
    rdflib_max: int
    check_max: int
    work: Path
    out_dir: Path
    smoke: bool
    command: str
    only: tuple[str, ...] = ("build", "check", "queries")


def measure(args: list[str], *, cwd: Path = ROOT) -> tuple[float, float, int, bytes]:
    """Run a command; return (seconds, peak resident MiB of it and its children, status, stdout)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=devnull)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, process.returncode, out


def relgraph(*args: str) -> list[str]:
    return [sys.executable, "-m", "relgraph", *args]


def stored_queries(project: Path) -> tuple[list[Any], list[Query]]:
    from relgraph.query.catalog import list_queries
    from relgraph.settings import Settings
    from relgraph.vocab import PREFIXES

    stored = list_queries(Settings.load(project))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return stored, [Query(q.id, prologue + q.standalone()) for q in stored]


def in_process(project: Path, stored: list[Any], repeat: int) -> dict[str, Any]:
    """Each stored query on pyoxigraph in this process, answers read in full."""
    from relgraph.store import GraphStore
    from relgraph.store.answer import collect

    started = time.perf_counter()
    store = GraphStore.open(project / "build" / "relgraph.nq")
    load_s = time.perf_counter() - started
    per_query: dict[str, float] = {}
    rows: dict[str, int] = {}
    every: list[float] = []
    for q in stored:
        bindings = q.bind()
        collect(q.select(store), 10**9)  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            answer = collect(store.query(q.text, bindings=bindings), 10**9)
            times.append((time.perf_counter() - t) * 1000)
        rows[q.id] = answer.size
        per_query[q.id] = statistics.median(times)
        every += times
    return {
        "load_s": load_s,
        "median_ms": statistics.median(per_query.values()),
        "p95_ms": p95(every),
        "per_query_median_ms": per_query,
        "rows": rows,
    }


def http_engine(server: Any, queries: list[Query], opts: Options) -> dict[str, Any]:
    """Start a server, measure it at concurrency 1 and N, stop it.

    A query that times out at concurrency 1 restarts the server (none of the
    engines here stops a query because its client went away) and is left out
    of the concurrent run, so one slow query does not block the others.
    """
    started = time.perf_counter()
    with server:
        startup = time.perf_counter() - started
        c1 = latency_run(
            server.sparql,
            queries,
            repeat=opts.repeat,
            budget_s=opts.budget_s,
            timeout_s=opts.timeout_s,
            on_timeout=server.restart,
        )
        slow = {s.query for s in c1 if s.status == 0}
        c1_wall = sum(s.ms for s in c1 if s.status == 200) / 1000
        cn = concurrent_run(
            server.sparql,
            [q for q in queries if q.id not in slow],
            clients=opts.clients,
            rounds=opts.rounds,
            budget_s=opts.concurrent_budget_s,
            timeout_s=opts.timeout_s,
        )
        rss = server.rss_mb()
        load = getattr(server, "load_s", 0.0)
    one = summary(c1, timeout_ms=opts.timeout_s * 1000)
    one["throughput"] = sum(1 for s in c1 if s.status == 200) / c1_wall if c1_wall else 0.0
    one["timed_out"] = sorted(slow)
    many = summary(cn.samples)
    many["throughput"] = cn.throughput
    return {"startup_s": startup, "load_s": load, "rss_mb": rss, "c1": one, "cn": many}


def run_size(n: int, opts: Options) -> dict[str, Any]:
    project = opts.work / f"n{n}"
    log = print if not opts.smoke else (lambda *a: print(*a, file=sys.stderr))
    result: dict[str, Any] = {"size": n}
    seconds, _, status, out = measure(
        relgraph("synth", "--triples", str(n), "--seed", str(opts.seed), "-o", str(project))
    )
    if status:
        raise SystemExit(f"relgraph synth failed for {n}")
    result["generate_s"] = seconds
    seconds, peak, status, out = measure(
        relgraph("--project-dir", str(project), "build", "--force")
    )
    if status:
        raise SystemExit(f"relgraph build failed for {n}: {out.decode(errors='replace')}")
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    result["triples"] = manifest["triples"]
    result["build"] = {"seconds": seconds, "peak_mb": peak}
    log(f"[{n}] {result['triples']} triples, build {seconds:.1f} s, {peak:.0f} MiB")
    if n <= opts.check_max and "check" in opts.only:
        seconds, peak, status, out = measure(
            relgraph(
                "--project-dir",
                str(project),
                "-s",
                "reasoner_timeout_s=3600",
                "check",
                "--format",
                "json",
            )  # fmt: skip
        )
        doc = json.loads(out)
        result["check"] = {
            "seconds": seconds,
            "peak_mb": peak,
            "exit": status,
            "errors": sum(1 for p in doc["problems"] if p["severity"] == "error"),
            "timings": doc["timings"],
        }
        log(f"[{n}] check {seconds:.1f} s (exit {status}): {doc['timings']}")
        if status == 0:  # a passing check's verdict lets the same build skip verification
            seconds, peak, status, out = measure(  # the check's settings: the same key
                relgraph(
                    "--project-dir",
                    str(project),
                    "-s",
                    "reasoner_timeout_s=3600",
                    "build",
                    "--force",
                )  # fmt: skip
            )
            if status:
                raise SystemExit(f"relgraph rebuild failed for {n}: {out.decode(errors='replace')}")
            result["rebuild"] = {"seconds": seconds, "peak_mb": peak}
            log(f"[{n}] build again after the check {seconds:.1f} s, {peak:.0f} MiB")
    if "queries" not in opts.only:
        return result
    stored, queries = stored_queries(project)
    result["queries"] = len(queries)
    result["in_process"] = in_process(project, stored, opts.repeat)
    log(f"[{n}] in process: median {result['in_process']['median_ms']:.2f} ms")
    nquads = project / "build" / "relgraph.nq"
    result["engines"] = {}
    for engine in opts.engines:
        if engine == "rdflib-endpoint" and n > opts.rdflib_max:
            continue
        server: Any
        if engine == "relgraph":
            server = RelgraphServer(
                project,
                settings={"query_time_limit_ms": "300000", "max_rows": "1000000"},
            )
        elif engine == "rdflib-endpoint":
            server = RdflibEndpoint(nquads)
        else:
            server = Virtuoso(nquads, buffers=20000 if opts.smoke else 100000, query_timeout_s=300)
        measured = http_engine(server, queries, opts)
        result["engines"][engine] = measured
        log(
            f"[{n}] {engine}: c1 median {measured['c1']['median_ms']:.2f} ms, "
            f"p95 {measured['c1']['p95_ms']:.2f} ms, c{opts.clients} "
            f"{measured['cn']['throughput']:.1f}/s vs c1 {measured['c1']['throughput']:.1f}/s, "
            f"errors {measured['c1']['errors']}+{measured['cn']['errors']}"
        )
    return result


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return ""

    virtuoso = ""
    exe = shutil.which("virtuoso-t")
    if exe:
        probe = subprocess.run([exe, "-?"], capture_output=True, text=True, check=False)
        for line in (probe.stdout + probe.stderr).splitlines():
            if "Version" in line:
                virtuoso = line.strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "packages": {
            n: pkg(n)
            for n in ("relgraph", "pyoxigraph", "rdflib", "rdflib-endpoint", "pyshacl", "shacl")
        },
        "virtuoso": virtuoso,
    }


def failures(results: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(failures, warnings): relgraph's failed requests at concurrency 1 or answers that
    differ from the in-process ones fail the run; everything else is reported."""
    failed, warned = [], []
    for size in results["sizes"]:
        if "in_process" not in size:
            continue
        expected = size["in_process"]["rows"]
        for engine, measured in size["engines"].items():
            c1, cn = measured["c1"], measured["cn"]
            differ = report.differing(expected, c1["rows"])
            where = f"{size['triples']:,} triples, {engine}"
            (failed if engine == "relgraph" else warned).extend(
                [f"{where}: {c1['errors']} failed requests at concurrency 1"] * bool(c1["errors"])
                + [f"{where}: answers differ for {', '.join(differ)}"] * bool(differ)
            )
            if cn["errors"]:
                warned.append(f"{where}: {cn['errors']} failed requests under concurrency")
    return failed, warned


def merge(results: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge another run's results into ``results``: sizes matched by their size, the
    later run's measurements (build, check, in process, each engine) replacing the
    earlier ones, new sizes added; commands and durations add up."""
    by_size = {s["size"]: s for s in results["sizes"]}
    for size in extra["sizes"]:
        mine = by_size.get(size["size"])
        if mine is None:
            results["sizes"].append(size)
            by_size[size["size"]] = size
            continue
        engines = {**mine.get("engines", {}), **size.get("engines", {})}
        mine.update(size)
        mine["engines"] = engines
    results["sizes"].sort(key=lambda s: s["size"])
    results["command"] += "\n" + extra["command"]
    results["seconds"] = results.get("seconds", 0) + extra.get("seconds", 0)


def parse_size(text: str) -> int:
    return int(float(text))


def _merged(results: dict[str, Any], into: Path) -> dict[str, Any]:
    """``into``'s results with the build and check columns of ``results`` (same sizes)."""
    merged: dict[str, Any] = json.loads(into.read_text())
    fresh = {r["size"]: r for r in results["sizes"]}
    for size in merged["sizes"]:
        new = fresh.get(size["size"])
        if new is not None:
            size.update({k: new[k] for k in ("triples", "build", "check") if k in new})
    merged["machine"]["packages"].update(results["machine"]["packages"])
    merged["command"] += "\n" + results["command"] + "  # build and check columns"
    merged.setdefault("build_check_run", {})
    merged["build_check_run"] = {
        "started": results["started"],
        "load_average_start": results["machine"].get("load_average"),
        "load_average_end": results["machine"].get("load_average_end"),
    }
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=None, help="measured runs per query (c=1)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per client (c=N)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--budget", type=float, default=None, help="seconds per query (c=1)")
    parser.add_argument(
        "--concurrent-budget", type=float, default=None, help="seconds of the concurrent run"
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds per request")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--rdflib-max", type=parse_size, default=100_000)
    parser.add_argument("--check-max", type=parse_size, default=10**7)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--smoke", action="store_true", help="one small size, few runs")
    parser.add_argument(
        "--build-check-only",
        action="store_true",
        help="measure only build and check (no stored queries): the same as --only build check",
    )
    parser.add_argument(
        "--merge-into",
        type=Path,
        help="a results JSON file whose build and check columns this run replaces, size by "
        "size (its query columns are kept); the report is written from the merged results",
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        nargs="+",
        help="re-render results JSON files (several: merged by size, later files' "
        "measurements replacing earlier ones; the first's machine kept)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["build", "check", "queries"],
        default=["build", "check", "queries"],
        help="what to measure (the graph is always built; merge the results with --report-only)",
    )
    args = parser.parse_args()
    if args.report_only:
        parts = [json.loads(p.read_text()) for p in args.report_only]
        results = parts[0]
        for extra in parts[1:]:
            merge(results, extra)
        out_dir = args.out_dir or args.report_only[0].parent
        report.write(results, out_dir)
        return 0
    smoke = args.smoke
    opts = Options(
        sizes=args.sizes or ([10_000] if smoke else [10_000, 30_000, 100_000, 300_000, 1_000_000]),
        seed=args.seed,
        repeat=args.repeat or (2 if smoke else 10),
        rounds=args.rounds or (1 if smoke else 3),
        clients=args.clients,
        budget_s=args.budget or (1.0 if smoke else 10.0),
        concurrent_budget_s=args.concurrent_budget or (2.0 if smoke else 60.0),
        timeout_s=args.timeout or (5.0 if smoke else 60.0),
        engines=args.engines,
        rdflib_max=args.rdflib_max,
        check_max=args.check_max,
        work=(args.work or ROOT / "build" / ("bench-smoke" if smoke else "bench")).resolve(),
        out_dir=(args.out_dir or (ROOT / "build" / "bench-smoke" if smoke else ROOT / "docs")),
        smoke=smoke,
        only=("build", "check") if args.build_check_only else tuple(args.only),
        command=" ".join([".venv/bin/python", "benchmarks/run.py", *sys.argv[1:]]),
    )
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": opts.command,
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "options": {
            "seed": opts.seed,
            "repeat": opts.repeat,
            "rounds": opts.rounds,
            "clients": opts.clients,
            "budget_s": opts.budget_s,
            "rdflib_max": opts.rdflib_max,
            "concurrent_budget_s": opts.concurrent_budget_s,
            "timeout_s": opts.timeout_s,
        },  # fmt: skip
        "sizes": [],
    }
    if "check" in opts.only:
        # The first check of an install compiles HermiT's driver and writes its class-data
        # archive (a few seconds, once; docs/decisions/0020): done here, untimed, on the
        # repository's own sources, so every size measures the checks users repeat.
        measure(relgraph("--project-dir", str(ROOT), "check", "--format", "json"))
    for n in opts.sizes:
        results["sizes"].append(run_size(n, opts))
        results["seconds"] = time.perf_counter() - started
        results["machine"]["load_average_end"] = os.getloadavg()
        written = _merged(results, args.merge_into) if args.merge_into else results
        report.write(written, opts.out_dir)  # after every size, so a long run keeps its part
    problems, warnings = failures(results)
    for warning in warnings:
        print("warning:", warning, file=sys.stderr)
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    print(
        f"benchmark done in {results['seconds']:.0f} s -> {opts.out_dir / 'benchmarks.md'}",
        file=sys.stderr,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
