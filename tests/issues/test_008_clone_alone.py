"""Issue #8, item 2: a clone on its own cannot build.

``make serve`` in a clone stopped because ``../shared/seed`` (the review's
text) was not beside it. The right answer: build, serve, export and check
work from the repository alone; without the text, ``check`` and ``build`` say
once, plainly, that passage spans were not verified and why, and succeed
otherwise. Tests that need the text skip with that reason, and CI (CI=true)
fails when the text is absent rather than skip them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from relgraph.store.builder import built_graph_path
from tests import NO_SEED, ROOT
from tests.conftest import make_fixture_settings

NOTE = "passage spans were not verified"


def _alone(tmp_path: Path) -> Any:
    """Fixture settings whose seed folder does not exist, as in a clone on its own."""
    return make_fixture_settings(tmp_path).replace(seed_dir=str(tmp_path / "no-shared" / "seed"))


def test_build_without_the_text_succeeds_and_says_so_once(invoke: Any, tmp_path: Path) -> None:
    settings = _alone(tmp_path)
    result = invoke("build", settings=settings)
    assert result.exit_code == 0, result.output
    assert result.output.count(NOTE) == 1
    assert "setting seed_dir" in result.output and "shared/" in result.output
    assert built_graph_path(settings).is_file()
    # an unchanged build is skipped, and nothing more is said
    again = invoke("build", settings=settings)
    assert again.exit_code == 0 and NOTE not in again.output


def test_check_without_the_text_succeeds_and_says_so_once(invoke: Any, tmp_path: Path) -> None:
    settings = _alone(tmp_path)
    text = invoke("check", "--no-reasoner", settings=settings)
    assert text.exit_code == 0, text.output
    assert text.output.count(NOTE) == 1 and "result: ok" in text.output
    data = json.loads(
        invoke("check", "--no-reasoner", "--format", "json", settings=settings).output
    )
    assert data["ok"] is True and data["spans_verified"] is False
    assert sum(NOTE in note for note in data["notes"]) == 1
    # span problems are not invented: a span fixture checks clean of span rules
    bad = ROOT / "tests" / "data" / "invalid" / "span-mismatch.ttl"
    report = json.loads(
        invoke("check", "--no-reasoner", "--format", "json", str(bad), settings=settings).output
    )
    assert not [p for p in report["problems"] if p["rule"].startswith("span/")]


def test_export_and_query_without_the_text(invoke: Any, tmp_path: Path) -> None:
    settings = _alone(tmp_path)
    assert invoke("build", settings=settings).exit_code == 0
    assert invoke("export", "--format", "nt", settings=settings).exit_code == 0
    assert invoke("query", "ASK { ?t a rg:Theory }", settings=settings).output.strip() == "true"


def test_the_skip_reason_names_the_text() -> None:
    assert "review's text" in NO_SEED and "../shared/" in NO_SEED


def test_ci_fails_when_the_text_is_absent(tmp_path: Path) -> None:
    """.ci/run refuses to start (so nothing is skipped in CI); pytest too."""
    clone = tmp_path / "clone"
    (clone / ".ci").mkdir(parents=True)
    (clone / ".ci" / "run").write_bytes((ROOT / ".ci" / "run").read_bytes())
    (clone / "Makefile").write_text("test:\n\t@echo make-test-ran\n", encoding="utf-8")
    env = {**os.environ, "CI": "true"}
    ci = subprocess.run(
        ["bash", str(clone / ".ci" / "run")], env=env, capture_output=True, text=True
    )
    assert ci.returncode == 1 and "../shared/seed" in ci.stderr and "make-test-ran" not in ci.stdout
    local = subprocess.run(
        ["bash", str(clone / ".ci" / "run")], env={**env, "CI": ""}, capture_output=True, text=True
    )
    assert local.returncode == 0 and "make-test-ran" in local.stdout


def test_pytest_refuses_ci_without_the_text(monkeypatch: Any, tmp_path: Path) -> None:
    import pytest

    import tests.conftest as conftest

    monkeypatch.setattr(conftest, "SEED_DIR", tmp_path / "no-shared" / "seed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.UsageError, match="CI is set but the review's text"):
        conftest.pytest_configure(None)  # type: ignore[arg-type]
    monkeypatch.setenv("CI", "")
    conftest.pytest_configure(None)  # type: ignore[arg-type]
