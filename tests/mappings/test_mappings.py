"""The SSSOM mapping set, its checks, the import modules and the mapping interfaces (issue 12).

The checks run on the real mapping set with the offline copies of ../shared/external
(present in CI), and each rule on a copy of the set with one fault put in.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from functools import partial
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from relgraph.checks import check_store
from relgraph.checks.mappings import mapping_problems
from relgraph.errors import LoadError
from relgraph.mappings import render
from relgraph.mappings.imports import generate_modules
from relgraph.mappings.kinds import KINDS
from relgraph.mappings.sources import (
    SOURCES,
    converter,
    curie_map,
    load_index,
    source_by_prefix,
    source_of,
)
from relgraph.mappings.sssom import mapping_quads, read_mapping_set, read_unmapped
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.store.builder import load_sources
from relgraph.store.sources import extra_source, parse_source
from relgraph.views.mappings import mappings_for
from tests import MAPPING_GRAPH as MAPPING
from tests import ROOT, SHARED, requires_external

SSSOM = ROOT / "mappings" / "relgraph.sssom.tsv"
UNMAPPED = ROOT / "mappings" / "unmapped.tsv"
EXTERNAL = SHARED / "external"
IMPORTS = ROOT / "ontology" / "imports"
MAPPING_GRAPH = str(MAPPING)
ALLIANCE = "https://w3id.org/relgraph/resource/construct-therapeutic-alliance"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _mapped_kinds(store: GraphStore) -> Counter[str]:
    result = store.query(
        """SELECT ?s WHERE { VALUES ?t { rg:Theory rg:RelationshipModel rg:Construct
             rg:AssessmentMethod rg:Instrument rg:Outcome rg:Setting rg:Population
             rg:ProfessionalRole } ?s a ?t }"""
    )
    assert isinstance(result, ox.QuerySolutions)
    return Counter(r["s"].value for r in result)


# -- the mapping set ----------------------------------------------------------------------


#: Runs sssom-py apart (it warns on import, and filterwarnings = error): validates argv[1]
#: and argv[2] (JSON schema, prefix map, strict CURIEs) and parses argv[1].
_SSSOM_PY = """
import json, sys
from sssom.parsers import parse_sssom_table
from sssom.validators import validate
from sssom.constants import SchemaValidationType as V
kinds = [V.JsonSchema, V.PrefixMapCompleteness, V.StrictCurieFormat]
out = {}
for name, path in (("good", sys.argv[1]), ("bad", sys.argv[2])):
    msdf = parse_sssom_table(path)
    try:
        validate(msdf, kinds, fail_on_error=True)
        out[name] = "valid"
    except Exception as exc:
        out[name] = "invalid: " + type(exc).__name__
    if name == "good":
        df = msdf.df
        out["rows"] = sorted(zip(df.subject_id, df.predicate_id, df.object_id))
