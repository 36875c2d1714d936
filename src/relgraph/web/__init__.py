"""The web front end: the SPARQL endpoint, the query page and their JSON twins.

:func:`create_app` is the one factory. It loads the graph once and hands the
views a :class:`Relgraph` object with no mutating methods; queries typed by
users run in the killable worker pool of :class:`~relgraph.sparql.SparqlService`.
Flask is imported only inside this package (and the CLI).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app

from relgraph.builder import open_built
from relgraph.catalog import StoredQuery, get_query, list_queries
from relgraph.introspection import Statistics, ontology_version, statistics, vocabulary_terms
from relgraph.settings import Settings
from relgraph.sparql import SparqlService
from relgraph.store import GraphStore
from relgraph.web.health import Health

__all__ = ["create_app", "Relgraph", "state"]

T = TypeVar("T")


@dataclass
class Relgraph:
    """What the views may use: settings, the graph (read-only use), the query service.

    Shared by every request thread of a web worker process. Everything it
    computes lazily (the query service, statistics) is computed once under a
    lock; the store is only read, and pyoxigraph's in-memory store may be read
    from many threads.

    :ivar settings: the resolved settings.
    :ivar store: the graph, for our own small trusted queries (labels, entity pages).
    :ivar own_store: True when the store was handed in (then the query workers
        get its quads rather than reading the built file).
    :ivar health: the internal-error counts of this process.
    """

    settings: Settings
    store: GraphStore
    own_store: bool = False
    health: Health = field(default_factory=lambda: Health(limit=0))
    _service: SparqlService | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _computed: dict[str, Any] = field(default_factory=dict, repr=False)
    _compute_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def service(self) -> SparqlService:
        """The query service, started on first use (its workers load the graph once)."""
        with self._lock:
            if self._service is None:
                self._service = SparqlService(self.settings, self.store if self.own_store else None)
            return self._service

    @property
    def service_started(self) -> SparqlService | None:
        """The query service if it was started, without starting it."""
        with self._lock:
            return self._service

    def close(self) -> None:
        """Stop the query workers, if started."""
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None

    def _once(self, name: str, compute: Callable[[], T]) -> T:
        with self._compute_lock:
            if name not in self._computed:
                self._computed[name] = compute()
            value: T = self._computed[name]
            return value

    @property
    def statistics(self) -> Statistics:
        """Counts over the graph, computed once."""
        return self._once("statistics", lambda: statistics(self.store))

    @property
    def ontology_version(self) -> str:
        """The ontology's version IRI."""
        return self._once("ontology_version", lambda: ontology_version(self.store))

    @property
    def terms(self) -> list[dict[str, str]]:
        """Labelled classes and properties (for autocompletion)."""
        return self._once("terms", lambda: vocabulary_terms(self.store))

    def queries(self) -> list[StoredQuery]:
        """The stored queries (read on each call, so edits show without restart)."""
        return list_queries(self.settings)

    def query(self, query_id: str) -> StoredQuery:
        """One stored query by id (raises UnknownQuery, a 404)."""
        return get_query(self.settings, query_id)


def state() -> Relgraph:
    """The :class:`Relgraph` of the current app."""
    value: Any = current_app.extensions["relgraph"]
    assert isinstance(value, Relgraph)
    return value


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Flask:
    """Build the Flask application.

    :param settings: defaults to :meth:`Settings.load` (config file, environment).
    :param store: a graph to serve; defaults to the built graph of ``settings``.
    :raises NotBuiltError: if no store is given and the graph is not built.
    """
    from relgraph.web import api, errors, pages, views

    settings = settings if settings is not None else Settings.load()
    own_store = store is not None
    graph = store if store is not None else open_built(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_bytes)
    app.config["MAX_FORM_MEMORY_SIZE"] = int(settings.max_request_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    health = Health(limit=int(settings.max_error_streak))
    app.extensions["relgraph"] = Relgraph(settings, graph, own_store, health)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(views.bp)
    errors.register(app)
    return app
