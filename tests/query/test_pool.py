"""The query pool hands out the worker released last (warm caches; docs/decisions/0014)."""

from __future__ import annotations

import pyoxigraph as ox

from relgraph.query.jobs import Job
from relgraph.query.pool import QueryPool


def test_sequential_jobs_reuse_the_worker_released_last() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    nquads = store.dump(format=ox.RdfFormat.N_QUADS)
    with QueryPool(nquads=nquads, size=2, reserved=1) as pool:
        pool.warm()
        job = Job(query="SELECT ?o WHERE { ?s ?p ?o }", output=("select", "json"))
        used = []
        for _ in range(6):
            answer = pool.run(job, 10)
            assert answer.count == 1 and b'"o"' in (answer.body or b"")
            used.append(pool._idle[-1])  # released last: the one that answered
        assert all(worker is used[0] for worker in used)
        assert pool.stats().alive == 3  # the others wait, alive, for concurrent jobs
