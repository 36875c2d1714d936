"""The catalog of stored (competency) queries: ``queries/cq/*.rq``.

Each file holds one SPARQL query that opens with a ``#+`` header in the style
of sib-swiss/sparql-examples and datasette's canned queries::

    #+ id: cq03-role-theory-models
    #+ title: Relationship models of role theory
    #+ question: Which relationship models does role theory distinguish?
    #+ summary: The role-relationship patterns the review names, with their
    #+     alternative labels. (Indented lines continue the previous key.)
    #+ tags: role-theory, models
    #+ params: theory=rgr:theory-role-theory
    #+ expected: columns=model,label; min_rows=3

The header dialect and its parser are those of every ``.rq`` file
(:mod:`relgraph.store.queryfiles`). ``id``, ``question`` and ``expected`` are
required. ``params`` names SPARQL
variables of the query that are *bound* at run time (through pyoxigraph
substitutions), never pasted into its text. pyoxigraph binds only projected
variables, so a parameter must also be one of the expected columns. Each
parameter may have a default, an IRI
(``<...>``, a CURIE with a known prefix, or an absolute IRI) or a literal
(``42``, ``true``, ``"text"@en``, ``"1"^^xsd:integer`` or plain text).

The web pages (``/queries/<id>``), the CLI (``relgraph queries``), the README
index and the tests all read these same headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from relgraph.errors import LoadError, ParameterError, UnknownQuery
from relgraph.query.parameters import parse_term, typed_literal
from relgraph.settings import Settings
from relgraph.store.base import ReadableStore, Term
from relgraph.store.queryfiles import (
    STORED_QUERY_KEYS,
    STORED_QUERY_REQUIRED,
    QueryFile,
    read_query_file,
)
from relgraph.store.values import bind_in_text
from relgraph.vocab import XSD

__all__ = [
    "HEADER_KEYS",
    "REQUIRED_KEYS",
    "ParameterError",
    "UnknownQuery",
    "QueryParam",
    "StoredQuery",
    "load_query",
    "load_queries",
    "list_queries",
    "get_query",
    "catalog_markdown",
]

#: Keys a ``#+`` header may use.
HEADER_KEYS: tuple[str, ...] = STORED_QUERY_KEYS
#: Keys a header must have.
REQUIRED_KEYS: tuple[str, ...] = STORED_QUERY_REQUIRED
#: Sub-folder of ``queries_dir`` holding the competency queries.
CQ_FOLDER = "cq"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD_STRING = str(XSD.string)


# -- the model ---------------------------------------------------------------


@dataclass(frozen=True)
class QueryParam:
    """A parameter of a stored query: a SPARQL variable bound at run time.

    :ivar name: the variable name, without ``?``.
    :ivar default: the default value as written in the header ('' if none).
    :ivar kind: ``iri`` or ``literal`` (inferred from the default), or ``any``.
    """

    name: str
    default: str = ""
    kind: str = "any"

    @property
    def required(self) -> bool:
        """True when the parameter has no default and must be given."""
        return self.default == ""

    def term(self, value: str | None = None) -> ox.NamedNode | ox.Literal:
        """Parse a value (or the default) into a term of this parameter's kind.

        A plain value for a typed literal parameter takes the default's datatype.

        :raises ParameterError: if the value is malformed or missing.
        """
        text = self.default if value is None or value == "" else value
        if text == "":
            raise ParameterError(
                f"parameter {self.name!r} needs a value", f"give {self.name}=VALUE"
            )
        term = parse_term(text, kind=self.kind)
        if self.kind == "literal" and self.default and isinstance(term, ox.Literal):
            default = parse_term(self.default, kind="literal")
            assert isinstance(default, ox.Literal)
            plain = term.datatype.value == _XSD_STRING and not term.language
            if plain and not text.strip().startswith('"') and default.datatype.value != _XSD_STRING:
                term = typed_literal(term.value, default.datatype.value, text)
        return term


@dataclass(frozen=True)
class StoredQuery:
    """A documented SPARQL query from ``queries/cq/``.

    :ivar id: stable identifier, e.g. ``cq01-theories`` (used in URLs).
    :ivar title: a short name (defaults to the question).
    :ivar question: the question as a researcher would ask it.
    :ivar summary: what the query does and how to read its answer.
    :ivar tags: topic and review-section tags.
    :ivar params: parameters, bound at run time.
    :ivar columns: the variables the answer is expected to have.
    :ivar min_rows: the fewest rows the answer is expected to have.
    :ivar text: the full file text (header comments are valid SPARQL comments).
    :ivar path: the file the query was read from.
    """

    id: str
    question: str
    text: str
    path: Path
    title: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[QueryParam, ...] = ()
    columns: tuple[str, ...] = ()
    min_rows: int = 0

    @property
    def body(self) -> str:
        """The query text without its ``#+`` header lines."""
        return QueryFile(self.path, self.text).body

    def param(self, name: str) -> QueryParam:
        """Return the parameter called ``name``.

        :raises ParameterError: if the query has no such parameter.
        """
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(
            f"query {self.id!r} has no parameter {name!r}", f"its parameters are: {known}"
        )

    def bind(self, values: Mapping[str, str] | None = None) -> dict[str, Term]:
        """Turn parameter values (text, e.g. from a form) into bindings.

        Parameters not given take their defaults; the result maps variable
        names to pyoxigraph terms, ready for :meth:`GraphStore.query`'s
        ``bindings``.

        :raises ParameterError: for an unknown parameter, a missing required
            one, or a malformed value.
        """
        given = dict(values or {})
        for name in given:
            self.param(name)
        return {p.name: p.term(given.get(p.name)) for p in self.params}

    def standalone(self, values: Mapping[str, str] | None = None) -> str:
        """Return the query body with its parameters fixed by a ``VALUES`` block.

        For an editor, where no bindings can be passed: the result runs on any
        SPARQL endpoint and gives the same answer as :meth:`run` with these
        values. The block opens the WHERE group
        (:func:`relgraph.store.values.bind_in_text`), where it binds before any
        grouping, as the engine's substitutions do; a trailing ``VALUES`` would
        join after grouping, which makes stores evaluate the whole graph first
        (and Virtuoso 7.2 fail some queries). The terms are written by
        pyoxigraph from parsed values, never pasted from the input. Parameters
        without a value or default are left free.
        """
        given = dict(values or {})
        bound: dict[str, Term] = {}
        for p in self.params:
            if given.get(p.name) is None and not p.default:
                continue
            bound[p.name] = p.term(given.get(p.name))
        return bind_in_text(self.body, bound) + ("\n" if bound else "")

    def select(
        self, store: ReadableStore, values: Mapping[str, str] | None = None
    ) -> ox.QuerySolutions:
        """Run the query on a store, in this process, with parameter values bound.

        Our own callers only (tests, documents); users' runs go through the query
        service (:meth:`relgraph.query.service.QueryService.run_stored`).
        """
        return store.select(self.text, bindings=self.bind(values))


