"""Parameter bindings written into a query's text, for a store that takes no substitutions.

pyoxigraph binds a variable before evaluation (``substitutions``, SEP-0007); a store
reached over the SPARQL 1.1 Protocol gets text only. A *trailing* ``VALUES`` clause
(Query §10.2.2) joins with the query's result, after grouping: a store then evaluates
``GROUP BY`` over the whole graph before keeping one entity's rows (seconds instead of
milliseconds for an entity page). So :func:`bind_in_text` puts the ``VALUES`` block at
the start of the query's WHERE group instead, where it joins with the patterns, as a
substitution does; a text whose WHERE group cannot be found gets the trailing clause.

The scan needs only to find that brace: it skips strings, IRIs and comments (SPARQL 1.1
Query §19.8) and takes the first ``{`` after the keyword ``WHERE`` at the top level (a
CONSTRUCT template comes before it), or the first ``{`` of a query without ``WHERE``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from relgraph.store.base import Term

__all__ = ["bind_in_text", "values_clause", "where_group_start"]

_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[?$:]?[A-Za-z_][A-Za-z0-9_]*:?"
    r"|[{}]"
    r"|[\s\S]",
    re.DOTALL,
)


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A ``VALUES`` block binding variables to terms (one row), written from the terms.

    >>> values_clause({"x": ox.NamedNode("http://example.org/a"), "n": ox.Literal("1")})
    'VALUES (?x ?n) { (<http://example.org/a> "1") }'
    """
    if not bindings:
        return ""
    names = " ".join(f"?{ox.Variable(name).value}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def where_group_start(text: str) -> int | None:
    """The offset just after the ``{`` that opens the query's WHERE group, or None.

    >>> q = 'CONSTRUCT { ?s a "{" } WHERE { ?s ?p ?o }'
    >>> q[where_group_start(q):]
    ' ?s ?p ?o }'
    >>> where_group_start("ASK { ?s ?p ?o }")
    5
    """
    depth = 0
    after_where = False
    first_open: int | None = None
    for match in _SKIP.finditer(text):
        piece = match.group()
        if piece == "{":
            if depth == 0:
                if after_where:
                    return match.end()
                if first_open is None:
                    first_open = match.end()
            depth += 1
        elif piece == "}":
            depth -= 1
        elif depth == 0 and piece.upper() == "WHERE":
            after_where = True
    return None if after_where else first_open


def bind_in_text(text: str, bindings: Mapping[str, Term] | None) -> str:
    """The query with its bindings as a ``VALUES`` block opening its WHERE group.

    >>> bind_in_text("SELECT ?n WHERE { ?x rdfs:label ?n }", {"x": ox.NamedNode("http://e/a")})
    'SELECT ?n WHERE { VALUES (?x) { (<http://e/a>) } ?x rdfs:label ?n }'
    """
    values = values_clause(bindings or {})
    if not values:
        return text
    start = where_group_start(text)
    if start is None:
        return text.rstrip() + "\n" + values + "\n"
    return f"{text[:start]} {values}{text[start:]}"
