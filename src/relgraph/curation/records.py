"""The records of one study: what a study sheet adds, ready to become Turtle.

:class:`Study` holds the Work row (:class:`WorkRecord`), the new entities
(:class:`EntityRecord`) and the findings and method applications
(:class:`ClaimRecord`), each with its IRI and its sheet and row, so that a
problem the graph's check finds in a node is shown at the row that made it.
:mod:`relgraph.curation.parsing` makes them from a sheet's rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from relgraph.curation import naming
from relgraph.curation.sheets import SEPARATOR, WORK
from relgraph.curation.tables import Table
from relgraph.vocab import ECO_AUTHOR_STATEMENT

__all__ = [
    "WorkRecord",
    "ClaimRecord",
    "EntityRecord",
    "Study",
    "RESERVED_STUDIES",
    "YEAR",
    "orcid_checksum_ok",
    "study_id",
    "valid_date",
    "DEFAULT_EVIDENCE",
]

#: The evidence type of a study's own result (ECO: author statement supported from a
#: referenced clinical study used in manual assertion).
DEFAULT_EVIDENCE = str(ECO_AUTHOR_STATEMENT)
#: Study ids that name the review itself, whose findings are not imported from sheets.
RESERVED_STUDIES = frozenset({"review"})
#: A year as a study sheet gives it: four digits and an optional letter (2024, 2024a).
YEAR = re.compile(r"^(\d{4})([a-z]?)$")


@dataclass
class WorkRecord:
    """The study's publication and curation (the Work row)."""

    study: str
    iri: str
    label: str
    authors: list[str]
    year: int
    suffix: str
    title: str = ""
    journal: str = ""
    doi: str = ""
    description: str = ""
    curator: str = ""
    orcid: str = ""
    date: str = ""
    row: int = 0


@dataclass
class ClaimRecord:
    """A finding or a method application.

    :ivar links: property IRI -> the IRIs of its values, in the row's order.
    :ivar numbers: property IRI -> (lexical form, datatype IRI).
    """

    kind: str
    sheet: str
    row: int
    iri: str
    links: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    label: str = ""
    description: str = ""
    quotation: str = ""
    locator: str = ""


@dataclass
class EntityRecord:
    """A new entity the study adds."""

    sheet: str
    row: int
    iri: str
    kind: str
    label: str
    alt_labels: list[str]
    definition: str
    links: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Study:
    """Everything one study sheet adds, ready to become Turtle."""

    work: WorkRecord
    claims: list[ClaimRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)

    def origins(self) -> dict[str, tuple[str, int]]:
        """IRI -> (sheet, row) of every node a row made."""
        out = {self.work.iri: (WORK.name, self.work.row)}
        out.update({e.iri: (e.sheet, e.row) for e in self.entities})
        out.update({c.iri: (c.sheet, c.row) for c in self.claims})
        return out


def study_id(tables: dict[str, Table]) -> str:
    """The study id a sheet's Work row gives or implies ('' if it cannot be told yet).

    It is the study id column when filled, else the work's name by the IRI scheme
    without ``work-`` (``smith-etal-2024``).
    """
    table = tables.get(WORK.name)
    if table is None or not table.rows:
        return ""
    row = table.rows[0]
    given = row.get("study").strip().removeprefix("rgr:").removeprefix("curation-")
    if given:
        return given if naming.NAME_PATTERN.match(given) else ""
    authors = [a.strip() for a in row.get("authors").split(SEPARATOR) if a.strip()]
    match = YEAR.match(row.get("year").strip())
    if not authors or not match:
        return ""
    return naming.work_local(authors, match.group(0)).removeprefix("work-")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, the ORCID iD check digit.

    >>> orcid_checksum_ok("0000-0002-1825-0097"), orcid_checksum_ok("0000-0002-1825-0098")
    (True, False)
    """
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
