"""Passages reflowed for reading (issue 11).

Computed from the real graph, checked against the review.
McGuire, McCabe and Priebe (2001) is the source of every expected fact below;
each test quotes the sentence it checks.
"""

from __future__ import annotations

from relgraph.views.reflow import lexicon_of, reflow
from tests import SEED_DIR, requires_seed


@requires_seed
def test_reflow_joins_soft_hyphens_and_keeps_compounds() -> None:
    text = next(SEED_DIR.glob("*.txt")).read_text(encoding="utf-8")
    lexicon = lexicon_of(text)
    start = text.index("The second, consumer-")
    out = " ".join(reflow(text[start : start + 200], lexicon))
    assert "consumer-based, model emphasises the authority of the patient" in out
    assert reflow("has been found to predict treatment ad-\nherence and", lexicon) == [
        "has been found to predict treatment adherence and"
    ]
