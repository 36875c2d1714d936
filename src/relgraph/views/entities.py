"""Entity pages: what a page about one IRI shows, as a plain dict.

:func:`entity_page` gathers, through the view queries (``view-entity-*``,
``view-term*``, ``view-graph-contents``):

* label, kind, definition, description, alternative labels and comments;
* relations in both directions, grouped by property and named by label
  ("has relationship model: collaborative relationship"; "relationship model of:
  role theory" for the other direction);
* the findings the entity takes part in, with direction, settings and cited works;
* the passages of the review it comes from, reflowed for reading
  (:func:`~relgraph.views.reflow.reflow`) with the exact span and offsets kept;
* a small neighbourhood graph (Cytoscape.js elements);
* for a class: its instances, parents and definition source; for a property:
  its uses, parents, domain, range and definition source;
* for a named graph: the entities it describes.

Mappings to external ontologies are given by the caller (the web layer reads
them with :func:`relgraph.views.mappings.mappings_for`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.store import Term
from relgraph.views.cells import cell
from relgraph.views.explorer import direction_key, setting_kind_key
from relgraph.views.kinds import STATES, kind_of, local_name
from relgraph.views.reflow import Lexicon, reflow
from relgraph.views.source import Row, ViewSource, int_of, iri_of, text_of
from relgraph.vocab import DCTERMS, IAO_DEFINITION, OWL, RDF, RDFS, RG, RGR, SKOS, compact_iri

__all__ = ["entity_page", "parse_iri", "UnknownEntity", "MAX_NEIGHBOURS", "TERM_TYPES"]


class UnknownEntity(RelgraphError):
    """The graph says nothing about an IRI (HTTP 404)."""

    http_status = 404


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


#: Most edges the neighbourhood graph draws.
MAX_NEIGHBOURS = 40
#: Most instances or uses a term page lists.
MAX_USES = 200

#: Classes whose members are terms of the ontology (classes and properties).
TERM_TYPES = {
    str(OWL.Class): "class",
    str(RDFS.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
    str(RDF.Property): "property",
}

#: Properties shown at the top of the page rather than among the relations.
_HEADER = {
    str(RDFS.label),
    str(RDF.type),
    str(IAO_DEFINITION),
    str(SKOS.definition),
    str(DCTERMS.description),
    str(SKOS.altLabel),
    str(RDFS.comment),
    str(DCTERMS.title),
}
#: Links that are not relations between entities, left out of the neighbourhood.
_NOT_NEIGHBOURS = {str(RDF.type), str(RG.derivedFromPassage), str(RG.inDocument)}
_STATE = {s.key: s for s in STATES}


def _literal(term: Term | None) -> dict[str, Any] | None:
    return cell(term, {}, str) if isinstance(term, ox.Literal) else None


def _node(term: Term | None, label: str, link: Callable[[str], str]) -> dict[str, Any]:
    """The cell of a node (:func:`~relgraph.views.cells.cell`), a blank node's label kept."""
    names = {term.value: label} if isinstance(term, ox.NamedNode) else {}
    found = cell(term, names, link)
    if found is None:
        return {"type": "other", "value": ""}
    if found["type"] == "bnode":
        found["label"] = label
    return found


