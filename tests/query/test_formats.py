"""The one registry of output formats (issue 10): adding a format is adding one line.

The registry (``relgraph.query.formats.FORMATS``) is built on pyoxigraph's own
format objects; everything that writes answers, RDF documents or exports reads
it: the endpoint's negotiation, the service description, the downloads, the
CLI and the exports.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from relgraph.query import formats
from relgraph.query.formats import FORMATS, Format, format_named, formats_for


def test_media_types_extensions_and_iris_come_from_pyoxigraph() -> None:
    for f in FORMATS:
        assert f.media_type == f.syntax.media_type.split(";")[0]
        assert f.extension == f.syntax.file_extension
        assert f.iri.startswith("http://www.w3.org/ns/formats/")
    assert format_named("select", "csv").content_type == "text/csv; charset=utf-8"
    assert format_named("graph", "owl").syntax == ox.RdfFormat.RDF_XML


def test_every_kind_has_formats_and_names_are_unique_within_a_kind() -> None:
    for kind in formats.KINDS:
        names = [f.name for f in formats_for(kind)]
        assert names and len(names) == len(set(names)), kind


@pytest.fixture
def with_new_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two formats added the way a developer adds one: a line each in FORMATS."""
    monkeypatch.setattr(
        formats,
        "FORMATS",
        (
            *FORMATS,
            Format("notation3", ox.RdfFormat.N3, frozenset({"graph"})),
            Format("trig", ox.RdfFormat.TRIG, frozenset({"dataset"})),
        ),
    )


@pytest.mark.usefixtures("with_new_formats")
def test_a_new_answer_format_is_served_and_described(client: Any) -> None:
    query = "CONSTRUCT WHERE { ?s a rg:Theory }"
    response = client.get("/sparql", query_string={"query": query, "format": "notation3"})
    assert response.status_code == 200 and response.mimetype == "text/n3"
    assert b"theory-role-theory" in response.data
    refused = client.get("/sparql", query_string={"query": "ASK {}", "format": "notation3"})
    assert refused.status_code == 406 and "format=json" in refused.json["error"]
    description = client.get("/sparql", headers={"Accept": "application/n-triples"}).data
    assert b"<http://www.w3.org/ns/formats/N3>" in description


@pytest.mark.usefixtures("with_new_formats")
def test_a_new_export_format_is_exported(built_cli: Any) -> None:
    invoke = built_cli
    result = invoke("export", "--format", "trig")
    assert result.exit_code == 0, result.output
    quads = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TRIG))
    assert len({q.graph_name for q in quads}) > 1
