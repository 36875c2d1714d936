"""The SPARQL 1.1 Protocol endpoint (query operation), VoID and ``/-/`` introspection."""

from __future__ import annotations

import functools
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from relgraph import __version__
from relgraph.query.description import service_description, void_description
from relgraph.query.formats import write_document
from relgraph.settings import SETTINGS
from relgraph.vocab import PREFIXES
from relgraph.web import endpoint
from relgraph.web.conneg import negotiate_page
from relgraph.web.state import current

__all__ = ["bp"]

bp = Blueprint("api", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> BaseResponse:
    """The SPARQL 1.1 Protocol query operation (GET, POST form, POST direct).

    GET and POST are answered before Flask's dispatch by :mod:`relgraph.web.fastpath`,
    with the same code (:func:`relgraph.web.endpoint.answer`); this view answers them
    when the app is called without it, and describes the service for a GET without query.
    """
    response = endpoint.answer(current(), request, index_url=url_for("pages.index"))
    return _describe_service() if response is None else response


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


@functools.cache
def _versions() -> dict[str, str]:
    """The versions of Python and the libraries serving relgraph, read once per process.

    ``importlib.metadata.version`` scans the installed distributions (~1 ms each); the
    installed packages do not change under a running process.
    """
    return {
        "python": platform.python_version(),
        **{name: _version_of(name) for name in ("pyoxigraph", "rdflib", "flask", "gunicorn")},
    }


@bp.route("/-/version.json")
def version_json() -> Response:
    """Versions of relgraph, the ontology and the libraries serving them."""
    return jsonify(
        {
            "relgraph": __version__,
            "ontology_version_iri": current().ontology_version,
            **_versions(),
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
