"""Issue #15: adding studies without writing Turtle -- template, import that checks, provenance.

The issue's tests:

* a realistic hypothetical study (``docs/examples/study/``, not a real
  publication) imports cleanly, from CSV and from a workbook, and its findings
  appear in the stored queries;
* a copy with planted mistakes -- an unknown outcome label, a misspelt setting,
  a missing direction, a year written as text, a finding duplicated, a new
  construct that duplicates an existing one -- gives one clear error each, with
  sheet, row and column, and writes nothing;
* template -> import -> template round-trips a study unchanged.

The kind behind the planted mistakes: every problem of a sheet, whether the
import finds it or the graph's check does, names the sheet, row and column
where the curator fixes it, and no problem writes anything.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from relgraph.curation import import_study, template_workbook, write_template
from relgraph.curation.export import study_rows
from relgraph.curation.tables import read_study
from relgraph.errors import StudySheetError
from relgraph.query.catalog import get_query
from relgraph.settings import Settings
from relgraph.store.builder import load_sources, open_built
from relgraph.vocab import PRISM, RGR
from tests import ROOT, requires_seed
from tests.curation.studies import (
    EXAMPLE_ID,
    EXAMPLE_STUDY,
    copy_project,
    data_files,
    example_rows,
    write_rows,
)

TODAY = dt.date(2026, 12, 2)


def _import(settings: Settings, path: Path, **kw: Any) -> Any:
    return import_study(settings, path, reasoner=False, today=TODAY, **kw)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A project copy without the study (imports into it fail or are dry runs)."""
    return copy_project(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def imported(studied: tuple[Settings, Any]) -> tuple[Settings, Any]:
    """A project copy with the example study imported (CSV form) and the graph built."""
    return studied


# -- the realistic study imports cleanly -----------------------------------------------------


def test_the_example_study_imports_cleanly(imported: tuple[Settings, Any]) -> None:
    settings, result = imported
    assert result.written and not result.replaced
    assert (result.findings, result.method_applications, result.new_entities) == (6, 2, 4)
    assert result.path == settings.path("data_dir") / "studies" / f"{EXAMPLE_ID}.ttl"
    assert result.path.read_text(encoding="utf-8") == result.turtle
    assert result.graph.endswith(f"/graph/data/studies/{EXAMPLE_ID}")
    # the only warnings: the new entities are not mapped to external vocabularies yet
    assert {w.rule for w in result.warnings} == {"mappings/not-covered"}
    assert all(w.sheet == "New entities" and w.row for w in result.warnings)
    # the file is canonical Turtle, and the built graph has it as its own named graph
    from relgraph.store.formatting import is_canonical

    assert is_canonical(result.path)
    store = open_built(settings)
    assert result.graph in {g.iri for g in store.graphs()}


def test_the_study_has_its_provenance(imported: tuple[Settings, Any]) -> None:
    settings, _ = imported
    store = open_built(settings)
    rows = store.query(
        """SELECT ?f ?work ?curator ?date ?quote ?where WHERE {
             ?f a rg:Finding ; dcterms:source ?work ; rg:citesAsEvidence ?work ;
                prov:wasGeneratedBy ?c ; prov:wasDerivedFrom ?x .
             ?c a rg:StudyCuration ; prov:used ?work ; dcterms:date ?date ;
                prov:wasAssociatedWith/rdfs:label ?curator .
             ?x a rg:StudyExcerpt ; prov:value ?quote ; rg:locator ?where ; prov:wasQuotedFrom ?work
           }"""
    )
    found = {(r["work"].value, r["curator"].value, r["date"].value) for r in rows}  # type: ignore[union-attr]
    assert found == {(str(RGR["work-hypothetica-etal-2029"]), "Josiah Carberry", "2026-12-01")}
    work = store.query(
        "SELECT ?t ?doi WHERE { rgr:work-hypothetica-etal-2029 dcterms:title ?t ;"
        f" <{PRISM.doi}> ?doi }}"
    )
    ((title, doi),) = [(r["t"].value, r["doi"].value) for r in work]  # type: ignore[union-attr]
    assert "not a real publication" in title and doi == "10.5555/relgraph.hypothetical.2029"
    # the curator's ORCID iD is the curator's IRI
    agent = store.query(
        "SELECT ?a WHERE { rgr:curation-hypothetica-etal-2029 prov:wasAssociatedWith ?a }"
    )
    assert [r["a"].value for r in agent] == ["https://orcid.org/0000-0002-1825-0097"]  # type: ignore[union-attr]


def test_its_findings_appear_in_the_stored_queries(imported: tuple[Settings, Any]) -> None:
    settings, _ = imported
    store = open_built(settings)

    def labels(query_id: str, column: str, **params: str) -> list[str]:
        result = get_query(settings, query_id).select(store, params)
        return [row[column].value for row in result if row[column] is not None]  # type: ignore[union-attr]

    # cq05: the works behind "collaborative relationship -> treatment adherence" in psychiatric
    # settings are the review's two and now the study's
    works = labels("cq05-works-supporting-finding", "label")
    assert "Hypothetica et al. 2029" in works and len(works) == 3
    # cq39: social psychology's findings include the study's, with its new construct and outcome
    factors = labels("cq39-findings-of-theory", "factors")
    assert "shared decision-making" in factors
    # cq07: psychoanalysis now has a finding in psychiatric settings (the review has none there)
    result = get_query(settings, "cq07-evidence-gap-map").select(store, {})
    cells = {
        (r["theoryLabel"].value, r["settingKindLabel"].value if r["settingKindLabel"] else ""): int(
            r["findings"].value
        )
        for r in result  # type: ignore[union-attr]
    }
    assert cells[("psychoanalysis", "psychiatric settings")] >= 1


def test_a_workbook_imports_as_the_csv_folder_does(tmp_path: Path) -> None:
    settings = copy_project(tmp_path / "project")
    book = template_workbook(load_sources(settings))
    book.sheets = example_rows()
    workbook = write_rows(book.sheets, tmp_path / "study.xlsx", lists=book.lists)
    from_xlsx = _import(settings, workbook, dry_run=True)
    from_csv = _import(settings, EXAMPLE_STUDY, dry_run=True)
    assert from_xlsx.turtle == from_csv.turtle
    assert not from_xlsx.written and not from_xlsx.path.exists()


# -- planted mistakes --------------------------------------------------------------------------

#: (what is planted, sheet, row, column letter, column name, words of the message, nearest)
MISTAKES = {
    "unknown outcome": ("Findings", 4, "D", "outcome", "unknown outcome", "'early drop-out'"),
    "misspelt setting": (
        "Findings",
        3,
        "H",
        "setting",
        "unknown setting",
        "'psychiatric community care'",
    ),  # fmt: skip
    "missing direction": ("Findings", 8, "G", "direction", "the direction is missing", ""),
    "year as text": ("Work", 3, "C", "year", "is not a year written as a number", ""),
    "finding duplicated": ("Findings", 9, "", "", "repeats row 6", ""),
    "duplicate construct": (
        "New entities",
        7,
        "C",
        "label",
        "likely duplicate",
        "therapeutic alliance",
    ),  # fmt: skip
}


def plant(rows: dict[str, list[dict[str, str]]], mistake: str) -> None:
    """Plant one mistake in the example study's rows."""
    findings = rows["Findings"]
    if mistake == "unknown outcome":
        findings[1]["outcome"] = "early dropout rate"
    elif mistake == "misspelt setting":
        findings[0]["setting"] = "psychiatric comunity care"
    elif mistake == "missing direction":
        del findings[5]["direction"]
    elif mistake == "year as text":
        rows["Work"][0]["year"] = "twenty twenty-nine"
    elif mistake == "finding duplicated":
        findings.append(dict(findings[3]))
    elif mistake == "duplicate construct":
        rows["New entities"].append(
            {
                "kind": "construct",
                "label": "therapeutic alliances",
                "definition": "The working bond between patient and professional.",
            }
        )


def assert_mistake(problem: Any, mistake: str, source: str) -> None:
    sheet, row, column, header, words, nearest = MISTAKES[mistake]
    assert (problem.sheet, problem.row, problem.column, problem.header) == (
        sheet,
        row,
        column,
        header,
    ), problem.render()
    assert words in problem.message, problem.render()
    assert nearest in " ".join(problem.nearest) + problem.hint + problem.message
    assert problem.file == source
    rendered = problem.render()
    assert f"row {row}" in rendered and (not column or f"column {column} ({header})" in rendered)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_planted_mistake_is_one_clear_error(
    mistake: str, tmp_path: Path, project: Settings
) -> None:
    settings = project
    rows = example_rows()
    plant(rows, mistake)
    sheet = write_rows(rows, tmp_path / "study")
    before = data_files(settings)
    with pytest.raises(StudySheetError) as caught:
        _import(settings, sheet)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1, caught.value.message
    source = {"Work": "work.csv", "Findings": "findings.csv", "New entities": "new-entities.csv"}
    assert_mistake(errors[0], mistake, source[MISTAKES[mistake][0]])
    assert data_files(settings) == before
    assert caught.value.exit_code == 1 and "nothing was written" in caught.value.message


def test_all_mistakes_at_once_in_a_workbook(tmp_path: Path) -> None:
    """The six mistakes of the issue in one workbook: six errors, one each, nothing written."""
    settings = copy_project(tmp_path / "project")
    rows = example_rows()
    for mistake in MISTAKES:
        plant(rows, mistake)
    book = template_workbook(load_sources(settings))
    workbook = write_rows(rows, tmp_path / "mistakes.xlsx", lists=book.lists)
    before = data_files(settings)
    with pytest.raises(StudySheetError) as caught:
        _import(settings, workbook)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == len(MISTAKES), caught.value.message
    by_place = {(p.sheet, p.row): p for p in errors}
    for mistake, (sheet, row, *_rest) in MISTAKES.items():
        assert_mistake(by_place[(sheet, row)], mistake, "mistakes.xlsx")
    assert "sheet Findings, row 3, column H (setting)" in caught.value.message
    assert data_files(settings) == before


def test_a_problem_only_the_graphs_check_finds_is_shown_at_its_row(
    tmp_path: Path, project: Settings
) -> None:
    """A range of percentages whose lower end is above its upper end: SHACL finds it."""
    settings = project
    rows = example_rows()
    rows["Findings"][4].update({"percentage_min": "70", "percentage_max": "40"})
    before = data_files(settings)
    with pytest.raises(StudySheetError) as caught:
        _import(settings, write_rows(rows, tmp_path / "study"))
    (error,) = [p for p in caught.value.problems if p.severity == "error"]
    assert error.rule == "shacl/Claim-percentageMin"
    assert (error.sheet, error.row, error.column, error.header) == (
        "Findings", 7, "N", "percentage from",
    )  # fmt: skip
    assert data_files(settings) == before


@requires_seed
def test_a_label_copied_from_the_review_is_shown_at_its_row(
    tmp_path: Path, project: Settings
) -> None:
    settings = project
    rows = example_rows()
    rows["Findings"][0]["label"] = (
        "Mental health care is delivered through a relationship between a clinician and a"
        " patient, so it is central"
    )
    with pytest.raises(StudySheetError) as caught:
        _import(settings, write_rows(rows, tmp_path / "study"))
    (error,) = [p for p in caught.value.problems if p.severity == "error"]
    assert error.rule == "fidelity/copied-run"
    assert (error.sheet, error.row, error.header) == ("Findings", 3, "label")


# -- round trip, re-import, dry run ----------------------------------------------------------


def sheet_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell of every sheet of a workbook (what a curator sees)."""
    book = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_template_import_template_round_trips(tmp_path: Path) -> None:
    settings = copy_project(tmp_path / "project")
    first = _import(settings, EXAMPLE_STUDY)
    sheet = tmp_path / "first.xlsx"
    write_template(load_sources(settings), sheet, study=EXAMPLE_ID)
    again = _import(settings, sheet)
    assert again.written and again.replaced and again.unchanged
    assert again.turtle == first.turtle  # the same IRIs, the same triples
    second = tmp_path / "second.xlsx"
    write_template(load_sources(settings), second, study=EXAMPLE_ID)
    assert sheet_values(second) == sheet_values(sheet)
    # the CSV form round-trips to the same bytes
    write_template(load_sources(settings), tmp_path / "csv1", fmt="csv", study=EXAMPLE_ID)
    assert _import(settings, tmp_path / "csv1").unchanged
    write_template(load_sources(settings), tmp_path / "csv2", fmt="csv", study=EXAMPLE_ID)
    for path in sorted((tmp_path / "csv1").rglob("*.*")):
        assert (tmp_path / "csv2" / path.relative_to(tmp_path / "csv1")).read_bytes() == (
            path.read_bytes()
        ), path
    # the sheet is the study: every row of the example, with its id
    tables, _ = read_study(tmp_path / "csv1")
    assert len(tables["Findings"].rows) == 6 and all(r.get("id") for r in tables["Findings"].rows)


def test_a_corrected_sheet_replaces_the_study_and_keeps_its_iris(tmp_path: Path) -> None:
    settings = copy_project(tmp_path / "project")
    _import(settings, EXAMPLE_STUDY)
    store = load_sources(settings)
    rows = study_rows(store, EXAMPLE_ID)
    finding = next(r for r in rows["Findings"] if r["theory"] == "psychoanalysis")
    finding["outcome"] = "relapse"  # the curator corrects the outcome
    corrected = _import(settings, write_rows(rows, tmp_path / "corrected"))
    assert corrected.replaced and not corrected.unchanged
    assert f"{finding['id']}\n" in corrected.turtle  # the row kept its IRI
    assert "rgr:outcome-relapse" in corrected.turtle.split(finding["id"], 1)[1].split("\n.\n")[0]
    assert sorted(p.name for p in (settings.path("data_dir") / "studies").iterdir()) == [
        f"{EXAMPLE_ID}.ttl"
    ]


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    settings = copy_project(tmp_path / "project")
    before = data_files(settings)
    result = _import(settings, EXAMPLE_STUDY, dry_run=True)
    assert not result.written and "would write" in result.summary()
    assert "rgr:finding-collaborative-treatment-adherence-hypothetica-etal-2029" in result.turtle
    assert data_files(settings) == before


def test_the_reviews_own_findings_fill_a_sheet_that_is_not_imported(
    repo_store: Any, tmp_path: Path, repo_settings: Settings
) -> None:
    rows = study_rows(repo_store, "review")
    assert len(rows["Findings"]) == 26 and len(rows["Method applications"]) == 17
    adherence = next(
        r for r in rows["Findings"] if r["id"] == "rgr:finding-collaborative-adherence"
    )
    assert adherence["factor"] == "collaborative relationship"
    assert adherence["setting"] == "psychiatric setting"
    assert adherence["outcome"] == "treatment adherence" and adherence["direction"] == "positive"
    assert "Role theory" in adherence["locator"]
    path = write_template(repo_store, tmp_path / "review.xlsx", study="review").paths[0]
    with pytest.raises(StudySheetError) as caught:
        import_study(repo_settings, path, dry_run=True, reasoner=False)
    assert "names the review" in caught.value.message


# -- the documentation shows what the code does ------------------------------------------------


def test_data_readme_lists_the_sheets_columns() -> None:
    from relgraph.curation.sheets import sheets_markdown

    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert sheets_markdown() in readme
    # the README describes the sheet first and Turtle by hand second
    assert readme.index("### First: from a study sheet") < readme.index("### Second: a study")
    top = (ROOT / "README.md").read_text(encoding="utf-8")
    assert top.index("## Adding a study") < top.index("## Checking the graph")


def test_the_mistakes_shown_in_data_readme_are_those_of_the_copy(project: Settings) -> None:
    """docs/examples/study-with-mistakes is the example with the six planted mistakes."""
    expected = example_rows()
    for mistake in MISTAKES:
        plant(expected, mistake)
    mistakes = ROOT / "docs" / "examples" / "study-with-mistakes"
    tables, _ = read_study(mistakes)
    assert {n: [r.values for r in t.rows] for n, t in tables.items()} == expected
    with pytest.raises(StudySheetError) as caught:
        _import(project, mistakes)
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    shown = [line for line in readme.splitlines() if line.startswith("- ") and ".csv, row" in line]
    found = [line for line in caught.value.message.splitlines() if line.startswith("- ")]
    assert shown == found


# -- the command line ------------------------------------------------------------------------


def _cli(settings: Settings, *args: str) -> Any:
    from click.testing import CliRunner

    from relgraph.cli import cli

    opts: list[str] = []
    for name in ("project_dir", "build_dir", "seed_dir", "external_dir"):
        opts += ["-s", f"{name}={getattr(settings, name)}"]
    return CliRunner().invoke(cli, [*opts, *args], catch_exceptions=False)


def test_the_commands_a_curator_runs(tmp_path: Path) -> None:
    """template -> (fill) -> import --dry-run -> import -> template --study, from the CLI."""
    settings = copy_project(tmp_path / "project")
    sheet = tmp_path / "study.xlsx"
    result = _cli(settings, "template", "-o", str(sheet))
    assert result.exit_code == 0 and sheet.is_file(), result.output
    assert f"relgraph import {sheet}" in result.stderr
    again = _cli(settings, "template", "-o", str(sheet))
    assert again.exit_code == 2 and "not overwritten" in again.stderr
    # the curator fills the sheet (here: the example study's rows)
    book = template_workbook(load_sources(settings))
    write_rows(example_rows(), sheet, lists=book.lists)
    dry = _cli(settings, "import", "--dry-run", "--no-reasoner", str(sheet))
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("PREFIX ") and "would write" in dry.stderr
    assert not (settings.path("data_dir") / "studies").exists()
    done = _cli(settings, "import", "--no-reasoner", "--format", "json", str(sheet))
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["written"] and report["study"] == EXAMPLE_ID and report["findings"] == 6
    assert report["built"]  # the graph was rebuilt: the study is served
    assert result.exit_code == 0
    assert EXAMPLE_ID in {g.iri.rsplit("/", 1)[-1] for g in open_built(settings).graphs()}
    back = _cli(
        settings, "template", "--study", EXAMPLE_ID, "--format", "csv", "-o", str(tmp_path / "back")
    )
    assert back.exit_code == 0 and (tmp_path / "back" / "findings.csv").is_file()


def test_a_sheet_with_mistakes_exits_1_with_every_error(project: Settings, tmp_path: Path) -> None:
    mistakes = ROOT / "docs" / "examples" / "study-with-mistakes"
    result = _cli(project, "import", "--no-reasoner", str(mistakes))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "6 error(s)" in result.stderr
    as_json = _cli(project, "import", "--no-reasoner", "--format", "json", str(mistakes))
    assert as_json.exit_code == 1
    problems = json.loads(as_json.stdout)["problems"]
    errors = [(p["sheet"], p["row"], p["column"]) for p in problems if p["severity"] == "error"]
    assert ("Findings", 3, "H") in errors and len(errors) == 6
    unreadable = tmp_path / "study.xlsx"
    unreadable.write_text("no workbook", encoding="utf-8")
    bad = _cli(project, "import", str(unreadable))
    assert bad.exit_code == 2 and "not a readable .xlsx workbook" in bad.stderr


def test_stats_shows_the_review_alone_or_with_the_studies(imported: tuple[Settings, Any]) -> None:
    settings, _ = imported
    both = _cli(settings, "stats")
    alone = _cli(settings, "stats", "--scope", "review")
    assert both.exit_code == 0 and alone.exit_code == 0, both.output + alone.output
    assert "scope: the review and 1 added study" in both.stdout
    assert "gaps the review states that added studies filled:" in both.stdout
    assert "scope: the review alone" in alone.stdout and "added studies filled" not in alone.stdout
    assert _cli(settings, "stats", "--scope", "nope").exit_code == 2
