"""A term of an external ontology's offline copy, and the table of a copy's terms.

:class:`Term` is what the mapping checks read of a term (labels, definition, parents,
obsolescence); :class:`TermTable` keeps a copy's terms by canonical IRI, packed as
tuples in the cache and made into :class:`Term` objects only when asked for
(docs/decisions/0020). Split from :mod:`relgraph.mappings.sources`, which reads the copies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Term", "TermTable"]


@dataclass
class Term:
    """One term of a source copy.

    :ivar iri: the canonical IRI.
    :ivar labels: ``(text, language)`` of each ``rdfs:label`` (language ``""`` if none).
    :ivar definition: the term's definition (IAO:0000115, or OBO ``def``), if any.
    :ivar parents: canonical IRIs of the named superclasses (``is_a``).
    :ivar deprecated: ``owl:deprecated true``, an "Obsolete" curation status,
        an ``obsolete ...`` label, or OBO ``is_obsolete: true``.
    :ivar source_iri: the IRI as written in the copy, when it was repaired.
    """

    iri: str
    labels: list[tuple[str, str]] = field(default_factory=list)
    definition: str = ""
    parents: list[str] = field(default_factory=list)
    deprecated: bool = False
    is_class: bool = False
    source_iri: str = ""

    @property
    def label(self) -> str:
        """The English label, else the untagged one, else ``""``."""
        for wanted in ("en", ""):
            for text, lang in self.labels:
                if lang.lower() == wanted:
                    return text
        return ""

    @property
    def english_labels(self) -> set[str]:
        """Every English or untagged label."""
        return {text for text, lang in self.labels if lang.lower() in ("en", "")}


#: A term as the cache keeps it: labels, definition, parents, deprecated, is_class, source_iri.
_Packed = tuple[tuple[tuple[str, str], ...], str, tuple[str, ...], bool, bool, str]


def _pack(term: Term) -> _Packed:
    parents = tuple(term.parents)
    labels = tuple(term.labels)
    return labels, term.definition, parents, term.deprecated, term.is_class, term.source_iri


class TermTable(Mapping[str, Term]):
    """The terms of a copy by canonical IRI; a cached table makes each :class:`Term` only
    when it is first asked for.

    A check asks for a few hundred of MeSH's 30,000 descriptors: unpickling them as
    tuples and making only those is ~18x faster than unpickling 30,000 objects
    (docs/decisions/0020).
    """

    def __init__(self, terms: Mapping[str, Term | _Packed]) -> None:
        self._items: dict[str, Term | _Packed] = dict(terms)

    def __getitem__(self, iri: str) -> Term:
        item = self._items[iri]
        if isinstance(item, Term):
            return item
        labels, definition, parents, deprecated, is_class, source_iri = item
        term = Term(iri, list(labels), definition, list(parents), deprecated, is_class, source_iri)
        self._items[iri] = term
        return term

    def __contains__(self, iri: object) -> bool:
        return iri in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __reduce__(self) -> tuple[Any, ...]:
        packed = {
            iri: _pack(item) if isinstance(item, Term) else item
            for iri, item in self._items.items()
        }
        return (TermTable, (packed,))
