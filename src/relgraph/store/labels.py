"""Labels of nodes: what reports and pages call an IRI or a blank node.

The label of a node is its English (or untagged) ``rdfs:label``, else its
``skos:prefLabel``. Used by the check reports and the views.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from relgraph.store.base import ReadableStore
from relgraph.vocab import RDFS, SKOS

__all__ = ["labels"]

_LABEL_QUERY = """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s rdfs:label ?l }} UNION {{ ?s skos:prefLabel ?l }}
  FILTER(lang(?l) = "" || langMatches(lang(?l), "en"))
}} GROUP BY ?s"""


_LABEL_PREDICATES = (str(RDFS.label), str(SKOS.prefLabel))


def _blank_node_label(store: ReadableStore, key: str) -> str | None:
    for predicate in _LABEL_PREDICATES:
        for term in store.objects(key, predicate):
            if isinstance(term, ox.Literal) and (
                not term.language or term.language.split("-")[0] == "en"
            ):
                return term.value
    return None


def labels(store: ReadableStore, iris: Iterable[str], chunk: int = 400) -> dict[str, str]:
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
        result = store.select(_LABEL_QUERY.format(values=values))
        for solution in result:
            s, label = solution["s"], solution["label"]
            if s is not None and label is not None:
                out[s.value] = label.value
    return out
