"""The study template (relgraph.curation.template): drop-down lists, example, CSV form."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from relgraph.curation.sheets import FINDINGS, HELP_MARK, SHEETS
from relgraph.curation.tables import LISTS_SHEET
from relgraph.curation.template import EXAMPLE, template_workbook, write_template
from relgraph.errors import RelgraphError, UnknownStudy
from relgraph.vocab import RGR
from tests.curation.studies import copy_project, write_rows

ADHERENCE = str(RGR["outcome-treatment-adherence"])
DROP_OUT = str(RGR["outcome-drop-out"])
DAY_HOSPITAL = str(RGR["setting-day-hospital"])
BEHAVIOUR = str(RGR["construct-reinforcement"])


# -- the template ------------------------------------------------------------------------------


def test_the_template_offers_drop_down_lists_of_the_graphs_labels(
    repo_store: Any, tmp_path: Path
) -> None:
    path = write_template(repo_store, tmp_path / "study.xlsx").paths[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Read me", *(s.name for s in SHEETS), "Example", LISTS_SHEET]
    findings = book["Findings"]
    assert [c.value for c in findings[1]] == [c.header for c in FINDINGS.columns]
    assert str(findings["A2"].value).startswith(HELP_MARK)
    validations = {str(v.sqref): v for v in findings.data_validations.dataValidation}
    outcome = validations["D3:D1002"]
    assert outcome.type == "list" and outcome.formula1.startswith(f"={LISTS_SHEET}!$")
    column = outcome.formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
    lists = book[LISTS_SHEET]
    values = [c.value for c in lists[column] if c.value]
    assert values[0] == "outcome"
    outcomes = repo_store.query(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a/rdfs:subClassOf* rg:Outcome }"
    )
    assert len(values) - 1 == int(next(iter(outcomes))["n"].value)
    assert "treatment adherence" in values
    # the direction column offers the five directions of the value set
    direction = validations["G3:G1002"].formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
    assert sorted(c.value for c in lists[direction][1:] if c.value) == [
        "associated, direction not stated",
        "mixed",
        "negative",
        "no association",
        "positive",
    ]
    example = [[c for c in r if c is not None] for r in book["Example"].iter_rows(values_only=True)]
    assert ["collaborative relationship"] in [
        [c] for r in example for c in r if c == "collaborative relationship"
    ]


def test_the_example_sheet_is_a_study_that_imports(project_copy: Any, tmp_path: Path) -> None:
    from relgraph.curation import import_study

    result = import_study(
        project_copy, write_rows(EXAMPLE, tmp_path / "example"), dry_run=True, reasoner=False
    )
    assert (result.findings, result.method_applications, result.new_entities) == (1, 1, 1)


def test_the_template_never_overwrites_a_curators_file(repo_store: Any, tmp_path: Path) -> None:
    path = tmp_path / "study.xlsx"
    path.write_bytes(b"a curator's work")
    with pytest.raises(RelgraphError, match="not overwritten"):
        write_template(repo_store, path)
    assert path.read_bytes() == b"a curator's work"
    write_template(repo_store, path, force=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Read me"


def test_the_csv_template_has_the_same_columns(repo_store: Any, tmp_path: Path) -> None:
    result = write_template(repo_store, tmp_path / "study", fmt="csv")
    names = sorted(p.relative_to(tmp_path / "study").as_posix() for p in result.paths)
    assert names == sorted(
        [s.file for s in SHEETS]
        + [f"example/{s.file}" for s in SHEETS]
        + ["lists.csv", "README.txt"]
    )
    for spec in SHEETS:
        with (tmp_path / "study" / spec.file).open(encoding="utf-8", newline="") as f:
            header, helper = list(csv.reader(f))
        assert header == [c.header for c in spec.columns]
        assert helper[0].startswith(HELP_MARK)
    book = template_workbook(repo_store)
    assert all(book.lists.values())


def test_an_unknown_study_is_a_clear_error(repo_store: Any, tmp_path: Path) -> None:
    with pytest.raises(UnknownStudy, match="no imported study has the id 'nope'"):
        write_template(repo_store, tmp_path / "x.xlsx", study="nope")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return copy_project(tmp_path_factory.mktemp("curation"))


def test_the_template_rows_setting_sets_how_many_rows_get_lists(
    repo_store: Any, tmp_path: Path
) -> None:
    path = write_template(repo_store, tmp_path / "study.xlsx", rows=10).paths[0]
    findings = openpyxl.load_workbook(path)["Findings"]
    assert "D3:D12" in {str(v.sqref) for v in findings.data_validations.dataValidation}
