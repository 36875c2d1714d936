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

from relgraph.cli.base import cli

__all__ = ["LAZY_COMMANDS", "cli", "main"]

#: Every command: its module (imported only when the command runs, see
#: :class:`~relgraph.cli.base.RelgraphGroup`) and the first line of its help, as
#: ``relgraph --help`` lists it (tests/cli/test_lazy_commands.py keeps the two equal).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "build": (
        "relgraph.cli.graph",
        "Load ontology, data and shapes, and persist the built graph.",
    ),
    "check": (
        "relgraph.cli.check",
        "Check the graph: SHACL shapes, OWL reasoning, passage spans, quality queries, mappings.",
    ),
    "export": ("relgraph.cli.graph", "Export the built graph, or parts of it, for another tool."),
    "fmt": (
        "relgraph.cli.graph",
        "Rewrite Turtle sources in canonical form (all sources if no FILES).",
    ),
    "import": (
        "relgraph.cli.curation",
        "Import a study sheet (.xlsx, or a folder of CSV files) into data/studies/.",
    ),
    "info": (
        "relgraph.cli.graph",
        "Show the named graphs, triple counts and the ontology version.",
    ),
    "mappings": (
        "relgraph.cli.check",
        "Print the mappings to biomedical vocabularies (mappings/*.sssom.tsv).",
    ),
    "push": (
        "relgraph.cli.store",
        "Upload the built graph to a triple store, one named graph per source.",
    ),
    "queries": (
        "relgraph.cli.query",
        "List the stored competency queries (queries/cq/*.rq), or run one.",
    ),
    "query": (
        "relgraph.cli.query",
        "Run a SPARQL query over the built graph (all named graphs merged).",
    ),
    "serve": ("relgraph.cli.serve", "Serve the query page and the SPARQL endpoint with gunicorn."),
    "settings": ("relgraph.cli.graph", "List every setting with its current value and help."),
    "stats": (
        "relgraph.cli.graph",
        "Report counts per kind, the evidence gap map and unlinked citations.",
    ),
    "synth": (
        "relgraph.cli.store",
        "Write a project whose graph is the real one grown with synthetic studies.",
    ),
    "template": ("relgraph.cli.curation", "Write a study sheet generated from the current graph."),
}
cli.add_lazy(LAZY_COMMANDS)


def main() -> None:
    """Entry point of the console script (exits with the error's exit code)."""
    cli(standalone_mode=True)
