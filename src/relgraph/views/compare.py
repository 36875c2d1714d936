"""Theory comparison: the six theories side by side, as an ORKG comparison does for papers.

:func:`comparison` builds one column per theory (in the review's order) and
one row per property of the comparison: what the theory is, how it defines the
relationship, its relationship models, constructs, methods and instruments,
the outcomes its findings concern, the settings of its claims, its number of
findings and how many come from psychiatric settings, how often the review
says it was applied in psychiatry, and its emphasis. Each cell lists the
entities behind it (with links) and the claims and passages it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from relgraph.views.explorer import setting_kind_key
from relgraph.views.graph import TheoryGraph
from relgraph.views.source import Row, int_of, iri_of, text_of
from relgraph.vocab import RG

__all__ = ["comparison", "ROWS"]

#: The rows of the comparison: key and heading.
ROWS: tuple[tuple[str, str], ...] = (
    ("description", "What the theory is"),
    ("definition", "How it defines the relationship"),
    ("models", "Relationship models"),
    ("constructs", "Constructs"),
    ("methods", "Methods and instruments"),
    ("outcomes", "Outcomes studied"),
    ("settings", "Settings"),
    ("findings", "Findings"),
    ("psychiatric_findings", "Findings from psychiatric settings"),
    ("usage", "Applied in psychiatric research"),
    ("emphasis", "Emphasis"),
)


def comparison(
    graph: TheoryGraph,
    theory_rows: list[Row],
    claim_rows: list[Row],
    link: Callable[[str], str],
) -> dict[str, Any]:
    """The comparison table.

    :param theory_rows: rows of ``view-theories``; :param claim_rows: of ``view-claims``.
    :param link: the URL of an entity's page, given its IRI.
    :returns: ``{"theories": [...], "rows": [{"key", "label", "cells": [...]}]}``;
        a cell has ``text`` and/or ``count``, ``items`` (entities: iri, label,
        href) and ``sources`` (claims, each with its passages).
    """
    info: dict[str, dict[str, Any]] = {}
    sources: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in theory_rows:
        iri = iri_of(row["theory"])
        entry = info.setdefault(
            iri,
            {
                "label": text_of(row["label"]),
                "description": text_of(row["description"]),
                "emphasis": text_of(row["emphasis"]),
                "usage": iri_of(row["usage"]),
                "order": int_of(row["order"]),
            },
        )
        for key in ("emphasisSource", "usageSource", "definitionSource"):
            if value := iri_of(row[key]):
                sources[iri][key].add(value)
        _ = entry
    claims: dict[str, dict[str, Any]] = {}
    passages: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    settings: dict[str, dict[str, str]] = defaultdict(dict)
    for row in claim_rows:
        claim = iri_of(row["claim"])
        claims.setdefault(
            claim,
            {
                "iri": claim,
                "label": text_of(row["label"]),
                "href": link(claim),
                "kind": iri_of(row["kind"]),
                "theory": iri_of(row["theory"]),
            },
        )
        if passage := iri_of(row["passage"]):
            passages[claim][passage] = {
                "iri": passage,
                "href": link(passage),
                "start": int_of(row["start"]),
                "end": int_of(row["end"]),
                "section": graph.label(iri_of(row["section"])) or "",
            }
        if setting := iri_of(row["setting"]):
            settings[iri_of(row["theory"])][setting] = iri_of(row["settingKind"])

    def ref(iri: str) -> dict[str, str]:
        return {"iri": iri, "label": graph.label(iri) or iri.rsplit("/", 1)[-1], "href": link(iri)}

    def source(claim: str) -> dict[str, Any]:
        base = claims.get(claim) or {"iri": claim, "label": graph.label(claim), "href": link(claim)}
        found = sorted(passages[claim].values(), key=lambda p: p["start"] or 0)
        return {**base, "passages": found}

    def claims_of(theory: str, kind: str) -> list[str]:
        return sorted(c for c, v in claims.items() if v["theory"] == theory and v["kind"] == kind)

    theories = graph.theories()
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in ROWS}
    for theory in theories:
        t = theory.iri
        meta = info.get(t, {})
        own: dict[str, list[str]] = defaultdict(list)
        for lk in graph.links:
            if lk.source == t:
                own[lk.relation].append(lk.target)
        findings = [f for f in graph.findings.values() if f.theory == t]
        psychiatric = [
            f for f in findings if "psychiatric" in {setting_kind_key(k) for k in f.setting_kinds}
        ]
        outcomes = sorted({o for f in findings for o in f.outcomes}, key=graph.label)
        rows["description"].append(
            {"text": meta.get("description", ""), "items": [ref(t)], "sources": []}
        )
        definitions = sorted(sources[t]["definitionSource"])
        rows["definition"].append(
            {
                "text": "; ".join(claims[c]["label"] for c in definitions if c in claims),
                "items": [],
                "sources": [source(c) for c in definitions],
            }
        )
        for key, relation in (
            ("models", RG.hasRelationshipModel),
            ("constructs", RG.hasConstruct),
            ("methods", RG.hasMethod),
        ):
            items = sorted({*own[str(relation)]}, key=lambda i: graph.label(i).lower())
            uses = claims_of(t, str(RG.MethodApplication)) if key == "methods" else []
            rows[key].append(
                {
                    "count": len(items),
                    "items": [ref(i) for i in items],
                    "sources": [source(c) for c in uses],
                }
            )
        rows["outcomes"].append(
            {"count": len(outcomes), "items": [ref(o) for o in outcomes], "sources": []}
        )
        theory_settings = sorted(settings[t], key=lambda s: graph.label(s).lower())
        rows["settings"].append(
            {
                "count": len(theory_settings),
                "items": [
                    {
                        **ref(s),
                        "kind": setting_kind_key(settings[t][s]) if settings[t][s] else "none",
                    }
                    for s in theory_settings
                ],
                "sources": [],
            }
        )
        rows["findings"].append(
            {
                "count": len(findings),
                "items": [
                    {"iri": f.iri, "label": f.label, "href": link(f.iri)}
                    for f in sorted(findings, key=lambda f: f.label.lower())
                ],
                "sources": [],
            }
        )
        rows["psychiatric_findings"].append(
            {
                "count": len(psychiatric),
                "of": len(findings),
                "items": [
                    {"iri": f.iri, "label": f.label, "href": link(f.iri)}
                    for f in sorted(psychiatric, key=lambda f: f.label.lower())
                ],
                "sources": [],
            }
        )
        usage = meta.get("usage", "")
        rows["usage"].append(
            {
                "text": graph.label(usage) or _usage_words(usage),
                "value": usage,
                "items": [],
                "sources": [source(c) for c in sorted(sources[t]["usageSource"])],
            }
        )
        rows["emphasis"].append(
            {
                "text": meta.get("emphasis", ""),
                "items": [],
                "sources": [source(c) for c in sorted(sources[t]["emphasisSource"])],
            }
        )
    return {
        "theories": [{**ref(t.iri), "label": t.label} for t in theories],
        "rows": [{"key": key, "label": label, "cells": rows[key]} for key, label in ROWS],
    }


def _usage_words(iri: str) -> str:
    name = iri.rsplit("/", 1)[-1]
    return "".join(" " + c.lower() if c.isupper() else c for c in name).strip()
