"""The state every request of a web worker shares: settings, the graph (read-only), the service.

One :class:`AppState` per app (and so per gunicorn worker process), made by
:func:`relgraph.web.create_app` and found with :func:`current` (as
bioregistry's app-state proxy). The views get the graph as a
:class:`~relgraph.store.memory.ReadOnlyStore`: it has no method that changes
the graph. Everything computed lazily (the query service, statistics) is
computed once, under a lock; pyoxigraph's in-memory store may be read from
many threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyoxigraph as ox
from flask import current_app

from relgraph.query.catalog import StoredQuery, get_query, list_queries
from relgraph.query.description import (
    Statistics,
    ontology_version,
    statistics,
    vocabulary_terms,
)
from relgraph.query.service import QueryService
from relgraph.settings import Settings
from relgraph.store.base import ReadableStore
from relgraph.store.memory import GraphStore
from relgraph.store.remote import RemoteStore
from relgraph.web.health import Health
from relgraph.web.limits import ClientLimits
from relgraph.web.validators import GraphIdentity

__all__ = ["AppState", "EXTENSION", "current"]

T = TypeVar("T")

#: The key of the state in ``app.extensions``.
EXTENSION = "relgraph"


@dataclass
class AppState:
    """What the views may use: settings, the graph (read-only), the query service.

    :ivar settings: the resolved settings.
    :ivar store: the graph, for our own small trusted queries (labels, entity pages):
        the built graph (read-only), or the external store of the setting ``backend``.
    :ivar served: the store handed to :func:`~relgraph.web.create_app`, whose quads the
        query workers get (None: they read the built file).
    :ivar health: the internal-error counts of this process.
    :ivar limits: the per-client limits on queries (:mod:`relgraph.web.limits`).
    :ivar identity: the served built graph's digest, taken before its query workers load
        it (None: computed from ``served`` on first use, or no tags with a backend).
    """

    settings: Settings
    store: ReadableStore
    served: GraphStore | None = None
    health: Health = field(default_factory=lambda: Health(limit=0))
    limits: ClientLimits = field(
        default_factory=lambda: ClientLimits(max_queries=0, budget_ms=0, window_s=60)
    )
    identity: GraphIdentity | None = None
    _service: QueryService | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _computed: dict[str, Any] = field(default_factory=dict, repr=False)
    _compute_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def service(self) -> QueryService:
        """The query service, started on first use (its workers load the graph once)."""
        with self._lock:
            if self._service is None:
                if isinstance(self.store, RemoteStore):
                    self._service = QueryService.with_backend(self.settings, self.store)
                else:
                    self._service = QueryService.with_pool(self.settings, self.served)
            return self._service

    @property
    def service_started(self) -> QueryService | None:
        """The query service if it was started, without starting it."""
        with self._lock:
            return self._service

    def close(self) -> None:
        """Stop the query workers, if started."""
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None

    def once(self, name: str, compute: Callable[[], T]) -> T:
        """A value that does not depend on the request, computed once (not kept on error).

        The graph is read-only while served, so statistics and the data of the views
        are computed on first use; ``compute`` may itself call :meth:`once`.
        """
        with self._compute_lock:
            if name not in self._computed:
                self._computed[name] = compute()
            value: T = self._computed[name]
            return value

    def graph_digest(self) -> str | None:
        """The digest naming the served graph in entity tags, or None when there is none.

        None with an external store (its graph may change) and once the built graph was
        rebuilt under this process (:class:`~relgraph.web.validators.GraphIdentity`).
        """
        if self.identity is None:
            if self.served is None:
                return None
            self.identity = self.once("identity", self._served_identity)
        return self.identity.current()

    def _served_identity(self) -> GraphIdentity:
        assert self.served is not None
        data = self.served.serialize(ox.RdfFormat.N_QUADS)
        return GraphIdentity(hashlib.sha256(data).hexdigest())

    @property
    def statistics(self) -> Statistics:
        """Counts over the graph, computed once."""
        return self.once("statistics", lambda: statistics(self.store))

    @property
    def ontology_version(self) -> str:
        """The ontology's version IRI."""
        return self.once("ontology_version", lambda: ontology_version(self.store))

    @property
    def terms(self) -> list[dict[str, str]]:
        """Labelled classes and properties (for autocompletion)."""
        return self.once("terms", lambda: vocabulary_terms(self.store))

    def queries(self) -> list[StoredQuery]:
        """The stored queries (read on each call, so edits show without restart)."""
        return list_queries(self.settings)

    def query(self, query_id: str) -> StoredQuery:
        """One stored query by id (raises UnknownQuery, a 404)."""
        return get_query(self.settings, query_id)


def current() -> AppState:
    """The :class:`AppState` of the current app."""
    value = current_app.extensions[EXTENSION]
    assert isinstance(value, AppState)
    return value
