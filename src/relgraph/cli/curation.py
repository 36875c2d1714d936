"""Study sheets on the command line: ``template`` and ``import`` (over :mod:`relgraph.curation`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from relgraph.cli.base import EPILOG, cli, errors_as_json, pass_settings
from relgraph.curation import import_study, write_template
from relgraph.errors import StudySheetError
from relgraph.settings import Settings
from relgraph.store.builder import build, load_sources

__all__ = ["template", "import_"]

#: Click path types (click's stubs reject ``path_type=Path`` under mypy).
_OUTPUT = click.Path(path_type=Path)  # type: ignore[type-var,unused-ignore]
_SHEET = click.Path(exists=True, path_type=Path)  # type: ignore[type-var,unused-ignore]

TEMPLATE_EPILOG = (
    "Fill the sheet in a spreadsheet program, then run `relgraph import study.xlsx`. "
    "With --study ID the sheet holds an imported study (data/studies/ID.ttl), to correct "
    "and import again; --study review holds the review's own findings, to read. " + EPILOG
)


@cli.command(epilog=TEMPLATE_EPILOG)
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    default=None,
    help="The workbook (or, for csv, the folder) to write [default: study.xlsx, study/, "
    "or <study id>.xlsx with --study].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="xlsx: one workbook with drop-down lists; csv: the same columns, one file per sheet.",
)
@click.option("--study", default="", metavar="ID", help="Fill the sheet from this study.")
@click.option("--force", is_flag=True, help="Replace an existing file or folder.")
@pass_settings
def template(settings: Settings, output: Path | None, fmt: str, study: str, force: bool) -> None:
    """Write a study sheet generated from the current graph."""
    stem = study or "study"
    path = output or Path(f"{stem}.xlsx" if fmt == "xlsx" else stem)
    result = write_template(
        load_sources(settings),
        path,
        fmt=fmt,
        study=study,
        force=force,
        rows=settings.template_rows,
    )
    filled = ", ".join(f"{n} {name.lower()}" for name, n in result.rows.items() if n)
    what = f"the study {study} ({filled})" if study else "an empty study sheet"
    lists = (
        "with drop-down lists of the graph's labels"
        if fmt == "xlsx"
        else "with the graph's labels in lists.csv"
    )
    click.echo(f"wrote {path}: {what}, {lists}", err=True)
    if study != "review":
        click.echo(f"next: fill it, then run `relgraph import {path}`", err=True)


IMPORT_EPILOG = (
    "Exit codes: 0 imported (or, with --dry-run, would import); 1 the sheet or the check "
    "has errors (each named with sheet, row and column; nothing is written); 2 the sheet "
    "cannot be read."
)


@cli.command("import", epilog=IMPORT_EPILOG)
@click.argument("sheet", type=_SHEET)
@click.option(
    "--dry-run", is_flag=True, help="Check everything and print the Turtle; write nothing."
)
@click.option(
    "--curator",
    default="",
    help="Your name (else the Work sheet's curator, else the setting `curator`).",
)
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (the OWL 2 RL rules still run).")
@click.option("--no-build", is_flag=True, help="Do not rebuild the graph after writing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format (json also for the errors).",
)
@pass_settings
def import_(
    settings: Settings,
    sheet: Path,
    dry_run: bool,
    curator: str,
    no_reasoner: bool,
    no_build: bool,
    fmt: str,
) -> None:
    """Import a study sheet (.xlsx, or a folder of CSV files) into data/studies/.

    The sheet's rows become canonical Turtle in data/studies/<study id>.ttl (its own
    named graph), after the whole check of the graph with the study in it passes.
    A corrected sheet of the same study replaces its file.
    """
    if fmt == "json":
        errors_as_json()
    try:
        result = import_study(
            settings, sheet, dry_run=dry_run, reasoner=not no_reasoner, curator=curator
        )
    except StudySheetError as exc:
        if fmt != "json":
            raise
        click.echo(json.dumps(exc.to_dict(), indent=2, ensure_ascii=False))
        sys.exit(exc.exit_code)
    # the import's check was the check of exactly these sources: no second check
    built = build(settings) if result.written and not no_build else None
    if fmt == "json":
        report = {**result.to_dict(), "built": built.triples if built else None}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if dry_run:
        click.echo(result.turtle, nl=False)
    for warning in result.warnings:
        click.echo(f"warning: {warning.render()}", err=True)
    click.echo(result.summary(), err=True)
    if built is not None:
        state = "up to date" if built.skipped else "built"
        click.echo(
            f"{state}: {built.triples} triples in {len(built.graphs)} named graphs; restart"
            " `relgraph serve` (or run `make serve`) to see the study on /studies",
            err=True,
        )
