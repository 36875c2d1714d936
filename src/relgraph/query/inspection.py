"""Query inspection: what a SPARQL text is, and whether this endpoint may run it.

The inspector works on tokens, never on a parse tree: a small lexer for the
terminals of SPARQL 1.1 (section 19.8 of the Query Language recommendation:
strings, IRIs, prefixed names, variables, comments, numbers, keywords) that
skips the content of strings, IRIs and comments. It finds

* the query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``: the first
  keyword after the prologue), and whether the query has ``FROM`` or ``FROM
  NAMED`` clauses;
* update operations (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``,
  ``CREATE``, ``ADD``, ``MOVE``, ``COPY``, ``WITH``) where a request may start
  one: refused with :class:`~relgraph.errors.QueryRejected` (HTTP 403);
* ``SERVICE`` anywhere (nested groups, OPTIONAL, subqueries, EXISTS):
  refused, since the engine would follow it over HTTP.

The grammar authority is the engine. pyoxigraph parses the text when it runs
it (once, in a killable worker process, see :mod:`relgraph.query.pool`); its syntax
errors, with line and column, are the ones the client sees. The lexer only has
to be right about the three decisions above, and for ``SERVICE`` it does not
even have to be: the engine's parser reads keywords without word boundaries
(``SERVICEex:g {}`` is a SERVICE clause for it), which no token-level reading
reproduces exactly. So whenever the letters ``service`` occur anywhere in a
text (any case, even inside a string), :func:`service_probe` makes a copy with
each occurrence replaced by the same number of letters that are no keyword,
and the worker parses that copy, on an empty store, before running anything.
Renaming a letter sequence consistently keeps every string, IRI, variable and
prefixed name valid, and only a SERVICE keyword turns into an error, so: the
copy parses if and only if the text has no SERVICE clause. (This relies on the
engine not expanding ``\\u`` escapes outside strings and IRIs, which
pyoxigraph 0.5 does not; a test guards it.)

The inspector is a pure function over an immutable compiled pattern: it keeps
no state between calls and is safe to call from any number of threads. It
replaces rdflib's pyparsing grammar, whose module-level parser state was
corrupted by concurrent requests (issue #8; see
``docs/decisions/0004-query-inspection.md`` for the measurements).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from relgraph.errors import QueryRejected, QuerySyntaxError
from relgraph.vocab import PREFIXES

__all__ = [
    "QueryInfo",
    "Token",
    "UPDATE_OPERATIONS",
    "VOLATILE_FUNCTIONS",
    "READ_ONLY_HINT",
    "INSPECTION_CACHE_CHARS",
    "INSPECTION_CACHE_SIZE",
    "dataset_clauses",
    "inspect_cached",
    "inspect_query",
    "service_probe",
    "service_in_keyword_position",
    "tokens",
]

#: Keywords that start an update operation -> the operation named in refusals.
UPDATE_OPERATIONS: dict[str, str] = {
    "LOAD": "LOAD",
    "CLEAR": "CLEAR",
    "DROP": "DROP",
    "CREATE": "CREATE",
    "ADD": "ADD",
    "MOVE": "MOVE",
    "COPY": "COPY",
    "WITH": "DELETE/INSERT",
    "INSERT": "DELETE/INSERT",
    "DELETE": "DELETE/INSERT",
}

#: The hint of every refused update.
READ_ONLY_HINT = (
    "this endpoint is read-only: send a SELECT, ASK, CONSTRUCT or DESCRIBE query; "
    "the graph is changed only by editing its sources and rebuilding"
)

_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}

# -- terminals (SPARQL 1.1 Query Language, section 19.8) ------------------------------------------
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ESCAPE = r"\\[\s\S]"
_EXPONENT = r"[eE][+-]?[0-9]+"

# Alternatives in order of frequency in real queries, where first characters allow it:
# a blank node label and a prefixed name before a word, an IRI and a number before
# punctuation (longest match: '<a>' is an IRI, '.5' a number).
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>[ \t\r\n]+)",
            rf"(?P<var>[?$]{_VARNAME})",
            rf"(?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
            rf"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<comment>\#[^\r\n]*)",
            r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
            rf'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|{_ESCAPE}))*"""'
            rf"|'''(?:(?:'|'')?(?:[^'\\]|{_ESCAPE}))*'''"
            rf'|"(?:[^"\\\r\n]|{_ESCAPE})*"'
            rf"|'(?:[^'\\\r\n]|{_ESCAPE})*')",
            rf"(?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+(?:{_EXPONENT})?"
            rf"|[0-9]+(?:\.[0-9]+)?(?:{_EXPONENT})?)",
            r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|<<\(|\)>>|<<|>>|\{\||\|\}|[{}()\[\];,.*+\-/!=<>|^?$~&])",
            r"(?P<other>[\s\S])",
        ]
    )
)

