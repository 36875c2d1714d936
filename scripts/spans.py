#!/usr/bin/env python3
"""Find text spans (passages) of the review, and give citations and passages their designed labels.

The review's text is ``000_dcfd1bd9bcf5d22a.txt`` in the folder of the setting ``seed_dir``
(``../shared/seed`` beside the checkout; ``relgraph.toml``, ``RELGRAPH_SEED_DIR`` or
``-s seed_dir=PATH`` as for every relgraph command).  Offsets are zero-based Python ``str``
indices into the file read as UTF-8; the end offset is exclusive, so
``text[start:end] == quotation``.

Anchors are written as plain words.  Matching tolerates what the PDF extraction did to the
text: any space in an anchor matches any run of white space (also none), a line-end
hyphenation ``-\\n`` may occur after any character, and a straight apostrophe matches a curly
one.  An anchor must match exactly once inside the range it is searched in, so ambiguous
anchors fail loudly instead of silently picking the wrong place.

Commands::

    spans.py find "Geller et al. 1976" [--within section-role-theory] [--end "end anchor"]
        print start, end and the quotation of a span (and a Turtle snippet with --ttl ID)
    spans.py sections
        print the span of every review section
    spans.py relabel [--check]
        rewrite the labels and descriptions of every citation and passage in data/ in
        their designed form (from the work, the section, the offsets and the kinds of
        entity curated from the passage); with --check, only report the stale ones

The checks of the data are ``relgraph check``'s (SHACL shapes, the quality queries of
``queries/checks/``, the span and fidelity checks): this script no longer has its own.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import cache
from pathlib import Path

from relgraph.settings import Settings
from relgraph.vocab import DCTERMS, RG, RGR

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings.load(ROOT)
DATA = SETTINGS.path("data_dir")
ONTOLOGY = SETTINGS.path("ontology_dir")
SOURCE_FILE = "000_dcfd1bd9bcf5d22a.txt"
SEED = SETTINGS.path("seed_dir") / SOURCE_FILE

#: (id, order, label, heading as it stands on its own line in the text)
SECTIONS = [
    ("section-abstract", 1, "Abstract", "Abstract"),
    ("section-introduction", 2, "Introduction", "Introduction"),
    ("section-role-theory", 3, "Role theory", "Role theory"),
    ("section-psychoanalysis", 4, "Psychoanalysis", "Psychoanalysis"),
    ("section-social-constructionism", 5, "Social constructionism", "Social constructionism"),
    ("section-systems-theory", 6, "Systems theory", "Systems theory"),
    ("section-social-psychology", 7, "Social psychology", "Social psychology"),
    ("section-cognitive-behaviourism", 8, "Cognitive behaviourism", "Cognitive behaviourism"),
    ("section-discussion", 9, "Discussion", "Discussion"),
    ("section-conclusions", 10, "Conclusions", "Conclusions"),
]


@cache
def load_text() -> str:
    """Return the review's text exactly as read from the seed file."""
    if not SEED.is_file():
        raise SystemExit(f"the review's text is not at {SEED} (setting seed_dir)")
    return SEED.read_text(encoding="utf-8")


def section_spans(text: str | None = None) -> dict[str, tuple[int, int]]:
    """Return {section id: (start, end)}; a section runs from its heading to the next one."""
    text = load_text() if text is None else text
    starts = []
    for sid, _order, _label, heading in SECTIONS:
        if sid == "section-abstract":
            pos = text.index("Abstract")
        else:
            m = [x for x in re.finditer(r"(?m)^" + re.escape(heading) + r"\n", text)]
            if len(m) != 1:
                raise SystemExit(f"heading {heading!r} found {len(m)} times")
            pos = m[0].start()
        starts.append((sid, pos))
    spans = {}
    for i, (sid, pos) in enumerate(starts):
        nxt = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        spans[sid] = (pos, pos + len(text[pos:nxt].rstrip()))
    return spans


def anchor_regex(anchor: str) -> re.Pattern[str]:
    """Turn a plain-words anchor into a regex tolerant of the PDF extraction's breaks."""
    parts = []
    for ch in anchor:
        if ch == " ":
            parts.append(r"\s*")
            continue
        if ch in "'’‘":
            parts.append("[’‘']")
        elif ch == "-":
            parts.append(r"-\n?")
        else:
            parts.append(re.escape(ch))
        parts.append(r"(?:-\n)?")
    pat = "".join(parts)
    pat = re.sub(r"(\(\?:-\\n\)\?)+$", "", pat)  # no trailing hyphen break
    return re.compile(pat)


def find(anchor: str, lo: int = 0, hi: int | None = None, unique: bool = True) -> tuple[int, int]:
    """Return (start, end) of the one match of ``anchor`` in ``TEXT[lo:hi]``."""
    text = load_text()
    hi = len(text) if hi is None else hi
    rx = anchor_regex(anchor)
    hits = [(m.start() + lo, m.end() + lo) for m in rx.finditer(text[lo:hi])]
    hits = [h for h in hits if h[1] > h[0]]
    if not hits:
        raise LookupError(f"anchor not found: {anchor!r} in [{lo},{hi})")
    if unique and len(hits) > 1:
        raise LookupError(f"anchor not unique ({len(hits)} hits): {anchor!r} in [{lo},{hi})")
    return hits[0]


