"""The spans phase: passages against the review's text (spans within the file, quotation equal).

The review's text is not part of the repository: it sits in ``seed_dir``
(``../shared/seed`` beside a checkout used for CI and checks). Everything else
builds, serves and checks without it; only this check needs it, and when the
folder is absent it is skipped with :func:`unverified_note` saying so.
"""

from __future__ import annotations

from pathlib import Path

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.store.base import ReadableStore
from relgraph.store.sources import node_key

__all__ = ["span_problems", "unverified_note", "run"]


def unverified_note(seed_dir: Path) -> str | None:
    """The note a check or build gives when the review's text is absent (None when present).

    >>> print(unverified_note(Path("/nowhere/seed"))[:72])
    passage spans were not verified: the review's text is not in /nowhere/se
    """
    if seed_dir.is_dir():
        return None
    return (
        f"passage spans were not verified: the review's text is not in {seed_dir} (setting "
        "seed_dir); everything else was checked. The text is not part of the repository: "
        "put the shared/ folder (with seed/) beside the checkout, or give its place with "
        "relgraph -s seed_dir=PATH, to verify spans"
    )


def span_problems(
    store: ReadableStore, seed_dir: Path, graphs: list[str] | None = None
) -> list[Problem]:
    """Check that passage spans lie within their seed file and match their quotation.

    Returns no problems when the seed folder is absent (see :func:`unverified_note`).
    """
    if not seed_dir.is_dir():
        return []
    result = store.select(
        """SELECT ?p ?file ?start ?end ?quote WHERE {
             ?p a rg:Passage .
             OPTIONAL { ?p rg:sourceFile ?file }
             OPTIONAL { ?p rg:startOffset ?start }
             OPTIONAL { ?p rg:endOffset ?end }
             OPTIONAL { ?p rg:quotation ?quote }
           }""",
        default_graphs=graphs,
    )
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []

    def add(node: str, rule: str, value: str, message: str, hint: str) -> None:
        problems.append(
            Problem(
                severity="error",
                rule=rule,
                node=node,
                value=value,
                message=message,
                hint=hint,
                phase="spans",
            )
        )

    for row in result:
        node = node_key(row["p"])  # a blank node as _:id, so reports locate and label it
        file, start, end = row["file"], row["start"], row["end"]
        if file is None or start is None or end is None:
            continue  # the SHACL passage shape reports missing parts
        try:
            begin, stop = int(start.value), int(end.value)
        except ValueError:
            continue  # not an integer: reported by SHACL and the datatype rule
        name = file.value
        if name not in texts:
            path = seed_dir / name
            texts[name] = path.read_text(encoding="utf-8") if path.is_file() else None
        text = texts[name]
        if text is None:
            add(
                node,
                "span/source-file",
                name,
                f"the passage's source file {name!r} is not in the seed folder {seed_dir}",
                "give the file name relative to the seed folder (setting seed_dir)",
            )
            continue
        if not 0 <= begin < stop <= len(text):
            add(
                node,
                "span/out-of-range",
                f"{begin}..{stop}",
                f"the span {begin}..{stop} is not within the text "
                f"({len(text)} characters) or is empty",
                "recompute the offsets with scripts/spans.py find",
            )
            continue
        quote = row["quote"]
        if quote is not None and quote.value != text[begin:stop]:
            actual = text[begin:stop]
            shown = actual if len(actual) <= 80 else actual[:77] + "..."
            add(
                node,
                "span/quotation-mismatch",
                quote.value if len(quote.value) <= 80 else quote.value[:77] + "...",
                f"the quotation differs from the text at {begin}..{stop}, which reads {shown!r}",
                "recompute offsets and quotation with scripts/spans.py (offsets count code points,"
                " end exclusive)",
            )
    return problems


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """Check every passage's span against the review's text, or say it was not verified."""
    seed_dir = ctx.settings.path("seed_dir")
    unverified = unverified_note(seed_dir)
    if unverified is not None:
        return PhaseResult(notes=[unverified], spans_verified=False)
    return PhaseResult(problems=span_problems(ctx.store, seed_dir))
