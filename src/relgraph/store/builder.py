"""Build the graph: parse every source, verify, and persist atomically.

A build that fails (a parse error, a verification that raises, a full disk)
leaves the previously built graph and its manifest as they were, so the old
graph keeps being served: the new graph and manifest are written to temporary
files in the build folder, flushed to disk, and only then renamed over the old
ones (``os.replace``, atomic on POSIX), the graph first. The manifest records
the graph's SHA-256 digest; :func:`open_built` and :func:`check_built` refuse a
graph that does not match it (damaged, truncated, or from an interrupted
build) with a clear message, and :func:`is_up_to_date` is then false, so
``relgraph build`` rebuilds it. The graph is written in a canonical form
(:meth:`GraphStore.dump`), so two builds of the same sources
write the same bytes and record the same digest.

At scale (docs/decisions/0015-build-at-scale.md): the sources go to
pyoxigraph's loader with no Python object per triple, the shapes into a store
of their own so that the verification queries the other graphs without a copy
of the store, lines of nodes are found only for the nodes an error names
(:class:`~relgraph.store.origins.SourceIndex`), and pyoxigraph writes the
N-Quads straight to the staged file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from relgraph import __version__
from relgraph.errors import LoadError, NotBuiltError, RelgraphError
from relgraph.settings import Settings
from relgraph.store.memory import GraphStore
from relgraph.store.origins import SourceIndex
from relgraph.store.sources import Source, discover_sources

__all__ = [
    "BuildResult",
    "build",
    "built_graph_path",
    "check_built",
    "graph_digest",
    "manifest_path",
    "open_built",
    "is_up_to_date",
    "load_sources",
    "load_checked_and_shapes",
    "Verifier",
]

#: File name of the built graph inside ``build_dir``.
GRAPH_FILE = "relgraph.nq"
#: File name of the build manifest inside ``build_dir``.
MANIFEST_FILE = "manifest.json"

#: A verification step, given the new graph's checked graphs (every graph but the shapes),
#: where its nodes come from, and its shapes graphs: raises (e.g. CheckFailed) to refuse
#: the new graph, or returns notes (e.g. what it could not verify).
Verifier = Callable[[GraphStore, SourceIndex, GraphStore], "list[str] | None"]


@dataclass
class BuildResult:
    """What a build did."""

    path: Path
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def built_graph_path(settings: Settings) -> Path:
    """Path of the built N-Quads file."""
    return settings.path("build_dir") / GRAPH_FILE


def manifest_path(settings: Settings) -> Path:
    """Path of the build manifest (source digests, counts)."""
    return settings.path("build_dir") / MANIFEST_FILE


def _digests(settings: Settings) -> dict[str, str]:
    out = {str(s.path): s.digest() for s in discover_sources(settings)}
    out["relgraph-version"] = __version__
    return out


def graph_digest(path: Path) -> str:
    """The SHA-256 digest of a file, in hex (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(settings: Settings) -> dict[str, object] | None:
    try:
        value = json.loads(manifest_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def check_built(settings: Settings) -> Path:
    """The built graph's path, once it is known to be the one the last build wrote.

    :raises NotBuiltError: (503) when there is no built graph.
    :raises LoadError: when the graph's digest differs from the manifest's (a
        damaged or truncated file, or a build interrupted between its renames).
    """
    path = built_graph_path(settings)
    if not path.is_file():
        raise NotBuiltError(
            f"no built graph at {path}", "run `relgraph build` (or `make build`) first"
        )
    manifest = _manifest(settings)
    recorded = manifest.get("graph_sha256") if manifest else None
    if recorded is not None and recorded != graph_digest(path):
        raise LoadError(
            "the built graph is damaged: its SHA-256 digest is not the one its build recorded "
            f"in {manifest_path(settings).name}",
            "run `relgraph build` again (it rebuilds a damaged graph)",
            path=str(path),
        )
    return path


def is_up_to_date(settings: Settings, *, inputs: str | None = None) -> bool:
    """True when the built graph exists, is the one the build wrote, and no source changed.

    :param inputs: the key of everything the build's verification depends on
        (:func:`relgraph.checks.verdict.inputs_key`: sources, check queries, review text,
        relgraph's code, ...); when given, the graph is up to date only if it was
        verified under that same key, so a changed rule or a new relgraph verifies again.
    """
    graph = built_graph_path(settings)
    manifest = _manifest(settings)
    if not graph.is_file() or manifest is None:
        return False
    if inputs is not None and manifest.get("inputs") != inputs:
        return False
    recorded = manifest.get("graph_sha256")
    if recorded is not None and recorded != graph_digest(graph):
        return False
    return bool(manifest.get("sources") == _digests(settings))


def _report_name(source: Source, root: Path) -> str:
    """How reports name a source: its path relative to the project (else as given)."""
    try:
        return source.path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(source.path)


def load_sources(settings: Settings, index: SourceIndex | None = None) -> GraphStore:
    """Load every source into a fresh store, one named graph each (raises LoadError on bad input).

    :param index: told where each source went, to find lines of nodes when asked.
    """
    store = GraphStore()
    root = settings.project_path
    for source in discover_sources(settings):
        store.load_source(source)
        if index is not None:
            index.track(store, source, _report_name(source, root))
    return store


def load_checked_and_shapes(
    settings: Settings, index: SourceIndex | None = None
) -> tuple[GraphStore, GraphStore]:
    """Load the sources into two stores: every graph but the shapes, and the shapes.

    What the check queries (the first) then needs no copy of the store without the
    shapes (queries over pyoxigraph's union default graph are several times faster
    than over a list of graphs, docs/decisions/0002).

    :raises LoadError: as :func:`load_sources`.
    """
    checked, shapes = GraphStore(), GraphStore()
    root = settings.project_path
    for source in discover_sources(settings):
        store = shapes if source.kind == "shapes" else checked
        store.load_source(source)
        if index is not None:
            index.track(store, source, _report_name(source, root))
    return checked, shapes


def build(
    settings: Settings,
    *,
    force: bool = False,
    verify: Verifier | None = None,
    inputs: str | None = None,
) -> BuildResult:
    """Build and persist the graph.

    :param force: rebuild even if no source changed.
    :param verify: called on the new store before it replaces the old one.
    :param inputs: the key of what ``verify`` depends on, recorded in the manifest; a
        build with another key is not up to date (see :func:`is_up_to_date`).
    :raises LoadError: when a source does not parse (nothing is written).
    """
    started = time.perf_counter()
    target = built_graph_path(settings)
    if not force and is_up_to_date(settings, inputs=inputs):
        manifest = json.loads(manifest_path(settings).read_text(encoding="utf-8"))
        return BuildResult(
            target,
            manifest["triples"],
            manifest["graphs"],
            skipped=True,
            seconds=time.perf_counter() - started,
        )
    digests = _digests(settings)
    index = SourceIndex()
    store, shapes = load_checked_and_shapes(settings, index)
    notes = (verify(store, index, shapes) or []) if verify is not None else []
    store.add_quads(shapes.quads())  # the built graph holds every graph
    del shapes
    graphs = {g.iri: g.triples for g in store.graphs()}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(target.parent, exc) from None
    manifest_file = manifest_path(settings)
    with _Staged(target) as graph_tmp, _Staged(manifest_file) as manifest_tmp:
        store.dump(graph_tmp.path)  # canonical: the same sources, the same bytes and digest
        graph_tmp.sync()
        triples = len(store)
        manifest = {
            "sources": digests,
            "triples": triples,
            "graphs": graphs,
            "built": time.time(),
            "graph_sha256": graph_digest(graph_tmp.path),
        }
        if inputs is not None:
            manifest["inputs"] = inputs
        manifest_tmp.path.write_text(
            json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
        )
        manifest_tmp.sync()
        graph_tmp.commit()
        manifest_tmp.commit()
    return BuildResult(
        target, triples, graphs, seconds=time.perf_counter() - started, notes=list(notes)
    )


def open_built(settings: Settings) -> GraphStore:
    """Load the built graph, checked against its manifest (:func:`check_built`).

    :raises NotBuiltError: if there is none. :raises LoadError: if it is damaged.
    """
    return GraphStore.open(check_built(settings))


def _write_error(path: Path, exc: OSError) -> RelgraphError:
    reason = exc.strerror or str(exc)
    hint = "the previous graph is unchanged and still served"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some disk space and build again; " + hint
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "make the build folder (setting build_dir) writable and build again; " + hint
    return RelgraphError(f"cannot write the built graph to {path}: {reason}", hint)


class _Staged:
    """A temporary file beside ``target``, renamed over it by :meth:`commit`, else removed.

    OSErrors (a full disk, no permission) become :class:`RelgraphError` naming the file.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target
        self._done = False

    def __enter__(self) -> _Staged:
        try:
            fd, name = tempfile.mkstemp(
                dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise _write_error(self.target, exc) from None
        os.close(fd)
        self.path = Path(name)
        return self

    def sync(self) -> None:
        """Flush the file's data to disk before it may replace the old one."""
        try:
            with self.path.open("rb+") as stream:
                os.fsync(stream.fileno())
        except OSError as exc:
            raise _write_error(self.target, exc) from None

    def commit(self) -> None:
        """Rename the temporary file over the target (atomic)."""
        try:
            os.replace(self.path, self.target)
        except OSError as exc:
            raise _write_error(self.target, exc) from None
        self._done = True

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if not self._done:
            self.path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, RelgraphError):
            raise _write_error(self.target, exc) from None
