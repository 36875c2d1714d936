"""Read and write relgraph's SSSOM mapping set; turn it into SKOS triples.

The mapping set is an SSSOM/TSV file (Simple Standard for Sharing Ontological
Mappings, https://mapping-commons.github.io/sssom/spec-formats-tsv/): a YAML
metadata block whose lines start with ``#`` (``curie_map`` included), then a
tab-separated table with one mapping per row, in the SSSOM slot names.
Reading uses :mod:`yaml`, :mod:`csv` and the :mod:`curies` converter of
:mod:`relgraph.mappings.sources`; the tests validate the same file with
sssom-py. In the graph each row becomes a SKOS mapping triple plus an
``owl:Axiom`` that carries its SSSOM metadata, the reification sssom-py uses
for RDF (the SKOS properties are annotation properties in the ontology, so
the graph stays OWL 2 DL).

The list of entities that are deliberately not mapped (``unmapped.tsv``) is a
plain TSV with a header: ``subject_id``, ``subject_label``,
``subject_category``, ``nearest_id``, ``nearest_label``, ``reason``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from relgraph.errors import LoadError
from relgraph.mappings.sources import converter, curie_map, source_of
from relgraph.vocab import OWL, RDF, RDFS, SKOS, SSSOM, XSD

__all__ = [
    "PREDICATES",
    "JUSTIFICATIONS",
    "COLUMNS",
    "Mapping",
    "MappingSet",
    "Unmapped",
    "read_mapping_set",
    "read_unmapped",
    "write_mapping_set",
    "mapping_quads",
    "to_json",
    "to_tsv",
    "unmapped_tsv",
]

_SKOS = str(SKOS)
#: The SKOS mapping predicates a row may use, as CURIEs.
PREDICATES = tuple(
    f"skos:{p}" for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
#: The SEMAPV justifications SSSOM 1.0 allows.
JUSTIFICATIONS = tuple(
    "semapv:" + j
    for j in (
        "ManualMappingCuration",
        "LexicalMatching",
        "LogicalReasoning",
        "CompositeMatching",
        "UnspecifiedMatching",
        "SemanticSimilarityThresholdMatching",
        "LexicalSimilarityThresholdMatching",
        "MappingChaining",
        "MappingReview",
        "MappingInversion",
        "StructuralMatching",
        "InstanceBasedMatching",
        "BackgroundKnowledgeBasedMatching",
    )
)
#: Columns of the mapping table, in the order they are written.
COLUMNS = (
    "subject_id",
    "subject_label",
    "subject_category",
    "predicate_id",
    "object_id",
    "object_label",
    "object_category",
    "mapping_justification",
    "confidence",
    "object_source_version",
    "mapping_date",
    "comment",
)
_REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
_UNMAPPED_COLUMNS = (
    "subject_id",
    "subject_label",
    "subject_category",
    "nearest_id",
    "nearest_label",
    "reason",
)

_SSSOM = str(SSSOM)
_OWL = str(OWL)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_COMMENT = ox.NamedNode(str(RDFS.comment))
_XSD_DOUBLE = ox.NamedNode(str(XSD.double))
_XSD_DATE = ox.NamedNode(str(XSD.date))
#: SSSOM slots carried on each mapping's axiom in the graph.
_AXIOM_SLOTS = (
    "mapping_justification",
    "confidence",
    "subject_category",
    "object_label",
    "object_category",
    "object_source_version",
    "mapping_date",
)


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping set, in SSSOM slot names (CURIEs for ids).

    :ivar line: the row's line number in the file (1-based), for messages.
    :ivar file: the file's name, for messages (:attr:`where`).
    """

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str
    subject_label: str = ""
    subject_category: str = ""
    object_label: str = ""
    object_category: str = ""
    confidence: float | None = None
    object_source_version: str = ""
    mapping_date: str = ""
    comment: str = ""
    line: int = field(default=0, compare=False)
    file: str = field(default="", compare=False)

    @property
    def where(self) -> str:
        """``<file> line <n>`` (or ``line <n>`` when the file is not known), for messages."""
        return f"{self.file} line {self.line}" if self.file else f"line {self.line}"

    @property
    def subject_iri(self) -> str:
        """The subject's IRI."""
        return _expand(self.subject_id)

    @property
    def object_iri(self) -> str:
        """The object's IRI."""
        return _expand(self.object_id)

    @property
    def predicate_iri(self) -> str:
        """The predicate's IRI."""
        return _SKOS + self.predicate_id.removeprefix("skos:")

    @property
    def source_prefix(self) -> str:
        """The CURIE prefix of the object (its source)."""
        return self.object_id.split(":", 1)[0]

    def row(self) -> dict[str, str]:
        """The row as text, by column."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name in COLUMNS}
        conf = values["confidence"]
        values["confidence"] = "" if conf is None else f"{conf:g}"
        return {c: str(values[c]) for c in COLUMNS}


@dataclass
class MappingSet:
    """An SSSOM mapping set: its metadata (YAML block) and its mappings."""

    metadata: dict[str, Any]
    mappings: list[Mapping]
    path: Path | None = None

    def select(self, prefixes: Iterable[str] = ()) -> MappingSet:
        """The mappings to some sources only (all if ``prefixes`` is empty)."""
        wanted = {p.upper() for p in prefixes}
        rows = [m for m in self.mappings if not wanted or m.source_prefix.upper() in wanted]
        return MappingSet(dict(self.metadata), rows, self.path)

    def to_sssom(self) -> str:
        """The set as SSSOM/TSV text (metadata block, header, rows)."""
        meta = yaml.safe_dump(self.metadata, sort_keys=False, allow_unicode=True, width=1000)
        head = "".join(f"#{line}\n" for line in meta.splitlines())
        return head + to_tsv(self.mappings)


def _expand(curie: str) -> str:
    return converter().expand(curie, strict=False) or curie


def _error(path: Path, line: int | None, message: str, hint: str) -> LoadError:
    return LoadError(message, hint, path=str(path), line=line)


def _split(path: Path) -> tuple[str, list[tuple[int, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _error(path, None, f"cannot read file: {exc.strerror}", "check the path") from exc
    header: list[str] = []
    body: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") and not body:
            header.append(line[1:])
        elif line.strip():
            body.append((number, line))
    return "\n".join(header), body


def read_mapping_set(path: Path) -> MappingSet:
    """Read an SSSOM/TSV file.

    Checks the structure only (columns, CURIEs, predicates, justifications,
    confidences); :mod:`relgraph.mappings.checks` checks the content.

    :raises LoadError: naming the file, the line and what to fix.
    """
    header, body = _split(path)
    try:
        metadata = yaml.safe_load(header) if header.strip() else {}
    except yaml.YAMLError as exc:
        raise _error(
            path, None, f"the metadata block is not valid YAML: {exc}", "fix the #-lines"
        ) from None
    if not isinstance(metadata, dict):
        raise _error(path, 1, "the metadata block is not a YAML mapping", "write key: value lines")
    declared = metadata.get("curie_map") or {}
    expected = curie_map()
    wrong = {p: u for p, u in declared.items() if expected.get(p) not in (None, u)}
    if wrong:
        prefix, uri = next(iter(wrong.items()))
        raise _error(
            path,
            None,
            f"curie_map gives {prefix}: {uri}, but relgraph's canonical form is {expected[prefix]}",
            "use the curie map of relgraph.mappings.sources (relgraph mappings --format sssom)",
        )
    if not body:
        return MappingSet(metadata, [], path)
    columns = body[0][1].split("\t")
    missing = [c for c in _REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown:
        raise _error(
            path,
            body[0][0],
            f"the header row lacks {missing}" if missing else f"unknown columns {unknown}",
            "use the SSSOM slot names " + ", ".join(COLUMNS),
        )
    known_prefixes = set(declared) | set(expected)
    mappings = []
    for number, line in body[1:]:
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise _error(
                path,
                number,
                f"{len(cells)} cells where the header has {len(columns)}",
                "separate cells by one tab; fields may not contain tabs",
            )
        row = dict(zip(columns, cells, strict=True))
        mappings.append(_mapping(path, number, row, known_prefixes))
    return MappingSet(metadata, mappings, path)


def _mapping(path: Path, number: int, row: dict[str, str], prefixes: set[str]) -> Mapping:
    for column in _REQUIRED:
        if not row.get(column, "").strip():
            raise _error(path, number, f"{column} is empty", f"give the {column}")
    for column, value in row.items():
        if value != value.strip() or '"' in value:
            raise _error(
                path,
                number,
                f"{column} {value!r} has surrounding spaces or a double quote",
                'trim the cell; use single quotes in comments (TSV readers treat " specially)',
            )
    for column in ("subject_id", "object_id"):
        prefix, sep, local = row[column].partition(":")
        if not sep or not local or prefix not in prefixes:
            raise _error(
                path,
                number,
                f"{column} {row[column]!r} is not a CURIE with a prefix of the curie map",
                "write PREFIX:id with a prefix of curie_map, e.g. MESH:D012649 or rgr:theory-x",
            )
    if row["predicate_id"] not in PREDICATES:
        raise _error(
            path,
            number,
            f"predicate_id {row['predicate_id']!r} is not a SKOS mapping predicate",
            "use one of " + ", ".join(PREDICATES),
        )
    if row["mapping_justification"] not in JUSTIFICATIONS:
        raise _error(
            path,
            number,
            f"mapping_justification {row['mapping_justification']!r} is not a SEMAPV term",
            "use e.g. semapv:ManualMappingCuration (see the SSSOM specification)",
        )
    confidence: float | None = None
    if row.get("confidence", ""):
        try:
            confidence = float(row["confidence"])
        except ValueError:
            confidence = -1.0
        if not 0.0 <= confidence <= 1.0:
            raise _error(
                path,
                number,
                f"confidence {row['confidence']!r} is not a number between 0 and 1",
                "give the curator's confidence, e.g. 0.9",
            )
    values = {c: row.get(c, "") for c in COLUMNS if c != "confidence"}
    return Mapping(**values, confidence=confidence, line=number, file=path.name)


@dataclass(frozen=True)
class Unmapped:
    """An entity deliberately left unmapped, with the nearest term and why it was rejected."""

    subject_id: str
    subject_label: str
    subject_category: str
    nearest_id: str
    nearest_label: str
    reason: str
    line: int = field(default=0, compare=False)

    @property
    def subject_iri(self) -> str:
        """The subject's IRI."""
        return _expand(self.subject_id)

    @property
    def nearest_iri(self) -> str:
        """The nearest term's IRI ('' if none was considered)."""
        return _expand(self.nearest_id) if self.nearest_id else ""


