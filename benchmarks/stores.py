"""Start SPARQL servers on loopback for the benchmark and the tests, and stop them.

Each server runs as a child process on 127.0.0.1 on a free port, with its own
temporary folder, and is stopped (terminate, then kill) when its context ends:

* :class:`RelgraphServer` -- ``relgraph serve`` (gunicorn) over a project;
* :class:`RdflibEndpoint` -- rdflib-endpoint (rdflib's SPARQL engine, FastAPI, uvicorn);
* :class:`Virtuoso` -- Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``),
  bulk-loaded from N-Quads with ``ld_dir``/``rdf_loader_run``;
* :class:`OxigraphServer` -- Oxigraph's server (the ``oxigraph`` package on PyPI).

Every launcher exposes ``sparql`` (the query endpoint URL) and, where the
store has one, ``graph_store`` (the SPARQL 1.1 Graph Store Protocol URL).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = [
    "free_port",
    "Server",
    "RelgraphServer",
    "RdflibEndpoint",
    "Virtuoso",
    "OxigraphServer",
    "virtuoso_binary",
    "oxigraph_binary",
]

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def virtuoso_binary() -> str | None:
    """The Virtuoso server executable, if installed (``make virtuoso``)."""
    return shutil.which("virtuoso-t")


def oxigraph_binary() -> str | None:
    """The Oxigraph server executable of the ``oxigraph`` package, if installed."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


