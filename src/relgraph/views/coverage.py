"""The coverage report: what the graph holds, and what is left unlinked.

:func:`coverage` asks the built graph (with SPARQL) for the number of
individuals of each kind, the findings per direction, theory and setting kind
(the evidence gap map of the review), and lists the loose ends that should be
empty in a complete graph: citations not linked to a claim, cited works never
cited, claims without a passage, and works a claim cites as evidence without a
citation node (a claim a study added names its publication with
``dcterms:source`` instead of a passage and a citation, and is no loose end).
``relgraph stats`` prints it; ``docs/coverage.md`` is made from it with
``relgraph stats --format markdown > docs/coverage.md``.

With ``scope="review"`` the report counts the review alone, leaving out the
studies curators added (``data/studies/``, :mod:`relgraph.views.studies`);
with the default ``scope="all"`` it counts both and lists the cells of the gap
map that added studies filled where the review states a research gap.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from relgraph.errors import RelgraphError
from relgraph.store.base import ReadableStore
from relgraph.views.studies import (
    SCOPES,
    FilledGap,
    filled_gaps,
    review_graph_iris,
    study_graph_iris,
)
from relgraph.vocab import compact_iri

__all__ = ["KINDS", "GapCell", "CoverageReport", "coverage", "REPORT_FORMATS"]

#: The kinds counted, in report order: (name, class CURIE). Subclasses count
#: toward their superclasses (``rdf:type/rdfs:subClassOf*``).
KINDS: tuple[tuple[str, str], ...] = (
    ("theories", "rg:Theory"),
    ("relationship models", "rg:RelationshipModel"),
    ("constructs", "rg:Construct"),
    ("assessment methods", "rg:AssessmentMethod"),
    ("instruments", "rg:Instrument"),
    ("outcomes", "rg:Outcome"),
    ("treatment goals", "rg:TreatmentGoal"),
    ("settings", "rg:Setting"),
    ("populations", "rg:Population"),
    ("participant roles", "rg:ParticipantRole"),
    ("professional roles", "rg:ProfessionalRole"),
    ("patient characteristics", "rg:PatientCharacteristic"),
    ("professional characteristics", "rg:ProfessionalCharacteristic"),
    ("exchanged resources", "rg:ExchangedResource"),
    ("resource flows", "rg:ResourceFlow"),
    ("research designs", "rg:ResearchDesign"),
    ("claims", "rg:Claim"),
    ("findings", "rg:Finding"),
    ("review statements", "rg:ReviewStatement"),
    ("suggested associations", "rg:SuggestedAssociation"),
    ("method applications", "rg:MethodApplication"),
    ("recommendations", "rg:Recommendation"),
    ("research gaps", "rg:ResearchGap"),
    ("cited works", "rg:CitedWork"),
    ("citations", "rg:Citation"),
    ("passages", "rg:Passage"),
    ("review sections", "rg:ReviewSection"),
)

#: Output formats of :meth:`CoverageReport.render`.
REPORT_FORMATS: tuple[str, ...] = ("text", "json", "markdown")

_KIND_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?class { %s }
  OPTIONAL { ?x rdf:type/rdfs:subClassOf* ?class . FILTER(isIRI(?x)) }
} GROUP BY ?class
"""

_BY_DIRECTION = """
SELECT ?direction (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f rdf:type/rdfs:subClassOf* rg:Finding .
  OPTIONAL { ?f rg:hasDirection ?d . OPTIONAL { ?d rdfs:label ?dl } }
  BIND(COALESCE(?d, "none") AS ?direction)
  BIND(COALESCE(?dl, IF(BOUND(?d), STR(?d), "none (preference or descriptive finding)")) AS ?l)
} GROUP BY ?direction ORDER BY ?direction
"""

_THEORIES = """
SELECT ?theory (SAMPLE(?l) AS ?label) WHERE {
  ?theory rdf:type rg:Theory . OPTIONAL { ?theory rdfs:label ?l }
} GROUP BY ?theory ORDER BY ?theory
"""