def read_unmapped(path: Path) -> list[Unmapped]:
    """Read the list of unmapped entities (empty if the file does not exist).

    :raises LoadError: naming the line when a row is malformed.
    """
    if not path.is_file():
        return []
    _, body = _split(path)
    if not body:
        return []
    columns = body[0][1].split("\t")
    if tuple(columns) != _UNMAPPED_COLUMNS:
        raise _error(
            path, body[0][0], "unexpected header row", "use " + "\t".join(_UNMAPPED_COLUMNS)
        )
    out = []
    for number, line in body[1:]:
        cells = line.split("\t")
        if len(cells) != len(columns) or not cells[0] or not cells[-1].strip():
            raise _error(
                path,
                number,
                "a row needs all six cells, a subject_id and a reason",
                "fill the row (nearest_id and nearest_label may be empty)",
            )
        subject, label, category, nearest, nearest_label, reason = cells
        out.append(Unmapped(subject, label, category, nearest, nearest_label, reason, number))
    return out


def to_tsv(mappings: Iterable[Mapping]) -> str:
    """The mappings as a TSV table with a header row (no metadata block)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(COLUMNS)
    for mapping in mappings:
        writer.writerow(mapping.row().values())
    return out.getvalue()


def unmapped_tsv(rows: Iterable[Unmapped]) -> str:
    """The unmapped entities as TSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(_UNMAPPED_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, c) for c in _UNMAPPED_COLUMNS])
    return out.getvalue()


