"""Render benchmark results: ``benchmarks.json``, ``benchmarks.md`` and ``benchmarks.png``.

Growth is a least-squares fit of log(time) against log(triples): time ~ n^b,
and b is the exponent reported (1 is linear). The local exponent between the
two largest sizes is given too, since fixed start-up costs (the JVM, server
start) flatten the curve at small sizes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["write", "render", "plot", "fit", "differing", "phases"]

#: Budgets of the issue's targets, for "which phase limits first".
CHECK_BUDGET_S = 60.0
BUILD_BUDGET_S = 30.0


def differing(expected: dict[str, int], got: dict[str, int | None]) -> list[str]:
    """Queries answered with another row count than the in-process answer (failures aside)."""
    return sorted(q for q, n in expected.items() if got.get(q) is not None and got[q] != n)


def fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Fit y = a * x^b on positive points; return (a, b), or None with fewer than 2."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return math.exp(my - b * mx), b


def _local(points: list[tuple[float, float]]) -> float | None:
    pts = sorted((x, y) for x, y in points if y and y > 0)
    if len(pts) < 2:
        return None
    (x1, y1), (x2, y2) = pts[-2], pts[-1]
    return math.log(y2 / y1) / math.log(x2 / x1) if x2 != x1 else None


def crossing(points: list[tuple[float, float]], budget: float) -> tuple[float, bool] | None:
    """Where a phase reaches ``budget``: (size, measured?).

    Measured (interpolated on log-log between the sizes around it) when a measured
    value passes the budget; else extrapolated from the two largest sizes' local
    exponent; None when it does not grow.
    """
    pts = sorted((x, y) for x, y in points if y and y > 0)
    for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
        if y1 < budget <= y2:
            b = math.log(y2 / y1) / math.log(x2 / x1)
            return x1 * (budget / y1) ** (1 / b), True
    if pts and pts[0][1] >= budget:
        return pts[0][0], True
    local = _local(pts)
    if local is None or local <= 0:
        return None
    x, y = pts[-1]
    return x * (budget / y) ** (1 / local), False


def _get(size: dict[str, Any], path: str) -> float | None:
    node: Any = size
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


def phases(results: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(name, path in a size's results, budget in seconds or 0) of every measured phase."""
    out = [
        ("build (relgraph build, incl. verification)", "build.seconds", BUILD_BUDGET_S),
        ("build peak memory (MiB)", "build.peak_mb", 2048.0),
        ("check total", "check.seconds", CHECK_BUDGET_S),
    ]
    names: list[str] = []
    for size in results["sizes"]:
        for key in size.get("check", {}).get("timings", {}):
            if key not in names and key != "total":
                names.append(key)
    out += [(f"check: {k}", f"check.timings.{k}", CHECK_BUDGET_S) for k in names]
    out += [
        ("graph load (N-Quads, per worker)", "in_process.load_s", 0.0),
        ("query in process (median ms)", "in_process.median_ms", 0.0),
    ]
    engines: list[str] = []
    for size in results["sizes"]:
        engines += [e for e in size.get("engines", {}) if e not in engines]
    out += [
        (f"query over HTTP: {e} (median ms)", f"engines.{e}.c1.median_ms", 0.0) for e in engines
    ]
    return out


def _ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b:
        return "–"
    return f"{a / b:.1f}×"


def _overhead(size: dict[str, Any]) -> float | None:
    """Median over the queries of (relgraph over HTTP − in process), in ms."""
    http = size.get("engines", {}).get("relgraph", {}).get("c1", {}).get("per_query_median_ms")
    local = size["in_process"]["per_query_median_ms"]
    if not http:
        return None
    diffs = sorted(http[q] - local[q] for q in http if q in local)
    if not diffs:
        return None
    mid = len(diffs) // 2
    return diffs[mid] if len(diffs) % 2 else (diffs[mid - 1] + diffs[mid]) / 2


