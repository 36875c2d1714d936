"""The headers every response carries: no sniffing, no framing, CORS without credentials, CSP.

* ``X-Content-Type-Options: nosniff`` everywhere, so JSON and results are never
  read as markup;
* ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'`` everywhere: no
  page of relgraph can be framed (clickjacking);
* ``Referrer-Policy: same-origin`` everywhere: query texts in URLs never leak to
  other sites;
* ``Access-Control-Allow-Origin: *`` and never ``Access-Control-Allow-Credentials``,
  so any page may query the endpoint (it is public and read-only) but a
  browser never sends cookies or credentials with it; the ``X-Relgraph-*``
  headers and ``Retry-After`` are exposed to scripts; preflight answers for
  ``OPTIONS``;
* HTML pages get a Content-Security-Policy (:data:`CSP`) that loads nothing
  from elsewhere and runs no inline script; every other response gets
  :data:`CSP_NONE` (nothing at all runs or loads, e.g. an RDF/XML answer
  opened in a browser).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

__all__ = ["CSP", "CSP_NONE", "EXPOSED", "register", "secure", "secure_headers"]

#: Headers a cross-origin script may read.
EXPOSED = (
    "X-Relgraph-Truncated, X-Relgraph-Rows, X-Relgraph-Elapsed-Ms, "
    "X-Relgraph-Time-Limit-Ms, Retry-After"
)

#: The Content-Security-Policy of HTML pages: nothing is loaded from elsewhere, scripts
#: only from our own files (the editor's library sets styles at run time, hence
#: ``'unsafe-inline'`` for styles only).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

#: The Content-Security-Policy of every other response (answers, JSON, files).
CSP_NONE = "default-src 'none'; frame-ancestors 'none'; sandbox"


def secure(response: Response) -> Response:
    """Add the security and CORS headers to a response of Flask's current request."""
    return secure_headers(response, request.method, request.path)


def secure_headers(response: Response, method: str, path: str) -> Response:
    """Add the security and CORS headers to the response to a request (method, path)."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED
    if method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        headers["Access-Control-Max-Age"] = "86400"
    headers.pop("Access-Control-Allow-Credentials", None)
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = CSP
    elif path.startswith("/static/"):
        headers.setdefault("Content-Security-Policy", CSP_NONE.replace("; sandbox", ""))
    else:
        headers["Content-Security-Policy"] = CSP_NONE
    return response


def register(app: Flask) -> None:
    """Add the headers to every response of an app (errors included)."""
    app.after_request(secure)
