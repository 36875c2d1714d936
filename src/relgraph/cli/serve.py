"""``relgraph serve``: the query page and the SPARQL endpoint with gunicorn."""

from __future__ import annotations

import click

from relgraph.cli.backend import backend_options, with_backend
from relgraph.cli.base import EPILOG, cli, pass_settings
from relgraph.errors import RemoteStoreError
from relgraph.settings import Settings
from relgraph.store.builder import check_built
from relgraph.store.remote import RemoteStore
from relgraph.web.server import check_port_free
from relgraph.web.server import serve as run_server

__all__ = ["serve"]


@cli.command(epilog=EPILOG)
@click.option("--host", default=None, help="Interface to bind (default: setting host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: setting port, 5000).")
@click.option("--workers", type=int, default=None, help="Web worker processes (setting workers).")
@click.option("--threads", type=int, default=None, help="Threads per web worker (setting threads).")
@backend_options
@pass_settings
def serve(
    settings: Settings,
    /,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    **backend: str | None,
) -> None:
    """Serve the query page and the SPARQL endpoint with gunicorn.

    Binds to loopback unless --host says otherwise. Build the graph first
    (`make serve` does both), or give --backend URL to serve every page and
    /sparql from an external store that holds relgraph's graphs (`relgraph push`):
    the same inspection, row cap and time limit apply (docs/external-stores.md).
    """
    given = {"host": host, "port": port, "workers": workers, "threads": threads}
    settings = settings.replace(**{k: v for k, v in given.items() if v is not None})
    settings = with_backend(settings, **backend)
    if settings.backend:
        store = RemoteStore.from_settings(settings)
        try:
            graphs = store.graph_iris()
            if not graphs:
                raise RemoteStoreError(
                    f"the store at {settings.backend} holds no relgraph graphs",
                    "upload the graph first: relgraph push --endpoint GRAPH-STORE-URL",
                )
            store.check_dataset()  # --union-default-graph on a store without it: refused now
        finally:
            store.close()
        click.echo(f"backend: {settings.backend} ({len(graphs)} graphs)", err=True)
    else:
        check_built(settings)  # a missing or damaged graph is said here, not by each worker
    check_port_free(settings.host, settings.port)
    click.echo(
        f"serving relgraph at http://{settings.host}:{settings.port}/ (SPARQL: /sparql)", err=True
    )
    run_server(settings, settings.host, settings.port, settings.workers, settings.threads)
