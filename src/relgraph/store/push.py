"""``relgraph push``: upload the graph to a store with the SPARQL 1.1 Graph Store Protocol.

Each named graph of the build (one per source file) is sent with ``PUT``,
which replaces that graph's previous version in the store (SPARQL 1.1 Graph
Store HTTP Protocol, https://www.w3.org/TR/sparql11-http-rdf-update/, §5.3),
as N-Triples (a subset of Turtle, so it is sent as ``text/turtle``, which
every store reads).

Before changing anything, :func:`push` reads the store's current version of
every graph it will replace (``GET``, §5.2; a 404 means the graph is new). If
a ``PUT`` fails, the graphs already replaced, and the failing one, are put
back (``PUT`` of the old version, or ``DELETE`` of a new graph), so the store
is left as it was; if that too fails, :class:`PushError` says exactly which
graphs hold the new version, which the old one, and which were deleted.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.errors import ConfigError, PushError, RelgraphError, RemoteStoreError
from relgraph.store.http import Credentials, HttpClient
from relgraph.store.memory import GraphStore

__all__ = ["GraphStoreClient", "PushError", "PushReport", "push", "graph_payload"]

#: Progress callback: (bytes sent so far, bytes in all, graph just sent).
Progress = Callable[[int, int, str], None]

_NTRIPLES = "application/n-triples"


@dataclass
class PushReport:
    """What a push did.

    :ivar replaced: graphs that existed and now hold the new version.
    :ivar created: graphs that did not exist before.
    :ivar bytes: N-Triples bytes sent.
    :ivar seconds: wall time.
    """

    endpoint: str
    replaced: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    triples: int = 0
    bytes: int = 0
    seconds: float = 0.0


class GraphStoreClient:
    """The SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification (§4.2).

    :param endpoint: the store's Graph Store Protocol URL, e.g.
        ``http://127.0.0.1:7878/store`` (Oxigraph), ``http://host:8890/sparql-graph-crud-auth``
        (Virtuoso), ``http://host:3030/DATASET/data`` (Fuseki).
    :param graph_param: the query parameter that names the graph (``graph`` in the standard).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        credentials: Credentials | None = None,
        timeout_s: float = 300.0,
        graph_param: str = "graph",
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in {"http", "https"}:
            raise ConfigError(
                f"{endpoint!r} is not an http(s) URL",
                "give the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store",
            )
        self.endpoint = endpoint
        self.graph_param = graph_param
        self.http = HttpClient(endpoint, credentials, timeout_s)

    def url(self, graph: str) -> str:
        """The URL of one graph (``endpoint?graph=IRI``)."""
        glue = "&" if "?" in self.endpoint else "?"
        return self.endpoint + glue + urllib.parse.urlencode({self.graph_param: graph})

    def _fail(self, what: str, graph: str, status: int, body: bytes) -> RemoteStoreError:
        text = " ".join(body.decode("utf-8", "replace").split())[:400]
        hint = "see the store's log"
        if status in {401, 403}:
            hint = (
                "give credentials that may write: --user NAME with --password-env, or --token-env"
            )
        elif status in {404, 405}:
            hint = "check that the URL is the store's Graph Store Protocol endpoint"
        return RemoteStoreError(
            f"{what} of graph <{graph}> at {self.endpoint} failed (HTTP {status})"
            + (f": {text}" if text else ""),
            hint,
        )

    def get(self, graph: str) -> tuple[bytes, str] | None:
        """The graph's content and media type, or None if the store has no such graph."""
        status, media, body, _ = self.http.request(
            "GET", self.url(graph), headers={"Accept": f"{_NTRIPLES}, text/turtle;q=0.9"}
        )
        if status == 404:
            return None
        if status != 200:
            raise self._fail("reading", graph, status, body)
        return body, media or "text/turtle"

    def put(self, graph: str, data: bytes, media_type: str = "text/turtle") -> None:
        """Replace the graph with ``data`` (created if absent)."""
        status, _, body, _ = self.http.request(
            "PUT", self.url(graph), data=data, headers={"Content-Type": media_type}
        )
        if status not in {200, 201, 204}:
            raise self._fail("replacing", graph, status, body)

    def delete(self, graph: str) -> None:
        """Remove the graph (no error if it is already absent)."""
        status, _, body, _ = self.http.request("DELETE", self.url(graph))
        if status not in {200, 202, 204, 404}:
            raise self._fail("deleting", graph, status, body)


def graph_payload(store: GraphStore, graph: str) -> tuple[bytes, int]:
    """One named graph as N-Triples bytes, with its triple count."""
    triples = [q.triple for q in store.quads(graph)]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data, len(triples)


def push(
    store: GraphStore,
    client: GraphStoreClient,
    *,
    graphs: list[str] | None = None,
    progress: Progress | None = None,
) -> PushReport:
    """Replace each named graph of ``store`` in the remote store, restoring all on failure.

    :param graphs: which graphs to push (default: all of the store's).
    :param progress: called after each graph with (bytes sent, bytes in all, graph).
    :raises RemoteStoreError: when the store cannot be read (nothing was changed).
    :raises PushError: when a graph could not be replaced; says what the store holds.
    """
    started = time.perf_counter()
    names = graphs if graphs is not None else [g.iri for g in store.graphs()]
    payloads: list[tuple[str, bytes, int]] = []
    for name in names:
        data, count = graph_payload(store, name)
        payloads.append((name, data, count))
    total = sum(len(p[1]) for p in payloads)
    report = PushReport(client.endpoint, triples=sum(p[2] for p in payloads), bytes=total)
    previous = {name: client.get(name) for name, _, _ in payloads}  # nothing changed yet
    done: list[str] = []
    sent = 0
    for name, data, _ in payloads:
        try:
            client.put(name, data)
        except RelgraphError as exc:
            raise _rolled_back(client, done + [name], previous, name, exc) from None
        done.append(name)
        (report.replaced if previous[name] is not None else report.created).append(name)
        sent += len(data)
        if progress is not None:
            progress(sent, total, name)
    report.seconds = time.perf_counter() - started
    return report


def _rolled_back(
    client: GraphStoreClient,
    touched: list[str],
    previous: dict[str, tuple[bytes, str] | None],
    failed: str,
    cause: RelgraphError,
) -> PushError:
    """Put back every touched graph; the error says what the store now holds."""
    restored: list[str] = []
    unrestored: list[str] = []
    for name in reversed(touched):
        old = previous[name]
        try:
            if old is None:
                client.delete(name)
            else:
                client.put(name, old[0], old[1])
            restored.append(name)
        except RelgraphError:
            unrestored.append(name)
    replaced = [g for g in touched if g in unrestored and g != failed]
    if not unrestored:
        return PushError(
            f"pushing graph <{failed}> failed: {cause.message}; the store was left as it "
            f"was ({len(touched) - 1} graph(s) already replaced were put back)",
            cause.hint,
            restored=list(reversed(restored)),
        )
    lines = [
        f"pushing graph <{failed}> failed: {cause.message}; putting the store back failed too.",
        "Graphs that may now hold the new version (or none, if they were new):",
        *[f"  <{g}>" for g in reversed(unrestored)],
    ]
    if restored:
        lines += ["Graphs put back to their previous version:", *[f"  <{g}>" for g in restored]]
    lines.append("Every other graph is unchanged.")
    return PushError(
        "\n".join(lines),
        "fix the store and run `relgraph push` again: it replaces every graph",
        replaced=replaced,
        restored=list(reversed(restored)),
        unrestored=list(reversed(unrestored)),
    )
