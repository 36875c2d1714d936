"""Tests of relgraph. IRI constants for the fixture terms live here."""

from __future__ import annotations

from pathlib import Path

import pytest

from relgraph.vocab import GRAPH, RG, RGR

#: The project root (the repository checkout).
ROOT = Path(__file__).resolve().parent.parent
#: The tiny fixture data set.
FIXTURE_DATA = ROOT / "tests" / "data" / "fixture"
#: The mappings of the fixture data set (the real ones of its entities).
FIXTURE_MAPPINGS = ROOT / "tests" / "data" / "mappings"
#: The shared folder beside the checkout (CI and checks only; a clone on its own has none).
SHARED = ROOT.parent / "shared"
#: The review's text, which passage spans point into.
SEED_DIR = SHARED / "seed"
#: Why tests that need the review's text are skipped in a clone on its own.
NO_SEED = (
    f"the review's text is not in {SEED_DIR}: passage spans cannot be verified "
    "(a clone on its own has no ../shared/; CI has it and fails without it)"
)
#: Mark a test that needs the review's text.
requires_seed = pytest.mark.skipif(not SEED_DIR.is_dir(), reason=NO_SEED)


#: The offline copies of the mapped vocabularies (MeSH, MF, MFOMD, MFOEM, BCIO, DOID, ECO).
EXTERNAL_DIR = SHARED / "external"
#: Mark a test that needs the offline copies (skipped in a clone on its own; CI has them and
#: fails without them, see tests/conftest.py).
requires_external = pytest.mark.skipif(
    not EXTERNAL_DIR.is_dir(),
    reason=f"the offline copies are not in {EXTERNAL_DIR} (a clone on its own; CI has them)",
)


#: Mark a test that needs another file of ../shared/ (given as a path below SHARED).
def requires_shared(name: str) -> pytest.MarkDecorator:
    """Skip when ``../shared/<name>`` is absent (a clone on its own; CI has it)."""
    return pytest.mark.skipif(
        not (SHARED / name).is_file(),
        reason=f"{SHARED / name} is not beside the checkout (a clone on its own; CI has it)",
    )


#: Named graphs of the fixture project (one per source file).
MINI_GRAPH = GRAPH["tests/data/fixture/mini"]
CORE_GRAPH = GRAPH["ontology/modules/core"]
EVIDENCE_GRAPH = GRAPH["ontology/modules/evidence"]
MAPPING_GRAPH = GRAPH["mappings/relgraph.sssom"]

#: Namespaces of the fixture terms, as plain strings.
R = str(RGR)
ONT = str(RG)

#: A cross product over the whole fixture graph: far too slow to finish (deadline tests).
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

#: Fixture terms.
ROLE_THEORY = RGR["theory-role-theory"]
COLLABORATIVE = RGR["model-collaborative"]
ADHERENCE = RGR["outcome-treatment-adherence"]
FINDING = RGR["finding-collaborative-adherence"]
EISENTHAL = RGR["work-eisenthal-etal-1979"]
THEORY = RG["Theory"]