# -- reading -----------------------------------------------------------------


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _parse_params(value: str, path: Path, line: int) -> tuple[QueryParam, ...]:
    params: list[QueryParam] = []
    for item in _split_list(value):
        name, _, default = item.partition("=")
        name, default = name.strip().lstrip("?$"), default.strip()
        if not _NAME.match(name):
            raise LoadError(
                f"parameter name {name!r} is not a SPARQL variable name",
                "write params as name=default, name2=default2",
                path=str(path),
                line=line,
            )
        kind = "any"
        if default:
            try:
                term = parse_term(default)
            except ParameterError as exc:
                raise LoadError(
                    f"default of parameter {name!r}: {exc.message}",
                    exc.hint,
                    path=str(path),
                    line=line,
                ) from None
            kind = "iri" if isinstance(term, ox.NamedNode) else "literal"
        params.append(QueryParam(name, default, kind))
    return tuple(params)


def _parse_expected(value: str, path: Path, line: int) -> tuple[tuple[str, ...], int]:
    columns: tuple[str, ...] = ()
    min_rows = 0
    for part in value.split(";"):
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        key = key.strip()
        if not sep or key not in {"columns", "min_rows"}:
            raise LoadError(
                f"expected: {part.strip()!r} is not columns=... or min_rows=N",
                "write e.g. `#+ expected: columns=theory,label; min_rows=6`",
                path=str(path),
                line=line,
            )
        if key == "columns":
            columns = tuple(c.lstrip("?$") for c in _split_list(val))
            bad = [c for c in columns if not _NAME.match(c)]
            if bad:
                raise LoadError(
                    f"expected: {bad[0]!r} is not a variable name",
                    "list the result variables without ?",
                    path=str(path),
                    line=line,
                )
        else:
            if not val.strip().isdigit():
                raise LoadError(
                    f"expected: min_rows={val.strip()!r} is not a whole number",
                    "write min_rows=N",
                    path=str(path),
                    line=line,
                )
            min_rows = int(val.strip())
    if not columns:
        raise LoadError(
            "expected: no columns given",
            "write e.g. `#+ expected: columns=theory,label; min_rows=6`",
            path=str(path),
            line=line,
        )
    return columns, min_rows


