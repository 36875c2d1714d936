"""The studies added to a graph: what /studies lists, and the review apart from them.

Each imported study is its own named graph (``data/studies/<study id>.ttl``);
a graph holds a study when it describes a ``rg:StudyCuration``. Pure functions
of a :class:`~relgraph.store.base.ReadableStore` for pages and views:

* :func:`list_studies` -- one :class:`StudyInfo` per study: its work (label,
  title, journal, DOI, year), curator, date and how many findings, method
  applications and new entities it adds;
* :func:`study_graph_iris` and :func:`review_graph_iris` -- the named graphs of
  the studies, and all the others (the review, the ontology, the mappings), for
  a view that shows the review alone (``default_graphs=review_graph_iris(...)``);
* :func:`studies_data` and :func:`study_data` -- the data of the pages ``/studies``
  and ``/studies/<study id>`` (and their ``.json`` twins);
* :func:`filled_gaps` -- the cells of the evidence gap map (theory x outcome in
  a kind of setting) where a study reports a finding, the review reports none,
  and a research gap the review states concerns that theory and kind of setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from relgraph.errors import UnknownStudy
from relgraph.store.base import ReadableStore
from relgraph.views.cells import Link
from relgraph.vocab import DOI, ORCID, PRISM

__all__ = [
    "SCOPE_LABELS",
    "mark_filled_cells",
    "studies_data",
    "study_data",
    "StudyInfo",
    "StudyDetail",
    "StudyClaim",
    "StudyEntity",
    "study_detail",
    "FilledGap",
    "list_studies",
    "study_graph_iris",
    "review_graph_iris",
    "filled_gaps",
    "SCOPES",
]

#: What a view may show: the review alone, or the review with the added studies.
SCOPES = ("all", "review")
#: How the scope filter of a view names each scope.
SCOPE_LABELS = {"all": "the review and the added studies", "review": "the review alone"}


def _rows(
    store: ReadableStore, sparql: str, graphs: list[str] | None = None
) -> list[dict[str, str]]:
    result = store.select(sparql, default_graphs=graphs)
    names = [v.value for v in result.variables]
    return [{n: ("" if row[n] is None else row[n].value) for n in names} for row in result]


@dataclass(frozen=True)
class StudyInfo:
    """One imported study, as /studies lists it."""

    study: str
    graph: str
    curation: str
    work: str
    label: str
    title: str = ""
    journal: str = ""
    doi: str = ""
    year: str = ""
    curator: str = ""
    curator_iri: str = ""
    date: str = ""
    findings: int = 0
    method_applications: int = 0
    new_entities: int = 0
    finding_iris: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        out = asdict(self)
        out["finding_iris"] = list(self.finding_iris)
        return out


_STUDIES = (
    f"PREFIX prism: <{PRISM}>\n"
    + """
SELECT ?g ?c ?w ?label ?title ?journal ?doi ?year ?curator ?agent ?date WHERE {
  GRAPH ?g {
    ?c a rg:StudyCuration ; prov:used ?w .
    OPTIONAL { ?c prov:wasAssociatedWith ?agent . OPTIONAL { ?agent rdfs:label ?curator } }
    OPTIONAL { ?c dcterms:date ?date }
    OPTIONAL { ?w rdfs:label ?label }
    OPTIONAL { ?w dcterms:title ?title }
    OPTIONAL { ?w prism:publicationName ?journal }
    OPTIONAL { ?w prism:doi ?doi }
    OPTIONAL { ?w rg:publicationYear ?year }
  }
}
ORDER BY ?c
"""
)

_MADE = """
SELECT ?c ?x ?kind WHERE {
  GRAPH ?g { ?c a rg:StudyCuration . ?x prov:wasGeneratedBy ?c ; a ?kind . }
}
"""


def list_studies(store: ReadableStore) -> list[StudyInfo]:
    """The imported studies of a graph, by study id."""
    made: dict[str, dict[str, set[str]]] = {}
    for row in _rows(store, _MADE):
        kind = row["kind"].rsplit("/", 1)[-1]
        group = {"Finding": "findings", "MethodApplication": "methods"}.get(kind)
        if group is None and kind != "NamedIndividual" and "#" not in row["kind"]:
            group = "entities"
        if group:
            made.setdefault(row["c"], {}).setdefault(group, set()).add(row["x"])
    out: dict[str, StudyInfo] = {}
    for row in _rows(store, _STUDIES):
        study = row["c"].rsplit("/", 1)[-1].removeprefix("curation-")
        if study in out:
            continue
        groups = made.get(row["c"], {})
        entities = groups.get("entities", set()) - groups.get("findings", set())
        entities -= groups.get("methods", set())
        out[study] = StudyInfo(
            study=study,
            graph=row["g"],
            curation=row["c"],
            work=row["w"],
            label=row["label"] or row["w"],
            title=row["title"],
            journal=row["journal"],
            doi=row["doi"],
            year=row["year"],
            curator=row["curator"],
            curator_iri=row["agent"],
            date=row["date"],
            findings=len(groups.get("findings", ())),
            method_applications=len(groups.get("methods", ())),
            new_entities=len(entities),
            finding_iris=tuple(sorted(groups.get("findings", ()))),
        )
    return [out[k] for k in sorted(out)]


def study_graph_iris(store: ReadableStore) -> list[str]:
    """The named graphs that hold an imported study."""
    rows = _rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c a rg:StudyCuration } }")
    return sorted(r["g"] for r in rows)


def review_graph_iris(store: ReadableStore) -> list[str]:
    """Every named graph but the studies': the review, ontology, shapes and mappings."""
    studies = set(study_graph_iris(store))
    return [g.iri for g in store.graphs() if g.iri not in studies]


