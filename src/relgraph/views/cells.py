"""Cells: how pages show one RDF term (label, CURIE, link to its entity page).

A cell is a JSON-ready dict: ``{"type": "uri", "value", "label", "curie", "href"}``,
``{"type": "literal", "value", "lang", "datatype"}``, ``{"type": "bnode", "value"}``
or ``{"type": "triple", "value"}``. The template macro ``cell`` of
``web/templates/_macros.html`` and the page script render the same dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyoxigraph as ox

from relgraph.store.base import Term
from relgraph.vocab import compact_iri

__all__ = ["Link", "cell"]

#: The URL of a node's own page, given its IRI (the web passes its ``url_for``).
Link = Callable[[str], str]


def cell(term: Term | None, names: Mapping[str, str], link: Link) -> dict[str, Any] | None:
    """The cell of a term (None for an unbound variable).

    >>> cell(ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ...      {}, str)
    {'type': 'literal', 'value': '1', 'lang': '', 'datatype': 'xsd:integer'}

    :param names: labels of IRIs.
    :param link: the URL of an IRI's entity page.
    """
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
