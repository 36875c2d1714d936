"""Regenerate the import modules (ontology/imports/*.ttl) from the offline copies, or show terms.

    .venv/bin/python scripts/imports.py                       # rewrite the modules
    .venv/bin/python scripts/imports.py --check               # exit 1 if a module is stale
    .venv/bin/python scripts/imports.py --show MESH:D012649 MF:0000041
                                                              # label, definition, parents

The copies are read from the external_dir setting (../shared/external beside the
checkout); see docs/mappings.md for the curator's workflow.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from relgraph.errors import RelgraphError  # noqa: E402
from relgraph.mappings.imports import generate_modules, imports_dir  # noqa: E402
from relgraph.mappings.sources import converter, load_index, source_of  # noqa: E402
from relgraph.settings import Settings  # noqa: E402
from relgraph.store.builder import load_sources  # noqa: E402


def show(settings: Settings, curies: list[str]) -> int:
    external = settings.path("external_dir")
    status = 0
    for curie in curies:
        iri = converter().expand(curie, strict=False) or curie
        source = source_of(iri)
        if source is None:
            print(f"{curie}: not a term of a mapped source")
            status = 1
            continue
        index = load_index(source, external)
        term = index.get(iri)
        if term is None:
            print(f"{curie}: not in {source.file} ({index.version})")
            status = 1
            continue
        print(f"{curie}  {iri}")
        print(f"  label:      {term.label!r}  ({source.name} {index.version})")
        if term.deprecated:
            print("  DEPRECATED")
        if term.definition:
            print(f"  definition: {term.definition}")
        for parent in term.parents:
            label = index.terms[parent].label if parent in index.terms else ""
            print(f"  parent:     {converter().compress(parent, strict=False) or parent}  {label}")
        if term.source_iri:
            print(f"  IRI in the copy: {term.source_iri} (repaired)")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale modules")
    parser.add_argument("--show", nargs="+", metavar="CURIE", help="print terms of the copies")
    parser.add_argument("--project-dir", default=str(ROOT))
    args = parser.parse_args()
    settings = Settings.load(args.project_dir)
    try:
        if args.show:
            return show(settings, args.show)
        store = load_sources(settings)
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                stale = [
                    p.name
                    for p in generate_modules(settings, store, Path(tmp))
                    if not (imports_dir(settings) / p.name).is_file()
                    or (imports_dir(settings) / p.name).read_text(encoding="utf-8")
                    != p.read_text(encoding="utf-8")
                ]
            for name in stale:
                print(f"stale: ontology/imports/{name}: run scripts/imports.py", file=sys.stderr)
            return 1 if stale else 0
        for path in generate_modules(settings, store):
            print(f"wrote {path.relative_to(settings.project_path)}")
    except RelgraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
