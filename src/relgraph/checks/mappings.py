"""The mappings phase of ``relgraph check``: the SSSOM mappings against the graph and sources.

Against the offline copies of the sources (``external_dir``):

* ``mappings/term-missing``: a mapped external term is not in its source copy;
* ``mappings/term-deprecated``: it is deprecated (obsolete) there;
* ``mappings/label-mismatch``: its label there differs from ``object_label``;
* ``mappings/category-contradicts-source``: ``object_category`` contradicts the
  kind its ancestors imply (e.g. "outcome" for a term under DOID disease);
* ``mappings/version-mismatch`` (warning): the row was curated against another
  release than the copy's;
* ``mappings/unmapped-nearest``: the nearest term of an unmapped entity is
  missing, deprecated or differently labelled;
* ``mappings/reused-term``: an external term relgraph uses directly (the ECO
  evidence types) is missing, deprecated or differently labelled;
* ``mappings/import-module``: an import module lacks a mapped term, or its
  label or version differs from the copy (regenerate with scripts/imports.py).

Within relgraph (no copies needed):

* ``mappings/two-exact-matches``: an entity has two exactMatch targets in one source;
* ``mappings/exact-match-kinds``: an exactMatch joins terms of different kinds;
* ``mappings/unknown-category``: a category is not a kind word of :mod:`.kinds`;
* ``mappings/conflicting-predicates``: one subject and object with two predicates;
* ``mappings/subject-missing``, ``mappings/subject-category``,
  ``mappings/subject-label`` (warning): the subject is not in the graph, is of
  another kind, or is labelled otherwise;
* ``mappings/not-covered``: an entity of a mapped kind is neither mapped nor
  listed as unmapped (``mappings/unmapped.tsv``) with a reason (a warning for
  the new entities of an extra file or of a study added from a study sheet);
* ``mappings/unmapped-but-mapped``: an entity is both;
* ``mappings/graph-disagrees``: the SKOS triples of the graph are not those of
  the SSSOM file.

When the copies are absent the first group cannot run; the check says so with
one ``mappings/source-copies-missing`` warning and runs the rest, so that a
build works in a clone without ``../shared/``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.errors import ConfigError
from relgraph.mappings.kinds import IMPLIED_BY_ANCESTOR, KINDS, RELGRAPH_KINDS, kind_of_types
from relgraph.mappings.sources import (
    SOURCES,
    SourceIndex,
    copies_present,
    load_index,
    source_of,
)
from relgraph.mappings.sssom import Mapping, Unmapped, read_mapping_set, read_unmapped
from relgraph.settings import Settings
from relgraph.store.base import ReadableStore
from relgraph.store.sources import discover_sources
from relgraph.vocab import IMPORT_MODULES, IMPORTS_GRAPH, SKOS

__all__ = ["mapping_problems", "unmapped_path", "run"]

_SKOS = str(SKOS)
_EXACT = "skos:exactMatch"
_COPY_HINT = "refresh the import modules (scripts/imports.py) and review the mapping"


def unmapped_path(settings: Settings) -> Path:
    """The file listing entities left unmapped on purpose."""
    return settings.path("mappings_dir") / "unmapped.tsv"


@dataclass
class _Entity:
    iri: str
    kind: str
    label: str
    new: bool = False  #: described in an extra file (a curator's new study)
    study: bool = False  #: added by an imported study (data/studies/)


def _problem(
    *, rule: str, node: str, value: str, message: str, hint: str, severity: str = "error"
) -> Problem:
    return Problem(
        severity=severity,
        rule="mappings/" + rule,
        node=node,
        value=value,
        message=message,
        hint=hint,
        phase="mappings",
    )


def _entities(store: ReadableStore, extra_graphs: tuple[str, ...]) -> dict[str, _Entity]:
    """The entities of the mapped kinds (deprecated ones left out)."""
    values = " ".join(f"<{iri}>" for iri in RELGRAPH_KINDS)
    result = store.select(
        f"""SELECT ?s (GROUP_CONCAT(DISTINCT STR(?type); SEPARATOR=" ") AS ?types)
                  (SAMPLE(?l) AS ?label) WHERE {{
              VALUES ?type {{ {values} }}
              ?s a ?type . FILTER(isIRI(?s))
              FILTER NOT EXISTS {{ ?s owl:deprecated true }}
              OPTIONAL {{ ?s rdfs:label ?l }}
            }} GROUP BY ?s"""
    )
    new: set[str] = set()
    if extra_graphs:
        found = store.select(
            f"SELECT DISTINCT ?s WHERE {{ ?s a ?type VALUES ?type {{ {values} }} }}",
            default_graphs=list(extra_graphs),
        )
        new = {row["s"].value for row in found}
    # entities a study added (relgraph import, data/studies/) name their publication
    added = store.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s a ?type ; dcterms:source ?w VALUES ?type {{ {values} }} }}"
    )
    studies = {row["s"].value for row in added}
    out = {}
    for row in result:
        iri = row["s"].value
        label = row["label"].value if row["label"] is not None else ""
        kind = kind_of_types(set(row["types"].value.split()))
        out[iri] = _Entity(iri, kind, label, iri in new or iri in studies, iri in studies)
    return out


def _graph_triples(store: ReadableStore, graph: str) -> set[tuple[str, str, str]]:
    result = store.select(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(STRSTARTS(STR(?p), STR(skos:)) && isIRI(?o)) }",
        default_graphs=[graph],
    )
    return {(r["s"].value, r["p"].value, r["o"].value) for r in result}


def _module_terms(store: ReadableStore) -> tuple[dict[str, set[str]], dict[str, str]]:
    result = store.select(
        f"""SELECT ?g ?t ?label WHERE {{ GRAPH ?g {{ ?t rdfs:label ?label }}
             FILTER(STRSTARTS(STR(?g), "{IMPORTS_GRAPH}")) }}"""
    )
    labels: dict[str, set[str]] = defaultdict(set)
    for row in result:
        labels[row["t"].value].add(row["label"].value)
    versions = store.select(
        "SELECT ?m ?v WHERE { ?m a owl:Ontology ; owl:versionInfo ?v "
        f'FILTER(STRSTARTS(STR(?m), "{IMPORT_MODULES}")) }}'
    )
    return labels, {r["m"].value: r["v"].value for r in versions}


def _structure(
    rows: list[Mapping], entities: dict[str, _Entity], unmapped: list[Unmapped]
) -> list[Problem]:
    problems: list[Problem] = []
    exact: dict[tuple[str, str], list[Mapping]] = defaultdict(list)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in rows:
        node = m.subject_iri
        pairs[(node, m.object_iri)].add(m.predicate_id)
        for slot in ("subject_category", "object_category"):
            value = getattr(m, slot)
            if value not in KINDS:
                problems.append(
                    _problem(
                        rule="unknown-category",
                        node=node,
                        value=value,
                        message=f"{m.where}: {slot} {value!r} is not a kind relgraph knows",
                        hint="use one of: " + ", ".join(KINDS),
                    )
                )
        if m.predicate_id == _EXACT:
            exact[(node, m.source_prefix)].append(m)
            if m.subject_category != m.object_category:
                problems.append(
                    _problem(
                        rule="exact-match-kinds",
                        node=node,
                        value=m.object_id,
                        message=f"{m.where}: skos:exactMatch joins a {m.subject_category} to a "
                        f"{m.object_category} ({m.object_label})",
                        hint="an exactMatch joins terms of the same kind: use closeMatch or "
                        "relatedMatch, or correct the category",
                    )
                )
        entity = entities.get(node)
        if entity is None:
            problems.append(
                _problem(
                    rule="subject-missing",
                    node=node,
                    value=m.subject_id,
                    message=f"{m.where}: the mapped entity is not in the graph (renamed or"
                    " removed?)",
                    hint="correct subject_id, or delete the row if the entity was removed",
                )
            )
            continue
        if m.subject_category != entity.kind:
            problems.append(
                _problem(
                    rule="subject-category",
                    node=node,
                    value=m.subject_category,
                    message=f"{m.where}: subject_category is {m.subject_category!r} but the"
                    " entity "
                    f"is a {entity.kind}",
                    hint=f"write subject_category {entity.kind!r}",
                )
            )
        if m.subject_label and m.subject_label != entity.label:
            problems.append(
                _problem(
                    rule="subject-label",
                    node=node,
                    value=m.subject_label,
                    message=f"{m.where}: subject_label differs from the entity's label "
                    f"{entity.label!r}",
                    hint="copy the entity's current rdfs:label into subject_label",
                    severity="warning",
                )
            )
    for (node, prefix), found in exact.items():
        if len(found) > 1:
            targets = ", ".join(f"{m.object_id} ({m.object_label})" for m in found)
            problems.append(
                _problem(
                    rule="two-exact-matches",
                    node=node,
                    value=targets,
                    message=f"the entity has {len(found)} exactMatch targets in {prefix}",
                    hint="keep one exactMatch per source; the others are closeMatch or broader",
                )
            )
    for (node, obj), predicates in pairs.items():
        if len(predicates) > 1:
            problems.append(
                _problem(
                    rule="conflicting-predicates",
                    node=node,
                    value=obj,
                    message="the same entity and term are joined by "
                    + " and ".join(sorted(predicates)),
                    hint="keep the one predicate that holds",
                )
            )
    mapped = {m.subject_iri for m in rows}
    listed = {u.subject_iri: u for u in unmapped}
    for u in unmapped:
        if u.subject_iri not in entities:
            problems.append(
                _problem(
                    rule="subject-missing",
                    node=u.subject_iri,
                    value=u.subject_id,
                    message=f"unmapped.tsv line {u.line}: the entity is not in the graph",
                    hint="correct subject_id, or delete the row if the entity was removed",
                )
            )
        if u.subject_iri in mapped:
            problems.append(
                _problem(
                    rule="unmapped-but-mapped",
                    node=u.subject_iri,
                    value=u.subject_id,
                    message=f"unmapped.tsv line {u.line}: the entity is listed as unmapped but is"
                    " mapped",
                    hint="delete its row from unmapped.tsv",
                )
            )
    for entity in entities.values():
        if entity.kind == "evidence type":
            continue
        if entity.iri not in mapped and entity.iri not in listed:
            problems.append(
                _problem(
                    rule="not-covered",
                    node=entity.iri,
                    value=entity.kind,
                    message=f"this {entity.kind} is neither mapped nor listed as unmapped",
                    hint="add mappings to mappings/relgraph.sssom.tsv, or a row with the nearest "
                    "term and the reason to mappings/unmapped.tsv (docs/mappings.md)"
                    + (
                        "; an entity a study added may be mapped later"
                        if entity.study
                        else (", before the file moves into data/" if entity.new else "")
                    ),
                    severity="warning" if entity.new else "error",
                )
            )
    return problems


def _agreement(store: ReadableStore, graph: str, rows: list[Mapping], name: str) -> list[Problem]:
    in_file = {(m.subject_iri, m.predicate_iri, m.object_iri) for m in rows}
    in_graph = _graph_triples(store, graph)
    problems = []
    for s, p, o in sorted(in_file ^ in_graph):
        where = "the SSSOM file only" if (s, p, o) in in_file else "the graph only"
        problems.append(
            _problem(
                rule="graph-disagrees",
                node=s,
                value=f"{p.removeprefix(_SKOS)} {o}",
                message=f"this mapping is in {where} ({name})",
                hint="rebuild the graph (relgraph build) after editing the mapping set",
            )
        )
    return problems


def _against_copies(
    rows: list[Mapping],
    unmapped: list[Unmapped],
    evidence: dict[str, _Entity],
    indexes: dict[str, SourceIndex],
    module_labels: dict[str, set[str]],
    module_versions: dict[str, str],
) -> list[Problem]:
    problems: list[Problem] = []

    def lookup(iri: str) -> tuple[SourceIndex | None, str]:
        source = source_of(iri)
        if source is None:
            return None, "the IRI is not in the canonical form of any mapped source"
        index = indexes[source.prefix]
        term = index.get(iri)
        if term is None or not (term.labels or term.is_class):
            return index, f"{source.file} ({index.version}) has no term {iri}"
        if term.deprecated:
            return index, f"the term is deprecated (obsolete) in {source.file} ({index.version})"
        return index, ""

    for m in rows:
        node, iri = m.subject_iri, m.object_iri
        index, fault = lookup(iri)
        if fault:
            rule = "term-deprecated" if "deprecated" in fault else "term-missing"
            problems.append(
                _problem(
                    rule=rule,
                    node=node,
                    value=m.object_id,
                    message=f"{m.where}: {fault}",
                    hint=_COPY_HINT,
                )
            )
            continue
        assert index is not None
        term = index.terms[iri]
        if m.object_label not in term.english_labels:
            problems.append(
                _problem(
                    rule="label-mismatch",
                    node=node,
                    value=m.object_label,
                    message=f"{m.where}: {m.object_id} is labelled {term.label!r} in "
                    f"{index.source.file} ({index.version})",
                    hint="check that the term still means what was mapped, then copy its label",
                )
            )
        if m.object_source_version != index.version:
            problems.append(
                _problem(
                    rule="version-mismatch",
                    node=node,
                    value=m.object_source_version,
                    message=f"{m.where}: mapped against {index.source.prefix} "
                    f"{m.object_source_version!r}, the copy is {index.version!r}",
                    hint="review the mapping against the new release and update"
                    " object_source_version",
                    severity="warning",
                )
            )
        implied = {
            IMPLIED_BY_ANCESTOR[a] for a in [iri, *index.ancestors(iri)] if a in IMPLIED_BY_ANCESTOR
        }
        if implied and m.object_category not in implied:
            problems.append(
                _problem(
                    rule="category-contradicts-source",
                    node=node,
                    value=m.object_category,
                    message=f"{m.where}: {m.object_id} is a {' / '.join(sorted(implied))} by"
                    " its "
                    f"ancestors in {index.source.prefix}",
                    hint="correct object_category (and the predicate if it is an exactMatch)",
                )
            )
        if term.label not in module_labels.get(iri, set()):
            problems.append(
                _problem(
                    rule="import-module",
                    node=node,
                    value=m.object_id,
                    message=f"the import module of {index.source.prefix} lacks {m.object_id} "
                    f"({term.label}) or labels it otherwise",
                    hint="regenerate the import modules: .venv/bin/python scripts/imports.py",
                )
            )
    for u in unmapped:
        if not u.nearest_id:
            continue
        index, fault = lookup(u.nearest_iri)
        if (
            not fault
            and index is not None
            and u.nearest_label not in index.terms[u.nearest_iri].english_labels
        ):
            fault = f"{u.nearest_id} is labelled {index.terms[u.nearest_iri].label!r}"
        if fault:
            problems.append(
                _problem(
                    rule="unmapped-nearest",
                    node=u.subject_iri,
                    value=u.nearest_id,
                    message=f"unmapped.tsv line {u.line}: {fault}",
                    hint="check the nearest term against the copy and correct"
                    " nearest_id/nearest_label",
                )
            )
    for entity in evidence.values():
        index, fault = lookup(entity.iri)
        if (
            not fault
            and index is not None
            and entity.label not in index.terms[entity.iri].english_labels
        ):
            fault = f"its label in {index.source.file} is {index.terms[entity.iri].label!r}"
        if fault:
            problems.append(
                _problem(
                    rule="reused-term",
                    node=entity.iri,
                    value=entity.label,
                    message=f"relgraph uses this external term directly, but {fault}",
                    hint="correct the term's IRI or rdfs:label in ontology/modules/core.ttl",
                )
            )
    for source in SOURCES:
        module = IMPORT_MODULES + source.module
        version = module_versions.get(module)
        if version is not None and version != indexes[source.prefix].version:
            problems.append(
                _problem(
                    rule="import-module",
                    node=module,
                    value=version,
                    message=f"the {source.prefix} import module was made from release {version!r}, "
                    f"the copy is {indexes[source.prefix].version!r}",
                    hint="regenerate the import modules: .venv/bin/python scripts/imports.py",
                    severity="warning",
                )
            )
    return problems


def mapping_problems(
    store: ReadableStore, settings: Settings, extra_graphs: tuple[str, ...] | list[str] = ()
) -> tuple[list[Problem], list[str]]:
    """Run every mapping check over a store; return the problems and notes.

    :param extra_graphs: graphs of extra files (a curator's new study): their new
        entities are reported as not yet mapped with a warning, not an error.
    :raises LoadError: when a mapping file is malformed (names file and line).
    """
    problems: list[Problem] = []
    notes: list[str] = []
    entities = _entities(store, tuple(extra_graphs))
    rows: list[Mapping] = []
    for source in discover_sources(settings):
        if source.kind != "mappings":
            continue
        found = read_mapping_set(source.path).mappings
        rows += found
        problems += _agreement(store, source.graph, found, source.path.name)
    unmapped = read_unmapped(unmapped_path(settings))
    if not rows and not unmapped:
        return problems, notes
    problems += _structure(rows, entities, unmapped)
    external = settings.path("external_dir")
    missing = copies_present(external)
    if missing:
        note = (
            f"the offline copies of the mapped sources are not in {external} "
            f"(missing: {', '.join(missing)}), so mapped terms, labels and deprecation "
            "were not checked against them"
        )
        notes.append(note)
        problems.append(
            _problem(
                rule="source-copies-missing",
                node="",
                value=str(external),
                message=note,
                hint="keep the shared/ folder (with external/) beside the checkout, or set the "
                "external_dir setting (relgraph -s external_dir=PATH)",
                severity="warning",
            )
        )
        return problems, notes
    try:
        cache = settings.path("build_dir") / "cache"
        indexes = {s.prefix: load_index(s, external, cache_dir=cache) for s in SOURCES}
    except ConfigError as exc:
        notes.append(str(exc))
        problems.append(
            _problem(
                rule="source-copies-missing",
                node="",
                value=str(external),
                message=exc.message,
                hint=exc.hint,
                severity="warning",
            )
        )
        return problems, notes
    labels, versions = _module_terms(store)
    evidence = {e.iri: e for e in entities.values() if e.kind == "evidence type"}
    problems += _against_copies(rows, unmapped, evidence, indexes, labels, versions)
    return problems, notes


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """The mappings phase: every mapping check, over every graph (the import modules too)."""
    problems, notes = mapping_problems(ctx.store, ctx.settings, ctx.parts.extra)
    return PhaseResult(problems=problems, notes=notes)