@dataclass(frozen=True)
class FilledGap:
    """A cell of the gap map that a study filled where the review stated a gap.

    :ivar gaps: the research gaps of the review that concern the theory and kind of setting.
    :ivar findings: the studies' findings in the cell.
    :ivar studies: the study ids behind them.
    """

    theory: str
    theory_label: str
    outcome: str
    outcome_label: str
    setting_kind: str
    setting_kind_label: str
    gaps: tuple[str, ...]
    findings: tuple[str, ...]
    studies: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass
class _Cell:
    theory: str
    outcome: str
    kind: str
    gaps: set[str] = field(default_factory=set)
    findings: set[str] = field(default_factory=set)
    studies: set[str] = field(default_factory=set)


_CELLS = """
SELECT DISTINCT ?f ?t ?tl ?o ?ol ?k ?kl WHERE {
  ?f a rg:Finding ; rg:aboutTheory ?t ; rg:concernsOutcome ?o .
  ?t rdfs:label ?tl . ?o rdfs:label ?ol .
  OPTIONAL { ?f rg:studiedInSetting/rg:hasSettingKind ?k . ?k rdfs:label ?kl }
}
"""

#: Gaps the review states, with the theories, kinds of setting and outcomes they concern.
_GAPS = """
SELECT ?gap ?t ?k ?o WHERE {
  ?gap a rg:ResearchGap .
  FILTER NOT EXISTS { ?gap dcterms:source ?elsewhere }
  OPTIONAL { ?gap rg:gapConcerns|rg:aboutTheory ?t . ?t a rg:Theory }
  OPTIONAL { ?gap rg:gapConcerns/rg:hasSettingKind ?k }
  OPTIONAL { ?gap rg:gapConcerns ?o . ?o a/rdfs:subClassOf* rg:Outcome }
}
"""


@dataclass
class _Gap:
    theories: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)

    def concerns(self, theory: str, outcome: str, kind: str) -> bool:
        """The gap names the cell's theory, and its kind of setting and outcome if it names any."""
        return (
            theory in self.theories
            and (not self.kinds or kind in self.kinds)
            and (not self.outcomes or outcome in self.outcomes)
        )


def filled_gaps(store: ReadableStore) -> list[FilledGap]:
    """Gap-map cells a study filled where the review has no finding and states a gap.

    A cell is (theory, outcome, kind of setting) of the evidence gap map; "none"
    stands for findings without a setting. A research gap the review states
    (``rg:ResearchGap``) concerns a cell when its ``rg:gapConcerns`` names the
    cell's theory, and the cell's kind of setting and outcome where it names
    settings or outcomes: "none of the theories has been fully specified and
    tested in psychiatric settings" is filled, for psychoanalysis x early
    drop-out, by a study's finding on them in a day hospital.
    """
    studies = set(study_graph_iris(store))
    if not studies:
        return []
    review = review_graph_iris(store)
    in_review = {(r["t"], r["o"], r["k"] or "none") for r in _rows(store, _CELLS, review)}
    owners: dict[str, str] = {}
    made = "SELECT ?c ?f WHERE { ?c a rg:StudyCuration . ?f prov:wasGeneratedBy ?c }"
    for row in _rows(store, made):
        owners[row["f"]] = row["c"].rsplit("/", 1)[-1].removeprefix("curation-")
    gaps: dict[str, _Gap] = {}
    for row in _rows(store, _GAPS, review):
        gap = gaps.setdefault(row["gap"], _Gap())
        for values, name in ((gap.theories, "t"), (gap.kinds, "k"), (gap.outcomes, "o")):
            if row[name]:
                values.add(row[name])
    cells: dict[tuple[str, str, str], _Cell] = {}
    for row in _rows(store, _CELLS):
        if row["f"] not in owners:
            continue
        key = (row["t"], row["o"], row["k"] or "none")
        if key in in_review:
            continue
        stated = [iri for iri, gap in gaps.items() if gap.concerns(row["t"], row["o"], row["k"])]
        if not stated:
            continue
        cell = cells.setdefault(key, _Cell(row["tl"], row["ol"], row["kl"] or "no setting stated"))
        cell.gaps.update(stated)
        cell.findings.add(row["f"])
        cell.studies.add(owners[row["f"]])
    out = []
    for (theory, outcome, kind), cell in sorted(cells.items()):
        out.append(
            FilledGap(
                theory,
                cell.theory,
                outcome,
                cell.outcome,
                kind,
                cell.kind,
                tuple(sorted(cell.gaps)),
                tuple(sorted(cell.findings)),
                tuple(sorted(cell.studies)),
            )  # fmt: skip
        )
    return out