print(json.dumps(out))
"""


def test_sssom_file_validates_with_sssom_py(tmp_path: Path) -> None:
    """sssom-py, the reference implementation, validates the file and reads what we read.

    The same run proves the validation is real: a justification outside SEMAPV fails it.
    """
    bad = tmp_path / "bad.sssom.tsv"
    text = SSSOM.read_text(encoding="utf-8")
    bad.write_text(text.replace("semapv:ManualMappingCuration", "semapv:Guesswork"), "utf-8")
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _SSSOM_PY, str(SSSOM), str(bad)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["good"] == "valid", result.stderr[-2000:]
    assert report["bad"].startswith("invalid")
    theirs = {tuple(row) for row in report["rows"]}
    ours = read_mapping_set(SSSOM).mappings
    assert theirs == {(m.subject_id, m.predicate_id, m.object_id) for m in ours}


def test_every_row_is_curated_and_complete() -> None:
    mapping_set = read_mapping_set(SSSOM)
    assert mapping_set.metadata["license"].startswith("https://creativecommons.org/")
    assert mapping_set.metadata["curie_map"] == curie_map()
    for m in mapping_set.mappings:
        assert m.mapping_justification == "semapv:ManualMappingCuration"
        assert m.confidence is not None and 0.5 <= m.confidence <= 1
        assert m.object_label and m.object_source_version and m.mapping_date
        assert m.subject_category in KINDS and m.object_category in KINDS
        if m.predicate_id != "skos:exactMatch":
            # a partial match says why; only a few self-evident broader terms do not
            assert m.comment or m.predicate_id == "skos:broadMatch", m


def test_one_canonical_iri_form_per_source() -> None:
    for m in read_mapping_set(SSSOM).mappings:
        source = source_by_prefix(m.source_prefix)
        local = m.object_iri.removeprefix(source.uri_prefix)
        assert m.object_iri.startswith(source.uri_prefix), m
        assert re.fullmatch(source.local_id, local), m
        assert converter().compress(m.object_iri) == m.object_id
    assert source_by_prefix("MESH").uri_prefix == "https://id.nlm.nih.gov/mesh/"
    assert source_by_prefix("BCIO").uri_prefix == "http://humanbehaviourchange.org/ontology/BCIO_"
    for prefix in ("MF", "MFOMD", "MFOEM", "DOID", "ECO"):
        assert source_by_prefix(prefix).uri_prefix == f"http://purl.obolibrary.org/obo/{prefix}_"


def test_every_mapped_kind_is_covered(repo_store: GraphStore) -> None:
    entities = set(_mapped_kinds(repo_store))
    mapped = {m.subject_iri for m in read_mapping_set(SSSOM).mappings}
    unmapped = {u.subject_iri for u in read_unmapped(UNMAPPED)}
    assert entities == mapped | unmapped
    assert not mapped & unmapped
    assert all(u.reason and u.nearest_id for u in read_unmapped(UNMAPPED))


def test_coverage_by_kind_and_source(repo_store: GraphStore) -> None:
    """Most entities are mapped; every source but ECO (whose terms are used directly) is used."""
    rows = read_mapping_set(SSSOM).mappings
    assert {m.source_prefix for m in rows} == {"MESH", "MF", "MFOMD", "MFOEM", "BCIO", "DOID"}
    mapped = {m.subject_iri for m in rows}
    assert len(mapped) / len(_mapped_kinds(repo_store)) > 0.85


# -- the mapping set in the graph -----------------------------------------------------------


def test_mappings_are_skos_triples_in_their_own_graph(repo_store: GraphStore) -> None:
    rows = read_mapping_set(SSSOM).mappings
    result = repo_store.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(skos:))) }",
        default_graphs=[MAPPING_GRAPH],
    )
    assert isinstance(result, ox.QuerySolutions)
    triples = {(r["s"].value, r["p"].value, r["o"].value) for r in result}
    assert triples == {(m.subject_iri, m.predicate_iri, m.object_iri) for m in rows}


def test_mappings_are_exported(repo_settings: Settings, repo_store: GraphStore) -> None:
    data = repo_store.serialize(ox.RdfFormat.N_TRIPLES).decode()
    assert f"<{ALLIANCE}> <{SKOS}exactMatch> <https://id.nlm.nih.gov/mesh/D000078462> ." in data
    assert "https://w3id.org/semapv/vocab/ManualMappingCuration" in data


def test_mapping_quads_name_the_bad_line(tmp_path: Path) -> None:
    lines = SSSOM.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("subject_id"))
    faults = {
        "skos:exactMatch": ("skos:sameAs", "predicate_id"),
        "semapv:ManualMappingCuration": ("semapv:Hunch", "mapping_justification"),
        "\t0.95\t": ("\t1.5\t", "confidence"),
        "MESH:D000078462": ("MSH:D000078462", "CURIE"),
    }
    for old, (new, word) in faults.items():
        row = next(i for i in range(header + 1, len(lines)) if old in lines[i])
        broken = list(lines)
        broken[row] = broken[row].replace(old, new, 1)
        path = tmp_path / "broken.sssom.tsv"
        path.write_text("\n".join(broken) + "\n", encoding="utf-8")
        with pytest.raises(LoadError) as info:
            mapping_quads(path, MAPPING_GRAPH)
        assert f"broken.sssom.tsv:{row + 1}:" in str(info.value), word
        assert word in str(info.value) and info.value.hint


def test_a_wrong_curie_map_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sssom.tsv"
    text = SSSOM.read_text(encoding="utf-8")
    path.write_text(text.replace("#  MESH: https://id.nlm.nih.gov/mesh/", "#  MESH: http://x/"))
    with pytest.raises(LoadError, match="canonical form"):
        read_mapping_set(path)


# -- mappings_for: what entity pages will show ----------------------------------------------


def test_mappings_for_an_entity(repo_store: GraphStore) -> None:
    found = mappings_for(repo_store, ALLIANCE)
    assert found[0].curie == "MESH:D000078462"
    first = found[0]
    assert first.predicate_label == "exact match" and first.label == "Therapeutic Alliance"
    assert first.source == "MESH" and first.version == "2026.1.27.2"
    assert first.justification == "https://w3id.org/semapv/vocab/ManualMappingCuration"
    assert first.confidence == pytest.approx(0.95)
    assert first.url == "https://meshb.nlm.nih.gov/record/ui?ui=D000078462"
    assert mappings_for(repo_store, "https://w3id.org/relgraph/resource/review") == []


def test_mappings_for_orders_exact_first_and_explains_partial(repo_store: GraphStore) -> None:
    found = mappings_for(
        repo_store, "https://w3id.org/relgraph/resource/outcome-treatment-adherence"
    )
    assert [m.predicate_label for m in found] == ["exact match", "broader term"]
    assert found[1].label == "Treatment Adherence and Compliance"
    assert "health care providers" in found[1].comment


# -- the checks -----------------------------------------------------------------------------


@requires_external
def test_real_mappings_have_no_problem(repo_settings: Settings, repo_store: GraphStore) -> None:
    problems, notes = mapping_problems(repo_store, repo_settings)
    assert problems == [] and notes == []


def _project(tmp_path: Path, sssom: str | None = None, unmapped: str | None = None) -> Settings:
    folder = tmp_path / "mappings"
    folder.mkdir(parents=True)
    (folder / "relgraph.sssom.tsv").write_text(
        sssom if sssom is not None else SSSOM.read_text("utf-8"), "utf-8"
    )
    (folder / "unmapped.tsv").write_text(
        unmapped if unmapped is not None else UNMAPPED.read_text("utf-8"), "utf-8"
    )
    return Settings(
        project_dir=str(ROOT),
        build_dir=str(tmp_path / "build"),
        seed_dir=str(SHARED / "seed"),
        external_dir=str(EXTERNAL),
        mappings_dir=str(folder),
    )


def _rules(settings: Settings) -> dict[str, list[tuple[str, str, str]]]:
    store = load_sources(settings)
    problems, _notes = mapping_problems(store, settings)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for p in problems:
        assert p.message and p.hint and p.phase == "mappings"
        out.setdefault(p.rule.removeprefix("mappings/"), []).append((p.severity, p.node, p.value))
    return out


@requires_external
def test_check_term_missing_deprecated_and_relabelled(tmp_path: Path) -> None:
    text = SSSOM.read_text(encoding="utf-8")
    text = text.replace("\tMESH:D000078462\tTherapeutic Alliance\t", "\tMESH:D999999\tNothing\t", 1)
    text = text.replace("\tMESH:D012649\tSelf Concept\t", "\tMESH:D012649\tSelf-Concept\t", 1)
    # ECO:0000026 is obsolete in eco-basic 2024-07-19.
    text = text.replace(
        "\tMESH:D011574\tPsychoanalytic Theory\ttheory",
        "\tECO:0000026\tobsolete nucleic acid hybridization evidence\tevidence type",
        1,
    ).replace("theory\tskos:exactMatch\tECO", "theory\tskos:closeMatch\tECO")
    project = _project(tmp_path, text)
    rules = _rules(project)
    assert [v for _s, _n, v in rules["term-missing"]] == ["MESH:D999999"]
    assert [v for _s, _n, v in rules["term-deprecated"]] == ["ECO:0000026"]
    assert [v for _s, _n, v in rules["label-mismatch"]] == ["Self-Concept"]
    # Regression (session 5's tester): "line 25: ..." named no file; the node's own place
    # is a data file, so the message names the mapping set's file
    problems, _notes = mapping_problems(load_sources(project), project)
    (relabelled,) = [p for p in problems if p.rule == "mappings/label-mismatch"]
    assert relabelled.message.startswith("relgraph.sssom.tsv line ")


@requires_external
def test_check_version_mismatch_is_a_warning(tmp_path: Path) -> None:
    text = SSSOM.read_text(encoding="utf-8").replace("\t2022-07-19\t", "\t2020-01-01\t", 1)
    rules = _rules(_project(tmp_path, text))
    assert [(s, v) for s, _n, v in rules["version-mismatch"]] == [("warning", "2020-01-01")]


@requires_external
def test_check_two_exact_matches_and_kinds(tmp_path: Path) -> None:
    text = SSSOM.read_text(encoding="utf-8")
    # A second exactMatch for the therapeutic alliance, and an outcome exactly a disease.
    row = next(line for line in text.splitlines() if "\tskos:exactMatch\tMESH:D000078462\t" in line)
    extra = row.replace("MESH:D000078462\tTherapeutic Alliance", "MESH:D035502\tTrust")
    relapse = next(line for line in text.splitlines() if "outcome-relapse\t" in line)
    disease = relapse.replace("MESH:D012008\tRecurrence", "DOID:5419\tschizophrenia")
    disease = disease.replace("2026.1.27.2", "2022")
    rules = _rules(_project(tmp_path, text + extra + "\n" + disease + "\n"))
    assert rules["two-exact-matches"][0][1] == ALLIANCE
    kinds = {n for _s, n, _v in rules["category-contradicts-source"]}
    assert kinds == {"https://w3id.org/relgraph/resource/outcome-relapse"}
    cross = text.replace(
        "theory\tskos:exactMatch\tMESH:D011574\tPsychoanalytic Theory\ttheory",
        "theory\tskos:exactMatch\tMESH:D011574\tPsychoanalytic Theory\tintervention",
    )
    assert "exact-match-kinds" in _rules(_project(tmp_path / "b", cross))


def test_check_coverage_subjects_and_unmapped(tmp_path: Path) -> None:
    lines = SSSOM.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("rgr:construct-rapport\t")]
    kept = [line.replace("rgr:setting-hospital\t", "rgr:setting-hospitl\t") for line in kept]
    kept = [
        line.replace("\tpatient satisfaction\toutcome\t", "\tpatient satisfaction\tsetting\t")
        for line in kept
    ]
    unmapped = UNMAPPED.read_text(encoding="utf-8")
    unmapped += (
        "rgr:construct-self-concept\tself-concept\tconstruct\tMESH:D012649\tSelf Concept\tdup\n"
    )
    rules = _rules(_project(tmp_path, "\n".join(kept) + "\n", unmapped))
    r = "https://w3id.org/relgraph/resource/"
    not_covered = {n for _s, n, _v in rules["not-covered"]}
    assert not_covered == {r + "construct-rapport", r + "setting-hospital"}
    assert {n for _s, n, _v in rules["subject-missing"]} == {r + "setting-hospitl"}
    assert {n for _s, n, _v in rules["subject-category"]} == {r + "outcome-patient-satisfaction"}
    assert {n for _s, n, _v in rules["unmapped-but-mapped"]} == {r + "construct-self-concept"}
    assert "graph-disagrees" not in rules  # the store was built from the same files


@requires_external
def test_check_graph_and_file_disagree(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    store = load_sources(settings)
    graph = next(g.iri for g in store.graphs() if g.iri.endswith("/relgraph.sssom"))
    store.add_quads(
        [
            ox.Quad(
                ox.NamedNode(ALLIANCE),
                ox.NamedNode(SKOS + "relatedMatch"),
                ox.NamedNode("https://id.nlm.nih.gov/mesh/D035502"),
                ox.NamedNode(graph),
            )
        ]
    )
    problems, _ = mapping_problems(store, settings)
    assert [p.rule for p in problems] == ["mappings/graph-disagrees"]
    assert "graph only" in problems[0].message


def test_check_says_plainly_when_the_copies_are_absent(tmp_path: Path) -> None:
    settings = _project(tmp_path).replace(external_dir=str(tmp_path / "nowhere"))
    store = load_sources(settings)
    problems, notes = mapping_problems(store, settings)
    assert [(p.severity, p.rule) for p in problems] == [
        ("warning", "mappings/source-copies-missing")
    ]
    assert "not checked" in notes[0] and "external_dir" in problems[0].hint


def test_build_works_without_the_copies(fixture_settings: Settings) -> None:
    from relgraph.checks import verify_for_build
    from relgraph.store.builder import build

    settings = fixture_settings.replace(external_dir=str(Path(fixture_settings.build_dir) / "no"))
    result = build(settings, force=True, verify=partial(verify_for_build, settings=settings))
    assert result.triples > 1000 and not result.skipped


@requires_external
def test_mapping_phase_is_part_of_relgraph_check(repo_settings: Settings) -> None:
    store = load_sources(repo_settings)
    report = check_store(store, repo_settings, reasoner=False, phases=("mappings",))
    assert "mappings" in report.timings and report.ok and not report.problems


def test_new_entity_in_a_curators_file_is_a_warning(
    fixture_settings: Settings, tmp_path: Path
) -> None:
    new = tmp_path / "newsetting.ttl"
    new.write_text(
        """@prefix rg: <https://w3id.org/relgraph/ontology/> .
