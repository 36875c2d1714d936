"""From what a curator writes in a cell to an IRI of the graph, and likely duplicates.

:class:`Vocabulary` holds the entities of the graph a study sheet can name:
theories, models, constructs, outcomes, settings, ... (see
:data:`relgraph.curation.sheets.KINDS`), with their labels and alternative
labels. :meth:`Vocabulary.resolve` accepts, in this order, a full IRI, a CURIE
(``rgr:setting-day-hospital``, ``obo:ECO_0006017`` or ``ECO:0006017``), a label
or an alternative label (case and spacing ignored), and a spelling variant of
one (British/American spelling and a plural -s folded, as
:func:`relgraph.wording.fold` does). An unknown or ambiguous value gives a
:class:`Unresolved` with the nearest labels of the kinds the column takes
(``difflib``'s ratio of matching characters).

:meth:`Vocabulary.near_duplicates` flags a new entity whose label is close to an
existing one: the same name, a spelling or plural variant, the same content
words in another order, an almost identical spelling (ratio >= 0.9), or a
synonym (the label of one is an alternative label of the other).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from relgraph.checks.wording import content_words, fold, words
from relgraph.curation.kinds import KINDS
from relgraph.store.memory import GraphStore
from relgraph.vocab import PREFIXES, compact_iri

__all__ = ["Entity", "Resolved", "Unresolved", "Duplicate", "Vocabulary", "name_key"]

#: Kinds the new-entity and duplicate checks compare (value sets are fixed).
_ENTITY_KINDS = tuple(k for k in KINDS if k not in ("direction", "evidence type", "setting kind"))
#: Spellings almost alike: a ratio of matching characters at least this.
SPELLING_RATIO = 0.9
#: Nearest labels offered for a value that names nothing.
NEAREST = 3
_CURIE_IN_BRACKETS = re.compile(r"^(.*?)\s*\(([A-Za-z][\w.-]*:[^()\s]+)\)$")
_OBO_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)[:_](\d+)$")


def name_key(text: str) -> str:
    """How labels are compared: case, accents, quotes, dashes and spacing ignored.

    >>> name_key("  Patient’s  Satisfaction ") == name_key("patient's satisfaction")
    True
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(text.casefold().split())


def _folded(text: str) -> str:
    return " ".join(fold(w) for w in words(name_key(text)))


