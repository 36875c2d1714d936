"""Pages of the views, each with a JSON twin; every IRI of ours at its own path.

Thin: the data come from :mod:`relgraph.views` (no Flask there); this module
picks the parameters, runs the view queries through the killable worker pool
(as trusted stored queries, so a view answers within ``query_time_limit_ms``
or fails like any query that runs too long), caches what does not depend on
the request (the graph is read-only while served), and renders.

Pages, each registered with its ``.json`` twin by
:func:`~relgraph.web.twins.page`: ``/graph`` (theory explorer), ``/compare``,
``/gaps``, ``/analytics`` (``/analytics/shared``, ``/analytics/centrality``,
``/analytics/path``). IRIs: ``/resource/<name>``, ``/ontology``,
``/ontology/<Name>``, ``/graph/<folder>/<file>``, ``/shapes/<Name>`` answer
303 to a document (:mod:`relgraph.web.resources`); the document ``.html`` is the
entity page, ``.json`` its twin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from relgraph.errors import RelgraphError
from relgraph.query.formats import format_named
from relgraph.query.service import QueryRequest
from relgraph.store import Answer, Term
from relgraph.views.analytics import centrality, evidence_path, shared_elements
from relgraph.views.compare import comparison
from relgraph.views.documents import TripleIndex, describe, serialize
from relgraph.views.entities import UnknownEntity, entity_page, parse_iri
from relgraph.views.explorer import explorer_data
from relgraph.views.gaps import gap_map, research_gaps
from relgraph.views.graph import TheoryGraph, theory_graph
from relgraph.views.mappings import mappings_for
from relgraph.views.reflow import Lexicon, lexicon_of
from relgraph.views.source import ViewQuery, ViewSource
from relgraph.vocab import OBO
from relgraph.web.conneg import best_type
from relgraph.web.resources import (
    DOCUMENTS,
    Document,
    iri_for_path,
    link,
    local_path,
    split_extension,
)
from relgraph.web.state import current
from relgraph.web.twins import Page, page

__all__ = ["bp", "view_source", "entity_data", "IRI_ROOTS"]

bp = Blueprint("views", __name__)

T = TypeVar("T")

#: The first path segments of our IRIs that the server resolves.
IRI_ROOTS = ("resource", "ontology", "graph", "shapes")


def _once(name: str, compute: Callable[[], T]) -> T:
    """A request-independent value, computed once per process (not cached on error)."""
    return current().once(f"views:{name}", compute)


def view_source() -> ViewSource:
    """The view queries, run in the worker pool as trusted queries."""
    state = current()

    def run(query: ViewQuery, bindings: Mapping[str, Term]) -> Answer:
        outcome = state.service.run(
            QueryRequest(query=query.text, bindings=dict(bindings), trusted=True)
        )
        return outcome.answer

    return _once("source", lambda: ViewSource(state.settings, run))


def _graph() -> TheoryGraph:
    return _once("theory_graph", lambda: theory_graph(view_source()))


def _lexicon() -> Lexicon | None:
    def read() -> Lexicon | None:
        folder = Path(current().settings.path("seed_dir"))
        texts = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not texts:
            return None
        return lexicon_of("\n".join(p.read_text(encoding="utf-8") for p in texts))

    return _once("lexicon", read)


def _page(template: str, data: dict[str, Any], status: int = 200) -> Response:
    return Response(render_template(template, **data), status=status)


def _json(data: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def _twin(name: str, template: str, build: Callable[[], dict[str, Any]]) -> None:
    """Register a page at ``/name`` and its JSON twin at ``/name.json`` (one data function)."""

    def data() -> Page:
        return Page(build())

    data.__doc__ = build.__doc__
    page(bp, f"/{name}", name.replace("/", "_"), template, data)


# -- the views -----------------------------------------------------------------


def _explorer() -> dict[str, Any]:
    """The theory explorer: Cytoscape.js elements, filters, legend."""
    data = _once("explorer", lambda: explorer_data(_graph(), link))
    return {**data, "json_href": url_for("views.graph_json")}


def _compare() -> dict[str, Any]:
    """The theories side by side (rows of the comparison, with their sources)."""

    def build() -> dict[str, Any]:
        source = view_source()
        return comparison(_graph(), source.rows("view-theories"), source.rows("view-claims"), link)

    return {**_once("compare", build), "json_href": url_for("views.compare_json")}


def _gaps() -> dict[str, Any]:
    """The evidence gap map (``?settingKind=`` filters) and the review's stated gaps."""
    kind = request.args.get("settingKind", "").strip()
    data = _once(f"gaps:{kind}", lambda: gap_map(_graph(), link, kind))
    gaps = _once(
        "research_gaps",
        lambda: research_gaps(view_source().rows("view-research-gaps"), _graph(), link, _lexicon()),
    )
    query = f"?{urlencode({'settingKind': kind})}" if kind else ""
    return {**data, "research_gaps": gaps, "json_href": url_for("views.gaps_json") + query}


