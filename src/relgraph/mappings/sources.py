"""The external vocabularies relgraph maps to, and readers for their offline copies.

One table, :data:`SOURCES`, says for each source its CURIE prefix, the one
canonical IRI form of its terms, the file of its offline copy in
``external_dir`` (``../shared/external`` by default), how to read it, and its
licence. The SSSOM curie map (:func:`curie_map`) and the :mod:`curies`
converter (:func:`converter`) are built from the same table, so a prefix and
its IRI form are spelled in one place.

Canonical IRI forms (documented in ``docs/mappings.md``):

* MeSH descriptors: ``https://id.nlm.nih.gov/mesh/Dxxxxxx`` (``MESH:Dxxxxxx``);
* OBO terms (MF, MFOMD, MFOEM, DOID, ECO): OBO PURLs,
  ``http://purl.obolibrary.org/obo/MF_0000041`` (``MF:0000041``);
* BCIO: ``http://humanbehaviourchange.org/ontology/BCIO_nnnnnn`` (``BCIO:nnnnnn``).

Known defects of the copies are repaired on purpose, by URI prefix synonyms
of the converter: MFOEM 2025-06-16 gives "trust" the IRI
``https://purl.obolibrary.org/obo/MFOEM_000224`` (https) and "mistrust"
``https://purl.obolibrary.org/obo/MFOEM:000225`` (https and a colon). The
reader files both under their canonical PURLs (``MFOEM:000224``,
``MFOEM:000225``) and records the IRI found in the copy
(:attr:`Term.source_iri`), so a check can name it.

Readers return a :class:`SourceIndex` of :class:`Term` objects (label,
definition, named parents, deprecation). Parsing all seven copies takes about
half a second; indexes are cached per process by file path and modification
time.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import curies
import pyoxigraph as ox

from relgraph.errors import ConfigError
from relgraph.mappings.terms import Term, TermTable
from relgraph.vocab import (
    BCIO,
    BCIO_ONTOLOGY,
    CC0,
    CC_BY_3,
    CC_BY_4,
    IAO_CURATION_STATUS,
    IAO_DEFINITION,
    MESH,
    MESH_BROWSER,
    NLM_TERMS,
    OBO,
    OBO_HTTPS,
    OWL,
    RDF,
    RDFS,
    RG,
    RGR,
    SEMAPV,
    SKOS,
    SSSOM,
)

__all__ = [
    "ExternalSource",
    "Term",
    "TermTable",
    "SourceIndex",
    "SOURCES",
    "EXTRA_PREFIXES",
    "source_by_prefix",
    "source_of",
    "curie_map",
    "converter",
    "load_index",
    "copies_present",
]

_RDF_TYPE = str(RDF.type)
_LABEL = str(RDFS.label)
_SUBCLASS = str(RDFS.subClassOf)
_DEPRECATED = str(OWL.deprecated)
_OWL_CLASS = str(OWL.Class)
_VERSION_IRI = str(OWL.versionIRI)
_VERSION_INFO = str(OWL.versionInfo)
_DEFINITION = str(IAO_DEFINITION)
_CURATION_STATUS = str(IAO_CURATION_STATUS)


@dataclass(frozen=True)
class ExternalSource:
    """One external vocabulary and its offline copy.

    :ivar prefix: the CURIE prefix, as in the SSSOM curie map (``MESH``).
    :ivar name: the vocabulary's name.
    :ivar uri_prefix: the canonical IRI form: ``uri_prefix + local id``.
    :ivar file: the copy's file name in ``external_dir``.
    :ivar reader: ``owl`` (RDF/XML), ``obo`` (OBO 1.2 flat file) or ``mesh-csv``.
    :ivar version: the version when the copy does not state one (from the
        copies' README).
    :ivar licence: the source's licence (IRI).
    :ivar homepage: where the source is published.
    :ivar term_page: a format string for the source's page about a term
        (``{iri}``, ``{id}``).
    :ivar synonyms: further URI prefixes found in the copy for the same terms
        (known defects, repaired on purpose).
    :ivar local_id: a regular expression every local id must match.
    """

    prefix: str
    name: str
    uri_prefix: str
    file: str
    reader: str
    version: str
    licence: str
    homepage: str
    term_page: str
    local_id: str
    synonyms: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        """The file stem of the source's import module (``ontology/imports/<module>.ttl``)."""
        return self.prefix.lower()


#: The sources, in the order import modules and reports list them.
SOURCES: tuple[ExternalSource, ...] = (
    ExternalSource(
        "MESH",
        "Medical Subject Headings (MeSH) descriptors",
        str(MESH),
        "mesh-descriptors.csv",
        "mesh-csv",
        "2026.1.27.2",
        NLM_TERMS,
        str(MESH),
        MESH_BROWSER,
        r"D\d{6}(\d{3})?",
    ),
    ExternalSource(
        "MF",
        "Mental Functioning Ontology",
        OBO + "MF_",
        "MF.owl",
        "owl",
        "2022-07-19",
        CC_BY_4,
        OBO + "MF.owl",
        "{iri}",
        r"\d{7}",
    ),
    ExternalSource(
        "MFOMD",
        "Mental Disease Ontology",
        OBO + "MFOMD_",
        "MD-core.owl",
        "owl",
        "2022",
        CC_BY_4,
        OBO + "MFOMD.owl",
        "{iri}",
        r"\d{7}",
    ),
    ExternalSource(
        "MFOEM",
        "Emotion Ontology",
        OBO + "MFOEM_",
        "MFOEM.owl",
        "owl",
        "2025-06-16",
        CC_BY_3,
        OBO + "MFOEM.owl",
        "{iri}",
        r"\d{6}",
        (OBO_HTTPS + "MFOEM_", OBO_HTTPS + "MFOEM:"),
    ),
    ExternalSource(
        "BCIO",
        "Behaviour Change Intervention Ontology",
        str(BCIO),
        "bcio.owl",
        "owl",
        "2026-08-06",
        CC_BY_4,
        BCIO_ONTOLOGY + "bcio.owl",
        "{iri}",
        r"\d{6}",
    ),
    ExternalSource(
        "DOID",
        "Human Disease Ontology (mental health slim)",
        OBO + "DOID_",
        "doid-slim.owl",
        "owl",
        "2022",
        CC_BY_4,
        OBO + "doid.owl",
        "{iri}",
        r"\d+",
    ),
    ExternalSource(
        "ECO",
        "Evidence and Conclusion Ontology",
        OBO + "ECO_",
        "eco-basic.obo",
        "obo",
        "2024-07-19",
        CC0,
        OBO + "eco.owl",
        "{iri}",
        r"\d{7}",
    ),
)

#: Prefixes of the curie map that are not mapping targets.
EXTRA_PREFIXES: dict[str, str] = {
    "rg": str(RG),
    "rgr": str(RGR),
    "skos": str(SKOS),
    "semapv": str(SEMAPV),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "sssom": str(SSSOM),
}

_BY_PREFIX = {s.prefix: s for s in SOURCES}


def source_by_prefix(prefix: str) -> ExternalSource:
    """The source of a CURIE prefix (case-insensitive, ``mesh`` = ``MESH``).

    :raises ConfigError: naming the known prefixes.
    """
    for source in SOURCES:
        if source.prefix.lower() == prefix.lower():
            return source
    known = ", ".join(_BY_PREFIX)
    raise ConfigError(f"unknown source {prefix!r}", f"use one of {known}")


def source_of(iri: str) -> ExternalSource | None:
    """The source whose canonical IRI form ``iri`` has, if any.

    >>> source_of("https://id.nlm.nih.gov/mesh/D012649").prefix
    'MESH'
    >>> source_of("https://w3id.org/relgraph/resource/x") is None
    True
    """
    for source in SOURCES:
        if iri.startswith(source.uri_prefix):
            return source
    return None


def curie_map() -> dict[str, str]:
    """The SSSOM curie map: every source's prefix, then the other prefixes used."""
    out = {s.prefix: s.uri_prefix for s in SOURCES}
    out.update(EXTRA_PREFIXES)
    return out


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """The :mod:`curies` converter of :func:`curie_map`, with the sources' URI synonyms.

    >>> converter().compress("http://purl.obolibrary.org/obo/MF_0000041")
    'MF:0000041'
    >>> converter().standardize_uri("https://purl.obolibrary.org/obo/MFOEM:000225")
    'http://purl.obolibrary.org/obo/MFOEM_000225'
    """
    records = [
        curies.Record(
            prefix=s.prefix, uri_prefix=s.uri_prefix, uri_prefix_synonyms=list(s.synonyms)
        )
        for s in SOURCES
    ]
    records += [curies.Record(prefix=p, uri_prefix=u) for p, u in EXTRA_PREFIXES.items()]
    return curies.Converter(records)


@dataclass
class SourceIndex:
    """The terms of one source copy, by canonical IRI, and the copy's version."""

    source: ExternalSource
    path: Path
    version: str
    terms: TermTable

    def get(self, iri: str) -> Term | None:
        """The term with this canonical IRI, if the copy has it."""
        return self.terms.get(iri)

    def own(self, iri: str) -> bool:
        """True when the IRI is in this source's own namespace."""
        return iri.startswith(self.source.uri_prefix)

    def ancestors(self, iri: str) -> list[str]:
        """The IRIs of all named superclasses, nearest first (the term excluded)."""
        seen: dict[str, None] = {}
        todo = list(self.terms[iri].parents) if iri in self.terms else []
        while todo:
            parent = todo.pop(0)
            if parent in seen or parent == iri:
                continue
            seen[parent] = None
            if parent in self.terms:
                todo.extend(self.terms[parent].parents)
        return list(seen)

    @property
    def repaired(self) -> dict[str, str]:
        """Canonical IRI -> IRI in the copy, for every IRI the reader repaired."""
        return {t.iri: t.source_iri for t in self.terms.values() if t.source_iri}


def copies_present(external_dir: Path) -> list[str]:
    """The file names of :data:`SOURCES` that are missing from ``external_dir``."""
    return [s.file for s in SOURCES if not (external_dir / s.file).is_file()]


def load_index(
    source: ExternalSource, external_dir: Path, *, cache_dir: Path | None = None
) -> SourceIndex:
    """Read a source's offline copy (cached by path and modification time).

    :param cache_dir: also keep the index there as a pickle, keyed by the copy's path,
        size, modification time and relgraph's version, so that the next process reads
        it in milliseconds instead of parsing the copy again (~0.5 s per source).
    :raises ConfigError: when the copy is missing or cannot be parsed.
    """
    path = (external_dir / source.file).resolve()
    if not path.is_file():
        raise ConfigError(
            f"the offline copy {source.file} of {source.name} is not in {external_dir}",
            "keep the shared/ folder (with external/) beside the checkout, or set the "
            "external_dir setting (relgraph -s external_dir=PATH)",
        )
    stat = path.stat()
    if cache_dir is None:
        return _load(source, path, stat.st_mtime_ns)
    from relgraph import __version__

    key = hashlib.sha256(  # "terms-v2": the pickle's layout (TermTable's packed tuples)
        f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{__version__}|{source}|terms-v2".encode()
    ).hexdigest()[:24]
    cached = cache_dir / f"{source.prefix}-{key}.pickle"
    try:
        index = pickle.loads(cached.read_bytes())  # noqa: S301 - our own cache file
        if isinstance(index, SourceIndex):
            return index
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError):
        pass
    index = _load(source, path, stat.st_mtime_ns)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only build folder: parse again next time
    return index


