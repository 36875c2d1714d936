"""The headers every response carries: no sniffing, CORS without credentials, a CSP for pages.

* ``X-Content-Type-Options: nosniff`` everywhere, so JSON and results are never
  read as markup;
* ``Access-Control-Allow-Origin: *`` without credentials, so any page may query
  the endpoint (it is public and read-only), and the ``X-Relgraph-*`` headers
  are exposed to scripts; preflight answers for ``OPTIONS``;
* HTML pages get a Content-Security-Policy that loads nothing from elsewhere,
  and ``Referrer-Policy: same-origin``.
"""

from __future__ import annotations

from flask import Flask, Response, request

__all__ = ["CSP", "EXPOSED", "register", "secure"]

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


def secure(response: Response) -> Response:
    """Add the security and CORS headers to a response."""
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
    """Add the headers to every response of an app (errors included)."""
    app.after_request(secure)
