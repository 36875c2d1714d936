"""Where the nodes of the sources are described (file and line), and literals as written.

Reports name the file and line of each node at fault and its values as the
file writes them (the store keeps literals in canonical form:
``"01700"^^xsd:integer`` becomes ``1700``). Keeping that for every triple costs
the build most of its parsing time and memory at 10^6 triples (a Python object
per triple, docs/decisions/0015-build-at-scale.md), and a report names few
nodes. So :class:`SourceIndex` finds them when asked: the sources are loaded
by pyoxigraph's own loader (:func:`~relgraph.store.sources.load_source`), and
:meth:`SourceIndex.where` and :meth:`SourceIndex.written` parse again, with
line numbers, only the files in which the asked nodes are subjects, each file
at most once.

Blank nodes get fresh ids in every parse, so a blank node of the store is
found in the file parsed again by its place in the graph: a colour computed
by colour refinement (1-dimensional Weisfeiler-Leman, as rdflib.compare and
the RDF Dataset Canonicalization hash blank nodes; Hogan, "Canonical Forms
for Isomorphic and Equivalent RDF Graphs", ACM TWEB 11(4), 2017), from its
triples with IRIs and literals and then, over :data:`ROUNDS` rounds, its
neighbours' colours. Two blank nodes that no round tells apart (identical
descriptions) share a colour and the first line of either is given.

Files parsed with lines from the start (a curator's extra files, a study
sheet's draft) put their nodes in :attr:`SourceIndex.origins` and their
literals through :meth:`SourceIndex.add`; those win over the lazy lookup.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.store.memory import GraphStore
from relgraph.store.sources import Origins, Source, node_key, parse_source
from relgraph.vocab import SCRATCH

__all__ = ["ROUNDS", "SourceIndex", "blank_colours"]

#: Rounds of colour refinement: a blank node is told apart by what lies up to this many
#: blank nodes away (an OWL restriction inside a union inside a class axiom is three).
ROUNDS = 4


def blank_colours(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """A colour (hex digest) for every blank node of a graph, the same in every parse of it.

    :param quads: the graph's quads, each once, literals in canonical form (as a
        pyoxigraph store gives them).
    :returns: blank node id -> colour; isomorphic graphs give corresponding blank
        nodes the same colour (colour refinement, see the module's docstring).
    """
    out_edges: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    in_edges: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    blanks: set[str] = set()
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        s_id = s.value if isinstance(s, ox.BlankNode) else None
        o_id = o.value if isinstance(o, ox.BlankNode) else None
        if s_id is not None:
            blanks.add(s_id)
            out_edges[s_id].append((p, o_id, "" if o_id is not None else str(o)))
        if o_id is not None:
            blanks.add(o_id)
            in_edges[o_id].append((p, s_id, "" if s_id is not None else str(s)))
    colour = dict.fromkeys(blanks, "")
    for _ in range(ROUNDS):
        colour = {
            b: _digest(
                colour[b],
                sorted((p, colour[x] if x is not None else t) for p, x, t in out_edges[b]),
                sorted((p, colour[x] if x is not None else t) for p, x, t in in_edges[b]),
            )
            for b in blanks
        }
    return colour


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@dataclass
class _Parsed:
    """One source parsed again: first lines and literals as written, by node key.

    Blank nodes are keyed ``_#`` and their colour (:func:`blank_colours`).
    """

    lines: dict[str, int]
    literals: dict[str, list[ox.Literal]]


def _parse_again(source: Source, name: str) -> _Parsed:
    origins: Origins = {}
    quads = parse_source(source, origins=origins, name=name)
    scratch = ox.Store()  # each quad once, literals canonical: as the store holds them
    scratch.extend(quads)
    colours = blank_colours(scratch)

    def key(term: object) -> str:
        if isinstance(term, ox.BlankNode):
            return "_#" + colours.get(term.value, "")
        return node_key(term)

    lines: dict[str, int] = {}
    for node, (_file, line) in origins.items():
        k = "_#" + colours.get(node[2:], "") if node.startswith("_:") else node
        lines[k] = min(line, lines.get(k, line))
    literals: dict[str, list[ox.Literal]] = defaultdict(list)
    for q in quads:
        if isinstance(q.object, ox.Literal):
            literals[key(q.subject)].append(q.object)
    return _Parsed(lines, dict(literals))


@dataclass
class SourceIndex:
    """Lines of nodes and written literals of the files loaded for one build or check.

    :ivar origins: node key (see :func:`~relgraph.store.sources.node_key`) -> (file,
        line), for files parsed with lines from the start; the other sources are
        looked up lazily (:meth:`track`).
    """

    origins: Origins = field(default_factory=dict)
    _literals: list[tuple[str, ox.Literal]] = field(default_factory=list)
    _sources: list[tuple[Source, str, GraphStore]] = field(default_factory=list)
    _parsed: dict[str, _Parsed] = field(default_factory=dict)
    _colours: dict[str, dict[str, str]] = field(default_factory=dict)

    def track(self, store: GraphStore, source: Source, name: str) -> None:
        """Remember that ``source`` was loaded into ``store`` (named ``name`` in reports)."""
        self._sources.append((source, name, store))

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Remember the literals of quads parsed with lines, by subject."""
        self._literals += [
            (node_key(q.subject), q.object) for q in quads if isinstance(q.object, ox.Literal)
        ]

    def _describing(self, node: str) -> Iterator[tuple[str, str, _Parsed]]:
        """(key of the node in the file, file name, the file parsed again) for every
        tracked source in which the node is a subject, in load order."""
        if not node or not self._sources:
            return
        graphs: set[str] = set()
        for store in {id(s): s for _, _, s in self._sources}.values():
            graphs.update(store.subject_graphs(node))
        for source, name, store in self._sources:
            if source.graph not in graphs:
                continue
            parsed = self._parsed.get(source.graph)
            if parsed is None:
                parsed = self._parsed[source.graph] = _parse_again(source, name)
            key = node
            if node.startswith("_:"):
                colours = self._colours.get(source.graph)
                if colours is None:
                    colours = self._colours[source.graph] = blank_colours(store.quads(source.graph))
                key = "_#" + colours.get(node[2:], "?")
            yield key, name, parsed

    def where(self, node: str) -> tuple[str, int] | None:
        """The file and line where a node is first described, if known."""
        if node in self.origins:
            return self.origins[node]
        for key, name, parsed in self._describing(node):
            line = parsed.lines.get(key)
            if line is not None:
                return name, line
        return None

    def written(self, nodes: set[str]) -> dict[tuple[str, str], str]:
        """(node, value in canonical form) -> the value as written, where the two differ."""
        literals = [(n, lit) for n, lit in self._literals if n in nodes]
        for node in sorted(nodes):
            for key, _name, parsed in self._describing(node):
                literals += [(node, lit) for lit in parsed.literals.get(key, ())]
        if not literals:
            return {}
        store = ox.Store()
        predicate = ox.NamedNode(SCRATCH + "value")
        store.extend(
            ox.Quad(ox.NamedNode(f"{SCRATCH}literal:{i}"), predicate, lit)
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
