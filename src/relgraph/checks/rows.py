"""The rows of a check's SELECT as plain values, for the Python rules of the fidelity phase."""

from __future__ import annotations

from collections.abc import Iterable

from relgraph.store.base import ReadableStore
from relgraph.store.sources import node_key

__all__ = ["dict_rows", "value_rows"]


def dict_rows(store: ReadableStore, sparql: str) -> list[dict[str, str]]:
    """The rows of a SELECT as dicts of values (``""`` when unbound), for small results.

    A value is the term's ``value``: an IRI, a literal's lexical form, or ``_:`` and a
    blank node's id (as :class:`~relgraph.checks.report.Problem` names nodes).
    """
    result = store.select(sparql)
    names = [v.value for v in result.variables]
    return [dict(zip(names, _values(row), strict=True)) for row in result]


def value_rows(store: ReadableStore, sparql: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT as tuples of values (as :func:`dict_rows`), in variable order.

    For the queries whose rows grow with the graph: a dict per row cost more than
    the query itself at 10^6 triples (docs/decisions/0017).
    """
    return [_values(row) for row in store.select(sparql)]


def _values(row: Iterable[object]) -> tuple[str, ...]:
    return tuple("" if t is None else node_key(t) for t in row)
