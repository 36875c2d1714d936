"""Word comparison with the review's text (relgraph.checks.wording) and the fidelity checks.

The checks themselves are exercised on failing fixtures in test_checking.py; the
real graph's examples of issue 9 are in tests/issues/test_009_content_fidelity.py.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import relgraph.checks.wording
from relgraph.checks import check_store
from relgraph.checks.fidelity import COPY_LIMIT, fidelity_problems
from relgraph.checks.wording import ReviewText, mentions, passage_words, tokens
from relgraph.settings import Settings
from relgraph.store import GraphStore
from tests import SHARED, requires_seed

SEED = SHARED / "seed" / "000_dcfd1bd9bcf5d22a.txt"


@pytest.fixture(scope="module")
def review() -> ReviewText:
    return ReviewText(SEED.read_text(encoding="utf-8"), limit=COPY_LIMIT)


def test_wording_examples() -> None:
    failures, tried = doctest.testmod(relgraph.checks.wording)
    assert tried > 5 and failures == 0


def test_line_end_hyphens_are_read_both_ways() -> None:
    text = "consumer-\nbased, model; re-\nsearch"
    assert [t.text for t in tokens(text, soft=True)] == ["consumerbased", "model", "research"]
    assert [t.text for t in tokens(text, soft=False)] == [
        "consumer",
        "based",
        "model",
        "re",
        "search",
    ]
    assert text[tokens(text, soft=True)[2].start :] == "re-\nsearch"


def test_mentions_ignores_order_case_plural_and_qualifier() -> None:
    words = passage_words("identities are co-con-\nstructed by the parties")
    assert mentions(words, ["co-constructed identity"])
    assert mentions(passage_words("Physician variables identified"), ["physician (professional)"])
    assert not mentions(passage_words("Patient attachment styles"), ["Relationship Questionnaire"])


@requires_seed
def test_a_run_of_more_than_twelve_words_is_a_copy(review: ReviewText) -> None:
    # the rg:emphasis of social psychology before issue 9 (15 words of the Discussion)
    run = review.copied_run(
        "The tangible and intangible goods exchanged in the therapeutic context and the"
        " social influence strategies used."
    )
    assert run is not None and run.words == 15 and run.counted == 15
    assert review.text[run.start : run.end].startswith("the tangi-\nble and intangible goods")
    # twelve words are allowed
    assert (
        review.copied_run(
            "tangible and intangible goods exchanged in the therapeutic context and the social"
        )
        is None
    )


@requires_seed
def test_copies_across_line_end_hyphens_are_found(review: ReviewText) -> None:
    run = review.copied_run(
        "has been found to predict treatment adherence and outcome across a range of patient"
        " diagnoses and treatment settings"
    )
    assert run is not None and run.words == 18
    assert "ad-\nherence" in review.text[run.start : run.end]


@requires_seed
def test_the_reviews_own_enumerations_do_not_count(review: ReviewText) -> None:
    listed = (
        "Six theories are named: role theory, psychoanalysis, social constructionism, systems"
        " theory, social psychology and cognitive behaviourism."
    )
    assert review.copied_run(listed) is None
    # ... but a sentence around a list still counts its own words
    run = review.copied_run(
        "According to this theory, six classes of resources may be exchanged within an"
        " interpersonal context: love, status, information, money, goods and services"
    )
    assert run is not None and run.words == 22 and run.counted == 15


def test_checks_that_need_the_text_say_they_did_not_run(
    fixture_store: GraphStore, fixture_settings: Settings, tmp_path: Path
) -> None:
    """Without the review's text: one plain info, no error; the other checks still run."""
    missing = tmp_path / "nowhere"
    problems = fidelity_problems(fixture_store, missing)
    assert [(p.severity, p.rule) for p in problems] == [("info", "fidelity/not-run")]
    (info,) = problems
    assert str(missing) in info.message and "did not run" in info.message
    assert "seed_dir" in info.hint
    report = check_store(
        fixture_store,
        fixture_settings.replace(seed_dir=str(missing)),
        reasoner=False,
        phases=("fidelity",),
    )
    assert report.ok and [p.rule for p in report.problems] == ["fidelity/not-run"]
    assert "did not run" in report.render_text()
