"""Issue #8, item 5: ``relgraph check`` (and ``build``) on odd but real input files.

Each example starts from ``docs/examples/newstudy.ttl``, as in the issue:

* a UTF-8 byte-order mark in front of the file (exit 2, an error pointing at
  an invisible character; a query file with one failed as a syntax error):
  the right answer is the result without the mark;
* ``rg:publicationYear "2O30"^^xsd:integer``: tracebacks were printed before
  the problem; the right answer is the problem, with no traceback, ever;
* the finding written as a blank node: it was named like an IRI by a random
  id; the right answer names it as a blank node, with its label, file and line;
* an RDF 1.2 triple term: a traceback and exit 1, and nothing at all with
  ``--format json``; the right answer is exit 2 naming file, line and
  construct, and JSON in JSON mode.

The kind: no input makes check or build print a traceback or give a wrong
exit code, and values are reported as the file writes them. The property
tests at the end generate inputs (mutations of the example, random terms) to
find the rest of the kind.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relgraph.cli import cli
from relgraph.settings import Settings
from relgraph.store.builder import build, built_graph_path
from tests import FIXTURE_DATA, ROOT, requires_external, requires_seed
from tests.conftest import make_fixture_settings

EXAMPLE = (ROOT / "docs" / "examples" / "newstudy.ttl").read_text(encoding="utf-8")
WORK = "rgr:work-example-etal-2030"
FINDING = "rgr:finding-collaborative-adherence-community-example"
BLANK_LABEL = "A blank-node finding"


def variant(text: str, tmp_path: Path, name: str = "newstudy.ttl", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(settings: Settings, *args: str) -> Any:
    """The CLI, in-process, over a project's settings."""
    opts = []
    for name in (
        "project_dir",
        "data_dir",
        "build_dir",
        "seed_dir",
        "external_dir",
        "mappings_dir",
    ):
        opts += ["-s", f"{name}={getattr(settings, name)}"]
    return CliRunner().invoke(cli, [*opts, *args], catch_exceptions=False)


