"""Synthetic graphs: the real graph grown with generated studies, for benchmarks.

:func:`generate` draws, from a seeded :class:`random.Random`, studies shaped like
the real ones and adds them to the real graph until it holds a requested
number of triples. The real graph stays the core of every generated graph, so
the stored queries keep their meaning and ``relgraph check`` still passes.
:func:`write_project` writes a whole project folder (the real sources plus
``data/synthetic/*.ttl``) that ``relgraph --project-dir DIR build`` builds.

A generated study follows the worked example of ``data/README.md`` (a study
added from elsewhere):

* a cited work (``rg:CitedWork``, ``rgr:work-synthetic-...``) with invented
  author and year, described as synthetic, never as a real publication, and the
  provenance ``relgraph import`` writes (a ``rg:StudyCuration`` by a synthetic
  curator; each claim ``prov:wasDerivedFrom`` a synthetic ``rg:StudyExcerpt``);
* one to three findings (``rg:Finding``) with ``dcterms:source`` and
  ``rg:citesAsEvidence`` the work; theory, factor, outcome or construct,
  setting, population, role and design are copied from a real finding chosen as
  a template (some re-drawn from the real values), the direction is drawn anew;
* for about half of the findings, an in-text citation (``rg:Citation``) of
  the work with a passage whose span is a real passage's span of the review
  (so the span checks hold; the passage is labelled synthetic);
* sometimes a method application (``rg:MethodApplication``) and a new
  instrument (``rg:Instrument``) implementing a real method;
* when the graph has a mappings named graph (an IRI with ``mapping`` in it),
  mapping triples (``skos:*Match``) from new instruments to targets that real
  terms are mapped to.

Everything generated has "synthetic" in its IRI and label. The same real
graph, size and seed give byte-identical files.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from relgraph.errors import ConfigError
from relgraph.settings import Settings
from relgraph.store.memory import GraphStore
from relgraph.vocab import DCTERMS, OWL, PREFIXES, PROV, RDF, RDFS, RG, RGR, SKOS, XSD

__all__ = [
    "SynthesisResult",
    "Pools",
    "pools_from",
    "generate",
    "write_project",
    "SYNTHETIC_FOLDER",
]

#: Folder under the data folder that holds the generated files.
SYNTHETIC_FOLDER = "synthetic"

_TYPE = ox.NamedNode(str(RDF.type))
_LABEL = ox.NamedNode(str(RDFS.label))
_DESCRIPTION = ox.NamedNode(str(DCTERMS.description))
_SOURCE = ox.NamedNode(str(DCTERMS.source))
_INDIVIDUAL = ox.NamedNode(str(OWL.NamedIndividual))
_DATE = ox.NamedNode(str(DCTERMS.date))
_MAPPING_PREDICATES = {
    str(SKOS[name])
    for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
}

#: Surnames of invented authors (no real study is meant).
SURNAMES = (
    "Abbott", "Bauer", "Castro", "Dahl", "Evans", "Fischer", "Gupta", "Hale", "Iqbal",
    "Jensen", "Kowalski", "Laine", "Moreau", "Nakamura", "Olsen", "Petrov", "Quinn",
    "Rossi", "Santos", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhou",
)  # fmt: skip

#: Properties of a finding copied from its template.
_FINDING_COPIED = (
    "aboutTheory",
    "hasFactor",
    "concernsOutcome",
    "concernsConstruct",
    "predictsPreferenceFor",
    "studiedInSetting",
    "studiedInPopulation",
    "involvesRole",
    "usesDesign",
    "hasEvidenceType",
    "hasDirection",
)
#: Properties of a method application copied from its template.
_METHODUSE_COPIED = (
    "aboutMethod",
    "aboutTheory",
    "assesses",
    "studiedInSetting",
    "involvesRole",
    "hasEvidenceType",
)
_PASSAGE_COPIED = ("sourceFile", "startOffset", "endOffset", "quotation", "inDocument", "inSection")


def _rg(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(RG[name]))


def _rgr(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(RGR[name]))


def _prov(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(PROV[name]))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


#: A template: property local name -> its values, sorted.
Template = dict[str, list[ox.NamedNode | ox.Literal]]


@dataclass
class Pools:
    """What the generator copies from the real graph (all lists sorted, so draws repeat).

    :ivar findings: real findings' values of the copied properties.
    :ivar method_uses: real method applications' values.
    :ivar instruments: real instruments' ``implementsMethod`` and ``measures``.
    :ivar passages: real passages' span properties (for synthetic citations).
    :ivar settings: every real setting.
    :ivar outcomes: every real outcome.
    :ivar mappings: (predicate, object) of mapping triples of real terms.
    :ivar mapping_graph: the mappings named graph, if the graph has one.
    """

    findings: list[Template]
    method_uses: list[Template]
    instruments: list[Template]
    passages: list[Template]
    settings: list[ox.NamedNode]
    outcomes: list[ox.NamedNode]
    mappings: list[tuple[ox.NamedNode, ox.NamedNode]] = field(default_factory=list)
    mapping_graph: str | None = None
    #: The graph's mappings come from an SSSOM file: new instruments get SSSOM rows.
    sssom: bool = False


def _templates(store: GraphStore, cls: str, props: Sequence[str]) -> list[Template]:
    values = " ".join(f"rg:{p}" for p in props)
    result = store.select(
        f"SELECT ?x ?p ?o WHERE {{ ?x a rg:{cls} . VALUES ?p {{ {values} }} ?x ?p ?o }}"
    )
    by_node: dict[str, Template] = {}
    for row in result:
        node, prop, obj = row["x"], row["p"], row["o"]
        assert isinstance(node, ox.NamedNode) and isinstance(prop, ox.NamedNode)
        if isinstance(obj, ox.NamedNode | ox.Literal):
            name = prop.value[len(str(RG)) :]
            by_node.setdefault(node.value, {}).setdefault(name, []).append(obj)
    out = []
    for key in sorted(by_node):
        template = by_node[key]
        out.append({k: sorted(v, key=str) for k, v in sorted(template.items())})
    return out


def _instances(store: GraphStore, cls: str) -> list[ox.NamedNode]:
    result = store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a rg:{cls} }}")
    return sorted((r["x"] for r in result if isinstance(r["x"], ox.NamedNode)), key=str)


def pools_from(store: GraphStore) -> Pools:
    """Collect the templates and value pools from a (real) graph.

    :raises ConfigError: if the graph has no findings or passages to copy.
    """
    pools = Pools(
        findings=[t for t in _templates(store, "Finding", _FINDING_COPIED) if "aboutTheory" in t],
        method_uses=[
            t
            for t in _templates(store, "MethodApplication", _METHODUSE_COPIED)
            if "aboutMethod" in t and "hasEvidenceType" in t
        ],
        instruments=[
            t
            for t in _templates(store, "Instrument", ("implementsMethod", "measures"))
            if "implementsMethod" in t and "measures" in t
        ],
        passages=[
            t
            for t in _templates(store, "Passage", _PASSAGE_COPIED)
            if len(t) == len(_PASSAGE_COPIED)
        ],
        settings=_instances(store, "Setting"),
        outcomes=_instances(store, "Outcome"),
    )
    if not pools.findings or not pools.passages:
        raise ConfigError(
            "the graph has no findings or passages to model synthetic studies on",
            "generate from the built relgraph graph (run `relgraph build` first)",
        )
    mapping_graphs = sorted(g.iri for g in store.graphs() if "mapping" in g.iri.lower())
    if mapping_graphs:
        pools.mapping_graph = mapping_graphs[0]
        pairs = {
            (q.predicate, q.object)
            for g in mapping_graphs
            for q in store.quads(g)
            if q.predicate.value in _MAPPING_PREDICATES and isinstance(q.object, ox.NamedNode)
        }
        pools.mappings = sorted(pairs, key=str)
    return pools


class _Study:
    """Generates the triples of one study."""

    def __init__(self, number: int, rng: random.Random, pools: Pools, seed: int) -> None:
        self.n = number
        self.rng = rng
        self.pools = pools
        self.seed = seed
        self.triples: list[ox.Triple] = []
        self.mapping_triples: list[ox.Triple] = []
        #: (IRI, label) of the instruments made.
        self.instruments: list[tuple[str, str]] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, p, o))

    def entity(self, node: ox.NamedNode, cls: str, label: str, description: str) -> None:
        self.add(node, _TYPE, _INDIVIDUAL)
        self.add(node, _TYPE, _rg(cls))
        self.add(node, _LABEL, _en(label))
        self.add(node, _DESCRIPTION, _en(description))

    def build(self) -> None:
        rng, n = self.rng, self.n
        author = rng.choice(SURNAMES)
        year = rng.randint(1960, 2024)
        et_al = rng.random() < 0.6
        name = f"{author} et al. {year}" if et_al else f"{author} {year}"
        work = _rgr(f"work-synthetic-{n}-{author.lower()}-{year}")
        self.entity(
            work,
            "CitedWork",
            f"{name} (synthetic study {n})",
            f"A synthetic study made by `relgraph synth` (seed {self.seed}) for benchmarks; "
            "it is not a real publication.",
        )
        self.add(work, _rg("firstAuthor"), ox.Literal(author))
        self.add(work, _rg("authorList"), ox.Literal(author))
        self.add(work, _rg("etAl"), ox.Literal("true" if et_al else "false", datatype=_XSD_BOOL))
        self.add(work, _rg("publicationYear"), ox.Literal(str(year), datatype=_XSD_INTEGER))
        self.curation(work, name)
        for k in range(1, 1 + rng.choice((1, 1, 2, 2, 3))):
            self.finding(work, name, k)
        instrument = None
        if self.pools.instruments and rng.random() < 0.15:
            instrument = self.instrument(name)
        if self.pools.method_uses and (instrument is not None or rng.random() < 0.25):
            self.method_use(work, name, instrument)

    def curation(self, work: ox.NamedNode, name: str) -> None:
        """Who added the study and when (PROV-O, as ``relgraph import`` writes it)."""
        node = _rgr(f"curation-synthetic-{self.n}")
        what = "The synthetic record of who added a synthetic study, generated for benchmarks."
        self.entity(node, "StudyCuration", f"synthetic curation of {name} (study {self.n})", what)
        curator = _rgr(f"curator-synthetic-{self.n}")  # one each: every triple counts
        self.add(node, _prov("used"), work)
        self.add(node, _prov("wasAssociatedWith"), curator)
        self.add(node, _DATE, ox.Literal("2026-01-01", datatype=_XSD_DATE))
        self.add(curator, _TYPE, _INDIVIDUAL)
        self.add(curator, _TYPE, _prov("Person"))
        self.add(curator, _LABEL, ox.Literal(f"synthetic curator of study {self.n}"))
        self.add(curator, _DESCRIPTION, _en("The curator of a synthetic study."))

    def provenance(self, node: ox.NamedNode, work: ox.NamedNode, name: str, key: str) -> None:
        """A claim's curation and the (synthetic) quotation it rests on."""
        excerpt = _rgr(f"excerpt-synthetic-{self.n}-{key}")
        self.add(node, _prov("wasGeneratedBy"), _rgr(f"curation-synthetic-{self.n}"))
        self.add(node, _prov("wasDerivedFrom"), excerpt)
        label = f"synthetic excerpt {key} of {name} (study {self.n})"
        self.entity(excerpt, "StudyExcerpt", label, "A synthetic quotation, for benchmarks.")
        self.add(
            excerpt, _prov("value"), ox.Literal(f"Synthetic words of synthetic study {self.n}.")
        )
        self.add(excerpt, _prov("wasQuotedFrom"), work)
        self.add(excerpt, _rg("locator"), ox.Literal(f"p. {key}"))

    def finding(self, work: ox.NamedNode, name: str, k: int) -> None:
        rng, pools = self.rng, self.pools
        template = rng.choice(pools.findings)
        node = _rgr(f"finding-synthetic-{self.n}-{k}")
        values = {p: list(v) for p, v in template.items()}
        if "concernsOutcome" in values and pools.outcomes and rng.random() < 0.4:
            values["concernsOutcome"] = [rng.choice(pools.outcomes)]
        if pools.settings and rng.random() < 0.4:
            values["studiedInSetting"] = [rng.choice(pools.settings)]
        values["hasEvidenceType"] = values.get("hasEvidenceType") or []
        self.entity(
            node,
            "Finding",
            f"synthetic finding {k} of {name} (study {self.n})",
            f"A synthetic finding of synthetic study {self.n}, generated for benchmarks.",
        )
        for prop, objects in values.items():
            for obj in objects:
                self.add(node, _rg(prop), obj)
        self.add(node, _rg("citesAsEvidence"), work)
        self.add(node, _SOURCE, work)
        self.provenance(node, work, name, str(k))
        if rng.random() < 0.5:
            self.citation(work, node, name, k)

    def citation(self, work: ox.NamedNode, claim: ox.NamedNode, name: str, k: int) -> None:
        node = _rgr(f"citation-synthetic-{self.n}-{k}")
        passage = _rgr(f"passage-citation-synthetic-{self.n}-{k}")
        self.entity(
            node,
            "Citation",
            f"synthetic citation {k} of {name} (study {self.n})",
            "A synthetic in-text citation, generated for benchmarks.",
        )
        self.add(node, _rg("citesWork"), work)
        self.add(node, _rg("supportsClaim"), claim)
        self.add(node, _rg("derivedFromPassage"), passage)
        span = self.rng.choice(self.pools.passages)
        self.add(passage, _TYPE, _rg("Passage"))
        self.add(passage, _LABEL, _en(f"synthetic passage of citation {k} of study {self.n}"))
        self.add(
            passage,
            _DESCRIPTION,
            _en("A synthetic passage: a real span of the review, reused for benchmarks."),
        )
        for prop in _PASSAGE_COPIED:
            self.add(passage, _rg(prop), span[prop][0])

    def instrument(self, name: str) -> ox.NamedNode:
        template = self.rng.choice(self.pools.instruments)
        node = _rgr(f"instrument-synthetic-{self.n}")
        label = f"synthetic instrument of {name} (study {self.n})"
        self.instruments.append((node.value, label))
        self.entity(
            node,
            "Instrument",
            label,
            f"A synthetic instrument of synthetic study {self.n}, generated for benchmarks.",
        )
        for prop in ("implementsMethod", "measures"):
            for obj in template[prop]:
                self.add(node, _rg(prop), obj)
        if self.pools.mappings and not self.pools.sssom and self.rng.random() < 0.5:
            predicate, target = self.rng.choice(self.pools.mappings)
            self.mapping_triples.append(ox.Triple(node, predicate, target))
        return node

    def method_use(self, work: ox.NamedNode, name: str, instrument: ox.NamedNode | None) -> None:
        template = self.rng.choice(self.pools.method_uses)
        node = _rgr(f"methoduse-synthetic-{self.n}")
        self.entity(
            node,
            "MethodApplication",
            f"synthetic method application of {name} (study {self.n})",
            f"A synthetic use of a method in synthetic study {self.n}, generated for benchmarks.",
        )
        for prop, objects in template.items():
            if prop == "aboutMethod" and instrument is not None:
                objects = [instrument]
            for obj in objects:
                self.add(node, _rg(prop), obj)
        self.add(node, _rg("citesAsEvidence"), work)
        self.add(node, _SOURCE, work)
        self.provenance(node, work, name, "m")


