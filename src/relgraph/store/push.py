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

``push --prune`` also deletes relgraph's graphs that the store holds and the
build no longer has (a source file removed since the last push): they are
listed with a SPARQL query (the Graph Store Protocol cannot list graphs),
only IRIs under relgraph's graph namespace (:func:`stale_graphs`), read before
anything changes like the others, and deleted after every ``PUT`` succeeded
(§5.4), so a failure puts them back too. :func:`plan` says what a push would
replace, create and delete without changing anything (``--dry-run``).
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.errors import ConfigError, PushError, RelgraphError, RemoteStoreError
from relgraph.store.http import Credentials, HttpClient
from relgraph.store.memory import GraphStore
from relgraph.vocab import GRAPH

__all__ = [
    "GraphStoreClient",
    "PushError",
    "PushPlan",
    "PushReport",
    "graph_payload",
    "plan",
    "push",
    "stale_graphs",
]

#: Progress callback: (bytes sent so far, bytes in all, graph just sent).
Progress = Callable[[int, int, str], None]

_NTRIPLES = "application/n-triples"


@dataclass
class PushReport:
    """What a push did.

    :ivar replaced: graphs that existed and now hold the new version.
    :ivar created: graphs that did not exist before.
    :ivar deleted: relgraph's graphs removed from the store (``--prune``).
    :ivar bytes: N-Triples bytes sent.
    :ivar seconds: wall time.
    """

    endpoint: str
    replaced: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    triples: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class PushPlan:
    """What a push would do (``relgraph push --dry-run``), nothing changed.

    :ivar replace: graphs of the build the store holds (their version would be replaced).
    :ivar create: graphs of the build the store does not hold.
    :ivar delete: relgraph's graphs in the store that the build no longer has (``--prune``).
    :ivar triples: triples that would be sent; :ivar bytes: N-Triples bytes.
    """

    endpoint: str
    replace: list[str]
    create: list[str]
    delete: list[str]
    triples: int
    bytes: int


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

    def exists(self, graph: str) -> bool:
        """Whether the store holds the graph: ``HEAD`` (§5.4), or ``GET`` if HEAD is refused."""
        status, _, body, _ = self.http.request("HEAD", self.url(graph))
        if status == 404:
            return False
        if status == 200:
            return True
        if status in {405, 501}:
            return self.get(graph) is not None
        raise self._fail("reading", graph, status, body)

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


def stale_graphs(
    listed: Iterable[str], build: Iterable[str], prefix: str = str(GRAPH)
) -> list[str]:
    """relgraph's graphs in the store that the build no longer has (``push --prune``).

    Only IRIs under relgraph's graph namespace (``prefix``) are ever candidates:
    another application's graphs in the same store are never touched.

    >>> stale_graphs(["https://w3id.org/relgraph/graph/data/old", "http://other/g",
    ...               "https://w3id.org/relgraph/graph/data/kept"],
    ...              ["https://w3id.org/relgraph/graph/data/kept"])
    ['https://w3id.org/relgraph/graph/data/old']
    """
    keep = set(build)
    return sorted({g for g in listed if g.startswith(prefix) and g not in keep})


def plan(
    store: GraphStore,
    client: GraphStoreClient,
    *,
    delete: Sequence[str] = (),
    existing: Collection[str] | None = None,
) -> PushPlan:
    """What :func:`push` would do, changing nothing (``relgraph push --dry-run``).

    :param delete: the graphs a prune would delete (:func:`stale_graphs`).
    :param existing: the graphs the store holds (listed with SPARQL); without it each
        graph of the build is asked for with ``HEAD`` (Graph Store Protocol §5.4).
    :raises RemoteStoreError: when the store cannot be read.
    """
    names = [g.iri for g in store.graphs()]
    _check_deletions(delete, names)
    there = [
        name
        for name in names
        if (name in existing if existing is not None else client.exists(name))
    ]
    sizes = [graph_payload(store, name) for name in names]
    return PushPlan(
        client.endpoint,
        replace=there,
        create=[name for name in names if name not in set(there)],
        delete=list(delete),
        triples=sum(n for _, n in sizes),
        bytes=sum(len(data) for data, _ in sizes),
    )


