"""Compare SPARQL engines (pyoxigraph vs rdflib) on relgraph-shaped data.

Usage: .venv/bin/python scripts/bench_store.py [--copies N]

The real built graph is replicated N times with renamed resource IRIs, so the
shape of the data stays ours; both engines answer the same queries, and the
script prints load and query times and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox
import rdflib

from relgraph.settings import Settings
from relgraph.store.builder import open_built
from relgraph.store.sources import to_rdflib_triple
from relgraph.vocab import PREFIXES, RGR

QUERIES = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "labels-by-class": (
        "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c . ?x rdfs:label ?l } GROUP BY ?c"
    ),
    "join-3": (
        "SELECT ?s ?l ?d WHERE { ?s rdfs:label ?l . ?s a ?c . ?c rdfs:subClassOf ?d } LIMIT 5000"
    ),
    "filter-regex": 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(REGEX(?l, "ther", "i")) }',
}


def replicate(store: ox.Store, copies: int) -> list[ox.Quad]:
    """Copy every quad ``copies`` times, renaming relgraph resource IRIs."""
    base = str(RGR)
    quads = list(store)
    out: list[ox.Quad] = []
    for i in range(copies):

        def rn(t: object, i: int = i) -> object:
            if isinstance(t, ox.NamedNode) and t.value.startswith(base) and i:
                return ox.NamedNode(f"{t.value}-c{i}")
            return t

        out += [ox.Quad(rn(q.subject), q.predicate, rn(q.object), q.graph_name) for q in quads]
    return out


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    base = open_built(Settings.load())._store
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    for copies in args.copies:
        quads = replicate(base, copies)
        t0 = time.perf_counter()
        ox_store = ox.Store()
        ox_store.bulk_extend(quads)
        ox_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        graph = rdflib.Graph()
        for q in quads:
            graph.add(to_rdflib_triple(q))
        rdf_load = time.perf_counter() - t0
        print(
            f"\n{len(quads)} triples ({copies} copies): load oxigraph {ox_load:.3f}s "
            f"rdflib {rdf_load:.3f}s"
        )
        for name, q in QUERIES.items():
            t_ox = timed(
                lambda q=q, st=ox_store: list(
                    st.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)
                )
            )
            t_rdf = timed(lambda q=q, g=graph: list(g.query(prologue + q)), repeat=1)
            print(
                f"  {name:16} oxigraph {t_ox * 1000:8.1f} ms  rdflib {t_rdf * 1000:9.1f} ms"
                f"  ratio {t_rdf / max(t_ox, 1e-9):6.1f}x"
            )


if __name__ == "__main__":
    main()
