"""One HermiT JVM per process (relgraph.checks.jvm, docs/decisions/0020-hermit-session.md).

The session must give HermiT's command line's answers on the real graph's inputs and on
every fixture the reasoning reacts to, and its cache (the driver's jar and the class-data
archive) must never change an answer or make the check fail: missing, stale or corrupt,
it is made again or not used.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from relgraph.checks import check_store, hermit, jvm
from relgraph.checks.hermit import ReasoningReport, start_ntriples
from relgraph.checks.owl import reasoning_input
from relgraph.checks.summary import ntriples, summarise
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.parts import graph_parts
from tests.checks.test_owl import REASONING_CASES, _case
from tests.conftest import make_fixture_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_fixture_settings(tmp_path_factory.mktemp("session"))


@pytest.fixture(scope="module")
def sources(settings: Settings) -> GraphStore:
    return load_sources(settings)


@pytest.fixture(scope="module")
def inputs(settings: Settings, sources: GraphStore) -> dict[str, bytes]:
    """HermiT's three inputs on the fixture graph: the TBox, the summary, the whole graph."""
    found = reasoning_input(sources, graph_parts(sources, settings))
    return {
        "classes": ntriples(found.classes),
        "summary": summarise(found.consistency).ntriples,
        "whole": ntriples(found.consistency),
    }


def _answer(report: ReasoningReport) -> tuple[bool, bool, list[str], str]:
    return report.ran, report.consistent, report.unsatisfiable, report.message


def _both(data: bytes, *, classes: bool) -> tuple[ReasoningReport, ReasoningReport]:
    session = start_ntriples(data, classes=classes, session=True)
    alone = start_ntriples(data, classes=classes, session=False)
    return session.result(), alone.result()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> jvm.SessionFiles:
    """The driver compiled once for the module (javac costs seconds)."""
    folder = tmp_path_factory.mktemp("compiled")
    files = jvm.session_files("java", hermit.hermit_dir(), hermit._JVM_OPTIONS, root=folder)
    assert files is not None
    return files


@pytest.fixture(scope="module")
def archived(
    tmp_path_factory: pytest.TempPathFactory, compiled: jvm.SessionFiles, inputs: dict[str, bytes]
) -> Path:
    """A class-data archive a session wrote (with its digest), made once for the module."""
    folder = tmp_path_factory.mktemp("archived")
    shutil.copy2(compiled.jar, folder / compiled.jar.name)
    files = jvm.session_files("java", hermit.hermit_dir(), hermit._JVM_OPTIONS, root=folder)
    assert files is not None
    command = ["java", *hermit._JVM_OPTIONS, "-cp", files.classpath]
    session = jvm.Session(command, files.archive)
    path = folder / "classes.nt"
    path.write_bytes(inputs["classes"])
    job = session.submit(path, "kU")
    assert job is not None and job.finished.wait(120) and job.status == "consistent"
    session.close(wait_s=120)
    assert jvm.archive_ok(files.archive)
    return files.archive


@pytest.fixture
def cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled: jvm.SessionFiles
) -> Iterator[Path]:
    """A cache folder of this test's own with the compiled jar (no archive yet), and no
    session left from another test."""
    folder = tmp_path / "hermit-cache"
    folder.mkdir()
    shutil.copy2(compiled.jar, folder / compiled.jar.name)
    monkeypatch.setattr(jvm, "cache_dir", lambda: folder)
    jvm._close_sessions()
    yield folder
    jvm._close_sessions()


def _files(folder: Path) -> jvm.SessionFiles:
    files = jvm.session_files("java", hermit.hermit_dir(), hermit._JVM_OPTIONS, root=folder)
    assert files is not None
    return files


def _only_session(folder: Path) -> jvm.Session:
    sessions = [s for key, s in jvm._SESSIONS.items() if str(folder) in " ".join(key)]
    assert len(sessions) == 1
    return sessions[0]


@pytest.mark.parametrize("name", ["classes", "summary", "whole"])
def test_session_answers_as_the_command_line(inputs: dict[str, bytes], name: str) -> None:
    session, alone = _both(inputs[name], classes=name == "classes")
    assert _answer(session) == _answer(alone)
    assert session.ran and session.consistent


