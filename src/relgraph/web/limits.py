"""Per-client limits on SPARQL queries: how many at once, and how much query time per window.

A public SPARQL service must keep serving everyone while one client sends
expensive queries, as Wikidata's query service does with a per-client budget
of query time answered with ``429 Too Many Requests`` and ``Retry-After``.
Every query a user sends (``/sparql``, the query page, stored queries; not the
server's own small queries of the entity pages) is admitted by
:meth:`ClientLimits.admit`, which refuses it with
:class:`~relgraph.errors.TooManyQueries` (429) when its client

* has ``client_max_queries`` queries running or waiting already, or
* used more than ``client_query_budget_ms`` of query time within the last
  ``client_budget_window_s`` seconds (a sliding window; ``Retry-After`` is the
  time until enough of it has expired).

A query is charged the time the engine spent on it (its answer's elapsed
time, at least :data:`MIN_CHARGE_MS`), or its whole time limit when it was
stopped at the deadline; a refused or malformed query costs nothing. The
client is the request's remote address (after
:class:`werkzeug.middleware.proxy_fix.ProxyFix` when the setting
``proxy_hops`` trusts a reverse proxy, see :func:`client_key`), IPv6
addresses grouped by their /64 network (one host's usual allocation).
Addresses in ``unlimited_clients`` (loopback by default) are not limited when
they connect directly, i.e. without any forwarding header.

Counts live in each web worker process (gunicorn ``workers``), so a client
spread over every worker gets up to ``workers`` times the limits; state is
bounded (:data:`MAX_TRACKED_CLIENTS`). All methods are safe from any thread.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from flask import request as flask_request
from werkzeug.wrappers import Request

from relgraph.errors import QueryTimeout, TooManyQueries
from relgraph.settings import Settings

__all__ = [
    "ClientLimits",
    "FORWARDING_HEADERS",
    "MAX_TRACKED_CLIENTS",
    "MIN_CHARGE_MS",
    "Ticket",
    "client_key",
    "forwarded",
    "limited",
    "parse_addresses",
]

T = TypeVar("T")

#: Most clients whose budgets are remembered; past it, those idle longest are forgotten.
MAX_TRACKED_CLIENTS = 100_000

#: The least a query answered is charged, in milliseconds (a flood of tiny queries costs too).
MIN_CHARGE_MS = 1.0

#: Request headers that show a request came through a proxy.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def parse_addresses(text: str) -> frozenset[str]:
    """The addresses of a space- or comma-separated setting, normalised.

    >>> sorted(parse_addresses("127.0.0.1, ::1"))
    ['127.0.0.1', '::1']
    """
    out = set()
    for item in re.split(r"[\s,]+", text.strip()):
        if item:
            try:
                out.add(str(ipaddress.ip_address(item)))
            except ValueError:
                out.add(item)
    return frozenset(out)


def client_key(address: str | None) -> str:
    """The key a client's limits are counted under: its IPv4 address, or its IPv6 /64.

    >>> client_key("192.0.2.7"), client_key("2001:db8::1"), client_key("2001:db8::2")
    ('192.0.2.7', '2001:db8::/64', '2001:db8::/64')
    >>> client_key(None)
    'unknown'
    """
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass
class _Client:
    running: int = 0
    spent: deque[tuple[float, float]] = field(default_factory=deque)  # (when, ms)
    spent_ms: float = 0.0
    seen: float = 0.0


@dataclass
class Ticket:
    """An admitted query: :meth:`charge` it the time it used (once).

    :ivar key: the client's key; :ivar limited: False for an unlimited client.
    """

    key: str
    limited: bool
    charged_ms: float = 0.0

    def charge(self, ms: float) -> None:
        """Record the query time (milliseconds) this query used."""
        self.charged_ms = max(0.0, ms)


class ClientLimits:
    """Admission of queries per client: concurrency limit and sliding time budget.

    :param max_queries: queries a client may have at once (0: no limit).
    :param budget_ms: query time per window, milliseconds (0: no budget).
    :param window_s: the window, seconds.
    :param unlimited: client addresses free of limits when they connect directly.
    :param clock: seconds, monotonic (for tests).
    """

    def __init__(
        self,
        *,
        max_queries: int,
        budget_ms: int,
        window_s: int,
        unlimited: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_queries = max(0, max_queries)
        self.budget_ms = max(0, budget_ms)
        self.window_s = max(1, window_s)
        self.unlimited = unlimited
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        #: Queries refused, by reason (for ``/-/health.json``).
        self.refused = {"concurrency": 0, "budget": 0}

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientLimits:
        """The limits the settings ask for."""
        return cls(
            max_queries=settings.client_max_queries,
            budget_ms=settings.client_query_budget_ms,
            window_s=settings.client_budget_window_s,
            unlimited=parse_addresses(settings.unlimited_clients),
        )

    def is_unlimited(self, address: str | None, *, forwarded: bool) -> bool:
        """Whether a client is free of limits: listed, and connecting directly."""
        if forwarded or not address:
            return False
        try:
            normal = str(ipaddress.ip_address(address))
        except ValueError:
            normal = address
        return normal in self.unlimited

    def _expire(self, client: _Client, now: float) -> None:
        horizon = now - self.window_s
        while client.spent and client.spent[0][0] <= horizon:
            client.spent_ms -= client.spent.popleft()[1]
        if not client.spent:
            client.spent_ms = 0.0

    def _forget_idle(self) -> None:
        if len(self._clients) <= MAX_TRACKED_CLIENTS:
            return
        idle = sorted((c.seen, key) for key, c in self._clients.items() if c.running == 0)
        for _, key in idle[: len(self._clients) - MAX_TRACKED_CLIENTS // 2]:
            del self._clients[key]

    def _retry_after(self, client: _Client, now: float) -> int:
        """Seconds until the client's spent time is back under its budget."""
        excess = client.spent_ms - self.budget_ms
        for when, ms in client.spent:
            excess -= ms
            if excess < 0:
                return max(1, math.ceil(when + self.window_s - now))
        return self.window_s  # pragma: no cover - the loop always ends below budget

    def usage(self, address: str | None) -> dict[str, float]:
        """A client's queries now and query time spent in the window (for tests, logs)."""
        key = client_key(address)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                return {"running": 0, "spent_ms": 0.0}
            self._expire(client, self._clock())
            return {"running": client.running, "spent_ms": client.spent_ms}

    @contextlib.contextmanager
    def admit(self, address: str | None, *, forwarded: bool = False) -> Iterator[Ticket]:
        """Admit one query of a client for the duration of the block, or refuse it.

        The block charges the ticket (:meth:`Ticket.charge`); a
        :class:`~relgraph.errors.QueryTimeout` leaving the block is charged the
        time limit it names if the block did not charge it.

        :raises TooManyQueries: (429, ``Retry-After``) past the concurrency limit or
            the budget.
        """
        key = client_key(address)
        if self.is_unlimited(address, forwarded=forwarded) or (
            self.max_queries == 0 and self.budget_ms == 0
        ):
            yield Ticket(key, limited=False)
            return
        now = self._clock()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = _Client()
                self._forget_idle()
            client.seen = now
            self._expire(client, now)
            if self.max_queries and client.running >= self.max_queries:
                self.refused["concurrency"] += 1
                raise TooManyQueries(
                    f"this client ({key}) already has {client.running} queries running, the "
                    f"most one client may have at once (setting client_max_queries)",
                    "wait for your other queries to finish, then try again",
                    retry_after_s=1,
                )
            if self.budget_ms and client.spent_ms >= self.budget_ms:
                self.refused["budget"] += 1
                raise TooManyQueries(
                    f"this client ({key}) used {client.spent_ms / 1000:.1f} s of query time in "
                    f"the last {self.window_s} s, more than its budget of "
                    f"{self.budget_ms / 1000:.1f} s (setting client_query_budget_ms)",
                    "wait for the time in Retry-After; cheaper queries (a LIMIT, more "
                    "selective patterns) use less of the budget",
                    retry_after_s=self._retry_after(client, now),
                )
            client.running += 1
        ticket = Ticket(key, limited=True)
        try:
            yield ticket
        except QueryTimeout as exc:
            if ticket.charged_ms == 0.0:
                ticket.charge(_limit_of(exc))
            raise
        finally:
            done = self._clock()
            with self._lock:
                client.running -= 1
                client.seen = done
                if ticket.charged_ms > 0:
                    client.spent.append((done, ticket.charged_ms))
                    client.spent_ms += ticket.charged_ms
                if key not in self._clients:  # forgotten meanwhile: keep counting it
                    self._clients[key] = client


def forwarded(request: Request | None = None) -> bool:
    """Whether a request (default: Flask's current one) came through a proxy.

    A request did when it has a forwarding header (:data:`FORWARDING_HEADERS`).
    """
    headers = (flask_request if request is None else request).headers
    return any(name in headers for name in FORWARDING_HEADERS)


def limited(limits: ClientLimits, run: Callable[[], T], request: Request | None = None) -> T:
    """Run one query of a request's client (default: Flask's current request) within its limits.

    The answer's elapsed time (``run()`` gives an object with ``answer.elapsed_ms``)
    is charged to the client.

    :raises TooManyQueries: (429) when the client is past a limit.
    """
    request = flask_request if request is None else request
    with limits.admit(request.remote_addr, forwarded=forwarded(request)) as ticket:
        outcome = run()
        answer = getattr(outcome, "answer", None)
        ticket.charge(max(MIN_CHARGE_MS, float(getattr(answer, "elapsed_ms", 0.0))))
        return outcome


def _limit_of(exc: QueryTimeout) -> float:
    """The time limit (ms) a deadline error names, or 0."""
    limit = getattr(exc, "time_limit_ms", None)
    return float(limit) if isinstance(limit, int | float) else 0.0
