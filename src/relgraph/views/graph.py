"""The theory graph every view draws from: nodes, structural links and findings.

:func:`theory_graph` reads three view queries (``view-nodes``,
``view-structure``, ``view-findings``) and returns a :class:`TheoryGraph`:

* **nodes** -- theories, relationship models, constructs, methods, instruments,
  outcomes and characteristics, with label, kind and description;
* **links** -- the structure: a theory's models, constructs and methods, an
  instrument's method, what a method or instrument measures;
* **findings** -- each finding with its theory, factors, outcomes or
  constructs, direction, settings (and their kinds) and cited works.

Each node and link knows the theories it belongs to: a theory's own
elements, the elements of its findings, and the instruments and measured
constructs of its methods. Everything is computed from the rows; nothing is
counted by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from relgraph.views.kinds import OTHER, Kind, kind_of
from relgraph.views.source import Row, ViewSource, iri_of, text_of
from relgraph.vocab import RG

__all__ = ["Node", "Link", "Finding", "TheoryGraph", "theory_graph", "NO_SETTING_KIND"]

#: The setting kind of a finding for which the review names no setting.
NO_SETTING_KIND = ""

#: Kinds of node that structure or findings may reach, drawn by the explorer.
DRAWN = frozenset(
    {"theory", "model", "construct", "method", "instrument", "outcome", "goal", "characteristic"}
)


@dataclass
class Node:
    """One node: an entity with its label, kind and description."""

    iri: str
    label: str
    kind: Kind
    description: str = ""
    theories: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Link:
    """One structural link (``relation`` is the property's IRI)."""

    source: str
    relation: str
    target: str
    theories: frozenset[str]


@dataclass
class Finding:
    """One finding with what the gap map and the explorer need.

    :ivar targets: (relation IRI, node IRI): the outcomes (``rg:concernsOutcome``)
        and constructs (``rg:concernsConstruct``) it concerns.
    :ivar settings: setting IRI -> its kind's IRI (:data:`NO_SETTING_KIND` when unknown).
    """

    iri: str
    label: str
    theory: str = ""
    factors: set[str] = field(default_factory=set)
    targets: set[tuple[str, str]] = field(default_factory=set)
    direction: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    works: set[str] = field(default_factory=set)

    @property
    def setting_kinds(self) -> set[str]:
        """The kinds of its settings (``{NO_SETTING_KIND}`` when it names none)."""
        return set(self.settings.values()) or {NO_SETTING_KIND}

    @property
    def outcomes(self) -> set[str]:
        """The outcomes it concerns."""
        return {t for r, t in self.targets if r == str(RG.concernsOutcome)}


@dataclass
class TheoryGraph:
    """Nodes, links and findings (see the module docstring)."""

    nodes: dict[str, Node]
    links: list[Link]
    findings: dict[str, Finding]
    labels: dict[str, str]

    def theories(self) -> list[Node]:
        """The theory nodes, in the order given (the review's order)."""
        return [n for n in self.nodes.values() if n.kind.key == "theory"]

    def label(self, iri: str) -> str:
        """The label of any entity the views read ('' if none)."""
        return self.labels.get(iri, "")

    def drawn(self) -> list[Node]:
        """The nodes that take part in a link or a finding."""
        used: set[str] = set()
        for link in self.links:
            used.update((link.source, link.target))
        for finding in self.findings.values():
            used.update(finding.factors)
            used.update(t for _, t in finding.targets)
        return [n for iri, n in self.nodes.items() if iri in used or n.kind.key == "theory"]


def _nodes(rows: list[Row]) -> tuple[dict[str, Node], dict[str, str]]:
    types: dict[str, list[str]] = defaultdict(list)
    first: dict[str, Row] = {}
    for row in rows:
        iri = iri_of(row["node"])
        types[iri].append(iri_of(row["kind"]))
        first.setdefault(iri, row)
    nodes: dict[str, Node] = {}
    labels: dict[str, str] = {}
    for iri, row in first.items():
        label = text_of(row["label"])
        labels[iri] = label
        nodes[iri] = Node(iri, label, kind_of(types[iri]), text_of(row["description"]))
    return nodes, labels


def _findings(rows: list[Row]) -> dict[str, Finding]:
    findings: dict[str, Finding] = {}
    for row in rows:
        iri = iri_of(row["finding"])
        finding = findings.setdefault(iri, Finding(iri, text_of(row["findingLabel"])))
        finding.theory = finding.theory or iri_of(row["theory"])
        finding.direction = finding.direction or iri_of(row["direction"])
        if factor := iri_of(row["factor"]):
            finding.factors.add(factor)
        if target := iri_of(row["target"]):
            finding.targets.add((iri_of(row["targetRelation"]), target))
        if setting := iri_of(row["setting"]):
            kind = iri_of(row["settingKind"]) or finding.settings.get(setting, NO_SETTING_KIND)
            finding.settings[setting] = kind
        if work := iri_of(row["work"]):
            finding.works.add(work)
    return findings


def theory_graph(source: ViewSource) -> TheoryGraph:
    """Read the theory graph through the view queries.

    :raises QueryTimeout: when a view query runs past the time limit (web).
    """
    nodes, labels = _nodes(source.rows("view-nodes"))
    theory_order = {iri_of(r["theory"]): i for i, r in enumerate(source.rows("view-theories"))}
    findings = _findings(source.rows("view-findings"))
    raw = source.rows("view-structure")

    def node(iri: str) -> Node:
        if iri not in nodes:
            nodes[iri] = Node(iri, labels.get(iri, ""), OTHER)
        return nodes[iri]

    # Theories of each node: own links first, then findings, then what methods reach.
    owner: dict[str, set[str]] = defaultdict(set)
    for row in raw:
        theory = iri_of(row["theory"])
        if theory:
            owner[iri_of(row["target"])].add(theory)
            owner[iri_of(row["source"])].add(theory)
    for finding in findings.values():
        if finding.theory:
            for iri in finding.factors | {t for _, t in finding.targets}:
                owner[iri].add(finding.theory)
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in raw:
        key = (iri_of(row["source"]), iri_of(row["relation"]), iri_of(row["target"]))
        theory = iri_of(row["theory"])
        merged[key].update({theory} if theory else owner[key[0]] | owner[key[2]])
    for (source_iri, _, target), theories in merged.items():
        owner[source_iri].update(theories)
        owner[target].update(theories)
    links = [Link(s, r, t, frozenset(th)) for (s, r, t), th in sorted(merged.items())]
    for iri in set(owner) | {f for x in findings.values() for f in x.factors}:
        node(iri).theories.update(owner.get(iri, set()))
    for theory in theory_order:
        node(theory).theories.add(theory)
    ordered = dict(
        sorted(
            nodes.items(),
            key=lambda item: (
                item[1].kind.key != "theory",
                theory_order.get(item[0], 0),
                item[1].kind.key,
                item[1].label.lower(),
            ),
        )
    )
    return TheoryGraph(ordered, links, findings, labels)