@pytest.mark.parametrize("name", REASONING_CASES)
def test_session_gives_the_same_problems_on_every_reasoning_fixture(
    settings: Settings, sources: GraphStore, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole reasoning phase, with one JVM and with one command line per question."""
    store, extra = _case(settings, sources, name)
    found = {}
    for use in (True, False):
        monkeypatch.setattr(hermit, "USE_SESSION", use)
        report = check_store(store, settings, extra_graphs=extra, phases=("reasoning",))
        found[use] = sorted(
            (p.severity, p.rule, p.node, p.value, p.message) for p in report.problems
        )
    assert found[True] == found[False]
    assert any(rule.startswith("owl") for _s, rule, *_ in found[True])


def test_one_jvm_answers_every_question_in_order(cache: Path, inputs: dict[str, bytes]) -> None:
    runs = [start_ntriples(inputs[n], classes=n == "classes") for n in ("classes", "summary")]
    reports = [r.result() for r in runs]
    assert all(r.ran and r.consistent for r in reports)
    session = _only_session(cache)
    assert session.alive and session.writes_archive  # the first session of this cache
    pid = session._proc.pid
    assert start_ntriples(inputs["summary"], classes=False).result().consistent
    assert _only_session(cache)._proc.pid == pid  # the same JVM


def test_archive_written_at_the_end_then_used(cache: Path, inputs: dict[str, bytes]) -> None:
    assert start_ntriples(inputs["classes"]).result().ran
    jvm._close_sessions()  # as at exit: waits for the JVM to write its archive
    files = _files(cache)
    assert files.archive.is_file() and jvm.archive_ok(files.archive)
    assert not list(cache.glob("*.tmp"))
    report = start_ntriples(inputs["classes"]).result()
    assert report.ran and report.consistent
    assert not _only_session(cache).writes_archive  # this one reads it


@pytest.mark.parametrize("fault", ["truncated", "garbage", "no-digest", "other-digest"])
def test_corrupt_archive_is_not_used_and_made_again(
    cache: Path, inputs: dict[str, bytes], fault: str, archived: Path
) -> None:
    archive = _files(cache).archive
    sidecar = archive.with_name(archive.name + ".sha256")
    shutil.copy2(archived, archive)
    shutil.copy2(archived.with_name(archived.name + ".sha256"), sidecar)
    assert jvm.archive_ok(archive)
    whole = archive.read_bytes()
    if fault == "truncated":  # a truncated archive crashes the JVM if it is mapped
        archive.chmod(0o644)
        archive.write_bytes(whole[: len(whole) // 3])
        sidecar.write_text("0" * 64)
    elif fault == "garbage":
        archive.chmod(0o644)
        archive.write_bytes(b"\x00garbage" * 1000)
    elif fault == "no-digest":
        sidecar.unlink()
    else:
        sidecar.write_text("f" * 64)
    expected = start_ntriples(inputs["classes"], session=False).result()
    report = start_ntriples(inputs["classes"]).result()
    assert _answer(report) == _answer(expected)
    assert _only_session(cache).writes_archive  # made again at the end
    jvm._close_sessions()
    assert jvm.archive_ok(archive)


def test_stale_or_broken_jar_is_compiled_again(cache: Path, inputs: dict[str, bytes]) -> None:
    files = _files(cache)
    files.jar.write_bytes(b"not a jar")
    again = _files(cache)
    assert again.jar == files.jar and jvm._valid_jar(files.jar)
    assert start_ntriples(inputs["summary"], classes=False).result().consistent


def test_key_changes_with_the_options_and_the_hermit_folder(tmp_path: Path) -> None:
    home = jvm._java_home("java")
    assert home is not None
    here = hermit.hermit_dir()
    key = jvm._digest(home, here, hermit._JVM_OPTIONS)
    assert jvm._digest(home, here, hermit._JVM_OPTIONS) == key
    assert jvm._digest(home, here, ("-Xss4m",)) != key
    other = tmp_path / "hermit"
    shutil.copytree(here, other)
    (other / "Extra.class").write_bytes(b"\xca\xfe")
    assert jvm._digest(home, other, hermit._JVM_OPTIONS) != key


def test_without_javac_the_command_line_answers(
    cache: Path, inputs: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JRE without javac: no session, HermiT's command line, the same answers."""
    monkeypatch.setattr(jvm, "_java_home", lambda java: tmp_path / "jre-without-javac")
    run = start_ntriples(inputs["classes"])
    assert isinstance(run, hermit._SessionRun) and run._fallback is not None
    assert _answer(run.result()) == _answer(
        start_ntriples(inputs["classes"], session=False).result()
    )
    assert not list(cache.glob("*.jsa"))


def test_read_only_cache_falls_back(
    inputs: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setattr(jvm, "cache_dir", lambda: blocked / "hermit")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked / "cache"))  # the user's, also blocked
    assert jvm.session_files("java", hermit.hermit_dir(), hermit._JVM_OPTIONS) is None
    report = start_ntriples(inputs["summary"], classes=False).result()
    assert report.ran and report.consistent


