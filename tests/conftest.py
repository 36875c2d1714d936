"""Shared fixtures: settings over a tiny fixture project, store, CLI runner.

``fixture_settings`` points at the real ontology and shapes with the tiny
fixture data set, and a temporary build folder. ``repo_settings`` is the real
project, built once per session (``make test`` builds it before pytest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from relgraph.builder import build, open_built
from relgraph.settings import Settings
from relgraph.store import GraphStore
from tests import FIXTURE_DATA, ROOT, SHARED


def make_fixture_settings(tmp: Path, data_dir: Path = FIXTURE_DATA) -> Settings:
    """Settings for a project made of the real ontology/shapes and given data."""
    return Settings(
        project_dir=str(ROOT),
        data_dir=str(data_dir),
        build_dir=str(tmp / "build"),
        seed_dir=str(SHARED / "seed"),
        external_dir=str(SHARED / "external"),
    )


@pytest.fixture
def fixture_settings(tmp_path: Path) -> Settings:
    """Settings over the tiny fixture project with a private build folder."""
    return make_fixture_settings(tmp_path)


@pytest.fixture
def fixture_store(fixture_settings: Settings) -> GraphStore:
    """The built fixture graph."""
    build(fixture_settings, force=True)
    return open_built(fixture_settings)


@pytest.fixture(scope="session")
def repo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the real project, built into a private folder."""
    tmp = tmp_path_factory.mktemp("repo-build")
    settings = Settings(
        project_dir=str(ROOT),
        build_dir=str(tmp),
        seed_dir=str(SHARED / "seed"),
        external_dir=str(SHARED / "external"),
    )
    build(settings, force=True)
    return settings


@pytest.fixture(scope="session")
def repo_store(repo_settings: Settings) -> GraphStore:
    """The built real graph."""
    return open_built(repo_settings)


@pytest.fixture
def runner() -> CliRunner:
    """A Click test runner."""
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner, fixture_settings: Settings) -> Iterator[Callable[..., object]]:
    """Invoke the CLI against the fixture project."""
    from relgraph.cli import cli

    def _invoke(*args: str, settings: Settings | None = None) -> object:
        s = settings or fixture_settings
        opts = []
        for name in ("project_dir", "data_dir", "build_dir", "seed_dir", "external_dir"):
            opts += ["-s", f"{name}={getattr(s, name)}"]
        return runner.invoke(cli, [*opts, *args], catch_exceptions=False)

    yield _invoke
