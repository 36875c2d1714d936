"""Serve an N-Quads file with rdflib-endpoint (rdflib's SPARQL engine) on 127.0.0.1.

    python benchmarks/rdflib_server.py GRAPH.nq PORT

The default graph is the union of the named graphs, as in relgraph. Started and
stopped by ``benchmarks/stores.py``; the SPARQL endpoint is ``/sparql``.
"""

from __future__ import annotations

import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
