"""Shared fixtures: settings over a tiny fixture project, store, CLI runner.

``fixture_settings`` points at the real ontology and shapes with the tiny
fixture data set, and a temporary build folder. ``repo_settings`` is the real
project, built once per session (``make test`` builds it before pytest).
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import build, open_built
from tests import EXTERNAL_DIR, FIXTURE_DATA, FIXTURE_MAPPINGS, ROOT, SEED_DIR, SHARED


def pytest_configure(config: pytest.Config) -> None:
    """In CI the review's text and the offline copies must be there: nothing is skipped."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    for folder, what, checked in (
        (SEED_DIR, "the review's text", "passage spans"),
        (EXTERNAL_DIR, "the offline copies", "mappings"),
    ):
        if not folder.is_dir():
            raise pytest.UsageError(
                f"CI is set but {what} is not in {folder}: the tests that verify {checked} "
                "would be skipped. Put shared/ beside the checkout."
            )


def make_fixture_settings(tmp: Path, data_dir: Path = FIXTURE_DATA) -> Settings:
    """Settings for a project made of the real ontology/shapes and given data."""
    return Settings(
        project_dir=str(ROOT),
        data_dir=str(data_dir),
        build_dir=str(tmp / "build"),
        seed_dir=str(SHARED / "seed"),
        external_dir=str(SHARED / "external"),
        mappings_dir=str(FIXTURE_MAPPINGS),
    )


@pytest.fixture(autouse=True)
def _collect_garbage_in_the_test_thread() -> Iterator[None]:
    """Collect each test's cyclic garbage in the thread that made it, cheaply.

    pyoxigraph's result objects may only be dropped on the thread that created
    them; one kept alive by a reference cycle (e.g. through a traceback that
    pytest.raises holds) and collected later by a garbage-collector pass that
    happens to run in another test's thread raises an unraisable RuntimeError,
    which ``filterwarnings = error`` turns into a failure of that other test
    (seen as a flaky failure of the deadline test in tests/query/test_service.py).

    A full collection scans the whole heap (~0.1 s with the session's graphs
    loaded); after it, :func:`gc.freeze` moves every survivor out of the
    collector's reach, so the next test's collection scans only what that test
    allocated. Survivors are still freed by reference counting when released.
    """
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture
def fixture_settings(tmp_path: Path) -> Settings:
    """Settings over the tiny fixture project with a private build folder."""
    return make_fixture_settings(tmp_path)


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GraphStore]:
    """The fixture project built once per session: its settings and its store.

    For tests that only read the graph; a test that builds, or changes the
    build folder, uses ``fixture_settings`` and ``fixture_store``.
    """
    settings = make_fixture_settings(tmp_path_factory.mktemp("fixture"))
    build(settings, force=True)
    return settings, open_built(settings)


@pytest.fixture
def fixture_store(
    fixture_settings: Settings, built_fixture: tuple[Settings, GraphStore]
) -> GraphStore:
    """The built fixture graph, in this test's own build folder (a copy of the session's build)."""
    built = built_fixture[0].path("build_dir")
    shutil.copytree(built, fixture_settings.path("build_dir"), dirs_exist_ok=True)
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


@pytest.fixture(scope="session")
def studied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Any]:
    """A copy of the real project with the hypothetical example study imported and built.

    :returns: its settings and the :class:`~relgraph.curation.ImportResult`.
    """
    import datetime as dt

    from relgraph.checks import verify_for_build
    from relgraph.curation import import_study
    from tests.curation.studies import EXAMPLE_STUDY, copy_project

    settings = copy_project(tmp_path_factory.mktemp("studied"))
    result = import_study(settings, EXAMPLE_STUDY, reasoner=False, today=dt.date(2026, 12, 2))
    build(settings, force=True, verify=partial(verify_for_build, settings=settings))
    return settings, result


@pytest.fixture
def runner() -> CliRunner:
    """A Click test runner."""
    return CliRunner()


def cli_for(settings: Settings) -> Callable[..., Any]:
    """A function that invokes the CLI against a project (Click's test runner)."""
    from relgraph.cli import cli

    def _invoke(*args: str, settings: Settings = settings) -> Any:
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

    return _invoke


@pytest.fixture
def invoke(fixture_settings: Settings) -> Callable[..., Any]:
    """Invoke the CLI against the fixture project (this test's own build folder)."""
    return cli_for(fixture_settings)


@pytest.fixture(scope="module")
def built_cli(
    tmp_path_factory: pytest.TempPathFactory, built_fixture: tuple[Settings, GraphStore]
) -> Callable[..., Any]:
    """Invoke the CLI against the fixture project built once (for commands that only read)."""
    settings = make_fixture_settings(tmp_path_factory.mktemp("built-cli"))
    shutil.copytree(built_fixture[0].path("build_dir"), settings.path("build_dir"))
    return cli_for(settings)


#: The fixture stored queries (tests/data/catalog/cq), served by the web fixtures.
WEB_QUERIES = ROOT / "tests" / "data" / "catalog"


