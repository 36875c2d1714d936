"""Commands that check the graph and its links: ``check`` and ``mappings``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from relgraph import checks
from relgraph.cli.base import ANY_PATH, EPILOG, cli, errors_as_json, pass_settings
from relgraph.mappings import FORMATS as MAPPING_FORMATS
from relgraph.mappings import render
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
@pass_settings
def check(settings: Settings, files: tuple[Path, ...], fmt: str, no_reasoner: bool) -> None:
    """Check the graph: SHACL shapes, OWL reasoning, passage spans, quality queries, mappings.

    FILES (e.g. a curator's new study) are checked together with the built
    graph, in a copy: the built graph is not changed.
    """
    if fmt == "json":
        errors_as_json()  # JSON mode always prints JSON, also when the check could not run
    report = checks.check(settings, files, reasoner=not no_reasoner)
    click.echo(report.to_json() if fmt == "json" else report.render_text())
    sys.exit(report.exit_code)


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
    click.echo(render(settings, fmt, sources, unmapped), nl=False)