def to_json(mapping_set: MappingSet, unmapped: Iterable[Unmapped] | None = None) -> str:
    """The set as JSON: ``{"metadata": ..., "mappings": [...]}`` (SSSOM slot names).

    With ``unmapped``, a list ``"unmapped"`` of the unmapped entities instead of mappings.
    """
    doc: dict[str, Any] = {"metadata": mapping_set.metadata}
    if unmapped is not None:
        doc["unmapped"] = [{k: v for k, v in asdict(u).items() if k != "line"} for u in unmapped]
    else:
        doc["mappings"] = [
            {k: v for k, v in m.row().items() if v} | {"confidence": m.confidence}
            for m in mapping_set.mappings
        ]
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def write_mapping_set(mapping_set: MappingSet, path: Path) -> None:
    """Write a mapping set as SSSOM/TSV."""
    path.write_text(mapping_set.to_sssom(), encoding="utf-8")


def mapping_quads(path: Path, graph: str) -> list[ox.Quad]:
    """The SKOS triples of an SSSOM file, with one ``owl:Axiom`` per mapping, as quads.

    The axiom (blank node named from the mapping's content, so builds are
    reproducible) carries ``sssom:mapping_justification`` (a SEMAPV IRI),
    ``sssom:confidence``, labels, categories, version, date and
    ``rdfs:comment``. The sssom: annotation properties are declared in the
    same graph.

    :raises LoadError: when the file is malformed (see :func:`read_mapping_set`).
    """
    g = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    for slot in _AXIOM_SLOTS:
        quads.append(
            ox.Quad(
                ox.NamedNode(_SSSOM + slot), _RDF_TYPE, ox.NamedNode(_OWL + "AnnotationProperty"), g
            )
        )
    for m in read_mapping_set(path).mappings:
        s, p, o = ox.NamedNode(m.subject_iri), ox.NamedNode(m.predicate_iri), _object(m, path)
        quads.append(ox.Quad(s, p, o, g))
        key = "\t".join((m.subject_iri, m.predicate_iri, m.object_iri)).encode()
        axiom = ox.BlankNode("m" + hashlib.sha256(key).hexdigest()[:24])
        quads += [
            ox.Quad(axiom, _RDF_TYPE, ox.NamedNode(_OWL + "Axiom"), g),
            ox.Quad(axiom, ox.NamedNode(_OWL + "annotatedSource"), s, g),
            ox.Quad(axiom, ox.NamedNode(_OWL + "annotatedProperty"), p, g),
            ox.Quad(axiom, ox.NamedNode(_OWL + "annotatedTarget"), o, g),
        ]
        quads += [ox.Quad(axiom, pred, value, g) for pred, value in _annotations(m)]
    return quads


