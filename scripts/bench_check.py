#!/usr/bin/env python3
"""Time ``relgraph check`` phase by phase at the real size and on enlarged graphs.

For each size, builds a project folder in build/bench-check/ whose data is the
real data plus ``scripts/enlarge.py`` output, loads it, and runs the check with
the timings of each phase (SHACL, reasoning = OWL 2 RL rules + HermiT wall time,
spans, fidelity, quality queries). Phases can be skipped above a size (--shacl-max,
--hermit-max) when they would exceed the time cap.

    scripts/bench_check.py --studies 0 2500 25000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from relgraph.checks import check_store
from relgraph.settings import Settings
from relgraph.store.builder import load_sources

ROOT = Path(__file__).resolve().parent.parent


def run(
    studies: int, seed: int, shacl_max: int, hermit_max: int, timeout: int
) -> dict[str, object]:
    """Check the real graph plus ``studies`` generated studies; return the timings."""
    work = ROOT / "build" / "bench-check" / f"n{studies}"
    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(ROOT / "data", data)
    if studies:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "enlarge.py"),
                "--studies",
                str(studies),
                "--seed",
                str(seed),
                "-o",
                str(data / "generated.ttl"),
            ],
            check=True,
            capture_output=True,
        )
    settings = Settings(
        project_dir=str(ROOT),
        data_dir=str(data),
        build_dir=str(work / "build"),
        reasoner_timeout_s=timeout,
    )
    t = time.perf_counter()
    store = load_sources(settings)
    load = time.perf_counter() - t
    phases = ["spans", "fidelity", "queries", "reasoning"]
    if studies <= shacl_max:
        phases.append("shacl")
    report = check_store(store, settings, reasoner=studies <= hermit_max, phases=phases)
    return {
        "studies": studies,
        "triples": len(store),
        "load_s": round(load, 2),
        "errors": len(report.errors),
        "timings_s": {k: round(v, 2) for k, v in report.timings.items()},
        "skipped": sorted({"shacl", "reasoning"} - set(phases))
        + ([] if studies <= hermit_max else ["hermit"]),
        "notes": report.notes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, nargs="+", default=[0, 2500, 25000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shacl-max", type=int, default=10**9, help="skip SHACL above this")
    parser.add_argument("--hermit-max", type=int, default=10**9, help="skip HermiT above this")
    parser.add_argument("--timeout", type=int, default=600, help="HermiT time cap in seconds")
    args = parser.parse_args()
    for n in args.studies:
        print(
            json.dumps(run(n, args.seed, args.shacl_max, args.hermit_max, args.timeout)), flush=True
        )


if __name__ == "__main__":
    main()
