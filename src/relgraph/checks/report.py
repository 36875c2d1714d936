"""The result of ``relgraph check``: problems, grouped by severity, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from relgraph.errors import EXIT_FAILED_CHECK, EXIT_OK
from relgraph.store.origins import SourceIndex

__all__ = ["SEVERITIES", "SEVERITY_ORDER", "Problem", "CheckReport", "locate"]

#: Severities, most serious first.
SEVERITY_ORDER = ("error", "warning", "info")
#: The severities a rule or a query file's ``severity`` header may give.
SEVERITIES = frozenset(SEVERITY_ORDER)


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One problem found by a check.

    :ivar severity: ``error``, ``warning`` or ``info``.
    :ivar rule: the shape, rule or query that found it, e.g. ``shacl/FindingShape``.
    :ivar node: IRI of the node at fault (empty for graph-wide problems).
    :ivar label: the node's rdfs:label, when it has one.
    :ivar value: the offending value, when there is one.
    :ivar message: what is wrong, in plain words.
    :ivar hint: how to fix it.
    :ivar phase: the check phase that found it (see :data:`relgraph.checks.phases.PHASES`).
    :ivar file: the file where the node is described, when known.
    :ivar line: the line of its first statement there, when known.

    A blank node's ``node`` is ``_:`` and its id (random, as parsers give them);
    reports show it as a blank node with its label, file and line instead.
    """

    severity: str
    rule: str
    node: str = ""
    label: str = ""
    value: str = ""
    message: str
    hint: str = ""
    phase: str
    file: str = ""
    line: int | None = None

    @property
    def place(self) -> str:
        """``file:line`` (or the file) where the node is described; '' if unknown."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file

    def describe(self) -> str:
        """The node as the text report names it: label, IRI or blank node, and place.

        >>> p = Problem(severity="error", rule="r", node="_:b12", label="A finding",
        ...             message="m", phase="shacl", file="new.ttl", line=3)
        >>> p.describe()
        'A finding [a blank node, new.ttl:3]'
        >>> Problem(severity="error", rule="r", node="https://x.org/a", label="A", message="m",
        ...         phase="shacl").describe()
        'A <https://x.org/a>'
        """
        if not self.node:
            return ""
        label = f"{self.label} " if self.label else ""
        if self.node.startswith("_:"):
            return f"{label}[a blank node{', ' + self.place if self.place else ''}]"
        at = f" ({self.place})" if self.place else ""
        return f"{label}<{self.node}>{at}"


@dataclass
class CheckReport:
    """The outcome of a check: problems plus timings per phase, in seconds."""

    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    triples: int = 0
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: False when the review's text was absent, so passage spans were not verified.
    spans_verified: bool = True

    def by_severity(self, severity: str) -> list[Problem]:
        """The problems of one severity."""
        return [p for p in self.problems if p.severity == severity]

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return self.by_severity("error")

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings and infos are allowed)."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 without errors, 1 with errors."""
        return EXIT_OK if self.ok else EXIT_FAILED_CHECK

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description of the report."""
        return {
            "ok": self.ok,
            "counts": {s: len(self.by_severity(s)) for s in SEVERITY_ORDER},
            "triples": self.triples,
            "files": self.files,
            "spans_verified": self.spans_verified,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "notes": self.notes,
            "problems": [asdict(p) for p in self.problems],
        }

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def render_text(self) -> str:
        """A readable report grouped by severity."""
        counts = ", ".join(f"{len(self.by_severity(s))} {s}s" for s in SEVERITY_ORDER)
        lines = [f"relgraph check: {self.triples} triples; {counts}"]
        if self.files:
            lines.append("extra files: " + ", ".join(self.files))
        for severity in SEVERITY_ORDER:
            problems = self.by_severity(severity)
            if not problems:
                continue
            lines += ["", f"{severity.upper()}S ({len(problems)})"]
            for p in problems:
                lines.append(f"- [{p.rule}] {p.describe()}".rstrip())
                lines.append(f"    {p.message}")
                if p.value and p.value != p.node:
                    shown = "[a blank node]" if p.value.startswith("_:") else p.value
                    lines.append(f"    value: {shown}")
                if p.hint:
                    lines.append(f"    fix: {p.hint}")
        for note in self.notes:
            lines += ["", f"note: {note}"]
        timing = ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
        lines += ["", f"timings: {timing}", "result: " + ("ok" if self.ok else "FAILED")]
        return "\n".join(lines)


def locate(problems: Iterable[Problem], index: SourceIndex) -> list[Problem]:
    """The problems with the file and line of their node, and values as the files write them."""
    problems = list(problems)
    written = index.written({p.node for p in problems if p.value})
    out = []
    for p in problems:
        where = index.where(p.node)
        value = written.get((p.node, p.value), p.value)
        if where is not None or value != p.value:
            file, line = where if where is not None else (p.file, p.line)
            p = replace(p, file=file, line=line, value=value)
        out.append(p)
    return out
