"""Reading study sheets (relgraph.curation.tables) and their problems at sheet, row, column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from relgraph.curation.problems import SheetProblem
from relgraph.curation.sheets import FINDINGS, HELP_MARK, WORK
from relgraph.curation.tables import read_study
from relgraph.errors import LoadError, RelgraphError, StudySheetError
from relgraph.vocab import RGR
from tests.curation.studies import write_rows

ADHERENCE = str(RGR["outcome-treatment-adherence"])
DROP_OUT = str(RGR["outcome-drop-out"])
DAY_HOSPITAL = str(RGR["setting-day-hospital"])
BEHAVIOUR = str(RGR["construct-reinforcement"])


# -- reading sheets ----------------------------------------------------------------------------


def test_help_rows_empty_rows_and_note_columns_are_not_data(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    with (folder / "work.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["Authors", "YEAR *", "curator", "notes to self"],
                [f"{HELP_MARK} surnames", "a number", "you", ""],
                ["", "", "", ""],
                ["Smith; Jones", "2024", "Ann", "ask Jones about the sample"],
            ]
        )
    tables, problems = read_study(folder)
    assert problems == []
    (row,) = tables[WORK.name].rows
    assert row.number == 4
    assert row.values == {"authors": "Smith; Jones", "year": "2024", "curator": "Ann"}
    assert tables[WORK.name].letters == {"authors": "A", "year": "B", "curator": "C"}


def test_an_unknown_column_and_a_second_work_row_are_problems(tmp_path: Path) -> None:
    folder = write_rows(
        {WORK.name: [{"authors": "Smith", "year": "2024"}, {"authors": "Lee", "year": "2025"}]},
        tmp_path / "study",
    )
    findings = (
        (folder / FINDINGS.file).read_text(encoding="utf-8").replace("outcome,", "outcme,", 1)
    )
    (folder / FINDINGS.file).write_text(findings, encoding="utf-8")
    _tables, problems = read_study(folder)
    messages = {p.message: p for p in problems}
    unknown = messages["unknown column 'outcme'"]
    assert (unknown.sheet, unknown.row, unknown.column, unknown.nearest[0]) == (
        "Findings",
        1,
        "D",
        "outcome",
    )
    assert any("takes exactly one" in m and p.row == 4 for m, p in messages.items())


def test_files_that_are_no_study_sheet_are_refused_clearly(tmp_path: Path) -> None:
    text = tmp_path / "study.ods"
    text.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(LoadError, match="unsupported file type '.ods'"):
        read_study(text)
    fake = tmp_path / "study.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(LoadError, match="not a readable .xlsx workbook"):
        read_study(fake)
    with pytest.raises(LoadError, match="no such file"):
        read_study(tmp_path / "missing.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    _tables, problems = read_study(empty)
    assert [p.message for p in problems] == [
        "work.csv is missing: it names the study's publication and curator"
    ]


def test_problems_render_where_a_curator_looks() -> None:
    problem = SheetProblem(
        "unknown setting 'x'",
        "pick one",
        "study.xlsx",
        "Findings",
        5,
        "H",
        "setting",
        nearest=("'day hospital' (rgr:setting-day-hospital)",),
    )
    assert problem.render() == (
        "study.xlsx, sheet Findings, row 5, column H (setting): unknown setting 'x'\n"
        "  nearest existing: 'day hospital' (rgr:setting-day-hospital)\n"
        "  fix: pick one"
    )
    error = StudySheetError([problem], "study.xlsx")
    assert isinstance(error, RelgraphError) and error.exit_code == 1
    assert error.to_dict()["problems"][0]["column"] == "H"  # type: ignore[index]
