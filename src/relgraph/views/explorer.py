"""The theory explorer: the theory graph as Cytoscape.js elements, with its filters.

:func:`explorer_data` turns a :class:`~relgraph.views.graph.TheoryGraph`
into the JSON the ``/graph`` page draws (and its JSON twin ``/graph.json``
returns): Cytoscape.js `elements JSON`_ (``{"nodes": [{"data": ...}],
"edges": [...]}``), the values each filter offers (theories, kinds of
setting, outcomes, directions), and a legend.

* Nodes: theories, relationship models, constructs, methods, instruments,
  outcomes and characteristics that take part in a link or a finding.
* Structural edges (``group: "structure"``): a theory's models, constructs and
  methods; an instrument's method; what a method or instrument measures.
* Finding edges (``group: "finding"``): one per finding, factor, outcome or
  construct and kind of setting, from the factor (or, for a descriptive
  finding without one, its theory) to the outcome or construct, carrying the
  finding's direction (colour and symbol) and the kind of setting (line
  style). A preference finding runs from the characteristic to the model
  preferred and has no direction (``preference``).

.. _elements JSON: https://js.cytoscape.org/#notation/elements-json
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relgraph.views.graph import NO_SETTING_KIND, TheoryGraph
from relgraph.views.kinds import DIRECTIONS, STATES, local_name
from relgraph.vocab import RG

__all__ = ["explorer_data", "RELATIONS", "setting_kind_key", "direction_key"]

#: Words for the structural relations, as edge labels.
RELATIONS: dict[str, str] = {
    str(RG.hasRelationshipModel): "has model",
    str(RG.hasConstruct): "has construct",
    str(RG.hasMethod): "uses method",
    str(RG.implementsMethod): "implements",
    str(RG.measures): "measures",
    str(RG.concernsOutcome): "finding about outcome",
    str(RG.concernsConstruct): "finding about construct",
    str(RG.predictsPreferenceFor): "predicts preference for",
}

#: The edge state of a preference finding (it has no direction: neither better nor worse).
PREFERENCE = {"key": "preference", "label": "predicts a preference", "symbol": "→"}

_STATE = {s.key: s for s in STATES}


def setting_kind_key(iri: str) -> str:
    """The short key of a kind of setting (``none`` when the review names no setting).

    >>> setting_kind_key("https://w3id.org/relgraph/ontology/PsychiatricSettingKind")
    'psychiatric'
    >>> setting_kind_key("")
    'none'
    """
    if iri == NO_SETTING_KIND:
        return "none"
    name = local_name(iri).removesuffix("SettingKind")
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def direction_key(iri: str) -> str:
    """The state key of a direction (``unstated`` when the finding has none)."""
    return DIRECTIONS.get(iri, "unstated")


def explorer_data(graph: TheoryGraph, link: Callable[[str], str]) -> dict[str, Any]:
    """The explorer's elements, filters and legend.

    :param link: the URL of an entity's page, given its IRI.
    :returns: ``{"elements": {"nodes", "edges"}, "filters": {...}, "legend": {...},
        "counts": {...}}``; every node's ``data`` has ``id`` (the IRI), ``label``,
        ``kind``, ``kindLabel``, ``theories`` (IRIs), ``href`` and ``summary``.
    """
    theory_keys = [t.iri for t in graph.theories()]
    nodes = []
    for node in graph.drawn():
        nodes.append(
            {
                "data": {
                    "id": node.iri,
                    "label": node.label or local_name(node.iri),
                    "kind": node.kind.key,
                    "kindLabel": node.kind.label,
                    "theories": sorted(node.theories, key=_order(theory_keys)),
                    "href": link(node.iri),
                    "summary": node.description,
                }
            }
        )
    edges: list[dict[str, Any]] = []
    for i, lk in enumerate(graph.links):
        edges.append(
            {
                "data": {
                    "id": f"s{i}",
                    "source": lk.source,
                    "target": lk.target,
                    "group": "structure",
                    "relation": lk.relation,
                    "label": RELATIONS.get(lk.relation, local_name(lk.relation)),
                    "theories": sorted(lk.theories, key=_order(theory_keys)),
                }
            }
        )
    kinds_seen: set[str] = set()
    outcomes: set[str] = set()
    directions: set[str] = set()
    for finding in graph.findings.values():
        for relation, target in sorted(finding.targets):
            if relation == str(RG.predictsPreferenceFor):
                state = dict(PREFERENCE)
            else:
                found = _STATE[direction_key(finding.direction)]
                state = {"key": found.key, "label": found.label, "symbol": found.symbol}
            directions.add(state["key"])
            if relation == str(RG.concernsOutcome):
                outcomes.add(target)
            sources = sorted(finding.factors) or ([finding.theory] if finding.theory else [])
            for factor in sources:
                for kind in sorted(finding.setting_kinds):
                    kinds_seen.add(kind)
                    edges.append(
                        {
                            "data": {
                                "id": f"f{len(edges)}",
                                "source": factor,
                                "target": target,
                                "group": "finding",
                                "relation": relation,
                                "finding": finding.iri,
                                "label": state["symbol"],
                                "findingLabel": finding.label,
                                "href": link(finding.iri),
                                "direction": state["key"],
                                "directionLabel": state["label"],
                                "settingKind": setting_kind_key(kind),
                                "outcome": target if relation == str(RG.concernsOutcome) else "",
                                "theories": [finding.theory] if finding.theory else [],
                                "works": len(finding.works),
                            }
                        }
                    )
    return {
        "elements": {"nodes": nodes, "edges": edges},
        "filters": {
            "theories": [{"iri": t.iri, "label": t.label} for t in graph.theories()],
            "setting_kinds": [
                {"key": setting_kind_key(k), "iri": k, "label": _kind_label(graph, k)}
                for k in sorted(kinds_seen, key=lambda k: (k == NO_SETTING_KIND, k))
            ],
            "outcomes": sorted(
                ({"iri": o, "label": graph.label(o)} for o in outcomes),
                key=lambda o: o["label"].lower(),
            ),
            "directions": [
                {"key": s.key, "label": s.label, "symbol": s.symbol}
                for s in STATES
                if s.key in directions
            ]
            + ([PREFERENCE] if PREFERENCE["key"] in directions else []),
        },
        "legend": {
            "kinds": _kinds_legend(nodes),
            "directions": [
                {"key": s.key, "label": s.label, "symbol": s.symbol, "meaning": s.meaning}
                for s in STATES
                if s.key != "none"
            ]
            + [{**PREFERENCE, "meaning": "a characteristic predicts which model is preferred"}],
        },
        "counts": {
            "nodes": len(nodes),
            "edges": len(edges),
            "structure_edges": len(graph.links),
            "finding_edges": len(edges) - len(graph.links),
            "findings": len(graph.findings),
        },
    }


def _order(theories: list[str]) -> Callable[[str], int]:
    return lambda iri: theories.index(iri) if iri in theories else len(theories)


def _kind_label(graph: TheoryGraph, iri: str) -> str:
    if iri == NO_SETTING_KIND:
        return "no setting stated"
    return graph.label(iri) or setting_kind_key(iri)


def _kinds_legend(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for n in nodes:
        data = n["data"]
        entry = seen.setdefault(data["kind"], {"key": data["kind"], "labels": [], "count": 0})
        if data["kindLabel"] not in entry["labels"]:
            entry["labels"].append(data["kindLabel"])
        entry["count"] += 1
    return [
        {"key": e["key"], "label": " / ".join(e["labels"]), "count": e["count"]}
        for e in seen.values()
    ]
