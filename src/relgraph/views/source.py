"""Where the views read the graph: the stored view queries (``queries/views/*.rq``).

The view queries use the ``#+`` header of the competency queries
(:mod:`relgraph.catalog`) and are tested the same way. A :class:`ViewSource`
runs them and hands back plain rows (variable name -> pyoxigraph term, or
None when unbound). Two sources exist:

* :class:`LocalSource` runs a query on an in-process
  :class:`~relgraph.store.GraphStore` (the CLI, tests, scripts);
* the web runs them through the killable worker pool of
  :class:`~relgraph.sparql.SparqlService` as trusted queries, so a view
  answers within ``query_time_limit_ms`` or fails with the time-out error of
  any other query (see :mod:`relgraph.web.views`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from relgraph.answer import Answer, Term, collect
from relgraph.catalog import StoredQuery, UnknownQuery, load_queries
from relgraph.settings import Settings
from relgraph.store import GraphStore

__all__ = [
    "VIEWS_FOLDER",
    "Row",
    "Runner",
    "ViewSource",
    "LocalSource",
    "view_queries",
    "views_folder",
    "view_query",
    "iri_of",
    "text_of",
    "int_of",
]

#: Sub-folder of ``queries_dir`` holding the view queries.
VIEWS_FOLDER = "views"

#: One solution: variable name -> term (None when unbound).
Row = dict[str, Term | None]

#: Runs a stored query with bindings and returns its answer.
Runner = Callable[[StoredQuery, Mapping[str, Term]], Answer]


def views_folder(settings: Settings) -> Path:
    """Where the view queries are: ``queries_dir``/views, else the project's ``queries/views``.

    The fallback lets a server whose stored queries come from another folder (a
    curated selection, the tests' fixture catalogue) still draw its views.
    """
    folder: Path = settings.path("queries_dir") / VIEWS_FOLDER
    if folder.is_dir():
        return folder
    return settings.project_path / "queries" / VIEWS_FOLDER


def view_queries(settings: Settings) -> list[StoredQuery]:
    """The view queries of a project, in file-name order.

    :raises LoadError: naming file and line of a malformed header.
    """
    folder = views_folder(settings)
    if not folder.is_dir():
        return []
    return load_queries(sorted(folder.glob("*.rq")))


def view_query(settings: Settings, query_id: str) -> StoredQuery:
    """One view query by id.

    :raises UnknownQuery: (404) if no view query has that id.
    """
    for query in view_queries(settings):
        if query.id == query_id:
            return query
    raise UnknownQuery(
        f"no view query with id {query_id!r} in {views_folder(settings)}",
        "the views need the files of queries/views/; restore them from the repository",
    )


@dataclass
class ViewSource:
    """Runs the view queries of a project with a :data:`Runner`.

    :param settings: where the view queries are (``queries_dir``).
    :param runner: how a query runs (in process, or in the worker pool).
    """

    settings: Settings
    runner: Runner
    _queries: dict[str, StoredQuery] = field(default_factory=dict, repr=False)

    def query(self, query_id: str) -> StoredQuery:
        """The view query ``query_id`` (read once per source)."""
        if not self._queries:
            self._queries = {q.id: q for q in view_queries(self.settings)}
        if query_id not in self._queries:
            return view_query(self.settings, query_id)
        return self._queries[query_id]

    def rows(self, query_id: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Run a view query and return its rows.

        :raises UnknownQuery: if there is no such view query.
        :raises QueryTimeout: (through the pool runner) past the time limit.
        """
        answer = self.runner(self.query(query_id), dict(bindings or {}))
        return [dict(zip(answer.variables, row, strict=True)) for row in answer.rows]


class LocalSource(ViewSource):
    """A :class:`ViewSource` over an in-process store (no time limit; CLI and tests)."""

    def __init__(self, settings: Settings, store: GraphStore) -> None:
        def run(query: StoredQuery, bindings: Mapping[str, Term]) -> Answer:
            result = store.query(query.text, bindings=bindings)
            return collect(result, 10**9)

        super().__init__(settings, run)


def iri_of(term: Term | None) -> str:
    """The IRI of a named node, '' otherwise.

    >>> iri_of(ox.NamedNode("http://example.org/a")), iri_of(None)
    ('http://example.org/a', '')
    """
    return term.value if isinstance(term, ox.NamedNode) else ""


def text_of(term: Term | None) -> str:
    """The lexical form of a literal (or an IRI's text), '' when unbound."""
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value
    return ""


def int_of(term: Term | None) -> int | None:
    """An integer literal's value, None when unbound or not an integer.

    >>> int_of(ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    12
    """
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None