def check_json(settings: Settings, path: Path) -> tuple[int, dict[str, Any]]:
    result = run(settings, "check", "--no-reasoner", "--format", "json", str(path))
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def comparable(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted((p["severity"], p["rule"], p["node"], p["value"]) for p in report["problems"])


# -- the examples --------------------------------------------------------------------
# Each check of the real graph takes seconds (SHACL); where the answer does not depend on
# the rest of the graph, the tiny fixture project (real ontology and shapes) is used.


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The fixture project: the real ontology and shapes, the tiny fixture data."""
    return make_fixture_settings(tmp_path_factory.mktemp("small"))


def test_a_byte_order_mark_changes_nothing(
    repo_settings: Settings, small: Settings, tmp_path: Path
) -> None:
    marked = variant(EXAMPLE, tmp_path, "marked.ttl", bom=True)
    code, report = check_json(repo_settings, marked)  # the case: on the real graph
    assert code == 0 and report["counts"]["error"] == 0, report
    plain = check_json(small, variant(EXAMPLE, tmp_path, "plain.ttl"))
    assert comparable(plain[1]) == comparable(check_json(small, marked)[1])
    # fmt reads it too, and writes it back in canonical form, without the mark
    assert run(small, "fmt", "--check", str(marked)).exit_code == 1
    assert run(small, "fmt", str(marked)).exit_code == 0
    assert not marked.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_query_file_with_a_byte_order_mark_is_read(
    repo_settings: Settings, tmp_path: Path
) -> None:
    query = tmp_path / "theories.rq"
    query.write_bytes(b"\xef\xbb\xbfSELECT (COUNT(*) AS ?n) WHERE { ?t a rg:Theory }\n")
    result = run(repo_settings, "query", "-f", str(query), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", "6"]
    # a stored query and a quality query with a mark load as well
    from relgraph.query.catalog import load_query

    stored = tmp_path / "cq.rq"
    stored.write_bytes(b"\xef\xbb\xbf" + (ROOT / "queries" / "cq" / "01_theories.rq").read_bytes())
    assert load_query(stored).id == "cq01-theories"


def test_an_ill_typed_year_is_one_problem_report_without_traceback(
    repo_settings: Settings, small: Settings, tmp_path: Path
) -> None:
    text = EXAMPLE.replace("rg:publicationYear 2030", 'rg:publicationYear "2O30"^^xsd:integer')
    text = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + text
    path = variant(text, tmp_path)
    result = run(repo_settings, "check", "--no-reasoner", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Failed to convert" not in result.output
    assert result.output.startswith("relgraph check:")
    year = [line for line in result.output.splitlines() if "publicationYear" in line]
    assert year and f"({path}:8)" in year[0] and "Example et al. 2030" in year[0]
    assert "value: 2O30" in result.output
    code, report = check_json(small, path)
    assert code == 1
    assert {p["value"] for p in report["problems"] if "publicationYear" in p["rule"]} == {"2O30"}


def test_values_are_reported_as_written(small: Settings, tmp_path: Path) -> None:
    """The store keeps "01700"^^xsd:integer as 1700; the report says what the file says."""
    text = EXAMPLE.replace(
        "rg:publicationYear 2030",
        'rg:publicationYear "01700"^^<http://www.w3.org/2001/XMLSchema#integer>',
    )
    code, report = check_json(small, variant(text, tmp_path))
    assert code == 1
    (year,) = [p for p in report["problems"] if p["rule"] == "shacl/Publication-publicationYear"]
    assert year["value"] == "01700" and year["line"] == 7


@requires_external
@requires_seed
def test_a_blank_node_is_shown_as_a_blank_node(
    repo_settings: Settings, small: Settings, tmp_path: Path
) -> None:
    text = EXAMPLE.replace(f"{FINDING} a rg:Finding ;", "[] a rg:Finding ;").replace(
        "A collaborative relationship goes with better adherence in community care "
        "(Example et al. 2030)",
        BLANK_LABEL,
    )
    path = variant(text, tmp_path)
    result = run(repo_settings, "check", "--no-reasoner", str(path))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("- [")]
    assert lines  # the case, on the real graph: only the blank node is at fault
    for line in lines:
        assert line.endswith(f"{BLANK_LABEL} [a blank node, {path}:15]")
    assert "value: _:" not in result.output
    code, report = check_json(small, path)
    assert code == 1
    mine = [p for p in report["problems"] if p["file"] == str(path)]
    assert mine
    for problem in mine:
        assert problem["node"].startswith("_:") and problem["label"] == BLANK_LABEL
        assert problem["line"] == 15


TRIPLE_TERM = (
    "<< rgr:finding-collaborative-adherence rg:hasDirection rg:PositiveDirection >> "
    "dcterms:source <https://doi.org/10.1000/example> .\n"
)


def test_an_rdf12_triple_term_is_exit_2_naming_file_line_and_construct(
    repo_settings: Settings, tmp_path: Path
) -> None:
    path = variant(EXAMPLE + "\n" + TRIPLE_TERM, tmp_path)
    line = EXAMPLE.count("\n") + 2
    result = run(repo_settings, "check", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{path}:{line}:" in result.output and "triple term" in result.output
    code, error = check_json(repo_settings, path)
    assert code == 2 and error["ok"] is False and error["exit_code"] == 2
    assert (error["file"], error["line"]) == (str(path), line)
    assert "<< ... >>" in error["error"] and error["hint"]
    # the same in a data folder: the build refuses it, the same way, and keeps the graph
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_DATA / "mini.ttl", data / "mini.ttl")
    project = make_fixture_settings(tmp_path, data)
    assert run(project, "build").exit_code == 0
    before = built_graph_path(project).read_bytes()
    shutil.copy(path, data / "newstudy.ttl")
    refused = run(project, "build")
    assert refused.exit_code == 2 and "triple term" in refused.output
    assert "Traceback" not in refused.output
    assert built_graph_path(project).read_bytes() == before


def test_a_literal_with_a_base_direction_is_exit_2(invoke: Any, tmp_path: Path) -> None:
    text = EXAMPLE.replace('(Example et al. 2030)"@en ;', '(Example et al. 2030)"@en--ltr ;')
    result = invoke("check", "--no-reasoner", str(variant(text, tmp_path)))
    assert result.exit_code == 2 and "base direction" in result.output and ":16:" in result.output


def test_an_internal_error_is_one_line_not_a_traceback(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong inside, the user sees one error (and JSON in JSON mode)."""
    import relgraph.checks

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("something relgraph did not expect")

    monkeypatch.setattr(relgraph.checks, "check", broken)
    text = invoke("check", "--no-reasoner")
    assert text.exit_code == 2 and "Traceback" not in text.output
    assert "internal error (KeyError" in text.output and "RELGRAPH_DEBUG=1" in text.output
    as_json = invoke("check", "--no-reasoner", "--format", "json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"].startswith("internal error")


# -- property tests: generated inputs ------------------------------------------------------------

_TERMS = st.one_of(
    st.sampled_from(
        [
            "rgr:theory-role-theory",
            "rgr:nowhere",
            "[]",
            "[ a rg:Finding ]",
            "_:b1",
            "( 1 2 )",
            "()",
            "<https://doi.org/10.1000/x>",
            "<relative>",
            "true",
            "-0.0e0",
            '"x"@en-GB',
            '"x"@EN',
            '"x"@en--rtl',
            '""',
            "'''multi\nline'''",
            "<< rgr:a rg:b rgr:c >>",
            "<<( rgr:a rg:b rgr:c )>>",
            "rg:PositiveDirection",
            "obo:ECO_0000304",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.builds(
        lambda text, dt: '"' + text.replace("\\", "").replace('"', "") + f'"^^xsd:{dt}',
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
        st.sampled_from(
            [
                "integer",
                "decimal",
                "double",
                "boolean",
                "date",
                "gYear",
                "string",
                "anyURI",
                "nonNegativeInteger",
                "dateTime",
                "langString",
                "unknownType",
            ]
        ),
    ),  # fmt: skip
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20).map(
        lambda t: json.dumps(t, ensure_ascii=False)
    ),
)
_PREDICATES = st.sampled_from(
    [
        "rg:publicationYear",
        "rg:hasDirection",
        "rdfs:label",
        "dcterms:description",
        "rg:aboutTheory",
        "rg:percentage",
        "rg:etAl",
        "a",
        "rg:citesAsEvidence",
        "owl:sameAs",
        "rdfs:subClassOf",
        "rg:noSuchProperty",
    ]
)


@st.composite
def _mutations(draw: Any) -> tuple[bytes, bool]:
    text = EXAMPLE
    prefixes = (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    )
    text = prefixes + text
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["replace-object", "add", "subject", "cut", "insert-char"]))
        lines = text.split("\n")
        objects = [i for i, line in enumerate(lines) if line.startswith("    ") and line.strip()]
        subjects = [i for i, line in enumerate(lines) if line.startswith("rgr:")]
        if kind == "replace-object" and objects:
            index = draw(st.sampled_from(objects))
            head = lines[index].strip().split(" ", 1)[0]
            end = lines[index].rstrip()[-1]
            lines[index] = f"    {head} {draw(_TERMS)} {end}"
        elif kind == "add":
            subject = draw(st.sampled_from([WORK, FINDING, "[]", "_:b1", "rgr:new-thing"]))
            lines.append(f"{subject} {draw(_PREDICATES)} {draw(_TERMS)} .")
        elif kind == "subject" and subjects:
            index = draw(st.sampled_from(subjects))
            rest = lines[index].partition(" ")[2]
            lines[index] = (
                f"{draw(st.sampled_from(['[]', '_:x', '<urn:x>', 'rgr:Bad_Name']))} {rest}"
            )
        text = "\n".join(lines)
        if kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "insert-char":
            at = draw(st.integers(0, len(text)))
            char = draw(
                st.sampled_from(["\x00", "\ufeff", "\u202e", "\\", '"', "<", "é", "\r", "\t"])
            )
            text = text[:at] + char + text[at:]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, draw(st.booleans())


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    tmp = tmp_path_factory.mktemp("odd")
    return make_fixture_settings(tmp), tmp


