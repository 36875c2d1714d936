"""The HTML pages, each registered with its JSON twin: query page, stored queries, any IRI.

Each page has one data function giving a :class:`~relgraph.web.twins.Page`;
:func:`~relgraph.web.twins.page` registers the page and its ``.json`` twin
with it, so both show the same dict (the cells, tables and entity data come
from :mod:`relgraph.views`). Templates never touch the store. Queries typed by
users run in the killable worker pool; parameters of stored queries are bound
as terms, never pasted into the query text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from relgraph.errors import RelgraphError
from relgraph.query.catalog import StoredQuery
from relgraph.query.formats import downloads
from relgraph.query.inspection import inspect_cached
from relgraph.query.service import Outcome, QueryRequest, effective_time_limit_ms
from relgraph.views.results import result_table
from relgraph.vocab import RDFS, RG, RGR
from relgraph.web.conneg import negotiate
from relgraph.web.endpoint import answer_response
from relgraph.web.errors import error_dict, log_if_internal, retry_after
from relgraph.web.limits import forwarded, limited
from relgraph.web.resources import link
from relgraph.web.state import current
from relgraph.web.twins import Page, page
from relgraph.web.validators import answer_tag, matches, not_modified
from relgraph.web.views import entity_data

__all__ = ["bp", "results_dict", "DEFAULT_QUERY"]

bp = Blueprint("pages", __name__)

#: What the editor shows when no query is given.
DEFAULT_QUERY = f"""PREFIX rg: <{RG}>
PREFIX rdfs: <{RDFS}>

SELECT ?theory ?label WHERE {{
  ?theory a rg:Theory ;
          rdfs:label ?label .
}}
ORDER BY ?label
LIMIT 100
"""
_DATASET_KEYS = ("default-graph-uri", "named-graph-uri", "timeout")


def results_dict(outcome: Outcome, *, permalink: str, download: str) -> dict[str, Any]:
    """The data of a result table: labelled cells with links, counts, downloads.

    :param permalink: URL that reproduces the query and its results.
    :param download: URL prefix to which ``format=...&download=1`` is appended.
    """
    answer = outcome.answer
    glue = "&" if "?" in download else "?"
    return {
        "ok": True,
        **result_table(answer, current().store, link),
        "max_rows": current().settings.max_rows,
        "time_limit_ms": outcome.time_limit_ms,
        "permalink": permalink,
        "downloads": [
            {
                "format": f.name,
                "label": f.label,
                "href": f"{download}{glue}format={f.name}&download=1",
            }
            for f in downloads(answer.kind)
        ],
    }


def _params() -> MultiDict[str, str]:
    params: MultiDict[str, str] = MultiDict(request.args)
    if request.method == "POST":
        for key, value in request.form.items(multi=True):
            params.add(key, value)
    return params


def _run_free(params: MultiDict[str, str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Run the free query in ``params``: (results, None) or (None, error)."""
    text = params.get("query", "")
    if not text.strip():
        return None, None
    extra = [(k, v) for k, v in params.items(multi=True) if k in _DATASET_KEYS and v]
    rg = current()
    query_request = QueryRequest(
        query=text,
        default_graph_uris=tuple(params.getlist("default-graph-uri")),
        named_graph_uris=tuple(params.getlist("named-graph-uri")),
        base_iri=url_for("api.sparql", _external=True),
        time_limit_ms=params.get("timeout"),
    )
    try:
        outcome = limited(rg.limits, lambda: rg.service.run(query_request))
    except RelgraphError as exc:
        log_if_internal(exc)
        return None, error_dict(exc)
    encoded = urlencode([("query", text), *extra])
    return (
        results_dict(
            outcome,
            permalink=url_for("pages.index") + "?" + encoded,
            download=url_for("api.sparql") + "?" + encoded,
        ),
        None,
    )


def _status(error: dict[str, Any] | None) -> int:
    return int(str(error["status"])) if error else 200


def _example(query: StoredQuery) -> dict[str, Any]:
    return {
        "id": query.id,
        "title": query.title,
        "question": query.question,
        "summary": query.summary,
        "tags": list(query.tags),
        "query": query.standalone(),
        "run": url_for("pages.index") + "?" + urlencode([("query", query.standalone())]),
        "page": url_for("pages.stored_query", query_id=query.id),
        "params": [{"name": p.name, "default": p.default} for p in query.params],
    }


def index_page() -> Page:
    """The query page: editor, examples, limits, and (given a query) its results."""
    params = _params()
    results, error = _run_free(params)
    settings = current().settings
    data = {
        "query": params.get("query") or DEFAULT_QUERY,
        "examples": [_example(q) for q in current().queries()],
        "results": results,
        "error": error,
        "limits": {
            "query_time_limit_ms": settings.query_time_limit_ms,
            "max_rows": settings.max_rows,
        },
    }
    return Page(data, _status(error))