_SETTING_KINDS = """
SELECT ?kind (SAMPLE(?l) AS ?label) WHERE {
  ?kind rdf:type/rdfs:subClassOf* rg:SettingKind . OPTIONAL { ?kind rdfs:label ?l }
} GROUP BY ?kind ORDER BY ?kind
"""

_FINDINGS_PER_THEORY = """
SELECT ?theory (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f rdf:type/rdfs:subClassOf* rg:Finding ; rg:aboutTheory ?theory .
} GROUP BY ?theory
"""

_GAP_MAP = """
SELECT ?theory ?kind (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f rdf:type/rdfs:subClassOf* rg:Finding ; rg:aboutTheory ?theory ;
     rg:studiedInSetting/rg:hasSettingKind ?kind .
} GROUP BY ?theory ?kind
"""

_FINDINGS_WITHOUT_SETTING = """
SELECT ?theory (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f rdf:type/rdfs:subClassOf* rg:Finding ; rg:aboutTheory ?theory .
  FILTER NOT EXISTS { ?f rg:studiedInSetting ?s }
} GROUP BY ?theory
"""

_LOOSE_ENDS: dict[str, str] = {
    "citations not linked to any claim": """
SELECT DISTINCT ?x WHERE {
  ?x rdf:type rg:Citation . FILTER NOT EXISTS { ?x rg:supportsClaim ?claim }
} ORDER BY ?x""",
    "citations without a cited work": """
SELECT DISTINCT ?x WHERE {
  ?x rdf:type rg:Citation . FILTER NOT EXISTS { ?x rg:citesWork ?w }
} ORDER BY ?x""",
    "cited works never cited": """
SELECT DISTINCT ?x WHERE {
  ?x rdf:type rg:CitedWork . FILTER NOT EXISTS { ?c rg:citesWork ?x }
  FILTER NOT EXISTS { ?claim dcterms:source ?x }
} ORDER BY ?x""",
    "claims or research gaps without a passage": """
SELECT DISTINCT ?x WHERE {
  { ?x rdf:type/rdfs:subClassOf* rg:Claim } UNION { ?x rdf:type rg:ResearchGap }
  FILTER(isIRI(?x))
  FILTER NOT EXISTS { ?x rg:derivedFromPassage ?p }
  FILTER NOT EXISTS { ?x dcterms:source ?elsewhere }
} ORDER BY ?x""",
    "evidence links without a citation": """
SELECT DISTINCT ?x ?y WHERE {
  ?x rg:citesAsEvidence ?y .
  FILTER NOT EXISTS { ?c rg:supportsClaim ?x ; rg:citesWork ?y }
  FILTER NOT EXISTS { ?x dcterms:source ?y }
} ORDER BY ?x ?y""",
}


@dataclass(frozen=True)
class GapCell:
    """One cell of the evidence gap map: findings of a theory in a setting kind."""

    theory: str
    theory_label: str
    setting_kind: str
    setting_kind_label: str
    findings: int


