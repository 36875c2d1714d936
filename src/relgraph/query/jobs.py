"""One query job, and how any executor runs it: in a worker process or in this one.

A :class:`Job` is a query that inspection accepted (:mod:`relgraph.query.inspection`),
with its dataset, bindings and row cap; every field pickles, so a job can go to
a worker process (:mod:`relgraph.query.pool`). :func:`execute` is the one way
a job is run, wherever it runs: parse the SERVICE probe first if there is one,
evaluate, and :func:`~relgraph.store.answer.collect` at most ``max_rows`` rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from relgraph.errors import FormatNotAcceptable, RelgraphError
from relgraph.query.formats import format_named, write
from relgraph.store.answer import Answer, collect
from relgraph.store.base import ReadableStore, Term, parse_query_error
from relgraph.vocab import PREFIXES

__all__ = ["EVALUATION_ERRORS", "Executor", "Job", "check_probe", "execute", "written"]

#: Exceptions pyoxigraph raises for a query it cannot evaluate (an unsupported
#: function, a value out of range): the client's error, answered with 400.
EVALUATION_ERRORS = (RuntimeError, ValueError)


@dataclass(frozen=True)
class Job:
    """One query for a worker; every field pickles.

    :ivar query: the SPARQL query text (already inspected and accepted).
    :ivar default_graphs: the protocol's default graph IRIs, or None.
    :ivar named_graphs: the protocol's named graph IRIs, or None.
    :ivar bindings: variable name -> term, bound before evaluation.
    :ivar base_iri: base against which relative IRIs of the query resolve.
    :ivar union_default_graph: merge all graphs into the default graph when
        neither the protocol nor the query chose a dataset.
    :ivar max_rows: the row cap (one more row is read to detect truncation).
    :ivar max_bytes: the cap on the bytes of an answer's values (0: none).
    :ivar trusted: a stored query: it may use the pool's reserved workers.
    :ivar probe: when set, a copy of the query that the worker parses first, on
        an empty store, and that must parse before the query runs (see
        :func:`relgraph.query.inspection.service_probe`).
    :ivar output: when set, (kind, format name): an answer of that kind (``select``,
        ``ask``, ``graph``) is written in that result format (:mod:`relgraph.query.formats`)
        where it is evaluated (:attr:`Answer.body`); an answer of another kind, or None,
        keeps its terms.
    """

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    bindings: tuple[tuple[str, Term], ...] = ()
    base_iri: str | None = None
    union_default_graph: bool = True
    max_rows: int = 10000
    max_bytes: int = 0
    trusted: bool = False
    probe: str | None = None
    output: tuple[str, str] | None = None


class Executor(Protocol):
    """Something that answers jobs: the worker pool, or this process."""

    def run(self, job: Job, time_limit_s: float) -> Answer:
        """Answer a job, within ``time_limit_s`` seconds of evaluation where it can.

        :raises QueryTimeout: when the deadline passed.
        :raises RelgraphError: for errors the engine reported.
        """
        ...

    def close(self) -> None:
        """Release what the executor holds (worker processes)."""
        ...


def check_probe(job: Job) -> None:
    """Parse the job's probe on an empty store; the lazy result is dropped unread."""
    if job.probe is None:
        return
    try:
        ox.Store().query(job.probe, prefixes=PREFIXES, base_iri=job.base_iri)
    except SyntaxError as exc:
        raise parse_query_error(exc) from None


def execute(store: ReadableStore, job: Job) -> Answer:
    """Run a job on a store and collect its answer.

    :raises QuerySyntaxError: from the engine's parser (probe or query).
    :raises RelgraphError: (400) when the engine cannot evaluate the query.
    """
    started = time.perf_counter()
    check_probe(job)
    try:
        result = store.query(
            job.query,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            bindings=dict(job.bindings) or None,
            base_iri=job.base_iri,
            union_default_graph=job.union_default_graph,
        )
        answer = collect(result, job.max_rows, job.max_bytes)
    except EVALUATION_ERRORS as exc:
        raise RelgraphError(f"the query could not be evaluated: {exc}", "check the query") from None
    answer.elapsed_ms = (time.perf_counter() - started) * 1000
    if job.output is not None:
        answer = written(answer, job.output)
    return answer


def written(answer: Answer, output: tuple[str, str]) -> Answer:
    """The answer with its body written in a format, terms dropped.

    :param output: (kind, format name); an answer of another kind is left as it is (the
        caller then negotiates again and writes it itself).
    """
    kind, name = output
    if answer.kind != kind:
        return answer
    try:
        fmt = format_named(answer.kind, name)
    except FormatNotAcceptable:
        return answer
    return Answer(
        answer.kind,
        variables=answer.variables,
        boolean=answer.boolean,
        truncated=answer.truncated,
        elapsed_ms=answer.elapsed_ms,
        body=write(answer, fmt),
        body_format=fmt.name,
        count=answer.size,
    )
