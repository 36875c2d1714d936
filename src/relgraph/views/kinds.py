"""The kinds of node the views draw, and the states of evidence of the gap map.

Kinds are the ontology's classes (:data:`KINDS`, most specific first, so an
outcome that is also a treatment goal is drawn as a treatment goal). Directions
of findings (``rg:hasDirection``) are the ontology's closed value set; a cell
of the evidence gap map takes its state from the directions of its findings
(:func:`evidence_state`), in the manner of the Theory & Techniques Tool's
link / inconclusive / non-link / absence-of-evidence map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from relgraph.vocab import RG

__all__ = [
    "Kind",
    "KINDS",
    "kind_of",
    "State",
    "STATES",
    "DIRECTIONS",
    "evidence_state",
    "local_name",
]


@dataclass(frozen=True)
class Kind:
    """A kind of node.

    :ivar key: a short name (CSS class, JSON value): ``theory``, ``model`` ...
    :ivar iri: the ontology class.
    :ivar label: its name for people; :ivar plural: in the plural.
    """

    key: str
    iri: str
    label: str
    plural: str


#: The kinds of node, most specific first.
KINDS: tuple[Kind, ...] = (
    Kind("theory", str(RG.Theory), "theory", "theories"),
    Kind("model", str(RG.RelationshipModel), "relationship model", "relationship models"),
    Kind("construct", str(RG.Construct), "construct", "constructs"),
    Kind("instrument", str(RG.Instrument), "instrument", "instruments"),
    Kind("method", str(RG.AssessmentMethod), "assessment method", "assessment methods"),
    Kind("goal", str(RG.TreatmentGoal), "treatment goal", "treatment goals"),
    Kind("outcome", str(RG.Outcome), "outcome", "outcomes"),
    Kind(
        "characteristic",
        str(RG.PatientCharacteristic),
        "patient characteristic",
        "patient characteristics",
    ),
    Kind(
        "characteristic",
        str(RG.ProfessionalCharacteristic),
        "professional characteristic",
        "professional characteristics",
    ),
    Kind("setting", str(RG.Setting), "setting", "settings"),
    Kind("settingkind", str(RG.SettingKind), "kind of setting", "kinds of setting"),
    Kind("direction", str(RG.Direction), "direction", "directions"),
    Kind("work", str(RG.CitedWork), "cited work", "cited works"),
    Kind("population", str(RG.Population), "population", "populations"),
    Kind("role", str(RG.ProfessionalRole), "professional role", "professional roles"),
    Kind("role", str(RG.ParticipantRole), "participant role", "participant roles"),
    Kind("resource", str(RG.ExchangedResource), "exchanged resource", "exchanged resources"),
)
_RANK = {k.iri: i for i, k in enumerate(KINDS)}
#: A node of none of these kinds.
OTHER = Kind("other", "", "entity", "entities")


def kind_of(types: Iterable[str]) -> Kind:
    """The most specific kind among a node's classes (:data:`OTHER` if none).

    >>> kind_of([str(RG.Outcome), str(RG.TreatmentGoal)]).key
    'goal'
    """
    ranked = sorted((_RANK[t], t) for t in types if t in _RANK)
    return KINDS[ranked[0][0]] if ranked else OTHER


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``/`` or ``#``).

    >>> local_name("https://w3id.org/relgraph/ontology/PositiveDirection")
    'PositiveDirection'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass(frozen=True)
class State:
    """A state of evidence of a gap-map cell.

    :ivar key: CSS class and JSON value; :ivar label: the legend's words;
    :ivar symbol: a mark that carries the state without colour.
    :ivar meaning: what the state says, for the legend.
    """

    key: str
    label: str
    symbol: str
    meaning: str


#: The states of evidence, in the legend's order.
STATES: tuple[State, ...] = (
    State("supported", "supported", "+", "findings link it to a better outcome"),
    State("mixed", "mixed", "±", "findings point both ways, or a finding is mixed"),
    State("negative", "negative", "−", "findings link it to a worse outcome"),
    State(
        "unstated",
        "associated, direction not stated",
        "~",
        "findings report an association without saying whether it is better or worse",
    ),
    State("null", "no association", "0", "findings report that there is no association"),
    State("none", "no evidence", "·", "the review reports no finding"),
)
_STATE = {s.key: s for s in STATES}

#: ``rg:hasDirection`` values -> the state a finding of that direction gives.
DIRECTIONS: dict[str, str] = {
    str(RG.PositiveDirection): "supported",
    str(RG.NegativeDirection): "negative",
    str(RG.MixedDirection): "mixed",
    str(RG.UnstatedDirection): "unstated",
    str(RG.NoDirection): "null",
}


def evidence_state(directions: Iterable[str]) -> State:
    """The state of a cell from the directions of its findings (one per finding).

    No finding: *none*. A mixed finding, or findings of two different stated
    directions (positive, negative, no association): *mixed*. Otherwise the
    one stated direction decides (*supported*, *negative*, *no association*);
    findings without a stated direction only decide when they are all there is
    (*associated, direction not stated*). A finding with no direction at all
    counts as not stated.

    >>> evidence_state([]).key
    'none'
    >>> evidence_state([str(RG.PositiveDirection), str(RG.UnstatedDirection)]).key
    'supported'
    >>> evidence_state([str(RG.PositiveDirection), str(RG.NegativeDirection)]).key
    'mixed'
    >>> evidence_state([""]).key
    'unstated'
    """
    states = [DIRECTIONS.get(d, "unstated") for d in directions]
    if not states:
        return _STATE["none"]
    stated = {s for s in states if s in {"supported", "negative", "null"}}
    if "mixed" in states or len(stated) > 1:
        return _STATE["mixed"]
    if stated:
        return _STATE[stated.pop()]
    return _STATE["unstated"]