def _check_deletions(delete: Sequence[str], names: Sequence[str]) -> None:
    wrong = [g for g in delete if not g.startswith(str(GRAPH)) or g in set(names)]
    if wrong:
        raise ConfigError(
            f"refusing to delete graph <{wrong[0]}>: "
            + ("the build has it" if wrong[0] in set(names) else "it is not one of relgraph's"),
            f"only graphs under {GRAPH} that the build no longer has are pruned",
        )


def push(
    store: GraphStore,
    client: GraphStoreClient,
    *,
    graphs: list[str] | None = None,
    progress: Progress | None = None,
    delete: Sequence[str] = (),
) -> PushReport:
    """Replace each named graph of ``store`` in the remote store, restoring all on failure.

    The graphs are put first, then the ``delete`` ones removed (``DELETE``, Graph
    Store Protocol §5.4); the previous version of every graph put or deleted is
    read before anything changes, so a failure at any step puts them all back.

    :param graphs: which graphs to push (default: all of the store's).
    :param progress: called after each graph with (bytes sent, bytes in all, graph).
    :param delete: relgraph's graphs to remove from the store (``--prune``, see
        :func:`stale_graphs`); only IRIs under relgraph's graph namespace that the
        build does not have are accepted.
    :raises ConfigError: when ``delete`` names a graph that is not relgraph's or that the
        build has (nothing was changed).
    :raises RemoteStoreError: when the store cannot be read (nothing was changed).
    :raises PushError: when a graph could not be replaced or deleted; says what the
        store holds.
    """
    started = time.perf_counter()
    names = graphs if graphs is not None else [g.iri for g in store.graphs()]
    _check_deletions(delete, names)
    payloads: list[tuple[str, bytes, int]] = []
    for name in names:
        data, count = graph_payload(store, name)
        payloads.append((name, data, count))
    total = sum(len(p[1]) for p in payloads)
    report = PushReport(client.endpoint, triples=sum(p[2] for p in payloads), bytes=total)
    # nothing changed yet: read what every graph to be put or deleted holds now
    previous = {name: client.get(name) for name in [*names, *delete]}
    done: list[str] = []
    sent = 0
    for name, data, _ in payloads:
        try:
            client.put(name, data)
        except RelgraphError as exc:
            raise _rolled_back(client, done + [name], previous, name, exc, set()) from None
        done.append(name)
        (report.replaced if previous[name] is not None else report.created).append(name)
        sent += len(data)
        if progress is not None:
            progress(sent, total, name)
    for name in delete:
        if previous[name] is None:  # gone meanwhile: nothing to delete or put back
            continue
        try:
            client.delete(name)
        except RelgraphError as exc:
            raise _rolled_back(client, done + [name], previous, name, exc, set(delete)) from None
        done.append(name)
        report.deleted.append(name)
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
    deleting: set[str],
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
    verb = "deleting" if failed in deleting else "pushing"
    replaced = [g for g in touched if g in unrestored and g != failed and g not in deleting]
    deleted = [g for g in touched if g in unrestored and g != failed and g in deleting]
    if not unrestored:
        undone = sum(1 for g in touched if g != failed and g not in deleting)
        gone = sum(1 for g in touched if g != failed and g in deleting)
        what = f"{undone} graph(s) already replaced" + (f" and {gone} deleted" if gone else "")
        return PushError(
            f"{verb} graph <{failed}> failed: {cause.message}; the store was left as it "
            f"was ({what} were put back)",
            cause.hint,
            restored=list(reversed(restored)),
        )
    lines = [f"{verb} graph <{failed}> failed: {cause.message}; putting the store back failed too."]
    new = [g for g in reversed(unrestored) if g not in deleting]
    if new:
        lines += [
            "Graphs that may now hold the new version (or none, if they were new):",
            *[f"  <{g}>" for g in new],
        ]
    absent = [g for g in reversed(unrestored) if g in deleting]
    if absent:
        lines += [
            "Graphs that were deleted (or, for the failing one, may be) and not put back:",
            *[f"  <{g}>" for g in absent],
        ]
    if restored:
        lines += ["Graphs put back to their previous version:", *[f"  <{g}>" for g in restored]]
    lines.append("Every other graph is unchanged.")
    return PushError(
        "\n".join(lines),
        "fix the store and run `relgraph push` again: it replaces every graph"
        + (" and deletes the stale ones" if deleting else ""),
        replaced=replaced,
        restored=list(reversed(restored)),
        unrestored=list(reversed(unrestored)),
        deleted=deleted,
    )
