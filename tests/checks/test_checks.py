"""Tests of ``relgraph check``: every shape, rule and quality query has a failing fixture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from relgraph.checks import PHASE_NAMES as PHASES
from relgraph.checks import CheckReport, check, check_store
from relgraph.checks.fidelity import RULES as FIDELITY_RULES
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import built_graph_path
from tests import ONT, ROOT, R, requires_external, requires_seed
from tests.conftest import make_fixture_settings

INVALID = ROOT / "tests" / "data" / "invalid"

#: fixture file -> (severity, rule, node) problems it must produce.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "disjoint-classes": [("error", "owl-rl/disjoint-classes", R + "theory-odd")],
    "functional-second-value": [
        ("error", "owl-rl/functional-property", R + "finding-collaborative-adherence"),
        ("error", "shacl/Finding-hasDirection", R + "finding-collaborative-adherence"),
    ],
    "finding-no-evidence": [
        ("error", "shacl/FindingShape", R + "finding-no-evidence"),
        ("error", "finding-without-evidence", R + "finding-no-evidence"),
    ],
    "year-out-of-range": [("error", "shacl/Publication-publicationYear", R + "work-old-1700")],
    "year-not-integer": [
        ("error", "shacl/Publication-publicationYear", R + "work-quoted-1980"),
        ("error", "owl-rl/datatype", R + "work-quoted-1980"),
    ],
    "year-ill-typed": [
        ("error", "shacl/Publication-publicationYear", R + "work-words-1981"),
        ("error", "owl-rl/datatype", R + "work-words-1981"),
    ],
    "span-mismatch": [("error", "span/quotation-mismatch", R + "passage-mismatch")],
    "span-out-of-range": [("error", "span/out-of-range", R + "passage-beyond")],
    "span-source-file": [("error", "span/source-file", R + "passage-elsewhere")],
    "undeclared-term": [
        ("error", "undeclared-term", R + "theory-role-theory"),
        ("error", "undeclared-term", R + "model-collaborative"),
    ],
    "same-label-terms": [
        ("error", "shacl/TermUniqueLabelShape", ONT + "Theorie"),
        ("error", "shacl/TermUniqueLabelShape", ONT + "Theory"),
        ("warning", "duplicate-label", ONT + "Theorie"),
    ],
    "term-missing-label-definition": [
        ("error", "shacl/TermLabelShape", ONT + "Nameless"),
        ("error", "shacl/TermDefinitionShape", ONT + "Nameless"),
        ("error", "missing-label", ONT + "Nameless"),
    ],
    "duplicate-definition": [("error", "duplicate-definition", ONT + "TheoryCopy")],
    "obo-https": [
        ("error", "shacl/ExternalIri-obo-https", "https://purl.obolibrary.org/obo/ECO_0000304"),
        ("error", "shacl/Claim-hasEvidenceType", R + "finding-https-eco"),
        ("error", "malformed-iri", R + "finding-https-eco"),
    ],
    "obo-curie": [
        ("error", "shacl/ExternalIri-curie", "ECO:0000304"),
        ("error", "malformed-iri", R + "finding-curie-eco"),
    ],
    "obo-malformed": [
        ("error", "shacl/ExternalIri-obo-form", "http://purl.obolibrary.org/obo/ECO:0000304"),
        ("error", "malformed-iri", R + "finding-bad-obo"),
    ],
    "literal-for-iri": [("error", "shacl/Claim-citesAsEvidence", R + "finding-text-evidence")],
    "missing-label": [
        ("error", "shacl/Individual-label", R + "outcome-nameless"),
        ("error", "missing-label", R + "outcome-nameless"),
    ],
    "multiple-labels": [
        ("error", "shacl/Individual-label", R + "outcome-two-names"),
        ("error", "multiple-labels", R + "outcome-two-names"),
    ],
    "label-whitespace": [("warning", "label-whitespace", R + "outcome-spaced")],
    "label-formatting": [("warning", "label-formatting", R + "outcome-broken")],
    "deprecated-reference": [("error", "deprecated-reference", R + "finding-uses-obsolete")],
    "multiple-definitions": [
        ("error", "multiple-definitions", R + "outcome-two-descriptions"),
        ("error", "shacl/Individual-description", R + "outcome-two-descriptions"),
    ],
    "missing-definition": [
        ("warning", "missing-definition", R + "outcome-undescribed"),
        ("warning", "shacl/Individual-description-missing", R + "outcome-undescribed"),
    ],
    "uncited-work": [("warning", "uncited-work", R + "work-lonely-1990")],
    "theory-without-method": [("warning", "theory-without-method", R + "theory-methodless")],
    "malformed-own-iri": [
        ("error", "shacl/IndividualShape", R + "Theory_Odd"),
        ("error", "malformed-iri", R + "Theory_Odd"),
    ],
    "iri-prefix": [("warning", "shacl/IriPrefix-Theory", R + "odd-theory")],
    "setting-kind": [("error", "shacl/Setting-hasSettingKind", R + "setting-odd")],
    "percentage-range": [("error", "shacl/Claim-percentage", R + "finding-150-percent")],
    "domain-disjoint": [("error", "owl-rl/domain-range-disjoint", R + "theory-role-theory")],
    "same-and-different": [("error", "owl-rl/same-and-different", ONT + "PositiveDirection")],
    "claim-without-passage": [("error", "shacl/ClaimShape", R + "finding-unsourced")],
    "citation-without-work": [("error", "shacl/Citation-citesWork", R + "citation-nothing")],
    "passage-without-offsets": [
        ("error", "shacl/Passage-startOffset", R + "passage-unanchored"),
        ("error", "shacl/Passage-endOffset", R + "passage-unanchored"),
        ("error", "shacl/Passage-sourceFile", R + "passage-unanchored"),
    ],
    "flow-without-parties": [
        ("error", "shacl/ResourceFlow-fromParty", R + "flow-incomplete"),
        ("error", "shacl/ResourceFlow-toParty", R + "flow-incomplete"),
        ("error", "shacl/ResourceFlow-ofResource", R + "flow-incomplete"),
    ],
    # issue 9: the forms of a finding and its direction
    "direction-missing": [("error", "shacl/Finding-direction-required", R + "finding-undirected")],
    "preference-direction": [
        ("error", "shacl/Preference-hasDirection", R + "finding-preference-directed")
    ],
    "descriptive-direction": [
        ("error", "shacl/Finding-descriptive-no-direction", R + "finding-proportion-directed")
    ],
    "factor-without-partner": [("error", "shacl/Factor-partner", R + "finding-lonely-factor")],
    "finding-without-content": [("error", "shacl/Finding-content", R + "finding-empty")],
    "suggested-direction": [
        ("error", "shacl/SuggestedAssociation-hasDirection", R + "statement-suggested-directed")
    ],
    "mixed-factors": [("error", "finding-mixed-factors", R + "finding-collaborative-adherence")],
    "self-association": [("error", "self-association", R + "finding-self-linked")],
    "provenance-label": [
        ("warning", "provenance-label", R + "citation-collaborative-adherence-eisenthal-etal-1979")
    ],
    # issue 9: fidelity to the review's text
    "copied-run": [("error", "fidelity/copied-run", R + "outcome-copied")],
    "term-not-in-passage": [
        ("error", "fidelity/term-not-in-passage", R + "construct-compensatory-alliance"),
        ("error", "fidelity/span-mid-word", R + "passage-half-word"),
    ],
    "context-not-in-passage": [
        ("error", "fidelity/context-not-in-passage", R + "finding-collaborative-adherence")
    ],
    "construct-not-in-account": [
        ("error", "fidelity/construct-not-in-theory-account", R + "theory-cognitive-fixture")
    ],
    "alt-label-not-in-text": [
        ("error", "fidelity/alt-label-not-in-text", R + "instrument-california-fixture"),
        ("error", "fidelity/acronym-not-in-text", R + "instrument-california-fixture"),
    ],
    "hedged-finding": [("warning", "fidelity/hedged-finding", R + "finding-hedged")],
    "causal-wording": [("warning", "fidelity/causal-wording", R + "finding-causal")],
    # folded in from the second checker scripts/spans.py had (issue 10)
    "citation-without-evidence-link": [
        ("error", "citation-without-evidence-link", R + "finding-collaborative-adherence")
    ],
    "evidence-without-citation": [
        ("error", "evidence-without-citation", R + "finding-collaborative-adherence")
    ],
    "passage-outside-section": [
        ("error", "passage-outside-section", R + "passage-finding-collaborative-adherence")
    ],
    "section-without-order": [
        ("error", "shacl/ReviewSection-sectionOrder", R + "section-unordered"),
        ("error", "shacl/ReviewSection-inDocument", R + "section-unordered"),
    ],
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Fixture project settings shared by the module (nothing is built)."""
    return make_fixture_settings(tmp_path_factory.mktemp("check"))


