"""A passing check's verdict lets a build of the same inputs skip its verification (0015)."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest

import relgraph.checks as checks
from relgraph.checks import check, verify_for_build
from relgraph.checks.verdict import VERDICT_FILE, inputs_key, read_verdict
from relgraph.errors import CheckFailed
from relgraph.settings import Settings
from relgraph.store.builder import build
from tests import ROOT
from tests.conftest import FIXTURE_DATA, make_fixture_settings


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """The fixture project with a data folder of its own (the tests change a source)."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    return make_fixture_settings(tmp_path, data)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per verification that ran (its errors_only flag)."""
    calls: list[bool] = []
    real = checks.check_store

    def counted(*args: object, **kwargs: object) -> checks.CheckReport:
        calls.append(bool(kwargs.get("errors_only")))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "check_store", counted)
    return calls


def _build(settings: Settings) -> list[str]:
    verify = functools.partial(verify_for_build, settings=settings, key=inputs_key(settings))
    return build(settings, force=True, verify=verify).notes


def test_a_build_after_a_passing_check_does_not_verify_again(
    project: Settings, verifications: list[bool]
) -> None:
    report = check(project, reasoner=False)
    assert report.ok and verifications == [False]
    notes = _build(project)
    assert verifications == [False]  # the build reused the check's verdict
    assert any("not verified again: `relgraph check` passed" in n for n in notes)
    assert set(report.notes) <= set(notes)


def test_a_second_build_of_the_same_inputs_reuses_the_first(
    project: Settings, verifications: list[bool]
) -> None:
    first = _build(project)
    assert verifications == [True]  # the build's own verification: errors only
    assert not any("not verified again" in n for n in first)
    second = _build(project)
    assert verifications == [True]
    assert any("a build's verification passed" in n for n in second)


def test_a_changed_input_is_verified_again(project: Settings, verifications: list[bool]) -> None:
    _build(project)
    source = sorted(Path(project.data_dir).glob("*.ttl"))[0]
    source.write_text(source.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    _build(project)
    assert verifications == [True, True]
    # so is a changed setting, and a query file
    _build(project.replace(shacl_engine="pyshacl"))
    assert len(verifications) == 3


def test_a_faulty_edit_after_a_passing_check_is_refused(project: Settings) -> None:
    """The verdict is of the inputs checked: an error added later is found by the build."""
    assert check(project, reasoner=False).ok
    bad = ROOT / "tests" / "data" / "invalid" / "undeclared-term.ttl"
    shutil.copy(bad, Path(project.data_dir) / "late-edit.ttl")
    with pytest.raises(CheckFailed, match="undeclared-term"):
        _build(project)


def test_no_reuse_when_turned_off_or_without_hermit(
    project: Settings, verifications: list[bool]
) -> None:
    _build(project)
    _build(project.replace(build_reuse_verdict=False))
    assert verifications == [True, True]
    key = inputs_key(project)
    assert read_verdict(project, key, reasoner=False) is not None
    assert read_verdict(project, key, reasoner=True) is None  # HermiT did not run


def test_a_failing_check_records_nothing_and_a_damaged_verdict_is_ignored(
    project: Settings, verifications: list[bool]
) -> None:
    report = check(project, [ROOT / "tests" / "data" / "invalid" / "undeclared-term.ttl"])
    assert not report.ok  # a check with extra files never records a verdict
    path = Path(project.build_dir) / VERDICT_FILE
    assert not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    _build(project)
    assert verifications[-1] is True
    assert json.loads(path.read_text(encoding="utf-8"))["by"] == "build"


def _plain_build(settings: Settings) -> bool:
    """``relgraph build`` without --force, as the CLI runs it: True when it was skipped."""
    key = inputs_key(settings)
    verify = functools.partial(verify_for_build, settings=settings, key=key)
    return build(settings, verify=verify, inputs=key).skipped


def test_a_new_check_rule_makes_a_built_graph_out_of_date(
    project: Settings, tmp_path: Path
) -> None:
    """Regression (session 5's tester): after a new error-level check query, a plain
    `relgraph build` said "up to date" and `make serve` served a graph `check` rejects."""
    queries = tmp_path / "queries"
    shutil.copytree(Path(project.queries_dir), queries)
    project = project.replace(queries_dir=str(queries))
    assert not _plain_build(project)
    assert _plain_build(project)  # nothing changed: up to date
    (queries / "checks" / "zz-every-theory-violation.rq").write_text(
        "#+ id: zz-every-theory\n#+ severity: error\n"
        "#+ description: planted: every theory is flagged\n#+ fix: none\n"
        "SELECT ?node WHERE { ?node a rg:Theory }\n",
        encoding="utf-8",
    )
    with pytest.raises(CheckFailed, match="zz-every-theory"):
        _plain_build(project)


def test_settings_no_check_reads_leave_the_key_as_it_was(project: Settings) -> None:
    """A server's port or row cap does not make a build verify again; the check's own do."""
    key = inputs_key(project)
    assert inputs_key(project.replace(port=5999, max_rows=5, workers=3)) == key
    assert inputs_key(project.replace(reasoner_timeout_s=7)) != key
    assert inputs_key(project.replace(shacl_engine="pyshacl")) != key


def test_a_check_whose_hermit_did_not_run_is_no_verdict_with_hermit(
    project: Settings, verifications: list[bool]
) -> None:
    """A check that passes with HermiT not run (no Java here) must not let a build that
    requires HermiT (build_check_reasoner) skip it."""
    no_java = project.replace(java=str(Path(project.build_dir) / "no-such-java"))
    report = check(no_java, reasoner=True)
    assert report.ok and any("HermiT skipped" in n for n in report.notes)
    key = inputs_key(no_java)
    assert read_verdict(no_java, key, reasoner=False) is not None
    assert read_verdict(no_java, key, reasoner=True) is None
