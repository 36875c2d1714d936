"""The SPARQL 1.1 Protocol query operation of ``/sparql``, on any werkzeug request.

One function, :func:`answer`, is the whole operation (SPARQL 1.1 Protocol,
section 2.1): read the query and its dataset from GET, POST form or POST direct
(:func:`read_protocol_request`), refuse updates, inspect the query, negotiate
its format, answer ``304 Not Modified`` for a matching entity tag
(:mod:`relgraph.web.validators`), admit it by the per-client limits
(:mod:`relgraph.web.limits`), run it in the query service and write the answer
with relgraph's headers (:func:`answer_response`).

It needs no Flask context: it is given the app's
:class:`~relgraph.web.state.AppState` and the request, so that the Flask view
(:func:`relgraph.web.api.sparql`) and the WSGI fast path that answers ``/sparql``
before Flask's dispatch (:mod:`relgraph.web.fastpath`) run the same code.
Errors are raised (:class:`~relgraph.errors.RelgraphError`, werkzeug's
``HTTPException``) and answered by the app's one error handler
(:mod:`relgraph.web.errors`) on both paths.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from relgraph.errors import QueryRejected, RelgraphError
from relgraph.query.formats import Format, write
from relgraph.query.inspection import QueryInfo
from relgraph.query.service import (
    Outcome,
    QueryRequest,
    effective_time_limit_ms,
    resolve_dataset,
)
from relgraph.web.conneg import negotiate, negotiate_page
from relgraph.web.limits import forwarded, limited
from relgraph.web.state import AppState
from relgraph.web.validators import answer_tag, matches, not_modified

__all__ = [
    "DIRECT",
    "FORM",
    "ProtocolRequest",
    "UPDATE",
    "UPDATE_PARAMS",
    "answer",
    "answer_response",
    "read_protocol_request",
]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
#: Parameters that only the update operation has.
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
#: Parameters a browser's redirect to the query page keeps.
_KEPT_BY_REDIRECT = frozenset({"default-graph-uri", "named-graph-uri", "timeout"})


@dataclass
class ProtocolRequest:
    """The parts of a SPARQL Protocol query request."""

    query: str | None
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    params: MultiDict[str, str]


def read_protocol_request(request: Request) -> ProtocolRequest:
    """Read query, dataset and options from GET, POST form or POST direct (Protocol 2.1.1-2.1.4).

    :raises QueryRejected: for update requests (403).
    :raises UnsupportedMediaType: for another POST body type, or a compressed body (415).
    :raises RelgraphError: for a malformed request (400).
    """
    params: MultiDict[str, str] = MultiDict(request.args)
    queries = params.getlist("query")
    if request.method == "POST":
        mimetype = request.mimetype
        coding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if coding not in {"", "identity"}:  # RFC 9110 §8.4 and §15.5.16
            raise UnsupportedMediaType(
                f"cannot read a POST body with Content-Encoding {coding!r}: send it uncompressed"
            )
        if mimetype == UPDATE:
            raise QueryRejected(
                "updates are refused (application/sparql-update)",
                "this endpoint is read-only: POST a query as application/sparql-query",
            )
        if mimetype == FORM:
            for key, value in request.form.items(multi=True):
                params.add(key, value)
            queries = params.getlist("query")
        elif mimetype == DIRECT:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in {"utf-8", "utf8"}:
                raise UnsupportedMediaType(f"the query must be UTF-8, not {charset}")
            if queries:
                raise RelgraphError(
                    "a query was given both in the body and in the URL",
                    "with application/sparql-query the body is the query; drop ?query=",
                )
            try:
                queries = [request.get_data(cache=True).decode("utf-8")]
            except UnicodeDecodeError as exc:
                raise RelgraphError(
                    f"the query body is not valid UTF-8: {exc}", "send the query as UTF-8"
                ) from None
        else:
            raise UnsupportedMediaType(f"cannot read a POST body of type {mimetype or 'none'!r}")
    for name in UPDATE_PARAMS:
        if name in params:
            raise QueryRejected(
                f"updates are refused (parameter {name!r})",
                "this endpoint is read-only: send a query with the parameter 'query'",
            )
    if len(queries) > 1:
        raise RelgraphError(f"{len(queries)} queries given", "give exactly one 'query' parameter")
    return ProtocolRequest(
        query=queries[0] if queries else None,
        default_graph_uris=tuple(params.getlist("default-graph-uri")),
        named_graph_uris=tuple(params.getlist("named-graph-uri")),
        params=params,
    )


def answer_response(outcome: Outcome, fmt: Format, *, download: bool = False) -> Response:
    """Serialise an answer with the relgraph headers (row count, truncation, time)."""
    answer = outcome.answer
    if answer.body is not None:
        if answer.body_format != fmt.name:  # pragma: no cover - written for this kind's format
            raise RelgraphError(
                f"the answer was written as {answer.body_format}, not {fmt.name}",
                "report this with the query",
            )
        body = answer.body
    else:
        body = write(answer, fmt)
    response = Response(body, content_type=fmt.content_type)
    headers = response.headers
    headers["X-Relgraph-Truncated"] = "true" if answer.truncated else "false"
    headers["X-Relgraph-Rows"] = str(answer.size)
    headers["X-Relgraph-Elapsed-Ms"] = f"{answer.elapsed_ms:.1f}"
    headers["X-Relgraph-Time-Limit-Ms"] = str(outcome.time_limit_ms)
    headers["Vary"] = "Accept"
    if download:
        headers["Content-Disposition"] = f'attachment; filename="result.{fmt.extension}"'
    return response


def answer(rg: AppState, request: Request, *, index_url: str) -> Response | None:
    """Answer a SPARQL 1.1 Protocol query request (GET, POST form, POST direct).

    :param rg: the app's state (settings, query service, limits, graph identity).
    :param request: the HTTP request (werkzeug's, or Flask's, which is one).
    :param index_url: the query page's URL, where a browser asking for a page of
        results is sent (303) with its query.
    :returns: the response, or None for a GET without a query (the caller answers
        with the service description).
    :raises RelgraphError: and werkzeug's ``HTTPException``: the request's errors, each
        with its HTTP status (400, 403, 406, 413, 415, 429, 503, 500).
    """
    proto = read_protocol_request(request)
    if proto.query is None:
        if request.method == "GET":
            return None
        raise RelgraphError("no query given", "send the SPARQL text as the parameter 'query'")
    query_request = QueryRequest(
        query=proto.query,
        default_graph_uris=proto.default_graph_uris,
        named_graph_uris=proto.named_graph_uris,
        base_iri=request.base_url,
        time_limit_ms=proto.params.get("timeout"),
    )
    info = rg.service.check(query_request)
    accept = request.headers.get("Accept", "")
    chosen: Format | None = None
    if info.form is not None:
        # Negotiate before running: a 406 or a browser's redirect costs no query.
        kind = "graph" if info.returns_graph else info.form
        chosen = negotiate_page(kind, proto.params, accept=accept)
        if chosen is None:
            keep = [(k, v) for k, v in proto.params.items(multi=True) if k in _KEPT_BY_REDIRECT]
            target = index_url + "?" + urlencode([("query", proto.query), *keep])
            return redirect(target, code=303)
    download = proto.params.get("download") == "1"
    tag: str | None = None
    if chosen is not None:
        # Written where it is evaluated: bytes, not terms, cross from the query worker.
        query_request = replace(query_request, output=(kind, chosen.name))
        tag = _answer_tag(rg, query_request, info, chosen, download)
        if tag is not None and matches(tag, request):
            # Inspected, negotiated, its options read and admitted as any query (each
            # raises as it would); only the evaluation is skipped.
            effective_time_limit_ms(rg.settings, query_request.time_limit_ms)
            resolve_dataset(
                query_request.default_graph_uris,
                query_request.named_graph_uris,
                query_request.base_iri,
            )
            with rg.limits.admit(request.remote_addr, forwarded=forwarded(request)):
                return not_modified(tag)
    outcome = limited(rg.limits, lambda: rg.service.run(query_request, info), request)
    if chosen is None or outcome.answer.kind not in chosen.kinds:
        # The form was not known before the engine read the query.
        chosen, tag = negotiate(outcome.answer.kind, proto.params, accept=accept), None
    response = answer_response(outcome, chosen, download=download)
    if tag is not None and rg.graph_digest() is not None:  # still the graph the tag names
        response.headers["ETag"] = f'W/"{tag}"'
    return response


def _answer_tag(
    rg: AppState, query: QueryRequest, info: QueryInfo, fmt: Format, download: bool
) -> str | None:
    """The entity tag of a query's answer, or None when it may change (see .validators)."""
    graph = rg.graph_digest()
    if graph is None or not info.deterministic:
        return None
    settings = rg.settings
    parts = (
        "\x1f".join(query.default_graph_uris),
        "\x1f".join(query.named_graph_uris),
        str(len(query.default_graph_uris)),
        str(len(query.named_graph_uris)),
        query.base_iri or "",
        str(settings.max_rows),
        str(settings.max_result_bytes),
        "download" if download else "",
    )
    return answer_tag(graph, query.query, fmt.name, parts)