def queries_page() -> Page:
    """The list of stored (competency) queries."""
    return Page({"queries": [_example(q) for q in current().queries()]})


def _stored_values(query: StoredQuery) -> dict[str, str]:
    names = {p.name for p in query.params}
    return {k: v for k, v in request.args.items() if k in names and v != ""}


def _run_stored(query: StoredQuery) -> tuple[dict[str, Any], Outcome | None]:
    values = _stored_values(query)
    data: dict[str, Any] = {
        "query": _example(query),
        "values": {p.name: values.get(p.name, p.default) for p in query.params},
        "results": None,
        "error": None,
    }
    rg = current()
    try:
        outcome = limited(
            rg.limits,
            lambda: rg.service.run_stored(query, values, time_limit_ms=request.args.get("timeout")),
        )
    except RelgraphError as exc:
        log_if_internal(exc)
        data["error"] = error_dict(exc)
        return data, None
    encoded = urlencode(sorted(values.items()))
    here = url_for("pages.stored_query", query_id=query.id)
    data["results"] = results_dict(
        outcome,
        permalink=here + ("?" + encoded if encoded else ""),
        download=url_for("pages.stored_results", query_id=query.id)
        + ("?" + encoded if encoded else ""),
    )
    return data, outcome


def stored_query_page(query_id: str) -> Page:
    """A stored query: its question, text, parameter form and live result."""
    data, _ = _run_stored(current().query(query_id))
    return Page(data, _status(data["error"]))


def entity_page() -> Page:
    """The page of any IRI (ours have theirs at their own path too; see relgraph.web.views)."""
    iri = request.args.get("iri", "")
    if not iri:
        raise RelgraphError("no IRI given", f"open /entity?iri={RGR}review")
    data = entity_data(iri)
    return Page(data, 200 if data["found"] else 404)


page(bp, "/", "index", "index.html", index_page, methods=("GET", "POST"))
page(bp, "/queries", "queries", "queries.html", queries_page)
page(bp, "/queries/<query_id>", "stored_query", "query.html", stored_query_page)
page(bp, "/entity", "entity", "views/entity.html", entity_page)


@bp.route("/query.json", methods=["GET", "POST"])
def query_json() -> Response:
    """The results of the query page alone (what the page's script renders)."""
    found = index_page()
    data = found.data
    if data["error"]:
        response = jsonify(data["error"])
        response.status_code = found.status
        retry_after(response, data["error"])
        return response
    if data["results"] is None:
        raise RelgraphError("no query given", "send the SPARQL text as the parameter 'query'")
    return jsonify(data["results"])


@bp.route("/queries/<query_id>/results")
def stored_results(query_id: str) -> BaseResponse:
    """A stored query's answer in a SPARQL result format (``format=csv`` ...).

    The answer has a weak ``ETag`` as ``/sparql``'s do (:mod:`relgraph.web.validators`):
    a request naming it in ``If-None-Match`` gets 304 without the query being run, once
    its parameters, time limit and format were read and its client admitted as for any
    query (a malformed value is answered as without a tag).
    """
    query = current().query(query_id)
    tag = _stored_tag(query)
    if tag is not None and matches(tag):
        rg = current()
        with rg.limits.admit(request.remote_addr, forwarded=forwarded()):
            return not_modified(tag)
    data, outcome = _run_stored(query)
    if outcome is None:
        failed = jsonify(data["error"])
        failed.status_code = _status(data["error"])
        retry_after(failed, data["error"])
        return failed
    chosen = negotiate(outcome.answer.kind, MultiDict(request.args))
    response = answer_response(outcome, chosen, download=request.args.get("download") == "1")
    if tag is not None and current().graph_digest() is not None:  # still the graph it names
        response.headers["ETag"] = f'W/"{tag}"'
    return response


def _stored_tag(query: StoredQuery) -> str | None:
    """The entity tag of a stored query's answer to this request, or None (no tag).

    None when the graph may change or the query is volatile, and when a parameter value,
    the time limit or the format is malformed or refused (the request is then answered as
    without a tag, with its error).
    """
    rg = current()
    graph = rg.graph_digest()
    if graph is None:
        return None
    values = _stored_values(query)
    try:
        info = inspect_cached(query.text, max_nesting=rg.settings.max_query_nesting)
        if not info.deterministic or info.form is None:
            return None
        bindings = query.bind(values)
        effective_time_limit_ms(rg.settings, request.args.get("timeout"))
        kind = "graph" if info.returns_graph else info.form
        fmt = negotiate(kind, MultiDict(request.args))
    except RelgraphError:
        return None
    download = request.args.get("download") == "1"
    parts = (
        query.id,
        *sorted(f"{name}={term}" for name, term in bindings.items()),
        str(rg.settings.max_rows),
        str(rg.settings.max_result_bytes),
        "download" if download else "",
    )
    return answer_tag(graph, query.text, fmt.name, parts)
