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
* **Bindings** become a trailing ``VALUES`` clause (SPARQL 1.1 Query §10.2.2)
  written from the terms, never pasted from user text. As in
  :meth:`relgraph.catalog.StoredQuery.standalone`, a bound variable must be
  projected.
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

import base64
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox

from relgraph.errors import (
    ConfigError,
    QuerySyntaxError,
    QueryTimeout,
    RelgraphError,
    RemoteStoreError,
)
from relgraph.store.answer import Answer, collect
from relgraph.store.base import GraphInfo, QueryMethods, QueryResult, Term
from relgraph.vocab import GRAPH, PREFIXES

__all__ = [
    "Credentials",
    "RemoteStore",
    "RemoteStoreError",
    "HttpClient",
    "values_clause",
    "with_prologue",
]

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
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to a store.

    :ivar scheme: ``basic`` (RFC 7617, sent with every request), ``digest``
        (RFC 7616, answered to the store's challenge; Virtuoso's ``-auth``
        endpoints use it) or ``bearer`` (RFC 6750, a token).
    :ivar user: the user name (basic, digest).
    :ivar secret: the password or token. Read it from the environment with
        :meth:`from_env`, never from a command line.
    """

    scheme: Literal["basic", "digest", "bearer"]
    secret: str
    user: str = ""

    def __repr__(self) -> str:
        return f"Credentials(scheme={self.scheme!r}, user={self.user!r}, secret=***)"

    @classmethod
    def from_env(
        cls,
        *,
        user: str | None = None,
        password_env: str | None = None,
        token_env: str | None = None,
        scheme: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials | None:
        """Credentials from a user name and an environment variable holding the secret.

        :returns: None when neither a user nor a token variable is given.
        :raises ConfigError: when the variable is not set or the options clash.
        """
        env = os.environ if environ is None else environ
        if token_env and user:
            raise ConfigError(
                "give either a bearer token or a user name, not both",
                "use --token-env VAR alone, or --user NAME with --password-env VAR",
            )
        if token_env:
            if token_env not in env or not env[token_env]:
                raise ConfigError(
                    f"the environment variable {token_env} (the bearer token) is not set",
                    f"export {token_env}=... before running the command",
                )
            return cls("bearer", env[token_env])
        if user:
            variable = password_env or "RELGRAPH_STORE_PASSWORD"
            if variable not in env:
                raise ConfigError(
                    f"the environment variable {variable} (the password of {user}) is not set",
                    f"export {variable}=... (or name another with --password-env)",
                )
            chosen = (scheme or "basic").lower()
            if chosen not in {"basic", "digest"}:
                raise ConfigError(
                    f"unknown authentication scheme {scheme!r}", "use basic or digest"
                )
            return cls(chosen, env[variable], user)  # type: ignore[arg-type]
        return None


class HttpClient:
    """HTTP requests to one store, with credentials and a timeout (urllib, no extra deps).

    :param base: the URL requests go to (used for the digest realm).
    :param credentials: how to authenticate, or None.
    :param timeout_s: seconds to wait for the store's answer.
    """

    def __init__(
        self, base: str, credentials: Credentials | None = None, timeout_s: float = 60.0
    ) -> None:
        self.base = base
        self.credentials = credentials
        self.timeout_s = timeout_s

    def _opener(self) -> urllib.request.OpenerDirector:
        # A fresh digest handler per request: CPython's handler counts challenges over its
        # whole life and refuses after the sixth, so a long-lived one fails a push.
        creds = self.credentials
        if creds is None or creds.scheme != "digest":
            return urllib.request.build_opener()
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, self.base, creds.user, creds.secret)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))

    def _headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out = {"User-Agent": "relgraph", **headers}
        creds = self.credentials
        if creds is not None and creds.scheme == "basic":
            token = base64.b64encode(f"{creds.user}:{creds.secret}".encode()).decode("ascii")
            out["Authorization"] = f"Basic {token}"
        elif creds is not None and creds.scheme == "bearer":
            out["Authorization"] = f"Bearer {creds.secret}"
        return out

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, str, bytes, Mapping[str, str]]:
        """Send a request; return (status, media type, body, headers) for any HTTP answer.

        :raises RemoteStoreError: when the store cannot be reached.
        :raises QueryTimeout: when it does not answer within the timeout.
        """
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise ConfigError(f"{url!r} is not an http(s) URL", "give the store's http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, data=data, method=method, headers=self._headers(headers or {})
        )
        wait = self.timeout_s if timeout_s is None else timeout_s
        try:
            with self._opener().open(request, timeout=wait) as response:
                body = response.read()
                status, info = response.status, response.headers
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            status, info = error.code, error.headers
        except TimeoutError:
            raise QueryTimeout(
                f"the store at {url.split('?')[0]} did not answer within {wait:g} s",
                "make the query more selective (add a LIMIT), or raise the timeout",
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise QueryTimeout(
                    f"the store at {url.split('?')[0]} did not answer within {wait:g} s",
                    "make the query more selective (add a LIMIT), or raise the timeout",
                ) from None
            raise RemoteStoreError(
                f"cannot reach the store at {url.split('?')[0]}: {error.reason}",
                "check the URL and that the store is running and reachable from here",
            ) from None
        except OSError as error:
            raise RemoteStoreError(
                f"the connection to the store at {url.split('?')[0]} failed: {error}",
                "check that the store is running; try again",
            ) from None
        media = (info.get("Content-Type") or "").split(";")[0].strip().lower()
        return status, media, body, info


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A trailing ``VALUES`` clause binding variables to terms (one row).

    >>> values_clause({"x": ox.NamedNode("http://example.org/a"), "n": ox.Literal("1")})
    'VALUES (?x ?n) { (<http://example.org/a> "1") }'
    """
    if not bindings:
        return ""
    names = " ".join(f"?{ox.Variable(name).value}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def _accept(text: str) -> str:
    """The Accept header for a query: its form, as pyoxigraph parses it on an empty store.

    Some stores (Virtuoso) answer a CONSTRUCT in SPARQL Results JSON if asked for it.
    """
    try:
        result = ox.Store().query(text)
    except (SyntaxError, ValueError):
        return ACCEPT
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
    values = values_clause(bindings or {})
    return base + prologue + sparql.rstrip() + ("\n" + values + "\n" if values else "\n")


class RemoteStore(QueryMethods):
    """An external store's SPARQL endpoint, with :class:`~relgraph.store.GraphStore`'s query API.

    :param endpoint: the SPARQL 1.1 Protocol query endpoint, e.g.
        ``http://127.0.0.1:8890/sparql`` (Virtuoso) or ``http://127.0.0.1:7878/query``
        (Oxigraph).
    :param credentials: how to authenticate (see :class:`Credentials`), or None.
    :param timeout_s: seconds a query may take before :class:`QueryTimeout`.
    :param graph_prefix: relgraph's named graphs are those whose IRI starts with it.
    :param dataset: ``graphs`` (default): the union default graph is relgraph's
        graphs, listed in the request; ``store``: the store's own default graph.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        credentials: Credentials | None = None,
        timeout_s: float = 60.0,
        graph_prefix: str = str(GRAPH),
        dataset: Literal["graphs", "store"] = "graphs",
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in {"http", "https"}:
            raise ConfigError(
                f"{endpoint!r} is not an http(s) URL", "give the store's SPARQL endpoint URL"
            )
        self.endpoint = endpoint
        self.graph_prefix = graph_prefix
        self.dataset = dataset
        self.http = HttpClient(endpoint, credentials, timeout_s)
        self._graphs: list[str] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

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

    # -- querying ----------------------------------------------------------------------------
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

        :raises QuerySyntaxError: when the store cannot parse the query (its message).
        :raises QueryTimeout: past ``timeout_s`` or the store's own limit.
        :raises RemoteStoreError: when the store cannot be reached or fails.
        """
        text = with_prologue(sparql, bindings=bindings, base_iri=base_iri)
        dataset: tuple[Sequence[str], Sequence[str]] | tuple[()]
        if default_graphs is not None:
            named = named_graphs if named_graphs is not None else self._all_graphs()
            dataset = (list(default_graphs), list(named))
        elif named_graphs is not None:
            dataset = (self._all_graphs(), list(named_graphs))
        elif union_default_graph and self.dataset == "graphs":
            every = self._all_graphs()
            dataset = (every, every)
        else:
            dataset = ()
        return self._send(text, dataset=dataset)

    def answer(self, sparql: str, *, max_rows: int = 10000, **kwargs: Any) -> Answer:
        """:meth:`query`, read into an :class:`~relgraph.answer.Answer` of at most ``max_rows``."""
        started = time.perf_counter()
        answer = collect(self.query(sparql, **kwargs), max_rows)
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

    def _send(
        self, text: str, *, dataset: tuple[Sequence[str], Sequence[str]] | tuple[()]
    ) -> QueryResult:
        fields: list[tuple[str, str]] = [("query", text)]
        if dataset:
            fields += [("default-graph-uri", g) for g in dataset[0]]
            fields += [("named-graph-uri", g) for g in dataset[1]]
        status, media, body, headers = self.http.request(
            "POST",
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": _accept(text),
            },
        )
        if status != 200:
            raise _error(self.endpoint, status, body)
        if headers.get("X-SQL-State", "").startswith("S1TAT"):
            # Virtuoso's "anytime" answer: cut at its time limit, so incomplete.
            raise QueryTimeout(
                f"the store at {self.endpoint} stopped the query at its own time limit "
                "and returned a partial answer",
                "make the query more selective (add a LIMIT), or raise the store's limit",
            )
        if media in _RESULT_FORMATS:
            try:
                parsed = ox.parse_query_results(body, format=_RESULT_FORMATS[media])
            except (SyntaxError, ValueError) as exc:
                raise RemoteStoreError(
                    f"the store at {self.endpoint} sent results relgraph cannot read: {exc}",
                    "report this with the query; try another result format on the store",
                ) from None
            return parsed
        if media in _GRAPH_FORMATS:
            try:
                triples = [q.triple for q in ox.parse(body, format=_GRAPH_FORMATS[media])]
            except SyntaxError as exc:
                raise RemoteStoreError(
                    f"the store at {self.endpoint} sent RDF relgraph cannot read: {exc.msg}",
                    "report this with the query",
                ) from None
            # A graph answer as pyoxigraph's own QueryTriples, read from a scratch store.
            scratch = ox.Store()
            scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        raise RemoteStoreError(
            f"the store at {self.endpoint} answered with {media or 'no media type'!r}, "
            "not SPARQL results or RDF",
            "check that the URL is the store's SPARQL query endpoint",
        )


