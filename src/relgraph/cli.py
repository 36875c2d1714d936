"""The ``relgraph`` command line: a thin layer over the core.

Exit codes: 0 success (or the graph conforms); 1 a check found errors;
2 usage or input error, or the command could not run.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph as ox

from relgraph import __version__
from relgraph.builder import build as build_graph
from relgraph.builder import open_built
from relgraph.errors import EXIT_USAGE, RelgraphError
from relgraph.exporting import EXPORT_FORMATS, PARTS
from relgraph.exporting import export as export_graph
from relgraph.formatting import format_file, is_canonical
from relgraph.loading import discover_sources
from relgraph.results import render_table, serialize_result
from relgraph.settings import SETTINGS, Settings, settings_markdown

__all__ = ["main", "cli", "pass_settings", "handle_errors"]

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = "Exit codes: 0 ok, 1 a check found errors, 2 usage or input error."


#: Set to 1 to see the Python traceback of an internal error.
DEBUG_VARIABLE = "RELGRAPH_DEBUG"


def internal_error(exc: Exception) -> RelgraphError:
    """An unexpected exception as the one error the user sees (exit code 2)."""
    return RelgraphError(
        f"internal error ({type(exc).__name__}: {exc})",
        f"this is a bug in relgraph, not in your input; run again with {DEBUG_VARIABLE}=1 to "
        "see the traceback, and report it",
    )


def handle_errors(func: F) -> F:
    """Turn errors into one message on stderr and the exit code: never a traceback.

    RelgraphError gives its message, hint and exit code; any other exception
    is an internal error (exit 2) whose traceback shows only with
    ``RELGRAPH_DEBUG=1``.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RelgraphError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            click.echo(f"error: {internal_error(exc)}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


class _OneLineLog(logging.Handler):
    """Library log records as one line on the current stderr, without tracebacks."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()} ({record.name})", err=True)


_LOG_HANDLER = _OneLineLog(logging.WARNING)


def _quiet_library_logs() -> None:
    root = logging.getLogger()
    if _LOG_HANDLER not in root.handlers:
        root.addHandler(_LOG_HANDLER)


def _parse_setting(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE")
        out[name.strip()] = value
    return out


pass_settings = click.make_pass_decorator(Settings)

#: Click types for paths (click's stubs reject ``path_type=Path`` under mypy).
DIR_PATH = click.Path(file_okay=False, path_type=Path)  # type: ignore[type-var,unused-ignore]
FILE_PATH = click.Path(dir_okay=False, path_type=Path)  # type: ignore[type-var,unused-ignore]
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)  # type: ignore[type-var,unused-ignore]


@click.group(epilog=EPILOG)
@click.version_option(__version__, prog_name="relgraph")
@click.option(
    "--project-dir",
    type=DIR_PATH,
    default=None,
    help="Project folder (default: current folder or RELGRAPH_PROJECT_DIR).",
)
@click.option(
    "--config",
    type=FILE_PATH,
    default=None,
    help="Settings file (default: relgraph.toml in the project folder).",
)
@click.option(
    "--setting",
    "-s",
    "overrides",
    multiple=True,
    callback=_parse_setting,
    metavar="NAME=VALUE",
    help="Override a setting; see `relgraph settings`.",
)
@click.pass_context
@handle_errors
def cli(
    ctx: click.Context, project_dir: Path | None, config: Path | None, overrides: dict[str, str]
) -> None:
    """relgraph: the therapeutic-relationship knowledge graph."""
    if ctx.invoked_subcommand != "serve":  # gunicorn configures the server's logs
        _quiet_library_logs()
    ctx.obj = Settings.load(project_dir, config_file=config, overrides=overrides)


@cli.command(epilog=EPILOG)
@click.option("--force", is_flag=True, help="Rebuild even if no source changed.")
@pass_settings
@handle_errors
def build(settings: Settings, force: bool) -> None:
    """Load ontology, data and shapes, and persist the built graph.

    A failed build leaves the previous graph in place.
    """
    result = build_graph(settings, force=force, verify=_verifier(settings))
    state = "up to date" if result.skipped else "built"
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{state}: {result.triples} triples in {len(result.graphs)} named graphs "
        f"-> {result.path} ({result.seconds:.2f} s)"
    )


def _verifier(settings: Settings) -> Callable[[Any, Any], list[str]] | None:
    """The check run before a new graph replaces the old one, if available."""
    try:
        from relgraph.checking import verify_for_build  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return functools.partial(verify_for_build, settings=settings)


@cli.command(epilog=EPILOG)
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=EXISTING_FILE,
    help="Read the query from a file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@pass_settings
@handle_errors
def query(settings: Settings, query: str | None, query_file: Path | None, fmt: str) -> None:
    """Run a SPARQL query over the built graph (all named graphs merged)."""
    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or -f FILE, not both or neither")
    text = query_file.read_text(encoding="utf-8-sig") if query_file else str(query)
    store = open_built(settings)
    result = store.query(text)
    if fmt == "table":
        click.echo(render_table(result))
    else:
        sys.stdout.buffer.write(serialize_result(result, fmt))
        sys.stdout.flush()


EXPORT_EPILOG = (
    "Which export for which tool: --format owl (the ontology; --part data adds the "
    "individuals) for Protégé, the OWL API, HermiT and ROBOT: OWL 2 DL in RDF/XML. "
    "--format nq (named graphs kept) for a triple store. --part shapes (Turtle) for a "
    "SHACL engine, with --part ontology --part data as its data graph. " + EPILOG
)


@cli.command(epilog=EXPORT_EPILOG)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="ttl",
    show_default=True,
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
@handle_errors
def export(settings: Settings, fmt: str, parts: tuple[str, ...], output: Path | None) -> None:
    """Export the built graph, or parts of it, for another tool."""
    data = export_graph(open_built(settings), settings, fmt, parts)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@cli.command(epilog=EPILOG)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
@handle_errors
def info(settings: Settings, as_json: bool) -> None:
    """Show the named graphs, triple counts and the ontology version."""

    store = open_built(settings)
    version = ""
    result = store.query(
        "SELECT ?v WHERE { <https://w3id.org/relgraph/ontology> owl:versionIRI ?v }"
    )
    for sol in result if isinstance(result, ox.QuerySolutions) else []:
        version = str(sol["v"].value)
    graphs = store.graphs()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "version": __version__,
                    "ontology_version_iri": version,
                    "triples": len(store),
                    "graphs": {g.iri: g.triples for g in graphs},
                },
                indent=2,
            )
        )
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
@handle_errors
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
    for s in SETTINGS:
        click.echo(f"{s.name} = {getattr(settings, s.name)!r}\n    {s.help}")


@cli.group(invoke_without_command=True, epilog=EPILOG)
@click.option("--markdown", is_flag=True, help="Print the index (queries/README.md) as Markdown.")
@click.option("--json", "as_json", is_flag=True, help="Print the headers as JSON.")
@click.pass_context
@handle_errors
def queries(ctx: click.Context, markdown: bool, as_json: bool) -> None:
    """List the stored competency queries (queries/cq/*.rq), or run one.

    Without a subcommand, prints each query's id and question.
    """

    from relgraph.catalog import catalog_markdown, list_queries

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
    callback=_parse_setting,
    metavar="NAME=VALUE",
    help="A parameter value: <iri>, prefix:local, a number or text.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@pass_settings
@handle_errors
def queries_run(settings: Settings, query_id: str, params: dict[str, str], fmt: str) -> None:
    """Run the stored query ID over the built graph, binding parameters."""
    from relgraph.catalog import get_query

    stored = get_query(settings, query_id)
    result = stored.run(open_built(settings), params)
    if fmt == "table":
        click.echo(render_table(result))
    else:
        sys.stdout.buffer.write(serialize_result(result, fmt))
        sys.stdout.flush()


@queries.command("show", epilog=EPILOG)
@click.argument("query_id", metavar="ID")
@pass_settings
@handle_errors
def queries_show(settings: Settings, query_id: str) -> None:
    """Print the text of the stored query ID, header included."""
    from relgraph.catalog import get_query

    click.echo(get_query(settings, query_id).text, nl=False)


@cli.command(epilog=EPILOG)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown is the source of docs/coverage.md.",
)
@pass_settings
@handle_errors
def stats(settings: Settings, fmt: str) -> None:
    """Report counts per kind, the evidence gap map and unlinked citations."""
    from relgraph.coverage import coverage

    click.echo(coverage(open_built(settings)).render(fmt), nl=False)


@cli.command(epilog=EPILOG)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sssom", "tsv", "json"]),
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
@handle_errors
def mappings(settings: Settings, fmt: str, sources: tuple[str, ...], unmapped: bool) -> None:
    """Print the mappings to biomedical vocabularies (mappings/*.sssom.tsv)."""
    from relgraph.mappings import render

    click.echo(render(settings, fmt, sources, unmapped), nl=False)


CHECK_EPILOG = (
    "Exit codes: 0 no errors (warnings and infos allowed); 1 the check found errors; "
    "2 the check could not run (e.g. a FILE is not valid Turtle: the error names the file "
    "and line, and nothing is changed)."
)


@cli.command(epilog=CHECK_EPILOG)
@click.argument("files", nargs=-1, type=FILE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--no-reasoner", is_flag=True, help="Skip HermiT (the OWL 2 RL rules still run).")
@pass_settings
@handle_errors
def check(settings: Settings, files: tuple[Path, ...], fmt: str, no_reasoner: bool) -> None:
    """Check the graph: SHACL shapes, OWL reasoning, passage spans, quality queries, mappings.

    FILES (e.g. a curator's new study) are checked together with the built
    graph, in a copy: the built graph is not changed.
    """
    from relgraph.checking import check as run_check

    try:
        report = run_check(settings, files, reasoner=not no_reasoner)
    except Exception as exc:
        if fmt != "json" or os.environ.get(DEBUG_VARIABLE):
            raise
        # JSON mode always prints JSON, also when the check could not run
        error = exc if isinstance(exc, RelgraphError) else internal_error(exc)
        click.echo(json.dumps(_error_json(error), indent=2, ensure_ascii=False))
        sys.exit(error.exit_code)
    click.echo(report.to_json() if fmt == "json" else report.render_text())
    sys.exit(report.exit_code)


def _error_json(error: RelgraphError) -> dict[str, object]:
    return {
        "ok": False,
        "error": error.message,
        "hint": error.hint,
        "type": type(error).__name__,
        "exit_code": error.exit_code,
        "file": getattr(error, "path", None),
        "line": getattr(error, "line", None),
        "column": getattr(error, "column", None),
    }


@cli.command(epilog=EPILOG)
@click.option("--host", default=None, help="Interface to bind (default: setting host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: setting port, 5000).")
@click.option("--workers", type=int, default=None, help="Web worker processes (setting workers).")
@click.option("--threads", type=int, default=None, help="Threads per web worker (setting threads).")
@pass_settings
@handle_errors
def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
) -> None:
    """Serve the query page and the SPARQL endpoint with gunicorn.

    Binds to loopback unless --host says otherwise. Build the graph first
    (`make serve` does both).
    """
    from relgraph.builder import built_graph_path
    from relgraph.errors import NotBuiltError
    from relgraph.web.server import serve as run_server

    if not built_graph_path(settings).is_file():
        raise NotBuiltError(
            f"no built graph at {built_graph_path(settings)}", "run `relgraph build` first"
        )
    host = host or str(settings.host)
    port = port if port is not None else int(settings.port)
    click.echo(f"serving relgraph at http://{host}:{port}/ (SPARQL: /sparql)", err=True)
    run_server(
        settings, host, port, workers if workers is not None else int(settings.workers), threads
    )


PUSH_EPILOG = (
    "Exit codes: 0 every graph replaced; 2 the push failed (the message says whether the "
    "store was left as it was or exactly which graphs were replaced). Secrets come from "
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
@pass_settings
@handle_errors
def push(
    settings: Settings,
    endpoint: str,
    user: str | None,
    password_env: str,
    scheme: str,
    token_env: str | None,
    graph_param: str,
    timeout: float,
) -> None:
    """Upload the built graph to a triple store, one named graph per source.

    Each graph replaces its previous version in the store (HTTP PUT of the
    SPARQL 1.1 Graph Store Protocol). The store's current versions are read
    first, so a failed push puts back what it had replaced.
    """
    from relgraph.push import GraphStoreClient
    from relgraph.push import push as push_graphs
    from relgraph.remote import Credentials

    credentials = Credentials.from_env(
        user=user, password_env=password_env, token_env=token_env, scheme=scheme
    )
    store = open_built(settings)
    client = GraphStoreClient(
        endpoint, credentials=credentials, timeout_s=timeout, graph_param=graph_param
    )
    total = len(store.graphs())
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

        report = push_graphs(store, client, progress=progress)
    click.echo(
        f"pushed {report.triples} triples in {len(report.replaced) + len(report.created)} graphs "
        f"to {report.endpoint} ({report.bytes / 1e6:.1f} MB, {report.seconds:.1f} s): "
        f"{len(report.replaced)} replaced, {len(report.created)} new"
    )


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
@handle_errors
def synth(settings: Settings, triples: int, seed: int, graph_triples: int, output: Path) -> None:
    """Write a project whose graph is the real one grown with synthetic studies.

    The studies (cited works, findings, citations, method applications,
    instruments, and mappings when the graph has a mappings graph) are drawn
    deterministically from SEED, modelled on the real ones, and marked
    "synthetic" in IRI and label. Build and serve the result with
    `relgraph --project-dir OUTPUT build` and `... serve`.
    """
    from relgraph.builder import is_up_to_date, load_sources
    from relgraph.synthetic import write_project

    store = open_built(settings) if is_up_to_date(settings) else load_sources(settings)
    result = write_project(
        settings, store, output, triples=triples, seed=seed, graph_triples=graph_triples
    )
    click.echo(
        f"wrote {result.studies} synthetic studies ({result.synthetic_triples} triples, "
        f"{len(result.files)} files) beside the real graph ({result.real_triples} triples) "
        f"-> {result.project}\nbuild it with: relgraph --project-dir {result.project} build"
    )


def main() -> None:
    """Entry point of the console script."""
    try:
        cli(standalone_mode=True)
    except RelgraphError as exc:  # pragma: no cover - raised outside commands
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
