"""Serve the app with gunicorn, a production WSGI server.

Each gunicorn worker (``gthread``: several requests at once per worker) builds
its own app after the fork, loads the graph, and starts its pool of query
worker processes; a query that hits the time limit kills one query worker, not
the web worker, so other clients keep being served.
"""

from __future__ import annotations

import atexit
from typing import Any

from gunicorn.app.base import BaseApplication

from relgraph.settings import Settings

__all__ = ["RelgraphServer", "gunicorn_options", "serve"]

#: Threads per gunicorn worker (requests answered at the same time by one worker).
THREADS = 4


def gunicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """The gunicorn configuration for relgraph's settings."""
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": THREADS,
        # A request may wait for a query worker and then run to the time limit.
        "timeout": int(settings.query_time_limit_ms) // 1000 * 3 + 30,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "preload_app": False,
    }


class RelgraphServer(BaseApplication):  # type: ignore[misc]
    """gunicorn application that builds relgraph's app in each worker."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's configuration."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in the worker and start its query workers."""
        from relgraph.web import create_app

        app = create_app(self.settings)
        rg = app.extensions["relgraph"]
        rg.service.pool.warm()
        atexit.register(rg.close)
        return app


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run gunicorn in the foreground until interrupted."""
    RelgraphServer(settings, gunicorn_options(settings, host, port, workers)).run()
