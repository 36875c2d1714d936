"""Pages and their JSON twins: one data function, two renderings (as Datasette's pages).

:func:`page` registers a page's URL and its twin (the same URL with ``.json``,
``/index.json`` for ``/``): both call the same data function, the page renders
its template with the dict, the twin sends the dict as JSON, with the same
status. Errors a data function raises are answered by the one error handler
(:mod:`relgraph.web.errors`), as JSON for the twin whatever the client accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from relgraph.web.errors import retry_after

__all__ = ["Page", "page", "twin_rule"]


@dataclass
class Page:
    """What a data function gives: the dict both renderings show, and the status.

    :ivar data: JSON-ready data (the template's context, the twin's body).
    :ivar status: the HTTP status of both renderings.
    """

    data: dict[str, Any] = field(default_factory=dict)
    status: int = 200


def twin_rule(rule: str) -> str:
    """The URL rule of a page's JSON twin.

    >>> twin_rule("/"), twin_rule("/queries/<query_id>")
    ('/index.json', '/queries/<query_id>.json')
    """
    return "/index.json" if rule == "/" else f"{rule}.json"


def _finish(response: Response, status: int, data: dict[str, Any]) -> Response:
    response.status_code = status
    error = data.get("error")
    retry_after(response, error if isinstance(error, dict) else None)
    return response


def page(
    bp: Blueprint,
    rule: str,
    endpoint: str,
    template: str,
    data: Callable[..., Page],
    *,
    methods: Sequence[str] = ("GET",),
) -> None:
    """Register a page and its JSON twin (endpoint ``<endpoint>_json``) on a blueprint.

    :param data: called with the URL's variables; gives the :class:`Page`.
    """

    def html(**values: Any) -> Response:
        found = data(**values)
        return _finish(Response(render_template(template, **found.data)), found.status, found.data)

    def twin(**values: Any) -> Response:
        found = data(**values)
        return _finish(jsonify(found.data), found.status, found.data)

    html.__doc__ = data.__doc__
    twin.__doc__ = f"JSON twin: {data.__doc__}"
    bp.add_url_rule(rule, endpoint, html, methods=list(methods))
    bp.add_url_rule(twin_rule(rule), f"{endpoint}_json", twin, methods=list(methods))