def _shared() -> dict[str, Any]:
    """Constructs and methods shared by several theories."""
    data = _once("shared", lambda: shared_elements(_graph(), link))
    return {**data, "json_href": url_for("views.analytics_shared_json")}


def _centrality() -> dict[str, Any]:
    """Degree and betweenness centrality, with what each measure means."""
    data = _once("centrality", lambda: centrality(_graph(), link))
    return {**data, "json_href": url_for("views.analytics_centrality_json")}


def _path_choices() -> dict[str, Any]:
    graph = _graph()
    outcomes = [n for n in graph.nodes.values() if n.kind.key in {"outcome", "goal"}]
    return {
        "theories": [{"iri": t.iri, "label": t.label} for t in graph.theories()],
        "outcomes": sorted(
            ({"iri": o.iri, "label": o.label} for o in outcomes), key=lambda o: o["label"].lower()
        ),
    }


def _path() -> dict[str, Any]:
    """The shortest evidence path from a theory to an outcome (``?theory=&outcome=``)."""
    choices = _once("path_choices", _path_choices)
    theory = request.args.get("theory", "").strip()
    outcome = request.args.get("outcome", "").strip()
    data: dict[str, Any] = {
        "choices": choices,
        "theory": theory,
        "outcome": outcome,
        "result": None,
    }
    if theory or outcome:
        if not (theory and outcome):
            raise RelgraphError(
                "give both a theory and an outcome",
                "e.g. /analytics/path?theory=...theory-role-theory"
                "&outcome=...outcome-treatment-adherence",
            )
        data["result"] = evidence_path(_graph(), theory, outcome, link)
    query = urlencode({"theory": theory, "outcome": outcome}) if theory else ""
    data["json_href"] = url_for("views.analytics_path_json") + (f"?{query}" if query else "")
    return data


def _analytics() -> dict[str, Any]:
    """The network analytics at a glance."""
    return {
        "shared": _shared(),
        "centrality": _centrality(),
        "path": {"choices": _once("path_choices", _path_choices)},
        "json_href": url_for("views.analytics_json"),
    }


_twin("graph", "views/explorer.html", _explorer)
_twin("compare", "views/compare.html", _compare)
_twin("gaps", "views/gaps.html", _gaps)
_twin("analytics", "views/analytics.html", _analytics)
_twin("analytics/shared", "views/shared.html", _shared)
_twin("analytics/centrality", "views/centrality.html", _centrality)
_twin("analytics/path", "views/path.html", _path)


# -- entity pages at the IRIs' own paths ----------------------------------------------


def _index() -> TripleIndex:
    return _once("triple_index", lambda: TripleIndex(current().store))


def _graph_sizes() -> dict[str, int]:
    return _once("graph_sizes", lambda: {g.iri: g.triples for g in current().store.graphs()})