def _targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    sizes = sorted(results["sizes"], key=lambda s: s["triples"])
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "**missed**")

    def near(n: int) -> dict[str, Any] | None:
        best = min(sizes, key=lambda s: abs(math.log(s["triples"] / n)), default=None)
        if best is None or abs(math.log(best["triples"] / n)) > 0.5:
            return None
        return best

    real = sizes[0] if sizes else None
    if real is not None:
        rg = real.get("engines", {}).get("relgraph")
        median = rg["c1"]["median_ms"] if rg else None
        rows.append(
            (
                f"HTTP median < 2 ms per stored query ({real['triples']:,} triples)",
                f"{_ms(median)} ms",
                verdict(None if median is None else median < 2),
            )
        )
        over = _overhead(real)
        rows.append(
            (
                "server's addition to the in-process call < 1.5 ms (median)",
                f"{_ms(over)} ms",
                verdict(None if over is None else over < 1.5),
            )
        )
        if rg:
            gain = rg["cn"]["throughput"] / rg["c1"]["throughput"] if rg["c1"]["throughput"] else 0
            rows.append(
                (
                    "throughput at concurrency 8 ≥ 1.6× concurrency 1",
                    f"{gain:.2f}×",
                    verdict(gain >= 1.6),
                )
            )
        check = _get(real, "check.seconds")
        rows.append(
            (
                f"`relgraph check` < 5 s ({real['triples']:,} triples)",
                f"{_s(check)} s",
                verdict(None if check is None else check < 5),
            )
        )
    s5 = near(100_000)
    if s5 is not None:
        rg = _get(s5, "engines.relgraph.c1.median_ms")
        rd = _get(s5, "engines.rdflib-endpoint.c1.median_ms")
        rows.append(
            (
                f"≥ 20× faster than rdflib-endpoint over HTTP ({s5['triples']:,} triples)",
                _ratio(rd, rg),
                verdict(None if rg is None or rd is None else rd / rg >= 20),
            )
        )
    s6 = near(1_000_000)
    if s6 is not None:
        rg = _get(s6, "engines.relgraph.c1.median_ms")
        vt = _get(s6, "engines.virtuoso.c1.median_ms")
        rows.append(
            (
                f"no slower than Virtuoso over HTTP ({s6['triples']:,} triples)",
                f"{_ms(rg)} ms vs {_ms(vt)} ms",
                verdict(None if rg is None or vt is None else rg <= vt),
            )
        )
        build = _get(s6, "build.seconds")
        peak = _get(s6, "build.peak_mb")
        rows.append(
            (
                f"build < 30 s and < 2 GB ({s6['triples']:,} triples)",
                f"{_s(build)} s, {peak or 0:.0f} MiB"
                + (
                    f" (again after a passing check: {_s(again)} s, "
                    f"{_get(s6, 'rebuild.peak_mb') or 0:.0f} MiB)"
                    if (again := _get(s6, "rebuild.seconds")) is not None
                    else ""
                ),
                verdict(None if build is None or peak is None else build < 30 and peak < 2048),
            )
        )
        check = _get(s6, "check.seconds")
        rows.append(
            (
                f"`relgraph check` < 60 s ({s6['triples']:,} triples)",
                f"{_s(check)} s",
                verdict(None if check is None else check < 60),
            )
        )
    return rows


