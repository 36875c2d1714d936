"""Issue 8 (concurrency): every answer is the same on every run.

A tester found cq33's ``GROUP_CONCAT`` joined its texts in an order that changed from run to
run (the engine's hash joins have no fixed order), so two query workers gave two answers to
one request. SPARQL 1.1 leaves the order inside ``GROUP_CONCAT`` open (section 18.5.1.7);
stored queries fix it by concatenating the rows of an ordered subquery.
"""

from __future__ import annotations

from relgraph.query.catalog import list_queries
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.answer import collect

RUNS = 6


def test_every_stored_query_gives_one_answer_on_every_run(
    repo_store: GraphStore, repo_settings: Settings
) -> None:
    varying = []
    for query in list_queries(repo_settings):
        answers = {
            repr(collect(repo_store.query(query.text, bindings=query.bind()), 100_000))
            for _ in range(RUNS)
        }
        if len(answers) > 1:
            varying.append(query.id)
    assert varying == []


def test_cq33_lists_each_theorys_own_emphasis_first(
    repo_store: GraphStore, repo_settings: Settings
) -> None:
    (query,) = [q for q in list_queries(repo_settings) if q.id == "cq33-theory-emphasis"]
    answer = collect(repo_store.query(query.text, bindings=query.bind()), 100_000)
    emphasis = {str(row[1].value): str(row[2].value) for row in answer.rows if row[2] is not None}
    own = repo_store.query(
        "SELECT ?label ?text WHERE { ?t a rg:Theory ; rdfs:label ?label ; rg:emphasis ?text }"
    )
    for solution in own:
        assert emphasis[str(solution["label"].value)].startswith(str(solution["text"].value))
