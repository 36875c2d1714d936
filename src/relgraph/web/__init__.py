"""The web part: the SPARQL endpoint, the pages and their JSON twins (Flask).

:func:`create_app` is the one factory. It loads the graph once and keeps an
:class:`~relgraph.web.state.AppState` (settings, the graph as a read-only
store, the query service) for the views; queries typed by users run in the
killable worker pool of :class:`~relgraph.query.service.QueryService`. Flask
is imported only inside this package.

* :mod:`.state` -- the shared state and :func:`~relgraph.web.state.current`;
* :mod:`.twins` -- registering a page with its ``.json`` twin, one data function for both;
* :mod:`.pages` -- the query page, stored queries, the entity page of any IRI;
* :mod:`.studies` -- the studies curators added (``/studies``), and their sheets;
* :mod:`.views` -- the graph views (explorer, comparison, gap map, analytics), entity pages;
* :mod:`.resources` -- our IRIs at their own paths: 303 to a document in the format asked for;
* :mod:`.api` -- ``/sparql`` (SPARQL 1.1 Protocol), VoID, ``/-/`` introspection;
* :mod:`.endpoint` -- the protocol's query operation on any request (the view's code);
* :mod:`.fastpath` -- GET and POST ``/sparql`` answered with it before Flask's dispatch;
* :mod:`.conneg` -- content negotiation over the format registry;
* :mod:`.errors` -- the one error handler (JSON for ``.json`` URLs and clients, HTML for browsers);
* :mod:`.security` -- the headers every response carries (CSP, CORS, nosniff, frames);
* :mod:`.limits` -- per-client limits on queries (concurrency, budget of query time: 429);
* :mod:`.health` -- internal-error counts, and replacing a failing process;
* :mod:`.validators` -- entity tags of answers, ``If-None-Match`` and 304;
* :mod:`.server` -- gunicorn.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from relgraph.settings import Settings
from relgraph.store.base import ReadableStore
from relgraph.store.builder import open_built
from relgraph.store.memory import GraphStore, ReadOnlyStore
from relgraph.store.remote import RemoteStore
from relgraph.web import api, errors, pages, security, studies, views
from relgraph.web.fastpath import SparqlFastPath
from relgraph.web.health import Health
from relgraph.web.limits import ClientLimits
from relgraph.web.state import EXTENSION, AppState
from relgraph.web.validators import GraphIdentity, built_identity

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Flask:
    """Build the Flask application.

    :param settings: defaults to :meth:`Settings.load` (config file, environment).
    :param store: a graph to serve; defaults to the built graph of ``settings``, or,
        when the setting ``backend`` is set, the external store at that URL (every page
        and ``/sparql`` then read it; nothing is loaded here).
    :raises NotBuiltError: if no store is given, no backend is set and the graph is not built.
    """
    settings = settings if settings is not None else Settings.load()
    readable: ReadableStore
    identity: GraphIdentity | None = None
    if store is None and settings.backend:
        readable = RemoteStore.from_settings(settings)
    elif store is None:
        identity = built_identity(settings)  # before the query workers load the graph
        readable = ReadOnlyStore(open_built(settings))
    else:
        readable = ReadOnlyStore(store)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    health = Health(limit=settings.max_error_streak)
    limits = ClientLimits.from_settings(settings)
    app.extensions[EXTENSION] = AppState(settings, readable, store, health, limits, identity)
    if settings.sparql_fast_path:
        app.wsgi_app = SparqlFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxy_hops > 0:
        # Trust exactly this many proxies' X-Forwarded-* headers, and no more (docs/security.md).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(studies.bp)
    errors.register(app)
    security.register(app)
    return app
