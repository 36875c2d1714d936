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

import functools
from collections.abc import Sequence

from flask import request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from relgraph.query.formats import Format, Kind, formats_for, from_parameters, require

__all__ = ["FORMAT_PARAMETERS", "best_type", "negotiate", "negotiate_page", "prefers_html"]

#: Request parameters that name a result format (SPARQLWrapper sends all three).
FORMAT_PARAMETERS = ("format", "output", "results")


def best_type(offered: Sequence[str]) -> str | None:
    """The offered media type the client rates highest (q-values), first on ties.

    A request without ``Accept`` gets the first offered type.
    """
    return _best_type(request.accept_mimetypes, offered)


def prefers_html(data_types: Sequence[str] = ("application/json",)) -> bool:
    """True when the client (a browser) rates text/html above the data types."""
    return _prefers_html(request.accept_mimetypes, data_types)


#: Longest ``Accept`` header whose negotiation is remembered (browsers send ~100 characters).
_REMEMBERED_ACCEPT_CHARS = 1024


@functools.lru_cache(maxsize=256)
def _choose(kind: str, values: tuple[str, ...], accept_header: str, html: bool) -> Format | None:
    """The format for ``kind``, from format parameters and an ``Accept`` header (pure).

    A function of its strings only, so its answers are remembered (bounded,
    thread-safe): clients send the same few headers again and again, and parsing
    and matching q-values is most of the cost of negotiating.
    """
    chosen = from_parameters(kind, values)
    if chosen is not None:
        return chosen
    accept = parse_accept_header(accept_header, MIMEAccept)
    formats = formats_for(kind)
    offered = list(dict.fromkeys(media for f in formats for media in f.media_types))
    if html and _prefers_html(accept, offered):
        return None
    best = _best_type(accept, offered)
    found = next((f for f in formats if best in f.media_types), None) if best else None
    asked = accept_header or "(no Accept header)"
    return require(kind, found, asked=f"Accept: {asked}")


def _best_type(accept: MIMEAccept, offered: Sequence[str]) -> str | None:
    if not accept:
        return offered[0] if offered else None
    match = accept.best_match(offered)
    return match if match and accept[match] > 0 else None


def _prefers_html(accept: MIMEAccept, data_types: Sequence[str]) -> bool:
    if not accept:
        return False
    html = accept["text/html"]
    return html > 0 and all(html > accept[t] for t in data_types) and accept.best == "text/html"


def _negotiate(
    kind: Kind | str, params: MultiDict[str, str], *, html: bool, accept: str | None
) -> Format | None:
    values = tuple(value for name in FORMAT_PARAMETERS for value in params.getlist(name))
    header = request.headers.get("Accept", "") if accept is None else accept
    if len(header) > _REMEMBERED_ACCEPT_CHARS or any(len(v) > 200 for v in values):
        return _choose.__wrapped__(str(kind), values, header, html)
    return _choose(str(kind), values, header, html)


def negotiate(
    kind: Kind | str, params: MultiDict[str, str], *, accept: str | None = None
) -> Format:
    """The format of an answer of ``kind`` (``select``, ``ask`` or ``graph``).

    :param params: the request's parameters (query string and form).
    :param accept: the request's ``Accept`` header ("" when it has none); None: read it
        from Flask's current request.
    :raises FormatNotAcceptable: (406) naming the formats that would work.
    """
    chosen = _negotiate(kind, params, html=False, accept=accept)
    assert chosen is not None
    return chosen


def negotiate_page(
    kind: Kind | str, params: MultiDict[str, str], *, accept: str | None = None
) -> Format | None:
    """Like :func:`negotiate`, but None when the client is a browser that wants a page."""
    return _negotiate(kind, params, html=True, accept=accept)
