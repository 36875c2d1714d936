"""Content negotiation over werkzeug's parsed ``Accept`` header and the ``format`` parameters.

:func:`negotiate` picks the format of an answer: a ``format``, ``output`` or
``results`` parameter that names a format wins (the names clients send are
in :mod:`relgraph.query.formats`); a value naming no format is ignored, and the
``Accept`` header decides (q-values, then the server's order). An answer that
fits no format the client accepts, or a format parameter naming a format the
answer cannot have (CSV for ASK), is refused with 406 naming the formats that
would work.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.datastructures import MultiDict

from relgraph.query.formats import Format, Kind, formats_for, from_parameters, require

__all__ = ["FORMAT_PARAMETERS", "best_type", "negotiate", "negotiate_page", "prefers_html"]

#: Request parameters that name a result format (SPARQLWrapper sends all three).
FORMAT_PARAMETERS = ("format", "output", "results")


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


def _negotiate(kind: Kind | str, params: MultiDict[str, str], *, html: bool) -> Format | None:
    values = [value for name in FORMAT_PARAMETERS for value in params.getlist(name)]
    chosen = from_parameters(kind, values)
    if chosen is not None:
        return chosen
    formats = formats_for(kind)
    offered = list(dict.fromkeys(media for f in formats for media in f.media_types))
    if html and prefers_html(offered):
        return None
    best = best_type(offered)
    found = next((f for f in formats if best in f.media_types), None) if best else None
    asked = request.headers.get("Accept", "") or "(no Accept header)"
    return require(kind, found, asked=f"Accept: {asked}")


def negotiate(kind: Kind | str, params: MultiDict[str, str]) -> Format:
    """The format of an answer of ``kind`` (``select``, ``ask`` or ``graph``).

    :param params: the request's parameters (query string and form).
    :raises FormatNotAcceptable: (406) naming the formats that would work.
    """
    chosen = _negotiate(kind, params, html=False)
    assert chosen is not None
    return chosen


def negotiate_page(kind: Kind | str, params: MultiDict[str, str]) -> Format | None:
    """Like :func:`negotiate`, but None when the client is a browser that wants a page."""
    return _negotiate(kind, params, html=True)
