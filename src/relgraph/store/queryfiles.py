"""The ``.rq`` files of ``queries/``: one header dialect, one parser.

Every query file of the project opens with a header in the style of
sib-swiss/sparql-examples, one ``#+ key: value`` line per key, which SPARQL
reads as comments::

    #+ id: owl-rl/functional-property
    #+ severity: error
    #+ description: a functional property has two different values for one
    #+     individual (OWL 2 RL prp-fp)
    #+ fix: keep exactly one value of the property
    SELECT ...

A line ``#+`` followed by two or more spaces continues the previous key. Each
folder has its own keys: the competency queries of ``queries/cq/`` are read by
:mod:`relgraph.query.catalog` (``id``, ``question``, ``params``, ``expected``
...), the quality checks of ``queries/checks/`` and the OWL 2 RL rules of
``queries/rules/`` by :mod:`relgraph.checks.sparql` (``id``, ``severity``,
``description``, ``fix``). This module reads the header of any of them and
names the file and line of whatever is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from relgraph.errors import FileAccessError, LoadError

__all__ = [
    "HEADER_PREFIX",
    "STORED_QUERY_KEYS",
    "STORED_QUERY_REQUIRED",
    "QueryFile",
    "read_query_file",
    "read_text",
    "read_header",
]

#: Keys a ``#+`` header of a stored query (``queries/cq``) or a view query
#: (``queries/views``) may use; both kinds are documented and tested the same way.
STORED_QUERY_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "question",
    "summary",
    "tags",
    "params",
    "expected",
)
#: Keys such a header must have.
STORED_QUERY_REQUIRED: tuple[str, ...] = ("id", "question", "expected")

#: What every header line starts with.
HEADER_PREFIX = "#+"

_KEY_LINE = re.compile(r"^#\+ ([A-Za-z_]+):[ \t]*(.*)$")
_CONTINUATION = re.compile(r"^#\+(?:[ \t]{2,}(.*)|[ \t]*)$")


@dataclass(frozen=True)
class QueryFile:
    """A query file: its header and its text.

    :ivar path: the file.
    :ivar text: the whole text (a byte-order mark dropped), header included.
    :ivar header: key -> value (continuation lines joined with a space).
    :ivar lines: key -> the 1-based line where the key is given.
    """

    path: Path
    text: str
    header: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """The query text without its header lines."""
        lines = self.text.splitlines()
        i = 0
        while i < len(lines) and lines[i].startswith(HEADER_PREFIX):
            i += 1
        return "\n".join(lines[i:]).strip() + "\n"

    def line_of(self, key: str) -> int:
        """The line of a key (of the last header line if the key is absent)."""
        return self.lines.get(key, max(self.lines.values(), default=1))

    def error(self, key: str, message: str, hint: str) -> LoadError:
        """An error about a key of the header, naming the file and its line."""
        return LoadError(message, hint, path=str(self.path), line=self.line_of(key))


def read_header(
    text: str, path: Path, keys: Collection[str]
) -> tuple[dict[str, str], dict[str, int]]:
    """Read the ``#+`` header at the top of a query text.

    >>> read_header("#+ id: x\\n#+ fix: do\\n#+    y\\nSELECT", Path("q.rq"), ["id", "fix"])
    ({'id': 'x', 'fix': 'do y'}, {'id': 1, 'fix': 2})

    :param keys: the keys this kind of file may use.
    :raises LoadError: naming the file and line of an unknown or repeated key,
        or of a malformed header line.
    """
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    last: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.startswith(HEADER_PREFIX):
            break
        key_match = _KEY_LINE.match(raw)
        if key_match:
            key = key_match.group(1)
            if key not in keys:
                raise LoadError(
                    f"unknown header key {key!r}",
                    f"use one of: {', '.join(keys)}",
                    path=str(path),
                    line=number,
                )
            if key in values:
                raise LoadError(
                    f"header key {key!r} given twice",
                    "give each key once; indent further lines to continue a value",
                    path=str(path),
                    line=number,
                )
            values[key], lines[key], last = key_match.group(2).strip(), number, key
            continue
        cont = _CONTINUATION.match(raw)
        if cont and last is not None:
            more = (cont.group(1) or "").strip()
            if more:
                values[last] = f"{values[last]} {more}".strip()
            continue
        raise LoadError(
            f"malformed header line {raw!r}",
            "write `#+ key: value`, or indent a continuation line by two or more spaces",
            path=str(path),
            line=number,
        )
    return values, lines


def read_text(path: Path) -> str:
    """Read a text file as UTF-8 (a leading byte-order mark is dropped).

    :raises LoadError: naming the file, line and column of the first byte that is not UTF-8.
    :raises FileAccessError: when the file cannot be read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileAccessError.from_os_error(exc) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
            path=str(path),
            line=line,
            column=column,
        ) from None


def read_query_file(path: Path, keys: Collection[str], required: Collection[str] = ()) -> QueryFile:
    """Read a query file and its header.

    :param keys: the keys this kind of file may use.
    :param required: the keys it must have (non-empty).
    :raises LoadError: naming the file and line of whatever is wrong.
    :raises FileAccessError: when the file cannot be read.
    """
    text = read_text(path)
    values, lines = read_header(text, path, keys)
    if required and not values:
        first = ", ".join(f"`{HEADER_PREFIX} {k}: ...`" for k in required)
        raise LoadError(
            f"the query has no `{HEADER_PREFIX}` header",
            f"start the file with {first} lines",
            path=str(path),
            line=1,
        )
    found = QueryFile(path, text, values, lines)
    for key in required:
        if not values.get(key):
            raise LoadError(
                f"the header lacks {key!r}",
                f"add a `{HEADER_PREFIX} {key}: ...` line",
                path=str(path),
                line=max(lines.values(), default=1),
            )
    return found
