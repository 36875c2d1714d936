"""Parameters of stored queries: values (text from a form or the command line) as RDF terms.

The values become pyoxigraph terms that are *bound* to query variables, never
text pasted into a query, so nothing a value contains can change a query.
Malformed IRIs and literals are refused with a :class:`ParameterError`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from relgraph.errors import ParameterError
from relgraph.vocab import PREFIXES, RGR, XSD

__all__ = ["ParameterError", "parse_term", "typed_literal"]

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)?$")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^(\S+))?$', re.DOTALL)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_XSD_DECIMAL = str(XSD.decimal)
_XSD_BOOLEAN = str(XSD.boolean)


def parse_term(text: str, *, kind: str = "any") -> ox.NamedNode | ox.Literal:
    """Parse a parameter value into an RDF term, safely.

    The value becomes a term, never query text, so nothing it contains can
    change the query. Malformed IRIs are refused rather than guessed.

    :param text: ``<iri>``, ``prefix:local`` (a prefix relgraph declares), an
        absolute IRI such as ``https://...``, ``"text"``, ``"text"@en``,
        ``"v"^^xsd:type``, an integer, a decimal, ``true``/``false``, or plain
        text (a string literal).
    :param kind: ``iri`` to accept IRIs only, ``literal`` to read the value
        as a literal even if it looks like a CURIE, ``any`` to infer.
    :raises ParameterError: if the value is not a valid term of that kind.

    >>> parse_term("rgr:theory-role-theory").value
    'https://w3id.org/relgraph/resource/theory-role-theory'
    >>> parse_term("1990").datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    >>> parse_term('"therapeutic alliance"@en').language
    'en'
    >>> parse_term("<x> } ; DROP ALL")
    Traceback (most recent call last):
    ...
    relgraph.errors.ParameterError: '<x> } ; DROP ALL' is not a valid IRI: ...
    """
    value = text.strip()
    if kind not in {"any", "iri", "literal"}:
        raise ValueError(f"unknown term kind {kind!r}")
    if kind != "literal":
        iri = _parse_iri(value)
        if iri is not None:
            return iri
        if kind == "iri":
            raise ParameterError(
                f"{text!r} is not an IRI",
                f"give <{RGR}theory-role-theory>, a CURIE such as rgr:theory-role-theory, or "
                "an absolute IRI",
            )
    return _parse_literal(value, text)


def _parse_iri(value: str) -> ox.NamedNode | None:
    """Return the IRI the value spells, None if it is not IRI-shaped."""
    if value.startswith("<"):
        if not value.endswith(">"):
            raise ParameterError(
                f"{value!r} is not a valid IRI: it opens with < but does not end with >",
                f"give one IRI in angle brackets, e.g. <{RGR}review>",
            )
        return _named_node(value[1:-1], value)
    match = _CURIE.match(value)
    if match and match.group(1) in PREFIXES:
        return _named_node(PREFIXES[match.group(1)] + (match.group(2) or ""), value)
    if _ABSOLUTE.match(value):
        return _named_node(value, value)
    return None


def _named_node(iri: str, original: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ParameterError(
            f"{original!r} is not a valid IRI: {exc}",
            "give one absolute IRI in angle brackets, or a CURIE with a known prefix "
            f"({', '.join(sorted(PREFIXES))})",
        ) from None


def _parse_literal(value: str, original: str) -> ox.Literal:
    match = _QUOTED.match(value)
    if match:
        lexical = re.sub(r"\\(.)", r"\1", match.group(1))
        if match.group(2):
            try:
                return ox.Literal(lexical, language=match.group(2))
            except ValueError:
                raise ParameterError(
                    f"{original!r}: {match.group(2)!r} is not a valid language tag",
                    'give a tag such as "text"@en',
                ) from None
        if match.group(3):
            datatype = _parse_iri(match.group(3))
            if datatype is None:
                raise ParameterError(
                    f"{original!r}: datatype {match.group(3)!r} is not an IRI",
                    'give a datatype such as "3"^^xsd:integer',
                )
            return typed_literal(lexical, datatype.value, original)
        return ox.Literal(lexical)
    if value.startswith('"'):
        raise ParameterError(
            f"{original!r} is not a valid quoted literal",
            'write "text", "text"@en or "value"^^xsd:type (escape inner quotes as \\"), '
            "or give the text without quotes",
        )
    if _INTEGER.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(_XSD_INTEGER))
    if _DECIMAL.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(_XSD_DECIMAL))
    if value in {"true", "false"}:
        return ox.Literal(value, datatype=ox.NamedNode(_XSD_BOOLEAN))
    return ox.Literal(value)


def typed_literal(lexical: str, datatype: str, original: str) -> ox.Literal:
    """Make a typed literal, checking the lexical form of numbers and booleans.

    :param lexical: the value's text.
    :param datatype: the datatype IRI.
    :param original: the value as given, for the error message.
    :raises ParameterError: if the text is not a valid value of the datatype.

    >>> typed_literal("9", "http://www.w3.org/2001/XMLSchema#integer", "9").value
    '9'
    """
    ok = True
    if datatype == _XSD_INTEGER:
        ok = bool(_INTEGER.match(lexical))
    elif datatype == _XSD_DECIMAL:
        try:
            Decimal(lexical)
        except InvalidOperation:
            ok = False
    elif datatype == _XSD_BOOLEAN:
        ok = lexical in {"true", "false", "1", "0"}
    if not ok:
        raise ParameterError(
            f"{original!r} is not a valid <{datatype}> value",
            "give a value of the parameter's type",
        )
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))
