"""The stored-query catalog: header parsing, parameter binding, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from relgraph.errors import LoadError, ParameterError, UnknownQuery
from relgraph.query.catalog import (
    catalog_markdown,
    get_query,
    list_queries,
    load_queries,
    load_query,
)
from relgraph.query.parameters import parse_term
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.vocab import RGR, XSD
from tests import COLLABORATIVE, EISENTHAL, ROOT

CATALOG = ROOT / "tests" / "data" / "catalog"
BAD = CATALOG / "bad"


@pytest.fixture
def catalog_settings(fixture_settings: Settings) -> Settings:
    """The fixture project with the fixture queries."""
    return fixture_settings.replace(queries_dir=str(CATALOG))


# -- headers -------------------------------------------------------------------


def test_header_fields_are_read() -> None:
    q = load_query(CATALOG / "cq" / "01_models.rq")
    assert q.id == "fx01-models"
    assert q.title == "Models of a theory"
    assert q.question == "Which relationship models does a theory distinguish?"
    assert (
        q.summary
        == "The relationship models of the theory given as a parameter, with their labels."
    )
    assert q.tags == ("fixture", "role-theory")
    assert [(p.name, p.default, p.kind) for p in q.params] == [
        ("theory", "rgr:theory-role-theory", "iri")
    ]
    assert q.columns == ("theory", "model", "label")
    assert q.min_rows == 1
    assert q.path == CATALOG / "cq" / "01_models.rq"
    assert q.text.startswith("#+ id: fx01-models")
    assert not q.body.startswith("#+")
    assert q.body.startswith("# An ordinary comment")


def test_title_defaults_to_question_and_literal_params() -> None:
    q = load_query(CATALOG / "cq" / "02_works_by_author.rq")
    assert q.title == q.question
    assert q.summary == ""
    assert [(p.name, p.kind) for p in q.params] == [("author", "literal"), ("year", "literal")]


def test_list_and_get(catalog_settings: Settings) -> None:
    ids = [q.id for q in list_queries(catalog_settings)]
    assert ids == ["fx01-models", "fx02-works-by-author"]
    assert get_query(catalog_settings, "fx02-works-by-author").min_rows == 1
    with pytest.raises(UnknownQuery) as info:
        get_query(catalog_settings, "nope")
    assert info.value.http_status == 404
    assert "relgraph queries" in info.value.hint


def test_no_folder_means_no_queries(fixture_settings: Settings, tmp_path: Path) -> None:
    assert list_queries(fixture_settings.replace(queries_dir=str(tmp_path))) == []


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("unknown_key.rq", 3, "unknown header key 'colour'"),
        ("missing_question.rq", 2, "lacks 'question'"),
        ("bad_expected.rq", 4, "min_rows='many'"),
        ("param_not_in_query.rq", 3, "parameter 'theory' is not a variable"),
        ("param_not_projected.rq", 3, "parameter 'theory' is not one of the expected columns"),
        ("no_header.rq", 1, "no `#+` header"),
        ("malformed_line.rq", 2, "malformed header line"),
        ("bad_default.rq", 3, "default of parameter 'theory'"),
    ],
)
def test_bad_headers_name_file_and_line(name: str, line: int, words: str) -> None:
    path = BAD / name
    with pytest.raises(LoadError) as info:
        load_query(path)
    err = info.value
    assert err.path == str(path)
    assert err.line == line
    assert words in err.message
    assert f"{path}:{line}" in str(err)
    assert err.hint


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    source = (CATALOG / "cq" / "01_models.rq").read_text(encoding="utf-8")
    for name in ("a.rq", "b.rq"):
        (tmp_path / name).write_text(source, encoding="utf-8")
    with pytest.raises(LoadError, match="also used by"):
        load_queries(sorted(tmp_path.glob("*.rq")))


def test_repeated_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.rq"
    path.write_text(
        "#+ id: x\n#+ question: a\n#+ question: b\n#+ expected: columns=x\nSELECT ?x {}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match="given twice") as info:
        load_query(path)
    assert info.value.line == 3


# -- terms and binding ---------------------------------------------------------


def test_parse_term_forms() -> None:
    role = str(RGR["theory-role-theory"])
    assert parse_term("rgr:theory-role-theory") == ox.NamedNode(role)
    assert parse_term(f"<{role}>") == ox.NamedNode(role)
    assert parse_term(role) == ox.NamedNode(role)
    assert parse_term("1990") == ox.Literal("1990", datatype=ox.NamedNode(str(XSD.integer)))
    assert parse_term("0.56") == ox.Literal("0.56", datatype=ox.NamedNode(str(XSD.decimal)))
    assert parse_term("true") == ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
    assert parse_term('"alliance"@en') == ox.Literal("alliance", language="en")
    assert parse_term('"9"^^xsd:integer') == ox.Literal(
        "9", datatype=ox.NamedNode(str(XSD.integer))
    )
    assert parse_term('"say \\"hi\\""') == ox.Literal('say "hi"')
    assert parse_term("plain words") == ox.Literal("plain words")
    # an unknown prefix is not an IRI: the value is text
    assert parse_term("foo:bar") == ox.Literal("foo:bar")
    assert parse_term("rgr:theory-role-theory", kind="literal") == ox.Literal(
        "rgr:theory-role-theory"
    )


@pytest.mark.parametrize(
    "value",
    [
        "<x> } ; DROP ALL",
        "<https://example.org/a> } ; DROP ALL { <x>",
        "<relative>",
        "<https://example.org/a b>",
        '"x"@not a tag',
        '"abc"^^xsd:integer',
        "https://example.org/a>}",
    ],
)
def test_malformed_values_are_rejected(value: str) -> None:
    with pytest.raises(ParameterError) as info:
        parse_term(value)
    assert info.value.http_status == 400
    assert info.value.hint


def test_iri_parameter_refuses_text() -> None:
    q = load_query(CATALOG / "cq" / "01_models.rq")
    with pytest.raises(ParameterError, match="not an IRI"):
        q.bind({"theory": "role theory"})
    with pytest.raises(ParameterError, match="no parameter 'nope'"):
        q.bind({"nope": "x"})


def test_bind_defaults_and_values() -> None:
    q = load_query(CATALOG / "cq" / "02_works_by_author.rq")
    assert q.bind() == {
        "author": ox.Literal("Eisenthal"),
        "year": ox.Literal("1979", datatype=ox.NamedNode(str(XSD.integer))),
    }
    bound = q.bind({"year": "1980"})
    assert bound["year"] == ox.Literal("1980", datatype=ox.NamedNode(str(XSD.integer)))
    with pytest.raises(ParameterError):
        q.bind({"year": "nineteen"})


def test_stored_query_runs_with_bindings(fixture_store: GraphStore) -> None:
    models = load_query(CATALOG / "cq" / "01_models.rq")
    rows = list(models.select(fixture_store))  # type: ignore[arg-type]
    assert [r["model"] for r in rows] == [ox.NamedNode(str(COLLABORATIVE))]
    other = models.select(fixture_store, {"theory": "rgr:theory-psychoanalysis"})
    assert list(other) == []  # type: ignore[arg-type]
    works = load_query(CATALOG / "cq" / "02_works_by_author.rq")
    rows = list(works.select(fixture_store))  # type: ignore[arg-type]
    assert [r["work"] for r in rows] == [ox.NamedNode(str(EISENTHAL))]
    assert list(works.select(fixture_store, {"author": "Fenton"})) == []  # type: ignore[arg-type]


def test_injection_is_bound_as_a_literal_never_pasted(fixture_store: GraphStore) -> None:
    works = load_query(CATALOG / "cq" / "02_works_by_author.rq")
    before = len(fixture_store)
    attack = 'Eisenthal" } ; DROP ALL ; SELECT * { ?s ?p ?o'
    assert works.bind({"author": attack})["author"] == ox.Literal(attack)
    assert list(works.select(fixture_store, {"author": attack})) == []  # type: ignore[arg-type]
    assert len(fixture_store) == before
    models = load_query(CATALOG / "cq" / "01_models.rq")
    with pytest.raises(ParameterError):
        models.select(fixture_store, {"theory": "<x> } ; DROP ALL"})
    assert len(fixture_store) == before


# -- the index and the CLI -----------------------------------------------------


def test_markdown_index_lists_every_query(catalog_settings: Settings) -> None:
    stored = list_queries(catalog_settings)
    text = catalog_markdown(stored, CATALOG)
    assert "[fx01-models](cq/01_models.rq)" in text
    assert "`theory` = `rgr:theory-role-theory`" in text
    assert "Which cited works have a given first author?" in text
    assert text.count("\n### ") == len(stored)


def test_cli_lists_runs_and_shows(invoke) -> None:  # type: ignore[no-untyped-def]
    def run(*args: str):  # type: ignore[no-untyped-def]
        return invoke("-s", f"queries_dir={CATALOG}", *args)

    result = run("queries")
    assert result.exit_code == 0, result.output
    assert "fx01-models" in result.output
    assert "Which relationship models does a theory distinguish?" in result.output

    result = run("queries", "--json")
    rows = json.loads(result.output)
    assert rows[0]["params"] == {"theory": "rgr:theory-role-theory"}

    result = run("build")
    assert result.exit_code == 0, result.output
    result = run("queries", "run", "fx01-models")
    assert result.exit_code == 0, result.output
    assert "collaborative relationship" in result.output
    assert "(1 row)" in result.output

    result = run(
        "queries",
        "run",
        "fx02-works-by-author",
        "-p",
        "author=Eisenthal",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "work,label,author,year"

    result = run("queries", "run", "fx01-models", "--param", "theory=<x> } ;")
    assert result.exit_code == 2
    assert "not a valid IRI" in result.output

    result = run("queries", "run", "nope")
    assert result.exit_code == 2
    assert "no stored query with id 'nope'" in result.output

    result = run("queries", "show", "fx01-models")
    assert result.output.startswith("#+ id: fx01-models")


def test_cli_markdown_matches_function(invoke, catalog_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    result = invoke("-s", f"queries_dir={CATALOG}", "queries", "--markdown")
    assert result.output == catalog_markdown(list_queries(catalog_settings), CATALOG)


def test_standalone_text_gives_the_same_answer_as_bindings(repo_settings, repo_store):
    """Regression: examples loaded into the editor lost their parameter defaults."""
    from relgraph.query.catalog import list_queries

    def cell(term):
        # GROUP_CONCAT's order is undefined (SPARQL 1.1 §18.5.1.7): compare its parts as a set
        if isinstance(term, ox.Literal) and "; " in term.value:
            return "; ".join(sorted(term.value.split("; ")))
        return str(term)

    def rows(result):
        names = [v.value for v in result.variables]
        return sorted(tuple(cell(sol[n]) for n in names) for sol in result)

    with_params = [q for q in list_queries(repo_settings) if q.params]
    assert with_params
    for query in with_params:
        text = query.standalone()
        assert "VALUES" in text
        assert rows(repo_store.query(text)) == rows(query.select(repo_store)), query.id
