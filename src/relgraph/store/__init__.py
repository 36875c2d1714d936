"""The store part: the graph, its sources, and how it is built.

* :mod:`.base` -- :class:`ReadableStore`, the protocol every store answers
  (typed ``select``/``ask``/``construct``/``rows``), and :class:`GraphInfo`;
* :mod:`.memory` -- :class:`GraphStore`, the embedded pyoxigraph store, and
  :class:`ReadOnlyStore`, its view without mutating methods;
* :mod:`.answer` -- :class:`Answer`, a capped answer detached from the engine;
* :mod:`.sources` -- find and parse the source files (one named graph each),
  with the file and line of every node;
* :mod:`.parts` -- which named graphs are ontology, data, shapes, mappings;
* :mod:`.builder` -- build, verify and persist the graph atomically;
* :mod:`.formatting` -- canonical Turtle (``relgraph fmt``).
"""

from __future__ import annotations

from relgraph.store.answer import Answer, collect
from relgraph.store.base import GraphInfo, QueryResult, ReadableStore, Term, parse_query_error
from relgraph.store.memory import GraphStore, ReadOnlyStore

__all__ = [
    "Answer",
    "GraphInfo",
    "GraphStore",
    "QueryResult",
    "ReadOnlyStore",
    "ReadableStore",
    "Term",
    "collect",
    "parse_query_error",
]
