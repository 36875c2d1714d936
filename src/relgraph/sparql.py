"""The SPARQL query service: read-only by construction, time-limited, bounded.

* **Query grammar only.** Every text is inspected first
  (:func:`relgraph.inspection.inspect_query`, a token-level inspector): update
  operations (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) are
  refused with :class:`~relgraph.errors.QueryRejected`, and so is any
  ``SERVICE`` clause, which pyoxigraph would otherwise follow over HTTP. The
  engine, which only ever runs queries, is the grammar authority: its syntax
  errors carry line and column.
* **FROM never fetches.** ``FROM`` and ``FROM NAMED`` only choose named graphs
  of the store (pyoxigraph resolves them against its own quads). The protocol
  dataset (``default-graph-uri``, ``named-graph-uri``) overrides them; relative
  IRIs resolve against the endpoint's base IRI.
* **Time-limited.** Queries run in a :class:`~relgraph.pool.QueryPool` whose
  workers are killed at the deadline: ``query_time_limit_ms``, which a request
  may lower but never raise.
* **Bounded.** At most ``max_rows`` rows (or triples) are returned; one more is
  read to set :attr:`~relgraph.answer.Answer.truncated`.

Nothing here keeps state shared between requests except the pool, which
hands each worker process to one request at a time: the service is safe to use
from any number of threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from relgraph.answer import Answer, Term
from relgraph.builder import built_graph_path
from relgraph.errors import (
    NotBuiltError,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    RelgraphError,
)
from relgraph.inspection import (
    UPDATE_OPERATIONS,
    QueryInfo,
    inspect_query,
    service_in_keyword_position,
    service_probe,
)
from relgraph.pool import Job, QueryPool
from relgraph.settings import Settings
from relgraph.store import GraphStore

__all__ = [
    "QueryInfo",
    "QueryRequest",
    "Outcome",
    "SparqlService",
    "inspect_query",
    "resolve_dataset",
    "effective_time_limit_ms",
    "UPDATE_OPERATIONS",
]

_SERVICE_REFUSED = (
    "SERVICE is refused: this endpoint never calls other services",
    "remove the SERVICE clause and query the other endpoint yourself",
)


def resolve_dataset(
    default_graph_uris: Iterable[str], named_graph_uris: Iterable[str], base_iri: str | None
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """Resolve the protocol dataset (``default-graph-uri``, ``named-graph-uri``).

    When either is given, both replace the query's FROM and FROM NAMED (an
    absent one means an empty list). Relative IRIs resolve against ``base_iri``.

    >>> resolve_dataset(["g/a"], [], "http://example.org/sparql")
    (('http://example.org/g/a',), ())
    >>> resolve_dataset([], [], None)
    (None, None)

    :raises RelgraphError: (400) for a value that is not an IRI.
    """
    defaults, named = list(default_graph_uris), list(named_graph_uris)
    if not defaults and not named:
        return None, None

    def resolve(name: str, value: str) -> str:
        iri = urljoin(base_iri, value) if base_iri else value
        try:
            return ox.NamedNode(iri).value
        except ValueError:
            raise RelgraphError(
                f"{name} {value!r} is not an IRI", f"give an absolute IRI as {name}"
            ) from None

    return (
        tuple(resolve("default-graph-uri", v) for v in defaults),
        tuple(resolve("named-graph-uri", v) for v in named),
    )


def effective_time_limit_ms(settings: Settings, requested: int | str | None) -> int:
    """The time limit of one query: the setting, or a lower one asked for.

    >>> effective_time_limit_ms(Settings(query_time_limit_ms=1000), "250")
    250
    >>> effective_time_limit_ms(Settings(query_time_limit_ms=1000), 5000)
    1000

    :raises RelgraphError: (400) if the requested value is not a positive integer.
    """
    limit = int(settings.query_time_limit_ms)
    if requested is None or requested == "":
        return limit
    try:
        value = int(requested)
    except (TypeError, ValueError):
        value = 0
    if value <= 0:
        raise RelgraphError(
            f"timeout {requested!r} is not a positive number of milliseconds",
            f"give e.g. timeout=1000 (at most query_time_limit_ms = {limit})",
        )
    return min(limit, value)


@dataclass(frozen=True)
class QueryRequest:
    """One query as a client asked for it.

    :ivar query: the SPARQL text.
    :ivar default_graph_uris: the protocol's ``default-graph-uri`` values.
    :ivar named_graph_uris: the protocol's ``named-graph-uri`` values.
    :ivar base_iri: the endpoint's IRI, base for relative IRIs.
    :ivar time_limit_ms: a lower time limit asked for (None: the setting).
    :ivar bindings: variable -> term, bound safely (stored query parameters).
    :ivar trusted: a stored query, allowed even when free SPARQL is off.
    """

    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None
    time_limit_ms: int | str | None = None
    bindings: Mapping[str, Term] = field(default_factory=dict)
    trusted: bool = False


@dataclass
class Outcome:
    """An answer with what it took to get it."""

    answer: Answer
    info: QueryInfo
    time_limit_ms: int


class SparqlService:
    """Answer SPARQL queries over one graph with the guarantees of this module.

    :param settings: ``query_time_limit_ms``, ``max_rows``, ``query_workers``,
        ``allow_free_sparql`` and ``build_dir`` are read.
    :param store: a graph to serve instead of the built one (its quads are
        handed to the workers).
    """

    def __init__(
        self,
        settings: Settings,
        store: GraphStore | None = None,
        *,
        start_method: str = "forkserver",
    ) -> None:
        self.settings = settings
        if store is not None:
            self.pool = QueryPool(
                nquads=store.serialize("nq"),
                size=int(settings.query_workers),
                start_method=start_method,
            )
        else:
            path = built_graph_path(settings)
            if not path.is_file():
                raise NotBuiltError(
                    f"no built graph at {path}", "run `relgraph build` (or `make build`) first"
                )
            self.pool = QueryPool(
                path=path, size=int(settings.query_workers), start_method=start_method
            )

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.close()

    def __enter__(self) -> SparqlService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, request: QueryRequest) -> QueryInfo:
        """Inspect a request without running it (no engine involved, microseconds).

        :raises QueryRejected: for updates, SERVICE, or free SPARQL when it is off.
        :raises QuerySyntaxError: if the text is empty (the engine reports the
            other syntax errors when the query runs).
        """
        if not request.trusted and not self.settings.allow_free_sparql:
            raise QueryRejected(
                "free SPARQL is switched off on this server (setting allow_free_sparql)",
                "run one of the stored queries at /queries instead",
            )
        return inspect_query(request.query)

    def run(self, request: QueryRequest) -> Outcome:
        """Inspect and answer a query.

        When the text mentions "service", the worker first parses its
        :func:`~relgraph.inspection.service_probe` (see that module): the query
        runs only if the probe parses.

        :raises QueryRejected: for updates and SERVICE clauses (also those only the
            probe finds), or free SPARQL when it is off.
        :raises QuerySyntaxError: with line and column, from the engine's parser.
        :raises QueryTimeout: naming ``query_time_limit_ms``, when the deadline passed.
        :raises WorkerFault: (500) when the query worker failed unexpectedly.
        """
        info = self.check(request)
        limit_ms = effective_time_limit_ms(self.settings, request.time_limit_ms)
        default_graphs, named_graphs = resolve_dataset(
            request.default_graph_uris, request.named_graph_uris, request.base_iri
        )
        text = request.query.removeprefix("\ufeff")
        probe = service_probe(text)[0] if info.mentions_service else None
        job = Job(
            query=text,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            bindings=tuple(request.bindings.items()),
            base_iri=request.base_iri,
            union_default_graph=not info.has_dataset,
            max_rows=int(self.settings.max_rows),
            probe=probe,
        )
        try:
            answer = self.pool.run(job, limit_ms / 1000)
        except QuerySyntaxError:
            if probe is not None and service_in_keyword_position(text):
                raise QueryRejected(*_SERVICE_REFUSED) from None
            raise
        except QueryTimeout:
            global_limit = int(self.settings.query_time_limit_ms)
            lowered = (
                f" (lowered by the request from {global_limit} ms)"
                if limit_ms < global_limit
                else ""
            )
            raise QueryTimeout(
                f"the query ran longer than the time limit of {limit_ms} ms{lowered} and was "
                "stopped; the limit is the setting query_time_limit_ms",
                "add a LIMIT, or make the patterns more selective, and try again",
            ) from None
        return Outcome(answer, info, limit_ms)
