"""The query service: the one way a SPARQL query from a user is accepted, run and answered.

Both front ends go through it and so accept and refuse the same queries: the
web (:mod:`relgraph.web`) runs queries in a pool of killable worker processes
(:class:`~relgraph.query.pool.QueryPool`, time-limited), the CLI in its own
process (:class:`InProcess`, stopped by Ctrl-C). Whatever runs them, a query
is

* inspected first (:func:`~relgraph.query.inspection.inspect_query`): updates
  and ``SERVICE`` are refused (also where only the engine's parser would see
  one: the SERVICE probe), and free SPARQL when the setting
  ``allow_free_sparql`` is off, except for stored queries;
* run over the protocol dataset (``default-graph-uri``, ``named-graph-uri``),
  or the union of the named graphs, with stored queries' parameters bound as
  terms, never pasted;
* cut at ``max_rows`` (one more row is read to flag truncation);
* stopped at ``query_time_limit_ms`` (lowered by a request, never raised) where
  the executor can stop it.

With an external store (setting ``backend``, :class:`Backend`), the same
inspection runs here, the query is parsed here too (only SPARQL 1.1 reaches the
store), its dataset may name only relgraph's graphs in the store, the deadline
is the HTTP request's (and the store's own where it takes one) and the answer
is read as a stream, cut at ``max_rows``. See ``docs/external-stores.md``.

See ``docs/decisions/0003-query-timeouts.md`` and ``0004-query-inspection.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

import pyoxigraph as ox

from relgraph.errors import (
    NotBuiltError,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    RelgraphError,
    TooLarge,
)
from relgraph.query.catalog import StoredQuery
from relgraph.query.inspection import (
    QueryInfo,
    dataset_clauses,
    inspect_cached,
    service_in_keyword_position,
    service_probe,
)
from relgraph.query.jobs import Executor, Job, check_probe, execute
from relgraph.query.pool import QueryPool
from relgraph.settings import Settings
from relgraph.store.answer import Answer
from relgraph.store.base import ReadableStore, Term
from relgraph.store.builder import built_graph_path
from relgraph.store.memory import GraphStore, ReadOnlyStore
from relgraph.store.remote import RemoteStore
from relgraph.vocab import GRAPH

__all__ = [
    "Backend",
    "InProcess",
    "Outcome",
    "QueryRequest",
    "QueryService",
    "effective_time_limit_ms",
    "resolve_dataset",
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
    limit = settings.query_time_limit_ms
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
    :ivar output: (kind, result format name): an answer of that kind is written in it
        where it is evaluated (:attr:`~relgraph.store.answer.Answer.body`); None: terms.
    """

    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None
    time_limit_ms: int | str | None = None
    bindings: Mapping[str, Term] = field(default_factory=dict)
    trusted: bool = False
    output: tuple[str, str] | None = None


@dataclass
class Outcome:
    """An answer with what it took to get it."""

    answer: Answer
    info: QueryInfo
    time_limit_ms: int


class InProcess:
    """Runs jobs in the calling process, on a store it holds: the CLI's executor.

    pyoxigraph cannot be interrupted from Python, so there is no deadline here:
    a long query is stopped with Ctrl-C. Everything else (inspection, the
    SERVICE probe, dataset, bindings, row cap) is the same as in the pool.
    """

    def __init__(self, store: ReadableStore) -> None:
        self.store = store

    def run(self, job: Job, time_limit_s: float) -> Answer:
        """Answer a job now (``time_limit_s`` cannot be enforced in process)."""
        return execute(self.store, job)

    def close(self) -> None:
        """Nothing to release."""


#: The graph a dataset names when none of its graphs is relgraph's: empty in every store.
NO_GRAPH = str(GRAPH["-/none"])


class Backend:
    """Runs jobs on an external store (setting ``backend``): the web's executor there.

    The store evaluates; this process keeps relgraph's guarantees around it:

    * the SERVICE probe and the query are parsed here first (pyoxigraph), so
      only SPARQL 1.1 without SERVICE reaches the store, never its own dialect;
    * the dataset (the protocol's, or the query's FROM and FROM NAMED) may name
      only relgraph's graphs in the store: other IRIs (``file:``, remote URLs,
      another application's graphs) are dropped before the request, so the
      store never loads or reads them -- the embedded store's behaviour, where
      FROM selects among its own graphs;
    * the deadline is the request's (``time_limit_s``, sent to the store as its
      own limit when ``backend_timeout_parameter`` says how), and the answer
      is streamed and cut at ``max_rows``.

    Threads share the store's keep-alive connections; no worker process is
    needed, since the store, not this process, does the work.
    """

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def _restricted(self, job: Job) -> Job:
        ours = set(self.store.graph_iris())
        if job.default_graphs is None and job.named_graphs is None:
            if job.union_default_graph:
                return job
            defaults, named = dataset_clauses(job.query, job.base_iri)
            if not defaults and not named:  # pragma: no cover - has_dataset said FROM
                return job
        else:
            defaults, named = list(job.default_graphs or ()), list(job.named_graphs or ())
        kept_defaults = [g for g in defaults if g in ours] or [NO_GRAPH]
        kept_named = [g for g in named if g in ours]
        return replace(job, default_graphs=tuple(kept_defaults), named_graphs=tuple(kept_named))

    def run(self, job: Job, time_limit_s: float) -> Answer:
        """Answer a job on the store within ``time_limit_s`` seconds.

        :raises QueryTimeout: when the deadline passed (at the store or here).
        :raises QuerySyntaxError: from relgraph's parser (probe or query) or the store's.
        :raises RemoteStoreError: when the store cannot be reached or fails (502).
        """
        check_probe(job)
        job = self._restricted(job)
        return self.store.answer(
            job.query,
            max_rows=job.max_rows,
            time_limit_s=time_limit_s,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            bindings=dict(job.bindings) or None,
            base_iri=job.base_iri,
            union_default_graph=job.union_default_graph,
        )

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.store.close()