def span(start_anchor: str, end_anchor: str | None, lo: int, hi: int) -> tuple[int, int]:
    """Span from the unique START match to the end of the first END match after it."""
    s, e = find(start_anchor, lo, hi)
    if end_anchor:
        _, e = find(end_anchor, s, hi, unique=False)
    return s, e


def section_of(start: int, end: int) -> str:
    """Return the id of the section containing [start, end)."""
    for sid, (lo, hi) in section_spans().items():
        if lo <= start and end <= hi:
            return sid
    raise LookupError(f"span [{start},{end}) lies in no single section")


def ttl_string(s: str) -> str:
    """Quote a string as a Turtle short string literal."""
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{s}"'


def section_title(section: str) -> str:
    """The heading of a section id, e.g. 'Role theory' for section-role-theory."""
    return next(lbl for sid, _o, lbl, _h in SECTIONS if sid == section)


def passage_label(section: str, start: int, end: int, cited: str | None = None) -> str:
    """The designed label of a passage (of a citation of ``cited``, if given)."""
    where = f"characters {start}-{end}"
    if cited:
        return f"passage: citation of {cited} ({section_title(section)}, {where})"
    return f"passage: {section_title(section)}, {where}"


def passage_description(
    section: str, start: int, end: int, *, cited: str | None = None, owners: str = ""
) -> str:
    """The designed description of a passage: where it is, and what was curated from it."""
    where = (
        f"Characters {start} to {end} of the review's text, in the {section_title(section)} section"
    )
    if cited:
        return f"{where}, where the review cites {cited}."
    if owners:
        verb = "were" if " and " in owners or owners.split(" ", 1)[0] in _PLURAL_COUNTS else "was"
        return f"{where}, from which {owners} {verb} curated."
    return f"{where}."


def citation_label(work: str, section: str, start: int, end: int) -> str:
    """The designed label of a citation: the work, where the review cites it."""
    return f"{work} cited in {section_title(section)} (characters {start}-{end})"


def citation_description(work: str, section: str, claims: str) -> str:
    """The designed description of a citation; ``claims`` says what it supports by kind."""
    return (
        f"An in-text citation of {work} in the {section_title(section)} section of the review,"
        f" given in support of {claims}."
    )


_NUMBERS = "zero one two three four five six seven eight nine ten".split()
_PLURAL_COUNTS = set(_NUMBERS[2:])


def counted(kinds: list[str]) -> str:
    """'one finding and two review statements' from a list of kind labels."""
    order: list[str] = []
    for k in kinds:
        if k not in order:
            order.append(k)
    parts = []
    for k in order:
        n = kinds.count(k)
        number = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
        parts.append(f"{number} {k}" + ("" if n == 1 else "s"))
    return joined(parts)


def joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def passage_ttl(
    pid: str, start: int, end: int, owner_label: str | None = None, section: str | None = None
) -> str:
    """Return the Turtle block of one passage (run ``spans.py relabel`` once it is linked)."""
    section = section or section_of(start, end)
    label = passage_label(section, start, end)
    description = passage_description(section, start, end)
    return (
        f"rgr:{pid} a rg:Passage ;\n"
        f"    rdfs:label {ttl_string(label)}@en ;\n"
        f"    dcterms:description {ttl_string(description)}@en ;\n"
        f"    rg:inSection rgr:{section} ;\n"
        f"    rg:inDocument rgr:review ;\n"
        f'    rg:sourceFile "{SOURCE_FILE}" ;\n'
        f'    rg:startOffset "{start}"^^xsd:nonNegativeInteger ;\n'
        f'    rg:endOffset "{end}"^^xsd:nonNegativeInteger ;\n'
        f"    rg:quotation {ttl_string(load_text()[start:end])}^^xsd:string .\n"
    )


# ---------------------------------------------------------------- designed labels


