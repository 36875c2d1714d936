"""Entity views: what an entity page shows about a node of the graph.

Pure functions of a store; :func:`entity_view` returns dataclasses,
:func:`entity_data` the JSON-ready dict that the page's template and its
``.json`` twin both render (links made by the caller's ``link`` function, so
no web framework is needed here), never HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.store.base import ReadableStore
from relgraph.store.labels import labels
from relgraph.views.cells import Link, cell
from relgraph.vocab import RDF, RGR, compact_iri

__all__ = [
    "MAX_STATEMENTS",
    "Statement",
    "Passage",
    "EntityView",
    "entity_view",
    "entity_data",
    "parse_iri",
]

#: Most statements an entity page lists in each direction.
MAX_STATEMENTS = 500


def parse_iri(text: str) -> ox.NamedNode:
    """Check that a text is an absolute IRI.

    :raises RelgraphError: (400) if it is not.
    """
    try:
        return ox.NamedNode(text.strip())
    except ValueError:
        raise RelgraphError(
            f"{text!r} is not an absolute IRI",
            f"give the full IRI, e.g. {RGR}review",
        ) from None


@dataclass
class Statement:
    """One triple around an entity, seen from the entity.

    :ivar predicate: the property IRI.
    :ivar node: the other end (an IRI, a blank node id or a literal's text).
    :ivar kind: ``uri``, ``bnode`` or ``literal`` (kind of ``node``).
    :ivar language: the literal's language tag.
    :ivar datatype: the literal's datatype IRI.
    :ivar graph: the named graph holding the triple.
    """

    predicate: str
    node: str
    kind: str
    language: str = ""
    datatype: str = ""
    graph: str = ""


@dataclass
class Passage:
    """A passage of the review quoted for an entity."""

    iri: str
    quotation: str
    source_file: str = ""
    start: int | None = None
    end: int | None = None


@dataclass
class EntityView:
    """Everything an entity page shows."""

    iri: str
    curie: str
    label: str
    types: list[str] = field(default_factory=list)
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def found(self) -> bool:
        """True when the graph says anything about the entity."""
        return bool(self.outgoing or self.incoming)


def _statement(predicate: object, node: object, graph: object) -> Statement | None:
    if not isinstance(predicate, ox.NamedNode):
        return None
    g = graph.value if isinstance(graph, ox.NamedNode) else ""
    if isinstance(node, ox.NamedNode):
        return Statement(predicate.value, node.value, "uri", graph=g)
    if isinstance(node, ox.BlankNode):
        return Statement(predicate.value, node.value, "bnode", graph=g)
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value if not node.language else ""
        return Statement(
            predicate.value, node.value, "literal", node.language or "", datatype, graph=g
        )
    return None


def entity_view(store: ReadableStore, iri: str) -> EntityView:
    """Collect an entity's triples (both directions), types, labels and passages."""
    node = parse_iri(iri)
    out_q = store.select(
        f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} "
        f"ORDER BY ?p ?o LIMIT {MAX_STATEMENTS + 1}"
    )
    in_q = store.select(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} }} "
        f"ORDER BY ?p ?s LIMIT {MAX_STATEMENTS + 1}"
    )
    outgoing = [s for sol in out_q if (s := _statement(sol["p"], sol["o"], sol["g"]))]
    incoming = [s for sol in in_q if (s := _statement(sol["p"], sol["s"], sol["g"]))]
    truncated = len(outgoing) > MAX_STATEMENTS or len(incoming) > MAX_STATEMENTS
    outgoing, incoming = outgoing[:MAX_STATEMENTS], incoming[:MAX_STATEMENTS]
    rdf_type = str(RDF.type)
    types = sorted({s.node for s in outgoing if s.predicate == rdf_type and s.kind == "uri"})
    passages = _passages(store, node)
    wanted = [iri, *types]
    for s in outgoing + incoming:
        wanted.append(s.predicate)
        if s.kind == "uri":
            wanted.append(s.node)
    names = labels(store, wanted)
    return EntityView(
        iri=node.value,
        curie=compact_iri(node.value),
        label=names.get(node.value, ""),
        types=types,
        outgoing=outgoing,
        incoming=incoming,
        passages=passages,
        labels=names,
        truncated=truncated,
    )


def _passages(store: ReadableStore, node: ox.NamedNode) -> list[Passage]:
    result = store.select(
        f"""SELECT DISTINCT ?passage ?quotation ?file ?start ?end WHERE {{
          {{ BIND({node} AS ?passage) }} UNION {{ {node} ?link ?passage }}
          ?passage a rg:Passage ; rg:quotation ?quotation .
          OPTIONAL {{ ?passage rg:sourceFile ?file }}
          OPTIONAL {{ ?passage rg:startOffset ?start }}
          OPTIONAL {{ ?passage rg:endOffset ?end }}
        }} ORDER BY ?start ?passage LIMIT 100"""
    )
    out = []
    for sol in result:
        passage, quotation = sol["passage"], sol["quotation"]
        if passage is None or quotation is None:
            continue
        start, end, file = sol["start"], sol["end"], sol["file"]
        out.append(
            Passage(
                iri=passage.value,
                quotation=quotation.value,
                source_file=file.value if file is not None else "",
                start=int(start.value) if start is not None else None,
                end=int(end.value) if end is not None else None,
            )
        )
    return out


def entity_data(store: ReadableStore, iri: str, link: Link) -> dict[str, Any]:
    """The data of an entity page: label, types, statements both ways, passages.

    :param iri: the entity's IRI (an empty text is refused).
    :param link: the URL of a node's own page (``link(iri)``).
    :raises RelgraphError: (400) when ``iri`` is empty or not an absolute IRI.
    """
    if not iri:
        raise RelgraphError("no IRI given", f"open /entity?iri={RGR}...")
    view = entity_view(store, iri)
    names = view.labels

    def statement(s: Statement) -> dict[str, Any]:
        node: dict[str, Any] | None
        if s.kind == "uri":
            node = cell(ox.NamedNode(s.node), names, link)
        elif s.kind == "bnode":
            node = {"type": "bnode", "value": f"_:{s.node}"}
        else:
            node = {
                "type": "literal",
                "value": s.node,
                "lang": s.language,
                "datatype": compact_iri(s.datatype) if s.datatype else "",
            }
        return {
            "predicate": cell(ox.NamedNode(s.predicate), names, link),
            "node": node,
            "graph": s.graph,
        }

    return {
        "iri": view.iri,
        "curie": view.curie,
        "label": view.label,
        "found": view.found,
        "types": [cell(ox.NamedNode(t), names, link) for t in view.types],
        "outgoing": [statement(s) for s in view.outgoing],
        "incoming": [statement(s) for s in view.incoming],
        "passages": [
            {
                "iri": p.iri,
                "href": link(p.iri),
                "quotation": p.quotation,
                "source_file": p.source_file,
                "start": p.start,
                "end": p.end,
            }
            for p in view.passages
        ],
        "truncated": view.truncated,
    }
