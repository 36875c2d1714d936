"""Issue #8, item 4: clients and content negotiation.

SPARQLWrapper asks for RDF/XML with ``Accept: application/rdf+xml`` plus
``format=rdf+xml&format=application/rdf+xml``, and for N3 with ``format=n3``;
relgraph answered 400 "unknown format". ``ASK`` with ``Accept: text/csv`` was
answered 200 with a body ``true`` labelled CSV, which rdflib's SPARQLStore read
as an empty result. The right answers: the ``format`` values common clients
send are understood, a value naming no format falls back to ``Accept``, and an
answer is only ever sent in a format defined for its kind; otherwise 406,
naming the formats that would work. Checked for every answer kind x format,
and with SPARQLWrapper (every return format, every query form) and rdflib's
SPARQLStore against a live server.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import warnings
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from relgraph.query.formats import FORMATS, formats_for
from tests import ROLE_THEORY

QUERIES = {
    "select": f"SELECT ?label WHERE {{ <{ROLE_THEORY}> rdfs:label ?label }}",
    "ask": "ASK { ?s a rg:Theory }",
    "construct": "CONSTRUCT WHERE { ?s a rg:Theory }",
    "describe": f"DESCRIBE <{ROLE_THEORY}>",
}
KIND = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}
ALL_MEDIA = sorted({m for f in FORMATS for m in f.media_types})
ALL_NAMES = sorted({n for f in FORMATS for n in (f.name, f.media_type, *f.aliases)})


def check_body(form: str, media_type: str, body: bytes) -> None:
    """The body is an answer of the form in the media type, and it is the right one."""
    if media_type == "application/sparql-results+json":
        doc = json.loads(body)
        assert doc["boolean"] is True if form == "ask" else doc["results"]["bindings"]
    elif media_type == "application/sparql-results+xml":
        fmt = ox.QueryResultsFormat.XML
        parsed = ox.parse_query_results(body, format=fmt)
        assert bool(parsed) if form == "ask" else list(parsed)  # type: ignore[arg-type]
    elif media_type in {"text/csv", "text/tab-separated-values"}:
        assert form == "select"
        rows = list(
            csv.reader(io.StringIO(body.decode()), delimiter="," if "csv" in media_type else "\t")
        )
        assert len(rows) == 2 and "role theory" in rows[1][0]
    else:
        assert form in {"construct", "describe"}
        triples = list(ox.parse(body, format=ox.RdfFormat.from_media_type(media_type)))
        assert any(str(ROLE_THEORY) in str(t) for t in triples)


@pytest.mark.parametrize("form", sorted(QUERIES))
def test_every_kind_and_accepted_type(client: Any, form: str) -> None:
    for accept in ALL_MEDIA:
        response = client.get(
            "/sparql", query_string={"query": QUERIES[form]}, headers={"Accept": accept}
        )
        fits = [f for f in formats_for(KIND[form]) if accept in f.media_types]
        if fits:
            assert response.status_code == 200, (accept, response.data)
            assert response.mimetype == fits[0].media_type, accept
            check_body(form, response.mimetype, response.data)
        else:
            assert response.status_code == 406, (accept, response.data)
            for f in formats_for(KIND[form]):
                assert f.media_type in response.json["error"]


@pytest.mark.parametrize("form", sorted(QUERIES))
def test_every_kind_and_format_parameter(client: Any, form: str) -> None:
    for name in ALL_NAMES:
        response = client.get(
            "/sparql",
            query_string={"query": QUERIES[form], "format": name},
            headers={"Accept": "*/*"},
        )
        fits = [f for f in formats_for(KIND[form]) if f.named(name)]
        if fits:
            assert response.status_code == 200, (name, response.data)
            assert response.mimetype == fits[0].media_type, name
            check_body(form, response.mimetype, response.data)
        else:
            assert response.status_code == 406, (name, response.data)
            error = response.json["error"]
            assert "format=json" in error or "format=ttl" in error


def test_ask_as_csv_is_406_naming_what_works(client: Any) -> None:
    """The issue's example: no CSV body 'true' for an ASK."""
    for request in (
        {"headers": {"Accept": "text/csv"}},
        {"headers": {"Accept": "text/tab-separated-values"}},
        {"query_string": {"query": QUERIES["ask"], "format": "csv"}},
    ):
        request.setdefault("query_string", {"query": QUERIES["ask"]})  # type: ignore[arg-type]
        response = client.get("/sparql", **request)
        assert response.status_code == 406
        error = response.json["error"]
        assert "an ASK answer cannot be sent as" in error
        assert "application/sparql-results+json (format=json)" in error
        assert "application/sparql-results+xml (format=xml)" in error
    graph = client.get(
        "/sparql", query_string={"query": QUERIES["construct"]}, headers={"Accept": "text/csv"}
    )
    assert graph.status_code == 406 and "text/turtle (format=ttl)" in graph.json["error"]


def test_sparqlwrapper_format_aliases(client: Any) -> None:
    """The issue's example: format=rdf+xml&format=application/rdf+xml, and format=n3."""
    response = client.get(
        "/sparql",
        query_string=[
            ("query", QUERIES["construct"]),
            ("format", "rdf+xml"),
            ("format", "application/rdf+xml"),
            ("output", "rdf+xml"),
            ("results", "rdf+xml"),
        ],
        headers={"Accept": "application/rdf+xml"},
    )
    assert response.status_code == 200 and response.mimetype == "application/rdf+xml"
    n3 = client.get(
        "/sparql",
        query_string={"query": QUERIES["construct"], "format": "n3"},
        headers={"Accept": "application/turtle,text/turtle,text/rdf+n3,application/n-triples"},
    )
    assert n3.status_code == 200 and n3.mimetype == "text/turtle"


