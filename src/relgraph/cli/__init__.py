"""The CLI part: the ``relgraph`` command line, a thin layer over the core (Click).

* :mod:`.base` -- the command group, common options, and the one error conversion;
* :mod:`.graph` -- ``build``, ``info``, ``export``, ``fmt``, ``settings``, ``stats``;
* :mod:`.query` -- ``query`` and ``queries`` (through the same query service as the web);
* :mod:`.check` -- ``check`` and ``mappings``;
* :mod:`.serve` -- ``serve`` (gunicorn);
* :mod:`.store` -- ``push`` (to a triple store) and ``synth`` (a bigger synthetic graph);
* :mod:`.curation` -- ``template`` and ``import`` (study sheets).

Exit codes: 0 success (or the graph conforms); 1 a check found errors;
2 usage or input error, or the command could not run (each error's own code,
see :mod:`relgraph.errors`).
"""

from __future__ import annotations

from relgraph.cli import check, curation, graph, query, serve, store
from relgraph.cli.base import cli

__all__ = ["cli", "main", "check", "curation", "graph", "query", "serve", "store"]


def main() -> None:
    """Entry point of the console script (exits with the error's exit code)."""
    cli(standalone_mode=True)