@pytest.fixture
def make_app(fixture_settings: Settings, fixture_store: GraphStore) -> Iterator[Callable[..., Any]]:
    """Build web apps over the fixture project with some settings changed.

    Each app's query workers are stopped at teardown.
    """
    from relgraph.web import create_app

    apps: list[Any] = []

    def _make(**overrides: Any) -> Any:
        settings = fixture_settings.replace(queries_dir=str(WEB_QUERIES), **overrides)
        app = create_app(settings, fixture_store)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["relgraph"].close()


@pytest.fixture(scope="session")
def app(built_fixture: tuple[Settings, GraphStore]) -> Iterator[Any]:
    """The web app over the fixture project, shared by a test session.

    Starting query workers costs about a second, so the default app (default
    limits) is made once; tests that change settings use ``make_app``.
    """
    from relgraph.web import create_app

    settings, store = built_fixture
    web = create_app(settings.replace(queries_dir=str(WEB_QUERIES)), store)
    web.config["TESTING"] = True
    yield web
    web.extensions["relgraph"].close()


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client of the shared app."""
    return app.test_client()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


#: The time limit of the live server (short, so deadline tests are quick).
LIVE_TIME_LIMIT_MS = 2000


class LiveServer:
    """A real gunicorn server (``relgraph serve``) started by a test on a free port.

    :ivar url: its base URL, ``http://127.0.0.1:PORT``.
    :ivar log: the file that receives its stdout and stderr.
    """

    def __init__(self, url: str, log: Path, process: Any) -> None:
        self.url = url
        self.log = log
        self.process = process

    def log_text(self) -> str:
        """What the server logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve_in_background(
    settings: Settings,
    tmp: Path,
    *,
    workers: int = 1,
    threads: int = 4,
    overrides: dict[str, str] | None = None,
    launcher: list[str] | None = None,
) -> Iterator[LiveServer]:
    """Run ``relgraph serve`` over a built project until the block ends.

    :param overrides: more ``-s NAME=VALUE`` settings.
    :param launcher: the Python command line that runs relgraph's CLI
        (default ``python -m relgraph``); a test may give a script that
        changes the server first.
    """
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    values = {
        name: str(getattr(settings, name))
        for name in (
            "project_dir",
            "data_dir",
            "build_dir",
            "seed_dir",
            "external_dir",
            "mappings_dir",
            "queries_dir",
        )
    }
    values.update(overrides or {})
    args = list(launcher or [sys.executable, "-m", "relgraph"])
    for name, value in values.items():
        args += ["-s", f"{name}={value}"]
    args += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(workers), "--threads", str(threads)]
    url = f"http://127.0.0.1:{port}"
    log_path = tmp / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/-/version.json", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            "the test server did not start:\n"
                            + log_path.read_text(errors="replace")
                        ) from None
                    time.sleep(0.2)
            yield LiveServer(url, log_path, process)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real gunicorn server (``relgraph serve``) over the fixture project.

    Yields its base URL, ``http://127.0.0.1:PORT``; one per test session.
    """
    tmp = tmp_path_factory.mktemp("live")
    settings = make_fixture_settings(tmp).replace(queries_dir=str(WEB_QUERIES))
    build(settings, force=True)
    overrides = {"query_time_limit_ms": str(LIVE_TIME_LIMIT_MS)}
    with serve_in_background(settings, tmp, overrides=overrides) as server:
        yield server.url


# -- external stores (issue 13): real servers on loopback --------------------------------------


def _push_with_cli(settings: Settings, endpoint: str, *extra: str, env: dict[str, str]) -> str:
    from relgraph.cli import cli

    args = []
    for name in ("project_dir", "build_dir", "seed_dir", "external_dir"):
        args += ["-s", f"{name}={getattr(settings, name)}"]
    result = CliRunner().invoke(cli, [*args, "push", "--endpoint", endpoint, *extra], env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def oxigraph_store(repo_settings: Settings) -> Iterator[Any]:
    """Oxigraph's server on 127.0.0.1 holding the real graph, pushed with `relgraph push`."""
    from benchmarks.stores import OxigraphServer

    with OxigraphServer() as server:
        server.push_output = _push_with_cli(repo_settings, server.graph_store, env={})
        yield server


#: Virtuoso's administrator in a fresh database (its own temporary folder).
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


@pytest.fixture(scope="session")
def virtuoso_store(repo_settings: Settings) -> Iterator[Any]:
    """Virtuoso (Debian's package) on 127.0.0.1 holding the real graph, pushed with digest auth."""
    from benchmarks.stores import Virtuoso

    with Virtuoso() as server:
        server.push_output = _push_with_cli(
            repo_settings,
            server.graph_store,
            "--user",
            VIRTUOSO_USER,
            "--auth",
            "digest",
            env={"RELGRAPH_STORE_PASSWORD": VIRTUOSO_PASSWORD},
        )
        yield server
