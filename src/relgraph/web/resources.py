"""The IRI policy on the server: every IRI of ours at its own path, and links to it.

relgraph's IRIs (``https://w3id.org/relgraph/...``, :data:`relgraph.vocab.BASE`)
are names of things -- a theory, a finding, a class -- not of documents. The
w3id redirect sends ``https://w3id.org/relgraph/<path>`` to ``/<path>`` on the
server; there, as the W3C note *Cool URIs for the Semantic Web* (section 4.2,
303 URIs) recommends for slash IRIs, ``GET /<path>`` answers **303 See
Other** to a document about the thing, ``/<path>.<ext>``, in the format the
client's ``Accept`` header asks for:

=========  =====================  =======================================
extension  media type             what
=========  =====================  =======================================
``html``   text/html              the entity page (browsers)
``json``   application/json       the page's JSON twin (what the page shows)
``ttl``    text/turtle            the RDF description (Turtle)
``jsonld`` application/ld+json    the RDF description (JSON-LD)
``nt``     application/n-triples  the RDF description (N-Triples)
``rdf``    application/rdf+xml    the RDF description (RDF/XML)
=========  =====================  =======================================

Documents answer 200 directly, with ``Content-Location`` naming themselves.
The RDF documents are the ``graph`` formats of the one format registry
(:mod:`relgraph.query.formats`). See ``ontology/README.md`` (IRI policy) for
the full rule; the routes are in :mod:`relgraph.web.views`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from relgraph.query.formats import formats_for
from relgraph.vocab import BASE

__all__ = [
    "Document",
    "DOCUMENTS",
    "document_for",
    "local_path",
    "iri_for_path",
    "split_extension",
    "link",
]


@dataclass(frozen=True)
class Document:
    """One kind of document about a thing.

    :ivar extension: the path suffix (without the dot); :ivar media_type: its type;
    :ivar rdf_format: the name of the ``graph`` format in :mod:`relgraph.query.formats`
        ('' for pages).
    :ivar label: its name for people.
    """

    extension: str
    media_type: str
    rdf_format: str
    label: str


def _documents() -> tuple[Document, ...]:
    pages = (
        Document("html", "text/html", "", "HTML page"),
        Document("json", "application/json", "", "JSON (the page's data)"),
    )
    rdf = tuple(Document(f.extension, f.media_type, f.name, f.label) for f in formats_for("graph"))
    return pages + rdf


#: The documents every IRI of ours has, the server's preference first.
DOCUMENTS: tuple[Document, ...] = _documents()
_BY_EXTENSION = {d.extension: d for d in DOCUMENTS}


def document_for(extension: str) -> Document | None:
    """The document kind of a path extension (None if it names none).

    >>> document_for("ttl").media_type
    'text/turtle'
    """
    return _BY_EXTENSION.get(extension)


def split_extension(path: str) -> tuple[str, Document | None]:
    """Split ``theory-role-theory.ttl`` into the name and its document kind.

    A suffix that names no document stays part of the name (``releases/0.1.0``).

    >>> split_extension("resource/theory-role-theory.ttl")[0]
    'resource/theory-role-theory'
    >>> split_extension("ontology/releases/0.1.0")
    ('ontology/releases/0.1.0', None)
    """
    stem, dot, suffix = path.rpartition(".")
    if dot and "/" not in suffix and (doc := document_for(suffix)) is not None:
        return stem, doc
    return path, None


def local_path(iri: str, base: str = BASE) -> str | None:
    """The server path of one of our IRIs, None for an IRI of someone else.

    >>> local_path("https://w3id.org/relgraph/resource/x", "https://w3id.org/relgraph/")
    '/resource/x'
    >>> local_path("http://purl.obolibrary.org/obo/ECO_1", "https://w3id.org/relgraph/") is None
    True
    """
    if not iri.startswith(base) or iri == base:
        return None
    rest = iri[len(base) :]
    if not rest or any(c in rest for c in "?#") or rest.startswith("/"):
        return None
    if split_extension(rest)[1] is not None:
        return None  # would read as a document of another name
    return "/" + rest


def iri_for_path(path: str, base: str = BASE) -> str:
    """The IRI a server path (without extension) stands for.

    >>> iri_for_path("/ontology/Theory", "https://w3id.org/relgraph/")
    'https://w3id.org/relgraph/ontology/Theory'
    """
    return base + path.lstrip("/")


def link(iri: str) -> str:
    """The URL of an entity's page: its own path for our IRIs, ``/entity?iri=`` otherwise.

    Needs a request context (the URL keeps the app's script root).
    """
    path = local_path(iri)
    if path is not None:
        return request.script_root + path
    return url_for("pages.entity", iri=iri)