def relabel(write: bool = True) -> list[str]:
    """Give every citation and passage of data/ its designed label and description.

    Citation: "<work> cited in <Section> (characters a-b)", described by the kinds of
    claim it supports. Passage: "passage: <Section>, characters a-b" (or "passage:
    citation of <work> (...)"), described by where it is and what was curated from it:
    defined entities by kind and label, claims counted by kind. Returns the subjects
    whose label or description changed (written back unless ``write`` is False).
    """
    import rdflib
    from rdflib import RDF, RDFS, Literal, URIRef

    from relgraph.store.formatting import format_file

    dcdesc = URIRef(str(DCTERMS.description))
    rg = rdflib.Namespace(str(RG))
    files = sorted(DATA.glob("*.ttl"))
    graphs = {f: rdflib.Graph().parse(f, format="turtle") for f in files}
    everything = rdflib.Graph()
    for g in graphs.values():
        everything += g
    onto = rdflib.Graph()
    for f in [ONTOLOGY / "relgraph.ttl", *sorted((ONTOLOGY / "modules").glob("*.ttl"))]:
        onto.parse(f, format="turtle")
    superclasses = {
        c: set(onto.transitive_objects(c, RDFS.subClassOf)) for c in onto.subjects(RDF.type, None)
    }

    def kind(node: URIRef) -> tuple[str, bool]:
        """(label of the most specific rg: class, is it a claim or research gap?)"""
        types = [t for t in everything.objects(node, RDF.type) if str(t).startswith(str(RG))]
        specific = [
            t for t in types if not any(t in superclasses.get(o, ()) for o in types if o != t)
        ]
        best = sorted(specific or types, key=str)[0] if (specific or types) else None
        if best is None:
            return "entity", False
        label = str(onto.value(best, RDFS.label) or best.rsplit("/", 1)[-1])
        ancestors = superclasses.get(best, set())
        return label, bool({rg.Claim, rg.ResearchGap} & (ancestors | {best}))

    def label_of(node: URIRef) -> str:
        return str(everything.value(node, RDFS.label) or node)

    def offsets(p: URIRef) -> tuple[str, int, int]:
        sec = str(everything.value(p, rg.inSection))[len(str(RGR)) :]
        return sec, int(everything.value(p, rg.startOffset)), int(everything.value(p, rg.endOffset))

    wanted: dict[URIRef, tuple[str, str]] = {}
    for c in everything.subjects(RDF.type, rg.Citation):
        work = label_of(everything.value(c, rg.citesWork))
        passage = everything.value(c, rg.derivedFromPassage)
        sec, a, b = offsets(passage)
        claims = sorted(everything.objects(c, rg.supportsClaim), key=str)
        kinds = [kind(x)[0] for x in claims]
        wanted[c] = (
            citation_label(work, sec, a, b),
            citation_description(work, sec, counted(kinds)),
        )
    for p in everything.subjects(RDF.type, rg.Passage):
        sec, a, b = offsets(p)
        owners = sorted(everything.subjects(rg.derivedFromPassage, p), key=str)
        citations = [o for o in owners if (o, RDF.type, rg.Citation) in everything]
        sections = [o for o in owners if (o, RDF.type, rg.ReviewSection) in everything]
        if citations:
            work = label_of(everything.value(citations[0], rg.citesWork))
            wanted[p] = (passage_label(sec, a, b, work), passage_description(sec, a, b, cited=work))
            continue
        if sections:
            title = section_title(sec)
            wanted[p] = (
                f"passage: the {title} section (characters {a}-{b})",
                f"Characters {a} to {b} of the review's text: the whole {title} section.",
            )
            continue
        named, claim_kinds = [], []
        for o in owners:
            k, is_claim = kind(o)
            if is_claim:
                claim_kinds.append(k)
            else:
                named.append((k, label_of(o)))
        parts = [f'the {k} "{lab}"' for k, lab in sorted(named)]
        if claim_kinds:
            parts.append(counted(sorted(claim_kinds)))
        wanted[p] = (passage_label(sec, a, b), passage_description(sec, a, b, owners=joined(parts)))
    changed: list[str] = []
    for f, g in graphs.items():
        dirty = False
        for node, (label, description) in wanted.items():
            if (node, RDF.type, None) not in g:
                continue
            new = {
                (RDFS.label, Literal(label, lang="en")),
                (dcdesc, Literal(description, lang="en")),
            }
            old = {(RDFS.label, o) for o in g.objects(node, RDFS.label)}
            old |= {(dcdesc, o) for o in g.objects(node, dcdesc)}
            if old == new:
                continue
            changed.append(str(node))
            dirty = True
            for prop, value in old:
                g.remove((node, prop, value))
            for prop, value in new:
                g.add((node, prop, value))
        if dirty and write:
            g.serialize(f, format="turtle")
            format_file(f)
    return sorted(changed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("find", help="print the span of an anchor")
    f.add_argument("anchor")
    f.add_argument("--end", help="end anchor")
    f.add_argument("--within", help="section id to search in")
    f.add_argument("--ttl", metavar="ID", help="also print a passage block with this id")
    sub.add_parser("sections", help="print the section spans")
    rel = sub.add_parser("relabel", help="designed labels of citations and passages")
    rel.add_argument("--check", action="store_true", help="only report stale labels")
    a = ap.parse_args(argv)
    if a.cmd == "find":
        text = load_text()
        lo, hi = section_spans()[a.within] if a.within else (0, len(text))
        s, e = span(a.anchor, a.end, lo, hi)
        print(s, e, repr(text[s:e]))
        if a.ttl:
            print(passage_ttl(a.ttl, s, e, None))
        return 0
    if a.cmd == "sections":
        text = load_text()
        for sid, (s, e) in section_spans().items():
            print(sid, s, e, repr(text[s : s + 30]), "...", repr(text[e - 30 : e]))
        return 0
    if a.cmd == "relabel":
        stale = relabel(write=not a.check)
        for node in stale:
            print(("stale: " if a.check else "relabelled: ") + node)
        print(f"{len(stale)} citations and passages {'to relabel' if a.check else 'relabelled'}")
        return 1 if a.check and stale else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
