"""One error handler for the whole app, and the headers every response carries.

Errors are answered as JSON ``{"ok": false, "error", "hint", "status", ...}``,
or as ``error.html`` for browsers. Neither reflects input as markup: JSON is
served as ``application/json`` with ``nosniff``, and the template escapes.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from relgraph.errors import QuerySyntaxError, RelgraphError
from relgraph.web.conneg import prefers_html

__all__ = ["register", "error_dict", "RETRY_AFTER_S"]

#: Seconds a client should wait after a 503 (time-out, graph not built).
RETRY_AFTER_S = 5

#: Headers a cross-origin script may read.
EXPOSED = (
    "X-Relgraph-Truncated, X-Relgraph-Rows, X-Relgraph-Elapsed-Ms, "
    "X-Relgraph-Time-Limit-Ms, Retry-After"
)

#: The Content-Security-Policy of HTML pages: nothing is loaded from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def error_dict(exc: RelgraphError | HTTPException) -> dict[str, object]:
    """The JSON body of an error."""
    if isinstance(exc, RelgraphError):
        body = exc.to_dict()
        if isinstance(exc, QuerySyntaxError):
            body["line"] = exc.line
            body["column"] = exc.column
        return body
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
    415: "POST application/x-www-form-urlencoded or application/sparql-query (UTF-8)",
}


def _respond(exc: RelgraphError | HTTPException) -> Response:
    body = error_dict(exc)
    status = int(str(body["status"]))
    if prefers_html():
        response = Response(render_template("error.html", error=body), status=status)
    else:
        response = jsonify(body)
        response.status_code = status
    if isinstance(exc, HTTPException):
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _secure(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        headers["Access-Control-Max-Age"] = "86400"
    headers.pop("Access-Control-Allow-Credentials", None)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register(app: Flask) -> None:
    """Install the error handlers and the response headers on an app."""
    app.register_error_handler(RelgraphError, _respond)
    app.register_error_handler(HTTPException, _respond)
    app.after_request(_secure)
