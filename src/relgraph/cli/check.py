"""Commands that check the graph and its links: ``check`` and ``mappings``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from relgraph import checks
from relgraph.checks.hermit import prestart
from relgraph.checks.report import CheckReport
from relgraph.cli.backend import backend_options, with_backend
from relgraph.cli.base import ANY_PATH, EPILOG, cli, errors_as_json, pass_settings
from relgraph.errors import ConfigError
from relgraph.mappings import FORMATS as MAPPING_FORMATS
from relgraph.settings import Settings

__all__ = ["check", "mappings"]

CHECK_EPILOG = (
    "Exit codes: 0 no errors (warnings and infos allowed); 1 the check found errors; "
    "2 the check could not run (e.g. a FILE is not valid Turtle: the error names the file "
    "and line, and nothing is changed)."
)


@cli.command(epilog=CHECK_EPILOG)
@click.argument("files", nargs=-1, type=ANY_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format (json also when the check cannot run).",
)
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (the OWL 2 RL rules still run).")
@backend_options
@click.option(
    "--graph-store",
    default=None,
    metavar="URL",
    help="With --backend: read the graphs with this Graph Store Protocol URL instead of "
    "SPARQL CONSTRUCT (for stores that cap query answers, e.g. Virtuoso).",
)
@pass_settings
def check(
    settings: Settings,
    /,
    files: tuple[Path, ...],
    fmt: str,
    no_reasoner: bool,
    graph_store: str | None,
    **backend: str | None,
) -> None:
    """Check the graph: SHACL shapes, OWL reasoning, passage spans, quality queries, mappings.

    The graph checked is read from its sources (ontology, data, shapes, mappings),
    so problems name file and line; the built graph is not read nor changed. FILES
    (e.g. a curator's new study) are checked together with the sources. With
    --backend URL the graph checked is the one in that store (its relgraph graphs
    are read here; problems name nodes, not source lines).
    """
    if fmt == "json":
        errors_as_json()  # JSON mode always prints JSON, also when the check could not run
    settings = with_backend(settings, **backend)
    if not no_reasoner:
        prestart(settings.java)  # HermiT's JVM starts while the sources are read
    if settings.backend:
        if files:
            raise ConfigError(
                "FILES cannot be checked with --backend",
                "push the files' graph first, or check them against the built graph",
            )
        report = _check_backend(settings, graph_store, reasoner=not no_reasoner)
    else:
        if graph_store:
            raise ConfigError("--graph-store needs --backend", "give --backend URL too")
        report = checks.check(settings, files, reasoner=not no_reasoner)
    click.echo(report.to_json() if fmt == "json" else report.render_text())
    sys.exit(report.exit_code)


def _check_backend(settings: Settings, graph_store: str | None, *, reasoner: bool) -> CheckReport:
    """Read relgraph's graphs out of the backend store and check them here (store.pull)."""
    from relgraph.store.pull import pull  # imported here: only --backend needs HTTP
    from relgraph.store.push import GraphStoreClient
    from relgraph.store.remote import RemoteStore

    remote = RemoteStore.from_settings(settings)
    client = None
    if graph_store:
        client = GraphStoreClient(
            graph_store, credentials=remote.pool.credentials, timeout_s=remote.timeout_s
        )
    try:
        remote.check_dataset()  # --union-default-graph on a store without it: refused
        store, pulled = pull(remote, client)
    finally:
        remote.close()
    report = checks.check_store(store, settings, reasoner=reasoner)
    report.notes.insert(
        0,
        f"checked the graph in the store at {settings.backend}: {pulled.triples} triples in "
        f"{pulled.graphs} graphs, read with {pulled.via} in {pulled.seconds:.1f} s",
    )
    return report


@cli.command(epilog=EPILOG)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(MAPPING_FORMATS),
    default="tsv",
    show_default=True,
    help="sssom: SSSOM/TSV with its metadata block; tsv: the table only; json.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PREFIX",
    help="Only mappings to this source (MESH, MF, MFOMD, MFOEM, BCIO, DOID, ECO); repeatable.",
)
@click.option("--unmapped", is_flag=True, help="List the entities left unmapped, and why.")
@pass_settings
def mappings(settings: Settings, fmt: str, sources: tuple[str, ...], unmapped: bool) -> None:
    """Print the mappings to biomedical vocabularies (mappings/*.sssom.tsv)."""
    from relgraph.mappings import render

    click.echo(render(settings, fmt, sources, unmapped), nl=False)