def _not_solutions(endpoint: str) -> RemoteStoreError:
    return RemoteStoreError(
        f"the store at {endpoint} did not answer a SELECT with solutions",
        "check that the URL is the store's SPARQL query endpoint",
    )


def _message(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return " ".join(text.split())[:600]


def _error(endpoint: str, status: int, body: bytes) -> RelgraphError:
    """The relgraph error for a store's non-200 answer to a query."""
    message = _message(body)
    lowered = message.lower()
    timed = ("timed out", "timeout", "exceeds the limit")
    if status in {408, 504} or any(word in lowered for word in timed):
        return QueryTimeout(
            f"the store at {endpoint} stopped the query at its time limit: {message}",
            "make the query more selective (add a LIMIT), or raise the store's limit",
        )
    if status == 400:
        return QuerySyntaxError(
            f"the store at {endpoint} refused the query: {message}",
            "check the query; the store's own SPARQL dialect may differ from relgraph's",
        )
    if status in {401, 403}:
        return RemoteStoreError(
            f"the store at {endpoint} refused access (HTTP {status}): {message}",
            "give credentials (--user with --password-env, or --token-env) that may read it",
        )
    if status == 404:
        return RemoteStoreError(
            f"no SPARQL endpoint at {endpoint} (HTTP 404)",
            "give the store's query endpoint, e.g. http://host:8890/sparql for Virtuoso",
        )
    return RemoteStoreError(
        f"the store at {endpoint} failed (HTTP {status}): {message}",
        "see the store's log; try again",
    )
