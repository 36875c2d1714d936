"""Helpers for the tests of study sheets (issue 15): a project copy, the example study, variants.

The example study (``docs/examples/study/``, CSV) is hypothetical: "Hypothetica,
Fictus and Exemplar 2029" is not a real publication.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from relgraph.curation.sheets import SHEETS
from relgraph.curation.tables import Workbook, read_study, write_csv, write_xlsx
from relgraph.settings import Settings
from tests import ROOT, SHARED

#: The hypothetical study of the documentation (CSV form).
EXAMPLE_STUDY = ROOT / "docs" / "examples" / "study"
#: Its study id.
EXAMPLE_ID = "hypothetica-etal-2029"
#: The source folders a project copy needs.
PROJECT_FOLDERS = ("ontology", "data", "shapes", "queries", "mappings")


def copy_project(tmp: Path) -> Settings:
    """A copy of the real project in ``tmp`` (so that an import may write its data/)."""
    for name in PROJECT_FOLDERS:
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("studies"))
    return Settings(
        project_dir=str(tmp),
        build_dir=str(tmp / "build"),
        seed_dir=str(SHARED / "seed"),
        external_dir=str(SHARED / "external"),
    )


def example_rows() -> dict[str, list[dict[str, str]]]:
    """The example study's rows, by sheet (copies that a test may change)."""
    tables, problems = read_study(EXAMPLE_STUDY)
    assert not problems, problems
    return {spec.name: [dict(r.values) for r in tables[spec.name].rows] for spec in SHEETS}


def write_rows(rows: dict[str, list[dict[str, str]]], path: Path, **extra: object) -> Path:
    """Write sheet rows as CSV (a folder) or, for a path ending in .xlsx, as a workbook."""
    book = Workbook(sheets=rows, **extra)  # type: ignore[arg-type]
    if path.suffix == ".xlsx":
        write_xlsx(path, book)
    else:
        write_csv(path, book)
    return path


def data_files(settings: Settings) -> dict[str, bytes]:
    """Every file of the data folder, by relative path, with its bytes."""
    data = settings.path("data_dir")
    return {
        str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()
    }