@pytest.fixture(scope="module")
def baseline(settings: Settings) -> CheckReport:
    """The check of the fixture project without extra files."""
    return check(settings, reasoner=False)


def test_fixture_project_has_no_errors(baseline: CheckReport) -> None:
    assert baseline.ok, baseline.render_text()
    assert set(baseline.timings) >= {"shacl", "reasoning", "spans", "fidelity", "queries", "total"}


def test_every_fixture_is_listed() -> None:
    files = {p.stem for p in INVALID.glob("*.ttl")} - {"not-turtle"}
    assert files == set(EXPECTED)


def test_every_rule_has_a_fixture() -> None:
    """Each quality query, rule and shape-constraint family is exercised by EXPECTED."""
    rules = {rule for problems in EXPECTED.values() for _s, rule, _n in problems}
    for path in (ROOT / "queries" / "checks").glob("*-violation.rq"):
        if path.stem != "ontology-metadata-violation":  # tested below on a store
            assert path.stem.removesuffix("-violation") in rules, path.name
    for path in (ROOT / "queries" / "rules").glob("*.rq"):
        assert f"owl-rl/{path.stem}" in rules, path.name
    for rule in FIDELITY_RULES:
        if rule != "not-run":  # tested below without the review's text
            assert f"fidelity/{rule}" in rules, rule