def _group(items: Iterable[tuple[str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for prop, label, value in items:
        entry = groups.setdefault(
            prop,
            {
                "property": {
                    "type": "uri",
                    "value": prop,
                    "label": label,
                    "curie": compact_iri(prop),
                },
                "values": [],
            },
        )
        if value not in entry["values"]:
            entry["values"].append(value)
    return sorted(
        groups.values(), key=lambda g: (g["property"]["label"] or g["property"]["curie"]).lower()
    )


def entity_page(
    source: ViewSource,
    iri: str,
    link: Callable[[str], str],
    *,
    lexicon: Lexicon | None = None,
    graphs: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Everything an entity page shows about ``iri`` (see the module docstring).

    :param link: the URL of an entity's page, given its IRI.
    :param lexicon: the review's words, to reflow passages (None: soft hyphens only).
    :param graphs: named graph IRI -> triple count, to describe graph IRIs.
    :raises ValueError: if ``iri`` is not an absolute IRI.
    :returns: a dict; ``found`` is False when the graph says nothing about the IRI.
    """
    node = ox.NamedNode(iri)
    bind = {"entity": node}
    out_rows = source.rows("view-entity-out", bind)
    in_rows = source.rows("view-entity-in", bind)
    label_of: dict[str, str] = {}
    types: list[str] = []
    header: dict[str, list[dict[str, Any]]] = defaultdict(list)
    outgoing: list[tuple[str, str, dict[str, Any]]] = []
    for row in out_rows:
        prop = iri_of(row["property"])
        label_of[prop] = text_of(row["propertyLabel"])
        value = row["value"]
        if prop == str(RDF.type) and isinstance(value, ox.NamedNode):
            types.append(value.value)
            label_of[value.value] = text_of(row["valueLabel"])
        if prop in _HEADER:
            literal = _literal(value)
            if literal is not None:
                header[prop].append(literal)
            continue
        outgoing.append((prop, label_of[prop], _node(value, text_of(row["valueLabel"]), link)))
    incoming = [
        (
            iri_of(r["property"]),
            text_of(r["propertyLabel"]),
            _node(r["subject"], text_of(r["subjectLabel"]), link),
        )
        for r in in_rows
        # Blank nodes that point here are OWL restrictions and the mapping annotations
        # (shown as mappings): not relations of the entity.
        if not isinstance(r["subject"], ox.BlankNode)
    ]
    names = header[str(RDFS.label)] + header[str(DCTERMS.title)]
    label = next((v["value"] for v in names if v["lang"] in {"", "en"}), "")
    definitions = header[str(IAO_DEFINITION)] + header[str(SKOS.definition)]
    term_kind = next((TERM_TYPES[t] for t in types if t in TERM_TYPES), "")
    kind = kind_of(types)
    page: dict[str, Any] = {
        "iri": iri,
        "curie": compact_iri(iri),
        "label": label,
        "found": bool(out_rows or in_rows) or iri in (graphs or {}),
        "kind": term_kind or (kind.label if kind.key != "other" else ""),
        "kind_key": "term" if term_kind else kind.key,
        "types": [
            _node(ox.NamedNode(t), label_of.get(t, ""), link)
            for t in sorted(set(types), key=lambda t: (label_of.get(t) or t).lower())
        ],
        "definitions": definitions,
        "descriptions": header[str(DCTERMS.description)],
        "alt_labels": [v["value"] for v in header[str(SKOS.altLabel)]],
        "comments": header[str(RDFS.comment)],
        "outgoing": _group(outgoing),
        "incoming": _group(incoming),
        "findings": _findings(source.rows("view-entity-findings", bind), link),
        "passages": _passages(source.rows("view-entity-passages", bind), link, lexicon),
        "neighbourhood": _neighbourhood(iri, label, kind.key, out_rows, in_rows, link),
        "term": None,
        "graph": None,
        "mappings": None,
    }
    if term_kind:
        page["term"] = _term(source, node, term_kind, link)
    if graphs and iri in graphs:
        page["graph"] = _graph(source, node, graphs[iri], link)
    return page


def _findings(rows: list[Row], link: Callable[[str], str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        finding = iri_of(row["finding"])
        state = _STATE[direction_key(iri_of(row["direction"]))]
        entry = found.setdefault(
            finding,
            {
                "iri": finding,
                "label": text_of(row["label"]),
                "href": link(finding),
                "direction": state.key if row["direction"] is not None else "",
                "directionLabel": state.label if row["direction"] is not None else "no direction",
                "symbol": state.symbol if row["direction"] is not None else "",
                "roles": [],
                "settings": {},
                "works": {},
            },
        )
        role = iri_of(row["role"])
        role_label = "this finding" if role == str(OWL.sameAs) else _words(local_name(role))
        if role_label not in entry["roles"]:
            entry["roles"].append(role_label)
        if setting := iri_of(row["setting"]):
            entry["settings"][setting] = {
                "iri": setting,
                "href": link(setting),
                "kind": setting_kind_key(iri_of(row["settingKind"])),
                "label": text_of(row["settingLabel"]) or local_name(setting),
            }
        if work := iri_of(row["work"]):
            label = text_of(row["workLabel"]) or local_name(work)
            entry["works"][work] = {"iri": work, "href": link(work), "label": label}
    out = []
    for entry in found.values():
        entry["settings"] = list(entry["settings"].values())
        entry["works"] = list(entry["works"].values())
        out.append(entry)
    return sorted(out, key=lambda f: f["label"].lower())


def _words(name: str) -> str:
    """``hasFactor`` -> ``has factor``.

    >>> _words("studiedInSetting")
    'studied in setting'
    """
    return "".join(" " + c.lower() if c.isupper() else c for c in name).strip()


def _passages(
    rows: list[Row], link: Callable[[str], str], lexicon: Lexicon | None
) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        passage = iri_of(row["passage"])
        quotation = text_of(row["quotation"])
        out.setdefault(
            passage,
            {
                "iri": passage,
                "href": link(passage),
                "quotation": quotation,
                "reflowed": reflow(quotation, lexicon),
                "start": int_of(row["start"]),
                "end": int_of(row["end"]),
                "source_file": text_of(row["file"]),
                "section": {
                    "iri": iri_of(row["section"]),
                    "label": text_of(row["sectionLabel"]),
                    "href": link(iri_of(row["section"])) if row["section"] is not None else "",
                },
            },
        )
    return sorted(out.values(), key=lambda p: (p["start"] is None, p["start"] or 0))


def _neighbourhood(
    iri: str,
    label: str,
    kind: str,
    out_rows: list[Row],
    in_rows: list[Row],
    link: Callable[[str], str],
) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {
        iri: {
            "data": {
                "id": iri,
                "label": label or local_name(iri),
                "kind": kind,
                "href": link(iri),
                "focus": True,
            }
        }
    }
    edges: list[dict[str, Any]] = []
    candidates: list[tuple[str, str, str, str, str]] = []
    for row in out_rows:
        value = row["value"]
        if isinstance(value, ox.NamedNode):
            candidates.append(
                (
                    iri,
                    iri_of(row["property"]),
                    value.value,
                    text_of(row["propertyLabel"]),
                    text_of(row["valueLabel"]),
                )
            )
    for row in in_rows:
        subject = row["subject"]
        if isinstance(subject, ox.NamedNode):
            candidates.append(
                (
                    subject.value,
                    iri_of(row["property"]),
                    iri,
                    text_of(row["propertyLabel"]),
                    text_of(row["subjectLabel"]),
                )
            )
    seen: set[tuple[str, str, str]] = set()
    truncated = False
    for source, prop, target, prop_label, other_label in candidates:
        if prop in _NOT_NEIGHBOURS or (source, prop, target) in seen or source == target:
            continue
        if len(edges) >= MAX_NEIGHBOURS:
            truncated = True
            break
        seen.add((source, prop, target))
        other = target if source == iri else source
        nodes.setdefault(
            other,
            {
                "data": {
                    "id": other,
                    "label": other_label or local_name(other),
                    "kind": "other",
                    "href": link(other),
                }
            },
        )
        edges.append(
            {
                "data": {
                    "id": f"n{len(edges)}",
                    "source": source,
                    "target": target,
                    "label": prop_label or local_name(prop),
                    "group": "structure",
                }
            }
        )
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": truncated}


def _term(
    source: ViewSource, node: ox.NamedNode, term_kind: str, link: Callable[[str], str]
) -> dict[str, Any]:
    rows = source.rows("view-term", {"entity": node})
    uses = source.rows("view-term-uses", {"entity": node})
    parents = {
        iri_of(r["parent"]): _node(r["parent"], text_of(r["parentLabel"]), link)
        for r in rows
        if r["parent"] is not None
    }
    definition_sources = sorted({text_of(r["definitionSource"]) for r in rows} - {""})
    modules = sorted({iri_of(r["module"]) for r in rows} - {""})
    count = max((int_of(r["uses"]) or 0 for r in rows), default=0)
    is_class = term_kind == "class"
    listed = [
        {
            "subject": _node(r["subject"], text_of(r["subjectLabel"]), link),
            "object": _node(r["object"], text_of(r["objectLabel"]), link)
            if r["object"] is not None
            else None,
        }
        for r in uses[:MAX_USES]
    ]
    return {
        "kind": term_kind,
        "is_class": is_class,
        "parents": list(parents.values()),
        "definition_sources": definition_sources,
        "modules": [{"iri": m, "href": link(m), "curie": compact_iri(m)} for m in modules],
        "uses_count": count,
        "uses": listed,
        "uses_truncated": len(uses) > MAX_USES,
    }


def _graph(
    source: ViewSource, node: ox.NamedNode, triples: int, link: Callable[[str], str]
) -> dict[str, Any]:
    rows = source.rows("view-graph-contents", {"graph": node})
    subjects = [
        {
            **_node(r["subject"], text_of(r["label"]), link),
            "kind": local_name(iri_of(r["kind"])) if r["kind"] is not None else "",
        }
        for r in rows[:MAX_USES]
    ]
    return {
        "triples": triples,
        "subjects_count": len(rows),
        "subjects": subjects,
        "truncated": len(rows) > MAX_USES,
    }
