"""``relgraph`` with a fault planted in the web layer, for the self-healing test of issue #8.

Run as ``python tests/issues/fault_server.py [relgraph arguments]``. Every
request whose query contains ``#plant-fault`` makes the protocol code
(:func:`relgraph.web.endpoint.answer`, which the Flask view and the fast path of
``/sparql`` share) raise ``RuntimeError`` after the query ran, as a bug in
relgraph's own code would; everything else is the real server.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from relgraph.cli import main  # noqa: E402
from relgraph.query.service import QueryService  # noqa: E402
from relgraph.web import endpoint  # noqa: E402

MARK = "#plant-fault"
_answer_response = endpoint.answer_response
_run = QueryService.run


def _run_marked(self: QueryService, request: Any, info: Any = None) -> Any:
    outcome = _run(self, request, info)
    if MARK in request.query:
        outcome.planted = True  # the answer is written by _faulty, which fails on it
    return outcome


def _faulty(outcome: Any, fmt: Any, **kwargs: Any) -> Any:
    if getattr(outcome, "planted", False):
        raise RuntimeError("a fault planted by the self-healing test")
    return _answer_response(outcome, fmt, **kwargs)


if __name__ == "__main__":  # only when run: importing it (pytest collects doctests) changes nothing
    QueryService.run = _run_marked  # type: ignore[method-assign]
    endpoint.answer_response = _faulty  # type: ignore[assignment]
    main()