@prefix rgr: <https://w3id.org/relgraph/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
rgr:setting-forensic-ward a rg:Setting ; rdfs:label "forensic ward"@en ;
    dcterms:description "A secure psychiatric ward, only for this test."@en ;
    rg:hasSettingKind rg:PsychiatricSettingKind .
""",
        encoding="utf-8",
    )
    store = load_sources(fixture_settings)
    source = extra_source(new, fixture_settings)
    store.add_quads(parse_source(source))
    report = check_store(store, fixture_settings, extra_graphs=[source.graph], phases=("mappings",))
    (p,) = [p for p in report.problems if p.rule == "mappings/not-covered"]
    assert p.severity == "warning" and "before the file moves into data/" in p.hint


# -- the offline copies and the import modules ------------------------------------------------


@requires_external
def test_mfoem_malformed_iris_are_repaired_on_purpose() -> None:
    index = load_index(source_by_prefix("MFOEM"), EXTERNAL)
    trust = index.get("http://purl.obolibrary.org/obo/MFOEM_000224")
    mistrust = index.get("http://purl.obolibrary.org/obo/MFOEM_000225")
    assert trust is not None and trust.label == "trust"
    assert mistrust is not None and mistrust.label == "mistrust"
    assert index.repaired == {
        "http://purl.obolibrary.org/obo/MFOEM_000224": "https://purl.obolibrary.org/obo/MFOEM_000224",
        "http://purl.obolibrary.org/obo/MFOEM_000225": "https://purl.obolibrary.org/obo/MFOEM:000225",
    }
    assert not any(iri.startswith("https://purl") for iri in index.terms)


@requires_external
def test_copies_give_versions_and_deprecation() -> None:
    versions = {s.prefix: load_index(s, EXTERNAL).version for s in SOURCES}
    assert versions == {
        "MESH": "2026.1.27.2",
        "MF": "2022-07-19",
        "MFOMD": "2022",
        "MFOEM": "2025-06-16",
        "BCIO": "2026-08-06",
        "DOID": "2022",
        "ECO": "2024-07-19",
    }
    eco = load_index(source_by_prefix("ECO"), EXTERNAL)
    assert eco.terms["http://purl.obolibrary.org/obo/ECO_0000026"].deprecated
    nas = eco.terms["http://purl.obolibrary.org/obo/ECO_0000303"]
    assert nas.definition.startswith("A type of author statement without traceable support")
    mesh = load_index(source_by_prefix("MESH"), EXTERNAL)
    assert len(mesh.terms) > 30000  # the README counts 30,531; the file has 30,532 rows


@requires_external
def test_import_modules_are_up_to_date(repo_settings: Settings, tmp_path: Path) -> None:
    store = load_sources(repo_settings)
    for path in generate_modules(repo_settings, store, tmp_path):
        committed = IMPORTS / path.name
        assert committed.read_text("utf-8") == path.read_text("utf-8"), (
            f"{committed} is stale: run .venv/bin/python scripts/imports.py"
        )


def test_import_modules_are_declared_and_dl_safe() -> None:
    graph = rdflib.Graph()
    for path in sorted(IMPORTS.glob("*.ttl")):
        graph.parse(path)
    header = rdflib.Graph().parse(ROOT / "ontology" / "relgraph.ttl")
    modules = set(graph.subjects(RDF.type, OWL.Ontology))
    assert modules == set(header.objects(None, OWL.imports)) & modules
    assert len(modules) == len(SOURCES)
    labels: dict[str, set[str]] = {}
    for term, label in graph.subject_objects(RDFS.label):
        labels.setdefault(str(term), set()).add(str(label))
        # every labelled term is declared: a class (OBO, BCIO) or a SKOS concept (MeSH)
        assert (term, RDF.type, OWL.Class) in graph or (
            term,
            RDF.type,
            OWL.NamedIndividual,
        ) in graph
    assert all(len(texts) == 1 for texts in labels.values()), "one label per term"
    mesh = [t for t in labels if source_of(t) is source_by_prefix("MESH")]
    assert mesh and not any((rdflib.URIRef(t), RDF.type, OWL.Class) in graph for t in mesh)
    for mesh_term in mesh:  # MeSH has no hierarchy in the offline copy
        assert (rdflib.URIRef(mesh_term), RDFS.subClassOf, None) not in graph


def test_eco_evidence_types_are_punned_on_purpose() -> None:
    core = rdflib.Graph().parse(ROOT / "ontology" / "modules" / "core.ttl")
    eco = rdflib.Graph().parse(IMPORTS / "eco.ttl")
    for local in ("0000303", "0000304", "0006017", "0007672"):
        term = rdflib.URIRef("http://purl.obolibrary.org/obo/ECO_" + local)
        assert (term, RDF.type, OWL.NamedIndividual) in core
        assert (term, RDF.type, OWL.Class) in eco
        assert eco.value(term, RDFS.subClassOf) is not None


def test_mapped_terms_reach_their_roots(repo_store: GraphStore) -> None:
    """Every mapped OBO or BCIO term has its superclasses up to a root in the graph."""
    result = repo_store.query(
        """SELECT ?o (COUNT(DISTINCT ?up) AS ?n) WHERE {
             ?s skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:relatedMatch ?o
             FILTER(STRSTARTS(STR(?o), "http://humanbehaviourchange.org/ontology/BCIO_")
                    || REGEX(STR(?o), "^http://purl.obolibrary.org/obo/(MF|MFOEM|DOID|ECO)_"))
             OPTIONAL { ?o rdfs:subClassOf+ ?up FILTER NOT EXISTS { ?up rdfs:subClassOf ?x } }
           } GROUP BY ?o"""
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert rows
    roots_missing = [
        r["o"].value for r in rows if int(r["n"].value) == 0 and "MFOMD_0000001" not in r["o"].value
    ]
    assert roots_missing == []


# -- the command line -------------------------------------------------------------------------


def test_cli_mappings_formats(invoke) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(project_dir=str(ROOT), external_dir=str(EXTERNAL))
    sssom = invoke("mappings", "--format", "sssom", settings=settings)
    assert sssom.exit_code == 0
    assert sssom.output == SSSOM.read_text("utf-8")
    mesh = invoke("mappings", "--source", "mesh", settings=settings)
    body = mesh.output.splitlines()
    assert body[0].startswith("subject_id\t") and len(body) > 50
    assert all("\tMESH:" in line for line in body[1:])
    doc = json.loads(invoke("mappings", "--format", "json", settings=settings).output)
    assert len(doc["mappings"]) == len(read_mapping_set(SSSOM).mappings)
    assert doc["metadata"]["curie_map"]["MESH"] == "https://id.nlm.nih.gov/mesh/"
    unmapped = invoke("mappings", "--unmapped", settings=settings).output.splitlines()
    assert len(unmapped) == 1 + len(read_unmapped(UNMAPPED))
    bad = invoke("mappings", "--source", "SNOMED", settings=settings)
    assert bad.exit_code == 2 and "unknown source 'SNOMED'" in bad.output


def test_render_filters_by_several_sources() -> None:
    settings = Settings(project_dir=str(ROOT))
    text = render(settings, "tsv", ("MF", "MFOEM"))
    prefixes = {line.split("\t")[4].split(":")[0] for line in text.splitlines()[1:]}
    assert prefixes == {"MF", "MFOEM"}


@requires_external
def test_imports_script_shows_a_term() -> None:
    script = ROOT / "scripts" / "imports.py"
    result = subprocess.run(
        [sys.executable, str(script), "--show", "MF:0000041", "MFOEM:000225"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "'belief'" in result.stdout and "parent:     MF:0000033" in result.stdout
    assert "repaired" in result.stdout


def test_fixture_mappings_are_the_real_ones() -> None:
    fixture = read_mapping_set(ROOT / "tests" / "data" / "mappings" / "fixture.sssom.tsv")
    real = set(read_mapping_set(SSSOM).mappings)
    assert fixture.mappings and set(fixture.mappings) <= real


@requires_external
def test_source_index_cache_gives_the_same_index(tmp_path: Path) -> None:
    """The pickled index (kept in build/cache by the check) equals a fresh parse; a damaged
    cache file is parsed again and replaced (issue 13: the check at the real size)."""
    source = source_by_prefix("MFOEM")
    fresh = load_index(source, EXTERNAL)
    first = load_index(source, EXTERNAL, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("MFOEM-*.pickle")
    again = load_index(source, EXTERNAL, cache_dir=tmp_path)
    assert first.terms == fresh.terms == again.terms and again.version == fresh.version
    cached.write_bytes(b"not a pickle")
    assert load_index(source, EXTERNAL, cache_dir=tmp_path).terms == fresh.terms
    assert cached.read_bytes() != b"not a pickle"