#: The letters of the SERVICE keyword, compared as the engine does (ASCII, any case).
_SERVICE_LETTERS = re.compile("service", re.IGNORECASE | re.ASCII)
#: Letters no SPARQL keyword or function name starts with: replacements are made of them.
_NEUTRAL = "zq"


class Token(NamedTuple):
    """One token of a SPARQL text.

    :ivar kind: ``word``, ``pname``, ``var``, ``iri``, ``string``, ``number``,
        ``bnode``, ``lang``, ``punct`` or ``other`` (whitespace and comments
        are skipped).
    :ivar text: the characters of the token.
    :ivar start: its offset in the text (code points).
    """

    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text, longest match first.

    >>> [t.text for t in tokens('SELECT ?x { ?x rdfs:label "a { b" } # SERVICE')]
    ['SELECT', '?x', '{', '?x', 'rdfs:label', '"a { b"', '}']
    """
    # The last alternative matches any character, so the matches tile the text.
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "ws" and kind != "comment":
            yield Token(kind or "other", match.group(), match.start())


@dataclass(frozen=True)
class QueryInfo:
    """What inspection learnt about an accepted query text.

    :ivar form: ``select``, ``ask``, ``construct`` or ``describe``; None when no
        query form keyword opens the text (the engine then says what is wrong).
    :ivar has_dataset: whether the query has FROM or FROM NAMED clauses.
    :ivar mentions_service: whether the letters ``service`` occur anywhere in
        the text, so that the engine must confirm, on a :func:`service_probe`,
        that there is no SERVICE clause before the query runs.
    :ivar deterministic: False when the text calls a function whose value changes
        between evaluations (:data:`VOLATILE_FUNCTIONS`), so that two runs over the
        same graph may answer differently (no entity tag: :mod:`relgraph.web.validators`).
    """

    form: str | None
    has_dataset: bool = False
    mentions_service: bool = False
    deterministic: bool = True

    @property
    def returns_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE."""
        return self.form in {"construct", "describe"}


def _update_name(keyword: str, following: str) -> str:
    if keyword in {"INSERT", "DELETE"} and following in {"DATA", "WHERE"}:
        return f"{keyword} {following}"
    return UPDATE_OPERATIONS[keyword]


#: Functions of SPARQL 1.1 (section 17.4) whose value is new at each evaluation.
VOLATILE_FUNCTIONS = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})

_OPENING = frozenset({"{", "(", "[", "<<(", "<<", "{|"})
_CLOSING = frozenset({"}", ")", "]", ")>>", ">>", "|}"})


