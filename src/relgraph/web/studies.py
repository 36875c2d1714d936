"""The pages of the added studies: ``/studies``, ``/studies/<study id>`` and its sheet.

Each page is registered with its ``.json`` twin (:func:`~relgraph.web.twins.page`);
the data functions are :func:`relgraph.views.studies.studies_data` and
:func:`~relgraph.views.studies.study_data`. ``/studies/<study id>/sheet.xlsx`` is
the study's sheet (``relgraph template --study``), to correct and import again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, url_for

from relgraph.curation import write_template
from relgraph.store.memory import GraphStore
from relgraph.views.studies import studies_data, study_data
from relgraph.vocab import RDFS, RG
from relgraph.web.state import current
from relgraph.web.twins import Page, page, twin_rule

__all__ = ["bp"]

bp = Blueprint("studies", __name__)

#: The media type of an .xlsx workbook (ECMA-376, registered with IANA).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _entity(iri: str) -> str:
    return url_for("pages.entity", iri=iri)


def _study(study: str) -> str:
    return url_for("studies.study", study_id=study)


def _query_url(graphs: list[str]) -> str:
    """The query page over the given named graphs (as SPARQL's ``default-graph-uri``)."""
    query = (
        f"PREFIX rg: <{RG}>\nPREFIX rdfs: <{RDFS}>\n"
        "SELECT ?finding ?label WHERE { ?finding a rg:Finding ; rdfs:label ?label }\n"
        "ORDER BY ?label"
    )
    return (
        url_for("pages.index")
        + "?"
        + urlencode([("query", query), *(("default-graph-uri", g) for g in graphs)])
    )


def studies_page() -> Page:
    """The studies curators added: work, curator, date, findings; the gaps they filled."""
    # the graph is read-only while served: computed once per process (a copy per request)
    data = dict(
        current().once("studies:data", lambda: studies_data(current().store, _entity, _study))
    )
    data["json_url"] = twin_rule(url_for("studies.studies"))
    graphs = data["graphs"]
    data["review_query_url"] = _query_url(graphs["review"]) if graphs["studies"] else ""
    data["studies_query_url"] = _query_url(graphs["studies"]) if graphs["studies"] else ""
    return Page(data)


def study_page(study_id: str) -> Page:
    """One added study: its publication, curation, findings, method applications, entities."""
    study = study_data(current().store, study_id, _entity, _study)
    return Page(
        {
            "study": study,
            "json_url": twin_rule(url_for("studies.study", study_id=study_id)),
            "sheet_url": url_for("studies.sheet", study_id=study_id),
            "studies_url": url_for("studies.studies"),
            "query_url": _query_url([study["graph"]]),
        }
    )


page(bp, "/studies", "studies", "studies.html", studies_page)
page(bp, "/studies/<study_id>", "study", "study.html", study_page)


@bp.route("/studies/<study_id>/sheet.xlsx")
def sheet(study_id: str) -> Response:
    """The study's sheet (.xlsx), filled from the graph, to correct and import again."""
    study_data(current().store, study_id, _entity, _study)  # 404 for an unknown study
    store = GraphStore.from_quads(current().store.quads())
    with tempfile.TemporaryDirectory(prefix="relgraph-sheet-") as folder:
        path = Path(folder) / f"{study_id}.xlsx"
        write_template(store, path, study=study_id, rows=current().settings.template_rows)
        body = path.read_bytes()
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{study_id}.xlsx"'
    return response
