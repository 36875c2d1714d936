"""Labels and entity views: what the web pages show about a node of the graph.

Pure functions of a :class:`~relgraph.store.GraphStore`; they return plain
dataclasses the templates and JSON twins render, and never HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.results import compact_iri
from relgraph.store import GraphStore

__all__ = ["Statement", "Passage", "EntityView", "labels", "entity_view", "parse_iri"]

#: Most statements an entity page lists in each direction.
MAX_STATEMENTS = 500

_LABEL_QUERY = """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s rdfs:label ?l }} UNION {{ ?s skos:prefLabel ?l }}
  FILTER(lang(?l) = "" || langMatches(lang(?l), "en"))
}} GROUP BY ?s"""


def parse_iri(text: str) -> ox.NamedNode:
    """Check that a text is an absolute IRI.

    :raises RelgraphError: (400) if it is not.
    """
    try:
        return ox.NamedNode(text.strip())
    except ValueError:
        raise RelgraphError(
            f"{text!r} is not an absolute IRI",
            "give the full IRI, e.g. https://w3id.org/relgraph/resource/review",
        ) from None


_LABEL_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
)


def _blank_node_label(store: GraphStore, key: str) -> str | None:
    for predicate in _LABEL_PREDICATES:
        for term in store.objects(key, predicate):
            if isinstance(term, ox.Literal) and (
                not term.language or term.language.split("-")[0] == "en"
            ):
                return term.value
    return None


def labels(store: GraphStore, iris: Iterable[str], chunk: int = 400) -> dict[str, str]:
    """Map IRIs (and blank nodes, ``_:id``) to their English or untagged label.

    The label is ``rdfs:label`` or ``skos:prefLabel``.
    """
    nodes = []
    out: dict[str, str] = {}
    for iri in dict.fromkeys(iris):
        if iri.startswith("_:"):
            label = _blank_node_label(store, iri)
            if label is not None:
                out[iri] = label
            continue
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError:
            continue
    for start in range(0, len(nodes), chunk):
        values = " ".join(str(n) for n in nodes[start : start + chunk])
        result = store.query(_LABEL_QUERY.format(values=values))
        assert isinstance(result, ox.QuerySolutions)
        for solution in result:
            s, label = solution["s"], solution["label"]
            if s is not None and label is not None:
                out[s.value] = label.value
    return out


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


def entity_view(store: GraphStore, iri: str) -> EntityView:
    """Collect an entity's triples (both directions), types, labels and passages."""
    node = parse_iri(iri)
    out_q = store.query(
        f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} "
        f"ORDER BY ?p ?o LIMIT {MAX_STATEMENTS + 1}"
    )
    in_q = store.query(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} }} "
        f"ORDER BY ?p ?s LIMIT {MAX_STATEMENTS + 1}"
    )
    assert isinstance(out_q, ox.QuerySolutions) and isinstance(in_q, ox.QuerySolutions)
    outgoing = [s for sol in out_q if (s := _statement(sol["p"], sol["o"], sol["g"]))]
    incoming = [s for sol in in_q if (s := _statement(sol["p"], sol["s"], sol["g"]))]
    truncated = len(outgoing) > MAX_STATEMENTS or len(incoming) > MAX_STATEMENTS
    outgoing, incoming = outgoing[:MAX_STATEMENTS], incoming[:MAX_STATEMENTS]
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
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


def _passages(store: GraphStore, node: ox.NamedNode) -> list[Passage]:
    result = store.query(
        f"""SELECT DISTINCT ?passage ?quotation ?file ?start ?end WHERE {{
          {{ BIND({node} AS ?passage) }} UNION {{ {node} ?link ?passage }}
          ?passage a rg:Passage ; rg:quotation ?quotation .
          OPTIONAL {{ ?passage rg:sourceFile ?file }}
          OPTIONAL {{ ?passage rg:startOffset ?start }}
          OPTIONAL {{ ?passage rg:endOffset ?end }}
        }} ORDER BY ?start ?passage LIMIT 100"""
    )
    assert isinstance(result, ox.QuerySolutions)
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
