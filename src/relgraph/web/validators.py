"""Conditional requests for SPARQL answers: ``ETag``, ``If-None-Match`` (RFC 9110, 8.8.3, 13.1.2).

The served graph does not change while it is served (it changes only when the
sources are rebuilt), so the answer to a query is a function of the graph, the
query text, its dataset, the format it is written in and the caps that may cut
it. :func:`answer_tag` makes a weak entity tag of exactly these; a client (or a
cache in front of relgraph) that sends it back in ``If-None-Match`` gets ``304
Not Modified`` without the query being run again, as Datasette does for its
immutable databases. Weak, because two query worker processes may write an
equal answer differently (blank node labels, the order of an unordered answer).

What keeps this honest:

* no tag for a query that calls a function whose value changes from one
  evaluation to the next (``RAND``, ``NOW``, ``UUID``, ``STRUUID``, ``BNODE``;
  :attr:`~relgraph.query.inspection.QueryInfo.deterministic`);
* no tag when the graph is served from an external store (it may change there);
* no tag once the built graph on disk was rebuilt since this web worker started
  (:class:`GraphIdentity`): a query worker replaced after that would load the new
  graph, so answers are no longer known to be those of the graph the tags name.
  The tags come back, naming the new graph, when the server restarts;
* a conditional request is inspected, negotiated and admitted by the per-client
  limits like any other (refused queries are refused, a client past its limits
  gets 429); only the evaluation is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from flask import request as flask_request
from werkzeug.wrappers import Request, Response

from relgraph.settings import Settings
from relgraph.store.builder import manifest_path

__all__ = ["GraphIdentity", "answer_tag", "built_identity", "matches", "not_modified"]


class GraphIdentity:
    """The digest of the graph a web worker serves, while it is still the one on disk.

    :param digest: SHA-256 (hex) of the served graph's N-Quads.
    :param manifest: the build's manifest, whose replacement means a rebuild (None: the
        graph was handed to the app and cannot change).
    """

    def __init__(self, digest: str, manifest: Path | None = None) -> None:
        self.digest = digest
        self._manifest = manifest
        self._stamp = self._stat() if manifest is not None else None
        self._changed = False
        self._lock = threading.Lock()

    def _stat(self) -> tuple[int, int] | None:
        assert self._manifest is not None
        try:
            info = os.stat(self._manifest)
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns

    def current(self) -> str | None:
        """The digest, or None once the built graph was replaced (a ``stat``, ~2 µs)."""
        if self._manifest is None:
            return self.digest
        if self._changed:
            return None
        if self._stat() != self._stamp:
            with self._lock:
                self._changed = True
            return None
        return self.digest


def built_identity(settings: Settings) -> GraphIdentity | None:
    """The identity of the built graph: its manifest's digest (None: no manifest, no tags)."""
    path = manifest_path(settings)
    identity = GraphIdentity("", path)  # the stamp first: a rebuild after it is noticed
    try:
        digest = json.loads(path.read_text(encoding="utf-8")).get("graph_sha256")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(digest, str) or not digest:
        return None
    identity.digest = digest
    return identity


def answer_tag(graph: str, query: str, fmt: str, parts: Iterable[str]) -> str:
    """The entity tag (without quotes) of an answer: a digest of all it depends on.

    :param graph: the graph's digest; :param query: the query text;
    :param fmt: the result format's name; :param parts: everything else that shapes the
        answer (dataset IRIs, base IRI, row and byte caps, download flag).
    """
    digest = hashlib.sha256()
    for part in (graph, query, fmt, *parts):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def matches(tag: str, request: Request | None = None) -> bool:
    """Whether a request's ``If-None-Match`` names ``tag`` (weak comparison, RFC 9110 13.1.2).

    :param request: default: Flask's current request.

    ``*`` is not taken as a match: whether a query has an answer at all (it may not
    parse) is known only once it ran, so such a request is answered in full.
    """
    request = flask_request if request is None else request
    if "HTTP_IF_NONE_MATCH" not in request.environ:
        return False
    tags = request.if_none_match
    return not tags.star_tag and tags.contains_weak(tag)


def not_modified(tag: str) -> Response:
    """``304 Not Modified`` for ``tag``, with the headers a 200 would vary by."""
    # Not text/html: the security headers then give it the CSP of answers (CSP_NONE).
    response = Response(status=304, mimetype="application/octet-stream")
    response.headers["ETag"] = f'W/"{tag}"'
    response.headers["Vary"] = "Accept"
    return response