def inspect_query(text: str, *, max_nesting: int = 0) -> QueryInfo:
    """Accept a query text or say why not.

    A leading byte-order mark (U+FEFF) is ignored. With ``max_nesting``, a text
    whose groups, brackets and parentheses nest deeper is refused: the engine's
    parser takes time cubic in the depth of nested collections and blank nodes
    (1 s at depth 100) and overflows its stack (a crash) at a few ten thousand.

    >>> inspect_query("SELECT * WHERE { ?s ?p ?o }")
    QueryInfo(form='select', has_dataset=False, mentions_service=False, deterministic=True)
    >>> try:
    ...     inspect_query("DROP ALL")
    ... except QueryRejected as exc:
    ...     print(exc.message)
    updates are refused (found DROP)

    :raises QuerySyntaxError: if the text is empty.
    :raises QueryRejected: for update operations and SERVICE clauses, and past
        ``max_nesting``.
    """
    text = text.removeprefix("\ufeff")
    form: str | None = None
    has_dataset = False
    updates: list[str] = []
    depth = 0
    statement = 0
    expect_keyword = True  # at the start of a request or after ';' between operations
    skip = 0  # tokens of a prologue declaration still to pass
    pending: str | None = None  # INSERT or DELETE, waiting for DATA / WHERE
    seen = False
    nesting = 0
    volatile = False
    for token in tokens(text):
        seen = True
        upper = token.text.upper() if token.kind == "word" else ""
        if upper in VOLATILE_FUNCTIONS:
            volatile = True
        if token.kind == "punct":
            if token.text in _OPENING:
                nesting += 1
                if max_nesting and nesting > max_nesting:
                    raise QueryRejected(
                        f"the query nests groups, brackets or parentheses more than "
                        f"{max_nesting} deep (at offset {token.start}; setting "
                        "max_query_nesting)",
                        "flatten the query: a long chain of nested groups or lists can be "
                        "written as a sequence of patterns",
                    )
            elif token.text in _CLOSING:
                nesting -= 1
        if pending is not None:
            updates.append(_update_name(pending, upper))
            pending = None
        if upper == "SERVICE":
            raise QueryRejected(
                "SERVICE is refused: this endpoint never calls other services",
                "remove the SERVICE clause and query the other endpoint yourself",
            )
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif token.text == ";" and depth <= 0:
            expect_keyword, statement = True, statement + 1
            continue
        if upper == "FROM" and depth <= 0 and statement == 0:
            has_dataset = True
        if skip:
            skip -= 1
            continue
        if not expect_keyword:
            continue
        if upper == "BASE":
            skip = 1
        elif upper == "PREFIX":
            skip = 2
        else:
            expect_keyword = False
            if upper in UPDATE_OPERATIONS:
                if upper in {"INSERT", "DELETE"}:
                    pending = upper
                else:
                    updates.append(UPDATE_OPERATIONS[upper])
            elif statement == 0:
                form = _FORMS.get(upper)
    if pending is not None:
        updates.append(_update_name(pending, ""))
    if updates:
        found = ", ".join(dict.fromkeys(updates))
        raise QueryRejected(f"updates are refused (found {found})", READ_ONLY_HINT)
    if not seen:
        raise QuerySyntaxError(
            "the query is empty", "give a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    return QueryInfo(
        form, has_dataset, _SERVICE_LETTERS.search(text) is not None, deterministic=not volatile
    )


#: Most query texts whose inspection is remembered (:func:`inspect_cached`).
INSPECTION_CACHE_SIZE = 512
#: Longest text (characters) whose inspection is remembered: at most
#: ``INSPECTION_CACHE_SIZE * INSPECTION_CACHE_CHARS`` characters are kept (16 M).
INSPECTION_CACHE_CHARS = 32_768


@functools.lru_cache(maxsize=INSPECTION_CACHE_SIZE)
def _inspect_remembered(text: str, max_nesting: int) -> QueryInfo:
    return inspect_query(text, max_nesting=max_nesting)


def inspect_cached(text: str, *, max_nesting: int = 0) -> QueryInfo:
    """:func:`inspect_query`, remembered for texts seen before (stored queries, clients' repeats).

    The decision is a pure function of the text and ``max_nesting`` and
    :class:`QueryInfo` is immutable, so a remembered answer is the answer; a text that
    is refused raises again each time (exceptions are not remembered). The cache is
    :func:`functools.lru_cache` (safe from any thread), bounded in entries
    (:data:`INSPECTION_CACHE_SIZE`) and in the length of the texts it keeps
    (:data:`INSPECTION_CACHE_CHARS`; longer texts are inspected each time), so a client
    cannot grow it. Inspecting a stored query's text (about 1,000 characters, most of
    them the prologue of predeclared prefixes) costs about 0.3 ms; a remembered one a
    dictionary lookup (``docs/decisions/0014-latency.md``).

    :raises QuerySyntaxError: if the text is empty.
    :raises QueryRejected: as :func:`inspect_query`.
    """
    if len(text) > INSPECTION_CACHE_CHARS:
        return inspect_query(text, max_nesting=max_nesting)
    return _inspect_remembered(text, max_nesting)