@dataclass(frozen=True)
class StudyClaim:
    """A finding or method application of a study, as its page lists it."""

    iri: str
    label: str
    kind: str
    theories: tuple[str, ...] = ()
    direction: str = ""
    linked: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    quotation: str = ""
    locator: str = ""


@dataclass(frozen=True)
class StudyEntity:
    """A new entity a study added."""

    iri: str
    label: str
    kind: str
    definition: str = ""


@dataclass(frozen=True)
class StudyDetail:
    """One study with what it adds."""

    info: StudyInfo
    claims: tuple[StudyClaim, ...]
    entities: tuple[StudyEntity, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            **self.info.to_dict(),
            "claims": [asdict(c) for c in self.claims],
            "entities": [asdict(e) for e in self.entities],
        }


@dataclass
class _ClaimRows:
    """The rows of one claim, gathered."""

    label: str
    kind: str
    theories: set[str] = field(default_factory=set)
    linked: set[str] = field(default_factory=set)
    settings: set[str] = field(default_factory=set)
    direction: str = ""
    quotation: str = ""
    locator: str = ""

    def add(self, row: dict[str, str]) -> None:
        for values, key in ((self.theories, "theory"), (self.linked, "linked"),
                            (self.settings, "setting")):  # fmt: skip
            if row[key]:
                values.add(row[key])
        self.direction = self.direction or row["direction"]
        self.quotation = self.quotation or row["quote"]
        self.locator = self.locator or row["where"]

    def claim(self, iri: str) -> StudyClaim:
        return StudyClaim(
            iri, self.label, self.kind, tuple(sorted(self.theories)), self.direction,
            tuple(sorted(self.linked)), tuple(sorted(self.settings)), self.quotation,
            self.locator,
        )  # fmt: skip


_CLAIMS = """
SELECT ?x ?kind ?label ?theory ?direction ?linked ?setting ?quote ?where WHERE {
  ?x prov:wasGeneratedBy ?c ; a ?kind ; rdfs:label ?label .
  VALUES ?kind { rg:Finding rg:MethodApplication }
  OPTIONAL { ?x rg:aboutTheory/rdfs:label ?theory }
  OPTIONAL { ?x rg:hasDirection/rdfs:label ?direction }
  OPTIONAL { ?x rg:hasFactor|rg:concernsOutcome|rg:concernsConstruct|rg:predictsPreferenceFor
                |rg:aboutMethod|rg:assesses ?l . ?l rdfs:label ?linked }
  OPTIONAL { ?x rg:studiedInSetting/rdfs:label ?setting }
  OPTIONAL { ?x prov:wasDerivedFrom ?e . ?e a rg:StudyExcerpt ; prov:value ?quote ;
             rg:locator ?where }
}
"""

_ENTITIES = """
SELECT ?x ?kind ?label ?definition WHERE {
  ?x prov:wasGeneratedBy ?c ; a ?kind ; rdfs:label ?label .
  ?kind rdfs:label ?kindLabel .
  FILTER(STRSTARTS(STR(?kind), STR(rg:)))
  FILTER NOT EXISTS { ?x a/rdfs:subClassOf* rg:Claim }
  OPTIONAL { ?x dcterms:description ?definition }
}
"""


