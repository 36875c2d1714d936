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
from typing import Literal

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.store.base import QueryResult, Term

__all__ = ["Answer", "AnswerKind", "collect", "term_bytes"]

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


def term_bytes(term: Term | ox.Triple | None) -> int:
    """The UTF-8 size of a term's parts (IRI, lexical form, datatype, language), in bytes.

    >>> term_bytes(ox.Literal("été", language="fr")), term_bytes(None)
    (7, 0)
    """
    if term is None:
        return 0
    if isinstance(term, ox.Literal):
        size = len(term.value.encode("utf-8", "surrogatepass"))
        return size + (len(term.language) if term.language else len(term.datatype.value))
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return len(term.value.encode("utf-8", "surrogatepass"))
    return term_bytes(term.subject) + term_bytes(term.predicate) + term_bytes(term.object)


def _too_large(size: int, max_bytes: int) -> RelgraphError:
    return RelgraphError(
        f"one row of the answer holds {size} bytes of values, more than the {max_bytes} an "
        "answer may hold (setting max_result_bytes)",
        "select shorter values (e.g. SUBSTR of long literals) or fewer variables",
    )


def collect(result: QueryResult, max_rows: int, max_bytes: int = 0) -> Answer:
    """Read at most ``max_rows`` rows (or triples) of a live result.

    One more is read to tell whether the answer was cut. With ``max_bytes``,
    rows are also cut once their values (:func:`term_bytes`) would pass that
    many bytes, and the answer is flagged as truncated likewise.

    :raises RelgraphError: (400) when the first row alone is larger than ``max_bytes``.
    """
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples: list[ox.Triple] = []
        total = 0
        for triple in result:
            if len(triples) == max_rows:
                return Answer("graph", triples=triples, truncated=True)
            if max_bytes:
                total += term_bytes(triple)
                if total > max_bytes:
                    if not triples:
                        raise _too_large(total, max_bytes)
                    return Answer("graph", triples=triples, truncated=True)
            triples.append(triple)
        return Answer("graph", triples=triples)
    variables = [v.value for v in result.variables]
    rows: list[tuple[Term | None, ...]] = []
    total = 0
    for solution in result:
        if len(rows) == max_rows:
            return Answer("select", variables=variables, rows=rows, truncated=True)
        row = tuple(solution[v] for v in variables)
        if max_bytes:
            total += sum(term_bytes(t) for t in row)
            if total > max_bytes:
                if not rows:
                    raise _too_large(total, max_bytes)
                return Answer("select", variables=variables, rows=rows, truncated=True)
        rows.append(row)
    return Answer("select", variables=variables, rows=rows)
