"""Our IRIs at their own paths (issue 11): paths, extensions and the documents offered."""

from __future__ import annotations

from relgraph.query.formats import formats_for
from relgraph.vocab import BASE, RGR
from relgraph.web.resources import DOCUMENTS, iri_for_path, local_path, split_extension


def test_iri_paths() -> None:
    assert local_path(str(RGR["theory-role-theory"])) == "/resource/theory-role-theory"
    assert local_path(BASE + "ontology") == "/ontology"
    assert local_path("http://purl.obolibrary.org/obo/ECO_0006017") is None
    assert local_path(BASE) is None
    # a name that would read as a document of another name has no path of its own
    assert local_path(BASE + "resource/x.ttl") is None
    assert split_extension("ontology/releases/0.1.0") == ("ontology/releases/0.1.0", None)
    assert iri_for_path("/ontology/Theory") == BASE + "ontology/Theory"


def test_the_documents_are_the_pages_and_the_graph_formats_of_the_registry() -> None:
    extensions = [d.extension for d in DOCUMENTS]
    assert extensions[:2] == ["html", "json"]
    assert extensions[2:] == [f.extension for f in formats_for("graph")]
    assert {"ttl", "jsonld", "nt", "rdf"} <= set(extensions)
