"""The build's verification runs only the rules that can find errors (issue 13, 0015).

``relgraph build`` refuses a graph with errors and reports nothing else, so its
verification (``check_store(..., errors_only=True)``) skips the quality queries
and fidelity rules of severity warning. These tests hold it to the full check:
on the fixture project and on every negative fixture it finds exactly the
errors of ``relgraph check`` (every field), and ``relgraph check`` still
reports the warnings.
"""

from __future__ import annotations

import pytest

from relgraph.checks import _with_extra, check_store
from relgraph.checks.report import Problem
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.origins import SourceIndex
from tests import ROOT, SEED_DIR
from tests.conftest import make_fixture_settings

INVALID = sorted(
    p for p in (ROOT / "tests" / "data" / "invalid").glob("*.ttl") if p.stem != "not-turtle"
)
#: The phases whose rules errors_only leaves out in part.
PHASES = ("fidelity", "queries")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GraphStore]:
    settings = make_fixture_settings(tmp_path_factory.mktemp("verify"))
    return settings, load_sources(settings)


def _errors(problems: list[Problem]) -> list[Problem]:
    return sorted((p for p in problems if p.severity == "error"), key=repr)


def test_the_build_finds_every_error_the_check_finds(
    project: tuple[Settings, GraphStore],
) -> None:
    settings, base = project
    cases = [("fixture project", base, [])]
    for path in INVALID:
        store, extra = _with_extra(base, settings, [path], SourceIndex())
        cases.append((path.stem, store, extra))
    planted = set()
    warned = set()
    for name, store, extra in cases:
        full = check_store(store, settings, extra_graphs=extra, reasoner=False, phases=PHASES)
        build = check_store(
            store, settings, extra_graphs=extra, reasoner=False, phases=PHASES, errors_only=True
        )
        assert _errors(build.problems) == _errors(full.problems), name
        assert all(p.severity == "error" for p in build.problems if p.phase == "queries"), name
        planted |= {name} if full.errors else set()
        warned |= {p.rule for p in full.problems if p.severity == "warning"}
    # not vacuous: fixtures plant errors of these phases, and the check reports warnings;
    # the fidelity fixtures' errors need the review's text (../shared/seed)
    assert {"undeclared-term", "malformed-own-iri"} <= planted
    if SEED_DIR.is_dir():
        assert {"copied-run", "alt-label-not-in-text"} <= planted
    assert warned


def test_the_check_still_runs_the_warning_rules(project: tuple[Settings, GraphStore]) -> None:
    """A warning-only quality query's rows are in ``relgraph check``'s report, not the build's."""
    settings, base = project
    path = ROOT / "tests" / "data" / "invalid" / "label-whitespace.ttl"
    store, extra = _with_extra(base, settings, [path], SourceIndex())
    full = check_store(store, settings, extra_graphs=extra, reasoner=False, phases=PHASES)
    build = check_store(
        store, settings, extra_graphs=extra, reasoner=False, phases=PHASES, errors_only=True
    )
    assert "label-whitespace" in {p.rule for p in full.problems}
    assert "label-whitespace" not in {p.rule for p in build.problems}