def test_a_read_only_venv_cache_uses_the_users_cache(
    compiled: jvm.SessionFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (session 5's tester): with the venv's folder read-only every check started
    one JVM per question, 4x slower, and said nothing; the user's cache is used instead."""
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setattr(jvm, "cache_dir", lambda: blocked / "hermit")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(jvm, "_compile", lambda javac, folder, jar: shutil.copy2(compiled.jar, jar))
    files = jvm.session_files("java", hermit.hermit_dir(), hermit._JVM_OPTIONS)
    assert files is not None
    assert files.jar.parent == tmp_path / "user-cache" / "relgraph" / "hermit"
    assert files.jar.is_file()


def test_a_dead_jvm_is_replaced_and_its_question_asked_again(
    cache: Path, inputs: dict[str, bytes]
) -> None:
    run = start_ntriples(inputs["whole"], classes=False)
    session = _only_session(cache)
    session._proc.kill()  # the JVM dies while (or before) it answers
    report = run.result()
    assert report.ran and report.consistent  # asked again on the command line
    deadline = time.monotonic() + 10
    while session.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not session.alive
    later = start_ntriples(inputs["summary"], classes=False).result()
    assert later.ran and later.consistent
    assert _only_session(cache) is not session


def test_timeout_stops_the_jvm_and_the_next_question_gets_a_new_one(
    cache: Path, inputs: dict[str, bytes]
) -> None:
    report = start_ntriples(inputs["whole"], classes=False, timeout_s=0.01).result()
    assert not report.ran and "reasoner_timeout_s" in report.message
    deadline = time.monotonic() + 10
    while any(s.alive for s in jvm._SESSIONS.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(s.alive for s in jvm._SESSIONS.values())
    assert start_ntriples(inputs["summary"], classes=False).result().consistent


def test_a_jvm_idle_too_long_ends_by_itself(
    cache: Path, inputs: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jvm, "IDLE_SECONDS", 1)
    assert start_ntriples(inputs["summary"], classes=False).result().consistent
    session = _only_session(cache)
    deadline = time.monotonic() + 20
    while session.alive and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.alive
    assert start_ntriples(inputs["summary"], classes=False).result().consistent


def test_files_of_another_key_are_deleted_when_compiling(cache: Path) -> None:
    old = cache / "hermit-session-0123456789abcdef0123.jsa"
    old.write_bytes(b"an older driver's archive")
    for path in cache.glob("hermit-session-*.jar"):
        path.unlink()  # this key's jar is compiled again
    files = _files(cache)
    assert files.jar.is_file() and not old.exists()


def test_prestart_starts_the_jvm_the_first_question_then_uses(
    cache: Path, inputs: dict[str, bytes]
) -> None:
    hermit.prestart()
    session = _only_session(cache)
    assert session.alive
    report = start_ntriples(inputs["classes"]).result()
    assert report.ran and report.consistent
    assert _only_session(cache) is session


def test_prestart_without_java_does_nothing(cache: Path) -> None:
    hermit.prestart("/no/such/java")
    assert not jvm._SESSIONS
