"""An external triple store, queried through the SPARQL 1.1 Protocol like the embedded one.

:class:`RemoteStore` answers :meth:`~relgraph.store.GraphStore.query`'s
interface (dataset, bindings, base IRI, union default graph) against any store
that speaks the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/):
Virtuoso, Oxigraph's server, Apache Jena Fuseki, GraphDB, QLever, Amazon
Neptune, ... Its answers are pyoxigraph's own result objects, parsed with
:func:`pyoxigraph.parse_query_results`, so everything that reads a
``GraphStore`` answer (:func:`relgraph.answer.collect`, the web's
:class:`~relgraph.answer.Answer`) reads these too.

* **Prefixes**: the prefixes relgraph predeclares (``relgraph.vocab.PREFIXES``)
  are declared in a prologue, since the store does not know them.
* **Bindings** become a ``VALUES`` block (SPARQL 1.1 Query §10.2.1) written from
  the terms, never pasted from user text, at the start of the WHERE group, where it
  binds before grouping as pyoxigraph's substitutions do (:mod:`relgraph.store.values`).
* **Dataset**: relgraph's default graph is the union of *its* named graphs
  (IRIs under ``https://w3id.org/relgraph/graph/``), not of everything the
  store holds; by default the graphs are listed in ``default-graph-uri`` and
  ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4). ``dataset="store"`` leaves
  the choice to the store (e.g. Virtuoso's union of all graphs, or Oxigraph
  started with ``--union-default-graph``).
* **Errors**: the store's answers become relgraph's errors: a query the store
  cannot parse is a :class:`~relgraph.errors.QuerySyntaxError` with the store's
  message; a request past ``timeout_s``, or the store's own time limit, a
  :class:`~relgraph.errors.QueryTimeout`; anything else (unreachable, refused
  credentials, a server error) a :class:`RemoteStoreError` naming the URL.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Literal

import pyoxigraph as ox
import urllib3

from relgraph.errors import (
    ConfigError,
    QueryTimeout,
    RemoteStoreError,
)
from relgraph.settings import Settings
from relgraph.store.answer import Answer
from relgraph.store.base import GraphInfo, QueryMethods, QueryResult, Term, Value, parse_query_error
from relgraph.store.http import (
    HEADER_LINES,
    ConnectionPool,
    Credentials,
    HttpClient,
    Replacing,
    Reply,
    allow_header_lines,
    query_error,
)
from relgraph.store.values import bind_in_text, values_clause
from relgraph.vocab import GRAPH, PREFIXES

__all__ = [
    "Credentials",
    "RemoteStore",
    "RemoteStoreError",
    "HttpClient",
    "TimeoutParameter",
    "values_clause",
    "with_prologue",
]

#: How a store is told its own time limit for a query: ``none`` (only relgraph's HTTP
#: deadline), ``ms`` (a ``timeout`` parameter in milliseconds: Virtuoso) or ``s`` (in
#: seconds: Apache Jena Fuseki, GraphDB). See docs/external-stores.md.
TimeoutParameter = Literal["none", "ms", "s"]
#: How often (in rows) a streamed answer checks its deadline.
_DEADLINE_EVERY = 64

#: What a query request accepts, preferred first: for SELECT and ASK, for CONSTRUCT and
#: DESCRIBE, and for a query whose form pyoxigraph cannot tell (a store's own syntax).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
ACCEPT = f"{ACCEPT_RESULTS}, application/n-triples;q=0.8, text/turtle;q=0.7"
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_JSON = {"application/sparql-results+json", "application/json"}
#: Virtuoso names blank nodes ``nodeID://b123`` in SPARQL JSON results, which is no blank
#: node label (SPARQL 1.1 Query §19.8, BLANK_NODE_LABEL); the prefix is dropped as the
#: answer is read. Matched with Virtuoso's own spacing, so a literal never matches.
_VIRTUOSO_BNODE = (b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "')
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def _accept(sparql: str, base_iri: str | None) -> str:
    """The Accept header for a query, from its form as relgraph's engine parses it.

    The text is parsed here first (pyoxigraph, on an empty store), so only SPARQL 1.1
    reaches the store, never a store's own extensions (e.g. Virtuoso's ``DEFINE``
    pragmas), and a syntax error has the line and column of the text as the user wrote it.
    Some stores (Virtuoso) answer a CONSTRUCT in SPARQL Results JSON if asked for it.

    :raises QuerySyntaxError: when the query does not parse.
    """
    try:
        result = ox.Store().query(sparql, prefixes=PREFIXES, base_iri=base_iri)
    except SyntaxError as exc:
        raise parse_query_error(exc) from None
    return ACCEPT_GRAPH if isinstance(result, ox.QueryTriples) else ACCEPT_RESULTS


def with_prologue(
    sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
) -> str:
    """The query text a store gets: relgraph's prefixes, the base, the text, the bindings.

    >>> print(with_prologue("SELECT ?x WHERE { ?x a rg:Theory }", base_iri="http://e/")
    ...       .splitlines()[0])
    BASE <http://e/>
    """
    base = f"BASE {ox.NamedNode(base_iri)}\n" if base_iri else ""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return base + prologue + bind_in_text(sparql.rstrip(), bindings) + "\n"


class RemoteStore(QueryMethods):
    """An external store's SPARQL endpoint, with :class:`~relgraph.store.GraphStore`'s query API.

    :param endpoint: the SPARQL 1.1 Protocol query endpoint, e.g.
        ``http://127.0.0.1:8890/sparql`` (Virtuoso) or ``http://127.0.0.1:7878/query``
        (Oxigraph).
    :param credentials: how to authenticate (see :class:`Credentials`), or None.
    :param timeout_s: seconds a query may take before :class:`QueryTimeout` (lowered
        per query by :meth:`answer`'s ``time_limit_s``).
    :param graph_prefix: relgraph's named graphs are those whose IRI starts with it.
    :param dataset: ``graphs`` (default): the union default graph is relgraph's graphs,
        listed in the request (Protocol §2.1.4); ``store``: no dataset is sent, for a store
        whose default graph is that union (:meth:`check_dataset`, backend_union_default_graph).
    :param timeout_parameter: how the store is told a query's time limit (see
        :data:`TimeoutParameter`).
    :param connections: connections kept alive (about the threads that query at once).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        credentials: Credentials | None = None,
        timeout_s: float = 60.0,
        graph_prefix: str = str(GRAPH),
        dataset: Literal["graphs", "store"] = "graphs",
        timeout_parameter: TimeoutParameter = "none",
        connections: int = 8,
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in {"http", "https"}:
            raise ConfigError(
                f"{endpoint!r} is not an http(s) URL", "give the store's SPARQL endpoint URL"
            )
        if timeout_parameter not in {"none", "ms", "s"}:
            raise ConfigError(
                f"unknown timeout parameter {timeout_parameter!r}",
                "use none, ms (Virtuoso) or s (Fuseki, GraphDB)",
            )
        self.endpoint = endpoint
        self.graph_prefix = graph_prefix
        self.dataset = dataset
        self.timeout_s = timeout_s
        self.timeout_parameter = timeout_parameter
        self.http = HttpClient(endpoint, credentials, timeout_s)
        self.pool = ConnectionPool(endpoint, credentials, connections)
        self._graphs: list[str] | None = None
        self._union_checked = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    @classmethod
    def from_settings(cls, settings: Settings, endpoint: str | None = None) -> RemoteStore:
        """The store of the setting ``backend`` (or ``endpoint``), with its credentials.

        User queries get ``query_time_limit_ms`` each (:meth:`answer`); relgraph's own
        small queries (labels, entity pages, statistics) up to three times that, at
        least 60 s. Threads: one kept connection per ``threads``.

        :raises ConfigError: when no backend is set, or its credentials are missing.
        """
        url = endpoint or settings.backend
        if not url:
            raise ConfigError("no backend store is set", "give --backend URL (a SPARQL endpoint)")
        credentials = Credentials.from_env(
            user=settings.backend_user or None,
            password_env=settings.backend_password_env,
            token_env=settings.backend_token_env or None,
            scheme=settings.backend_auth,
        )
        parameter = settings.backend_timeout_parameter
        if parameter not in {"none", "ms", "s"}:
            raise ConfigError(
                f"setting backend_timeout_parameter is {parameter!r}",
                "use none, ms (Virtuoso) or s (Fuseki, GraphDB)",
            )
        return cls(
            url,
            credentials=credentials,
            timeout_s=max(60.0, settings.query_time_limit_ms / 1000 * 3),
            timeout_parameter=parameter,  # type: ignore[arg-type]
            connections=max(1, settings.threads),
            dataset="store" if settings.backend_union_default_graph else "graphs",
        )

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.pool.close()

    # -- the graphs --------------------------------------------------------------------------
    def graph_iris(self, *, refresh: bool = False) -> list[str]:
        """relgraph's named graphs in the store (cached; ``refresh`` asks again)."""
        if self._graphs is None or refresh:
            result = self._send(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.graph_prefix)})) }}",
                dataset=(),
            )
            if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - a SELECT
                raise _not_solutions(self.endpoint)
            self._graphs = sorted(
                row["g"].value for row in result if isinstance(row["g"], ox.NamedNode)
            )
        return list(self._graphs)

    def graphs(self) -> list[GraphInfo]:
        """relgraph's named graphs with their triple counts, sorted by IRI."""
        result = self._send(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.graph_prefix)})) }} GROUP BY ?g",
            dataset=(),
        )
        if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - a SELECT
            raise _not_solutions(self.endpoint)
        out = [GraphInfo(row["g"].value, int(row["n"].value)) for row in result]
        self._graphs = sorted(g.iri for g in out)
        return sorted(out, key=lambda g: g.iri)

    def __len__(self) -> int:
        return sum(g.triples for g in self.graphs())

    def objects(self, node: str, predicate: str) -> list[Value]:
        """The objects of an IRI for a predicate (in relgraph's graphs).

        A blank node (``_:id``) has none: its identifier is the store's own, valid
        only inside the answer it came in (SPARQL 1.1 Query §4.1.4), so it cannot
        be asked about again.
        """
        if node.startswith("_:"):
            return []
        rows = self.rows(
            "SELECT ?o WHERE { ?s ?p ?o }",
            bindings={"s": ox.NamedNode(node), "p": ox.NamedNode(predicate)},
        )
        return [row["o"] for row in rows if "o" in row]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads of one of relgraph's graphs, or of all, read from the store now.

        Each graph is one CONSTRUCT (:meth:`fetch_graph`); blank nodes are renamed apart
        per graph, since a store's labels are only valid within one answer.
        """
        for iri in [graph] if graph is not None else self.graph_iris():
            node = ox.NamedNode(iri)
            fresh: dict[str, ox.BlankNode] = {}
            for t in self.fetch_graph(iri):
                s, o = t.subject, t.object
                if isinstance(s, ox.BlankNode):
                    s = fresh.setdefault(s.value, ox.BlankNode())
                if isinstance(o, ox.BlankNode):
                    o = fresh.setdefault(o.value, ox.BlankNode())
                yield ox.Quad(s, t.predicate, o, node)

    # -- querying ----------------------------------------------------------------------------
    def _dataset(
        self,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        union_default_graph: bool,
    ) -> tuple[Sequence[str], Sequence[str]] | tuple[()]:
        if default_graphs is not None:
            named = named_graphs if named_graphs is not None else self._all_graphs()
            return (list(default_graphs), list(named))
        if named_graphs is not None:
            return (self._all_graphs(), list(named_graphs))
        if union_default_graph and self.dataset == "graphs":
            every = self._all_graphs()
            return (every, every)
        if union_default_graph:
            self.check_dataset()  # a no-op after the first time
        return ()

    def check_dataset(self) -> None:
        """Check once (``serve``/``check`` at start) that the default graph is the union.

        One triple of one of relgraph's graphs (no blank nodes) is asked for with ``ASK``
        without a dataset; a store whose default graph is not the union (Oxigraph's server
        without ``--union-default-graph``: empty) would answer every query with nothing.
        :raises ConfigError: when the default graph does not hold the triple.
        """
        graphs = self._all_graphs() if self.dataset == "store" and not self._union_checked else []
        if not graphs:
            return
        sample = self._send(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g = {ox.NamedNode(graphs[0])} && !isBlank(?s) && !isBlank(?o)) }} LIMIT 1",
            dataset=(),
        )
        for row in sample if isinstance(sample, ox.QuerySolutions) else []:
            found = self._send(f"ASK {{ {row['s']} {row['p']} {row['o']} }}", dataset=())
            if not (isinstance(found, ox.QueryBoolean) and bool(found)):
                raise ConfigError(
                    f"the default graph of the store at {self.endpoint} is not the union of "
                    f"its named graphs: it lacks the triples of <{graphs[0]}>",
                    "start the store with its default graph as the union (Oxigraph: --union-"
                    "default-graph; Fuseki: tdb2:unionDefaultGraph true), or give --list-graphs",
                )
        self._union_checked = True

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Any] | None = None,
        base_iri: str | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a query on the store; same parameters and result types as ``GraphStore.query``.

        The answer is read in full (use :meth:`answer` for a capped, streamed one).

        :raises QuerySyntaxError: when the query does not parse (here, or at the store).
        :raises QueryTimeout: past ``timeout_s`` or the store's own limit.
        :raises RemoteStoreError: when the store cannot be reached or fails.
        """
        accept = _accept(sparql, base_iri)
        text = with_prologue(sparql, bindings=bindings, base_iri=base_iri)
        dataset = self._dataset(default_graphs, named_graphs, union_default_graph)
        return self._send(text, dataset=dataset, accept=accept)

    def answer(
        self,
        sparql: str,
        *,
        max_rows: int = 10000,
        time_limit_s: float | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Any] | None = None,
        base_iri: str | None = None,
        union_default_graph: bool = True,
    ) -> Answer:
        """:meth:`query` read into an :class:`~relgraph.store.answer.Answer` of <= ``max_rows``.

        The body is streamed: reading stops after ``max_rows + 1`` rows (or triples)
        and the connection is closed, so a huge answer is never transferred in full.
        ``time_limit_s`` bounds the whole request (the HTTP wait, and the reading,
        checked every few rows) and is sent to the store as its own limit when
        ``timeout_parameter`` says how.

        :raises QueryTimeout: when the time limit passed (at the store or here).
        """
        started = time.perf_counter()
        limit = self.timeout_s if time_limit_s is None else min(time_limit_s, self.timeout_s)
        deadline = time.monotonic() + limit
        accept = _accept(sparql, base_iri)
        text = with_prologue(sparql, bindings=bindings, base_iri=base_iri)
        dataset = self._dataset(default_graphs, named_graphs, union_default_graph)
        reply = self._post(text, dataset=dataset, accept=accept, time_limit_s=limit)
        complete = False
        try:
            answer = self._read_answer(reply, max_rows, deadline)
            complete = not answer.truncated
        finally:
            reply.finish(complete=complete)
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def _all_graphs(self) -> list[str]:
        graphs = self.graph_iris()
        if not graphs:
            raise RemoteStoreError(
                f"the store at {self.endpoint} holds no relgraph graphs "
                f"(no named graph under {self.graph_prefix})",
                "upload the graph first: relgraph push --endpoint GRAPH-STORE-URL",
            )
        return graphs

    def _post(
        self,
        text: str,
        *,
        dataset: tuple[Sequence[str], Sequence[str]] | tuple[()],
        accept: str,
        time_limit_s: float,
    ) -> Reply:
        fields: list[tuple[str, str]] = [("query", text)]
        if dataset:
            fields += [("default-graph-uri", g) for g in dataset[0]]
            fields += [("named-graph-uri", g) for g in dataset[1]]
            # Virtuoso echoes each as a header of its answer (relgraph.store.http).
            allow_header_lines(HEADER_LINES + len(dataset[0]) + len(dataset[1]))
        if self.timeout_parameter == "ms":
            fields.append(("timeout", str(max(1, int(time_limit_s * 1000)))))
        elif self.timeout_parameter == "s":
            fields.append(("timeout", f"{time_limit_s:g}"))
        reply = self.pool.post(
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            timeout_s=time_limit_s,
        )
        if reply.status != 200:
            try:
                body = reply.read(64 * 1024)
            finally:
                reply.finish(complete=False)
            raise query_error(self.endpoint, reply.status, body)
        if reply.headers.get("X-SQL-State", "").startswith("S1TAT"):
            reply.finish(complete=False)
            # Virtuoso's "anytime" answer: cut at its time limit, so incomplete.
            raise QueryTimeout(
                f"the store at {self.endpoint} stopped the query at its own time limit "
                "and returned a partial answer",
                "make the query more selective (add a LIMIT), or raise the store's limit",
            )
        if reply.media not in _RESULT_FORMATS and reply.media not in _GRAPH_FORMATS:
            reply.finish(complete=False)
            raise RemoteStoreError(
                f"the store at {self.endpoint} answered with {reply.media or 'no media type'!r}, "
                "not SPARQL results or RDF",
                "check that the URL is the store's SPARQL query endpoint",
            )
        return reply

    def _read_answer(self, reply: Reply, max_rows: int, deadline: float) -> Answer:
        """Read at most ``max_rows + 1`` rows (or triples) of a streamed answer."""

        def bounded(items: Iterator[Any]) -> Iterator[Any]:
            for n, item in enumerate(items):
                if n % _DEADLINE_EVERY == 0 and time.monotonic() > deadline:
                    raise QueryTimeout(
                        f"the store at {self.endpoint} did not send its answer in time",
                        "make the query more selective (add a LIMIT), or raise the timeout",
                    )
                yield item

        try:
            if reply.media in _GRAPH_FORMATS:
                quads = ox.parse(reply.body, format=_GRAPH_FORMATS[reply.media])
                triples = [q.triple for q in islice(bounded(quads), max_rows + 1)]
                return Answer(
                    "graph", triples=triples[:max_rows], truncated=len(triples) > max_rows
                )
            body: Any = reply.body
            if reply.media in _JSON:
                body = Replacing(body, *_VIRTUOSO_BNODE)
            result = ox.parse_query_results(body, format=_RESULT_FORMATS[reply.media])
            if isinstance(result, ox.QueryBoolean):
                return Answer("ask", boolean=bool(result))
            variables = [v.value for v in result.variables]
            rows = [
                tuple(sol[v] for v in variables)
                for sol in islice(bounded(iter(result)), max_rows + 1)
            ]
        except (SyntaxError, ValueError) as exc:
            raise RemoteStoreError(
                f"the store at {self.endpoint} sent an answer relgraph cannot read: {exc}",
                "report this with the query; try another result format on the store",
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._read_failed(exc) from None
        return Answer(
            "select", variables=variables, rows=rows[:max_rows], truncated=len(rows) > max_rows
        )

    def _read_failed(self, exc: Exception) -> QueryTimeout | RemoteStoreError:
        """The error for a body that could not be read to its end (its connection is closed)."""
        if isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError):
            return QueryTimeout(
                f"the store at {self.endpoint} did not send its answer in time",
                "make the query more selective (add a LIMIT), or raise the timeout",
            )
        return RemoteStoreError(
            f"the connection to the store at {self.endpoint} failed while reading: {exc}",
            "check that the store is running; try again",
        )

    def _send(
        self,
        text: str,
        *,
        dataset: tuple[Sequence[str], Sequence[str]] | tuple[()],
        accept: str = ACCEPT,
    ) -> QueryResult:
        """Send a query and read its whole answer as pyoxigraph's result objects.

        :raises QueryTimeout: when the answer does not arrive in full within ``timeout_s``
            (the connection is then closed, never reused).
        """
        reply = self._post(text, dataset=dataset, accept=accept, time_limit_s=self.timeout_s)
        complete = False
        try:
            body = reply.read()
            complete = True
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._read_failed(exc) from None
        finally:
            reply.finish(complete=complete)
        if reply.media in _RESULT_FORMATS:
            if reply.media in _JSON:
                body = body.replace(*_VIRTUOSO_BNODE)
            try:
                return ox.parse_query_results(body, format=_RESULT_FORMATS[reply.media])
            except (SyntaxError, ValueError) as exc:
                raise RemoteStoreError(
                    f"the store at {self.endpoint} sent results relgraph cannot read: {exc}",
                    "report this with the query; try another result format on the store",
                ) from None
        try:
            triples = [q.triple for q in ox.parse(body, format=_GRAPH_FORMATS[reply.media])]
        except SyntaxError as exc:
            raise RemoteStoreError(
                f"the store at {self.endpoint} sent RDF relgraph cannot read: {exc.msg}",
                "report this with the query",
            ) from None
        # A graph answer as pyoxigraph's own QueryTriples, read from a scratch store.
        scratch = ox.Store()
        scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

    def fetch_graph(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph, with a CONSTRUCT over the SPARQL Protocol.

        :raises RemoteStoreError: when the store sent fewer triples than the graph holds
            (a store's result-size limit, e.g. Virtuoso's ``ResultSetMaxRows``).
        """
        node = ox.NamedNode(graph)
        reply = self._post(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}",
            dataset=(),
            accept=ACCEPT_GRAPH,
            time_limit_s=self.timeout_s,
        )
        try:
            answer = self._read_answer(reply, 10**12, time.monotonic() + self.timeout_s)
        finally:
            reply.finish(complete=True)
        return answer.triples


def _not_solutions(endpoint: str) -> RemoteStoreError:
    return RemoteStoreError(
        f"the store at {endpoint} did not answer a SELECT with solutions",
        "check that the URL is the store's SPARQL query endpoint",
    )