def test_unknown_format_values_fall_back_to_accept(client: Any) -> None:
    for name in ("pdf", "application/x-whatever", ""):
        response = client.get(
            "/sparql",
            query_string={"query": QUERIES["select"], "format": name},
            headers={"Accept": "text/tab-separated-values"},
        )
        assert response.status_code == 200 and response.mimetype == "text/tab-separated-values"


def test_documents_and_stored_results_negotiate_the_same_way(client: Any) -> None:
    void = client.get("/.well-known/void?format=rdf%2Bxml")
    assert void.status_code == 200 and void.mimetype == "application/rdf+xml"
    assert (
        client.get("/.well-known/void?format=pdf", headers={"Accept": "text/turtle"}).mimetype
        == "text/turtle"
    )
    assert client.get("/sparql?format=csv").status_code == 406
    csv_results = client.get("/queries/fx01-models/results?format=csv")
    assert csv_results.status_code == 200 and csv_results.mimetype == "text/csv"
    by_accept = client.get("/queries/fx01-models/results", headers={"Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"
    assert client.get("/queries/fx01-models/results?format=ttl").status_code == 406


def test_downloads_offer_only_formats_of_the_answer(client: Any) -> None:
    for form, query in QUERIES.items():
        data = client.get("/query.json", query_string={"query": query}).json
        offered = {d["format"] for d in data["downloads"]}
        assert offered <= {f.name for f in formats_for(KIND[form])}
        for download in data["downloads"]:
            response = client.get(download["href"])
            assert response.status_code == 200, (form, download)
            check_body(form, response.mimetype, response.data)


def test_cli_refuses_a_format_the_answer_cannot_have(built_cli: Any) -> None:
    invoke = built_cli
    result = invoke("query", QUERIES["ask"], "--format", "csv")
    assert result.exit_code == 2 and "an ASK answer cannot be sent as csv" in result.output
    assert invoke("query", QUERIES["ask"], "--format", "xml").exit_code == 0
    result = invoke("query", QUERIES["construct"], "--format", "tsv")
    assert result.exit_code == 2 and "format=ttl" in result.output


# -- real clients against a live server ---------------------------------------------------------

#: SPARQLWrapper return formats that each query form can be answered in.
DEFINED = {
    "select": {JSON, XML, CSV, TSV},
    "ask": {JSON, XML},
    "construct": {JSON, XML, TURTLE, N3, RDF, RDFXML, JSONLD},
    "describe": {JSON, XML, TURTLE, N3, RDF, RDFXML, JSONLD},
}


def _graph_of(converted: Any) -> rdflib.Graph:
    if isinstance(converted, rdflib.Graph):
        return converted
    if isinstance(converted, dict | list):  # JSON-LD read as plain JSON
        data = json.dumps(converted).encode()
        fmt = ox.RdfFormat.JSON_LD
    else:
        data, fmt = converted, ox.RdfFormat.TURTLE
    nt = ox.serialize([q.triple for q in ox.parse(data, format=fmt)], format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


def _check_converted(form: str, fmt: str, converted: Any) -> None:
    if form == "ask":
        if fmt == JSON:
            assert converted["boolean"] is True
        else:
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    elif form == "select":
        if fmt == JSON:
            assert converted["results"]["bindings"][0]["label"]["value"] == "role theory"
        elif fmt == XML:
            assert converted.getElementsByTagName("literal")[0].firstChild.data == "role theory"
        else:
            assert b"role theory" in converted
    else:
        graph = _graph_of(converted)
        assert (rdflib.URIRef(str(ROLE_THEORY)), None, None) in graph


@pytest.mark.parametrize("form", sorted(QUERIES))
def test_sparqlwrapper_every_return_format(live_server: str, form: str) -> None:
    for fmt in (JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD):
        client = SPARQLWrapper(live_server + "/sparql")
        client.setQuery(QUERIES[form])
        client.setReturnFormat(fmt)
        with warnings.catch_warnings():
            # SPARQLWrapper warns when it sends Accept: */* for a format it does not
            # expect, and reads RDF into rdflib's deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt not in DEFINED[form]:
                with pytest.raises(urllib.error.HTTPError) as info:
                    client.query()
                assert info.value.code == 406, fmt
                body = json.loads(info.value.read())
                info.value.close()
                assert "cannot be sent as" in body["error"]
                continue
            result = client.query()
            try:
                converted = result.convert()
            finally:
                result.response.close()
        _check_converted(form, fmt, converted)


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore(live_server: str, return_format: str) -> None:
    store = SPARQLStore(live_server + "/sparql", returnFormat=return_format)
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(QUERIES["select"]))
    assert [str(row[0]) for row in rows] == ["role theory"]  # type: ignore[index]
    assert graph.query(QUERIES["ask"]).askAnswer is True
    if return_format == "xml":  # the answer to a graph query comes as RDF/XML
        constructed = graph.query(QUERIES["construct"]).graph
        assert constructed is not None and len(constructed) >= 1
        described = graph.query(QUERIES["describe"]).graph
        assert described is not None and (rdflib.URIRef(str(ROLE_THEORY)), None, None) in described


def test_rdflib_sparqlstore_never_reads_ask_as_an_empty_csv(live_server: str) -> None:
    """The issue's example: the 406 reaches the client instead of a silent False."""
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="csv"))
    assert [str(r[0]) for r in graph.query(QUERIES["select"])] == ["role theory"]  # type: ignore[index]
    with pytest.raises(ValueError):
        graph.query(QUERIES["ask"])