#: Fixtures whose fault is found by comparing with the review's text.
NEED_TEXT = {"alt-label-not-in-text", "copied-run", "term-not-in-passage"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=requires_seed)
        if name.startswith("span-") or name in NEED_TEXT
        else name
        for name in sorted(EXPECTED)
    ],
)
def test_fixture_reports_its_fault(settings: Settings, baseline: CheckReport, name: str) -> None:
    report = check(settings, [INVALID / f"{name}.ttl"], reasoner=False)
    found = {(p.severity, p.rule, p.node) for p in report.problems}
    for expected in EXPECTED[name]:
        assert expected in found, f"{name}: {expected} not in {sorted(found)}"
    severities = {s for s, _r, _n in EXPECTED[name]}
    assert report.ok == ("error" not in severities)
    for p in report.problems:
        assert p.message and p.phase in set(PHASES)
        if (p.severity, p.rule, p.node) in EXPECTED[name]:
            assert p.hint, f"{p.rule} has no fix hint"


def test_problem_names_label_value_and_fix(settings: Settings) -> None:
    report = check(settings, [INVALID / "year-out-of-range.ttl"], reasoner=False)
    (p,) = [p for p in report.errors if p.rule == "shacl/Publication-publicationYear"]
    assert p.label == "Old 1700"
    assert p.value == "1700"
    assert "1850" in p.message and "integer" in p.hint


def test_ontology_metadata_query(settings: Settings) -> None:
    from relgraph.checks.sparql import load_check_queries, run_check_queries
    from relgraph.store.builder import load_sources

    store = load_sources(settings)
    quads = [q for q in store.quads() if not q.predicate.value.endswith("/license")]
    queries = load_check_queries(ROOT / "queries" / "checks", "*-violation.rq")
    problems = run_check_queries(GraphStore.from_quads(quads), queries, phase="queries")
    assert ("ontology-metadata", "https://w3id.org/relgraph/ontology") in {
        (p.rule, p.node) for p in problems
    }


