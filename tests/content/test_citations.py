"""The review's in-text citations are all in the graph (folded in from scripts/spans.py, issue 10).

Every year the review's text gives (a citation's author-year) lies inside the
passage of a ``rg:Citation``, except the review's own year in its header.
"""

from __future__ import annotations

import re

from relgraph.store import GraphStore
from tests import SEED_DIR, requires_seed

#: A year as the review's citations give it, not part of a number or a percentage.
YEAR = re.compile(r"(?<![\d.])(19|20)\d\d(?![\d%])")


@requires_seed
def test_every_year_the_review_cites_is_in_a_citation_passage(repo_store: GraphStore) -> None:
    text = (SEED_DIR / "000_dcfd1bd9bcf5d22a.txt").read_text(encoding="utf-8")
    spans = [
        (int(row["start"].value), int(row["end"].value))
        for row in repo_store.rows(
            """SELECT ?start ?end WHERE {
                 ?citation a rg:Citation ; rg:derivedFromPassage ?p .
                 ?p rg:startOffset ?start ; rg:endOffset ?end }"""
        )
    ]
    assert len(spans) > 100
    missing = []
    for match in YEAR.finditer(text):
        if any(a <= match.start() and match.end() <= b for a, b in spans):
            continue
        context = text[max(0, match.start() - 40) : match.end()].replace("\n", " ")
        if match.group() == "2001" and "Priebe" in context:
            continue  # the review's own year, in its header
        missing.append(f"{match.start()}: ...{context}")
    assert not missing, "years of the text in no citation passage:\n" + "\n".join(missing)
