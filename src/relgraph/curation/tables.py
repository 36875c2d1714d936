"""Reading and writing study sheets: an .xlsx workbook (openpyxl) or a folder of CSV files.

:func:`read_study` turns either form into :class:`Table` objects of text cells
keyed by column (see :mod:`relgraph.curation.sheets`), with the spreadsheet row
number and the column letter of every cell, so that each problem can say where
it is. :func:`write_xlsx` and :func:`write_csv` write a :class:`Workbook`: the
data sheets with their header and help rows, drop-down lists (spreadsheet data
validation, ECMA-376 ``dataValidation`` of type ``list``) for the columns that
take entities, an Example sheet and the Lists sheet the drop-downs read.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relgraph.curation.problems import SheetProblem, column_letter
from relgraph.curation.sheets import HELP_MARK, SHEETS, Column, SheetSpec, sheet_named
from relgraph.errors import LoadError

__all__ = [
    "Row",
    "Table",
    "Workbook",
    "LISTS_SHEET",
    "EXAMPLE_SHEET",
    "README_SHEET",
    "read_study",
    "write_xlsx",
    "write_csv",
    "cell_text",
]

#: Sheets of a workbook that the import does not read.
README_SHEET, EXAMPLE_SHEET, LISTS_SHEET = "Read me", "Example", "Lists"
#: The CSV files (and folder) of the same.
_CSV_EXTRAS = ("lists.csv", "README.txt", "example")
#: Columns whose name starts with one of these are the curator's own and are not read.
_NOTE_COLUMNS = ("note", "#")
#: Rows of a data sheet that get drop-down lists (the setting ``template_rows``).
VALIDATED_ROWS = 1000


@dataclass
class Row:
    """A data row: its spreadsheet row number and its cells as text ('' when empty)."""

    number: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        """The text of one cell ('' when the column is absent or the cell empty)."""
        return self.values.get(key, "")


@dataclass
class Table:
    """The data rows of one sheet, read from a workbook or a CSV file.

    :ivar source: the file as problems name it.
    :ivar letters: column key -> the letter of the column in this file.
    """

    spec: SheetSpec
    source: str
    rows: list[Row] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    def problem(
        self,
        row: Row | int,
        key: str,
        message: str,
        hint: str = "",
        *,
        value: str = "",
        nearest: Sequence[str] = (),
        severity: str = "error",
        rule: str = "",
    ) -> SheetProblem:
        """A problem at one cell (``key`` '' for the whole row)."""
        number = row.number if isinstance(row, Row) else row
        header = self.spec.column(key).header if key else ""
        return SheetProblem(
            message,
            hint,
            self.source,
            self.spec.name,
            number,
            self.letters.get(key, ""),
            header,
            value,
            tuple(nearest),
            severity,
            rule,
        )


@dataclass
class Workbook:
    """What a study sheet holds, ready to be written.

    :ivar sheets: sheet title -> data rows (column key -> text).
    :ivar example: sheet title -> the rows of a filled example.
    :ivar lists: list name -> its values (labels of entities, or fixed choices).
    :ivar readme: lines of the Read me sheet (README.txt in the CSV form).
    """

    sheets: dict[str, list[dict[str, str]]]
    example: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    readme: list[str] = field(default_factory=list)


def list_name(column: Column) -> str:
    """The name of the drop-down list a column reads (its kinds, or its own choices)."""
    if column.choices:
        return column.header
    return " / ".join(column.kinds)


# -- reading ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell's value as the text the import reads.

    >>> cell_text(2030.0), cell_text(42.5), cell_text(dt.datetime(2026, 12, 2)), cell_text(None)
    ('2030', '42.5', '2026-12-02', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _norm_header(text: str) -> str:
    return " ".join(text.lower().replace("*", " ").split())


def _table(
    spec: SheetSpec, source: str, rows: Iterable[tuple[int, list[str]]]
) -> tuple[Table, list[SheetProblem]]:
    """A table from (row number, cells) pairs whose first pair is the header row."""
    table = Table(spec, source)
    problems: list[SheetProblem] = []
    iterator = iter(rows)
    header = next(iterator, None)
    while header is not None and not any(header[1]):
        header = next(iterator, None)
    if header is None:
        if not spec.single:
            return table, problems
        problems.append(table.problem(0, "", "the sheet is empty", "fill in the study's row"))
        return table, problems
    number, names = header
    known = {_norm_header(c.header): c for c in spec.columns}
    known.update({_norm_header(c.key): c for c in spec.columns})
    positions: dict[int, Column] = {}
    for index, name in enumerate(names, start=1):
        if not name or _norm_header(name).startswith(_NOTE_COLUMNS):
            continue
        column = known.get(_norm_header(name))
        letter = column_letter(index)
        if column is None:
            nearest = difflib.get_close_matches(
                _norm_header(name), [c.header for c in spec.columns], n=3, cutoff=0.5
            )
            problems.append(
                SheetProblem(
                    f"unknown column {name!r}",
                    "rename it to one of the sheet's columns (see its header row in a fresh"
                    " `relgraph template`); a column of your own notes must have a name that"
                    " starts with 'note' or '#'",
                    source,
                    spec.name,
                    number,
                    letter,
                    name,
                    name,
                    tuple(nearest),
                )
            )
            continue
        if column.key in table.letters:
            problems.append(
                table.problem(
                    number, column.key, f"the column {column.header!r} appears twice", "keep one"
                )
            )
            continue
        table.letters[column.key] = letter
        positions[index - 1] = column
    for column in spec.columns:
        if column.required and column.key not in table.letters:
            problems.append(
                SheetProblem(
                    f"the required column {column.header!r} is missing",
                    f"add the column {column.header!r} (see a fresh `relgraph template`)",
                    source,
                    spec.name,
                    number,
                    "",
                    column.header,
                )
            )
    for number, cells in iterator:
        if not any(cells):
            continue
        if any(c.startswith(HELP_MARK) for c in cells):
            continue
        values = {positions[i].key: text for i, text in enumerate(cells) if i in positions and text}
        if values:
            table.rows.append(Row(number, values))
    if spec.single and len(table.rows) > 1:
        extra = table.rows[1]
        problems.append(
            table.problem(
                extra,
                "",
                f"the {spec.name} sheet has {len(table.rows)} rows; it takes exactly one",
                "one sheet describes one study: put other studies in sheets of their own",
            )
        )
    return table, problems


def _read_xlsx(path: Path) -> tuple[dict[str, Table], list[SheetProblem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise LoadError(
            f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
            "save the file as an Excel workbook (.xlsx), or give a folder of CSV files",
            path=str(path),
        ) from None
    tables: dict[str, Table] = {}
    problems: list[SheetProblem] = []
    try:
        for ws in book.worksheets:
            if ws.title in (README_SHEET, EXAMPLE_SHEET, LISTS_SHEET):
                continue
            spec = sheet_named(ws.title)
            if spec is None:
                problems.append(
                    SheetProblem(
                        f"the sheet {ws.title!r} is not one of the study sheet's and was not read",
                        "rename it to "
                        + ", ".join(repr(s.name) for s in SHEETS)
                        + " if it holds study data",
                        path.name,
                        ws.title,
                        severity="warning",
                    )
                )
                continue
            rows = (
                (n, [cell_text(v) for v in values])
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1)
            )
            table, found = _table(spec, path.name, rows)
            tables[spec.name] = table
            problems += found
    finally:
        book.close()
    return tables, problems


def _read_csv_folder(folder: Path) -> tuple[dict[str, Table], list[SheetProblem]]:
    tables: dict[str, Table] = {}
    problems: list[SheetProblem] = []
    for path in sorted(folder.iterdir()):
        if path.name in _CSV_EXTRAS or path.name.startswith("."):
            continue
        spec = sheet_named(path.name) if path.suffix.lower() == ".csv" else None
        if spec is None:
            if path.suffix.lower() == ".csv":
                problems.append(
                    SheetProblem(
                        f"{path.name} is not one of the study sheet's files and was not read",
                        "name it " + ", ".join(s.file for s in SHEETS) + " if it holds study data",
                        path.name,
                        severity="warning",
                    )
                )
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                records = list(csv.reader(handle))
        except UnicodeDecodeError as exc:
            raise LoadError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                "save the file as CSV UTF-8 (the spreadsheet program's 'CSV UTF-8' format)",
                path=str(path),
            ) from None
        except csv.Error as exc:
            raise LoadError(f"not valid CSV: {exc}", "save it as CSV", path=str(path)) from None
        rows = ((n, [cell_text(v) for v in r]) for n, r in enumerate(records, start=1))
        table, found = _table(spec, path.name, rows)
        tables[spec.name] = table
        problems += found
    return tables, problems


def read_study(path: Path) -> tuple[dict[str, Table], list[SheetProblem]]:
    """Read a study sheet: an .xlsx workbook or a folder of CSV files.

    :returns: the tables by sheet title, and the problems of their layout
        (unknown or missing columns, a second Work row, sheets not read).
    :raises LoadError: when the file cannot be read at all.
    """
    if path.is_dir():
        tables, problems = _read_csv_folder(path)
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        tables, problems = _read_xlsx(path)
    elif path.is_file():
        raise LoadError(
            f"unsupported file type {path.suffix!r}",
            "give an Excel workbook (.xlsx) or a folder of CSV files made by `relgraph template`",
            path=str(path),
        )
    else:
        raise LoadError("no such file or folder", "check the path", path=str(path))
    if SHEETS[0].name not in tables:
        expected = "a Work sheet" if not path.is_dir() else SHEETS[0].file
        problems.append(
            SheetProblem(
                f"{expected} is missing: it names the study's publication and curator",
                "start from `relgraph template`, which has every sheet",
                path.name,
                SHEETS[0].name,
            )
        )
    return tables, problems


# -- writing ---------------------------------------------------------------------------------


def _row_cells(spec: SheetSpec, row: dict[str, str]) -> list[str]:
    return [row.get(c.key, "") for c in spec.columns]


def _help_cells(spec: SheetSpec) -> list[str]:
    cells = [c.help for c in spec.columns]
    cells[0] = f"{HELP_MARK} {cells[0]}"
    return cells


def write_csv(folder: Path, book: Workbook) -> list[Path]:
    """Write the CSV form: one file per sheet, lists.csv, README.txt and example/.

    :returns: the files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(path: Path, records: list[list[str]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(records)
        written.append(path)

    for spec in SHEETS:
        rows = [_row_cells(spec, r) for r in book.sheets.get(spec.name, [])]
        put(folder / spec.file, [[c.header for c in spec.columns], _help_cells(spec), *rows])
        example = [_row_cells(spec, r) for r in book.example.get(spec.name, [])]
        if example:
            put(folder / "example" / spec.file, [[c.header for c in spec.columns], *example])
    if book.lists:
        names = list(book.lists)
        depth = max(len(v) for v in book.lists.values())
        records = [names] + [
            [book.lists[n][i] if i < len(book.lists[n]) else "" for n in names]
            for i in range(depth)
        ]
        put(folder / "lists.csv", records)
    if book.readme:
        readme = folder / "README.txt"
        readme.write_text("\n".join(book.readme) + "\n", encoding="utf-8")
        written.append(readme)
    return written


def write_xlsx(path: Path, book: Workbook, *, list_rows: int = VALIDATED_ROWS) -> None:
    """Write the workbook: Read me, the data sheets, Example and Lists.

    :param list_rows: rows of each data sheet (below the help row) with drop-down lists.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README_SHEET
    for line in book.readme:
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    if book.readme:
        readme["A1"].font = Font(bold=True, size=14)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    help_font = Font(italic=True, color="555555", size=9)
    wrap = Alignment(wrap_text=True, vertical="top")
    names = list(book.lists)
    lists = wb.create_sheet(LISTS_SHEET)
    for index, name in enumerate(names, start=1):
        lists.cell(row=1, column=index, value=name).font = bold
        for offset, value in enumerate(book.lists[name], start=2):
            lists.cell(row=offset, column=index, value=value)
        lists.column_dimensions[column_letter(index)].width = 36
    lists.freeze_panes = "A2"
    for position, spec in enumerate(SHEETS, start=1):
        ws = wb.create_sheet(spec.name, position)
        ws.append([c.header for c in spec.columns])
        ws.append(_help_cells(spec))
        for row in book.sheets.get(spec.name, []):
            ws.append(_row_cells(spec, row))
        ws.freeze_panes = "B3" if spec.columns[0].key == "id" else "A3"
        ws.row_dimensions[2].height = 75
        last = 3 if spec.single else 2 + max(list_rows, len(book.sheets.get(spec.name, [])))
        for index, column in enumerate(spec.columns, start=1):
            letter = column_letter(index)
            ws.column_dimensions[letter].width = column.width
            head, helper = ws.cell(row=1, column=index), ws.cell(row=2, column=index)
            head.font, head.fill = bold, fill
            helper.font, helper.alignment = help_font, wrap
            for cells in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                for cell in cells:
                    cell.alignment = wrap
            name = list_name(column)
            if name not in book.lists or not book.lists[name]:
                continue
            source = column_letter(names.index(name) + 1)
            end = len(book.lists[name]) + 1
            validation = DataValidation(
                type="list",
                formula1=f"={LISTS_SHEET}!${source}$2:${source}${end}",
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
            )
            validation.errorStyle = "warning"
            validation.errorTitle = "Not in the list"
            validation.error = (
                "Not a label of the list. Allowed all the same: several labels separated by ;,"
                " a CURIE (rgr:...), or a new entity's label from the New entities sheet."
            )
            validation.promptTitle = column.header[:32]
            validation.prompt = column.help[:250]
            validation.add(f"{letter}3:{letter}{last}")
            ws.add_data_validation(validation)
    example = wb.create_sheet(EXAMPLE_SHEET, len(SHEETS) + 1)
    example.append(["A filled example (hypothetical study, not a real publication)."])
    example["A1"].font = Font(bold=True, size=12)
    for spec in SHEETS:
        rows = book.example.get(spec.name, [])
        if not rows:
            continue
        example.append([])
        example.append([spec.name])
        example.cell(row=example.max_row, column=1).font = bold
        example.append([c.header for c in spec.columns])
        for cell in example[example.max_row]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            example.append(_row_cells(spec, row))
    for index in range(1, 25):
        example.column_dimensions[column_letter(index)].width = 22
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