@dataclass(frozen=True)
class Entity:
    """An entity a sheet can name.

    :ivar kinds: the kind names it is of (a professional role is also a participant role).
    :ivar new: defined by the sheet being imported (not yet in the graph).
    """

    iri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)
    new: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Label first, then alternative labels."""
        return (self.label, *self.alt_labels) if self.label else self.alt_labels

    @property
    def curie(self) -> str:
        """The entity as a CURIE (or <IRI>)."""
        return compact_iri(self.iri)

    def describe(self) -> str:
        """``"label" (curie, kind)``, as problems name an entity."""
        kind = " / ".join(sorted(self.kinds)) or "entity"
        return f"{self.label!r} ({self.curie}, {kind})"


@dataclass(frozen=True)
class Resolved:
    """A cell value that names one entity."""

    entity: Entity


@dataclass(frozen=True)
class Unresolved:
    """A cell value that names no entity of the kinds wanted, or several.

    :ivar reason: ``unknown``, ``ambiguous`` or ``wrong-kind``.
    :ivar candidates: the entities it could mean (ambiguous, wrong kind).
    :ivar nearest: the nearest labels, as ``"label" (curie)``.
    """

    reason: str
    message: str
    hint: str
    candidates: tuple[Entity, ...] = ()
    nearest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duplicate:
    """An existing entity a new one seems to duplicate, and why."""

    entity: Entity
    reason: str


class Vocabulary:
    """The entities a study sheet can name, indexed by IRI, CURIE and name."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._by_iri: dict[str, Entity] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._by_folded: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            self.add(entity)

    @classmethod
    def from_store(cls, store: GraphStore) -> Vocabulary:
        """The entities of a graph (deprecated ones left out)."""
        roots = {cls_iri: name for name, k in KINDS.items() for cls_iri in k.classes}
        values = " ".join(f"<{iri}>" for iri in roots)
        kinds: dict[str, set[str]] = defaultdict(set)
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?e ?root WHERE {{
                  VALUES ?root {{ {values} }}
                  ?e a/rdfs:subClassOf* ?root . FILTER(isIRI(?e))
                  FILTER NOT EXISTS {{ ?e owl:deprecated true }} }}""",
        ):
            kinds[row["e"]].add(roots[row["root"]])
        labels: dict[str, str] = {}
        alts: dict[str, set[str]] = defaultdict(set)
        for row in _rows(
            store,
            """SELECT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l .
                 FILTER(isIRI(?e) && (LANG(?l) = "" || LANGMATCHES(LANG(?l), "en"))) }""",
        ):
            if row["e"] not in kinds:
                continue
            if row["p"].endswith("#label"):
                labels.setdefault(row["e"], row["l"])
            else:
                alts[row["e"]].add(row["l"])
        return cls(
            Entity(iri, labels.get(iri, ""), tuple(sorted(alts[iri])), frozenset(k))
            for iri, k in kinds.items()
        )

    # -- building ------------------------------------------------------------------------
    def add(self, entity: Entity) -> None:
        """Add (or replace) an entity."""
        self._by_iri[entity.iri] = entity
        for name in entity.names:
            self._by_name[name_key(name)].add(entity.iri)
            self._by_folded[_folded(name)].add(entity.iri)

    def get(self, iri: str) -> Entity | None:
        """The entity with this IRI, if any."""
        return self._by_iri.get(iri)

    def __contains__(self, iri: object) -> bool:
        return iri in self._by_iri

    def of_kinds(self, kinds: Sequence[str]) -> list[Entity]:
        """The entities of any of these kinds, by label."""
        wanted = set(kinds)
        found = [e for e in self._by_iri.values() if e.kinds & wanted]
        return sorted(found, key=lambda e: (name_key(e.label), e.iri))

    def labels(self, kinds: Sequence[str]) -> list[str]:
        """The labels a drop-down of these kinds offers (a shared label with its CURIE)."""
        found = [e for e in self.of_kinds(kinds) if not e.new and e.label]
        count: dict[str, int] = defaultdict(int)
        for e in found:
            count[name_key(e.label)] += 1
        return [
            f"{e.label} ({e.curie})" if count[name_key(e.label)] > 1 else e.label for e in found
        ]

    # -- resolving -----------------------------------------------------------------------
    def expand(self, text: str) -> str | None:
        """The IRI a CURIE or IRI stands for (None if the text is neither).

        >>> Vocabulary().expand("ECO:0006017")
        'http://purl.obolibrary.org/obo/ECO_0006017'
        >>> Vocabulary().expand("rgr:outcome-relapse")
        'https://w3id.org/relgraph/resource/outcome-relapse'
        >>> Vocabulary().expand("treatment adherence") is None
        True
        """
        text = text.strip().strip("<>")
        if text.startswith(("http://", "https://")):
            return text
        obo = _OBO_CURIE.match(text)
        if obo:
            return f"{PREFIXES['obo']}{obo.group(1).upper()}_{obo.group(2)}"
        prefix, sep, local = text.partition(":")
        if not sep or " " in text:
            return None
        namespace = {k.lower(): v for k, v in PREFIXES.items()}.get(prefix.lower())
        if namespace is not None and local:
            return namespace + local
        return None

    def resolve(self, text: str, kinds: Sequence[str]) -> Resolved | Unresolved:
        """The entity a cell value names, among the entities of ``kinds``."""
        wanted = set(kinds)
        what = " or ".join(kinds)
        bracketed = _CURIE_IN_BRACKETS.match(text.strip())
        if bracketed and self.expand(bracketed.group(2)) in self._by_iri:
            text = bracketed.group(2)
        iri = self.expand(text)
        if iri is not None:
            entity = self._by_iri.get(iri)
            if entity is None:
                return Unresolved(
                    "unknown",
                    f"{text!r} names no {what} of the graph",
                    "check the CURIE (the Lists sheet has every label), or add the entity on"
                    " the New entities sheet",
                    nearest=self.nearest(iri.rsplit("/", 1)[-1].replace("-", " "), kinds),
                )
            if entity.kinds & wanted:
                return Resolved(entity)
            return self._wrong_kind(text, [entity], kinds)
        for index in (self._by_name, self._by_folded):
            key = name_key(text) if index is self._by_name else _folded(text)
            found = [self._by_iri[i] for i in sorted(index.get(key, ()))]
            if not found:
                continue
            right = [e for e in found if e.kinds & wanted]
            own = [e for e in right if e.new]
            if len(own) == 1:  # the sheet's own entity (a duplicate is reported at its row)
                return Resolved(own[0])
            if len(right) == 1:
                return Resolved(right[0])
            if len(right) > 1:
                return Unresolved(
                    "ambiguous",
                    f"{text!r} is ambiguous: it names " + " and ".join(e.describe() for e in right),
                    "write the CURIE of the one you mean, e.g. " + right[0].curie,
                    tuple(right),
                )
            return self._wrong_kind(text, found, kinds)
        return Unresolved(
            "unknown",
            f"unknown {what} {text!r}",
            "pick a label from the drop-down list (the Lists sheet has them all), correct"
            " the spelling, or add a new entity on the New entities sheet",
            nearest=self.nearest(text, kinds),
        )

    def _wrong_kind(self, text: str, found: list[Entity], kinds: Sequence[str]) -> Unresolved:
        what = " or ".join(kinds)
        return Unresolved(
            "wrong-kind",
            f"{text!r} is " + " and ".join(e.describe() for e in found) + f", not a {what}",
            f"this column takes a {what}: pick one from its drop-down list",
            tuple(found),
            self.nearest(text, kinds),
        )

    def nearest(self, text: str, kinds: Sequence[str], n: int = NEAREST) -> tuple[str, ...]:
        """The labels of ``kinds`` nearest to ``text``, as ``"label" (curie)``."""
        names: dict[str, Entity] = {}
        for entity in self.of_kinds(kinds):
            for name in entity.names:
                names.setdefault(name_key(name), entity)
        close = difflib.get_close_matches(name_key(text), list(names), n=n * 2, cutoff=0.6)
        out: list[str] = []
        for key in close:
            entity = names[key]
            shown = f"{entity.label!r} ({entity.curie})"
            if shown not in out:
                out.append(shown)
        return tuple(out[:n])

    # -- duplicates ----------------------------------------------------------------------
    def near_duplicates(
        self, label: str, alt_labels: Sequence[str] = (), *, skip: Iterable[str] = ()
    ) -> list[Duplicate]:
        """Existing entities a new entity with these names seems to duplicate.

        :param skip: IRIs not to compare with (the new entity itself, and the entities
            the curator says it is not).
        """
        skipped = set(skip)
        new_names = [n for n in (label, *alt_labels) if n]
        out: dict[str, Duplicate] = {}
        for entity in self._by_iri.values():
            if entity.iri in skipped or entity.new or not entity.kinds & set(_ENTITY_KINDS):
                continue
            reason = _duplicate_reason(new_names, entity)
            if reason:
                out.setdefault(entity.iri, Duplicate(entity, reason))
        return sorted(out.values(), key=lambda d: d.entity.iri)


def _duplicate_reason(new_names: Sequence[str], entity: Entity) -> str:
    """Why a new entity's names look like an existing entity's ('' if they do not).

    The strongest likeness wins: the same name, then a spelling or plural variant,
    the same content words, an almost identical spelling.
    """
    pairs = [(new, old) for new in new_names for old in entity.names]

    def named(old: str) -> str:
        return (
            entity.describe() if old == entity.label else f"{old!r}, a name of {entity.describe()}"
        )

    for new, old in pairs:
        if name_key(new) == name_key(old):
            if new != new_names[0] or old != entity.label:
                return f"{new!r} is also a name of {entity.describe()} (a synonym)"
            return f"it has the same name as {entity.describe()}"
    for new, old in pairs:
        if _folded(new) == _folded(old):
            variant = "differs only in spelling or plural from"
            return f"{new!r} {variant} {named(old)}"
    for new, old in pairs:
        mine = content_words(new)
        if mine and mine == content_words(old):
            return f"{new!r} has the same words as {named(old)}"
    for new, old in pairs:
        a, b = _folded(new), _folded(old)
        if (
            min(len(a), len(b)) >= 5
            and difflib.SequenceMatcher(None, a, b).ratio() >= SPELLING_RATIO
        ):
            return f"{new!r} is spelt almost like {named(old)}"
    return ""


def _rows(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: ("" if row[n] is None else row[n].value) for n in names} for row in result]
