"""Commands that query the graph: ``query`` and ``queries`` (list, run, show).

They go through the same :class:`~relgraph.query.service.QueryService` as the
web, in this process: the same queries are accepted and refused (updates,
``SERVICE``), the same formats are defined for each kind of answer
(:mod:`relgraph.query.formats`), answers are cut at ``max_rows`` the same way.
Only the time limit differs: a query in the CLI's own process cannot be
stopped from Python, so Ctrl-C stops it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from relgraph.cli.base import EPILOG, EXISTING_FILE, cli, parse_pairs, pass_settings
from relgraph.query.catalog import catalog_markdown, get_query, list_queries
from relgraph.query.formats import format_named, write
from relgraph.query.service import Outcome, QueryRequest, QueryService
from relgraph.settings import Settings
from relgraph.store.answer import Answer
from relgraph.store.builder import open_built
from relgraph.store.queryfiles import read_text
from relgraph.store.sources import node_key
from relgraph.vocab import compact_iri

__all__ = ["query", "queries", "queries_run", "queries_show", "render_table"]

FORMAT_HELP = (
    "table (default), or a result format: csv, tsv, json, xml for SELECT; json, xml for ASK; "
    "ttl, nt, xml (RDF/XML), jsonld (also json) for CONSTRUCT and DESCRIBE."
)


def _cell_text(term: object) -> str:
    """One term in a text table: a CURIE for an IRI, ``_:id`` for a blank node, else its text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    return node_key(term)


def render_table(answer: Answer) -> str:
    """An answer as an aligned plain-text table (Turtle for graphs, true/false for ASK)."""
    if answer.kind == "ask":
        return "true" if answer.boolean else "false"
    if answer.kind == "graph":
        return write(answer, "ttl").decode("utf-8")
    names = answer.variables
    rows = [[_cell_text(t) for t in row] for row in answer.rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _print(outcome: Outcome, fmt: str, settings: Settings) -> None:
    answer = outcome.answer
    if fmt == "table":
        click.echo(render_table(answer))
    else:
        sys.stdout.buffer.write(write(answer, fmt))
        sys.stdout.flush()
    if answer.truncated:
        click.echo(
            f"note: the answer was cut at {settings.max_rows} rows (setting max_rows); "
            f"add a LIMIT, or raise it with -s max_rows=N",
            err=True,
        )


def _service(settings: Settings) -> QueryService:
    return QueryService.in_process(settings, open_built(settings))


@cli.command(epilog=EPILOG)
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=EXISTING_FILE, help="Read the query from a file.")
@click.option("--format", "fmt", default="table", show_default=True, help=FORMAT_HELP)
@pass_settings
def query(settings: Settings, query: str | None, query_file: Path | None, fmt: str) -> None:
    """Run a SPARQL query over the built graph (all named graphs merged)."""
    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or -f FILE, not both or neither")
    text = read_text(query_file) if query_file else str(query)
    request = QueryRequest(text)
    service = _service(settings)
    info = service.check(request)
    if info.form is not None and fmt != "table":
        # refuse a format the answer cannot have before running, as the endpoint does
        format_named("graph" if info.returns_graph else info.form, fmt)
    _print(service.run(request), fmt, settings)


@cli.group(invoke_without_command=True, epilog=EPILOG)
@click.option("--markdown", is_flag=True, help="Print the index (queries/README.md) as Markdown.")
@click.option("--json", "as_json", is_flag=True, help="Print the headers as JSON.")
@click.pass_context
def queries(ctx: click.Context, markdown: bool, as_json: bool) -> None:
    """List the stored competency queries (queries/cq/*.rq), or run one.

    Without a subcommand, prints each query's id and question.
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = ctx.find_object(Settings)
    assert settings is not None
    stored = list_queries(settings)
    if markdown:
        click.echo(catalog_markdown(stored, settings.path("queries_dir")), nl=False)
    elif as_json:
        rows = [
            {
                "id": q.id,
                "title": q.title,
                "question": q.question,
                "summary": q.summary,
                "tags": list(q.tags),
                "params": {p.name: p.default for p in q.params},
                "columns": list(q.columns),
                "min_rows": q.min_rows,
                "file": str(q.path),
            }
            for q in stored
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        width = max((len(q.id) for q in stored), default=0)
        for q in stored:
            click.echo(f"{q.id.ljust(width)}  {q.question}")


@queries.command("run", epilog=EPILOG)
@click.argument("query_id", metavar="ID")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    callback=parse_pairs,
    metavar="NAME=VALUE",
    help="A parameter value: <iri>, prefix:local, a number or text.",
)
@click.option("--format", "fmt", default="table", show_default=True, help=FORMAT_HELP)
@pass_settings
def queries_run(settings: Settings, query_id: str, params: dict[str, str], fmt: str) -> None:
    """Run the stored query ID over the built graph, binding parameters."""
    stored = get_query(settings, query_id)
    _print(_service(settings).run_stored(stored, params), fmt, settings)


@queries.command("show", epilog=EPILOG)
@click.argument("query_id", metavar="ID")
@pass_settings
def queries_show(settings: Settings, query_id: str) -> None:
    """Print the text of the stored query ID, header included."""
    click.echo(get_query(settings, query_id).text, nl=False)
