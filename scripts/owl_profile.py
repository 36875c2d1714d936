"""Check the OWL exports of the built graph against the OWL 2 DL profile (OWL API).

Usage (after ``make build``; ``make owl-profile`` runs it)::

    .venv/bin/python scripts/owl_profile.py [--keep DIR]

Writes ``relgraph export --format owl`` (the ontology) and ``--format owl
--part data`` (with the individuals) to a temporary folder (or ``--keep DIR``),
runs the OWL API's OWL 2 DL profile checker on both, prints each violation,
unparsed triple and guessed declaration, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from relgraph.checks.owlprofile import check_profile
from relgraph.query.exporting import export
from relgraph.settings import Settings
from relgraph.store.builder import open_built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the exports and classes here")
    args = parser.parse_args()
    settings = Settings.load()
    store = open_built(settings)
    with tempfile.TemporaryDirectory(prefix="relgraph-owl-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            folder / "relgraph.owl": export(store, settings, "owl"),
            folder / "relgraph-with-individuals.owl": export(store, settings, "owl", ["data"]),
        }
        for path, data in files.items():
            path.write_bytes(data)
        results = check_profile(files, folder)
    bad = 0
    for name, result in results.items():
        for kind in ("violations", "unparsed", "guessed"):
            for line in getattr(result, kind):
                print(f"{Path(name).name}: {kind}: {line}")
        bad += not result.ok
        print(
            f"{Path(name).name}: {result.axioms} axioms, {len(result.violations)} OWL 2 DL "
            f"violations, {len(result.unparsed)} unparsed triples, "
            f"{len(result.guessed)} guessed declarations"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
