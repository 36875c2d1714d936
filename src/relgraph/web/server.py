"""Serve the app with gunicorn, a production WSGI server.

Each gunicorn worker (:class:`KeepAliveWorker`, gunicorn's ``gthread`` worker
that keeps a kept-alive connection in its thread for ``keepalive_linger_ms``;
``threads`` requests at once per worker) builds its own app after the fork,
loads the graph, and starts its pool of query worker processes; a query that
hits the time limit kills one query worker, not the web worker, so other
clients keep being served.

Self-healing: a web worker that answers ``max_error_streak`` internal errors
(500) in a row exits gracefully (it finishes the requests in flight), and the
gunicorn arbiter forks a fresh one in its place; query worker processes that
fail are replaced by their pool (:mod:`relgraph.query.pool`).
"""

from __future__ import annotations

import atexit
import logging
import os
import select
import signal
import socket
import threading
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from relgraph.errors import ConfigError, RelgraphError
from relgraph.settings import Settings
from relgraph.web.health import Health

__all__ = ["KeepAliveWorker", "RelgraphServer", "gunicorn_options", "serve"]

_log = logging.getLogger("relgraph.web")


#: Most requests one thread answers on one connection before handing it back to the poller.
MAX_LINGERING_REQUESTS = 100


class KeepAliveWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker, keeping a busy kept-alive connection in its thread.

    ``gthread`` answers each request of a kept-alive connection in two hand-offs: its
    poller thread sees the connection readable and submits it to a request thread,
    which answers and hands the connection back to the poller through a pipe. A
    client that sends its next request at once (a program, a benchmark, a page
    fetching its data) pays both hand-offs, each a thread wake-up and a wait for the
    GIL, on every request. Here the request thread first waits up to
    :attr:`linger_s` (setting ``keepalive_linger_ms``) for the next request on the
    same connection and answers it itself; only an idle connection goes back to the
    poller, so idle clients still hold no thread. The thread stops lingering as soon
    as another connection waits for a thread (fairness: every connection still gets
    its turn as with ``gthread``), after :data:`MAX_LINGERING_REQUESTS` requests in a
    row, and when the worker stops.

    Measured in ``docs/decisions/0014-latency.md``.
    """

    #: Seconds a request thread waits for the next request on its connection.
    linger_s = 0.002
    #: Send each response's head and body in one segment (``TCP_CORK``, Linux).
    cork = hasattr(socket, "TCP_CORK")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting = 0  # connections submitted to the thread pool, not yet taken
        self._waiting_lock = threading.Lock()

    def enqueue_req(self, conn: Any) -> None:
        """Submit a connection to the thread pool (gthread), counting it as waiting."""
        with self._waiting_lock:
            self._waiting += 1
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        """Answer requests on a connection while the client sends them back to back."""
        with self._waiting_lock:
            self._waiting -= 1
        result = self._answer_one(conn)
        served = 1
        while result is True and self.alive and self.linger_s > 0:
            if served >= MAX_LINGERING_REQUESTS or self._waiting > 0:
                break
            if not conn.parser.unreader.buf.getvalue():  # nothing read ahead: wait a moment
                try:
                    ready, _, _ = select.select([conn.sock], [], [], self.linger_s)
                except (OSError, ValueError):  # closed meanwhile
                    return False
                if not ready:
                    break
            result = self._answer_one(conn)
            served += 1
        return result

    def _answer_one(self, conn: Any) -> Any:
        """Answer one request (gthread's ``handle``), its response sent in one piece.

        gunicorn writes a response's head and its body with two ``sendall`` calls, and
        the connection has ``TCP_NODELAY``: the client is woken by the head, reads it,
        and sleeps again until the body comes, one more wake-up per request (and on a
        busy machine the woken client takes the core from this thread between the two
        writes). With ``TCP_CORK`` set while the request is answered, the kernel holds
        the partial segments and sends head and body together when it is cleared
        (full segments of a large body still go at once; Linux caps a cork at 200 ms).
        """
        corked = self.cork and _set_cork(conn.sock, True)
        try:
            return super().handle(conn)
        finally:
            if corked:
                _set_cork(conn.sock, False)


def _set_cork(sock: socket.socket, on: bool) -> bool:
    """Set or clear ``TCP_CORK`` on a connection; False when it cannot be (closed, not TCP)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1 if on else 0)
    except (OSError, AttributeError):
        return False
    return True


def linger_worker(linger_ms: float) -> type[KeepAliveWorker]:
    """A :class:`KeepAliveWorker` class that waits ``linger_ms`` milliseconds."""
    return type("KeepAliveWorker", (KeepAliveWorker,), {"linger_s": max(0.0, linger_ms) / 1000})


def gunicorn_options(
    settings: Settings, host: str, port: int, workers: int, threads: int | None = None
) -> dict[str, Any]:
    """The gunicorn configuration for relgraph's settings."""
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": linger_worker(float(settings.keepalive_linger_ms)),
        "threads": max(1, threads if threads is not None else int(settings.threads)),
        # A request may wait for a query worker and then run to the time limit.
        "timeout": int(settings.query_time_limit_ms) // 1000 * 3 + 30,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "preload_app": False,
        # No runtime control socket: its default path is shared by every server
        # of the same user, so two servers (e.g. test runs) would fight over it.
        "control_socket_disable": True,
    }


class RelgraphServer(BaseApplication):  # type: ignore[misc]
    """gunicorn application that builds relgraph's app in each worker."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's configuration (those this gunicorn knows)."""
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in the worker and start its query workers."""
        from relgraph.web import create_app

        app = create_app(self.settings)
        rg = app.extensions["relgraph"]
        rg.health.on_unhealthy = _exit_worker
        pool = rg.service.pool
        if pool is not None:  # None with a backend store: it does the work, no workers here
            pool.warm()
        atexit.register(rg.close)
        return app


def _exit_worker(health: Health) -> None:
    """Make this gunicorn worker exit gracefully; the arbiter starts a fresh one."""
    _log.error(
        "web worker %d answered %d internal errors in a row (setting max_error_streak): "
        "exiting so that a fresh worker takes its place",
        health.pid,
        health.streak,
    )
    os.kill(os.getpid(), signal.SIGTERM)


def check_port_free(host: str, port: int) -> None:
    """Refuse to start when ``host:port`` cannot be bound (another server holds it).

    gunicorn would retry for five seconds, print its own log lines and exit 1, the exit code
    of a failed check; this says what is wrong once, as a usage error (exit 2).

    :raises ConfigError: naming the address and the settings that choose another.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                "stop the program using that port, or choose another with --port N "
                "(or RELGRAPH_PORT=N, e.g. `RELGRAPH_PORT=5055 make serve`)",
            ) from None


def serve(
    settings: Settings, host: str, port: int, workers: int, threads: int | None = None
) -> None:
    """Run gunicorn in the foreground until interrupted.

    :raises RelgraphError: when gunicorn stops because a worker could not start
        (its log, above, says why).
    """
    from gunicorn.errors import HaltServer

    try:
        RelgraphServer(settings, gunicorn_options(settings, host, port, workers, threads)).run()
    except HaltServer as exc:
        raise RelgraphError(
            f"the server stopped: {exc.reason}",
            "see the server log above; `relgraph build` first if the graph is not built",
        ) from None
