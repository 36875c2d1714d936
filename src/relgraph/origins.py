"""Where the nodes and values a check reports come from: file, line, and the text as written.

A check reads the sources and the extra files itself (see
:mod:`relgraph.checking`); :class:`SourceIndex` keeps, from that same parse,
the first line where each node (IRI or blank node) is described, and every
literal as the file writes it. The store keeps literals in canonical form
(``"01700"^^xsd:integer`` becomes ``1700``), so :meth:`SourceIndex.locate`
gives each problem its file and line and puts back the value as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from relgraph.loading import Origins, node_key
from relgraph.report import Problem

__all__ = ["SourceIndex"]


@dataclass
class SourceIndex:
    """Lines of nodes and written literals of the files parsed for one check.

    :ivar origins: node key (see :func:`relgraph.loading.node_key`) -> (file, line).
    """

    origins: Origins = field(default_factory=dict)
    _literals: list[tuple[str, ox.Literal]] = field(default_factory=list)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Remember the literals of parsed quads, by subject."""
        self._literals += [
            (node_key(q.subject), q.object) for q in quads if isinstance(q.object, ox.Literal)
        ]

    def written(self, nodes: set[str]) -> dict[tuple[str, str], str]:
        """(node, value in canonical form) -> the value as written, where the two differ."""
        literals = [(n, lit) for n, lit in self._literals if n in nodes]
        if not literals:
            return {}
        store = ox.Store()
        predicate = ox.NamedNode("urn:relgraph:value")
        store.extend(
            ox.Quad(ox.NamedNode(f"urn:relgraph:literal:{i}"), predicate, lit)
            for i, (_, lit) in enumerate(literals)
        )
        out: dict[tuple[str, str], str] = {}
        for quad in store:
            index = int(quad.subject.value.rsplit(":", 1)[1])
            node, original = literals[index]
            stored = quad.object
            if isinstance(stored, ox.Literal) and stored.value != original.value:
                out.setdefault((node, stored.value), original.value)
        return out

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems with the file and line of their node, and values as written."""
        problems = list(problems)
        written = self.written({p.node for p in problems if p.value})
        out = []
        for p in problems:
            where = self.origins.get(p.node)
            value = written.get((p.node, p.value), p.value)
            if where is not None or value != p.value:
                file, line = where if where is not None else (p.file, p.line)
                p = replace(p, file=file, line=line, value=value)
            out.append(p)
        return out
