"""The summary ABox: the instance data folded onto one individual per kind, for HermiT.

HermiT's consistency test grows with the number of individuals (one tableau node
each). Instance data of one kind look alike to the TBox, so the test can run on
a *summary* instead (Fokoue, Kershenbaum, Ma, Schonberg, Srinivas, "The Summary
Abox: Cutting Ontologies Down to Size", ISWC 2006; Dolby et al., "Scalable
semantic retrieval through summarization and refinement", AAAI 2007): a map
``f`` from individuals to summary individuals, and every assertion mapped
through it. **If the summary is consistent, so is the graph**: from a model of
the summary, interpreting each individual ``a`` as ``f(a)`` gives a model of the
graph (the argument, with nominals and keys: ``docs/decisions/0016-reasoning-at-scale.md``).
An inconsistent summary proves nothing; :mod:`relgraph.checks.owl` then asks
HermiT about the graph itself (a module of it first), so no verdict changes.

What is folded (OWL 2 Mapping to RDF Graphs, section 3.2.4 / table 16: each of
these triples is one axiom on its own, given the declarations):

* ``a rdf:type C`` with ``C`` declared ``owl:Class`` (or ``owl:Thing``), and
  ``a rdf:type owl:NamedIndividual``: ClassAssertion, Declaration;
* ``a P b`` with ``P`` declared ``owl:ObjectProperty`` only: ObjectPropertyAssertion;
* ``a P "v"`` with ``P`` declared ``owl:DatatypeProperty`` only: DataPropertyAssertion;

where ``a`` and ``b`` are IRIs. Every other triple (the TBox, ``owl:sameAs`` and
``owl:differentFrom``, blank nodes, negative assertions, ``owl:oneOf`` lists, whatever
is left to the OWL API's guess) is copied verbatim, and every IRI in such a triple
is its own summary individual (``f(a) = a``): so every individual the TBox names
(the nominals of ``owl:oneOf``) maps to itself.

Which individuals share a summary individual: those with the same asserted classes,
the same literal values of functional data properties, and, refined until stable
(coarsest stable partition), values of functional and inverse-functional object
properties (through ``rdfs:subPropertyOf``, ``owl:inverseOf`` and symmetry) in the
same groups. The choice never changes a verdict, only how often the summary is a
false alarm: merging two individuals with different values of a functional property
would make it one.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from relgraph.store.base import ReadableStore
from relgraph.vocab import OWL, RDF, RDFS, SCRATCH

__all__ = [
    "SUMMARY_PREFIX",
    "AboxSummary",
    "Triple",
    "module",
    "ntriples",
    "summarise",
    "summarise_store",
    "AboxInput",
    "fold",
    "read_store",
    "whole_graph",
    "terms",
]

#: IRIs of the summary individuals: ``<urn:relgraph:summary:N>``.
SUMMARY_PREFIX = SCRATCH + "summary:"

#: A triple as three N-Triples terms (``<iri>``, ``_:id``, ``"v"^^<dt>``).
Triple = tuple[str, str, str]

_TYPE = f"<{RDF.type}>"
_OWL = str(OWL)
_THING = f"<{OWL.Thing}>"
_NAMED = f"<{OWL.NamedIndividual}>"
_SUBPROPERTY = f"<{RDFS.subPropertyOf}>"
_INVERSE = f"<{OWL.inverseOf}>"
_VOCABULARY = (f"<{OWL}", f"<{RDFS}", f"<{RDF}")


def terms(quads: Iterable[ox.Quad | ox.Triple]) -> set[Triple]:
    """The distinct triples of some quads (graphs merged) as N-Triples terms."""
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


def ntriples(triples: Iterable[Triple]) -> bytes:
    """Triples of N-Triples terms as an N-Triples document (sorted, so runs are repeatable)."""
    return "".join(sorted(f"{s} {p} {o} .\n" for s, p, o in triples)).encode("utf-8")


@dataclass
class _Schema:
    """What the folding needs to know of the TBox (declarations by IRI term)."""

    classes: set[str]
    object_properties: set[str]
    data_properties: set[str]
    #: for each object property P: the (Q, forward) such that ``a P b`` entails
    #: ``Q(a, b)`` (forward) or ``Q(b, a)``, for Q functional or inverse-functional.
    object_views: dict[str, list[tuple[str, bool, bool]]]
    #: for each data property P: its functional super-properties (itself included).
    data_functional: dict[str, list[str]]


def _schema(triples: set[Triple]) -> _Schema:
    declared: dict[str, set[str]] = defaultdict(set)
    supers: dict[str, set[str]] = defaultdict(set)
    inverse: dict[str, set[str]] = defaultdict(set)
    owl = f"<{_OWL}"
    for s, p, o in triples:
        if s[0] != "<":
            continue
        if p == _TYPE and o.startswith(owl):
            declared[s].add(o[len(_OWL) + 1 : -1])
        elif p == _SUBPROPERTY and o[0] == "<":
            supers[s].add(o)
        elif p == _INVERSE and o[0] == "<":
            inverse[s].add(o)
            inverse[o].add(s)
    classes = {s for s, kinds in declared.items() if "Class" in kinds} | {_THING}
    objects = {
        s
        for s, k in declared.items()
        if "ObjectProperty" in k and not k & {"DatatypeProperty", "AnnotationProperty"}
    }
    data = {
        s
        for s, k in declared.items()
        if "DatatypeProperty" in k and not k & {"ObjectProperty", "AnnotationProperty"}
    }
    functional = {s for s, k in declared.items() if "FunctionalProperty" in k}
    inverse_functional = {s for s, k in declared.items() if "InverseFunctionalProperty" in k}
    symmetric = {s for s, k in declared.items() if "SymmetricProperty" in k}

    def views(prop: str) -> set[tuple[str, bool]]:
        seen: set[tuple[str, bool]] = set()
        todo = [(prop, True)]
        while todo:
            view = todo.pop()
            if view in seen:
                continue
            seen.add(view)
            q, forward = view
            todo += [(sup, forward) for sup in supers.get(q, ())]
            todo += [(inv, not forward) for inv in inverse.get(q, ())]
            if q in symmetric:
                todo.append((q, not forward))
        return seen

    object_views = {}
    for prop in objects:
        found = [(q, forward, True) for q, forward in views(prop) if q in functional]
        found += [(q, forward, False) for q, forward in views(prop) if q in inverse_functional]
        if found:
            object_views[prop] = found
    data_functional = {}
    for prop in data:
        found_data = sorted(q for q, _ in views(prop) if q in functional)
        if found_data:
            data_functional[prop] = found_data
    return _Schema(classes, objects, data, object_views, data_functional)


def _split(triples: set[Triple], schema: _Schema) -> tuple[list[Triple], list[Triple]]:
    """The triples that are assertions to fold, and the rest (copied verbatim)."""
    assertions: list[Triple] = []
    rest: list[Triple] = []
    for t in triples:
        s, p, o = t
        if s[0] != "<":
            rest.append(t)
        elif p == _TYPE:
            folded = o == _NAMED or (o in schema.classes and not o.startswith(_VOCABULARY))
            (assertions if folded or o == _THING else rest).append(t)
        elif p in schema.object_properties and o[0] == "<":
            assertions.append(t)
        elif p in schema.data_properties and o[0] == '"':
            assertions.append(t)
        else:
            rest.append(t)
    return assertions, rest


@dataclass
class AboxSummary:
    """A summary ABox and how it was made.

    :ivar ntriples: the summary (verbatim triples and folded assertions), N-Triples.
    :ivar triples: its number of triples.
    :ivar input_triples: the number of triples summarised.
    :ivar individuals: individuals in the folded assertions.
    :ivar groups: summary individuals (those mapped to themselves included).
    :ivar rounds: refinement rounds until the partition was stable.
    """

    ntriples: bytes
    triples: int
    input_triples: int
    individuals: int
    groups: int
    rounds: int


def summarise(triples: set[Triple], *, max_rounds: int = 20) -> AboxSummary:
    """Fold the assertions of a graph onto summary individuals (see the module's text).

    :param triples: the graph HermiT's consistency test would read, as N-Triples terms
        (:func:`terms`).
    :param max_rounds: refinement rounds at most (a coarser partition is still sound).
    :returns: the summary, as N-Triples with ``<urn:relgraph:summary:N>`` individuals.
    :raises ValueError: if the graph already uses IRIs of :data:`SUMMARY_PREFIX`.
    """
    schema = _schema(triples)
    assertions, rest = _split(triples, schema)
    types: list[tuple[str, str]] = []
    data: list[Triple] = []
    objects: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in assertions:
        if p == _TYPE:
            types.append((s[1:-1], o))
        elif o[0] == '"':
            data.append((s[1:-1], p, o))
        else:
            objects[p].append((s[1:-1], o[1:-1]))
    return _fold(schema, set(rest), _Assertions(types, data, objects), len(triples), max_rounds)


@dataclass
class _Assertions:
    """The foldable assertions (N-Triples terms), by kind.

    :ivar types: (individual, class) of ``rdf:type`` (``owl:NamedIndividual`` included).
    :ivar data: (individual, data property, literal).
    :ivar objects: for each object property, its (subject, object) pairs.
    """

    types: list[tuple[str, str]]
    data: list[Triple]
    objects: dict[str, list[tuple[str, str]]]


@dataclass
class AboxInput:
    """The graph HermiT's consistency test reads, sorted as the summary needs it.

    :ivar rest: the triples copied verbatim (N-Triples terms): all but the foldable assertions.
    :ivar assertions: the foldable assertions, by kind (IRIs without brackets).
    :ivar triples: the triples read (a triple in two named graphs counts twice).
    :ivar annotations: the annotation properties (IRIs) whose assertions were not read.
    """

    schema: _Schema
    rest: set[Triple]
    assertions: _Assertions
    triples: int
    annotations: frozenset[str]


def summarise_store(
    store: ReadableStore, annotations: frozenset[str], *, max_rounds: int = 20
) -> AboxSummary:
    """The summary of the graph HermiT's consistency test reads, read from the store.

    The same summary as :func:`summarise` of that graph (:func:`read_store`).

    :raises ValueError: if the graph already uses IRIs of :data:`SUMMARY_PREFIX`.
    """
    return fold(read_store(store, annotations), max_rounds=max_rounds)


def fold(graph: AboxInput, *, max_rounds: int = 20) -> AboxSummary:
    """The summary of a graph read by :func:`read_store` (see :func:`summarise`).

    :raises ValueError: if the graph already uses IRIs of :data:`SUMMARY_PREFIX`.
    """
    return _fold(graph.schema, graph.rest, graph.assertions, graph.triples, max_rounds)


def whole_graph(graph: AboxInput) -> set[Triple]:
    """The triples :func:`read_store` read (duplicates merged), as N-Triples terms."""
    found = graph.assertions
    triples = set(graph.rest)
    triples.update((f"<{a}>", _TYPE, c) for a, c in found.types)
    triples.update((f"<{a}>", p, v) for a, p, v in found.data)
    for p, pairs in found.objects.items():
        triples.update((f"<{a}>", p, f"<{b}>") for a, b in pairs)
    return triples


def read_store(store: ReadableStore, annotations: frozenset[str]) -> AboxInput:
    """Read the graph HermiT's consistency test reads: every triple of the store's union
    default graph but ``owl:imports`` and annotation assertions (as
    :func:`relgraph.checks.owl.reasoning_input`), sorted into foldable assertions and
    the rest, without a Python object per triple.

    The engine gives the declarations first, then each predicate's triples through its
    index (annotation assertions are never read), and each triple is sorted as it comes.

    :param store: the checked graphs.
    :param annotations: IRIs of the annotation properties
        (:func:`relgraph.checks.owl.annotation_properties`).
    """
    schema = _schema(_rows(store, _DECLARATIONS))
    foldable_types = {c for c in schema.classes if not c.startswith(_VOCABULARY)}
    foldable_types |= {_NAMED, _THING}
    annotation_terms = {f"<{a}>" for a in annotations}
    rest: set[Triple] = set()
    found = _Assertions([], [], defaultdict(list))
    size = 0
    predicates = [str(row[0]) for row in store.select(_PREDICATES)]
    iri, literal = ox.NamedNode, ox.Literal
    for p in predicates:
        if p == _IMPORTS:
            continue
        if p in annotation_terms:
            values = " ".join(annotation_terms)
            pattern = f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {values} }} ?s {p} ?o }}"
        else:
            pattern = f"SELECT ?s ?o WHERE {{ ?s {p} ?o }}"
        rows = store.select(pattern)
        if p == _TYPE:
            types = found.types
            for row in rows:
                s, o = row[0], row[1]
                size += 1
                term = str(o)
                if type(s) is iri and term in foldable_types:
                    types.append((s.value, term))
                else:
                    rest.add((str(s), p, term))
        elif p in schema.object_properties and p not in annotation_terms:
            pairs = found.objects[p]
            for row in rows:
                s, o = row[0], row[1]
                size += 1
                if type(s) is iri and type(o) is iri:
                    pairs.append((s.value, o.value))
                else:
                    rest.add((str(s), p, str(o)))
        elif p in schema.data_properties and p not in annotation_terms:
            data = found.data
            for row in rows:
                s, o = row[0], row[1]
                size += 1
                if type(s) is iri and type(o) is literal:
                    data.append((s.value, p, str(o)))
                else:
                    rest.add((str(s), p, str(o)))
        else:
            for row in rows:
                size += 1
                rest.add((str(row[0]), p, str(row[1])))
    return AboxInput(schema, rest, found, size, annotations)


def _rows(store: ReadableStore, query: str) -> set[Triple]:
    return {(str(r[0]), str(r[1]), str(r[2])) for r in store.select(query)}


_IMPORTS = f"<{OWL.imports}>"
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
#: what :func:`_schema` reads: declarations, sub-properties and inverses (of IRIs)
_DECLARATIONS = f"""
SELECT ?s ?p ?o WHERE {{
  {{
    VALUES ?o {{ {
    " ".join(
        f"<{OWL}{k}>"
        for k in (
            "Class",
            "ObjectProperty",
            "DatatypeProperty",
            "AnnotationProperty",
            "FunctionalProperty",
            "InverseFunctionalProperty",
            "SymmetricProperty",
        )
    )
} }}
    ?s a ?o . BIND (<{RDF.type}> AS ?p)
  }}
  UNION {{ VALUES ?p {{ <{RDFS.subPropertyOf}> <{OWL.inverseOf}> }} ?s ?p ?o }}
  FILTER (isIRI(?s) && isIRI(?o))
}}
"""


def _fold(
    schema: _Schema, rest: set[Triple], found: _Assertions, size: int, max_rounds: int
) -> AboxSummary:
    """The summary of ``rest`` (copied verbatim) and the assertions (mapped through f)."""
    fixed = {x[1:-1] for t in rest for x in t if x[0] == "<"}
    # individuals as numbers; the first key: asserted classes and functional data values
    index: dict[str, int] = defaultdict(itertools.count().__next__)
    local: dict[int, set[object]] = defaultdict(set)
    types = [(index[a], c) for a, c in found.types]
    for a, c in types:
        local[a].add(c)
    data_functional, object_views = schema.data_functional, schema.object_views
    data = [(index[a], p, v) for a, p, v in found.data]
    for a, p, v in data:
        for q in data_functional.get(p, ()):
            local[a].add((q, v))
    edges: list[tuple[int, str, int]] = []  # (x, tag, y): key x by the group of y
    objects: list[tuple[str, list[tuple[int, int]]]] = []
    for p, pairs in found.objects.items():
        ids = [(index[a], index[b]) for a, b in pairs]
        objects.append((p, ids))
        for q, forward, is_functional in object_views.get(p, ()):
            for a, b in ids:
                x, y = (a, b) if forward else (b, a)
                if is_functional:
                    edges.append((x, q, y))
                else:  # inverse-functional: the object is keyed by the subject
                    edges.append((y, "^" + q, x))
    names = list(index)
    if any(name.startswith(SUMMARY_PREFIX) for name in names):
        raise ValueError(f"the graph already uses IRIs starting with {SUMMARY_PREFIX}")
    count = len(names)
    keys: dict[object, int] = {}
    group = [
        keys.setdefault(name if name in fixed else frozenset(local.get(n, ())), len(keys))
        for n, name in enumerate(names)
    ]
    rounds = 0
    by_node: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for x, tag, y in edges:
        by_node[x].append((tag, y))
    while rounds < max_rounds and by_node:
        rounds += 1
        before = len(keys)
        keys = {}
        new = [0] * count
        for n in range(count):
            out = by_node.get(n)
            key = (group[n], frozenset((tag, group[y]) for tag, y in out)) if out else group[n]
            new[n] = keys.setdefault(key, len(keys))
        group = new
        if len(keys) == before:
            break
    # groups numbered in the order of their first member by IRI: the same summary each run
    first: dict[int, str] = {}
    for n, name in enumerate(names):
        g = group[n]
        if name not in fixed and (g not in first or name < first[g]):
            first[g] = name
    numbers = {g: i for i, g in enumerate(sorted(first, key=first.__getitem__))}
    target = [
        f"<{name}>" if name in fixed else f"<{SUMMARY_PREFIX}{numbers[group[n]]}>"
        for n, name in enumerate(names)
    ]
    # a literal is never an individual's name, and the class of a type triple stays
    folded: set[Triple] = set(rest)
    folded.update((target[a], _TYPE, c) for a, c in types)
    folded.update((target[a], p, v) for a, p, v in data)
    for p, ids in objects:
        folded.update((target[a], p, target[b]) for a, b in ids)
    return AboxSummary(
        ntriples=ntriples(folded),
        triples=len(folded),
        input_triples=size,
        individuals=count,
        groups=len(set(target)),
        rounds=rounds,
    )


def module(triples: set[Triple], seeds: Iterable[str]) -> tuple[bytes, int]:
    """A part of the graph that can only be *less* constrained than the graph: every
    triple but the foldable assertions, and the assertions made about the seeds and
    about the individuals the seeds point to.

    The triples kept are a subset of the graph's, and each assertion is one axiom on
    its own, so the module's axioms are a subset of the graph's: OWL 2 DL is monotonic,
    so if HermiT finds the module inconsistent, the graph is inconsistent. Assertions
    pointing *to* a seed are left out: a value individual (a direction) is the object
    of a large part of the graph.

    :param seeds: IRIs (without brackets) of individuals, e.g. those the OWL 2 RL rules named.
    :returns: the module as N-Triples, and its number of triples.
    """
    assertions, rest = _split(triples, _schema(triples))
    seed = {f"<{s}>" for s in seeds}
    near = seed | {o for s, p, o in assertions if s in seed and p != _TYPE and o[0] == "<"}
    kept = set(rest)
    kept.update(t for t in assertions if t[0] in near)
    return ntriples(kept), len(kept)