class QueryService:
    """Answer SPARQL queries over one graph with the guarantees of this module.

    :param settings: ``query_time_limit_ms``, ``max_rows`` and ``allow_free_sparql``
        are read.
    :param executor: what runs the accepted queries: a :class:`QueryPool`
        (:meth:`with_pool`) or :class:`InProcess` (:meth:`in_process`).
    """

    def __init__(self, settings: Settings, executor: Executor) -> None:
        self.settings = settings
        self.executor = executor

    @classmethod
    def with_pool(
        cls,
        settings: Settings,
        store: GraphStore | ReadOnlyStore | None = None,
        *,
        start_method: str = "forkserver",
    ) -> QueryService:
        """A service whose queries run in killable worker processes (the web's).

        :param store: a graph to serve instead of the built one (its quads are
            handed to the workers; it needs ``serialize``).
        :raises NotBuiltError: when no store is given and the graph is not built.
        """
        if store is not None:
            nquads = store.serialize(ox.RdfFormat.N_QUADS)
            pool = QueryPool(
                nquads=nquads,
                size=settings.query_workers,
                reserved=settings.query_workers_reserved,
                start_method=start_method,
                queue_wait_s=settings.query_queue_wait_ms / 1000,
            )
        else:
            path = built_graph_path(settings)
            if not path.is_file():
                raise NotBuiltError(
                    f"no built graph at {path}", "run `relgraph build` (or `make build`) first"
                )
            pool = QueryPool(
                path=path,
                size=settings.query_workers,
                reserved=settings.query_workers_reserved,
                start_method=start_method,
                queue_wait_s=settings.query_queue_wait_ms / 1000,
            )
        return cls(settings, pool)

    @classmethod
    def with_backend(cls, settings: Settings, store: RemoteStore) -> QueryService:
        """A service whose queries run on an external store (see :class:`Backend`)."""
        return cls(settings, Backend(store))

    @classmethod
    def in_process(cls, settings: Settings, store: ReadableStore) -> QueryService:
        """A service whose queries run in this process (the CLI's)."""
        return cls(settings, InProcess(store))

    @property
    def pool(self) -> QueryPool | None:
        """The worker pool, when queries run in one."""
        return self.executor if isinstance(self.executor, QueryPool) else None

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self.executor.close()

    def __enter__(self) -> QueryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, request: QueryRequest) -> QueryInfo:
        """Inspect a request without running it (no engine involved, microseconds).

        :raises QueryRejected: for updates, SERVICE, or free SPARQL when it is off.
        :raises TooLarge: (413) for a text longer than the setting ``max_query_chars``.
        :raises QuerySyntaxError: if the text is empty (the engine reports the
            other syntax errors when the query runs).
        """
        limit = self.settings.max_query_chars
        if limit and len(request.query) > limit:
            raise TooLarge(
                f"the query is {len(request.query)} characters long, more than the "
                f"{limit} this server accepts (setting max_query_chars)",
                "shorten the query: long VALUES lists can often be a FILTER or a join",
            )
        if not request.trusted and not self.settings.allow_free_sparql:
            raise QueryRejected(
                "free SPARQL is switched off on this server (setting allow_free_sparql)",
                "run one of the stored queries at /queries instead",
            )
        return inspect_cached(request.query, max_nesting=self.settings.max_query_nesting)

    def run_stored(
        self,
        query: StoredQuery,
        values: Mapping[str, str] | None = None,
        *,
        time_limit_ms: int | str | None = None,
    ) -> Outcome:
        """Answer a stored query with parameter values bound (trusted: free SPARQL may be off).

        :raises ParameterError: for an unknown parameter or a malformed value.
        """
        return self.run(
            QueryRequest(
                query=query.text,
                bindings=query.bind(values),
                trusted=True,
                time_limit_ms=time_limit_ms,
            )
        )

    def run(self, request: QueryRequest, info: QueryInfo | None = None) -> Outcome:
        """Inspect and answer a query.

        :param info: what :meth:`check` said of this request, if it was already called
            (the inspection is then not repeated).

        When the text mentions "service", the worker first parses its
        :func:`~relgraph.query.inspection.service_probe` (see that module): the query
        runs only if the probe parses.

        :raises QueryRejected: for updates and SERVICE clauses (also those only the
            probe finds), or free SPARQL when it is off.
        :raises QuerySyntaxError: with line and column, from the engine's parser.
        :raises QueryTimeout: naming ``query_time_limit_ms``, when the deadline passed.
        :raises WorkerFault: (500) when the query worker failed unexpectedly.
        """
        info = info if info is not None else self.check(request)
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
            max_rows=self.settings.max_rows,
            max_bytes=self.settings.max_result_bytes,
            probe=probe,
            trusted=request.trusted,
            output=request.output,
        )
        try:
            answer = self.executor.run(job, limit_ms / 1000)
        except QuerySyntaxError:
            if probe is not None and service_in_keyword_position(text):
                raise QueryRejected(*_SERVICE_REFUSED) from None
            raise
        except QueryTimeout:
            global_limit = self.settings.query_time_limit_ms
            lowered = (
                f" (lowered by the request from {global_limit} ms)"
                if limit_ms < global_limit
                else ""
            )
            timeout = QueryTimeout(
                f"the query ran longer than the time limit of {limit_ms} ms{lowered} and was "
                "stopped; the limit is the setting query_time_limit_ms",
                "add a LIMIT, or make the patterns more selective, and try again",
            )
            timeout.time_limit_ms = limit_ms
            raise timeout from None
        return Outcome(answer, info, limit_ms)
