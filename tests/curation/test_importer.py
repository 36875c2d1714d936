"""``relgraph import`` (relgraph.curation.importer): settings it reads, its JSON report.

The cases of issue 15 (the clean import, the six planted mistakes, the round
trip) are in ``tests/issues/test_015_study_sheets.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relgraph.curation import import_study
from relgraph.errors import StudySheetError
from relgraph.settings import Settings
from tests.curation.studies import EXAMPLE_ID, copy_project, example_rows, write_rows


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return copy_project(tmp_path_factory.mktemp("importer"))


def _without_curator(tmp: Path) -> Path:
    rows = example_rows()
    rows["Work"][0]["curator"] = ""
    return write_rows(rows, tmp / "study")


def test_the_curator_setting_names_the_curator_a_sheet_leaves_out(
    project: Settings, tmp_path: Path
) -> None:
    sheet = _without_curator(tmp_path)
    with pytest.raises(StudySheetError) as caught:
        import_study(project, sheet, dry_run=True, reasoner=False)
    (error,) = [p for p in caught.value.problems if p.severity == "error"]
    assert (error.sheet, error.header) == ("Work", "curator")
    named = project.replace(curator="Ada Curator")
    result = import_study(named, sheet, dry_run=True, reasoner=False)
    assert '"Ada Curator"' in result.turtle
    # --curator (the argument) wins over the setting and the sheet
    result = import_study(named, sheet, dry_run=True, reasoner=False, curator="Bo Override")
    assert '"Bo Override"' in result.turtle and "Ada Curator" not in result.turtle


def test_the_json_report_says_what_was_done(project: Settings, tmp_path: Path) -> None:
    result = import_study(project, write_rows(example_rows(), tmp_path / "s"), dry_run=True,
                          reasoner=False)  # fmt: skip
    report: dict[str, Any] = result.to_dict()
    assert report["ok"] and report["study"] == EXAMPLE_ID and not report["written"]
    assert (report["findings"], report["method_applications"], report["new_entities"]) == (6, 2, 4)
    assert all(p["sheet"] for p in report["problems"])  # type: ignore[index]