def study_detail(store: ReadableStore, study: str) -> StudyDetail | None:
    """One imported study with its claims and new entities (None if there is none)."""
    info = next((s for s in list_studies(store) if s.study == study), None)
    if info is None:
        return None
    curation = f"<{info.curation}>"
    claims: dict[str, _ClaimRows] = {}
    for row in _rows(store, _CLAIMS.replace("?c ;", f"{curation} ;", 1)):
        kind = "finding" if row["kind"].endswith("Finding") else "method application"
        claim = claims.setdefault(row["x"], _ClaimRows(row["label"], kind))
        claim.add(row)
    out_claims = tuple(
        claims[iri].claim(iri) for iri in sorted(claims, key=lambda i: (claims[i].kind, i))
    )
    entities: dict[str, StudyEntity] = {}
    for row in _rows(store, _ENTITIES.replace("?c ;", f"{curation} ;", 1)):
        if row["kind"].endswith("NamedIndividual"):
            continue
        kind = row["kind"].rsplit("/", 1)[-1]
        entities.setdefault(row["x"], StudyEntity(row["x"], row["label"], kind, row["definition"]))
    return StudyDetail(info, out_claims, tuple(entities[k] for k in sorted(entities)))


def _links(info: StudyInfo, link: Link, page: Link) -> dict[str, Any]:
    orcid = info.curator_iri if info.curator_iri.startswith(ORCID) else ""
    return {
        **info.to_dict(),
        "page": page(info.study),
        "work_page": link(info.work),
        "doi_url": DOI + info.doi if info.doi else "",
        "orcid_url": orcid,
    }


def studies_data(store: ReadableStore, link: Link, page: Link) -> dict[str, Any]:
    """The data of ``/studies``: every added study, and the gaps of the review they filled.

    :param link: the URL of an entity's page (``link(iri)``).
    :param page: the URL of a study's page (``page(study_id)``).
    :returns: ``studies`` (one dict per study: work, curator, date, counts, links),
        ``filled_gaps`` (see :func:`filled_gaps`, with links) and ``graphs``: the named
        graphs of the review alone (``review``) and of the studies (``studies``), for
        SPARQL's ``default-graph-uri``.
    """
    studies = list_studies(store)
    gaps = []
    for gap in filled_gaps(store):
        item = gap.to_dict()
        item["theory_page"], item["outcome_page"] = link(gap.theory), link(gap.outcome)
        item["study_pages"] = [{"study": s, "page": page(s)} for s in gap.studies]
        gaps.append(item)
    return {
        "studies": [_links(s, link, page) for s in studies],
        "filled_gaps": gaps,
        "graphs": {
            "review": review_graph_iris(store) if studies else [],
            "studies": [s.graph for s in studies],
        },
    }


def study_data(store: ReadableStore, study: str, link: Link, page: Link) -> dict[str, Any]:
    """The data of ``/studies/<study id>``: the study, its claims and its new entities.

    :raises UnknownStudy: (404) when no added study has this id.
    """
    detail = study_detail(store, study)
    if detail is None:
        known = ", ".join(s.study for s in list_studies(store)) or "none yet"
        raise UnknownStudy(
            f"no imported study has the id {study!r}",
            f"see /studies for the added studies (known: {known})",
        )
    out = _links(detail.info, link, page)
    out["claims"] = [{**asdict(c), "page": link(c.iri)} for c in detail.claims]
    out["entities"] = [{**asdict(e), "page": link(e.iri)} for e in detail.entities]
    return out


def mark_filled_cells(
    gap_data: dict[str, Any], store: ReadableStore, kind_key: Callable[[str], str]
) -> int:
    """Mark the cells of a gap map (:func:`relgraph.views.gaps.gap_map`) a study filled.

    A theory row's cell gets ``filled``: ``{"studies": [...], "gaps": [...],
    "setting_kinds": [...]}`` when :func:`filled_gaps` has its theory and outcome
    in the map's kind of setting (in any kind, for the map of all settings).

    :param kind_key: the filter key of a kind of setting's IRI (``none`` for no setting).
    :returns: how many cells were marked.
    """
    wanted = str(gap_data.get("filter", {}).get("settingKind", ""))
    cells: dict[tuple[str, str], dict[str, set[str]]] = {}
    for gap in filled_gaps(store):
        key = "none" if gap.setting_kind == "none" else kind_key(gap.setting_kind)
        if wanted and key != wanted:
            continue
        cell = cells.setdefault((gap.theory, gap.outcome), {"studies": set(), "gaps": set(),
                                                             "setting_kinds": set()})  # fmt: skip
        cell["studies"].update(gap.studies)
        cell["gaps"].update(gap.gaps)
        cell["setting_kinds"].add(gap.setting_kind_label)
    marked = 0
    for row in gap_data.get("rows", []):
        if row.get("level") != 0:
            continue
        for cell in row["cells"]:
            found = cells.get((row["iri"], cell["outcome"]))
            if found:
                cell["filled"] = {k: sorted(v) for k, v in found.items()}
                marked += 1
    return marked
