"""Resolving what a cell names (relgraph.curation.resolve): labels, CURIEs, IRIs, duplicates."""

from __future__ import annotations

from typing import Any

import pytest

from relgraph.curation.resolve import Entity, Resolved, Unresolved, Vocabulary
from relgraph.vocab import RGR

ADHERENCE = str(RGR["outcome-treatment-adherence"])
DROP_OUT = str(RGR["outcome-drop-out"])
DAY_HOSPITAL = str(RGR["setting-day-hospital"])
BEHAVIOUR = str(RGR["construct-reinforcement"])


@pytest.fixture(scope="module")
def vocabulary(repo_store: Any) -> Vocabulary:
    return Vocabulary.from_store(repo_store)


# -- resolving what a cell says ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "treatment adherence",
        "  Treatment   Adherence ",
        "rgr:outcome-treatment-adherence",
        "RGR:outcome-treatment-adherence",
        ADHERENCE,
        f"<{ADHERENCE}>",
        "treatment adherence (rgr:outcome-treatment-adherence)",
    ],
)
def test_a_label_a_curie_or_an_iri_names_an_entity(vocabulary: Vocabulary, text: str) -> None:
    found = vocabulary.resolve(text, ("outcome",))
    assert isinstance(found, Resolved) and found.entity.iri == ADHERENCE


def test_alternative_labels_and_spelling_variants_are_accepted(vocabulary: Vocabulary) -> None:
    entity = vocabulary.get(DROP_OUT)
    assert entity is not None and entity.alt_labels  # the graph gives "drop-out" synonyms
    found = vocabulary.resolve(entity.alt_labels[0], ("outcome",))
    assert isinstance(found, Resolved) and found.entity.iri == DROP_OUT
    # American spelling of "behaviour"
    american = vocabulary.resolve("reinforcement of behavior", ("construct",))
    assert isinstance(american, Resolved) and american.entity.iri == BEHAVIOUR


def test_evidence_types_are_named_by_their_eco_curie(vocabulary: Vocabulary) -> None:
    for text in ("ECO:0006017", "obo:ECO_0006017", "eco_0006017"):
        found = vocabulary.resolve(text, ("evidence type",))
        assert isinstance(found, Resolved), text
        assert found.entity.iri == "http://purl.obolibrary.org/obo/ECO_0006017"


def test_an_unknown_label_names_the_nearest_labels(vocabulary: Vocabulary) -> None:
    found = vocabulary.resolve("treatment adherance", ("outcome",))
    assert isinstance(found, Unresolved) and found.reason == "unknown"
    assert found.nearest[0] == "'treatment adherence' (rgr:outcome-treatment-adherence)"
    assert "unknown outcome 'treatment adherance'" == found.message
    unknown_curie = vocabulary.resolve("rgr:outcome-treatment-adherance", ("outcome",))
    assert isinstance(unknown_curie, Unresolved)
    assert "names no outcome" in unknown_curie.message and unknown_curie.nearest


def test_a_label_of_another_kind_says_what_it_is(vocabulary: Vocabulary) -> None:
    found = vocabulary.resolve("day hospital", ("outcome",))
    assert isinstance(found, Unresolved) and found.reason == "wrong-kind"
    assert "(rgr:setting-day-hospital, setting), not a outcome" in found.message


def test_a_shared_label_is_ambiguous_and_a_curie_settles_it() -> None:
    a = Entity("https://w3id.org/relgraph/resource/outcome-x", "care", (), frozenset({"outcome"}))
    b = Entity(
        "https://w3id.org/relgraph/resource/construct-x", "care", (), frozenset({"construct"})
    )
    vocabulary = Vocabulary([a, b])
    found = vocabulary.resolve("care", ("outcome", "construct"))
    assert isinstance(found, Unresolved) and found.reason == "ambiguous"
    assert "rgr:outcome-x" in found.message and "rgr:construct-x" in found.message
    assert isinstance(vocabulary.resolve("care", ("outcome",)), Resolved)
    settled = vocabulary.resolve("care (rgr:construct-x)", ("outcome", "construct"))
    assert isinstance(settled, Resolved) and settled.entity is b
    # the drop-down list shows the CURIE with a shared label
    assert vocabulary.labels(("outcome", "construct")) == [
        "care (rgr:construct-x)",
        "care (rgr:outcome-x)",
    ]


# -- likely duplicates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, alt, reason",
    [
        ("Treatment adherence", (), "the same name"),
        ("treatment adherences", (), "spelling or plural"),
        ("adherence treatment", (), "the same words"),
        ("treatment adherrence", (), "spelt almost like"),
        ("dropout", (), "synonym"),
        ("taking medication as agreed", ("treatment adherence",), "synonym"),
    ],
)
def test_a_new_entity_close_to_an_existing_one_is_flagged(
    vocabulary: Vocabulary, label: str, alt: tuple[str, ...], reason: str
) -> None:
    found = vocabulary.near_duplicates(label, alt)
    assert found, label
    assert reason in found[0].reason, found[0].reason
    assert found[0].entity.iri in (ADHERENCE, DROP_OUT)


def test_a_new_entity_unlike_any_is_not_flagged(vocabulary: Vocabulary) -> None:
    assert vocabulary.near_duplicates("readmission to hospital") == []
    assert vocabulary.near_duplicates("crisis house", ("respite house",)) == []
    # the entities the curator says it is not are skipped
    assert vocabulary.near_duplicates("treatment adherences", skip=[ADHERENCE]) == []