@lru_cache(maxsize=32)
def _load(source: ExternalSource, path: Path, _mtime: int) -> SourceIndex:
    readers = {"owl": _read_owl, "obo": _read_obo, "mesh-csv": _read_mesh}
    try:
        version, terms = readers[source.reader](source, path)
    except (SyntaxError, ValueError, OSError, csv.Error) as exc:
        raise ConfigError(
            f"cannot read the offline copy {path}: {exc}",
            "replace it with an unchanged copy of the source's release",
        ) from None
    return SourceIndex(source, path, version or source.version, TermTable(terms))


#: The URI prefixes of known defects: only IRIs starting with one of them are repaired.
_SYNONYMS = tuple(u for s in SOURCES for u in s.synonyms)


def _canonical(iri: str) -> str:
    """The canonical form of an IRI of a copy (only the known defects change)."""
    if not iri.startswith(_SYNONYMS):
        return iri
    return converter().standardize_uri(iri, strict=False) or iri


_OBO_PREFIXES = {s.prefix: s.uri_prefix for s in SOURCES}


def _expand_obo(curie: str) -> str:
    """The IRI of an OBO-format identifier, with the curie map (``ECO:0000304``)."""
    prefix, _, local = curie.partition(":")
    uri_prefix = _OBO_PREFIXES.get(prefix)
    return uri_prefix + local if uri_prefix and local else curie


