"""From the rows of a study sheet to the records of one study, with every problem found.

:func:`parse_study` reads the Work row, the new entities, the findings and the
method applications of a sheet's :class:`~relgraph.curation.tables.Table`
objects; it resolves every cell that names an entity (see
:mod:`relgraph.curation.resolve`), mints the IRIs (see
:mod:`relgraph.curation.naming`) and checks what the graph's shapes would
refuse, so that each mistake is reported at its sheet, row and column: a
finding's form (an association needs a direction, a preference and a
descriptive result have none, a factor needs a partner), numbers and years
written as text, a finding that repeats another row, and a new entity that
duplicates an existing one. Nothing here touches a file or the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from relgraph.curation import naming
from relgraph.curation.kinds import KINDS, NEW_ENTITY_KINDS
from relgraph.curation.problems import SheetProblem
from relgraph.curation.records import (
    DEFAULT_EVIDENCE,
    RESERVED_STUDIES,
    YEAR,
    ClaimRecord,
    EntityRecord,
    Study,
    WorkRecord,
    orcid_checksum_ok,
    valid_date,
)
from relgraph.curation.resolve import Entity, Resolved, Vocabulary, name_key
from relgraph.curation.sheets import (
    ENTITIES,
    FINDINGS,
    METHODS,
    SEPARATOR,
    WORK,
    Column,
    SheetSpec,
)
from relgraph.curation.tables import Row, Table
from relgraph.vocab import DOI_RESOLVERS, ORCID, RG, RGR, XSD

__all__ = ["parse_study"]

_RG = str(RG)
_RGR = str(RGR)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID_ID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _values(text: str, column: Column) -> list[str]:
    parts = [p.strip() for p in text.split(SEPARATOR)] if column.multi else [text.strip()]
    return list(dict.fromkeys(p for p in parts if p))


class _Parser:
    def __init__(
        self,
        tables: dict[str, Table],
        vocabulary: Vocabulary,
        taken: Callable[[str], str],
        today: dt.date,
        curator: str,
        default_curator: str = "",
    ) -> None:
        self.tables = tables
        self.vocabulary = vocabulary
        self.taken = taken
        self.today = today
        self.curator = curator
        self.default_curator = default_curator
        self.problems: list[SheetProblem] = []

    def table(self, spec: SheetSpec) -> Table:
        return self.tables.get(spec.name) or Table(spec, spec.file)

    def error(
        self, table: Table, row: Row, key: str, message: str, hint: str = "", **kw: object
    ) -> None:
        self.problems.append(table.problem(row, key, message, hint, **kw))  # type: ignore[arg-type]

    # -- cells ---------------------------------------------------------------------------
    def entities(self, table: Table, row: Row, key: str) -> list[Entity]:
        column = table.spec.column(key)
        text = row.get(key)
        if not text:
            if column.required:
                self.error(table, row, key, f"the {column.header} is missing", column.help)
            return []
        values = text.split(SEPARATOR) if not column.multi else [text]
        if not column.multi and len([v for v in values if v.strip()]) > 1:
            self.error(
                table, row, key, f"the {column.header} takes one value", "keep one", value=text
            )
            return []
        out: list[Entity] = []
        for value in _values(text, column):
            found = self.vocabulary.resolve(value, column.kinds)
            if isinstance(found, Resolved):
                out.append(found.entity)
            else:
                self.error(
                    table, row, key, found.message, found.hint, value=value, nearest=found.nearest
                )
        return out

    def number(self, table: Table, row: Row, key: str) -> tuple[str, str] | None:
        text = row.get(key).replace(",", ".").removesuffix("%").strip()
        if not text:
            return None
        column = table.spec.column(key)
        integer = column.type == "integer"
        pattern = r"^\d+$" if integer else r"^\d+(\.\d+)?$"
        if not re.match(pattern, text):
            kind = "a whole number" if integer else "a number"
            self.error(
                table,
                row,
                key,
                f"the {column.header} {row.get(key)!r} is not {kind}",
                f"write it as {kind}, e.g. {'12' if integer else '42.5'}",
                value=row.get(key),
            )
            return None
        if column.key.startswith("percentage") and float(text) > 100:
            self.error(
                table, row, key, f"the {column.header} {text} is above 100", value=text,
                hint="give a percentage between 0 and 100",
            )  # fmt: skip
            return None
        datatype = "integer" if integer else "decimal"
        return text, str(XSD[datatype])

    def required_text(self, table: Table, row: Row, key: str) -> str:
        text = row.get(key)
        if not text and table.spec.column(key).required:
            column = table.spec.column(key)
            self.error(table, row, key, f"the {column.header} is missing", column.help)
        return text

    # -- the Work row --------------------------------------------------------------------
    def work(self) -> WorkRecord:
        table = self.table(WORK)
        row = table.rows[0] if table.rows else Row(3, {})
        if not table.rows and WORK.name in self.tables:
            self.error(table, row, "", "the Work sheet has no row", "fill in the study's row")
        authors = [a.strip() for a in row.get("authors").split(SEPARATOR) if a.strip()]
        if not authors:
            self.required_text(table, row, "authors")
        elif any(not re.search(r"[^\W\d_]", a) for a in authors):
            self.error(
                table, row, "authors", "an author is not a surname", value=row.get("authors"),
                hint="write the surnames separated by ;, e.g. Smith; Jones",
            )  # fmt: skip
        year_text = row.get("year").strip()
        year, suffix = 0, ""
        match = YEAR.match(year_text)
        if not year_text:
            self.required_text(table, row, "year")
        elif not match:
            self.error(
                table,
                row,
                "year",
                f"the year {year_text!r} is not a year written as a number",
                "write the year in digits, e.g. 2024 (2024a for a second paper of the same"
                " authors and year)",
                value=year_text,
            )
        else:
            year, suffix = int(match.group(1)), match.group(2)
            if not 1850 <= year <= 2100:
                self.error(
                    table, row, "year", f"the year {year} is not between 1850 and 2100",
                    "check the year", value=year_text,
                )  # fmt: skip
        doi = row.get("doi").strip()
        for lead in (*DOI_RESOLVERS, "doi:"):
            if doi.lower().startswith(lead):
                doi = doi[len(lead) :]
        if doi and not _DOI.match(doi):
            self.error(
                table, row, "doi", f"{doi!r} is not a DOI", "a DOI looks like 10.1000/xyz123",
                value=doi,
            )  # fmt: skip
        orcid = row.get("orcid").strip().removeprefix(ORCID)
        if orcid and not (_ORCID_ID.match(orcid) and orcid_checksum_ok(orcid)):
            self.error(
                table, row, "orcid", f"{orcid!r} is not a valid ORCID iD",
                "an ORCID iD looks like 0000-0002-1825-0097 (its last character is a checksum)",
                value=orcid,
            )  # fmt: skip
        date = row.get("date").strip() or self.today.isoformat()
        if not _DATE.match(date) or not valid_date(date):
            self.error(
                table, row, "date", f"{date!r} is not a date", "write it as YYYY-MM-DD",
                value=date,
            )  # fmt: skip
        curator = self.curator or row.get("curator").strip() or self.default_curator
        if not curator:
            self.required_text(table, row, "curator")
        year_text = f"{year}{suffix}" if year else "0000"
        label = naming.work_label(authors or ["Unknown"], year_text)
        local = naming.work_local(authors or ["unknown"], year_text)
        study = row.get("study").strip().removeprefix("rgr:").removeprefix("curation-")
        if study and not naming.NAME_PATTERN.match(study):
            self.error(
                table, row, "study",
                f"the study id {study!r} is not lowercase words joined by hyphens",
                "leave it empty, or write e.g. smith-etal-2024", value=study,
            )  # fmt: skip
        study = study or local.removeprefix("work-")
        if study in RESERVED_STUDIES:
            self.error(
                table, row, "study",
                f"the study id {study!r} names the review, whose findings are curated in data/",
                "correct the review's findings in its Turtle files (data/README.md); import"
                " sheets of other studies", value=study,
            )  # fmt: skip
        iri = _RGR + local
        owner = self.taken(iri)
        if owner and authors and year:
            self.error(
                table, row, "authors",
                f"the work {label} ({naming.local_slug(iri)}) is already in the graph ({owner})",
                "if it is the same study, give its study id in the study id column to replace"
                " it; if it is another paper of the same authors and year, write the year"
                " with a letter (e.g. 2024b)", value=row.get("authors"),
            )  # fmt: skip
        return WorkRecord(
            study, iri, label, authors, year, suffix, row.get("title"), row.get("journal"),
            doi, row.get("description"), curator, orcid, date, row.number,
        )  # fmt: skip

    # -- new entities --------------------------------------------------------------------
    def new_entities(self, work: WorkRecord) -> list[EntityRecord]:
        table = self.table(ENTITIES)
        records: list[tuple[Row, EntityRecord]] = []
        seen: dict[str, int] = {}
        for row in table.rows:
            kind_text = self.required_text(table, row, "kind")
            kind = next((k for k in NEW_ENTITY_KINDS if name_key(k) == name_key(kind_text)), "")
            if kind_text and not kind:
                self.error(
                    table, row, "kind", f"unknown kind {kind_text!r}",
                    "pick one of: " + ", ".join(NEW_ENTITY_KINDS), value=kind_text,
                )  # fmt: skip
            label = " ".join(self.required_text(table, row, "label").split())
            definition = self.required_text(table, row, "definition")
            alts = _values(row.get("alt_labels"), ENTITIES.column("alt_labels"))
            if not (kind and label):
                continue
            prefix = KINDS[kind].prefix
            iri = self.row_iri(table, row, prefix, prefix + naming.slug(label), work.study)
            if not iri:
                continue
            if iri in seen or name_key(label) in seen:
                first = seen.get(iri) or seen.get(name_key(label))
                self.error(
                    table, row, "label", f"this entity repeats row {first} ({label!r})",
                    "keep one row per entity", value=label,
                )  # fmt: skip
                continue
            seen[iri] = seen[name_key(label)] = row.number
            record = EntityRecord(ENTITIES.name, row.number, iri, kind, label, alts, definition)
            records.append((row, record))
        for _row, record in records:  # before any cell is resolved: rows may name each other
            kinds = {record.kind} | {k for k in KINDS if _is_subkind(record.kind, k)}
            names = tuple(record.alt_labels)
            self.vocabulary.add(Entity(record.iri, record.label, names, frozenset(kinds), True))
        out = []
        for row, record in records:
            different = self.entities(table, row, "different")
            skip = {record.iri} | {e.iri for e in different}
            for duplicate in self.vocabulary.near_duplicates(
                record.label, record.alt_labels, skip=skip
            ):
                self.error(
                    table, row, "label",
                    f"likely duplicate: {duplicate.reason}",
                    f"use {duplicate.entity.label!r} ({duplicate.entity.curie}) in the other"
                    " sheets and delete this row; if it really is another entity, name"
                    f" {duplicate.entity.curie} in the 'not the same as' column",
                    value=record.label,
                )  # fmt: skip
            for key in ("setting_kind", "implements", "measures"):
                column = ENTITIES.column(key)
                found = self.entities(table, row, key)
                allowed = {
                    "setting_kind": ("setting",),
                    "implements": ("instrument",),
                    "measures": ("instrument", "assessment method"),
                }[key]
                if found and record.kind not in allowed:
                    self.error(
                        table, row, key,
                        f"a {record.kind} has no {column.header}",
                        f"leave it empty; it is for a {' or '.join(allowed)}",
                    )  # fmt: skip
                    continue
                if found:
                    record.links[column.predicate] = [e.iri for e in found]
            if record.kind == "setting" and not row.get("setting_kind"):
                self.error(
                    table, row, "setting_kind", "a new setting needs its setting kind",
                    ENTITIES.column("setting_kind").help,
                )  # fmt: skip
            if different:
                record.links[ENTITIES.column("different").predicate] = [e.iri for e in different]
            out.append(record)
        return out

    def row_iri(self, table: Table, row: Row, prefix: str, minted: str, study: str) -> str:
        """The IRI of a row: its id column if filled (checked), else a minted name."""
        given = row.get("id").strip().removeprefix(_RGR).removeprefix("rgr:").strip("<>")
        if given:
            if not (naming.NAME_PATTERN.match(given) and given.startswith(prefix)):
                self.error(
                    table, row, "id",
                    f"the id {given!r} is not rgr:{prefix}... in lowercase words joined by hyphens",
                    "leave the id empty: the import names the row", value=row.get("id"),
                )  # fmt: skip
                return ""
            owner = self.taken(_RGR + given)
            if owner:
                self.error(
                    table, row, "id", f"the id rgr:{given} is already used by {owner}",
                    "leave the id empty: the import names the row", value=row.get("id"),
                )  # fmt: skip
                return ""
            return _RGR + given
        iri = _RGR + minted
        if iri in self.vocabulary or self.taken(iri):
            iri = f"{_RGR}{minted}-{study}"
        return iri

    # -- claims --------------------------------------------------------------------------
    def claims(self, spec: SheetSpec, work: WorkRecord) -> list[ClaimRecord]:
        table = self.table(spec)
        kind = "finding" if spec is FINDINGS else "method"
        out: list[ClaimRecord] = []
        taken: dict[str, int] = {}
        contents: dict[tuple[object, ...], int] = {}
        for row in table.rows:
            before = len(self.problems)
            record = ClaimRecord(kind, spec.name, row.number, "")
            labels: dict[str, list[str]] = {}
            for column in spec.columns:
                if column.type == "entity" or column.kinds:
                    found = self.entities(table, row, column.key)
                    if column.key == "evidence" and not found and not row.get("evidence"):
                        found = [e for e in [self.vocabulary.get(DEFAULT_EVIDENCE)] if e]
                    if found:
                        record.links[column.predicate] = [e.iri for e in found]
                        labels[column.key] = [e.label for e in found]
                elif column.type in ("integer", "decimal"):
                    value = self.number(table, row, column.key)
                    if value is not None:
                        record.numbers[column.predicate] = value
            record.quotation = self.required_text(table, row, "quotation")
            record.locator = " ".join(self.required_text(table, row, "locator").split())
            record.label = " ".join(row.get("label").split())
            record.description = row.get("description")
            if kind == "finding":
                self.finding_form(table, row, record)
            if len(self.problems) > before:
                continue
            key = (tuple(sorted((p, tuple(sorted(v))) for p, v in record.links.items())),
                   tuple(sorted(record.numbers.items())))  # fmt: skip
            if key in contents:
                self.error(
                    table, row, "",
                    f"this {'finding' if kind == 'finding' else 'method application'} repeats"
                    f" row {contents[key]}: the same theory, entities, direction, setting and"
                    " numbers",
                    "delete one of the two rows, or correct the one that differs",
                )  # fmt: skip
                continue
            contents[key] = row.number
            record.iri = self.claim_iri(table, row, record, work.study, taken)
            if record.iri:
                taken[record.iri] = row.number
                out.append(record)
        return out

    def finding_form(self, table: Table, row: Row, record: ClaimRecord) -> None:
        """The three forms of a finding, as the shapes define them (data/README.md, Claims)."""
        links = record.links
        factors = links.get(_RG + "hasFactor", [])
        partners = links.get(_RG + "concernsOutcome", []) + links.get(_RG + "concernsConstruct", [])
        preferred = links.get(_RG + "predictsPreferenceFor", [])
        direction = links.get(_RG + "hasDirection", [])
        if not (row.get("factor") or row.get("outcome") or row.get("construct")):
            self.error(
                table, row, "factor", "the finding has no factor, outcome or construct",
                "give the factor and what it is linked to, or, for a descriptive result, the"
                " outcome or construct it describes",
            )  # fmt: skip
            return
        if (
            factors
            and not (partners or preferred)
            and not row.get("outcome")
            and not row.get("construct")
            and not row.get("preference")
        ):
            self.error(
                table, row, "outcome",
                "the factor is linked to nothing: give the outcome, the construct or the"
                " preferred model the study links it to", "fill the outcome, construct or"
                " preferred model column",
            )  # fmt: skip
        if factors and partners and not preferred and not row.get("direction"):
            self.error(
                table, row, "direction",
                "the direction is missing: an association of a factor with an outcome or"
                " construct needs one",
                FINDINGS.column("direction").help,
            )  # fmt: skip
        if direction and (preferred or not row.get("factor")):
            what = "a preference result" if preferred else "a descriptive result (no factor)"
            self.error(
                table, row, "direction", f"{what} has no direction",
                "leave the direction empty", value=row.get("direction"),
            )  # fmt: skip
        same = set(factors) & set(partners)
        if same:
            name = self.vocabulary.get(sorted(same)[0])
            self.error(
                table, row, "factor",
                f"the factor is also what it is linked to ({name.label if name else ''!r})",
                "a descriptive result has no factor: keep the outcome or construct and empty"
                " the factor",
            )  # fmt: skip
        groups = {_factor_group(self.vocabulary.get(f)) for f in factors}
        if len(groups) > 1:
            self.error(
                table, row, "factor",
                "the factors mix kinds (" + ", ".join(sorted(groups)) + ")",
                "keep as factor what the study says predicts the result; one kind per finding",
                value=row.get("factor"),
            )  # fmt: skip

    def claim_iri(
        self, table: Table, row: Row, record: ClaimRecord, study: str, taken: dict[str, int]
    ) -> str:
        if record.kind == "finding":
            prefix, first = "finding-", [_RG + "hasFactor"]
            second = [_RG + "concernsOutcome", _RG + "concernsConstruct"]
            second.append(_RG + "predictsPreferenceFor")
        else:
            prefix, first, second = "methoduse-", [_RG + "aboutMethod"], [_RG + "assesses"]
        # up to two factors (or one method), then the first thing they are linked to
        parts = [naming.local_slug(i) for p in first for i in record.links.get(p, [])]
        parts = parts[: 2 if record.kind == "finding" else 1]
        parts += [naming.local_slug(i) for p in second for i in record.links.get(p, [])][:1]
        base = "-".join(parts) or "result"
        minted = f"{prefix}{base}-{study}"
        if _RGR + minted in taken:
            settings = record.links.get(_RG + "studiedInSetting", [])[:1]
            minted = "-".join([f"{prefix}{base}", *map(naming.local_slug, settings), study])
        number = 2
        candidate = minted
        while _RGR + candidate in taken:
            candidate = f"{minted}-{number}"
            number += 1
        iri = self.row_iri(table, row, prefix, candidate, study)
        if iri in taken:
            self.error(
                table, row, "id", f"the id repeats row {taken[iri]}", "leave the id empty",
                value=row.get("id"),
            )  # fmt: skip
            return ""
        return iri


def _is_subkind(kind: str, other: str) -> bool:
    return kind == "professional role" and other == "participant role"


def _factor_group(entity: Entity | None) -> str:
    kinds = entity.kinds if entity else frozenset()
    if "relationship model" in kinds:
        return "relationship model"
    if "construct" in kinds:
        return "construct"
    return "characteristic"


def parse_study(
    tables: dict[str, Table],
    vocabulary: Vocabulary,
    *,
    taken: Callable[[str], str],
    today: dt.date,
    curator: str = "",
    default_curator: str = "",
) -> tuple[Study, list[SheetProblem]]:
    """The records of a study sheet, and every problem found in its rows.

    :param vocabulary: the entities of the graph without this study; the new
        entities of the sheet are added to it.
    :param taken: for an IRI, where it is described outside this study ('' if nowhere).
    :param today: the curation date when the Work row gives none.
    :param curator: the curator's name, overriding the Work row's.
    :param default_curator: the curator's name when the Work row gives none.
    """
    parser = _Parser(tables, vocabulary, taken, today, curator, default_curator)
    work = parser.work()
    entities = parser.new_entities(work)
    claims = parser.claims(FINDINGS, work) + parser.claims(METHODS, work)
    used = {i for c in claims for values in c.links.values() for i in values}
    used |= {i for e in entities for values in e.links.values() for i in values}
    table = parser.table(ENTITIES)
    for entity in entities:
        if entity.iri not in used:
            parser.problems.append(
                table.problem(
                    entity.row,
                    "label",
                    f"the new {entity.kind} {entity.label!r} is used by no row of the sheet",
                    "use it in a finding or method application, or delete the row",
                    severity="warning",
                )  # fmt: skip
            )
    return Study(work, claims, entities), parser.problems
