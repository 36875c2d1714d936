"""The ``--backend`` options of ``serve`` and ``check``: an external store and its credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from relgraph.settings import Settings

__all__ = ["backend_options", "with_backend"]

F = TypeVar("F", bound=Callable[..., Any])


def backend_options(func: F) -> F:
    """Add --backend, --timeout-parameter, --union-default-graph, --user, --password-env,
    --auth, --token-env."""
    options = [
        click.option(
            "--backend",
            default=None,
            metavar="URL",
            help="SPARQL 1.1 Protocol query endpoint of a store holding relgraph's graphs "
            "(`relgraph push`), e.g. http://127.0.0.1:8890/sparql (setting backend).",
        ),
        click.option(
            "--timeout-parameter",
            type=click.Choice(["none", "ms", "s"]),
            default=None,
            help="How the store is told a query's time limit: ms (Virtuoso), s (Fuseki, "
            "GraphDB), none (setting backend_timeout_parameter).",
        ),
        click.option(
            "--union-default-graph/--list-graphs",
            "union_default_graph",
            default=None,
            help="The store's default graph already is the union of relgraph's graphs "
            "(Oxigraph --union-default-graph, Fuseki unionDefaultGraph, GraphDB): send no "
            "dataset; --list-graphs names every graph in each request (setting "
            "backend_union_default_graph).",
        ),
        click.option("--user", default=None, help="User name for the store's HTTP authentication."),
        click.option(
            "--password-env",
            default=None,
            metavar="VAR",
            help="Environment variable holding the user's password (RELGRAPH_STORE_PASSWORD).",
        ),
        click.option(
            "--auth",
            type=click.Choice(["basic", "digest"]),
            default=None,
            help="Authentication scheme for --user (basic).",
        ),
        click.option(
            "--token-env",
            default=None,
            metavar="VAR",
            help="Environment variable of a bearer token.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def with_backend(settings: Settings, **given: str | bool | None) -> Settings:
    """The settings with the --backend options given on the command line applied."""
    names = {
        "backend": "backend",
        "timeout_parameter": "backend_timeout_parameter",
        "union_default_graph": "backend_union_default_graph",
        "user": "backend_user",
        "password_env": "backend_password_env",
        "auth": "backend_auth",
        "token_env": "backend_token_env",
    }
    changes = {names[k]: v for k, v in given.items() if v is not None}
    return settings.replace(**changes) if changes else settings
