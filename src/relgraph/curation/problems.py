"""Problems found in a study sheet, each at its sheet, row and column.

A :class:`SheetProblem` names where it is the way a curator finds it in a
spreadsheet program (file, sheet, row number, column letter and name), what is
wrong, the nearest existing labels where a label was not found, and how to fix
it. :class:`~relgraph.errors.StudySheetError` carries every error of one import, so that a
curator fixes them all in one pass; nothing is written when it is raised.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["SheetProblem", "column_letter"]


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 1-based column index.

    >>> column_letter(1), column_letter(26), column_letter(28)
    ('A', 'Z', 'AB')
    """
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class SheetProblem:
    """One problem of a study sheet.

    :ivar message: what is wrong, in plain words.
    :ivar hint: how to fix it.
    :ivar file: the workbook, or the CSV file.
    :ivar sheet: the sheet's title.
    :ivar row: the 1-based row, as the spreadsheet program numbers it (0: the sheet as a whole).
    :ivar column: the column's letter ('' for a whole row or sheet).
    :ivar header: the column's name.
    :ivar value: the value at fault, as written.
    :ivar nearest: the nearest existing labels, for a label that was not found.
    :ivar severity: ``error`` or ``warning``.
    :ivar rule: the check rule behind a problem the graph's check found ('' for the import's own).
    """

    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    row: int = 0
    column: str = ""
    header: str = ""
    value: str = ""
    nearest: tuple[str, ...] = field(default_factory=tuple)
    severity: str = "error"
    rule: str = ""

    @property
    def place(self) -> str:
        """``file, sheet S, row R, column C (name)``, as much as is known."""
        parts = [self.file] if self.file else []
        if self.sheet and not self.file.endswith(".csv"):
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column} ({self.header})" if self.header else self.column)
        elif self.header:
            parts.append(f"column {self.header}")
        return ", ".join(parts)

    def render(self) -> str:
        """The problem as the command line shows it (several lines)."""
        head = f"{self.place}: {self.message}" if self.place else self.message
        lines = [head]
        if self.nearest:
            lines.append("  nearest existing: " + "; ".join(self.nearest))
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        out = asdict(self)
        out["nearest"] = list(self.nearest)
        return out
