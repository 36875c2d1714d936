"""A pool of long-lived query worker processes that can be killed at a deadline.

Neither pyoxigraph nor rdflib can interrupt a running query from Python, so
every query of the SPARQL service runs in a worker process. Each worker loads
the built graph once, then answers jobs sent over a pipe. When a job runs past
its deadline the web process kills the worker (SIGKILL) and starts a
replacement at once; the other workers keep answering other clients. See
``docs/decisions/0003-query-timeouts.md``.

Workers are started with the ``forkserver`` method: a clean server process
(no threads, this module preloaded) forks them, which is safe inside a
threaded web server and quicker than ``spawn``.

A worker whose engine fails in an unexpected way (anything but a syntax or
evaluation error of the query: a panic in the engine, a bug in our code, no
memory) sends the traceback back and exits; the pool starts a replacement and
raises :class:`WorkerFault` (HTTP 500), so a damaged process never answers
again. Each worker is owned by one request thread at a time, from
:meth:`QueryPool._acquire` until it is released or discarded, whatever
happens in between.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from relgraph.errors import QueryTimeout, RelgraphError, ServerBusy, WorkerDied, WorkerFault
from relgraph.query.jobs import Job, execute
from relgraph.store.answer import Answer
from relgraph.store.memory import GraphStore

__all__ = ["Job", "QueryPool", "PoolStats"]


@dataclass(frozen=True)
class PoolStats:
    """The state of a pool, for ``/-/health.json`` and the tests.

    :ivar size: workers wanted; :ivar alive: worker processes running now;
    :ivar busy: workers answering a job now;
    :ivar kills: workers killed at a deadline; :ivar recycled: workers replaced
        after an unexpected failure; :ivar died: workers that ended by themselves.
    """

    size: int
    alive: int
    busy: int
    kills: int
    recycled: int
    died: int


def _open_store(path: str | None, nquads: bytes | None) -> GraphStore:
    if path is not None:
        return GraphStore.open(Path(path))
    store = ox.Store()
    store.bulk_load(input=nquads or b"", format=ox.RdfFormat.N_QUADS)
    return GraphStore(store)


def worker_main(conn: Connection, path: str | None, nquads: bytes | None) -> None:
    """Body of a worker process: load the graph once, then answer jobs until EOF.

    Errors relgraph raises on purpose cross the pipe as themselves (they pickle
    with their class and attributes, see :mod:`relgraph.errors`); anything else
    is a fault: the worker sends the traceback and exits.

    Ctrl-C in a terminal interrupts every process of the server; a worker ignores
    it and ends with its pool (which kills it on close) or when its pipe closes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = _open_store(path, nquads)
    except RelgraphError as exc:
        conn.send(("failed", exc))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())  # noqa: S301 - our own pipe, from the pool
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send_bytes(pickle.dumps(("ok", execute(store, job)), _PROTOCOL))
        except RelgraphError as exc:
            conn.send_bytes(pickle.dumps(("error", exc), _PROTOCOL))
        except (KeyboardInterrupt, SystemExit):  # pragma: no cover - shutdown
            return
        except BaseException:  # noqa: BLE001 - a panic, a bug, no memory: report and exit
            try:
                conn.send(("crashed", traceback.format_exc()))
            finally:
                conn.close()
            return


#: Jobs and answers cross the pipe as plain pickles (``send_bytes``): multiprocessing's
#: own ``send`` copies its reducer table for every message, which only sockets and
#: connections need.
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.ready = False
        self.stopped = False
        #: Held by a free (untrusted) query now: counts against the free lane.
        self.free = False


