"""One JVM for every HermiT question of a process: the session, its jar and its class archive.

HermiT on the command line costs one JVM start and one loading of the OWL API and HermiT
classes per question (about 1.3 s of CPU each at the real size, where the reasoning itself
takes tens of milliseconds). :class:`Session` starts ``java/HermitSession.java`` once and
sends it each question as a line; it asks HermiT exactly what ``CommandLine -k`` and
``-k -U`` ask (the file's header says how), one question at a time, in order.

What the session needs is made once and kept in a cache (:func:`cache_dir`: the virtual
environment's ``share/relgraph/hermit``, git-ignored), keyed by a digest of everything it
depends on (:func:`session_files`):

* a jar of the driver, compiled with the ``javac`` beside ``java``, and of the classes
  owlready2 ships beside ``HermiT.jar`` (which override the jar's; a class-data archive
  cannot hold classes from a directory);
* a class-data-sharing archive of the classes a session loaded (Java's dynamic AppCDS,
  JEP 350: ``-XX:ArchiveClassesAtExit`` at the end of the first session, then
  ``-XX:SharedArchiveFile``); the JVM checks it against its own version and the class
  path and ignores it when they differ (``-Xshare:auto``).

Nothing here can change an answer or make the check fail: without ``javac``, or when
the compilation, the cache or a session fails, :mod:`relgraph.checks.hermit` asks
HermiT's command line as before. See ``docs/decisions/0020-hermit-session.md``.
"""

from __future__ import annotations

import atexit
import collections
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Job",
    "Session",
    "SessionFiles",
    "archive_ok",
    "cache_dir",
    "session",
    "session_files",
]

#: The driver's source (compiled once into the cache).
SOURCE = Path(__file__).parent / "java" / "HermitSession.java"
_MAIN_CLASS = "HermitSession"
#: Seconds a session waits for a question before its JVM ends by itself.
IDLE_SECONDS = 60
#: JVM logging to stderr (by default it goes to stdout, which carries the answers), and a
#: crash report, if any, to the temporary folder rather than the current one.
_LOGGING = (
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
    f"-XX:ErrorFile={Path(tempfile.gettempdir()) / 'relgraph-hermit-hs_err_pid%p.log'}",
)


def cache_dir() -> Path:
    """Where the session's jar and class archive are kept.

    The virtual environment's ``share/relgraph/hermit`` (it also holds the HermiT jar they
    are made from), else the user's cache (:func:`user_cache_dir`).
    """
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "share" / "relgraph" / "hermit"
    return user_cache_dir()


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/relgraph/hermit`` (default ``~/.cache/relgraph/hermit``): the cache
    when there is no virtual environment, or when its folder cannot be written (a
    read-only install), so a check there stays as fast (XDG Base Directory spec)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "relgraph" / "hermit"


@dataclass(frozen=True)
class SessionFiles:
    """The session's jar (driver and owlready2's classes) and its class-data archive.

    :ivar classpath: the jar, then ``HermiT.jar``.
    :ivar archive: the class-data archive; it may not exist yet.
    """

    jar: Path
    archive: Path
    classpath: str


