"""The kinds of entity a study sheet's columns take, and the IRI prefixes of new ones.

A kind (``outcome``, ``setting`` ...) is what messages call an entity, the
classes whose individuals are of that kind (subclasses count), and, for the
kinds a study may add, the prefix of a new entity's IRI by relgraph's scheme
(``ontology/README.md``): ``outcome-``, ``setting-`` ...
"""

from __future__ import annotations

from dataclasses import dataclass

from relgraph.vocab import RG

__all__ = ["Kind", "KINDS", "NEW_ENTITY_KINDS"]

_RG = str(RG)


@dataclass(frozen=True)
class Kind:
    """A kind of entity a column can take.

    :ivar name: as messages name it (``outcome``).
    :ivar classes: the classes whose individuals are of this kind (subclasses count).
    :ivar prefix: the IRI prefix of a new entity of this kind (``outcome-``),
        empty for kinds a study cannot add (theories, value sets).
    """

    name: str
    classes: tuple[str, ...]
    prefix: str = ""


#: The kinds, by name.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("theory", (_RG + "Theory",)),
        Kind("relationship model", (_RG + "RelationshipModel",)),
        Kind("construct", (_RG + "Construct",), "construct-"),
        Kind("patient characteristic", (_RG + "PatientCharacteristic",), "characteristic-patient-"),
        Kind(
            "professional characteristic",
            (_RG + "ProfessionalCharacteristic",),
            "characteristic-professional-",
        ),
        Kind("outcome", (_RG + "Outcome",), "outcome-"),
        Kind("assessment method", (_RG + "AssessmentMethod",), "method-"),
        Kind("instrument", (_RG + "Instrument",), "instrument-"),
        Kind("setting", (_RG + "Setting",), "setting-"),
        Kind("population", (_RG + "Population",), "population-"),
        Kind("professional role", (_RG + "ProfessionalRole",), "role-"),
        Kind("participant role", (_RG + "ParticipantRole",)),
        Kind("research design", (_RG + "ResearchDesign",), "design-"),
        Kind("direction", (_RG + "Direction",)),
        Kind("evidence type", (_RG + "EvidenceType",)),
        Kind("setting kind", (_RG + "SettingKind",)),
    )
}

#: Kinds of entity the New entities sheet can add, in the order of its drop-down.
NEW_ENTITY_KINDS: tuple[str, ...] = (
    "construct",
    "outcome",
    "instrument",
    "assessment method",
    "setting",
    "population",
    "patient characteristic",
    "professional characteristic",
    "professional role",
    "research design",
)