@dataclass
class CoverageReport:
    """Counts and loose ends of a graph; render with :meth:`render`."""

    triples: int
    counts: dict[str, int] = field(default_factory=dict)
    findings_by_direction: dict[str, int] = field(default_factory=dict)
    findings_by_theory: dict[str, int] = field(default_factory=dict)
    findings_without_setting: dict[str, int] = field(default_factory=dict)
    setting_kinds: list[str] = field(default_factory=list)
    gap_map: list[GapCell] = field(default_factory=list)
    loose_ends: dict[str, list[str]] = field(default_factory=dict)
    #: ``all`` (the review and the added studies) or ``review`` (the review alone).
    scope: str = "all"
    #: how many added studies the report counts (0 with ``scope="review"``).
    studies: int = 0
    #: gap-map cells added studies filled where the review states a gap (``scope="all"``).
    filled_gaps: list[FilledGap] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every loose-end list is empty."""
        return not any(self.loose_ends.values())

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        data = asdict(self)
        data["filled_gaps"] = [g.to_dict() for g in self.filled_gaps]
        data["complete"] = self.complete
        return data

    def render(self, fmt: str = "text") -> str:
        """Render as ``text``, ``json`` or ``markdown``.

        :raises ValueError: for another format.
        """
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2) + "\n"
        if fmt == "markdown":
            return self._markdown()
        if fmt == "text":
            return self._text()
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(REPORT_FORMATS)}")

    def _matrix(self) -> tuple[list[str], list[list[str]]]:
        """The gap map as a header and rows (theory x setting kind)."""
        theories: dict[str, str] = {}
        cells: dict[tuple[str, str], int] = {}
        kind_labels: dict[str, str] = {}
        for c in self.gap_map:
            theories[c.theory] = c.theory_label
            kind_labels[c.setting_kind] = c.setting_kind_label
            cells[(c.theory, c.setting_kind)] = c.findings
        header = ["theory", *(kind_labels[k] for k in self.setting_kinds), "no setting", "all"]
        rows = []
        for iri, label in theories.items():
            row = [label, *(str(cells.get((iri, k), 0)) for k in self.setting_kinds)]
            row += [
                str(self.findings_without_setting.get(label, 0)),
                str(self.findings_by_theory.get(label, 0)),
            ]
            rows.append(row)
        return header, rows

    def _text(self) -> str:
        width = max(len(k) for k in self.counts) if self.counts else 0
        out = [f"triples: {self.triples}"]
        if self.scope == "review":
            out.append("scope: the review alone (added studies left out)")
        elif self.studies:
            out.append(f"scope: the review and {self.studies} added stud" + _ies(self.studies))
        out += ["", "individuals per kind:"]
        out += [f"  {k.ljust(width)}  {n:>5}" for k, n in self.counts.items()]
        out += ["", "findings per direction:"]
        out += [f"  {k}: {n}" for k, n in self.findings_by_direction.items()]
        header, rows = self._matrix()
        out += ["", "evidence gap map (findings per theory and setting kind):"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            out.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        if self.filled_gaps:
            out += ["", "gaps the review states that added studies filled:"]
            out += [f"  {_gap_line(g)}" for g in self.filled_gaps]
        out += ["", "loose ends (each list should be empty):"]
        for name, items in self.loose_ends.items():
            out.append(f"  {name}: {len(items)}")
            out += [f"    {i}" for i in items]
        return "\n".join(out) + "\n"

    def _markdown(self) -> str:
        out = [
            "# Coverage of the graph",
            "",
            "Generated by `relgraph stats --format markdown > docs/coverage.md` from the built",
            "graph; do not edit by hand (a test fails when it is out of date).",
            "",
            "## Individuals per kind",
            "",
            "Subclasses count toward their superclasses (a finding is also a claim).",
            "",
            "| kind | count |",
            "| --- | ---: |",
        ]
        out += [f"| {k} | {n} |" for k, n in self.counts.items()]
        out += ["", "## Findings per direction", "", "| direction | findings |", "| --- | ---: |"]
        out += [f"| {k} | {n} |" for k, n in self.findings_by_direction.items()]
        header, rows = self._matrix()
        out += [
            "",
            "## Evidence gap map",
            "",
            "Empirical findings per theory and kind of setting. A finding studied in settings",
            "of two kinds counts in both columns; *no setting* counts findings for which the",
            "review names no setting; *all* counts each finding once. Zeros mark where a",
            "theory is untested.",
            "",
            "| " + " | ".join(header) + " |",
            "| --- |" + " ---: |" * (len(header) - 1),
        ]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        if self.filled_gaps:
            out += [
                "",
                "## Gaps filled by added studies",
                "",
                "Cells where the review reports no finding and states a research gap, and an",
                "added study reports one.",
                "",
            ]
            out += [f"- {_gap_line(g)}" for g in self.filled_gaps]
        out += ["", "## Loose ends", "", "Each of these lists should be empty.", ""]
        for name, items in self.loose_ends.items():
            out.append(f"- {name}: {len(items)}")
            out += [f"  - `{i}`" for i in items]
        return "\n".join(out) + "\n"


def _ies(n: int) -> str:
    return "y" if n == 1 else "ies"


def _gap_line(gap: FilledGap) -> str:
    return (
        f"{gap.theory_label} x {gap.outcome_label} ({gap.setting_kind_label}):"
        f" {len(gap.findings)} finding(s) of {', '.join(gap.studies)};"
        f" gap(s) {', '.join(compact_iri(g) for g in gap.gaps)}"
    )


def term_text(term: object) -> str:
    """Render one RDF term for a text report (a CURIE for an IRI).

    >>> term_text(ox.NamedNode("https://w3id.org/relgraph/ontology/Theory"))
    'rg:Theory'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _rows(
    store: ReadableStore, sparql: str, graphs: list[str] | None = None
) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    result = store.select(sparql, default_graphs=graphs)
    names = [v.value for v in result.variables]
    rows = []
    for sol in result:
        rows.append({n: sol[n] for n in names if sol[n] is not None})
    return rows


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def coverage(store: ReadableStore, *, scope: str = "all") -> CoverageReport:
    """Compute the coverage report of a (built) graph.

    :param scope: ``all`` (the review and the studies curators added) or ``review``
        (the review alone: the studies' named graphs left out).
    :raises RelgraphError: for another scope.
    """
    if scope not in SCOPES:
        raise RelgraphError(f"unknown scope {scope!r}", f"use one of {', '.join(SCOPES)}")
    studies = study_graph_iris(store)
    graphs = review_graph_iris(store) if scope == "review" and studies else None
    triples = sum(g.triples for g in store.graphs() if g.iri in graphs) if graphs else len(store)
    report = CoverageReport(triples=triples, scope=scope)
    if scope == "all":
        report.studies = len(studies)
        report.filled_gaps = filled_gaps(store)

    def _select(sparql: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
        return _rows(store, sparql, graphs)

    classes = " ".join(c for _, c in KINDS)
    by_class = {
        compact_iri(r["class"].value): _int(r.get("n")) for r in _select(_KIND_COUNTS % classes)
    }
    report.counts = {name: by_class.get(curie, 0) for name, curie in KINDS}
    for r in _select(_BY_DIRECTION):
        name = term_text(r.get("label")) or term_text(r["direction"])
        report.findings_by_direction[name] = _int(r.get("n"))

    theories = [
        (r["theory"].value, term_text(r.get("label")) or term_text(r["theory"]))
        for r in _select(_THEORIES)
    ]
    theories.sort(key=lambda t: t[1].lower())
    kinds = [
        (r["kind"].value, term_text(r.get("label")) or term_text(r["kind"]))
        for r in _select(_SETTING_KINDS)
    ]
    kinds.sort(key=lambda k: k[1].lower())
    report.setting_kinds = [iri for iri, _ in kinds]
    per_theory = {r["theory"].value: _int(r.get("n")) for r in _select(_FINDINGS_PER_THEORY)}
    no_setting = {r["theory"].value: _int(r.get("n")) for r in _select(_FINDINGS_WITHOUT_SETTING)}
    cells = {(r["theory"].value, r["kind"].value): _int(r.get("n")) for r in _select(_GAP_MAP)}
    for iri, label in theories:
        report.findings_by_theory[label] = per_theory.get(iri, 0)
        report.findings_without_setting[label] = no_setting.get(iri, 0)
        for kind, kind_label in kinds:
            report.gap_map.append(GapCell(iri, label, kind, kind_label, cells.get((iri, kind), 0)))
    for name, sparql in _LOOSE_ENDS.items():
        report.loose_ends[name] = [
            " -> ".join(term_text(r[k]) for k in ("x", "y") if k in r) for r in _select(sparql)
        ]
    return report