def _stat_key(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def _java_home(java: str) -> Path | None:
    exe = shutil.which(java)
    return Path(os.path.realpath(exe)).parent.parent if exe else None


def _digest(java_home: Path, hermit_dir: Path, options: tuple[str, ...]) -> str:
    parts = [SOURCE.read_text(encoding="utf-8"), " ".join(options), str(java_home)]
    modules = java_home / "lib" / "modules"
    if modules.exists():
        parts.append(_stat_key(modules))
    parts += sorted(_stat_key(p) for p in hermit_dir.rglob("*") if p.is_file())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def session_files(
    java: str, hermit_dir: Path, options: tuple[str, ...], *, root: Path | None = None
) -> SessionFiles | None:
    """The session's files, compiled into the cache when missing (a few seconds, once).

    :param hermit_dir: owlready2's ``hermit`` folder (``HermiT.jar`` and its overrides).
    :param options: the JVM options of the session (part of the key).
    :param root: the cache folder (default :func:`cache_dir`, then :func:`user_cache_dir`
        if that one cannot be written).
    :returns: None when they cannot be made (no ``javac`` beside ``java``, a compilation
        error, no cache folder that can be written): the caller then uses HermiT's command
        line.
    """
    home = _java_home(java)
    if home is None:
        return None
    javac = home / "bin" / "javac"
    if not javac.exists():
        return None
    folders = [root] if root is not None else list(dict.fromkeys([cache_dir(), user_cache_dir()]))
    for folder in folders:
        try:
            return _session_files_in(folder, home, javac, hermit_dir, options)
        except OSError:  # a folder that cannot be written: the next one
            continue
        except (subprocess.SubprocessError, zipfile.BadZipFile):  # compiling fails anywhere
            return None
    return None


def _session_files_in(
    folder: Path, home: Path, javac: Path, hermit_dir: Path, options: tuple[str, ...]
) -> SessionFiles:
    """The session's files in ``folder``, compiled there when missing.

    :raises OSError: when the folder cannot be written.
    :raises subprocess.SubprocessError: when ``javac`` fails.
    """
    key = _digest(home, hermit_dir, options)
    jar = folder / f"hermit-session-{key}.jar"
    files = SessionFiles(
        jar,
        folder / f"hermit-session-{key}.jsa",
        os.pathsep.join([str(jar), str(hermit_dir / "HermiT.jar")]),
    )
    if jar.is_file() and _valid_jar(jar):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    _compile(javac, hermit_dir, jar)
    _forget_others(folder, key)
    return files


def _forget_others(folder: Path, key: str) -> None:
    """Delete the files of other keys (an older driver, JDK or owlready2), each ~7 MB."""
    for path in folder.glob("hermit-session-*"):
        if key not in path.name and not path.name.endswith(".tmp"):
            try:
                path.unlink()
            except OSError:
                pass


def _valid_jar(jar: Path) -> bool:
    try:
        with zipfile.ZipFile(jar) as archive:
            return f"{_MAIN_CLASS}.class" in archive.namelist() and archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def _compile(javac: Path, hermit_dir: Path, jar: Path) -> None:
    """Compile the driver and write the jar (atomically: a temporary name, then renamed)."""
    with tempfile.TemporaryDirectory(prefix="relgraph-javac-") as tmp:
        out = Path(tmp) / "classes"
        out.mkdir()
        classpath = os.pathsep.join([str(hermit_dir), str(hermit_dir / "HermiT.jar")])
        # -sourcepath: no sources looked up on the class path (owlready2's folder has some)
        command = [str(javac), "-nowarn", "-encoding", "UTF-8", "-implicit:none", "-cp", classpath]
        command += ["-sourcepath", str(out), "-d", str(out), str(SOURCE)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603
        partial = jar.with_name(f"{jar.name}.{os.getpid()}.tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(hermit_dir.rglob("*.class")):  # owlready2's overrides
                archive.write(path, path.relative_to(hermit_dir).as_posix())
            for path in sorted(out.rglob("*.class")):
                archive.write(path, path.relative_to(out).as_posix())
        os.replace(partial, jar)


@dataclass
class Job:
    """One question to a session and, once ``finished`` is set, its answer.

    :ivar status: ``consistent``, ``inconsistent`` or ``error``; ``""`` while unanswered.
    :ivar lost: the session ended before answering (the caller asks again elsewhere).
    :ivar seconds: from when the session could take the job (its submission, or the end
        of the job before it) to its answer; the first job includes the JVM's start.
    """

    id: int
    submitted: float
    finished: threading.Event = field(default_factory=threading.Event)
    began: float | None = None
    status: str = ""
    message: str = ""
    unsatisfiable: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lost: bool = False


class Session:
    """A HermiT JVM answering questions in order (see the module's docstring).

    :param command: the JVM command up to and including the class path (``-cp PATH``).
    :param archive: the class-data archive: used when it exists, else written when the
        session ends normally (to a temporary name, renamed when complete).
    """

    def __init__(self, command: list[str], archive: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._next = 0
        self._last_done = time.perf_counter()
        self._partial: Path | None = None
        self._archive = archive
        cds: list[str] = []
        self._uses_archive = False
        self._answered = 0
        if archive is not None:
            if archive_ok(archive):
                cds = [f"-XX:SharedArchiveFile={archive}"]
                self._uses_archive = True
            else:
                _remove_archive(archive)
                self._partial = archive.with_name(f"{archive.name}.{os.getpid()}.tmp")
                cds = [f"-XX:ArchiveClassesAtExit={self._partial}"]
        full = [command[0], *_LOGGING, *cds, *command[1:], _MAIN_CLASS, str(IDLE_SECONDS)]
        self.stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._proc = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            full,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
        self._ended = threading.Event()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        """True while the JVM runs and takes questions."""
        return not self._ended.is_set() and self._proc.poll() is None

    @property
    def writes_archive(self) -> bool:
        """True when this session writes the class-data archive at its end."""
        return self._partial is not None

    def submit(self, path: Path, mode: str) -> Job | None:
        """Send one question (``k``: consistency; ``kU``: and unsatisfiable classes).

        :returns: its job, or None when the session has ended (ask elsewhere).
        """
        with self._lock:
            if not self.alive or self._proc.stdin is None:
                return None
            self._next += 1
            job = Job(self._next, time.perf_counter())
            self._jobs[job.id] = job
            try:
                self._proc.stdin.write(f"JOB\t{job.id}\t{mode}\t{path.as_uri()}\n")
                self._proc.stdin.flush()
            except (OSError, ValueError):
                del self._jobs[job.id]
                return None
            return job

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._take(line.rstrip("\n").split("\t"))
        self._proc.wait()
        self._drainer.join(5)
        self._end()

    def _take(self, fields: list[str]) -> None:
        if len(fields) < 2 or not fields[1].isdigit():
            return
        now = time.perf_counter()
        with self._lock:
            job = self._jobs.get(int(fields[1]))
            if job is None:
                return
            if fields[0] == "start":
                job.began = max(job.submitted, self._last_done)
            elif fields[0] == "unsat" and len(fields) > 2:
                job.unsatisfiable.append(fields[2])
            elif fields[0] == "done" and len(fields) > 2:
                job.status = fields[2]
                job.message = fields[4] if len(fields) > 4 else ""
                job.seconds = now - (job.began or job.submitted)
                self._last_done = now
                self._answered += 1
                del self._jobs[job.id]
                job.finished.set()

    def _drain(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def _end(self) -> None:
        """The JVM ended: unanswered jobs are lost; keep the archive if it is complete."""
        with self._lock:
            self._ended.set()
            for pipe in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass
            for job in self._jobs.values():
                job.lost = True
                job.finished.set()
            self._jobs.clear()
        failed = self._proc.returncode not in (0, -9)  # -9: killed by us (a timeout)
        if self._uses_archive and self._archive is not None and failed and not self._answered:
            _remove_archive(self._archive)  # the JVM died at once: do not trust the archive
        partial = self._partial
        if partial is None or self._archive is None:
            return
        try:
            if self._proc.returncode == 0 and partial.is_file() and partial.stat().st_size:
                _keep_archive(partial, self._archive)
            else:
                partial.unlink(missing_ok=True)
        except OSError:
            pass

    def kill(self) -> None:
        """Stop the JVM now (a question took too long): every unanswered job is lost."""
        self._proc.kill()
        self._reader.join(5)
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)

    def close(self, wait_s: float = 0.0) -> None:
        """End the session's input; wait up to ``wait_s`` for the JVM (and its archive)."""
        with self._lock:
            try:
                if self._proc.stdin is not None:
                    self._proc.stdin.close()
            except OSError:
                pass
        if wait_s > 0:
            self._reader.join(wait_s)


def _sidecar(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def archive_ok(archive: Path) -> bool:
    """True when the archive is the one a session wrote whole: its SHA-256 is the one
    recorded beside it (a truncated archive can crash the JVM, which only checks the
    archive's header against itself and the class path)."""
    try:
        return _sidecar(archive).read_text(encoding="ascii").strip() == _file_digest(archive)
    except OSError:
        return False


def _keep_archive(partial: Path, archive: Path) -> None:
    """Record the new archive's digest, then put it in place (each step atomic)."""
    sidecar = _sidecar(archive)
    tmp = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.tmp")
    tmp.write_text(_file_digest(partial) + "\n", encoding="ascii")
    os.replace(tmp, sidecar)
    os.replace(partial, archive)


def _remove_archive(archive: Path) -> None:
    for path in (archive, _sidecar(archive)):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


_SESSIONS: dict[tuple[str, ...], Session] = {}
_SESSIONS_LOCK = threading.Lock()


def session(command: list[str], archive: Path | None) -> Session | None:
    """The live session for this JVM command, started if there is none.

    :returns: None when the JVM cannot be started.
    """
    key = tuple(command)
    with _SESSIONS_LOCK:
        found = _SESSIONS.get(key)
        if found is not None and found.alive:
            return found
        try:
            started = Session(command, archive)
        except OSError:
            return None
        _SESSIONS[key] = started
        return started


@atexit.register
def _close_sessions() -> None:
    """At exit: end every session, and wait for its JVM to end (it ends when its input
    does; longer for one that writes its class archive), so that no JVM outlives us."""
    with _SESSIONS_LOCK:
        sessions = list(_SESSIONS.values())
        _SESSIONS.clear()
    for s in sessions:
        s.close(wait_s=30.0 if s.writes_archive else 2.0)