def load_query(path: Path) -> StoredQuery:
    """Read one ``.rq`` file into a :class:`StoredQuery`.

    :raises LoadError: naming the file and line of a header problem.
    """
    found = read_query_file(path, HEADER_KEYS, REQUIRED_KEYS)
    text, values, lines = found.text, found.header, found.lines
    if not _ID.match(values["id"]):
        raise LoadError(
            f"id {values['id']!r} is not lower-case letters, digits and hyphens",
            "use an id such as cq01-theories",
            path=str(path),
            line=lines["id"],
        )
    columns, min_rows = _parse_expected(values["expected"], path, lines["expected"])
    params = _parse_params(values.get("params", ""), path, lines.get("params", 1))
    body_vars = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", _strip_comments(text)))
    for p in params:
        if p.name not in columns:
            raise LoadError(
                f"parameter {p.name!r} is not one of the expected columns",
                "a parameter must be a projected variable of the query (SELECT it and list "
                "it in `expected: columns=...`): pyoxigraph binds only projected variables",
                path=str(path),
                line=lines["params"],
            )
        if p.name not in body_vars:
            raise LoadError(
                f"parameter {p.name!r} is not a variable of the query",
                f"use ?{p.name} in the query, or drop it from params",
                path=str(path),
                line=lines["params"],
            )
    return StoredQuery(
        id=values["id"],
        question=values["question"],
        text=text,
        path=path,
        title=values.get("title") or values["question"],
        summary=values.get("summary", ""),
        tags=_split_list(values.get("tags", "")),
        params=params,
        columns=columns,
        min_rows=min_rows,
    )


def _strip_comments(text: str) -> str:
    """Drop whole-line comments (enough to find variables; IRIs keep their #)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load_queries(paths: Iterable[Path]) -> list[StoredQuery]:
    """Read several query files, checking that their ids are unique."""
    queries: list[StoredQuery] = []
    seen: dict[str, Path] = {}
    for path in paths:
        query = load_query(path)
        if query.id in seen:
            raise LoadError(
                f"id {query.id!r} is also used by {seen[query.id]}",
                "give every stored query its own id",
                path=str(path),
                line=1,
            )
        seen[query.id] = path
        queries.append(query)
    return queries


def _cq_dir(settings: Settings) -> Path:
    return settings.path("queries_dir") / CQ_FOLDER


def list_queries(settings: Settings) -> list[StoredQuery]:
    """List the stored queries of a project, in file-name order.

    :raises LoadError: if any header is malformed.
    """
    folder = _cq_dir(settings)
    if not folder.is_dir():
        return []
    return load_queries(sorted(folder.glob("*.rq")))


def get_query(settings: Settings, query_id: str) -> StoredQuery:
    """Return the stored query with the given id.

    :raises UnknownQuery: if there is none.
    """
    for query in list_queries(settings):
        if query.id == query_id:
            return query
    raise UnknownQuery(
        f"no stored query with id {query_id!r}",
        "run `relgraph queries` to list the ids",
    )


# -- the index ---------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalog_markdown(queries: Iterable[StoredQuery], root: Path | None = None) -> str:
    """Render the index of stored queries (``queries/README.md``) as Markdown.

    :param root: folder that file links are made relative to (``queries/``).
    """
    queries = list(queries)
    lines = [
        "# Competency queries",
        "",
        "Generated from the `#+` headers of `queries/cq/*.rq` by "
        "`relgraph queries --markdown > queries/README.md`; do not edit by hand.",
        "",
        "Run one with `relgraph queries run ID [--param NAME=VALUE]`; the tests in",
        "`tests/content/test_competency.py` run every query and check its answer against the "
        "review.",
        "",
        f"{len(queries)} queries.",
        "",
        "| id | question | tags | parameters | expected columns | min rows |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for q in queries:
        link = q.path.relative_to(root).as_posix() if root else q.path.name
        params = ", ".join(
            f"`{p.name}`" + (f" = `{p.default}`" if p.default else "") for p in q.params
        )
        lines.append(
            f"| [{q.id}]({link}) | {_cell(q.question)} | {_cell(', '.join(q.tags))} "
            f"| {params} | {', '.join(q.columns)} | {q.min_rows} |"
        )
    lines.append("")
    lines.append("## Summaries")
    for q in queries:
        lines += ["", f"### {q.id}", "", f"**{_cell(q.question)}**"]
        if q.summary:
            lines += ["", q.summary]
    return "\n".join(lines) + "\n"
