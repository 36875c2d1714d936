"""Commands for other stores and bigger graphs: ``push`` (to a triple store) and ``synth``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from relgraph.cli.base import DIR_PATH, EPILOG, cli, pass_settings
from relgraph.errors import ConfigError
from relgraph.settings import Settings
from relgraph.store.builder import is_up_to_date, load_sources, open_built
from relgraph.store.push import GraphStoreClient, PushPlan, plan, stale_graphs
from relgraph.store.push import push as push_graphs
from relgraph.store.remote import Credentials, RemoteStore
from relgraph.store.synthetic import write_project
from relgraph.vocab import GRAPH

__all__ = ["push", "synth"]


PUSH_EPILOG = (
    "Exit codes: 0 every graph replaced (and, with --prune, every stale graph deleted), or "
    "the dry run was shown; 2 the push failed (the message says whether the store was left "
    "as it was or exactly which graphs were replaced or deleted). Secrets come from "
    "environment variables only, never from the command line."
)


@cli.command(epilog=PUSH_EPILOG)
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's SPARQL 1.1 Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store.",
)
@click.option("--user", default=None, help="User name for HTTP authentication.")
@click.option(
    "--password-env",
    default="RELGRAPH_STORE_PASSWORD",
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the user's password.",
)
@click.option(
    "--auth",
    "scheme",
    type=click.Choice(["basic", "digest"]),
    default="basic",
    show_default=True,
    help="HTTP authentication scheme for --user (Virtuoso's -auth endpoints use digest).",
)
@click.option(
    "--token-env", default=None, metavar="VAR", help="Environment variable holding a bearer token."
)
@click.option(
    "--graph-param",
    default="graph",
    show_default=True,
    help="Query parameter naming the graph (the standard's `graph`).",
)
@click.option(
    "--timeout", type=float, default=300.0, show_default=True, help="Seconds per request."
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete relgraph's graphs in the store that the build no longer has (only "
    f"graphs under {GRAPH}; listed with --backend).",
)
@click.option(
    "--backend",
    default=None,
    metavar="URL",
    help="The store's SPARQL 1.1 query endpoint (the URL `serve --backend` takes), to list "
    "its graphs for --prune and --dry-run (setting backend).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show which graphs would be replaced, created and (with --prune) deleted; change nothing.",
)
@pass_settings
def push(
    settings: Settings,
    endpoint: str,
    user: str | None,
    password_env: str,
    scheme: str,
    token_env: str | None,
    graph_param: str,
    timeout: float,
    prune: bool,
    backend: str | None,
    dry_run: bool,
) -> None:
    """Upload the built graph to a triple store, one named graph per source.

    Each graph replaces its previous version in the store (HTTP PUT of the
    SPARQL 1.1 Graph Store Protocol). With --prune, relgraph's graphs that the
    store holds and the build no longer has (a source removed since the last
    push) are deleted after every graph was put. The store's current versions
    are read first, so a failed push puts back what it had replaced or deleted.
    """
    credentials = Credentials.from_env(
        user=user, password_env=password_env, token_env=token_env, scheme=scheme
    )
    store = open_built(settings)
    client = GraphStoreClient(
        endpoint, credentials=credentials, timeout_s=timeout, graph_param=graph_param
    )
    listed: list[str] | None = None
    query_url = backend or settings.backend or None
    if prune and not query_url:
        raise ConfigError(
            "--prune needs the store's SPARQL query endpoint to list the graphs it holds "
            "(the Graph Store Protocol cannot list them)",
            "give --backend QUERY-URL: the store's SPARQL query endpoint, as for serve --backend",
        )
    if query_url and (prune or dry_run):
        remote = RemoteStore(query_url, credentials=credentials, timeout_s=timeout)
        try:
            listed = remote.graph_iris(refresh=True)
        finally:
            remote.close()
    names = [g.iri for g in store.graphs()]
    delete = stale_graphs(listed or [], names) if prune else []
    if dry_run:
        _show_plan(plan(store, client, delete=delete, existing=listed), prune=prune)
        return
    total = len(names)
    shown = [""]
    bar: Any
    with click.progressbar(
        length=1,
        label=f"pushing {total} graphs",
        file=sys.stderr,
        show_pos=False,
        item_show_func=lambda _item: shown[0] or None,
    ) as bar:
        done = [0]

        def progress(sent: int, size: int, graph: str) -> None:
            bar.length = size
            shown[0] = graph.rsplit("/", 1)[-1]
            bar.update(sent - done[0])
            done[0] = sent

        report = push_graphs(store, client, progress=progress, delete=delete)
    click.echo(
        f"pushed {report.triples} triples in {len(report.replaced) + len(report.created)} graphs "
        f"to {report.endpoint} ({report.bytes / 1e6:.1f} MB, {report.seconds:.1f} s): "
        f"{len(report.replaced)} replaced, {len(report.created)} new"
        + (f", {len(report.deleted)} deleted" if prune else "")
    )
    for graph in report.deleted:
        click.echo(f"  deleted <{graph}>")


def _show_plan(planned: PushPlan, *, prune: bool) -> None:
    """Print what a push would do, one graph a line."""
    click.echo(
        f"dry run: nothing was changed at {planned.endpoint}. A push would send "
        f"{planned.triples} triples ({planned.bytes / 1e6:.1f} MB) and:"
    )
    groups = [("replace", planned.replace), ("create", planned.create)]
    if prune:
        groups.append(("delete (in the store, no longer in the build)", planned.delete))
    for verb, graphs in groups:
        click.echo(f"  {verb}: {len(graphs)} graph(s)")
        for graph in graphs:
            click.echo(f"    <{graph}>")


def _size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    """Parse a triple count such as 100000, 1e5 or 2.5e6."""
    try:
        number = float(value.replace("_", ""))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number of triples (e.g. 1e5)") from None
    if number < 0 or number != int(number):
        raise click.BadParameter(f"{value!r} is not a whole, non-negative number of triples")
    return int(number)


@cli.command(epilog=EPILOG)
@click.option(
    "--triples",
    required=True,
    callback=_size,
    help="Size of the whole generated graph, in triples (e.g. 1e5); the real graph is its core.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random draws.")
@click.option(
    "--graph-triples",
    type=int,
    default=50_000,
    show_default=True,
    help="About how many generated triples go into one file (one named graph).",
)
@click.option(
    "-o", "--output", type=DIR_PATH, required=True, help="Project folder to write (replaced)."
)
@pass_settings
def synth(settings: Settings, triples: int, seed: int, graph_triples: int, output: Path) -> None:
    """Write a project whose graph is the real one grown with synthetic studies.

    The studies (cited works, findings, citations, method applications,
    instruments, and mappings when the graph has a mappings graph) are drawn
    deterministically from SEED, modelled on the real ones, and marked
    "synthetic" in IRI and label. Build and serve the result with
    `relgraph --project-dir OUTPUT build` and `... serve`.
    """
    store = open_built(settings) if is_up_to_date(settings) else load_sources(settings)
    result = write_project(
        settings, store, output, triples=triples, seed=seed, graph_triples=graph_triples
    )
    click.echo(
        f"wrote {result.studies} synthetic studies ({result.synthetic_triples} triples, "
        f"{len(result.files)} files) beside the real graph ({result.real_triples} triples) "
        f"-> {result.project}\nbuild it with: relgraph --project-dir {result.project} build"
    )