def service_probe(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A copy of a query text in which no SERVICE keyword can remain, and where it changed.

    Every occurrence of the letters ``service`` (ASCII, any case) is replaced
    by seven letters that start no SPARQL keyword and occur nowhere in the
    text, so offsets, lines and columns stay the same. See the module
    docstring for why the copy parses exactly when the text has no SERVICE
    clause.

    >>> service_probe('SELECT * { ?s ?p "self-service" }')
    ('SELECT * { ?s ?p "self-zzzzzzz" }', ((23, 30),))

    :returns: the probe text and the (start, end) offsets of the replacements.
    """
    text = text.removeprefix("\ufeff")
    lowered = text.lower()
    for letters in itertools.product(_NEUTRAL, repeat=7):
        replacement = "".join(letters)
        if replacement not in lowered:
            break
    else:  # pragma: no cover - only a text written to defeat the probe gets here
        raise QueryRejected(
            "the query cannot be checked for SERVICE clauses",
            "shorten the query; this endpoint never calls other services",
        )
    spans = tuple((m.start(), m.end()) for m in _SERVICE_LETTERS.finditer(text))
    return _SERVICE_LETTERS.sub(replacement, text), spans


def service_in_keyword_position(text: str) -> bool:
    """Whether the letters ``service`` occur where the engine may read a keyword.

    That is inside a word or the prefix of a prefixed name (``SERVICEex:g``,
    ``SERVICE:g``), not inside a string, IRI, comment, variable or local name.
    Used to word the answer when a :func:`service_probe` does not parse: such a
    text is refused as a SERVICE clause, any other gets the syntax error.

    >>> service_in_keyword_position("SELECT * { SERVICE:g { ?s ?p ?o } }")
    True
    >>> service_in_keyword_position('SELECT ?service { ?s ex:service "service" }')
    False
    """
    for token in tokens(text.removeprefix("\ufeff")):
        if token.kind == "word":
            name = token.text
        elif token.kind == "pname":
            name = token.text.partition(":")[0]
        else:
            continue
        if _SERVICE_LETTERS.search(name):
            return True
    return False


def dataset_clauses(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]]:
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` clauses (SPARQL 1.1 Query §13.2).

    Prefixed names are expanded with the query's own ``PREFIX`` declarations and
    relgraph's predeclared prefixes; relative IRIs are resolved against the
    query's ``BASE`` or ``base_iri``. A name that cannot be expanded is kept as
    written (it then names no graph). Used with an external store, so that a
    query's dataset can only name relgraph's own graphs there.

    >>> dataset_clauses("PREFIX e: <http://e/> SELECT * FROM <a> FROM NAMED e:b {}", "http://x/")
    (['http://x/a'], ['http://e/b'])
    """
    prefixes = dict(PREFIXES)
    base = base_iri
    defaults: list[str] = []
    named: list[str] = []
    stream = list(tokens(text.removeprefix("\ufeff")))

    def resolve(token: Token) -> str:
        if token.kind == "iri":
            value = token.text[1:-1]
            return urljoin(base, value) if base else value
        prefix, _, local = token.text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else token.text

    for i, token in enumerate(stream):
        upper = token.text.upper() if token.kind == "word" else ""
        following = stream[i + 1 : i + 3]
        if upper == "BASE" and following and following[0].kind == "iri":
            base = resolve(following[0])
        elif upper == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = resolve(following[1])
        elif upper == "FROM" and following:
            is_named = following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if is_named and len(following) == 2 else following[0]
            if target.kind in {"iri", "pname"}:
                (named if is_named else defaults).append(resolve(target))
    return defaults, named