def entity_data(iri: str) -> dict[str, Any]:
    """The data of the page about ``iri`` (our IRI or any other), with mappings and downloads.

    :raises RelgraphError: (400) if ``iri`` is not an absolute IRI.
    """
    iri = parse_iri(iri).value
    data = entity_page(view_source(), iri, link, lexicon=_lexicon(), graphs=_graph_sizes())
    if data["found"]:
        data["mappings"] = [
            {
                "predicate": m.predicate_label,
                "predicate_iri": m.predicate,
                "target": m.target,
                "curie": m.curie,
                "label": m.label,
                "source": m.source,
                "source_name": m.source_name,
                "version": m.version,
                "justification": m.justification,
                "confidence": m.confidence,
                "comment": m.comment,
                "url": m.url,
            }
            for m in mappings_for(current().store, iri)
        ]
    path = local_path(iri)
    base = request.script_root + path if path else None
    data["documents"] = [
        {
            "extension": d.extension,
            "label": d.label,
            "media_type": d.media_type,
            "href": f"{base}.{d.extension}" if base else _other_document(iri, d),
        }
        for d in DOCUMENTS
    ]
    data["page_href"] = base or url_for("pages.entity", iri=iri)
    return data


def _other_document(iri: str, doc: Document) -> str:
    if doc.extension == "html":
        return url_for("pages.entity", iri=iri)
    if doc.extension == "json":
        return url_for("pages.entity_json", iri=iri)
    return url_for("views.entity_document", iri=iri, format=doc.extension)


def _document(iri: str, doc: Document) -> Response:
    if doc.extension in {"html", "json"}:
        data = entity_data(iri)
        status = 200 if data["found"] else 404
        if doc.extension == "json":
            response = _json(data, status)
        else:
            response = _page("views/entity.html", data, status)
    else:
        graph = iri in _graph_sizes()
        triples, cut = describe(_index(), iri, graph=graph)
        if not triples and not graph:
            raise _not_found(iri)
        fmt = format_named("graph", doc.rdf_format)
        assert isinstance(fmt.syntax, ox.RdfFormat)
        response = Response(serialize(triples, fmt.syntax), content_type=fmt.content_type)
        response.headers["X-Relgraph-Truncated"] = "true" if cut else "false"
    response.headers["Vary"] = "Accept"
    return response


def _not_found(iri: str) -> UnknownEntity:
    return UnknownEntity(
        f"the graph says nothing about {iri}",
        "check the spelling of the IRI; /graph, /compare and /queries list what the graph holds",
    )


def resolve(path: str) -> BaseResponse:
    """Answer a request for one of our IRIs' paths (``/resource/x``) or documents (``.ttl``)."""
    name, doc = split_extension(path.strip("/"))
    iri = iri_for_path(name)
    if doc is not None:
        response = _document(iri, doc)
        response.headers["Content-Location"] = (
            request.script_root + "/" + name + "." + doc.extension
        )
        return response
    offered = [d.media_type for d in DOCUMENTS]
    # A browser's Accept rates text/html highest; */* takes the first offered (HTML).
    wanted = best_type(offered) or "text/html"
    chosen = next(d for d in DOCUMENTS if d.media_type == wanted)
    moved = redirect(f"{request.script_root}/{name}.{chosen.extension}", code=303)
    moved.headers["Vary"] = "Accept"
    return moved


for _root in IRI_ROOTS:
    bp.add_url_rule(
        f"/{_root}/<path:name>",
        f"iri_{_root}",
        lambda name, _r=_root: resolve(f"{_r}/{name}"),
    )
bp.add_url_rule("/ontology", "iri_ontology_root", lambda: resolve("ontology"))
for _doc in DOCUMENTS:
    bp.add_url_rule(
        f"/ontology.{_doc.extension}",
        f"iri_ontology_root_{_doc.extension}",
        lambda _e=_doc.extension: resolve(f"ontology.{_e}"),
    )


@bp.route("/entity/document")
def entity_document() -> Response:
    """The RDF document about any IRI (``?iri=...&format=ttl``), for IRIs not of ours."""
    iri = request.args.get("iri", "").strip()
    _, doc = split_extension("x." + request.args.get("format", "ttl"))
    if not iri or doc is None or not doc.rdf_format:
        raise RelgraphError(
            "give iri= and format= (ttl, jsonld, nt or rdf)",
            f"e.g. /entity/document?iri={OBO}ECO_0006017&format=ttl",
        )
    return _document(iri, doc)
