"""GET and POST ``/sparql`` answered before Flask's dispatch (a WSGI middleware).

A query sent to ``/sparql`` is most of what a SPARQL endpoint answers, and
Flask's machinery around the view (app and request contexts, URL matching,
signals, the session interface, ``after_request`` functions through context-local
proxies) cost more than the protocol code itself (docs/decisions/0019).
:class:`SparqlFastPath` sits between gunicorn (and ``ProxyFix``) and the Flask
app: for ``GET /sparql?query=...`` and ``POST /sparql`` it builds the app's own
request object (``flask.Request``, with the app's body limits) and calls
:func:`relgraph.web.endpoint.answer`, the code of the Flask view, with the app's
state; a successful answer (200, 303, 304) gets the headers every response gets
(:func:`~relgraph.web.security.secure_headers`) and is counted by the process's
:class:`~relgraph.web.health.Health`, as Flask's ``after_request`` functions do.

Everything else goes through Flask unchanged:

* other paths and methods (``OPTIONS`` preflight, ``HEAD``), and a ``GET`` without
  ``query`` (the service description);
* every error: the exception is handed to the app's own handlers
  (:mod:`relgraph.web.errors`) inside a Flask request context made for the same
  request object, so error bodies, HTML for browsers, ``Retry-After``, the log
  line of a 500 and the health count are those of the Flask path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask.ctx import RequestContext
from werkzeug.wrappers import Request, Response

from relgraph.web import endpoint
from relgraph.web.security import secure_headers
from relgraph.web.state import EXTENSION, AppState

if TYPE_CHECKING:  # pragma: no cover - types only
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["PATH", "SparqlFastPath"]

#: The path answered here (below the app's root, ``SCRIPT_NAME``).
PATH = "/sparql"


class SparqlFastPath:
    """WSGI middleware answering the SPARQL query operation with the Flask view's code.

    :param app: the Flask app (its state, request class, body limits, error handlers).
    :param wsgi_app: the WSGI callable to pass everything else to (``app.wsgi_app``).
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        state = app.extensions[EXTENSION]
        assert isinstance(state, AppState)
        self.state = state
        self._max_content_length: int | None = app.config.get("MAX_CONTENT_LENGTH")
        self._max_form_memory_size: int | None = app.config.get("MAX_FORM_MEMORY_SIZE")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer ``GET``/``POST /sparql`` here, anything else through Flask."""
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "POST"):
            return self.wsgi_app(environ, start_response)
        request: Request = self.app.request_class(environ)
        request.max_content_length = self._max_content_length
        request.max_form_memory_size = self._max_form_memory_size
        if method == "GET" and "query" not in request.args:
            return self.wsgi_app(environ, start_response)  # the service description
        try:
            response = endpoint.answer(self.state, request, index_url=request.root_path + "/")
        except Exception as exc:  # noqa: BLE001 - every error goes to the app's handlers
            response = self._error(environ, request, exc)
        else:
            if response is None:  # pragma: no cover - a GET with a query has one
                return self.wsgi_app(environ, start_response)
            secure_headers(response, method, request.path)
            self.state.health.record(response.status_code)
        return response(environ, start_response)

    def _error(self, environ: WSGIEnvironment, request: Request, exc: Exception) -> Response:
        """The app's answer to an error, as Flask gives it (handlers, ``after_request``)."""
        ctx = RequestContext(self.app, environ, request=request)  # type: ignore[arg-type]
        ctx.push()
        error: BaseException | None = None
        try:
            try:
                handled: Any = self.app.handle_user_exception(exc)
            except Exception as unhandled:  # noqa: BLE001 - as Flask's wsgi_app does
                error = unhandled
                return self.app.handle_exception(unhandled)
            return self.app.finalize_request(handled)
        finally:
            ctx.pop(error)
