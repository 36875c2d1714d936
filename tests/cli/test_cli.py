"""The relgraph command line: build, query, export, info, fmt, settings."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from relgraph.cli import cli
from relgraph.settings import SETTINGS
from tests import FIXTURE_DATA
from tests.conftest import make_fixture_settings


@pytest.fixture
def built(built_cli):
    """The CLI over the fixture project, built once for the module (these commands only read)."""
    return built_cli


def test_build_reports_counts_and_is_idempotent(invoke):
    first = invoke("build")
    assert first.exit_code == 0
    assert first.stdout.startswith("built: ")  # notes (e.g. spans not verified) go to stderr
    second = invoke("build")
    assert second.exit_code == 0
    assert second.stdout.startswith("up to date: ")


def test_query_table_counts_triples(built):
    result = built("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].strip() == "n"
    assert int(lines[2]) > 700
    assert lines[-1] == "(1 row)"


def test_query_from_file_as_json(built, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?label WHERE { ?t a rg:Theory ; rdfs:label ?label }", encoding="utf-8")
    result = built("query", "-f", str(q), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == ["role theory"]


def test_query_csv(built):
    result = built("query", "SELECT ?x WHERE { VALUES ?x { 1 2 } }", "--format", "csv")
    assert result.output.split() == ["x", "1", "2"]


def test_construct_as_turtle(built):
    result = built(
        "query", "CONSTRUCT { ?t a rg:Theory } WHERE { ?t a rg:Theory }", "--format", "ttl"
    )
    assert result.exit_code == 0
    triples = list(ox.parse(result.output.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 1


def test_query_syntax_error_gives_line_and_column(built):
    result = built("query", "SELECT *\nWHERE { ?s ?p }")
    assert result.exit_code == 2
    assert "line 2, column" in result.output


def test_query_needs_exactly_one_source(built):
    result = built("query")
    assert result.exit_code == 2
    assert "QUERY or -f FILE" in result.output


def test_wrong_format_for_select_is_usage_error(built):
    result = built("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "ttl")
    assert result.exit_code == 2
    assert "cannot be sent as ttl" in result.output and "format=csv" in result.output


def test_unknown_format_is_refused(built):
    result = built("export", "--format", "docx")
    assert result.exit_code == 2
    assert "docx" in result.output


def test_export_nt_prints_whole_graph(built):
    result = built("export", "--format", "nt")
    assert result.exit_code == 0
    triples = list(ox.parse(result.output.encode(), format=ox.RdfFormat.N_TRIPLES))
    # every distinct triple, less the module headers and imports (merged away)
    modules = "https://w3id.org/relgraph/ontology/modules/"
    count = built(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }"
        f' FILTER(!(isIRI(?s) && STRSTARTS(STR(?s), "{modules}")))'
        f' FILTER(!(isIRI(?o) && STRSTARTS(STR(?o), "{modules}"))) }} }}',
    )
    assert len(triples) == int(count.output.splitlines()[2])


def test_export_owl_to_file(built, tmp_path):
    out = tmp_path / "relgraph.owl"
    result = built("export", "--format", "owl", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"<?xml")
    assert len(list(ox.parse(out.read_bytes(), format=ox.RdfFormat.RDF_XML))) > 700


def test_info_lists_graphs_and_version(built):
    result = built("info", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ontology_version_iri"].startswith("https://w3id.org/relgraph/ontology/releases/")
    assert any(g.endswith("/graph/tests/data/fixture/mini") for g in data["graphs"])
    assert sum(data["graphs"].values()) == data["triples"]
    text = built("info")
    assert "ontology version:" in text.output


def test_query_before_build_says_how_to_fix(invoke):
    result = invoke("query", "ASK {}")
    assert result.exit_code == 2
    assert "relgraph build" in result.output


def test_malformed_turtle_fails_build_with_file_and_line(runner, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mini.ttl").write_bytes((FIXTURE_DATA / "mini.ttl").read_bytes())
    settings = make_fixture_settings(tmp_path, data)
    names = ("data_dir", "build_dir", "mappings_dir")
    opts = [f"-s{name}={getattr(settings, name)}" for name in names]
    assert runner.invoke(cli, [*opts, "build"]).exit_code == 0
    (data / "zz-bad.ttl").write_text('@prefix x: <http://x/> .\nx:a x:b "open .\n', "utf-8")
    result = runner.invoke(cli, [*opts, "build"])
    assert result.exit_code == 2
    assert "zz-bad.ttl:" in result.output
    assert "hint:" in result.output
    still = runner.invoke(cli, [*opts, "query", "ASK { ?t a rg:Theory }"])
    assert still.output.strip() == "true", "the previous graph is still served"


def test_fmt_check_flags_non_canonical(invoke, tmp_path):
    messy = tmp_path / "messy.ttl"
    messy.write_text("<http://x/a>   <http://x/b> <http://x/c> .", encoding="utf-8")
    result = invoke("fmt", "--check", str(messy))
    assert result.exit_code == 1
    assert "relgraph fmt" in result.output
    assert invoke("fmt", str(messy)).exit_code == 0
    assert invoke("fmt", "--check", str(messy)).exit_code == 0


def test_settings_lists_every_setting(invoke):
    result = invoke("settings")
    for s in SETTINGS:
        assert s.name in result.output


def test_unknown_setting_is_a_usage_error(runner):
    result = runner.invoke(cli, ["-s", "no_such=1", "info"])
    assert result.exit_code == 2
    assert "unknown setting" in result.output


def test_bad_setting_type_is_a_usage_error(runner):
    result = runner.invoke(cli, ["-s", "max_rows=many", "info"])
    assert result.exit_code == 2
    assert "max_rows" in result.output


def test_settings_doc_is_current():
    from relgraph.settings import settings_markdown
    from tests import ROOT

    doc = ROOT / "docs" / "settings.md"
    assert doc.read_text(encoding="utf-8") == settings_markdown(), (
        "docs/settings.md is stale: run `relgraph settings --markdown > docs/settings.md`"
    )


def test_every_error_exits_with_its_own_code(invoke, monkeypatch):
    """One conversion of errors for every command (issue 10): message, hint, the error's code."""
    import relgraph.cli.graph
    from relgraph.errors import CheckFailed, NotBuiltError

    for error, code in ((CheckFailed("two errors", "fix them"), 1), (NotBuiltError("none"), 2)):

        def fail(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(relgraph.cli.graph, "build_graph", fail)
        result = invoke("build")
        assert result.exit_code == code == error.exit_code
        assert result.stderr.startswith(f"error: {error.message}")
        assert "Traceback" not in result.output
        if error.hint:
            assert f"hint: {error.hint}" in result.stderr


def test_main_is_the_console_script_and_exits_with_the_errors_code(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "relgraph", "-s", f"build_dir={tmp_path}", "info"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr.startswith("error: no built graph at")
        and "hint: run `relgraph build`" in done.stderr
    )