def render(results: dict[str, Any]) -> str:
    """The Markdown report."""
    m = results["machine"]
    sizes = sorted(results["sizes"], key=lambda s: s["triples"])
    opts = results.get("options", {})
    clients = opts.get("clients", 8)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py` (`make bench`); do not edit by hand. Re-render from",
        "`docs/benchmarks.json` with `.venv/bin/python benchmarks/run.py --report-only "
        "docs/benchmarks.json`.",
        "",
        f"Run {results['started']}, {results.get('seconds', 0) / 60:.0f} minutes:",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}, Python "
        f"{m['python']}; load average at start {', '.join(f'{x:.1f}' for x in m['load_average'])}"
        + (
            f", at end {', '.join(f'{x:.1f}' for x in m['load_average_end'])}"
            if "load_average_end" in m
            else ""
        )
        + " (the machine is shared: compare the ratios, measured in the same run)."
        + (
            f" The build and check columns were measured again {bc['started']} (load average "
            f"at start {', '.join(f'{x:.1f}' for x in bc['load_average_start'])}, at end "
            f"{', '.join(f'{x:.1f}' for x in bc['load_average_end'] or ())})."
            if (bc := results.get("build_check_run"))
            else ""
        ),
        "Software: "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
        + (f", Virtuoso ({m['virtuoso']})" if m.get("virtuoso") else "")
        + ".",
        "",
        "Data: `relgraph synth --triples N --seed "
        f"{opts.get('seed', 1)}` (the real graph plus synthetic studies). Queries: the "
        f"{sizes[0]['queries'] if sizes else 0} stored queries of `queries/cq/`, each "
        f"{opts.get('repeat')} times after one warm-up at concurrency 1 (at most "
        f"{opts.get('budget_s')} s per query), then {clients} clients each sending all of them "
        f"{opts.get('rounds')} times. Over HTTP every engine gets the same standalone text (POST, "
        "SPARQL Results JSON, keep-alive). *median* = median over the queries of each query's "
        "median; *p95* = 95th percentile of all requests.",
        "",
        "## Build and check",
        "",
        "| triples | build s | build peak MiB | check errors | check s | check peak MiB | "
        "build again s | build again MiB | " + " | ".join(_check_keys(sizes)) + " |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in _check_keys(sizes))
        + " |",
    ]
    for s in sizes:
        timings = s.get("check", {}).get("timings", {})
        lines.append(
            f"| {s['triples']:,} | {_s(_get(s, 'build.seconds'))} | "
            f"{_get(s, 'build.peak_mb') or 0:.0f} | {s.get('check', {}).get('errors', '–')} | "
            f"{_s(_get(s, 'check.seconds'))} | "
            f"{_get(s, 'check.peak_mb') or 0:.0f} | "
            f"{_s(_get(s, 'rebuild.seconds'))} | "
            f"{_mib(_get(s, 'rebuild.peak_mb'))} | "
            + " | ".join(_s(timings.get(k)) for k in _check_keys(sizes))
            + " |"
        )
    lines += [
        "",
        "`build` is `relgraph build --force` (parse, the build's verification: the check's "
        "error rules without HermiT, write); *check errors* counts the errors `relgraph check` "
        "found in the generated graph "
        "(0: it passes); `check` is `relgraph check --format json` as a whole process (after "
        "one untimed check that compiles HermiT's driver, once per install); the "
        "phase columns are its own timings (HermiT runs in the background while the other "
        "phases run, and `reasoning` includes waiting for it); *build again* is the same "
        "`relgraph build --force` after that passing check, which reuses the check's verdict "
        "(`build_reuse_verdict`, docs/decisions/0015) and so skips the verification.",
        "",
        "## Stored-query latency",
        "",
        f"| triples | engine | median ms | p95 ms | c{clients} median ms | c{clients} p95 ms | "
        f"c1 req/s | c{clients} req/s | c{clients}/c1 | ÷ in process | ÷ relgraph | "
        "errors | answers differ |",
        "| ---: | --- " + "| ---: " * 10 + "| --- |",
    ]
    for s in sizes:
        local = s["in_process"]
        lines.append(
            f"| {s['triples']:,} | in process (pyoxigraph) | {_ms(local['median_ms'])} | "
            f"{_ms(local['p95_ms'])} | | | | | | 1× | | | |"
        )
        rg = _get(s, "engines.relgraph.c1.median_ms")
        for engine, e in s.get("engines", {}).items():
            c1, cn = e["c1"], e["cn"]
            gain = cn["throughput"] / c1["throughput"] if c1["throughput"] else None
            differ = differing(local["rows"], c1["rows"])
            lines.append(
                f"| {s['triples']:,} | {engine} | {_ms(c1['median_ms'])} | {_ms(c1['p95_ms'])} | "
                f"{_ms(cn['median_ms'])} | {_ms(cn['p95_ms'])} | {c1['throughput']:.0f} | "
                f"{cn['throughput']:.0f} | {'–' if gain is None else f'{gain:.2f}×'} | "
                f"{_ratio(c1['median_ms'], local['median_ms'])} | "
                f"{_ratio(c1['median_ms'], rg)} | {c1['errors'] + cn['errors']} | "
                f"{', '.join(differ) if differ else '–'} |"
            )
    lines += [
        "",
        "*÷ in process* and *÷ relgraph*: the engine's median over the in-process median and over "
        "relgraph's HTTP median (higher is slower). *answers differ*: stored queries whose row "
        "count is not the in-process one. Virtuoso gets no dataset, so its default graph is "
        "the union of all its graphs: its fastest mode, in which Virtuoso 7.2 answers cq27 "
        "with wrong counts (the row count, all this table compares, is right); with "
        "relgraph's graphs listed, as `relgraph serve --backend` sends them by default, it "
        "was about 13x slower at 10^6 (docs/decisions/0023).",
        "",
    ]
    failed = []
    for s in sizes:
        for engine, e in s.get("engines", {}).items():
            bad = sorted(q for q, n in e["c1"]["rows"].items() if n is None)
            slow = set(e["c1"].get("timed_out", []))
            said = e["c1"].get("error_messages", {})
            if bad:
                failed.append(
                    f"- {s['triples']:,} triples, {engine}: "
                    + ", ".join(f"{q} (timed out)" if q in slow else q for q in bad)
                )
                failed += [f"  - {q}: {said[q][:160]}" for q in bad if q in said and q not in slow][
                    :3
                ]
    if failed:
        lines += [
            "Stored queries that failed at concurrency 1. A query that failed is left out of "
            "that engine's median and p95; one that *timed out* counts there at the timeout "
            f"({results.get('options', {}).get('timeout_s', '?')} s, a lower bound), is left out "
            "of the concurrent run, and the server was restarted (it cannot cancel a query):",
            "",
            *failed,
            "",
        ]
    over = [(s["triples"], _overhead(s)) for s in sizes]
    if any(v is not None for _, v in over):
        lines += [
            "What `relgraph serve` adds to the in-process call (median over the queries of the "
            "difference): "
            + ", ".join(f"{_ms(v)} ms at {n:,}" for n, v in over if v is not None)
            + ".",
            "",
        ]
    lines += ["## Targets (issue 13)", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in _targets(results)]
    lines += [
        "",
        "## Growth",
        "",
        "Fitted exponent b of time ~ triples^b (least squares on log-log over all sizes; 1 is "
        "linear), the local exponent between the two largest sizes (fixed start-up costs, such "
        "as the JVM's, flatten the curve at small sizes), and, for phases with a budget (the "
        "issue's: check 60 s, build 30 s and 2 GiB at 10^6), the size at which it reaches it: "
        "interpolated between measured sizes, or extrapolated with the local exponent (~).",
        "",
        "| phase | b (all sizes) | b (two largest) | at largest size | budget "
        "| reaches budget at |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    limits: list[tuple[float, str, bool]] = []
    for name, path, budget in phases(results):
        points = [(float(s["triples"]), _get(s, path)) for s in sizes]
        valid: list[tuple[float, float]] = [(x, y) for x, y in points if y is not None and y > 0]
        fitted = fit(valid)
        local = _local(valid)
        largest = valid[-1][1] if valid else None
        reach = ""
        if budget:
            found = crossing(valid, budget)
            if found is not None:
                n_star, measured = found
                reach = f"{'' if measured else '~'}{n_star:,.0f}" + (
                    "" if measured else " (extrap.)"
                )
                composite = name.startswith(("build", "check total"))
                if not composite:
                    limits.append((n_star, name, measured))
        unit = "" if "ms" in name or "MiB" in name else " s"
        lines.append(
            f"| {name} | {'–' if not fitted else f'{fitted[1]:.2f}'} | "
            f"{'–' if local is None else f'{local:.2f}'} | "
            f"{'–' if largest is None else _s(largest) + unit} | "
            f"{f'{budget:g}' if budget else ''} | {reach} |"
        )
    if limits:
        limits.sort()
        n_star, name, measured = limits[0]
        how = "reaches" if measured else "would reach (extrapolated)"
        then = f"; then {limits[1][1]}, at about {limits[1][0]:,.0f}" if len(limits) > 1 else ""
        lines += [
            "",
            f"**Limits first: {name}**, which {how} the 60 s check budget at about "
            f"{n_star:,.0f} triples{then}. (`build` and `check total` are sums of these "
            "phases: the build runs the same SHACL, rules and queries without HermiT.)",
        ]
    lines += ["", "![latency and check time against size](benchmarks.png)", ""]
    return "\n".join(lines)


def _check_keys(sizes: list[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for s in sizes:
        for k in s.get("check", {}).get("timings", {}):
            if k not in keys and k != "total":
                keys.append(k)
    return keys


def plot(results: dict[str, Any], path: Path) -> None:
    """Latency per engine and build/check time per phase against size (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["sizes"], key=lambda s: s["triples"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    series = [("in process (pyoxigraph)", "in_process.median_ms")]
    engines: list[str] = []
    for s in sizes:
        engines += [e for e in s.get("engines", {}) if e not in engines]
    series += [(f"{e} over HTTP", f"engines.{e}.c1.median_ms") for e in engines]
    for label, key in series:
        pts = [(s["triples"], _get(s, key)) for s in sizes]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            left.plot(*zip(*pts, strict=True), marker="o", label=label)
    left.set(
        xscale="log", yscale="log", xlabel="triples", ylabel="median latency per stored query (ms)"
    )
    left.set_title("Stored queries (concurrency 1)")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    rows = [("build", "build.seconds"), ("check (total)", "check.seconds")]
    rows += [(f"check: {k}", f"check.timings.{k}") for k in _check_keys(sizes)]
    for label, key in rows:
        pts = [(s["triples"], _get(s, key)) for s in sizes]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            style = "-" if label in {"build", "check (total)"} else "--"
            right.plot(*zip(*pts, strict=True), style, marker="o", label=label)
    right.axhline(CHECK_BUDGET_S, color="grey", lw=0.8, ls=":")
    right.set(xscale="log", yscale="log", xlabel="triples", ylabel="seconds")
    right.set_title("Build and check, by phase")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], out_dir: Path) -> None:
    """Write benchmarks.json, benchmarks.md and benchmarks.png into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "benchmarks.json").write_text(json.dumps(results, indent=1) + "\n")
    if not all("in_process" in s for s in results["sizes"]):
        return  # a partial run (--only): merge it with --report-only to render it
    (out_dir / "benchmarks.md").write_text(render(results))
    plot(results, out_dir / "benchmarks.png")
