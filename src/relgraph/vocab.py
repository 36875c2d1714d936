"""Namespaces and IRI constants: the one place relgraph spells out IRIs.

Every other module builds the IRIs it needs from these constants (``RG["Theory"]``,
``f"<{SSSOM}confidence>"``); ``tests/test_vocab.py`` fails on an IRI written as a
string literal anywhere else in ``src/relgraph`` (docstrings aside). The IRI scheme
of relgraph's own terms is written down in ``ontology/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "RG",
    "RGR",
    "GRAPH",
    "ONTOLOGY_IRI",
    "MODULES",
    "IMPORT_MODULES",
    "IMPORTS_GRAPH",
    "SHAPES",
    "SCRATCH",
    "OBO",
    "OBO_HTTPS",
    "IAO_DEFINITION",
    "IAO_CURATION_STATUS",
    "CITO",
    "FABIO",
    "SH",
    "SD",
    "VOID",
    "W3C_FORMATS",
    "SSSOM",
    "SEMAPV",
    "MESH",
    "MESH_BROWSER",
    "NLM_TERMS",
    "BCIO_ONTOLOGY",
    "BCIO",
    "CC_BY_3",
    "CC_BY_4",
    "CC0",
    "PRISM",
    "ORCID",
    "DOI",
    "DOI_RESOLVERS",
    "ECO_AUTHOR_STATEMENT",
    "DCTERMS",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "XSD",
    "PREFIXES",
    "compact_iri",
]

# -- relgraph's own IRIs (ontology/README.md) ------------------------------------------------
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
#: IRIs of the ontology's modules (their ``owl:Ontology`` headers) start with this.
MODULES = ONTOLOGY_IRI + "/modules/"
#: IRIs of the import modules of external terms (``ontology/imports/``) start with this.
IMPORT_MODULES = MODULES + "imports/"
#: Named graphs of the import modules start with this.
IMPORTS_GRAPH = str(GRAPH) + "ontology/imports/"
#: relgraph's SHACL shapes; rule ids drop this namespace.
SHAPES = Namespace(BASE + "shapes/")
#: Scratch IRIs for nodes relgraph makes in passing and never stores (``urn:relgraph:...``).
SCRATCH = "urn:relgraph:"

# -- vocabularies relgraph uses ----------------------------------------------------------------
#: OBO Foundry PURLs.
OBO = Namespace("http://purl.obolibrary.org/obo/")
#: The https form of the OBO PURLs, which some copies use by mistake.
OBO_HTTPS = "https://purl.obolibrary.org/obo/"
#: IAO "definition" annotation property.
IAO_DEFINITION = OBO["IAO_0000115"]
#: IAO "has curation status".
IAO_CURATION_STATUS = OBO["IAO_0000114"]
#: Citation Typing Ontology.
CITO = Namespace("http://purl.org/spar/cito/")
#: FRBR-aligned Bibliographic Ontology.
FABIO = Namespace("http://purl.org/spar/fabio/")
#: SHACL.
SH = Namespace("http://www.w3.org/ns/shacl#")
#: SPARQL 1.1 Service Description.
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: VoID, the Vocabulary of Interlinked Datasets.
VOID = Namespace("http://rdfs.org/ns/void#")
#: W3C's unique URIs for file formats (https://www.w3.org/ns/formats/).
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: SSSOM, the Simple Standard for Sharing Ontological Mappings.
SSSOM = Namespace("https://w3id.org/sssom/")
#: The Semantic Mapping Vocabulary (mapping justifications).
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

# -- the external vocabularies relgraph maps to (relgraph.mappings.sources) --------------------
#: MeSH descriptors (RDF IRIs of the NLM).
MESH = Namespace("https://id.nlm.nih.gov/mesh/")
#: The MeSH browser's page about a descriptor (``{id}``: the descriptor's id).
MESH_BROWSER = "https://meshb.nlm.nih.gov/record/ui?ui={id}"
#: The NLM's terms and conditions of MeSH.
NLM_TERMS = "https://www.nlm.nih.gov/databases/download/terms_and_conditions.html"
#: The Behaviour Change Intervention Ontology's IRI space.
BCIO_ONTOLOGY = Namespace("http://humanbehaviourchange.org/ontology/")
#: BCIO terms (``BCIO_nnnnnn``).
BCIO = Namespace(BCIO_ONTOLOGY + "BCIO_")
#: Creative Commons licences of the external vocabularies.
CC_BY_3 = "https://creativecommons.org/licenses/by/3.0/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"

# -- bibliographic identifiers (studies added from study sheets, relgraph.curation) ----------
#: PRISM, the bibliographic vocabulary of publication name and DOI.
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
#: ORCID iDs of people (curators): ``ORCID + "0000-0002-1825-0097"``.
ORCID = "https://orcid.org/"
#: The DOI resolver: ``DOI + "10.1000/182"``.
DOI = "https://doi.org/"
#: Forms of a DOI written as a link, which a study sheet accepts and reads as the bare DOI.
DOI_RESOLVERS = (DOI, "http://doi.org/", "http://dx.doi.org/", "https://dx.doi.org/")
#: ECO "author statement supported from referenced clinical study used in manual
#: assertion" (ECO_0006017): the evidence type a study's own result gets by default.
ECO_AUTHOR_STATEMENT = OBO["ECO_0006017"]

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


def compact_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """Shorten an IRI with the longest matching prefix, or write it in angle brackets.

    >>> compact_iri("https://w3id.org/relgraph/ontology/Theory")
    'rg:Theory'
    >>> compact_iri("http://example.org/x")
    '<http://example.org/x>'
    """
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
            rest = iri[len(ns) :]
            if rest and all(c.isalnum() or c in "-_." for c in rest):
                best = prefix
    if best:
        return f"{best}:{iri[len(prefixes[best]) :]}"
    return f"<{iri}>"
