"""Result tables: a query's answer as the rows and cells a page shows.

:func:`result_table` turns an :class:`~relgraph.store.answer.Answer` into
columns and rows of cells (:mod:`relgraph.views.cells`), with the labels of
every IRI in it, for the query page, the stored-query pages and their
``.json`` twins.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from relgraph.store.answer import Answer
from relgraph.store.base import ReadableStore
from relgraph.store.labels import labels
from relgraph.views.cells import Link, cell

__all__ = ["result_table"]


def _uris(answer: Answer) -> list[str]:
    out: list[str] = []
    terms: list[Any] = [t for row in answer.rows for t in row]
    for triple in answer.triples:
        terms += [triple.subject, triple.predicate, triple.object]
    for term in terms:
        if isinstance(term, ox.NamedNode):
            out.append(term.value)
    return out


def result_table(answer: Answer, store: ReadableStore, link: Link) -> dict[str, Any]:
    """The table of an answer: ``kind``, ``columns``, ``rows`` of cells, counts.

    A SELECT gives its variables as columns; an ASK one ``boolean`` column; a
    graph answer ``subject``, ``predicate`` and ``object``.

    :param store: where the labels of the answer's IRIs are looked up.
    :param link: the URL of an IRI's entity page.
    """
    names = labels(store, _uris(answer))
    if answer.kind == "select":
        columns = list(answer.variables)
        rows = [[cell(t, names, link) for t in row] for row in answer.rows]
    elif answer.kind == "ask":
        columns = ["boolean"]
        rows = [[{"type": "literal", "value": "true" if answer.boolean else "false"}]]
    else:
        columns = ["subject", "predicate", "object"]
        rows = [
            [
                cell(t.subject, names, link),
                cell(t.predicate, names, link),
                cell(t.object, names, link),
            ]
            for t in answer.triples
        ]
    return {
        "kind": answer.kind,
        "columns": columns,
        "rows": rows,
        "boolean": answer.boolean,
        "row_count": answer.size,
        "truncated": answer.truncated,
        "elapsed_ms": round(answer.elapsed_ms, 1),
    }
