"""Commands about the graph: ``build``, ``info``, ``export``, ``fmt``, ``settings``, ``stats``."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from relgraph import __version__
from relgraph.checks import verify_for_build
from relgraph.checks.verdict import inputs_key
from relgraph.cli.base import EPILOG, EXISTING_FILE, FILE_PATH, cli, pass_settings
from relgraph.query.description import ontology_version
from relgraph.query.exporting import PARTS, export
from relgraph.settings import SETTINGS, Settings, settings_markdown
from relgraph.store.builder import build as build_graph
from relgraph.store.builder import open_built
from relgraph.store.formatting import format_file, is_canonical
from relgraph.store.sources import discover_sources
from relgraph.views.coverage import REPORT_FORMATS, coverage
from relgraph.views.studies import SCOPES

__all__ = ["build", "info", "export_command", "fmt", "settings", "stats"]


@cli.command(epilog=EPILOG)
@click.option("--force", is_flag=True, help="Rebuild even if no source changed.")
@pass_settings
def build(settings: Settings, force: bool) -> None:
    """Load ontology, data and shapes, and persist the built graph.

    A failed build leaves the previous graph in place. A build of inputs that a
    `relgraph check` (or a build) has just verified does not verify them again
    (setting build_reuse_verdict). The graph is up to date only when neither its
    sources nor what its verification depends on (check queries, review text,
    relgraph's code, the settings the check reads) changed.
    """
    key = inputs_key(settings)  # before the sources are read: the inputs verified
    verify = functools.partial(verify_for_build, settings=settings, key=key)
    result = build_graph(settings, force=force, verify=verify, inputs=key)
    state = "up to date" if result.skipped else "built"
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{state}: {result.triples} triples in {len(result.graphs)} named graphs "
        f"-> {result.path} ({result.seconds:.2f} s)"
    )


EXPORT_EPILOG = (
    "Which export for which tool: --format owl (the ontology; --part data adds the "
    "individuals) for Protégé, the OWL API, HermiT and ROBOT: OWL 2 DL in RDF/XML. "
    "--format nq (named graphs kept) for a triple store. --part shapes (Turtle) for a "
    "SHACL engine, with --part ontology --part data as its data graph. " + EPILOG
)


@cli.command("export", epilog=EXPORT_EPILOG)
@click.option(
    "--format",
    "fmt",
    default="ttl",
    show_default=True,
    metavar="FORMAT",
    help="ttl, nt, jsonld and owl (RDF/XML, OWL 2 DL) merge the named graphs; nq keeps them.",
)
@click.option(
    "--part",
    "parts",
    multiple=True,
    type=click.Choice([*PARTS, "all"]),
    help="Part of the graph to export (repeatable): ontology, data (the individuals), "
    "shapes, all. Default: the ontology for owl, everything for the other formats.",
)
@click.option("-o", "--output", type=FILE_PATH, help="Write to a file.")
@pass_settings
def export_command(
    settings: Settings, fmt: str, parts: tuple[str, ...], output: Path | None
) -> None:
    """Export the built graph, or parts of it, for another tool."""
    data = export(open_built(settings), settings, fmt, parts)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@cli.command(epilog=EPILOG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def info(settings: Settings, as_json: bool) -> None:
    """Show the named graphs, triple counts and the ontology version."""
    store = open_built(settings)
    version = ontology_version(store)
    graphs = store.graphs()
    if as_json:
        data = {
            "version": __version__,
            "ontology_version_iri": version,
            "triples": len(store),
            "graphs": {g.iri: g.triples for g in graphs},
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"relgraph {__version__}")
    click.echo(f"ontology version: {version}")
    click.echo(f"triples: {len(store)} in {len(graphs)} named graphs")
    width = max((len(g.iri) for g in graphs), default=0)
    for g in graphs:
        click.echo(f"  {g.iri.ljust(width)}  {g.triples:>7}")


@cli.command(epilog=EPILOG)
@click.option(
    "--check", "check_only", is_flag=True, help="Only report files not in canonical form."
)
@click.argument("files", nargs=-1, type=EXISTING_FILE)
@pass_settings
def fmt(settings: Settings, check_only: bool, files: tuple[Path, ...]) -> None:
    """Rewrite Turtle sources in canonical form (all sources if no FILES)."""
    paths = list(files) or [s.path for s in discover_sources(settings) if s.path.suffix == ".ttl"]
    bad = []
    for path in paths:
        if check_only:
            if not is_canonical(path):
                bad.append(path)
        elif format_file(path):
            click.echo(f"formatted {path}")
    if bad:
        for path in bad:
            click.echo(f"not canonical: {path}", err=True)
        click.echo("run `relgraph fmt` to fix", err=True)
        sys.exit(1)


@cli.command(epilog=EPILOG)
@click.option("--markdown", is_flag=True, help="Print the settings table as Markdown.")
@pass_settings
def settings(settings: Settings, markdown: bool) -> None:
    """List every setting with its current value and help."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    values = settings.as_dict()
    for s in SETTINGS:
        click.echo(f"{s.name} = {values[s.name]!r}\n    {s.help}")


@cli.command(epilog=EPILOG)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="markdown is the source of docs/coverage.md.",
)
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    default="all",
    show_default=True,
    help="all: the review and the studies curators added; review: the review alone.",
)
@pass_settings
def stats(settings: Settings, fmt: str, scope: str) -> None:
    """Report counts per kind, the evidence gap map and unlinked citations."""
    click.echo(coverage(open_built(settings), scope=scope).render(fmt), nl=False)
