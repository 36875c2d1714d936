"""A check's verdict, kept so that a build of the same inputs need not verify again.

``relgraph build`` verifies every new graph with the check's phases (0002), which
at 10^6 triples costs most of the build (docs/decisions/0015). When a
``relgraph check`` of the sources, or a build's verification, has just passed on
exactly the inputs of the build, the build may reuse that verdict instead of
running the phases again. A verdict is a small JSON file,
``<build_dir>/cache/verdict.json``, keyed by a SHA-256 digest of everything a
check's outcome depends on (:func:`inputs_key`):

* the bytes of every source (ontology, data, shapes, mappings), as the build
  manifest records them;
* the bytes of the check queries (``queries/checks/``, ``queries/rules/``);
* the review's text (each ``*.txt`` of ``seed_dir``, or its absence);
* the offline external sources the mapping phase reads (``external_dir``): the
  name, size and modification time of each file, as ``make`` judges them;
* every setting's value but those only the server, a store client or the curation
  commands read (:data:`NOT_CHECKED`: ports, workers, row caps, ...), and
  ``build_reuse_verdict``'s;
* relgraph's version and the bytes of its own code (so a changed rule in a
  checkout without a new version is a new key).

Only a passing verdict is recorded (a graph with errors is never built), with
whether HermiT ran: a build that must run HermiT (setting
``build_check_reasoner``) reuses only a verdict that included it. The setting
``build_reuse_verdict`` turns the reuse off. A damaged or foreign file is
ignored (the build verifies as usual) and written anew.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import relgraph
from relgraph import __version__
from relgraph.settings import Settings
from relgraph.store.sources import discover_sources

__all__ = ["NOT_CHECKED", "VERDICT_FILE", "Verdict", "inputs_key", "read_verdict", "record_verdict"]

#: Where the verdict is kept, relative to ``build_dir``.
VERDICT_FILE = Path("cache") / "verdict.json"
#: Settings that no check phase reads: the server's and its limits, an external store's
#: connection, the curation commands'. Changing one neither changes a check's outcome nor
#: makes a build verify again. Any setting not named here is part of the key.
NOT_CHECKED = frozenset(
    {
        "build_reuse_verdict",
        "query_time_limit_ms",
        "max_rows",
        "max_request_bytes",
        "max_query_chars",
        "max_query_nesting",
        "max_result_bytes",
        "query_queue_wait_ms",
        "client_max_queries",
        "client_query_budget_ms",
        "client_budget_window_s",
        "unlimited_clients",
        "proxy_hops",
        "allow_free_sparql",
        "host",
        "port",
        "workers",
        "threads",
        "keepalive_linger_ms",
        "sparql_fast_path",
        "max_error_streak",
        "query_workers",
        "query_workers_reserved",
        "backend",
        "backend_timeout_parameter",
        "backend_union_default_graph",
        "backend_user",
        "backend_auth",
        "backend_password_env",
        "backend_token_env",
        "curator",
        "template_rows",
    }
)
#: The version of the file's layout; another one is ignored.
_FORMAT = 1


@dataclass(frozen=True)
class Verdict:
    """A passing check of some inputs.

    :ivar key: :func:`inputs_key` of the inputs checked.
    :ivar reasoner: whether HermiT ran (the OWL 2 RL rules always do).
    :ivar by: what checked them: ``check`` or ``build``.
    :ivar when: when, in seconds since the epoch.
    :ivar notes: the check's notes (e.g. that passage spans were not verified).
    """

    key: str
    reasoner: bool
    by: str
    when: float
    notes: list[str] = field(default_factory=list)


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file()) if folder.is_dir() else []


def _update(digest: hashlib._Hash, *parts: str | bytes) -> None:
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        digest.update(b"\x00")


def _code_files() -> Iterable[Path]:
    package = Path(relgraph.__file__).parent
    return sorted(package.rglob("*.py"))


def inputs_key(settings: Settings) -> str:
    """The SHA-256 (hex) of everything a check's outcome depends on (see the module's list).

    Reads the sources, queries, review text and relgraph's code (about 0.2 s for the
    54 MB of sources of 10^6 triples); stats the external files.
    """
    digest = hashlib.sha256()
    _update(digest, "relgraph-verdict", str(_FORMAT), __version__)
    for source in discover_sources(settings):
        _update(digest, "source", str(source.path), source.kind, source.path.read_bytes())
    queries = settings.path("queries_dir")
    for folder in ("checks", "rules"):
        for path in _files(queries / folder, "*.rq"):
            _update(digest, "query", path.relative_to(queries).as_posix(), path.read_bytes())
    seed = settings.path("seed_dir")
    _update(digest, "seed", str(seed), str(seed.is_dir()))
    for path in _files(seed, "*.txt"):
        _update(digest, "text", path.name, path.read_bytes())
    external = settings.path("external_dir")
    _update(digest, "external", str(external))
    for path in _files(external, "*"):
        info = path.stat()
        _update(digest, path.relative_to(external).as_posix(), str(info.st_size))
        _update(digest, str(info.st_mtime_ns))
    values = {k: str(v) for k, v in settings.as_dict().items() if k not in NOT_CHECKED}
    _update(digest, "settings", json.dumps(values, sort_keys=True))
    for path in _code_files():
        _update(digest, "code", path.name, path.read_bytes())
    return digest.hexdigest()


def _path(settings: Settings) -> Path:
    return settings.path("build_dir") / VERDICT_FILE


def read_verdict(settings: Settings, key: str, *, reasoner: bool) -> Verdict | None:
    """The recorded verdict for these inputs, if one passed (with HermiT when ``reasoner``).

    None when the reuse is off (setting ``build_reuse_verdict``), when there is no
    verdict, when it is for other inputs, or when the file is damaged.
    """
    if not settings.build_reuse_verdict:
        return None
    try:
        data = json.loads(_path(settings).read_text(encoding="utf-8"))
        verdict = Verdict(
            key=str(data["key"]),
            reasoner=bool(data["reasoner"]),
            by=str(data["by"]),
            when=float(data["when"]),
            notes=[str(n) for n in data["notes"]],
        )
        if data.get("format") != _FORMAT:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if verdict.key != key or (reasoner and not verdict.reasoner):
        return None
    return verdict


def record_verdict(
    settings: Settings, key: str, *, reasoner: bool, by: str, notes: Iterable[str]
) -> None:
    """Record a passing check of the inputs ``key`` names (atomically; best effort).

    A build folder that cannot be written is no error here: the next build verifies.
    """
    path = _path(settings)
    data = {
        "format": _FORMAT,
        "key": key,
        "reasoner": reasoner,
        "by": by,
        "when": time.time(),
        "notes": list(notes),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".verdict.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True)
        os.replace(name, path)
    except OSError:
        return
