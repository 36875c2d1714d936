"""Canonical Turtle for the diffable sources (``relgraph fmt``)."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.compare import to_canonical_graph

from relgraph.store.sources import BOM, parse_file, to_rdflib_triple
from relgraph.vocab import PREFIXES

__all__ = ["canonical_turtle", "is_canonical", "format_file"]


def canonical_turtle(path: Path) -> str:
    """Return the canonical Turtle text of a file (rdflib ``longturtle``).

    Prefixes are relgraph's standard ones plus those the file declares; only
    the prefixes used are written. Parse errors raise LoadError.
    """
    quads = list(parse_file(path))
    parsed = rdflib.Graph(bind_namespaces="none")  # for the prefixes the file declares
    parsed.parse(data=path.read_bytes().removeprefix(BOM), format="turtle")
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    standard = set(PREFIXES.values())
    for prefix, ns in parsed.namespaces():
        if str(ns) not in standard:
            graph.bind(prefix, ns)
    parsed_triples = rdflib.Graph()
    for quad in quads:
        parsed_triples.add(to_rdflib_triple(quad))
    # Blank nodes get labels derived from the graph's content, so that the order in
    # which the serialiser writes them (it sorts subjects) is the same on every run.
    for triple in to_canonical_graph(parsed_triples):
        graph.add(triple)
    text = graph.serialize(format="longturtle")
    return text if text.endswith("\n") else text + "\n"


def is_canonical(path: Path) -> bool:
    """True when the file already is in canonical form."""
    return path.read_text(encoding="utf-8") == canonical_turtle(path)


def format_file(path: Path) -> bool:
    """Rewrite a file in canonical form; return True if it changed."""
    text = canonical_turtle(path)
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