def _object(m: Mapping, path: Path) -> ox.NamedNode:
    iri = m.object_iri
    if source_of(iri) is None:
        raise _error(
            path,
            m.line,
            f"object_id {m.object_id!r} is not a term of a mapped source",
            "map to MESH, MF, MFOMD, MFOEM, BCIO, DOID or ECO terms",
        )
    return ox.NamedNode(iri)


def _annotations(m: Mapping) -> Iterator[tuple[ox.NamedNode, ox.Literal | ox.NamedNode]]:
    yield (
        ox.NamedNode(_SSSOM + "mapping_justification"),
        ox.NamedNode(_expand(m.mapping_justification)),
    )
    if m.confidence is not None:
        yield (
            ox.NamedNode(_SSSOM + "confidence"),
            ox.Literal(repr(m.confidence), datatype=_XSD_DOUBLE),
        )
    for slot in ("subject_category", "object_label", "object_category", "object_source_version"):
        value = getattr(m, slot)
        if value:
            yield ox.NamedNode(_SSSOM + slot), ox.Literal(value)
    if m.mapping_date:
        yield ox.NamedNode(_SSSOM + "mapping_date"), ox.Literal(m.mapping_date, datatype=_XSD_DATE)
    if m.comment:
        yield _COMMENT, ox.Literal(m.comment, language="en")
