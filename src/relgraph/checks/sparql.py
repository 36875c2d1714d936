"""SPARQL check files: every row a query returns is a problem (the ODK ``*-violation`` convention).

One runner serves both folders of check queries:

* ``queries/checks/*-violation.rq`` -- quality queries (robot report checks and
  relgraph's own), phase ``queries``;
* ``queries/rules/*.rq`` -- OWL 2 RL consistency rules (cax-dw, prp-fp, dt-type2,
  eq-diff ...), phase ``reasoning``: they name the individuals and axioms
  behind an inconsistency that HermiT can only report as a whole.

Each file opens with the header every ``.rq`` file has
(:mod:`relgraph.store.queryfiles`)::

    #+ id: owl-rl/functional-property
    #+ severity: error
    #+ description: a functional property has two different values for one individual
    #+ fix: keep exactly one value of the property; delete the other triple

and is a SELECT whose rows may bind ``?node`` (the node at fault), ``?value``
(the offending value), ``?message`` (what is wrong, in words; defaults to the
description) and ``?axiom`` (the axiom broken, appended to the message). The
``severity`` of the header is the severity of every row (``error`` when absent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from relgraph.checks.report import SEVERITIES, Problem
from relgraph.errors import LoadError, RelgraphError
from relgraph.store.base import ReadableStore
from relgraph.store.queryfiles import read_query_file
from relgraph.store.sources import node_key

__all__ = ["HEADER_KEYS", "CheckQuery", "load_check_queries", "run_check_queries"]

#: The keys of a check query's header.
HEADER_KEYS = ("id", "severity", "description", "fix")


@dataclass(frozen=True)
class CheckQuery:
    """A check query: a SELECT whose every row is a problem.

    :ivar id: the rule id reports show (``owl-rl/datatype``, ``missing-label``).
    :ivar severity: ``error``, ``warning`` or ``info``.
    :ivar description: what a row means; the message of rows without ``?message``.
    :ivar hint: how to fix it (the header's ``fix``).
    :ivar text: the query.
    :ivar path: the file.
    """

    id: str
    severity: str
    description: str
    hint: str
    text: str
    path: Path


def load_check_queries(folder: Path, pattern: str = "*.rq") -> list[CheckQuery]:
    """Read the check queries of a folder, sorted by file name (none if it does not exist).

    :raises LoadError: naming the file and line of a bad header or severity.
    """
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob(pattern)):
        found = read_query_file(path, HEADER_KEYS, ("id",))
        header = found.header
        severity = header.get("severity", "error")
        if severity not in SEVERITIES:
            raise found.error(
                "severity",
                f"severity {severity!r} is not one of {', '.join(sorted(SEVERITIES))}",
                "write `#+ severity: error`, `warning` or `info`",
            )
        out.append(
            CheckQuery(
                id=header["id"],
                severity=severity,
                description=header.get("description", header["id"]),
                hint=header.get("fix", ""),
                text=found.text,
                path=path,
            )
        )
    return out


def _text(term: object) -> str:
    return "" if term is None else node_key(term)


def run_check_queries(
    store: ReadableStore,
    queries: Iterable[CheckQuery],
    *,
    phase: str,
    default_graphs: Sequence[str] | None = None,
) -> list[Problem]:
    """Run check queries; every row is a problem of the query's severity.

    :param phase: the check phase the problems belong to.
    :raises LoadError: when a check query is not a SELECT or does not parse.
    """
    problems: list[Problem] = []
    for query in queries:
        try:
            result = store.select(query.text, default_graphs=default_graphs)
        except RelgraphError as exc:
            raise LoadError(exc.message, exc.hint, path=str(query.path)) from None
        names = {v.value for v in result.variables}
        for row in result:
            node = row["node"] if "node" in names else None
            value = row["value"] if "value" in names else None
            message = row["message"] if "message" in names else None
            axiom = row["axiom"] if "axiom" in names else None
            text = message.value if isinstance(message, ox.Literal) else query.description
            if axiom is not None:
                text = f"{text}: {_text(axiom)}"
            problems.append(
                Problem(
                    severity=query.severity,
                    rule=query.id,
                    node=_text(node),
                    value=_text(value),
                    message=text,
                    hint=query.hint,
                    phase=phase,
                )
            )
    return problems
