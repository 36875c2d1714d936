"""The evidence gap map: theories (and their models and constructs) x outcomes.

:func:`gap_map` counts, for each theory and outcome, the findings of the
review about the theory that concern the outcome and the distinct works they
cite as evidence, and gives the cell a state of evidence from the findings'
directions (:func:`~relgraph.views.kinds.evidence_state`). Each theory row
expands to rows for its relationship models and constructs and the other
factors of its findings (a characteristic, a construct it does not own), which
count the theory's findings with that factor.

A filter by kind of setting (``settingKind``: the key of a ``rg:SettingKind``,
``none`` for findings whose setting the review does not name, or '' for all)
keeps the findings with a setting of that kind, so a theory untested in
psychiatric settings shows empty cells there. Columns are every outcome of the
graph, studied or not, in a fixed order (most findings first), so that outcomes
nobody studied show as a column of gaps. The research gaps the review itself
states (``view-research-gaps``) come with the map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from relgraph.errors import RelgraphError
from relgraph.views.explorer import setting_kind_key
from relgraph.views.graph import Finding, TheoryGraph
from relgraph.views.kinds import STATES, evidence_state
from relgraph.views.reflow import Lexicon, reflow
from relgraph.views.source import Row, int_of, iri_of, text_of
from relgraph.vocab import RG

__all__ = ["gap_map", "research_gaps", "Cell", "setting_kind_options"]


@dataclass
class Cell:
    """One cell: the findings behind it, their cited works, its state."""

    findings: list[str] = field(default_factory=list)
    works: set[str] = field(default_factory=set)
    directions: list[str] = field(default_factory=list)

    def as_dict(self, row: str, column: str) -> dict[str, Any]:
        """The JSON of the cell (``id`` is what the page links to)."""
        state = evidence_state(self.directions)
        return {
            "id": f"cell-{_slug(row)}--{_slug(column)}",
            "outcome": column,
            "findings": len(self.findings),
            "works": len(self.works),
            "state": state.key,
            "stateLabel": state.label,
            "symbol": state.symbol,
            "finding_iris": self.findings,
        }


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def setting_kind_options(graph: TheoryGraph) -> list[dict[str, str]]:
    """The kinds of setting the filter offers: every ``rg:SettingKind``, then 'none'."""
    kinds = [n for n in graph.nodes.values() if n.kind.key == "settingkind"]
    options = [{"key": setting_kind_key(k.iri), "iri": k.iri, "label": k.label} for k in kinds]
    options.sort(key=lambda o: o["label"].lower())
    return [*options, {"key": "none", "iri": "", "label": "no setting stated"}]


def _matches(finding: Finding, kind: str) -> bool:
    return kind == "" or kind in {setting_kind_key(k) for k in finding.setting_kinds}


def gap_map(
    graph: TheoryGraph, link: Callable[[str], str], setting_kind: str = ""
) -> dict[str, Any]:
    """The gap map's rows, columns, cells, legend and the findings behind the cells.

    :param link: the URL of an entity's page, given its IRI.
    :param setting_kind: the key of a kind of setting, ``none``, or '' for all.
    :raises RelgraphError: (400) for a kind of setting the graph does not have.
    :returns: ``{"columns": [...], "rows": [{"iri", "label", "kind", "level",
        "parent", "cells": [...]}], "findings": {iri: {...}}, "legend": [...],
        "filter": {...}}``; a cell has ``findings`` and ``works`` (counts),
        ``state`` and ``finding_iris``.
    """
    options = setting_kind_options(graph)
    if setting_kind and setting_kind not in {o["key"] for o in options}:
        known = ", ".join(o["key"] for o in options)
        raise RelgraphError(
            f"no kind of setting {setting_kind!r}",
            f"give settingKind as one of: {known} (or leave it out for all settings)",
        )
    outcomes = [n for n in graph.nodes.values() if n.kind.key in {"outcome", "goal"}]
    totals: dict[str, int] = defaultdict(int)
    for finding in graph.findings.values():
        for outcome in finding.outcomes:
            totals[outcome] += 1
    outcomes.sort(key=lambda n: (-totals[n.iri], n.label.lower()))
    column_iris = [n.iri for n in outcomes]
    kept = [f for f in graph.findings.values() if _matches(f, setting_kind)]

    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    for theory in graph.theories():
        own = [f for f in kept if f.theory == theory.iri]
        rows.append(_row(theory.iri, theory.label, "theory", 0, "", own, column_iris, used))
        members: dict[str, str] = {}
        for lk in graph.links:
            if lk.source == theory.iri and lk.relation in {
                str(RG.hasRelationshipModel),
                str(RG.hasConstruct),
            }:
                members[lk.target] = "model" if lk.relation.endswith("Model") else "construct"
        for finding in graph.findings.values():
            if finding.theory == theory.iri:
                for factor in finding.factors:
                    members.setdefault(factor, graph.nodes[factor].kind.key)
        order = {"model": 0, "construct": 1}
        for iri, kind in sorted(
            members.items(), key=lambda m: (order.get(m[1], 2), graph.label(m[0]).lower())
        ):
            with_factor = [f for f in own if iri in f.factors]
            rows.append(
                _row(iri, graph.label(iri), kind, 1, theory.iri, with_factor, column_iris, used)
            )
    for row in rows:
        row["href"] = link(row["iri"])
    findings = {
        iri: _finding_dict(graph.findings[iri], graph, link)
        for iri in sorted(used, key=lambda i: graph.findings[i].label.lower())
    }
    label = next((o["label"] for o in options if o["key"] == setting_kind), "all settings")
    return {
        "filter": {"settingKind": setting_kind, "label": label, "options": options},
        "columns": [
            {
                "iri": n.iri,
                "label": n.label,
                "href": link(n.iri),
                "kind": n.kind.key,
                "findings": sum(1 for f in kept if n.iri in f.outcomes),
            }
            for n in outcomes
        ],
        "rows": rows,
        "findings": findings,
        "legend": [
            {"key": s.key, "label": s.label, "symbol": s.symbol, "meaning": s.meaning}
            for s in STATES
        ],
        "counts": {
            "findings": len(kept),
            "findings_with_outcome": sum(1 for f in kept if f.outcomes),
            "cells_with_evidence": sum(
                1 for r in rows if r["level"] == 0 for c in r["cells"] if c["findings"]
            ),
        },
    }


def _row(
    iri: str,
    label: str,
    kind: str,
    level: int,
    parent: str,
    findings: list[Finding],
    columns: list[str],
    used: set[str],
) -> dict[str, Any]:
    cells = {c: Cell() for c in columns}
    for finding in findings:
        for outcome in finding.outcomes:
            if outcome in cells:
                cell = cells[outcome]
                cell.findings.append(finding.iri)
                cell.works.update(finding.works)
                cell.directions.append(finding.direction)
                used.add(finding.iri)
    return {
        "iri": iri,
        "id": f"row-{_slug(parent) + '--' if parent else ''}{_slug(iri)}",
        "label": label,
        "kind": kind,
        "level": level,
        "parent": parent,
        "findings": len({f.iri for f in findings if f.outcomes}),
        "cells": [cells[c].as_dict(iri if not parent else f"{parent}/{iri}", c) for c in columns],
    }


def _finding_dict(
    finding: Finding, graph: TheoryGraph, link: Callable[[str], str]
) -> dict[str, Any]:
    state = evidence_state([finding.direction])
    return {
        "iri": finding.iri,
        "label": finding.label,
        "href": link(finding.iri),
        "theory": {"iri": finding.theory, "label": graph.label(finding.theory)},
        "direction": state.key,
        "directionLabel": state.label,
        "symbol": state.symbol,
        "factors": [_ref(f, graph, link) for f in sorted(finding.factors)],
        "outcomes": [_ref(o, graph, link) for o in sorted(finding.outcomes)],
        "settings": [
            {**_ref(s, graph, link), "kind": setting_kind_key(k), "kindLabel": graph.label(k)}
            for s, k in sorted(finding.settings.items())
        ],
        "works": sorted(
            (_ref(w, graph, link) for w in finding.works), key=lambda w: w["label"].lower()
        ),
    }


def _ref(iri: str, graph: TheoryGraph, link: Callable[[str], str]) -> dict[str, str]:
    return {"iri": iri, "label": graph.label(iri) or _slug(iri), "href": link(iri)}


def research_gaps(
    rows: list[Row], graph: TheoryGraph, link: Callable[[str], str], lexicon: Lexicon | None
) -> list[dict[str, Any]]:
    """The research gaps the review states (rows of ``view-research-gaps``), with passages.

    :param lexicon: the review's words, to reflow the passages (None: soft hyphens only).
    """
    gaps: dict[str, dict[str, Any]] = {}
    passages: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    concerns: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        iri = iri_of(row["gap"])
        gaps.setdefault(
            iri,
            {
                "iri": iri,
                "label": text_of(row["label"]),
                "description": text_of(row["description"]),
                "href": link(iri),
            },
        )
        if target := iri_of(row["concerns"]):
            concerns[iri][target] = _ref(target, graph, link)
        if passage := iri_of(row["passage"]):
            passages[iri][passage] = {
                "iri": passage,
                "href": link(passage),
                "start": int_of(row["start"]),
                "end": int_of(row["end"]),
                "quotation": text_of(row["quotation"]),
                "reflowed": reflow(text_of(row["quotation"]), lexicon),
            }
    out = []
    for iri, gap in gaps.items():
        gap["concerns"] = sorted(concerns[iri].values(), key=lambda c: c["label"].lower())
        gap["passages"] = sorted(passages[iri].values(), key=lambda p: p["start"] or 0)
        out.append(gap)
    return out
