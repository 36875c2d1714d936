"""Time the study-sheet commands on the real graph (issue 15), in one run.

    .venv/bin/python scripts/bench_curation.py [--repeat 3] [--reasoner]

Prints the median seconds of: loading the sources, writing a template (xlsx,
csv), reading the example study (docs/examples/study/) as a workbook and as CSV,
and a dry-run import of it with each step (read, load, rows, turtle, check).
Compare the numbers of one run as ratios: the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from relgraph.curation import import_study, template_workbook, write_template
from relgraph.curation.sheets import SHEETS
from relgraph.curation.tables import read_study, write_xlsx
from relgraph.settings import Settings
from relgraph.store.builder import load_sources

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "study"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reasoner", action="store_true", help="run HermiT in the import's check")
    args = parser.parse_args()
    settings = Settings.load(ROOT)
    times: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tables, _ = read_study(EXAMPLE)
        book = template_workbook(load_sources(settings))
        book.sheets = {s.name: [dict(r.values) for r in tables[s.name].rows] for s in SHEETS}
        workbook = folder / "example.xlsx"
        write_xlsx(workbook, book)
        for i in range(args.repeat):
            started = time.perf_counter()
            store = load_sources(settings)
            times["load sources"].append(time.perf_counter() - started)
            for fmt in ("xlsx", "csv"):
                started = time.perf_counter()
                write_template(store, folder / f"t{i}.{fmt}", fmt=fmt)
                times[f"template ({fmt})"].append(time.perf_counter() - started)
            for name, path in (("xlsx", workbook), ("csv", EXAMPLE)):
                started = time.perf_counter()
                read_study(path)
                times[f"read example ({name})"].append(time.perf_counter() - started)
            started = time.perf_counter()
            result = import_study(settings, EXAMPLE, dry_run=True, reasoner=args.reasoner)
            times["import --dry-run (total)"].append(time.perf_counter() - started)
            for step, seconds in result.timings.items():
                times[f"  import: {step}"].append(seconds)
            for phase, seconds in (result.report.timings if result.report else {}).items():
                times[f"    check: {phase}"].append(seconds)
    width = max(len(k) for k in times)
    for name, values in times.items():
        print(f"{name.ljust(width)}  {statistics.median(values):7.3f} s")


if __name__ == "__main__":
    main()
