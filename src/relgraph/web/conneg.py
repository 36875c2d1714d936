"""Content negotiation helpers over werkzeug's parsed ``Accept`` header."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

__all__ = ["best_type", "prefers_html"]


def best_type(offered: Sequence[str]) -> str | None:
    """The offered media type the client rates highest (q-values), first on ties.

    A request without ``Accept`` gets the first offered type.
    """
    if not request.accept_mimetypes:
        return offered[0] if offered else None
    match = request.accept_mimetypes.best_match(offered)
    return match if match and request.accept_mimetypes[match] > 0 else None


def prefers_html(data_types: Sequence[str] = ("application/json",)) -> bool:
    """True when the client (a browser) rates text/html above the data types."""
    accept = request.accept_mimetypes
    if not accept:
        return False
    html = accept["text/html"]
    return html > 0 and all(html > accept[t] for t in data_types) and accept.best == "text/html"
