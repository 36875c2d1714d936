"""Kinds of terms, so that an exactMatch joins only terms of the same kind.

Every mapping records ``subject_category`` (the relgraph kind of the subject,
read from its ``rdf:type``) and ``object_category`` (what the external term
denotes, in the same words). ``skos:exactMatch`` requires the two to be equal:
a theory is not exactly a therapy, an outcome is not exactly a disease.

For the OBO sources and BCIO the kind of many terms follows from their
ancestors (anything under ECO "evidence" is an evidence type, anything under
a disease root is a disease): :data:`IMPLIED_BY_ANCESTOR` lists those roots,
and the check refuses an ``object_category`` that contradicts them. MeSH
descriptors have no hierarchy in the offline copy, so their category is the
curator's word only (documented in ``docs/mappings.md``).
"""

from __future__ import annotations

from relgraph.vocab import BCIO, OBO, RG

__all__ = ["RELGRAPH_KINDS", "OTHER_KINDS", "KINDS", "IMPLIED_BY_ANCESTOR", "kind_of_types"]

_RG = str(RG)
_OBO = str(OBO)
_BCIO = str(BCIO)

#: relgraph classes whose entities are mapped, and the kind word of each, in
#: priority order (an outcome that is also a treatment goal is an outcome).
RELGRAPH_KINDS: dict[str, str] = {
    _RG + "Theory": "theory",
    _RG + "RelationshipModel": "relationship model",
    _RG + "Construct": "construct",
    _RG + "AssessmentMethod": "assessment method",
    _RG + "Instrument": "instrument",
    _RG + "Outcome": "outcome",
    _RG + "Setting": "setting",
    _RG + "Population": "population",
    _RG + "ProfessionalRole": "professional role",
    _RG + "EvidenceType": "evidence type",
}

#: Kinds of external terms that no relgraph entity has.
OTHER_KINDS: dict[str, str] = {
    "discipline": "a field of study or practice (MeSH 'Psychology, Social')",
    "intervention": "a treatment, prevention or care procedure (MeSH 'Psychotherapy')",
    "disease": "a disease or disorder (DOID, MFOMD, MeSH 'Schizophrenia')",
    "activity": "an activity such as education or research that is none of the above",
}

#: Every kind word an ``object_category`` may use.
KINDS: tuple[str, ...] = tuple(RELGRAPH_KINDS.values()) + tuple(OTHER_KINDS)

#: Ancestors that fix the kind of every term below them.
IMPLIED_BY_ANCESTOR: dict[str, str] = {
    _OBO + "ECO_0000000": "evidence type",
    _OBO + "DOID_4": "disease",
    _OBO + "OGMS_0000031": "disease",
    _OBO + "MFOMD_0000001": "disease",
    _OBO + "MFOMD_0000004": "disease",
    _BCIO + "010004": "professional role",
    _OBO + "OMRSE_00000062": "setting",
    _OBO + "MF_0000020": "construct",
    _OBO + "MF_0000033": "construct",
    _OBO + "MFOEM_000195": "construct",
}


def kind_of_types(types: set[str]) -> str:
    """The kind word of an entity with these ``rdf:type`` IRIs ('' if none applies).

    >>> kind_of_types({_RG + "TreatmentGoal", _RG + "Outcome"})
    'outcome'
    """
    for iri, kind in RELGRAPH_KINDS.items():
        if iri in types:
            return kind
    return ""
