"""One error handler for the whole app.

Errors are answered as JSON ``{"ok": false, "error", "hint", "status", ...}``,
or as ``error.html`` for browsers; a ``.json`` URL always answers JSON, errors
included, whatever the client accepts. Neither reflects input as markup: JSON
is served as ``application/json`` with ``nosniff`` (:mod:`relgraph.web.security`),
and the template escapes.

A 500 is a bug. Each one is logged with the request (method, path, query text
cut to :data:`LOGGED_QUERY_CHARS`) and the traceback (a query worker's own
traceback when the worker failed), the client gets a short JSON or HTML
answer without internals, and the process's :class:`~relgraph.web.health.Health`
counts it: a process with ``max_error_streak`` 500s in a row is replaced.
"""

from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from relgraph.errors import InternalError, RelgraphError, WorkerFault
from relgraph.web.conneg import prefers_html
from relgraph.web.state import EXTENSION

__all__ = [
    "register",
    "error_dict",
    "log_if_internal",
    "wants_html",
    "RETRY_AFTER_S",
    "retry_after",
    "LOGGED_QUERY_CHARS",
]

#: How much of a query's text an internal-error log line shows.
LOGGED_QUERY_CHARS = 500

_log = logging.getLogger("relgraph.web")

#: Seconds a client should wait after a 503 or 429 whose error names no time itself.
RETRY_AFTER_S = 5


def retry_after(response: Response, error: dict[str, object] | None) -> Response:
    """Add ``Retry-After`` to a 503 or 429 response: the error's own time, or the default."""
    if response.status_code in (429, 503):
        seconds = error.get("retry_after_s") if error else None
        response.headers["Retry-After"] = str(
            seconds if isinstance(seconds, int) and seconds > 0 else RETRY_AFTER_S
        )
    return response


def error_dict(exc: RelgraphError | HTTPException) -> dict[str, object]:
    """The JSON body of an error."""
    if isinstance(exc, RelgraphError):
        return exc.to_dict()
    status = exc.code or 500
    return {
        "ok": False,
        "error": f"{status} {exc.name}: {exc.description}",
        "hint": _HTTP_HINTS.get(status, ""),
        "status": status,
        "type": type(exc).__name__,
    }


_HTTP_HINTS = {
    404: "see / for the query page and /sparql for the endpoint",
    405: "query with GET or POST",
    413: "the body is larger than the setting max_request_bytes; send a shorter query",
    414: "the URL is too long: POST the query (application/sparql-query) instead",
    431: "the request's headers are too large",
    415: "POST application/x-www-form-urlencoded or application/sparql-query (UTF-8)",
}


def _query_text() -> str:
    """The query of the current request (parameter or body), cut for a log line."""
    try:
        text = request.args.get("query", "")
        if not text and request.method == "POST":
            if request.mimetype == "application/x-www-form-urlencoded":
                text = request.form.get("query", "")
            elif request.mimetype == "application/sparql-query":
                text = request.get_data(cache=True).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a log line must not fail on a bad body
        text = "(unreadable)"
    if len(text) > LOGGED_QUERY_CHARS:
        text = text[:LOGGED_QUERY_CHARS] + f"... ({len(text)} characters)"
    return text


def _log_internal(exc: BaseException) -> None:
    """Log a 500 with the request and the traceback."""
    trace = "".join(traceback.format_exception(exc))
    if isinstance(exc, WorkerFault) and exc.detail:
        trace += "query worker traceback:\n" + exc.detail
    _log.error(
        "internal error (500) on %s %s; query: %r\n%s",
        request.method,
        request.full_path if request.query_string else request.path,
        _query_text(),
        trace,
    )


def log_if_internal(exc: RelgraphError) -> None:
    """Log an error a view answers itself (as a page) when it is an internal one (500)."""
    if exc.http_status == 500:
        _log_internal(exc)


def _internal(exc: Exception) -> Response:
    """Any exception no other handler knows: an internal error."""
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
        original = exc.original_exception
    else:
        original = exc
    _log_internal(original)
    body = InternalError(
        "internal error: the server failed to answer this request",
        "try again; the error is logged on the server with this request",
    ).to_dict()
    if wants_html():
        return Response(render_template("error.html", error=body), status=500)
    response = jsonify(body)
    response.status_code = 500
    return response


def _respond(exc: RelgraphError | HTTPException) -> Response:
    body = error_dict(exc)
    status = int(str(body["status"]))
    if status == 500:
        if isinstance(exc, InternalServerError):
            return _internal(exc)
        _log_internal(exc)
    if wants_html():
        response = Response(render_template("error.html", error=body), status=status)
    else:
        response = jsonify(body)
        response.status_code = status
    if isinstance(exc, HTTPException):
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return retry_after(response, body)


def wants_html() -> bool:
    """True when an error should be a page: a browser asked, and not for a ``.json`` URL."""
    return not request.path.endswith(".json") and prefers_html()


def _count(response: Response) -> Response:
    rg = current_app.extensions.get(EXTENSION)
    if rg is not None:
        rg.health.record(response.status_code)
    return response


def register(app: Flask) -> None:
    """Install the error handlers and the health count on an app."""
    app.register_error_handler(RelgraphError, _respond)
    app.register_error_handler(HTTPException, _respond)
    app.register_error_handler(Exception, _internal)
    app.after_request(_count)
