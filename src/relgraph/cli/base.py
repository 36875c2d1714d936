"""The ``relgraph`` command group, its common options, and the one place errors become exit codes.

Every command runs inside :meth:`RelgraphGroup.invoke`, which converts errors
once for all of them: a :class:`~relgraph.errors.RelgraphError` becomes its
message, hint and exit code (:class:`RelgraphClickError`); any other
exception is an internal error (one line, exit 2, the traceback only with
``RELGRAPH_DEBUG=1``). A command that promised JSON (``check --format json``)
asks for its errors as JSON too (:func:`errors_as_json`).

Exit codes: 0 success (or the graph conforms); 1 a check found errors;
2 usage or input error, or the command could not run.
"""

from __future__ import annotations

import difflib
import importlib
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

import click

from relgraph import __version__
from relgraph.errors import DEBUG_VARIABLE, FileAccessError, InternalError, RelgraphError
from relgraph.settings import Settings

__all__ = [
    "EPILOG",
    "DIR_PATH",
    "FILE_PATH",
    "EXISTING_FILE",
    "RelgraphClickError",
    "RelgraphGroup",
    "cli",
    "errors_as_json",
    "pass_settings",
    "parse_pairs",
]

EPILOG = "Exit codes: 0 ok, 1 a check found errors, 2 usage or input error."

#: Where a command records that its errors are to be printed as JSON.
_JSON_ERRORS = "relgraph.errors-as-json"


class RelgraphClickError(click.ClickException):
    """A relgraph error as Click shows it: ``error: message``, the hint, the error's exit code."""

    def __init__(self, error: RelgraphError, *, as_json: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.exit_code = error.exit_code  # type: ignore[misc]  # click: a class variable
        self.as_json = as_json

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the error (to stderr; JSON to stdout when the command promised JSON)."""
        if self.as_json:
            click.echo(json.dumps(_error_json(self.error), indent=2, ensure_ascii=False))
            return
        click.echo(f"error: {self.error}", err=True, file=file)


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


def errors_as_json() -> None:
    """Make the current command print its errors as JSON (it promised JSON output)."""
    click.get_current_context().meta[_JSON_ERRORS] = True


class RelgraphGroup(click.Group):
    """A command group whose commands' errors are converted in one place.

    Its commands may be *lazy* (:meth:`add_lazy`): named with their module and one-line
    help, and imported only when they run, so that ``relgraph --help`` or ``relgraph
    check`` imports neither the web server nor the other commands' libraries (Click's
    lazily loaded subcommands, https://click.palletsprojects.com/en/stable/complex/).
    """

    #: command name -> (module that defines it on import, its one-line help)
    lazy_commands: dict[str, tuple[str, str]]

    def add_lazy(self, commands: dict[str, tuple[str, str]]) -> None:
        """Name commands whose modules are imported when one of them is asked for."""
        self.lazy_commands = {**getattr(self, "lazy_commands", {}), **commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, loaded or lazy, sorted by name."""
        return sorted(set(self.commands) | set(getattr(self, "lazy_commands", {})))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported first if it is lazy and not yet loaded."""
        lazy = getattr(self, "lazy_commands", {})
        if cmd_name not in self.commands and cmd_name in lazy:
            importlib.import_module(lazy[cmd_name][0])
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Click's own, with the nearest command names added to "No such command"."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = args[0] if args else ""
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            if not close or name in self.list_commands(ctx):
                raise
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?"
            raise click.UsageError(exc.message + hint, ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the lazy table: no command is imported."""
        names = self.list_commands(ctx)
        if not names:
            return
        lazy = getattr(self, "lazy_commands", {})
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is not None:
                if loaded.hidden:
                    continue
                rows.append((name, loaded.get_short_help_str(limit)))
            else:
                stand_in = click.Command(name, help=lazy[name][1])  # shortened as Click does
                rows.append((name, stand_in.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the group and its command; turn errors into messages and exit codes."""
        try:
            return super().invoke(ctx)
        except RelgraphError as exc:
            raise RelgraphClickError(exc, as_json=bool(ctx.meta.get(_JSON_ERRORS))) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            error: RelgraphError = FileAccessError.from_os_error(exc)
            raise RelgraphClickError(error, as_json=bool(ctx.meta.get(_JSON_ERRORS))) from exc
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            error = InternalError.wrapping(exc)
            raise RelgraphClickError(error, as_json=bool(ctx.meta.get(_JSON_ERRORS))) from exc


class _OneLineLog(logging.Handler):
    """Library log records as one line on the current stderr, without tracebacks."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()} ({record.name})", err=True)


_LOG_HANDLER = _OneLineLog(logging.WARNING)


def _quiet_library_logs() -> None:
    root = logging.getLogger()
    if _LOG_HANDLER not in root.handlers:
        root.addHandler(_LOG_HANDLER)


def parse_pairs(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """Read ``NAME=VALUE`` option values (settings, parameters) into a dict."""
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
#: A path checked by the command itself, so that its errors follow the command's --format.
ANY_PATH = click.Path(path_type=Path)  # type: ignore[type-var,unused-ignore]
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)  # type: ignore[type-var,unused-ignore]


@click.group(cls=RelgraphGroup, epilog=EPILOG)
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
    callback=parse_pairs,
    metavar="NAME=VALUE",
    help="Override a setting; see `relgraph settings`.",
)
@click.pass_context
def cli(
    ctx: click.Context, project_dir: Path | None, config: Path | None, overrides: dict[str, str]
) -> None:
    """relgraph: the therapeutic-relationship knowledge graph."""
    if ctx.invoked_subcommand != "serve":  # gunicorn configures the server's logs
        _quiet_library_logs()
    ctx.obj = Settings.load(project_dir, config_file=config, overrides=overrides)
