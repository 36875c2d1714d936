"""The answer to a SPARQL query: capped, detached from the engine, picklable.

A query runs in a worker process (see :mod:`relgraph.query.pool`) or in the
calling process; either way :func:`collect` reads at most ``max_rows + 1``
rows (or triples) into an :class:`Answer`, which pickles back from a worker.
The extra row only tells that the answer was cut: it is dropped and
:attr:`Answer.truncated` is set. Answers are written in a result format by
:func:`relgraph.query.formats.write`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Literal

import pyoxigraph as ox

from relgraph.store.base import QueryResult, Term

__all__ = ["Answer", "AnswerKind", "collect"]

#: The kinds of answer: SELECT, ASK, and graphs (CONSTRUCT and DESCRIBE).
AnswerKind = Literal["select", "ask", "graph"]


@dataclass
class Answer:
    """A capped query answer.

    :ivar kind: ``select``, ``ask`` or ``graph`` (CONSTRUCT and DESCRIBE).
    :ivar variables: the projected variables of a SELECT.
    :ivar rows: one tuple of terms (None if unbound) per solution.
    :ivar boolean: the answer of an ASK.
    :ivar triples: the triples of a CONSTRUCT or DESCRIBE.
    :ivar truncated: True when more rows (or triples) existed than the cap.
    :ivar elapsed_ms: time spent evaluating, in milliseconds.
    :ivar body: the answer already written in a result format (by the query worker, so
        that bytes, not terms, cross the pipe); ``rows`` and ``triples`` are then empty.
    :ivar body_format: the name of that format (``json``, ``csv`` ...).
    :ivar count: the number of rows (or triples) written into ``body``.
    """

    kind: AnswerKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    elapsed_ms: float = 0.0
    body: bytes | None = None
    body_format: str = ""
    count: int = 0

    @property
    def size(self) -> int:
        """Number of rows (SELECT), triples (graph) or 1 (ASK)."""
        if self.body is not None:
            return self.count
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1


def collect(result: QueryResult, max_rows: int) -> Answer:
    """Read at most ``max_rows`` rows (or triples) of a live result.

    One more is read to tell whether the answer was cut.
    """
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples = list(islice(result, max_rows + 1))
        return Answer("graph", triples=triples[:max_rows], truncated=len(triples) > max_rows)
    variables = [v.value for v in result.variables]
    rows = [tuple(sol[v] for v in variables) for sol in islice(result, max_rows + 1)]
    return Answer(
        "select", variables=variables, rows=rows[:max_rows], truncated=len(rows) > max_rows
    )
