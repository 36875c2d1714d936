"""The SPARQL 1.1 Protocol endpoint (query operation), VoID and ``/-/`` introspection."""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.wrappers import Response as BaseResponse

from relgraph import __version__
from relgraph.errors import QueryRejected, RelgraphError
from relgraph.query.description import service_description, void_description
from relgraph.query.formats import Format, write, write_document
from relgraph.query.inspection import QueryInfo
from relgraph.query.service import (
    Outcome,
    QueryRequest,
    effective_time_limit_ms,
    resolve_dataset,
)
from relgraph.settings import SETTINGS
from relgraph.vocab import PREFIXES
from relgraph.web.conneg import negotiate, negotiate_page
from relgraph.web.limits import forwarded, limited
from relgraph.web.state import current
from relgraph.web.validators import answer_tag, matches, not_modified

__all__ = ["bp", "read_protocol_request", "ProtocolRequest", "answer_response"]

bp = Blueprint("api", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
#: Parameters that only the update operation has.
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass
class ProtocolRequest:
    """The parts of a SPARQL Protocol query request."""

    query: str | None
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    params: MultiDict[str, str]


def read_protocol_request() -> ProtocolRequest:
    """Read query, dataset and options from GET, POST form or POST direct.

    :raises QueryRejected: for update requests (403).
    :raises UnsupportedMediaType: for another POST body type (415).
    :raises RelgraphError: for a malformed request (400).
    """
    params: MultiDict[str, str] = MultiDict(request.args)
    queries = params.getlist("query")
    if request.method == "POST":
        mimetype = request.mimetype
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
    response.headers["X-Relgraph-Truncated"] = "true" if answer.truncated else "false"
    response.headers["X-Relgraph-Rows"] = str(answer.size)
    response.headers["X-Relgraph-Elapsed-Ms"] = f"{answer.elapsed_ms:.1f}"
    response.headers["X-Relgraph-Time-Limit-Ms"] = str(outcome.time_limit_ms)
    response.headers["Vary"] = "Accept"
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="result.{fmt.extension}"'
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> BaseResponse:
    """The SPARQL 1.1 Protocol query operation (GET, POST form, POST direct)."""
    proto = read_protocol_request()
    if proto.query is None:
        if request.method == "GET":
            return _describe_service()
        raise RelgraphError("no query given", "send the SPARQL text as the parameter 'query'")
    rg = current()
    query_request = QueryRequest(
        query=proto.query,
        default_graph_uris=proto.default_graph_uris,
        named_graph_uris=proto.named_graph_uris,
        base_iri=request.base_url,
        time_limit_ms=proto.params.get("timeout"),
    )
    info = rg.service.check(query_request)
    chosen: Format | None = None
    if info.form is not None:
        # Negotiate before running: a 406 or a browser's redirect costs no query.
        kind = "graph" if info.returns_graph else info.form
        chosen = negotiate_page(kind, proto.params)
        if chosen is None:
            keep = [
                (k, v)
                for k, v in proto.params.items(multi=True)
                if k in {"default-graph-uri", "named-graph-uri", "timeout"}
            ]
            target = url_for("pages.index") + "?" + urlencode([("query", proto.query), *keep])
            return redirect(target, code=303)
    download = proto.params.get("download") == "1"
    tag: str | None = None
    if chosen is not None:
        # Written where it is evaluated: bytes, not terms, cross from the query worker.
        query_request = replace(query_request, output=(kind, chosen.name))
        tag = _answer_tag(query_request, info, chosen, download)
        if tag is not None and matches(tag):
            # Inspected, negotiated, its options read and admitted as any query (each
            # raises as it would); only the evaluation is skipped.
            effective_time_limit_ms(rg.settings, query_request.time_limit_ms)
            resolve_dataset(
                query_request.default_graph_uris,
                query_request.named_graph_uris,
                query_request.base_iri,
            )
            with rg.limits.admit(request.remote_addr, forwarded=forwarded()):
                return not_modified(tag)
    outcome = limited(rg.limits, lambda: rg.service.run(query_request, info))
    if chosen is None or outcome.answer.kind not in chosen.kinds:
        # The form was not known before the engine read the query.
        chosen, tag = negotiate(outcome.answer.kind, proto.params), None
    response = answer_response(outcome, chosen, download=download)
    if tag is not None and rg.graph_digest() is not None:  # still the graph the tag names
        response.headers["ETag"] = f'W/"{tag}"'
    return response


def _answer_tag(query: QueryRequest, info: QueryInfo, fmt: Format, download: bool) -> str | None:
    """The entity tag of a query's answer, or None when it may change (see .validators)."""
    graph = current().graph_digest()
    if graph is None or not info.deterministic:
        return None
    settings = current().settings
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


def _rdf_document(build: Any) -> BaseResponse:
    chosen = negotiate_page("graph", MultiDict(request.args))
    if chosen is None:
        return redirect(url_for("pages.index"), code=303)
    response = Response(write_document(build(), chosen), content_type=chosen.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _void_iri() -> str:
    return url_for("api.void", _external=True)


def _describe_service() -> BaseResponse:
    rg = current()
    endpoint = url_for("api.sparql", _external=True)
    return _rdf_document(lambda: service_description(endpoint, rg.statistics, _void_iri()))


@bp.route("/.well-known/void")
def void() -> BaseResponse:
    """A VoID description of the dataset, with statistics and partitions."""
    rg = current()
    endpoint = url_for("api.sparql", _external=True)
    return _rdf_document(
        lambda: void_description(endpoint, _void_iri(), rg.statistics, rg.ontology_version)
    )


@bp.route("/-/settings.json")
def settings_json() -> Response:
    """Every setting's value, with its help text."""
    rg = current()
    return jsonify(
        {
            "settings": rg.settings.as_dict(),
            "help": {s.name: s.help for s in SETTINGS},
        }
    )


@bp.route("/-/graphs.json")
def graphs_json() -> Response:
    """The named graphs with their triple counts."""
    graphs = current().store.graphs()
    return jsonify(
        {
            "graphs": [{"iri": g.iri, "triples": g.triples} for g in graphs],
            "triples": sum(g.triples for g in graphs),
        }
    )


def _version_of(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - all are dependencies
        return ""


@bp.route("/-/version.json")
def version_json() -> Response:
    """Versions of relgraph, the ontology and the libraries serving them."""
    return jsonify(
        {
            "relgraph": __version__,
            "ontology_version_iri": current().ontology_version,
            "python": platform.python_version(),
            "pyoxigraph": _version_of("pyoxigraph"),
            "rdflib": _version_of("rdflib"),
            "flask": _version_of("flask"),
            "gunicorn": _version_of("gunicorn"),
        }
    )


@bp.route("/-/health.json")
def health_json() -> Response:
    """This web worker process: its internal-error counts and its query workers."""
    rg = current()
    body = rg.health.as_dict()
    service = rg.service_started
    pool = service.pool if service is not None else None
    if pool is not None:
        stats = pool.stats()
        body["query_workers"] = {
            "size": stats.size,
            "alive": stats.alive,
            "busy": stats.busy,
            "killed_at_deadline": stats.kills,
            "recycled": stats.recycled,
            "died": stats.died,
        }
    body["refused_queries"] = dict(rg.limits.refused)
    return jsonify(body)


@bp.route("/-/prefixes.json")
def prefixes_json() -> Response:
    """The prefixes every query may use without declaring them."""
    return jsonify(PREFIXES)


@bp.route("/-/terms.json")
def terms_json() -> Response:
    """Labelled classes and properties, for the editor's autocompletion."""
    return jsonify({"terms": current().terms})


@bp.route("/-/statistics.json")
def statistics_json() -> Response:
    """The counts the VoID description reports."""
    stats = current().statistics
    return jsonify(
        {
            "triples": stats.triples,
            "distinct_subjects": stats.distinct_subjects,
            "distinct_objects": stats.distinct_objects,
            "entities": stats.entities,
            "classes": stats.classes,
            "properties": stats.properties,
            "graphs": stats.graphs,
        }
    )
