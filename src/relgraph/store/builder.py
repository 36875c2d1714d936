"""Build the graph: parse every source, verify, and persist atomically.

A build that fails (a parse error, or a verification that raises) writes
nothing, so the previously built graph stays in place and keeps being served.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from relgraph import __version__
from relgraph.settings import Settings
from relgraph.store.memory import GraphStore
from relgraph.store.sources import SourceIndex, discover_sources, parse_source

__all__ = [
    "BuildResult",
    "build",
    "built_graph_path",
    "manifest_path",
    "open_built",
    "is_up_to_date",
    "load_sources",
    "Verifier",
]

#: File name of the built graph inside ``build_dir``.
GRAPH_FILE = "relgraph.nq"
#: File name of the build manifest inside ``build_dir``.
MANIFEST_FILE = "manifest.json"

#: A verification step, given the new store and where its nodes come from: raises (e.g.
#: CheckFailed) to refuse the new graph, or returns notes (e.g. what it could not verify).
Verifier = Callable[[GraphStore, SourceIndex], "list[str] | None"]


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


def is_up_to_date(settings: Settings) -> bool:
    """True when the built graph exists and no source changed since."""
    graph, manifest = built_graph_path(settings), manifest_path(settings)
    if not (graph.is_file() and manifest.is_file()):
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("sources")
    except (OSError, ValueError):
        return False
    return bool(recorded == _digests(settings))


def load_sources(settings: Settings, index: SourceIndex | None = None) -> GraphStore:
    """Parse every source into a fresh store (raises LoadError on bad input).

    :param index: filled with the lines of nodes and the written literals.
    """
    store = GraphStore()
    root = settings.project_path
    for source in discover_sources(settings):
        if index is None:
            store.add_quads(parse_source(source))
            continue
        try:
            name = source.path.resolve().relative_to(root).as_posix()
        except ValueError:
            name = str(source.path)
        quads = parse_source(source, origins=index.origins, name=name)
        index.add(quads)
        store.add_quads(quads)
    return store


def build(
    settings: Settings, *, force: bool = False, verify: Verifier | None = None
) -> BuildResult:
    """Build and persist the graph.

    :param force: rebuild even if no source changed.
    :param verify: called on the new store before it replaces the old one.
    :raises LoadError: when a source does not parse (nothing is written).
    """
    started = time.perf_counter()
    target = built_graph_path(settings)
    if not force and is_up_to_date(settings):
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
    store = load_sources(settings, index if verify is not None else None)
    notes = (verify(store, index) or []) if verify is not None else []
    graphs = {g.iri: g.triples for g in store.graphs()}
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(target, store.dump)
    manifest = {"sources": digests, "triples": len(store), "graphs": graphs, "built": time.time()}
    _atomic_write(
        manifest_path(settings),
        lambda p: p.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"),
    )
    return BuildResult(
        target, len(store), graphs, seconds=time.perf_counter() - started, notes=list(notes)
    )


def open_built(settings: Settings) -> GraphStore:
    """Load the built graph (raises NotBuiltError if there is none)."""
    return GraphStore.open(built_graph_path(settings))


def _atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
