"""Tests of relgraph. IRI constants for the fixture terms live here."""

from __future__ import annotations

from pathlib import Path

from relgraph.vocab import RG, RGR

#: The project root (the repository checkout).
ROOT = Path(__file__).resolve().parent.parent
#: The tiny fixture data set.
FIXTURE_DATA = ROOT / "tests" / "data" / "fixture"
#: The mappings of the fixture data set (the real ones of its entities).
FIXTURE_MAPPINGS = ROOT / "tests" / "data" / "mappings"
#: The shared folder beside the checkout.
SHARED = ROOT.parent / "shared"

ROLE_THEORY = RGR["theory-role-theory"]
COLLABORATIVE = RGR["model-collaborative"]
ADHERENCE = RGR["outcome-treatment-adherence"]
FINDING = RGR["finding-collaborative-adherence"]
EISENTHAL = RGR["work-eisenthal-etal-1979"]
THEORY = RG["Theory"]
