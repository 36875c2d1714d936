"""The CLI's commands are imported only when they run (cli.LAZY_COMMANDS, decision 0020)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from relgraph.cli import LAZY_COMMANDS, cli

_COMMAND_MODULES = sorted({module for module, _help in LAZY_COMMANDS.values()})


def _loaded() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    commands = {}
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None, name
        commands[name] = command
    return commands


def test_every_command_is_listed_and_loads() -> None:
    commands = _loaded()
    assert set(commands) == set(LAZY_COMMANDS)
    for name, command in commands.items():
        assert command.name == name
        assert command.callback is not None
        assert command.callback.__module__ == LAZY_COMMANDS[name][0], name


def test_no_command_is_left_out_of_the_table() -> None:
    """A command registered on the group by a module but missing from the table."""
    _loaded()
    assert set(cli.commands) == set(LAZY_COMMANDS)


def test_the_table_says_what_each_command_says() -> None:
    for name, command in _loaded().items():
        assert LAZY_COMMANDS[name][1] == command.get_short_help_str(limit=1000), name


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_each_command_help_works(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and name in result.output


def test_group_help_lists_every_command_with_its_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, (_module, text) in LAZY_COMMANDS.items():
        line = next(li for li in result.output.splitlines() if li.strip().startswith(name + " "))
        shown = line.split(None, 1)[1].removesuffix("...")
        assert text.startswith(shown), (name, shown)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_help_imports_no_command() -> None:
    modules = _modules_after(
        "from relgraph.cli import cli\n"
        "try:\n    cli(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert not modules & set(_COMMAND_MODULES)
    assert not {"flask", "gunicorn", "werkzeug", "relgraph.web", "relgraph.checks"} & modules


def test_check_imports_neither_the_web_nor_the_other_commands() -> None:
    modules = _modules_after(
        "from relgraph.cli import cli\nimport click\ncli.get_command(click.Context(cli), 'check')"
    )
    assert "relgraph.cli.check" in modules
    assert not {"flask", "gunicorn", "werkzeug", "relgraph.web", "openpyxl"} & modules
    assert not (set(_COMMAND_MODULES) - {"relgraph.cli.check"}) & modules
    assert "relgraph.store.remote" not in modules  # only --backend needs HTTP


def test_a_mistyped_command_gets_the_nearest_names() -> None:
    """Regression (session 5's tester): `relgraph chek` said only "No such command"."""
    result = CliRunner().invoke(cli, ["chek"])
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.output
    result = CliRunner().invoke(cli, ["zzzz"])
    assert result.exit_code == 2 and "Did you mean" not in result.output