_counter = itertools.count()
#: More examples than CI's 25 with e.g. RELGRAPH_PROPERTY_EXAMPLES=500 (a bug hunt).
EXAMPLES = int(os.environ.get("RELGRAPH_PROPERTY_EXAMPLES", "25"))
_property = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@_property
@given(case=_mutations())
def test_check_never_crashes_on_generated_turtle(
    fixture_project: tuple[Settings, Path], case: tuple[bytes, bool]
) -> None:
    project, tmp = fixture_project
    data, also_text = case
    path = tmp / f"generated-{next(_counter)}.ttl"
    path.write_bytes(data)
    result = run(project, "check", "--no-reasoner", "--format", "json", str(path))
    assert result.exit_code in {0, 1, 2}
    assert "Traceback" not in result.output and "internal error" not in result.output
    report = json.loads(result.stdout)
    assert report["ok"] is (result.exit_code == 0)
    if result.exit_code == 2:
        assert report["error"] and report["file"] == str(path)
    if also_text and result.exit_code != 2:  # exit 2 is decided before any check ran
        text = run(project, "check", "--no-reasoner", str(path))
        assert text.exit_code == result.exit_code
        assert "Traceback" not in text.output and "internal error" not in text.output


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A project of its own (the fixture data plus new.ttl), built once."""
    tmp = tmp_path_factory.mktemp("building")
    data_dir = tmp / "data"
    data_dir.mkdir()
    shutil.copy(FIXTURE_DATA / "mini.ttl", data_dir / "mini.ttl")
    project = make_fixture_settings(tmp, data_dir)
    build(project)
    return project


@settings(_property, max_examples=max(1, EXAMPLES // 3))
@given(case=_mutations())
def test_build_never_crashes_on_generated_turtle(
    building: Settings, case: tuple[bytes, bool]
) -> None:
    before = built_graph_path(building).read_bytes()
    new = building.path("data_dir") / "new.ttl"
    new.write_bytes(case[0])
    try:
        result = run(building, "build")
    finally:
        new.unlink()
    assert result.exit_code in {0, 1, 2}
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code != 0:
        assert built_graph_path(building).read_bytes() == before
