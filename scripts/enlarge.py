#!/usr/bin/env python3
"""Enlarge relgraph's graph synthetically, for benchmarks (deterministic with --seed).

Writes the real sources plus N generated studies as one Turtle data file: per
study a cited work, a finding citing it (with direction, evidence type, factor,
outcome, setting), a citation and a passage whose offsets and quotation are a
real span of the review text (whole words around a mention of psychiatric settings,
the generated finding's setting). The generated data is valid: ``relgraph check``
finds no errors in it.

    scripts/enlarge.py --studies 2000 --seed 1 -o build/enlarged/data/generated.ttl
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = "000_dcfd1bd9bcf5d22a.txt"
HEADER = """@prefix rg: <https://w3id.org/relgraph/ontology/> .
@prefix rgr: <https://w3id.org/relgraph/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

rgr:theory-generated a rg:Theory ;
    rdfs:label "generated theory"@en ;
    dcterms:description "A theory that the generated studies are about."@en ;
    rg:hasMethod rgr:method-generated .
rgr:method-generated a rg:AssessmentMethod ;
    rdfs:label "generated method"@en ;
    dcterms:description "A method used by the generated studies."@en .
rgr:model-generated a rg:RelationshipModel ;
    rdfs:label "generated relationship model"@en ;
    dcterms:description "A relationship model the generated findings are about."@en .
rgr:outcome-generated a rg:Outcome ;
    rdfs:label "generated outcome"@en ;
    dcterms:description "An outcome the generated findings are about."@en .
rgr:setting-generated a rg:Setting ;
    rdfs:label "psychiatric setting (generated)"@en ;
    dcterms:description "A setting of the generated studies."@en ;
    rg:hasSettingKind rg:PsychiatricSettingKind .

"""
DIRECTIONS = ["rg:PositiveDirection", "rg:NegativeDirection", "rg:MixedDirection", "rg:NoDirection"]
EVIDENCE = ["obo:ECO_0000304", "obo:ECO_0006017"]
NAMES = ["smith", "jones", "garcia", "chen", "okafor", "novak", "silva", "berg", "kato", "meyer"]


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _span(rng: random.Random, text: str) -> tuple[int, int]:
    """A span of whole words around a mention of psychiatric settings (so that the
    fidelity checks find the generated finding's setting in its passage)."""
    mentions = [m.span() for m in re.finditer(r"psychiatric\s+settings?", text)]
    begin, finish = rng.choice(mentions)
    words = [m.span() for m in re.finditer(r"[^\W_]+(?:-[ \t]*\n\s*[^\W_]+)*", text)]
    first = next(n for n, (a, _b) in enumerate(words) if a >= begin)
    last = next(n for n, (_a, b) in enumerate(words) if b >= finish)
    first = max(0, first - rng.randint(0, 12))
    last = min(len(words) - 1, last + rng.randint(0, 12))
    return words[first][0], words[last][1]


def study(i: int, rng: random.Random, text: str) -> str:
    """The Turtle of one generated study (about 40 triples)."""
    author = rng.choice(NAMES)
    year = rng.randint(1950, 2020)
    work = f"rgr:work-{author}-{i}-{year}"
    finding = f"rgr:finding-generated-{i}"
    start, end = _span(rng, text)
    passage = f"rgr:passage-generated-{i}"
    return f"""{work} a rg:CitedWork ;
    rdfs:label "{author.title()} {i} {year}"@en ;
    dcterms:description "A generated work number {i}."@en ;
    rg:firstAuthor "{author.title()}" ;
    rg:authorList "{author.title()}" ;
    rg:etAl {str(rng.random() < 0.5).lower()} ;
    rg:publicationYear {year} .
{finding} a rg:Finding ;
    rdfs:label "generated finding {i}"@en ;
    dcterms:description "A generated finding number {i}."@en ;
    rg:hasDirection {rng.choice(DIRECTIONS)} ;
    rg:hasEvidenceType {rng.choice(EVIDENCE)} ;
    rg:hasFactor rgr:model-generated ;
    rg:concernsOutcome rgr:outcome-generated ;
    rg:studiedInSetting rgr:setting-generated ;
    rg:aboutTheory rgr:theory-generated ;
    rg:percentage {rng.randint(0, 100)} ;
    rg:citesAsEvidence {work} ;
    rg:derivedFromPassage {passage} .
rgr:citation-generated-{i} a rg:Citation ;
    rdfs:label "citation {i} of {author.title()} {year}"@en ;
    dcterms:description "A generated citation number {i}."@en ;
    rg:citesWork {work} ;
    rg:supportsClaim {finding} ;
    rg:derivedFromPassage {passage} .
{passage} a rg:Passage ;
    rdfs:label "generated passage {i}"@en ;
    dcterms:description "A generated passage number {i}."@en ;
    rg:sourceFile "{SEED_FILE}" ;
    rg:startOffset {start} ;
    rg:endOffset {end} ;
    rg:quotation {_literal(text[start:end])} .

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, required=True, help="number of generated studies")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same file)")
    parser.add_argument("--seed-dir", type=Path, default=ROOT.parent / "shared" / "seed")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    text = (args.seed_dir / SEED_FILE).read_text(encoding="utf-8")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(args.studies):
            out.write(study(i, rng, text))
    print(f"wrote {args.studies} studies to {args.output}")


if __name__ == "__main__":
    main()
