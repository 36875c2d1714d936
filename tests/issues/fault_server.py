"""``relgraph`` with a fault planted in the web layer, for the self-healing test of issue #8.

Run as ``python tests/issues/fault_server.py [relgraph arguments]``. Every
request whose query contains ``#plant-fault`` makes the view raise
``RuntimeError`` after the query ran, as a bug in relgraph's own code would;
everything else is the real server.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import request  # noqa: E402

from relgraph.cli import main  # noqa: E402
from relgraph.web import api  # noqa: E402

MARK = "#plant-fault"
_answer_response = api.answer_response


def _faulty(outcome: Any, fmt: Any, **kwargs: Any) -> Any:
    if MARK in request.values.get("query", ""):
        raise RuntimeError("a fault planted by the self-healing test")
    return _answer_response(outcome, fmt, **kwargs)


if __name__ == "__main__":  # only when run: importing it (pytest collects doctests) changes nothing
    api.answer_response = _faulty  # type: ignore[assignment]
    main()
