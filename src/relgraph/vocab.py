"""Namespaces and IRI constants: the one place relgraph spells out IRIs."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "RG",
    "RGR",
    "GRAPH",
    "OBO",
    "IAO_DEFINITION",
    "CITO",
    "FABIO",
    "SH",
    "PREFIXES",
    "DCTERMS",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "XSD",
    "ONTOLOGY_IRI",
]

#: Base of every relgraph IRI.
BASE = "https://w3id.org/relgraph/"
#: Ontology terms (classes and properties).
RG = Namespace(BASE + "ontology/")
#: Instance data.
RGR = Namespace(BASE + "resource/")
#: Named graphs, one per source file.
GRAPH = Namespace(BASE + "graph/")
#: The ontology's own IRI.
ONTOLOGY_IRI = BASE + "ontology"
OBO = Namespace("http://purl.obolibrary.org/obo/")
#: IAO "definition" annotation property.
IAO_DEFINITION = OBO["IAO_0000115"]
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Prefixes offered to queries, the web editor and serialisations.
PREFIXES: dict[str, str] = {
    "rg": str(RG),
    "rgr": str(RGR),
    "rgg": str(GRAPH),
    "obo": str(OBO),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "cito": str(CITO),
    "fabio": str(FABIO),
    "sh": str(SH),
}
