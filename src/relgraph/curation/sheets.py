"""The study sheet: its sheets and columns, with the help text curators see.

One table describes the template (``relgraph template``), the importer
(``relgraph import``) and the reverse (``relgraph template --study``): a
:class:`SheetSpec` per sheet, a :class:`Column` per column. In a workbook,
row 1 holds the column names, row 2 the help text (its first cell starts with
``(help)``), and the data starts on row 3; the CSV form has the same rows,
one file per sheet (:attr:`SheetSpec.file`).

Columns that take entities of the graph name their kinds
(:data:`~relgraph.curation.kinds.KINDS`); they
accept a label, an alternative label, a CURIE (``rgr:outcome-relapse``,
``ECO:0006017``) or a full IRI, and several values separated by ``;`` where
:attr:`Column.multi` is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from relgraph.curation.kinds import KINDS, NEW_ENTITY_KINDS
from relgraph.vocab import OWL, RG

__all__ = [
    "HELP_MARK",
    "SEPARATOR",
    "Column",
    "SheetSpec",
    "WORK",
    "FINDINGS",
    "METHODS",
    "ENTITIES",
    "SHEETS",
    "sheet_named",
    "sheets_markdown",
]

#: The first cell of a help row starts with this.
HELP_MARK = "(help)"
#: Separates several values in one cell.
SEPARATOR = ";"

_RG = str(RG)
_OWL_DIFFERENT_FROM = str(OWL.differentFrom)


_FACTOR = (
    "relationship model",
    "construct",
    "patient characteristic",
    "professional characteristic",
)
_ASSESSED = ("relationship model", "construct", "patient characteristic",
             "professional characteristic", "outcome")  # fmt: skip
_ANY = tuple(k for k in KINDS if k not in ("direction", "evidence type", "setting kind"))


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    :ivar key: the internal name.
    :ivar header: the column name in row 1 (matched ignoring case and spaces).
    :ivar help: the help text of row 2.
    :ivar kinds: kinds of entity the column takes (a drop-down of their labels).
    :ivar choices: fixed values the column takes (a drop-down).
    :ivar multi: several values, separated by ``;``, are allowed.
    :ivar required: a row must fill it.
    :ivar type: ``text``, ``entity``, ``choice``, ``id``, ``year``, ``integer``,
        ``decimal``, ``date``, ``doi``, ``orcid`` or ``authors``.
    :ivar width: the column's width in the workbook, in characters.
    :ivar predicate: the property a value of the column becomes (IRI; '' for columns
        the import handles itself).
    """

    key: str
    header: str
    help: str
    kinds: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    multi: bool = False
    required: bool = False
    type: str = "text"
    width: int = 22
    predicate: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the study sheet.

    :ivar name: the sheet's title in a workbook.
    :ivar file: its file name in the CSV form.
    :ivar help: what one row of it is.
    :ivar single: the sheet has exactly one data row (the Work sheet).
    """

    name: str
    file: str
    help: str
    columns: tuple[Column, ...]
    single: bool = False

    def column(self, key: str) -> Column:
        """The column with this key (KeyError if none)."""
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _id_column(prefix: str) -> Column:
    return Column(
        "id",
        "id",
        f"Leave empty: the import names each row (rgr:{prefix}...) and `relgraph template "
        "--study` writes the name back, so that the row keeps it when corrected.",
        type="id",
        width=30,
    )


def _context_columns() -> tuple[Column, ...]:
    return (
        Column(
            "setting",
            "setting",
            "Where the study was done (pick; several separated by ;). A setting the graph lacks"
            " goes on the New entities sheet.",
            kinds=("setting",),
            multi=True,
            predicate=_RG + "studiedInSetting",
        ),
        Column(
            "population",
            "population",
            "Whom the study drew on (pick; several separated by ;).",
            kinds=("population",),
            multi=True,
            predicate=_RG + "studiedInPopulation",
        ),
        Column(
            "role",
            "professional role",
            "The professionals (or other parties) the result is about (pick; several separated"
            " by ;).",
            kinds=("participant role",),
            multi=True,
            predicate=_RG + "involvesRole",
        ),
        Column(
            "design",
            "research design",
            "The study's design (pick).",
            kinds=("research design",),
            multi=True,
            predicate=_RG + "usesDesign",
        ),
        Column(
            "evidence",
            "evidence type",
            "Leave empty for the study's own result (ECO:0006017, a clinical study); or pick"
            " another ECO evidence type.",
            kinds=("evidence type",),
            width=26,
            predicate=_RG + "hasEvidenceType",
        ),
    )


def _text_columns(what: str) -> tuple[Column, ...]:
    return (
        Column(
            "label",
            "label",
            f"Optional: a one-line name of the {what} in your own words; left empty, the"
            " import makes one from the other columns.",
            width=40,
        ),
        Column(
            "description",
            "description",
            f"Optional: the {what} in a sentence or two, in your own words; left empty, the"
            " import writes one from the other columns.",
            width=40,
        ),
        Column(
            "quotation",
            "quotation",
            "Required: the words of the paper that report it, copied exactly (a sentence or two).",
            required=True,
            width=50,
        ),
        Column(
            "locator",
            "page or section",
            "Required: where the quotation is in the paper, e.g. p. 6 or Results.",
            required=True,
            width=16,
        ),
    )


WORK = SheetSpec(
    "Work",
    "work.csv",
    "The study's publication and who curated it: exactly one row.",
    (
        Column(
            "study",
            "study id",
            "Leave empty: made from authors and year (e.g. smith-etal-2024); the file is"
            " data/studies/<study id>.ttl. Keep it when you import a corrected sheet.",
            type="id",
            width=24,
        ),
        Column(
            "authors",
            "authors",
            "Required: the authors' surnames in order, separated by ; (e.g. Smith; Jones; Okafor).",
            required=True,
            type="authors",
            width=30,
        ),
        Column(
            "year",
            "year",
            "Required: the year of publication as a number (2024; 2024a for a second paper of the"
            " same authors and year).",
            required=True,
            type="year",
            width=10,
        ),
        Column("title", "title", "The paper's title.", width=40),
        Column("journal", "journal", "The journal (or other venue).", width=30),
        Column("doi", "DOI", "The DOI, e.g. 10.1000/xyz123.", type="doi", width=24),
        Column(
            "description",
            "description",
            "Optional: the study in a sentence, in your own words (design, sample, setting).",
            width=40,
        ),
        Column(
            "curator",
            "curator",
            "Required: your name (or give it with relgraph import --curator).",
            required=True,
            width=22,
        ),
        Column(
            "orcid",
            "curator ORCID",
            "Optional: your ORCID iD, e.g. 0000-0002-1825-0097.",
            type="orcid",
            width=22,
        ),
        Column(
            "date",
            "curated on",
            "The date of curation, YYYY-MM-DD; left empty, the day of the import.",
            type="date",
            width=14,
        ),
    ),
    single=True,
)

FINDINGS = SheetSpec(
    "Findings",
    "findings.csv",
    "One row per result the study reports as found: an association of a factor with an"
    " outcome or construct (with its direction), a factor that predicts a preference for a"
    " relationship model (no direction), or a descriptive result (no factor, no direction).",
    (
        _id_column("finding-"),
        Column(
            "theory",
            "theory",
            "Required: the theory from whose perspective the result is reported (pick).",
            kinds=("theory",),
            multi=True,
            required=True,
            predicate=_RG + "aboutTheory",
        ),
        Column(
            "factor",
            "factor",
            "The relationship model, construct or characteristic the result links to an"
            " outcome, a construct or a preference (pick; several separated by ;).",
            kinds=_FACTOR,
            multi=True,
            width=28,
            predicate=_RG + "hasFactor",
        ),
        Column(
            "outcome",
            "outcome",
            "The outcome the factor is linked to, or that a descriptive result describes (pick).",
            kinds=("outcome",),
            multi=True,
            width=28,
            predicate=_RG + "concernsOutcome",
        ),
        Column(
            "construct",
            "construct",
            "A construct, other than the factor, that the result links to the factor or"
            " describes (pick).",
            kinds=("construct",),
            multi=True,
            predicate=_RG + "concernsConstruct",
        ),
        Column(
            "preference",
            "preferred model",
            "For a preference result: the relationship model the factor predicts a preference"
            " for (pick); then leave direction empty.",
            kinds=("relationship model",),
            multi=True,
            predicate=_RG + "predictsPreferenceFor",
        ),
        Column(
            "direction",
            "direction",
            "Required for an association: positive or negative (better or worse for the"
            " patient or the relationship), mixed, no association, or associated, direction"
            " not stated. Empty for preference and descriptive results.",
            kinds=("direction",),
            width=18,
            predicate=_RG + "hasDirection",
        ),
        *_context_columns(),
        Column(
            "percentage",
            "percentage",
            "A percentage the result reports (0-100).",
            type="decimal",
            width=12,
            predicate=_RG + "percentage",
        ),
        Column(
            "percentage_min",
            "percentage from",
            "The lower end of a range of percentages.",
            type="decimal",
            width=12,
            predicate=_RG + "percentageMin",
        ),
        Column(
            "percentage_max",
            "percentage to",
            "The upper end of a range of percentages.",
            type="decimal",
            width=12,
            predicate=_RG + "percentageMax",
        ),
        Column(
            "months",
            "months",
            "A period in months the result reports (e.g. a follow-up).",
            type="integer",
            width=10,
            predicate=_RG + "durationMonths",
        ),
        *_text_columns("finding"),
    ),
)

METHODS = SheetSpec(
    "Method applications",
    "method-applications.csv",
    "One row per use of an assessment method or instrument in the study: what it assessed,"
    " from which theory's perspective, where.",
    (
        _id_column("methoduse-"),
        Column(
            "theory",
            "theory",
            "Required: the theory from whose perspective the method was used (pick).",
            kinds=("theory",),
            multi=True,
            required=True,
            predicate=_RG + "aboutTheory",
        ),
        Column(
            "method",
            "method or instrument",
            "Required: the assessment method or instrument used (pick; a new instrument goes"
            " on the New entities sheet).",
            kinds=("assessment method", "instrument"),
            multi=True,
            required=True,
            width=30,
            predicate=_RG + "aboutMethod",
        ),
        Column(
            "assesses",
            "assesses",
            "What it assessed: a relationship model, construct, characteristic or outcome"
            " (pick; several separated by ;).",
            kinds=_ASSESSED,
            multi=True,
            width=28,
            predicate=_RG + "assesses",
        ),
        *_context_columns(),
        *_text_columns("method application"),
    ),
)

ENTITIES = SheetSpec(
    "New entities",
    "new-entities.csv",
    "One row per entity the study needs that the graph does not have (a new instrument,"
    " outcome, construct, ...). Look in the drop-down lists first: a near duplicate of an"
    " existing entity is refused.",
    (
        _id_column("<kind>-"),
        Column(
            "kind",
            "kind",
            "Required: what it is (pick).",
            choices=NEW_ENTITY_KINDS,
            required=True,
            type="choice",
            width=24,
        ),
        Column(
            "label",
            "label",
            "Required: its name, as the paper gives it, in lower case unless a proper name."
            " Use it in the other sheets.",
            required=True,
            width=30,
        ),
        Column(
            "alt_labels",
            "alternative labels",
            "Other names the paper gives it, separated by ; (e.g. its acronym).",
            multi=True,
            width=24,
        ),
        Column(
            "definition",
            "definition",
            "Required: what it is, in your own words (one or two sentences).",
            required=True,
            width=50,
        ),
        Column(
            "setting_kind",
            "setting kind",
            "For a setting, required: the broad field of care it belongs to (pick).",
            kinds=("setting kind",),
            width=26,
            predicate=_RG + "hasSettingKind",
        ),
        Column(
            "implements",
            "implements method",
            "For an instrument: the assessment method it is an example of (pick).",
            kinds=("assessment method",),
            multi=True,
            predicate=_RG + "implementsMethod",
        ),
        Column(
            "measures",
            "measures",
            "For an instrument or method: what it is designed to assess (pick; several"
            " separated by ;).",
            kinds=_ASSESSED,
            multi=True,
            predicate=_RG + "measures",
        ),
        Column(
            "different",
            "not the same as",
            "Where the import warns that this looks like an existing entity but it is not:"
            " that entity (pick); recorded as owl:differentFrom.",
            kinds=_ANY,
            multi=True,
            width=26,
            predicate=_OWL_DIFFERENT_FROM,
        ),
    ),
)

#: The sheets of a study sheet, in workbook order.
SHEETS: tuple[SheetSpec, ...] = (WORK, FINDINGS, METHODS, ENTITIES)


def sheet_named(name: str) -> SheetSpec | None:
    """The sheet with this title or CSV file name (case and spaces ignored).

    >>> sheet_named("method applications").file
    'method-applications.csv'
    >>> sheet_named("FINDINGS.csv").name
    'Findings'
    """
    wanted = _key(name.removesuffix(".csv").removesuffix(".CSV"))
    for spec in SHEETS:
        if wanted in (_key(spec.name), _key(spec.file.removesuffix(".csv"))):
            return spec
    return None


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _takes(column: Column) -> str:
    if column.key == "different":
        what = "an existing entity"
    elif column.kinds:
        kinds = list(column.kinds)
        what = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
    elif column.choices:
        what = "one of: " + ", ".join(column.choices)
    else:
        what = {
            "id": "an IRI (rgr:...)", "year": "a year", "integer": "a whole number",
            "decimal": "a number", "date": "a date (YYYY-MM-DD)", "doi": "a DOI",
            "orcid": "an ORCID iD", "authors": "surnames",
        }.get(column.type, "text")  # fmt: skip
    if column.multi:
        what += f", several separated by {SEPARATOR}"
    return what


def sheets_markdown() -> str:
    """The sheets and their columns as Markdown (kept in data/README.md; a test compares)."""
    lines: list[str] = []
    for spec in SHEETS:
        lines += [f"**{spec.name}** (`{spec.file}`): {spec.help}", ""]
        lines += ["| column | takes | required |", "| --- | --- | --- |"]
        for c in spec.columns:
            required = "yes" if c.required else ""
            lines.append(f"| {c.header} | {_takes(c)} | {required} |")
        lines.append("")
    return "\n".join(lines)
