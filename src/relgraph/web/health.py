"""The health of one web worker process: internal errors in a row, and what to do about them.

Every response is recorded. A 500 (an internal error: a bug, or a query worker
that failed) lengthens the streak; any answer below 500 ends it (503s, the
answers to queries that ran out of time, leave it as it is). When the streak
reaches the setting ``max_error_streak`` the process is declared unhealthy
once, and :attr:`Health.on_unhealthy` runs: under gunicorn it makes the worker
exit gracefully, so that the arbiter forks a fresh one (see
:mod:`relgraph.web.server`); elsewhere it only logs.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Health"]

_log = logging.getLogger("relgraph.web")


def _log_only(health: Health) -> None:
    _log.error(
        "process %d: %d internal errors in a row (setting max_error_streak)",
        health.pid,
        health.streak,
    )


@dataclass
class Health:
    """Counts of internal errors of this process; safe to use from any thread.

    :ivar limit: internal errors in a row that make the process unhealthy (0: never).
    :ivar on_unhealthy: called once, in the thread that saw the last error.
    """

    limit: int
    on_unhealthy: Callable[[Health], None] = _log_only
    pid: int = field(default_factory=os.getpid)
    started: float = field(default_factory=time.time)
    streak: int = 0
    internal_errors: int = 0
    responses: int = 0
    unhealthy: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int) -> None:
        """Count one response by its HTTP status."""
        trigger = False
        with self._lock:
            self.responses += 1
            if status == 500:
                self.internal_errors += 1
                self.streak += 1
                if self.limit > 0 and self.streak >= self.limit and not self.unhealthy:
                    self.unhealthy = trigger = True
            elif status < 500:
                self.streak = 0
        if trigger:
            self.on_unhealthy(self)

    def as_dict(self) -> dict[str, object]:
        """The counts, for ``/-/health.json``."""
        with self._lock:
            return {
                "ok": not self.unhealthy,
                "pid": self.pid,
                "uptime_s": round(time.time() - self.started, 1),
                "responses": self.responses,
                "internal_errors": self.internal_errors,
                "error_streak": self.streak,
                "max_error_streak": self.limit,
            }