def _read_owl(source: ExternalSource, path: Path) -> tuple[str, dict[str, Term]]:
    terms: dict[str, Term] = {}
    version = ""

    def term(iri: str) -> Term:
        canonical = _canonical(iri)
        found = terms.get(canonical)
        if found is None:
            found = terms[canonical] = Term(canonical)
        if canonical != iri:
            found.source_iri = iri
        return found

    for triple in ox.parse(path=str(path), format=ox.RdfFormat.RDF_XML):
        s, p, o = triple.subject, triple.predicate.value, triple.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode) and o.value == _OWL_CLASS:
            term(s.value).is_class = True
        elif p == _LABEL and isinstance(o, ox.Literal):
            t = term(s.value)
            t.labels.append((o.value, o.language or ""))
            if o.value.lower().startswith("obsolete "):
                t.deprecated = True
        elif p == _DEFINITION and isinstance(o, ox.Literal):
            t = term(s.value)
            if not t.definition or (o.language or "en") == "en":
                t.definition = o.value
        elif p == _SUBCLASS and isinstance(o, ox.NamedNode):
            term(s.value).parents.append(_canonical(o.value))
        elif p == _DEPRECATED and isinstance(o, ox.Literal) and o.value.lower() == "true":
            term(s.value).deprecated = True
        elif p == _CURATION_STATUS and isinstance(o, ox.Literal) and o.value == "Obsolete":
            term(s.value).deprecated = True
        elif p == _VERSION_INFO and isinstance(o, ox.Literal):
            version = o.value
        elif p == _VERSION_IRI and isinstance(o, ox.NamedNode) and not version:
            dates = re.findall(r"\d{4}-\d{2}-\d{2}", o.value)
            version = dates[-1] if dates else ""
    return version, terms


