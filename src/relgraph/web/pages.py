"""The HTML pages, each with a JSON twin: query page, stored queries, entities.

Views gather plain dicts (the same dict feeds the template and the ``.json``
twin); templates never touch the store. Queries typed by users run in the
killable worker pool; parameters of stored queries are bound as terms, never
pasted into the query text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from relgraph.answer import Answer, Term
from relgraph.catalog import StoredQuery
from relgraph.entities import labels
from relgraph.errors import RelgraphError
from relgraph.results import compact_iri
from relgraph.sparql import Outcome, QueryRequest
from relgraph.web import state
from relgraph.web.api import answer_response
from relgraph.web.conneg import negotiate
from relgraph.web.errors import RETRY_AFTER_S, error_dict, log_if_internal
from relgraph.web.views import entity_data, link

__all__ = ["bp", "results_dict", "DEFAULT_QUERY", "DOWNLOADS"]

bp = Blueprint("pages", __name__)

#: What the editor shows when no query is given.
DEFAULT_QUERY = """PREFIX rg: <https://w3id.org/relgraph/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?theory ?label WHERE {
  ?theory a rg:Theory ;
          rdfs:label ?label .
}
ORDER BY ?label
LIMIT 100
"""

#: The download links of a result table, per answer kind (formats defined for that kind).
DOWNLOADS: dict[str, tuple[tuple[str, str], ...]] = {
    "select": (("csv", "CSV"), ("tsv", "TSV"), ("json", "JSON")),
    "ask": (("json", "JSON"), ("xml", "XML")),
    "graph": (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples")),
}
_DATASET_KEYS = ("default-graph-uri", "named-graph-uri", "timeout")


def _cell(term: Term | None, names: Mapping[str, str]) -> dict[str, Any] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {
            "type": "uri",
            "value": term.value,
            "label": names.get(term.value, ""),
            "curie": compact_iri(term.value),
            "href": link(term.value),
        }
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": f"_:{term.value}"}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        plain = term.language or datatype.endswith("#string")
        return {
            "type": "literal",
            "value": term.value,
            "lang": term.language or "",
            "datatype": "" if plain else compact_iri(datatype),
        }
    return {"type": "triple", "value": str(term)}


def _uris(answer: Answer) -> list[str]:
    out: list[str] = []
    terms: list[Any] = [t for row in answer.rows for t in row]
    for triple in answer.triples:
        terms += [triple.subject, triple.predicate, triple.object]
    for term in terms:
        if isinstance(term, ox.NamedNode):
            out.append(term.value)
    return out


def results_dict(outcome: Outcome, *, permalink: str, download: str) -> dict[str, Any]:
    """The data of a result table: labelled cells with links, counts, downloads.

    :param permalink: URL that reproduces the query and its results.
    :param download: URL prefix to which ``format=...&download=1`` is appended.
    """
    answer = outcome.answer
    names = labels(state().store, _uris(answer))
    if answer.kind == "select":
        columns = list(answer.variables)
        rows = [[_cell(t, names) for t in row] for row in answer.rows]
    elif answer.kind == "ask":
        columns = ["boolean"]
        rows = [[{"type": "literal", "value": "true" if answer.boolean else "false"}]]
    else:
        columns = ["subject", "predicate", "object"]
        rows = [
            [_cell(t.subject, names), _cell(t.predicate, names), _cell(t.object, names)]
            for t in answer.triples
        ]
    formats = DOWNLOADS[answer.kind]
    glue = "&" if "?" in download else "?"
    return {
        "ok": True,
        "kind": answer.kind,
        "columns": columns,
        "rows": rows,
        "boolean": answer.boolean,
        "row_count": answer.size,
        "truncated": answer.truncated,
        "max_rows": int(state().settings.max_rows),
        "elapsed_ms": round(answer.elapsed_ms, 1),
        "time_limit_ms": outcome.time_limit_ms,
        "permalink": permalink,
        "downloads": [
            {"format": f, "label": label, "href": f"{download}{glue}format={f}&download=1"}
            for f, label in formats
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
    try:
        outcome = state().service.run(
            QueryRequest(
                query=text,
                default_graph_uris=tuple(params.getlist("default-graph-uri")),
                named_graph_uris=tuple(params.getlist("named-graph-uri")),
                base_iri=url_for("api.sparql", _external=True),
                time_limit_ms=params.get("timeout"),
            )
        )
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


def _page(template: str, status: int, **context: Any) -> Response:
    response = Response(render_template(template, **context), status=status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _status(error: dict[str, Any] | None) -> int:
    return int(error["status"]) if error else 200


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


def _index_data() -> dict[str, Any]:
    params = _params()
    results, error = _run_free(params)
    return {
        "query": params.get("query") or DEFAULT_QUERY,
        "examples": [_example(q) for q in state().queries()],
        "results": results,
        "error": error,
        "limits": {
            "query_time_limit_ms": int(state().settings.query_time_limit_ms),
            "max_rows": int(state().settings.max_rows),
        },
    }


@bp.route("/", methods=["GET", "POST"])
def index() -> Response:
    """The query page: editor, examples, and (given a query) its results."""
    data = _index_data()
    return _page("index.html", _status(data["error"]), **data)


@bp.route("/query.json", methods=["GET", "POST"])
def query_json() -> Response:
    """JSON twin of the query page's results (what the page's script renders)."""
    data = _index_data()
    if data["error"]:
        response = jsonify(data["error"])
        response.status_code = _status(data["error"])
        if response.status_code == 503:
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response
    if data["results"] is None:
        raise RelgraphError("no query given", "send the SPARQL text as the parameter 'query'")
    return jsonify(data["results"])


@bp.route("/index.json")
def index_json() -> Response:
    """JSON twin of the query page: the examples and the limits."""
    data = _index_data()
    return jsonify({"examples": data["examples"], "limits": data["limits"]})


@bp.route("/queries")
def queries() -> Response:
    """The list of stored (competency) queries."""
    return _page("queries.html", 200, examples=[_example(q) for q in state().queries()])


@bp.route("/queries.json")
def queries_json() -> Response:
    """JSON twin of the stored query list."""
    return jsonify({"queries": [_example(q) for q in state().queries()]})


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
    outcome = None
    try:
        bindings = query.bind(values)
        outcome = state().service.run(
            QueryRequest(
                query=query.text,
                bindings=bindings,
                trusted=True,
                time_limit_ms=request.args.get("timeout"),
            )
        )
    except RelgraphError as exc:
        log_if_internal(exc)
        data["error"] = error_dict(exc)
        return data, None
    encoded = urlencode(sorted(values.items()))
    page = url_for("pages.stored_query", query_id=query.id)
    data["results"] = results_dict(
        outcome,
        permalink=page + ("?" + encoded if encoded else ""),
        download=url_for("pages.stored_results", query_id=query.id)
        + ("?" + encoded if encoded else ""),
    )
    return data, outcome


@bp.route("/queries/<query_id>")
def stored_query(query_id: str) -> Response:
    """A stored query: its question, text, parameter form and live result."""
    data, _ = _run_stored(state().query(query_id))
    return _page("query.html", _status(data["error"]), **data)


@bp.route("/queries/<query_id>.json")
def stored_query_json(query_id: str) -> Response:
    """JSON twin of a stored query page."""
    data, _ = _run_stored(state().query(query_id))
    response = jsonify(data)
    response.status_code = _status(data["error"])
    return response


@bp.route("/queries/<query_id>/results")
def stored_results(query_id: str) -> BaseResponse:
    """A stored query's answer in a SPARQL result format (``format=csv`` ...)."""
    data, outcome = _run_stored(state().query(query_id))
    if outcome is None:
        response = jsonify(data["error"])
        response.status_code = _status(data["error"])
        return response
    chosen = negotiate(outcome.answer.kind, MultiDict(request.args))
    assert chosen is not None
    return answer_response(outcome, chosen, download=request.args.get("download") == "1")


def _entity_data() -> dict[str, Any]:
    iri = request.args.get("iri", "")
    if not iri:
        raise RelgraphError("no IRI given", "open /entity?iri=https://w3id.org/relgraph/...")
    return entity_data(iri)


@bp.route("/entity")
def entity() -> Response:
    """The page of any IRI (ours have theirs at their own path too; see relgraph.web.views)."""
    data = _entity_data()
    return _page("views/entity.html", 200 if data["found"] else 404, **data)


@bp.route("/entity.json")
def entity_json() -> Response:
    """JSON twin of an entity page."""
    data = _entity_data()
    response = jsonify(data)
    response.status_code = 200 if data["found"] else 404
    return response
