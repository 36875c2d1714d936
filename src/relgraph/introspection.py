"""What the service says about itself: SPARQL Service Description, VoID, statistics.

Both descriptions are rdflib graphs, serialised by rdflib in whatever RDF
syntax the client negotiated. Statistics are computed once per store with
SPARQL aggregates (our own, trusted queries, run in-process).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from relgraph import __version__
from relgraph.store import GraphStore
from relgraph.vocab import BASE, ONTOLOGY_IRI, OWL, PREFIXES, RG, RGR

__all__ = [
    "SD",
    "VOID",
    "FORMATS",
    "RDF_DOCUMENT_TYPES",
    "Statistics",
    "statistics",
    "service_description",
    "void_description",
    "serialize_graph",
    "ontology_version",
    "vocabulary_terms",
]

#: SPARQL 1.1 Service Description vocabulary.
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: VoID vocabulary.
VOID = Namespace("http://rdfs.org/ns/void#")
#: W3C unique URIs for formats.
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: Media types of RDF documents we write -> rdflib serializer name, preferred first.
RDF_DOCUMENT_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}

_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
)


@dataclass
class Statistics:
    """Counts over the whole store (all named graphs merged)."""

    triples: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    entities: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)


def _count(store: GraphStore, query: str) -> int:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        term = solution["n"]
        return int(term.value) if term is not None else 0
    return 0


def _pairs(store: GraphStore, query: str) -> dict[str, int]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    out: dict[str, int] = {}
    for solution in result:
        key, n = solution["k"], solution["n"]
        if isinstance(key, ox.NamedNode) and n is not None:
            out[key.value] = int(n.value)
    return out


def statistics(store: GraphStore) -> Statistics:
    """Count triples, subjects, objects, and the class and property partitions."""
    return Statistics(
        triples=_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_subjects=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=_count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        entities=_count(
            store,
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?s)) }",
        ),
        classes=_pairs(
            store,
            "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k",
        ),
        properties=_pairs(
            store, "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s ?k ?o } GROUP BY ?k ORDER BY ?k"
        ),
        graphs={g.iri: g.triples for g in store.graphs()},
    )


def ontology_version(store: GraphStore) -> str:
    """The ontology's ``owl:versionIRI`` ('' if none)."""
    result = store.query(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> owl:versionIRI ?v }}")
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        term = solution["v"]
        return term.value if term is not None else ""
    return ""


def vocabulary_terms(store: GraphStore) -> list[dict[str, str]]:
    """Labelled classes and properties, for the editor's autocompletion."""
    result = store.query(
        """SELECT ?term (SAMPLE(?l) AS ?label) (SAMPLE(?k) AS ?kind) WHERE {
          VALUES (?type ?k) { (owl:Class "class") (rdfs:Class "class")
            (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
            (owl:AnnotationProperty "property") (rdf:Property "property") }
          ?term a ?type ; rdfs:label ?l .
          FILTER(isIRI(?term) && (lang(?l) = "" || langMatches(lang(?l), "en")))
        } GROUP BY ?term ORDER BY ?term"""
    )
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for solution in result:
        term, label, kind = solution["term"], solution["label"], solution["kind"]
        if term is None or label is None or kind is None:
            continue
        out.append({"iri": term.value, "label": label.value, "kind": kind.value})
    return out


def _graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, replace=True)
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    return graph


def _void_counts(graph: Graph, node: URIRef | BNode, stats: Statistics) -> None:
    graph.add((node, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    graph.add((node, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    graph.add((node, VOID.distinctObjects, Literal(stats.distinct_objects)))
    graph.add((node, VOID.entities, Literal(stats.entities)))
    graph.add((node, VOID.classes, Literal(len(stats.classes))))
    graph.add((node, VOID.properties, Literal(len(stats.properties))))


def service_description(endpoint: str, stats: Statistics, void_iri: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint."""
    graph = _graph()
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only relgraph endpoint: updates, SERVICE and fetching FROM "
                "graphs are refused; queries are time-limited and row-capped.",
                lang="en",
            ),
        )
    )
    for name in _RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, DCTERMS.source, URIRef(void_iri)))
    default = BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    _void_counts(graph, default, stats)
    for iri, triples in stats.graphs.items():
        named = BNode()
        inner = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(triples, datatype=XSD.integer)))
    return graph


def void_description(endpoint: str, void_iri: str, stats: Statistics, version: str) -> Graph:
    """A VoID description with statistics and class and property partitions."""
    graph = _graph()
    dataset = URIRef(void_iri + "#relgraph")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("relgraph", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "A knowledge graph of the theories of the therapeutic relationship in "
                "psychiatry, curated from one review.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((dataset, VOID.uriSpace, Literal(BASE)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(RG))))
    graph.add((dataset, VOID.exampleResource, URIRef(str(RGR) + "review")))
    graph.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    if version:
        graph.add((dataset, OWL.versionIRI, URIRef(version)))
    _void_counts(graph, dataset, stats)
    for n, (cls, count) in enumerate(sorted(stats.classes.items())):
        part = URIRef(f"{void_iri}#class-{n}")
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(cls)))
        graph.add((part, VOID.entities, Literal(count)))
    for n, (prop, count) in enumerate(sorted(stats.properties.items())):
        part = URIRef(f"{void_iri}#property-{n}")
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(prop)))
        graph.add((part, VOID.triples, Literal(count)))
    for n, (iri, triples) in enumerate(sorted(stats.graphs.items())):
        subset = URIRef(f"{void_iri}#graph-{n}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(iri)))
        graph.add((subset, VOID.triples, Literal(triples)))
    return graph


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    """Serialise an rdflib graph in the syntax of a media type of RDF_DOCUMENT_TYPES.

    Turtle is written by rdflib, which nests blank nodes; the other syntaxes go
    through pyoxigraph's writers (as query answers do).
    """
    if media_type not in RDF_DOCUMENT_TYPES:
        raise ValueError(f"unsupported media type {media_type!r}")
    if media_type == "text/turtle":
        # rdflib groups the triples by subject and nests blank nodes: easier to read.
        return graph.serialize(format="turtle", encoding="utf-8")
    nt = graph.serialize(format="nt", encoding="utf-8")
    triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
    data = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type), prefixes=prefixes)
    assert data is not None
    return data