_XSD_BOOL = ox.NamedNode(str(XSD.boolean))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_DATE = ox.NamedNode(str(XSD.date))


def generate(
    pools: Pools, triples: int, *, seed: int = 0, start: int = 1
) -> Iterator[tuple[list[ox.Triple], list[ox.Triple], list[tuple[str, str]]]]:
    """Yield studies, as (data triples, mapping triples, instruments made), until
    ``triples`` are made.

    :param triples: how many triples to generate in all (the last study may pass it).
    :param seed: the seed of the random draws: the same seed gives the same studies.
    :param start: the number of the first study (numbers go into IRIs and labels).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    made = 0
    number = start
    while made < triples:
        study = _Study(number, rng, pools, seed)
        study.build()
        made += len(study.triples) + len(study.mapping_triples)
        number += 1
        yield study.triples, study.mapping_triples, study.instruments


@dataclass
class SynthesisResult:
    """What :func:`write_project` wrote.

    :ivar project: the project folder.
    :ivar files: the generated Turtle files.
    :ivar real_triples: triples of the real graph (ontology, data, shapes).
    :ivar synthetic_triples: triples generated (about: an SSSOM row counts as one).
    :ivar studies: studies generated.
    """

    project: Path
    files: list[Path]
    real_triples: int
    synthetic_triples: int
    studies: int

    @property
    def triples(self) -> int:
        """Triples of the whole graph the project builds."""
        return self.real_triples + self.synthetic_triples


_FILE_HEADER = (
    "# Synthetic benchmark data made by `relgraph synth` (seed {seed}); not from the review.\n"
    "# Regenerate rather than edit: the same graph, size and seed give this same file.\n\n"
)


def _write_turtle(path: Path, triples: list[ox.Triple], seed: int) -> None:
    used = {"rg", "rgr", "rdf", "rdfs", "owl", "dcterms", "obo", "xsd", "skos"}
    body = ox.serialize(
        triples,
        format=ox.RdfFormat.TURTLE,
        prefixes={p: ns for p, ns in PREFIXES.items() if p in used},
    )
    assert body is not None
    path.write_bytes(_FILE_HEADER.format(seed=seed).encode("utf-8") + body)


def write_project(
    settings: Settings,
    store: GraphStore,
    target: Path,
    *,
    triples: int,
    seed: int = 0,
    graph_triples: int = 50_000,
) -> SynthesisResult:
    """Write a project folder whose graph is ``store`` (the real one) grown to ``triples``.

    Copies the source folders (ontology, data, shapes, queries) of ``settings``
    into ``target`` and writes the generated studies to
    ``target/data/synthetic/studies-NNN.ttl`` (one named graph each, about
    ``graph_triples`` triples), mapping triples to ``mappings-NNN.ttl`` beside
    them, and a ``relgraph.toml`` that points ``seed_dir`` and ``external_dir``
    at the current ones.

    :param triples: the size of the whole graph, in triples (no studies are
        added when the real graph already has that many).
    :raises ConfigError: if ``target`` is the project folder itself.
    """
    target = target.resolve()
    if target == settings.project_path:
        raise ConfigError(
            f"{target} is the project folder itself", "give a new folder, e.g. build/synth"
        )
    target.mkdir(parents=True, exist_ok=True)
    from relgraph.store.sources import SOURCE_FOLDERS

    for name in [setting for setting, _ in SOURCE_FOLDERS] + ["queries_dir"]:
        source = settings.path(name)
        dest = target / Path(str(getattr(settings, name))).name
        if dest.exists():
            shutil.rmtree(dest)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns(SYNTHETIC_FOLDER))
    folder = target / Path(str(settings.data_dir)).name / SYNTHETIC_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    config = "[relgraph]\n" + "".join(
        f'{name} = "{settings.path(name).as_posix()}"\n' for name in ("seed_dir", "external_dir")
    )
    (target / "relgraph.toml").write_text(config, encoding="utf-8")
    real = len(store)
    pools = pools_from(store)
    files: list[Path] = []
    chunk: list[ox.Triple] = []
    mappings: list[ox.Triple] = []
    made = studies = 0

    def flush() -> None:
        index = len(files) + 1
        path = folder / f"studies-{index:03d}.ttl"
        _write_turtle(path, chunk, seed)
        files.append(path)
        if mappings:
            mpath = folder / f"mappings-{index:03d}.ttl"
            _write_turtle(mpath, mappings, seed)
            files.append(mpath)
        chunk.clear()
        mappings.clear()

    sssom = _sssom_file(target / Path(str(getattr(settings, "mappings_dir", "mappings"))).name)
    pools.sssom = sssom is not None
    instruments: list[tuple[str, str]] = []
    for data, mapped, made_instruments in generate(pools, max(0, triples - real), seed=seed):
        instruments += made_instruments
        chunk += data
        mappings += mapped
        made += len(data) + len(mapped)
        studies += 1
        if len(chunk) >= graph_triples:
            flush()
    if chunk:
        flush()
    if sssom is not None and instruments:
        made += _extend_sssom(sssom, instruments, seed)
    return SynthesisResult(target, files, real, made, studies)


def _sssom_file(folder: Path) -> Path | None:
    """The project's SSSOM mapping set (the first ``*.sssom.tsv`` of the mappings folder)."""
    found = sorted(folder.glob("*.sssom.tsv")) if folder.is_dir() else []
    return found[0] if found else None


def _extend_sssom(path: Path, instruments: list[tuple[str, str]], seed: int) -> int:
    """Map each new instrument as a real instrument is mapped: append SSSOM rows.

    A row of a real instrument (subject category ``instrument``) is copied with the
    synthetic subject, label and a comment saying so; without such a row, nothing is
    added. Returns the number of rows (one SKOS triple each once built).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    columns = lines[header_at].split("\t")
    rows = [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[header_at + 1 :]]
    templates = [r for r in rows if r.get("subject_category") == "instrument"]
    if not templates:
        return 0
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    out = []
    for iri, label in instruments:
        row = dict(rng.choice(templates))
        row["subject_id"] = "rgr:" + iri.removeprefix(str(RGR))
        row["subject_label"] = label
        if "comment" in row:
            row["comment"] = "Synthetic mapping made by relgraph synth for benchmarks."
        out.append("\t".join(row.get(c, "") for c in columns))
    path.write_text("\n".join(lines + out) + "\n", encoding="utf-8")
    return len(out)
