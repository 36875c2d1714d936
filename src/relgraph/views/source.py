"""Where the views read the graph: the stored view queries (``queries/views/*.rq``).

The view queries use the ``#+`` header of the competency queries (the one
dialect of :mod:`relgraph.store.queryfiles`, with the keys of
:mod:`relgraph.query.catalog`) and are tested the same way
(``tests/views/test_source.py`` runs each and checks its expected columns and
rows). A :class:`ViewSource` runs them and hands back plain rows (variable
name -> pyoxigraph term, or None when unbound). Two sources exist:

* :class:`LocalSource` runs a query on an in-process
  :class:`~relgraph.store.GraphStore` (tests, scripts);
* the web runs them through the killable worker pool of
  :class:`~relgraph.query.service.QueryService` as trusted queries, so a view
  answers within ``query_time_limit_ms`` or fails with the time-out error of
  any other query (see :mod:`relgraph.web.views`).

The views never parse parameter values given as text: they bind terms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from relgraph.errors import LoadError, UnknownQuery
from relgraph.settings import Settings
from relgraph.store import Answer, GraphStore, Term, collect
from relgraph.store.queryfiles import STORED_QUERY_KEYS, STORED_QUERY_REQUIRED, read_query_file

__all__ = [
    "VIEWS_FOLDER",
    "HEADER_KEYS",
    "Row",
    "Runner",
    "ViewQuery",
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

#: The header keys of a view query: those of the competency queries.
HEADER_KEYS: tuple[str, ...] = STORED_QUERY_KEYS
_REQUIRED = STORED_QUERY_REQUIRED

#: One solution: variable name -> term (None when unbound).
Row = dict[str, Term | None]


@dataclass(frozen=True)
class ViewQuery:
    """A view query: its id, its text (header included, as SPARQL comments) and its file."""

    id: str
    text: str
    path: Path


#: Runs a view query with bindings and returns its answer.
Runner = Callable[[ViewQuery, Mapping[str, Term]], Answer]


def views_folder(settings: Settings) -> Path:
    """Where the view queries are: ``queries_dir``/views, else the project's ``queries/views``.

    The fallback lets a server whose stored queries come from another folder (a
    curated selection, the tests' fixture catalogue) still draw its views.
    """
    folder: Path = settings.path("queries_dir") / VIEWS_FOLDER
    if folder.is_dir():
        return folder
    return settings.project_path / "queries" / VIEWS_FOLDER


def view_queries(settings: Settings) -> list[ViewQuery]:
    """The view queries of a project, in file-name order.

    :raises LoadError: naming file and line of a malformed header or a repeated id.
    """
    folder = views_folder(settings)
    if not folder.is_dir():
        return []
    found: dict[str, ViewQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        query = read_query_file(path, HEADER_KEYS, _REQUIRED)
        qid = query.header["id"]
        if qid in found:
            raise LoadError(
                f"id {qid!r} is also used by {found[qid].path}",
                "give every view query its own id",
                path=str(path),
                line=query.line_of("id"),
            )
        found[qid] = ViewQuery(qid, query.text, path)
    return list(found.values())


def view_query(settings: Settings, query_id: str) -> ViewQuery:
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
    _queries: dict[str, ViewQuery] = field(default_factory=dict, repr=False)

    def query(self, query_id: str) -> ViewQuery:
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
    """A :class:`ViewSource` over an in-process store (no time limit; tests and scripts)."""

    def __init__(self, settings: Settings, store: GraphStore) -> None:
        def run(query: ViewQuery, bindings: Mapping[str, Term]) -> Answer:
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