_OBO_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


def _obo_text(value: str) -> str:
    """The text of an OBO quoted string (``"text" [xrefs]``), unescaped.

    >>> _obo_text('"A type of \\\\"IF:THEN\\\\" rule." [ECO:MCC]')
    'A type of "IF:THEN" rule.'
    """
    match = _OBO_QUOTED.match(value)
    text = match.group(1) if match else value
    return re.sub(r"\\(.)", r"\1", text)


def _read_obo(source: ExternalSource, path: Path) -> tuple[str, dict[str, Term]]:
    import obonet

    graph = obonet.read_obo(str(path), ignore_obsolete=False)
    data_version = str(graph.graph.get("data-version", ""))
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", data_version)
    terms: dict[str, Term] = {}
    for node, data in graph.nodes(data=True):
        if ":" not in str(node):
            continue
        iri = _expand_obo(str(node))
        name = data.get("name")
        terms[iri] = Term(
            iri,
            labels=[(str(name), "")] if name else [],
            definition=_obo_text(str(data.get("def", ""))),
            parents=[_expand_obo(p) for p in data.get("is_a", [])],
            deprecated=str(data.get("is_obsolete", "")).lower() == "true",
            is_class=True,
        )
    return (dates[-1] if dates else ""), terms


def _read_mesh(source: ExternalSource, path: Path) -> tuple[str, dict[str, Term]]:
    terms: dict[str, Term] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if "id" not in header or "subject" not in header:
            raise ValueError("the CSV needs the columns id and subject")
        at_id, at_label = header.index("id"), header.index("subject")
        for row in reader:
            if len(row) > max(at_id, at_label) and row[at_id].startswith(source.uri_prefix):
                terms[row[at_id]] = Term(row[at_id], labels=[(row[at_label], "")])
    return "", terms
