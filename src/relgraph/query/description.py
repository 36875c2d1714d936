"""What the service says about itself: SPARQL Service Description, VoID, statistics.

Both descriptions are rdflib graphs, written in whatever RDF syntax the
client negotiated by :func:`relgraph.query.formats.write_document`. Statistics
are computed once per store with SPARQL aggregates (our own, trusted queries,
run in-process).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from relgraph import __version__
from relgraph.query.formats import result_format_iris
from relgraph.store.base import ReadableStore
from relgraph.vocab import (
    BASE,
    DCTERMS,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    RG,
    RGR,
    SD,
    VOID,
    W3C_FORMATS,
    XSD,
)

__all__ = [
    "Statistics",
    "statistics",
    "service_description",
    "void_description",
    "ontology_version",
    "vocabulary_terms",
]


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


def _count(store: ReadableStore, query: str) -> int:
    for row in store.rows(query):
        return int(row["n"].value) if "n" in row else 0
    return 0


def _pairs(store: ReadableStore, query: str) -> dict[str, int]:
    return {
        row["k"].value: int(row["n"].value)
        for row in store.rows(query)
        if "k" in row and "n" in row
    }


def statistics(store: ReadableStore) -> Statistics:
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


def ontology_version(store: ReadableStore) -> str:
    """The ontology's ``owl:versionIRI`` ('' if none)."""
    for row in store.rows(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> owl:versionIRI ?v }}"):
        return row["v"].value if "v" in row else ""
    return ""


def vocabulary_terms(store: ReadableStore) -> list[dict[str, str]]:
    """Labelled classes and properties, for the editor's autocompletion."""
    result = store.rows(
        """SELECT ?term (SAMPLE(?l) AS ?label) (SAMPLE(?k) AS ?kind) WHERE {
          VALUES (?type ?k) { (owl:Class "class") (rdfs:Class "class")
            (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
            (owl:AnnotationProperty "property") (rdf:Property "property") }
          ?term a ?type ; rdfs:label ?l .
          FILTER(isIRI(?term) && (lang(?l) = "" || langMatches(lang(?l), "en")))
        } GROUP BY ?term ORDER BY ?term"""
    )
    return [
        {"iri": row["term"].value, "label": row["label"].value, "kind": row["kind"].value}
        for row in result
        if {"term", "label", "kind"} <= row.keys()
    ]


def _graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, replace=True)
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", W3C_FORMATS)
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
    for iri in result_format_iris():
        graph.add((service, SD.resultFormat, URIRef(iri)))
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