class QueryPool:
    """Long-lived worker processes, each holding the graph, killed at deadlines.

    :param path: the built N-Quads file each worker loads, or
    :param nquads: the graph as N-Quads bytes (for stores built in memory).
    :param size: the number of workers any query may use (queries answered at once).
    :param reserved: more workers that only trusted jobs (:attr:`Job.trusted`: the
        stored queries) use, so that free queries running to their deadline never
        hold every worker.
    :param start_method: ``forkserver`` (default) or ``spawn``.
    :param startup_timeout_s: how long a new worker may take to load the graph.
    :param queue_wait_s: how long a job may wait for a free worker before
        :class:`~relgraph.errors.ServerBusy` (503); None: four times its time limit
        plus ``startup_timeout_s``.
    """

    def __init__(
        self,
        *,
        path: Path | None = None,
        nquads: bytes | None = None,
        size: int = 2,
        reserved: int = 0,
        start_method: str = "forkserver",
        startup_timeout_s: float = 120.0,
        queue_wait_s: float | None = None,
    ) -> None:
        if (path is None) == (nquads is None):
            raise ValueError("give a path or N-Quads bytes, not both or neither")
        self._path = None if path is None else str(path)
        self._nquads = nquads
        self._general = max(1, size)
        self._size = self._general + max(0, reserved)
        self._free_busy = 0
        self._ctx: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(["relgraph.query.pool"])
        self._startup_timeout_s = startup_timeout_s
        self._queue_wait_s = queue_wait_s
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._busy = 0
        self._closed = False
        #: How many workers were killed at a deadline (for tests and /-/ pages).
        self.kills = 0
        #: How many workers were replaced after an unexpected failure.
        self.recycled = 0
        #: How many workers ended by themselves (while loading or answering).
        self.died = 0

    # -- lifecycle -----------------------------------------------------------
    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child, self._path, self._nquads),
            name="relgraph-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def warm(self) -> None:
        """Start every worker now and wait until each has loaded the graph."""
        with self._cond:
            while len(self._workers) < self._size:
                worker = self._spawn()
                self._workers.add(worker)
                self._idle.append(worker)
            idle = list(self._idle)
        for worker in idle:
            self._wait_ready(worker)

    def close(self) -> None:
        """Stop every worker."""
        with self._cond:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            self._stop(worker)

    def __enter__(self) -> QueryPool:
        return self

    def stats(self) -> PoolStats:
        """How many workers run, and how many were killed, recycled or died."""
        with self._cond:
            alive = sum(1 for w in self._workers if w.process.is_alive())
            return PoolStats(self._size, alive, self._busy, self.kills, self.recycled, self.died)

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        if worker.stopped:
            return
        worker.stopped = True
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        worker.process.close()

    # -- allocation ----------------------------------------------------------
    def _acquire(self, wait_s: float, *, trusted: bool = False) -> _Worker:
        deadline = time.monotonic() + wait_s
        with self._cond:
            while not self._closed:
                if trusted or self._free_busy < self._general:
                    worker = self._take()
                    if worker is not None:
                        if not trusted:
                            worker.free = True
                            self._free_busy += 1
                        return worker
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        if self._closed:
            raise RelgraphError("the query service is shut down", "restart the server")
        lane = "" if trusted else f" ({self._general} of {self._size} take free queries)"
        raise ServerBusy(
            f"all query workers{lane} stayed busy for {wait_s * 1000:.0f} ms (setting "
            "query_queue_wait_ms): the server is answering other queries",
            "try again after the time in Retry-After; the setting query_workers sets how many "
            "queries run at once",
        )

    def _take(self) -> _Worker | None:
        """An idle worker (a ready one first), or a new one if the pool is not full.

        The ready worker released last is taken first (a stack, not a queue): its
        caches and pages are warm from the query it just answered, and the workers
        not needed at the moment stay asleep (docs/decisions/0014-latency.md).
        """
        if self._idle:
            worker = next((w for w in reversed(self._idle) if w.ready), self._idle[0])
            self._idle.remove(worker)
            return worker
        if len(self._workers) < self._size:
            worker = self._spawn()
            self._workers.add(worker)
            return worker
        return None

    def _unhold(self, worker: _Worker) -> None:
        """Under the lock: a worker no longer counts against the free lane."""
        if worker.free:
            worker.free = False
            self._free_busy -= 1

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._unhold(worker)
            if self._closed:
                self._stop(worker)
                return
            self._idle.append(worker)
            self._cond.notify_all()

    def _discard(self, worker: _Worker, *, replace: bool) -> None:
        self._stop(worker)
        with self._cond:
            self._unhold(worker)
            self._workers.discard(worker)
            if replace and not self._closed and len(self._workers) < self._size:
                fresh = self._spawn()
                self._workers.add(fresh)
                self._idle.append(fresh)
            self._cond.notify_all()

    def _wait_ready(self, worker: _Worker) -> None:
        if worker.ready:
            return
        try:
            if not worker.conn.poll(self._startup_timeout_s):
                raise WorkerDied(
                    f"a query worker did not load the graph within {self._startup_timeout_s} s",
                    "check that the built graph is readable; restart the server",
                )
            message = worker.conn.recv()
        except (EOFError, OSError):
            with self._cond:
                self.died += 1
            self._discard(worker, replace=False)
            raise WorkerDied(
                "a query worker ended while loading the graph", "see the server log"
            ) from None
        except WorkerDied:
            self._discard(worker, replace=False)
            raise
        if message[0] == "failed":
            self._discard(worker, replace=False)
            error: RelgraphError = message[1]
            raise error
        worker.ready = True

    # -- running -------------------------------------------------------------
    def run(self, job: Job, time_limit_s: float) -> Answer:
        """Answer a job within ``time_limit_s`` seconds of evaluation.

        The limit counts from the moment the job reaches a ready worker.

        :raises QueryTimeout: when the deadline passed (the worker was killed).
        :raises ServerBusy: when no worker was free within the queue wait.
        :raises WorkerFault: when the worker failed unexpectedly (it was replaced).
        :raises WorkerDied: when the worker process ended (it was replaced).
        :raises RelgraphError: for errors the engine reported.
        """
        wait_s = self._queue_wait_s
        if wait_s is None:
            wait_s = time_limit_s * 4 + self._startup_timeout_s
        worker = self._acquire(wait_s=wait_s, trusted=job.trusted)
        self._wait_ready(worker)
        with self._cond:
            self._busy += 1
        try:
            message = self._answer(worker, job, time_limit_s)
        finally:
            with self._cond:
                self._busy -= 1
        if message[0] == "ok":
            answer: Answer = message[1]
            return answer
        failure: RelgraphError = message[1]
        raise failure

    def _answer(self, worker: _Worker, job: Job, time_limit_s: float) -> Any:
        """Send a job to a worker and wait for its message; replace the worker if need be."""
        message: Any = None
        try:
            worker.conn.send_bytes(pickle.dumps(job, _PROTOCOL))
            finished = worker.conn.poll(time_limit_s)
            if finished:
                message = pickle.loads(worker.conn.recv_bytes())  # noqa: S301 - our own worker
        except (EOFError, OSError):
            with self._cond:
                self.died += 1
            self._discard(worker, replace=True)
            raise WorkerDied(
                "the query worker ended while answering", "try again; see the server log"
            ) from None
        except BaseException:
            # e.g. a job that does not pickle: the worker's state is unknown, replace it
            self._discard(worker, replace=True)
            raise
        if not finished:
            with self._cond:
                self.kills += 1
            self._discard(worker, replace=True)
            raise QueryTimeout(
                f"the query ran longer than {time_limit_s * 1000:.0f} ms and was stopped",
                "add a LIMIT or more selective patterns; the limit is the setting "
                "query_time_limit_ms",
            )
        if message[0] == "crashed":
            with self._cond:
                self.recycled += 1
            self._discard(worker, replace=True)
            raise WorkerFault(
                "the query engine failed unexpectedly; its worker process was replaced",
                "try again; if it happens again, report the query (see the server log)",
                detail=str(message[1]),
            )
        self._release(worker)
        return message
