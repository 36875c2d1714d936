"""The curation part: resolving cells, likely duplicates, names, reading and writing sheets."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from relgraph.curation.problems import SheetProblem, StudySheetError
from relgraph.curation.resolve import Entity, Resolved, Unresolved, Vocabulary
from relgraph.curation.sheets import FINDINGS, HELP_MARK, SHEETS, WORK
from relgraph.curation.tables import LISTS_SHEET, read_study
from relgraph.curation.template import EXAMPLE, template_workbook, write_template
from relgraph.errors import LoadError, RelgraphError
from relgraph.vocab import RGR
from tests.studies import write_rows

ADHERENCE = str(RGR["outcome-treatment-adherence"])
DROP_OUT = str(RGR["outcome-drop-out"])
DAY_HOSPITAL = str(RGR["setting-day-hospital"])
BEHAVIOUR = str(RGR["construct-reinforcement"])


@pytest.fixture(scope="module")
def vocabulary(repo_store: Any) -> Vocabulary:
    return Vocabulary.from_store(repo_store)


# -- resolving what a cell says ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "treatment adherence",
        "  Treatment   Adherence ",
        "rgr:outcome-treatment-adherence",
        "RGR:outcome-treatment-adherence",
        ADHERENCE,
        f"<{ADHERENCE}>",
        "treatment adherence (rgr:outcome-treatment-adherence)",
    ],
)
def test_a_label_a_curie_or_an_iri_names_an_entity(vocabulary: Vocabulary, text: str) -> None:
    found = vocabulary.resolve(text, ("outcome",))
    assert isinstance(found, Resolved) and found.entity.iri == ADHERENCE


def test_alternative_labels_and_spelling_variants_are_accepted(vocabulary: Vocabulary) -> None:
    entity = vocabulary.get(DROP_OUT)
    assert entity is not None and entity.alt_labels  # the graph gives "drop-out" synonyms
    found = vocabulary.resolve(entity.alt_labels[0], ("outcome",))
    assert isinstance(found, Resolved) and found.entity.iri == DROP_OUT
    # American spelling of "behaviour"
    american = vocabulary.resolve("reinforcement of behavior", ("construct",))
    assert isinstance(american, Resolved) and american.entity.iri == BEHAVIOUR


def test_evidence_types_are_named_by_their_eco_curie(vocabulary: Vocabulary) -> None:
    for text in ("ECO:0006017", "obo:ECO_0006017", "eco_0006017"):
        found = vocabulary.resolve(text, ("evidence type",))
        assert isinstance(found, Resolved), text
        assert found.entity.iri == "http://purl.obolibrary.org/obo/ECO_0006017"


def test_an_unknown_label_names_the_nearest_labels(vocabulary: Vocabulary) -> None:
    found = vocabulary.resolve("treatment adherance", ("outcome",))
    assert isinstance(found, Unresolved) and found.reason == "unknown"
    assert found.nearest[0] == "'treatment adherence' (rgr:outcome-treatment-adherence)"
    assert "unknown outcome 'treatment adherance'" == found.message
    unknown_curie = vocabulary.resolve("rgr:outcome-treatment-adherance", ("outcome",))
    assert isinstance(unknown_curie, Unresolved)
    assert "names no outcome" in unknown_curie.message and unknown_curie.nearest


def test_a_label_of_another_kind_says_what_it_is(vocabulary: Vocabulary) -> None:
    found = vocabulary.resolve("day hospital", ("outcome",))
    assert isinstance(found, Unresolved) and found.reason == "wrong-kind"
    assert "(rgr:setting-day-hospital, setting), not a outcome" in found.message


def test_a_shared_label_is_ambiguous_and_a_curie_settles_it() -> None:
    a = Entity("https://w3id.org/relgraph/resource/outcome-x", "care", (), frozenset({"outcome"}))
    b = Entity(
        "https://w3id.org/relgraph/resource/construct-x", "care", (), frozenset({"construct"})
    )
    vocabulary = Vocabulary([a, b])
    found = vocabulary.resolve("care", ("outcome", "construct"))
    assert isinstance(found, Unresolved) and found.reason == "ambiguous"
    assert "rgr:outcome-x" in found.message and "rgr:construct-x" in found.message
    assert isinstance(vocabulary.resolve("care", ("outcome",)), Resolved)
    settled = vocabulary.resolve("care (rgr:construct-x)", ("outcome", "construct"))
    assert isinstance(settled, Resolved) and settled.entity is b
    # the drop-down list shows the CURIE with a shared label
    assert vocabulary.labels(("outcome", "construct")) == [
        "care (rgr:construct-x)",
        "care (rgr:outcome-x)",
    ]


# -- likely duplicates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, alt, reason",
    [
        ("Treatment adherence", (), "the same name"),
        ("treatment adherences", (), "spelling or plural"),
        ("adherence treatment", (), "the same words"),
        ("treatment adherrence", (), "spelt almost like"),
        ("dropout", (), "synonym"),
        ("taking medication as agreed", ("treatment adherence",), "synonym"),
    ],
)
def test_a_new_entity_close_to_an_existing_one_is_flagged(
    vocabulary: Vocabulary, label: str, alt: tuple[str, ...], reason: str
) -> None:
    found = vocabulary.near_duplicates(label, alt)
    assert found, label
    assert reason in found[0].reason, found[0].reason
    assert found[0].entity.iri in (ADHERENCE, DROP_OUT)


def test_a_new_entity_unlike_any_is_not_flagged(vocabulary: Vocabulary) -> None:
    assert vocabulary.near_duplicates("readmission to hospital") == []
    assert vocabulary.near_duplicates("crisis house", ("respite house",)) == []
    # the entities the curator says it is not are skipped
    assert vocabulary.near_duplicates("treatment adherences", skip=[ADHERENCE]) == []


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
    outcome = validations["D3:D1000"]
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
    direction = validations["G3:G1000"].formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
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
    from relgraph.curation.export import UnknownStudy

    with pytest.raises(UnknownStudy, match="no imported study has the id 'nope'"):
        write_template(repo_store, tmp_path / "x.xlsx", study="nope")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.studies import copy_project

    return copy_project(tmp_path_factory.mktemp("curation"))