def test_extra_files_do_not_change_the_store(
    fixture_store: GraphStore, fixture_settings: Settings
) -> None:
    before = len(fixture_store)
    path = built_graph_path(fixture_settings)
    data = path.read_bytes()
    report = check(fixture_settings, [INVALID / "disjoint-classes.ttl"], reasoner=False)
    assert not report.ok
    assert path.read_bytes() == data
    assert len(fixture_store) == before


def test_report_formats(settings: Settings) -> None:
    report = check(settings, [INVALID / "literal-for-iri.ttl"], reasoner=False)
    text = report.render_text()
    assert text.index("ERRORS") < text.index("WARNINGS")
    assert "fixture finding finding-text-evidence <" + R + "finding-text-evidence>" in text
    assert "fix:" in text and "result: FAILED" in text
    data = json.loads(report.to_json())
    assert data["ok"] is False and data["counts"]["error"] >= 1
    assert set(data["problems"][0]) == {
        "severity",
        "rule",
        "node",
        "label",
        "value",
        "message",
        "hint",
        "phase",
        "file",
        "line",
    }


def test_real_graph_has_no_errors(repo_store: GraphStore, repo_settings: Settings) -> None:
    """The curated graph passes, HermiT included (one reasoner run)."""
    report = check_store(repo_store, repo_settings, reasoner=True)
    assert report.ok, report.render_text()
    assert "hermit" in report.timings


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_check_passes_on_fixture(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("check", "--no-reasoner")
    assert result.exit_code == 0, result.output
    assert "result: ok" in result.output


@pytest.mark.parametrize("name", ["disjoint-classes", "year-out-of-range", "obo-https"])
def test_cli_check_bad_file_exits_1(invoke, name: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke("check", "--no-reasoner", str(INVALID / f"{name}.ttl"))
    assert result.exit_code == 1, result.output
    rule, node = EXPECTED[name][0][1:]
    assert f"[{rule}]" in result.output and node in result.output and "fix:" in result.output


@requires_seed
def test_cli_check_json(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "check", "--no-reasoner", "--format", "json", str(INVALID / "span-mismatch.ttl")
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert any(p["rule"] == "span/quotation-mismatch" for p in data["problems"])


def test_cli_check_unparsable_file_exits_2(invoke, fixture_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    build_dir = fixture_settings.path("build_dir")
    before = sorted(build_dir.rglob("*")) if build_dir.exists() else []
    result = invoke("check", str(INVALID / "not-turtle.ttl"))
    assert result.exit_code == 2
    assert "not-turtle.ttl:12:" in result.output and "invalid Turtle" in result.output
    assert (sorted(build_dir.rglob("*")) if build_dir.exists() else []) == before


def test_cli_check_help_documents_exit_codes(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("check", "--help")
    text = " ".join(result.output.split())
    assert "Exit codes: 0 no errors" in text and "1 the check found errors" in text
    assert "2 the check could not run" in text


def test_build_refuses_bad_data_and_keeps_graph(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    (data / "mini.ttl").write_bytes((ROOT / "tests" / "data" / "fixture" / "mini.ttl").read_bytes())
    settings = make_fixture_settings(tmp_path, data)
    first = invoke("build", settings=settings)
    assert first.exit_code == 0, first.output
    graph = built_graph_path(settings)
    good = graph.read_bytes()
    (data / "bad.ttl").write_bytes((INVALID / "functional-second-value.ttl").read_bytes())
    second = invoke("build", settings=settings)
    assert second.exit_code == 1
    assert (
        "owl-rl/functional-property" in second.output
        and "the graph built before, if any, is kept" in second.output
    )
    assert graph.read_bytes() == good


def _without_size(line: str) -> str:
    """A report's first line as the README shows it: ``relgraph check: ... triples; ...``."""
    return re.sub(r"^relgraph check: \d+ triples;", "relgraph check: ... triples;", line)


@requires_external
@requires_seed
def test_worked_example_of_data_readme_passes(runner, repo_settings):
    """The new study shown in data/README.md is valid, and the README shows that file."""
    from relgraph.cli import cli

    example = ROOT / "docs" / "examples" / "newstudy.ttl"
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    body = example.read_text(encoding="utf-8").split("\n\n", 1)[1].strip()
    assert body in readme
    opts = [f"-s{name}={getattr(repo_settings, name)}" for name in ("build_dir", "seed_dir")]
    result = runner.invoke(cli, [*opts, "check", "--no-reasoner", str(example)])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
    # the report shown in the README is the report of today's graph (issue 9: counts in
    # documents come from the graph); the size of the graph is left out (issue 10: it
    # changes with every data change), the counts of errors, warnings and infos are not
    assert _without_size(result.output.splitlines()[0]) in readme
    mistakes = ROOT / "docs" / "examples" / "newstudy-with-mistakes.ttl"
    result = runner.invoke(cli, [*opts, "check", "--no-reasoner", str(mistakes)])
    assert result.exit_code == 1, result.output
    assert _without_size(result.output.splitlines()[0]) in readme
    shown = set(re.findall(r"^- \[([^\]]+)\]", readme, flags=re.MULTILINE))
    found = set(re.findall(r"^- \[([^\]]+)\]", result.output, flags=re.MULTILINE))
    assert shown == found
    # regression (a fresh-clone tester): the README gave lines 7 and 15 for lines 9 and 17
    places = re.findall(r"\((docs/examples/newstudy-with-mistakes\.ttl:\d+)\)", readme)
    assert len(places) == 2
    output = result.output.replace(str(ROOT) + "/", "")
    for place in places:
        assert place in output, place


@requires_seed
def test_blank_nodes_of_the_spans_phase_are_named_and_located(
    repo_settings: Settings, tmp_path: Path
) -> None:
    """Regression (issue 13, tester): the spans and fidelity phases named a blank node by
    its bare id (shown as ``<hex>``), so the report gave it no label, file or line."""
    extra = tmp_path / "blank-passage.ttl"
    extra.write_text(
        "@prefix rg: <https://w3id.org/relgraph/ontology/> .\n"
        "@prefix rgr: <https://w3id.org/relgraph/resource/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "\n"
        "[] a rg:Passage ;\n"
        '    rdfs:label "passage: a blank passage with a wrong quotation"@en ;\n'
        "    rg:inDocument rgr:review ;\n"
        "    rg:inSection rgr:section-role-theory ;\n"
        '    rg:sourceFile "000_dcfd1bd9bcf5d22a.txt" ;\n'
        '    rg:startOffset "7885"^^xsd:nonNegativeInteger ;\n'
        '    rg:endOffset "7906"^^xsd:nonNegativeInteger ;\n'
        '    rg:quotation "not what the text says" .\n',
        encoding="utf-8",
    )
    report = check(repo_settings, [extra], reasoner=False)
    spans = [p for p in report.problems if p.phase == "spans"]
    assert spans, report.render_text()
    for p in spans:
        assert p.node.startswith("_:"), p
        assert p.file.endswith("blank-passage.ttl") and p.line == 6, p
        assert p.label == "passage: a blank passage with a wrong quotation", p
    assert "[a blank node, " in report.render_text()


def test_problems_come_in_a_stable_order(fixture_settings: Settings, tmp_path: Path) -> None:
    """Regression (issue 13, tester): two runs on the same blank-node faults listed them in
    different orders (blank nodes get new ids on every parse); reports are now ordered by
    severity, phase, rule, file and line, label and value, never by a blank node's id."""
    from relgraph.checks import ordered

    extra = tmp_path / "blanks.ttl"
    lines = ["@prefix rg: <https://w3id.org/relgraph/ontology/> .", ""]
    for i in range(6):
        lines.append(f'[] a rg:Theory ; rg:hasConstruct "construct {i}" .')
    extra.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    for _ in range(3):
        report = check(fixture_settings, [extra], reasoner=False)
        assert report.problems == ordered(report.problems)
        shown = [(p.rule, p.file, p.line, p.label, p.value) for p in report.problems]
        runs.append([(*r[:4], "" if r[4].startswith("_:") else r[4]) for r in shown])
    assert runs[0] and runs[0] == runs[1] == runs[2]
    blank = [r for r in runs[0] if r[1].endswith("blanks.ttl")]
    assert len({r[2] for r in blank}) == 6  # each blank theory named at its own line