class Server:
    """A server child process with a log file and a readiness probe."""

    name = "server"
    startup_timeout_s = 120.0

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix=f"relgraph-{self.name}-")
        self.workdir = Path(self._tmp.name)
        self.log_path = self.workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_s = 0.0
        self._prepared = False
        self._loaded = False

    @property
    def sparql(self) -> str:
        """The SPARQL query endpoint."""
        return self.base + "/sparql"

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None

    def ready(self) -> bool:
        """True once the endpoint answers an ASK query."""
        query = urllib.parse.urlencode({"query": "ASK { }"})
        request = urllib.request.Request(
            f"{self.sparql}?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
                return bool(response.status == 200)
        except (OSError, urllib.error.HTTPError):
            return False

    def prepare(self) -> None:
        """Work to do before the process starts (write configuration)."""

    def after_start(self) -> None:
        """Work to do once the server answers (load data)."""

    def start(self) -> None:
        """Start the server and wait until it answers."""
        if not self._prepared:
            self.prepare()
            self._prepared = True
        started = time.perf_counter()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=self.env(),
                start_new_session=True,
            )
        deadline = time.monotonic() + self.startup_timeout_s
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log_text = self.log_path.read_text(errors="replace")[-4000:]
                self.stop()
                raise RuntimeError(f"{self.name} did not start:\n{log_text}")
            time.sleep(0.1)
        self.after_start()
        self.started_s = time.perf_counter() - started

    def restart(self) -> None:
        """Stop the process (keeping its folder and port) and start it again."""
        self._halt()
        self.start()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s) and remove its folder."""
        self._halt()
        self._tmp.cleanup()

    def _halt(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def rss_mb(self) -> float:
        """Resident memory of the server and its children, in MiB (Linux /proc)."""
        if self.process is None:
            return 0.0
        total = 0
        for pid in _tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/statm").read_text().split()
                total += int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        return total / 2**20

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += children.get(current, [])
    return out


class RelgraphServer(Server):
    """``relgraph serve`` over a project folder (its graph must be built)."""

    name = "relgraph"

    def __init__(self, project: Path, *, workers: int = 2, settings: dict[str, str] | None = None):
        super().__init__()
        self.project = project
        self.workers = workers
        self.settings = settings or {}

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "relgraph", "--project-dir", str(self.project)]
        for name, value in self.settings.items():
            args += ["-s", f"{name}={value}"]
        return args + [
            "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)
        ]  # fmt: skip


class RdflibEndpoint(Server):
    """rdflib-endpoint over an N-Quads file: rdflib's SPARQL engine behind FastAPI/uvicorn.

    The default graph is the union of the named graphs (``Dataset(default_union=True)``),
    as in relgraph.
    """

    name = "rdflib-endpoint"
    startup_timeout_s = 900.0

    def __init__(self, nquads: Path):
        super().__init__()
        self.nquads = nquads

    def command(self) -> list[str]:
        return [sys.executable, str(HERE / "rdflib_server.py"), str(self.nquads), str(self.port)]


class Virtuoso(Server):
    """Virtuoso Open Source 7 with its own database folder, bulk-loaded from N-Quads.

    :param nquads: a file to bulk-load once the server runs (None: start empty).
    :param buffers: ``NumberOfBuffers`` (8 KiB pages of cache).
    :param query_timeout_s: ``MaxQueryExecutionTime``.
    :param cost_limit_s: ``MaxQueryCostEstimationTime``, the optimiser's *estimate* above
        which Virtuoso refuses a query before running it; 0 (default) turns the refusal off,
        since the estimate varies with the machine's load and made answers flaky.
    """

    name = "virtuoso"

    def __init__(
        self,
        nquads: Path | None = None,
        *,
        buffers: int = 20000,
        query_timeout_s: int = 60,
        cost_limit_s: int = 0,
    ) -> None:
        super().__init__()
        self.nquads = nquads
        self.buffers = buffers
        self.query_timeout_s = query_timeout_s
        self.cost_limit_s = cost_limit_s
        self.sql_port = free_port()
        self.load_s = 0.0

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint (HTTP digest authentication, user dba)."""
        return self.base + "/sparql-graph-crud-auth"

    def prepare(self) -> None:
        db = self.workdir / "db"
        db.mkdir()
        self.load_dir = self.workdir / "load"
        self.load_dir.mkdir()
        (self.workdir / "virtuoso.ini").write_text(
            _VIRTUOSO_INI.format(
                db=db,
                sql_port=self.sql_port,
                http_port=self.port,
                load=self.load_dir,
                buffers=self.buffers,
                dirty=self.buffers * 3 // 4,
                timeout=self.query_timeout_s,
                cost_limit=self.cost_limit_s,
            ),
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        exe = virtuoso_binary()
        if exe is None:
            raise RuntimeError("virtuoso-t is not installed: run `make virtuoso`")
        return [exe, "+foreground", "+configfile", str(self.workdir / "virtuoso.ini")]

    def isql(self, *statements: str) -> str:
        """Run SQL statements with isql-vt as dba; return its output."""
        script = "\n".join(s.rstrip().rstrip(";") + ";" for s in statements) + "\n"
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=script.encode(),
            capture_output=True,
            timeout=1800,
            check=False,
        )
        out = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
        if result.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed: {out[-2000:]}")
        return out

    def after_start(self) -> None:
        if self.nquads is not None and not self._loaded:
            self.load(self.nquads)
            self._loaded = True

    def load(self, nquads: Path) -> None:
        """Bulk-load an N-Quads file (its graphs as named graphs)."""
        started = time.perf_counter()
        target = self.load_dir / nquads.name
        if target.exists():
            target.unlink()
        try:
            os.link(nquads, target)
        except OSError:
            shutil.copyfile(nquads, target)
        self.isql(
            f"ld_dir('{self.load_dir}', '{nquads.name}', 'urn:relgraph:default')",
            "rdf_loader_run()",
            "checkpoint",
        )
        self.load_s = time.perf_counter() - started


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {load}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = {cost_limit}
MaxQueryExecutionTime = {timeout}
DefaultGraph = urn:relgraph:default
"""


class OxigraphServer(Server):
    """Oxigraph's server (``oxigraph serve``) with its own on-disk store.

    :param union_default_graph: serve the union of the named graphs as the default graph.
    """

    name = "oxigraph"

    def __init__(self, *, union_default_graph: bool = False, timeout_s: int | None = None) -> None:
        super().__init__()
        self.union_default_graph = union_default_graph
        self.timeout_s = timeout_s

    @property
    def sparql(self) -> str:
        return self.base + "/query"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint."""
        return self.base + "/store"

    def command(self) -> list[str]:
        exe = oxigraph_binary()
        if exe is None:
            raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
        args = [exe, "serve", "--location", str(self.workdir / "db"), "--bind"]
        args.append(f"127.0.0.1:{self.port}")
        if self.union_default_graph:
            args.append("--union-default-graph")
        if self.timeout_s is not None:
            args += ["--timeout-s", str(self.timeout_s)]
        return args
