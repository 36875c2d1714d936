"""The competency queries answer what the review says.

Every stored query runs on the real built graph and returns its expected
columns and rows. Then each query's answer is checked against the text of the
review (McGuire, McCabe and Priebe 2001): the expected answers below were
written from the text, not from the queries' output. Labels are compared in a
normalised form (case, punctuation and hyphenation ignored, often by key word)
so that small wording choices of the curator do not break the tests.
"""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox
import pytest

from relgraph.query.catalog import StoredQuery, catalog_markdown, list_queries
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.vocab import RG, RGR
from tests import ROOT, SHARED, requires_seed, requires_shared

SEED = SHARED / "seed" / "000_dcfd1bd9bcf5d22a.txt"
QUERY_FILES = sorted((ROOT / "queries" / "cq").glob("*.rq"))

Row = dict[str, str]


@cache
def _catalog() -> dict[str, StoredQuery]:
    return {q.id: q for q in list_queries(Settings(project_dir=str(ROOT)))}


def norm(text: str) -> str:
    """Lower-case, undo line-end hyphenation, keep letters and digits.

    >>> norm("Consumer-based  Relationship")
    'consumer based relationship'
    """
    text = text.replace("-\n", "").lower().replace("behavior", "behaviour")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def run(store: GraphStore, query_id: str, **params: str) -> list[Row]:
    """Run a stored query; each row maps a column to the term's text ('' if unbound)."""
    query = _catalog()[query_id]
    result = query.select(store, params)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: ("" if s[n] is None else str(s[n].value)) for n in names} for s in result]


def labels(rows: list[Row], column: str = "label") -> set[str]:
    return {norm(r[column]) for r in rows}


def assert_all_found(found: set[str], *words: str) -> None:
    """Assert that each word is part of some found label."""
    for word in words:
        assert any(word in f for f in found), f"{word!r} not in {found}"


def has(rows: list[Row], column: str, *words: str) -> bool:
    """True if some row's column contains every word (normalised)."""
    return any(all(norm(w) in norm(r[column]) for w in words) for r in rows)


def match_each(found: set[str], keywords: list[str]) -> None:
    """Each keyword matches exactly one of the found labels, and nothing is left over."""
    for word in keywords:
        hits = [f for f in found if norm(word) in f]
        assert len(hits) == 1, f"{word!r} should match exactly one of {sorted(found)}"
    leftover = [f for f in found if not any(norm(w) in f for w in keywords)]
    assert not leftover, f"unexpected: {leftover}"


def iri(name: str) -> str:
    return str(RGR[name])


SIX_THEORIES = [
    "role theory",
    "psychoanaly",
    "social construction",
    "systems theory",
    "social psychology",
    "cognitive behaviour",
]

# -- every query: parses, has a header, returns its expected shape --------------


def test_there_are_enough_queries() -> None:
    assert len(QUERY_FILES) >= 30
    assert len(_catalog()) == len(QUERY_FILES)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_returns_its_expected_shape(path, repo_store: GraphStore) -> None:  # type: ignore[no-untyped-def]
    query = next(q for q in _catalog().values() if q.path == path)
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.rq", path.name), "name files NN_<slug>.rq"
    assert query.id.startswith(f"cq{path.name[:2]}-"), "the id starts with cqNN-"
    assert query.question.endswith("?")
    assert query.summary and query.tags
    result = query.select(repo_store)
    assert isinstance(result, ox.QuerySolutions)
    assert [v.value for v in result.variables] == list(query.columns)
    rows = list(result)
    assert len(rows) >= query.min_rows, f"{query.id}: {len(rows)} rows < {query.min_rows}"


def test_queries_cover_every_section(repo_store: GraphStore) -> None:
    result = repo_store.query("SELECT ?s WHERE { ?s a rg:ReviewSection }")
    assert isinstance(result, ox.QuerySolutions)
    sections = {str(r["s"].value).rsplit("/section-", 1)[1] for r in result}
    assert len(sections) == 10
    tags = {t for q in _catalog().values() for t in q.tags}
    assert sections <= tags, f"no query tagged with {sorted(sections - tags)}"


@requires_shared("competency-questions.md")
def test_shared_competency_questions_are_included() -> None:
    text = (SHARED / "competency-questions.md").read_text(encoding="utf-8")
    asked = re.findall(r"^\d+\.\s+(.+?\?)", text, flags=re.MULTILINE | re.DOTALL)
    assert len(asked) == 8
    questions = {norm(q.question) for q in _catalog().values()}
    for question in asked:
        assert norm(question) in questions, f"no stored query asks: {question}"


def test_readme_index_is_current() -> None:
    readme = ROOT / "queries" / "README.md"
    expected = catalog_markdown(_catalog().values(), ROOT / "queries")
    current = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    assert current == expected, (
        "queries/README.md is out of date: run `relgraph queries --markdown > queries/README.md`"
    )


# -- the answers, checked against the text of the review ------------------------


def test_cq01_six_theories(repo_store: GraphStore) -> None:
    # Abstract: "Six central theories ...: role theory, psychoanalysis, social
    # constructionism, systems theory, social psychology and cognitive behaviourism."
    rows = run(repo_store, "cq01-theories")
    assert len(rows) == 6
    match_each(labels(rows), SIX_THEORIES)
    assert all(r["description"] for r in rows)


def test_cq02_theories_applied_more_and_less_often(repo_store: GraphStore) -> None:
    # Conclusions: "role theory, psychoanalysis and systems theory have been applied more
    # often ... than social constructionism, social psychology or cognitive behaviourism."
    more = run(repo_store, "cq02-psychiatric-usage")
    match_each(labels(more), ["role theory", "psychoanaly", "systems theory"])
    less = run(repo_store, "cq02-psychiatric-usage", usage="rg:LessOftenApplied")
    match_each(labels(less), ["social construction", "social psychology", "cognitive"])


def test_cq03_role_theory_models(repo_store: GraphStore) -> None:
    # "paternalistic, consumer based and collaborative"; "The third, collaborative or
    # partnership, model".
    rows = run(repo_store, "cq03-relationship-models-of-theory")
    match_each(labels(rows), ["paternalistic", "consumer", "collaborative"])
    collaborative = next(r for r in rows if "collaborative" in norm(r["label"]))
    assert "partnership" in norm(collaborative["altLabels"])
    # psychoanalysis: "the transference, the developmentally reparative relationship,
    # and the real relationship"
    rows = run(repo_store, "cq03-relationship-models-of-theory", theory="rgr:theory-psychoanalysis")
    match_each(labels(rows), ["transference", "reparative", "real relationship"])


def test_cq04_real_relationship_instruments(repo_store: GraphStore) -> None:
    # "measured by scales such as the Psychotherapy Status Report ..., the Scale to Assess
    # the Therapeutic Alliance ... and the California Psychotherapy Alliance Scales"
    rows = run(repo_store, "cq04-instruments-for-model")
    match_each(
        labels(rows),
        [
            "psychotherapy status report",
            "scale to assess the therapeutic alliance",
            "california psychotherapy alliance scales",
        ],
    )


def test_cq05_works_for_collaborative_adherence(repo_store: GraphStore) -> None:
    # "from increased treatment adherence (Eisenthal et al. 1979; Fenton et al. 1997)"
    rows = run(repo_store, "cq05-works-supporting-finding")
    assert labels(rows) == {"eisenthal et al 1979", "fenton et al 1997"}
    # "patient satisfaction with care received from psychiatrists in acute settings
    # (Barker et al. 1996)"
    rows = run(
        repo_store, "cq05-works-supporting-finding", outcome="rgr:outcome-patient-satisfaction"
    )
    assert labels(rows) == {"barker et al 1996"}


def test_cq06_six_resources(repo_store: GraphStore) -> None:
    # "six classes of 'resources' ...: love, status, information, money, goods and services"
    rows = run(repo_store, "cq06-exchanged-resources")
    match_each(labels(rows), ["love", "status", "information", "money", "goods", "services"])


def _gap_map(store: GraphStore) -> dict[tuple[str, str], Row]:
    return {
        (norm(r["theoryLabel"]), norm(r["settingKindLabel"])): r
        for r in run(store, "cq07-evidence-gap-map")
    }


def _findings(cells: dict[tuple[str, str], Row], theory: str, kind: str) -> int:
    return sum(int(r["findings"]) for (t, k), r in cells.items() if theory in t and kind in k)


def test_cq07_evidence_gap_map(repo_store: GraphStore) -> None:
    cells = _gap_map(repo_store)
    theories = {t for t, _ in cells}
    match_each(theories, SIX_THEORIES)
    # role theory: adherence (Eisenthal, Fenton), satisfaction in acute settings (Barker),
    # a day hospital (Priebe and Gruyters 1999), passivity and non-compliance in
    # psychiatric settings -> at least four findings in psychiatric settings, and passivity
    # findings in general medical practice too
    assert _findings(cells, "role theory", "psychiatr") >= 4
    assert _findings(cells, "role theory", "general medic") >= 1
    role_outcomes = norm(
        " ".join(r["outcomes"] for (t, _), r in cells.items() if "role theory" in t)
    )
    for outcome in ("adherence", "satisfaction", "compliance", "drop"):
        assert outcome in role_outcomes
    # psychoanalysis: psychotherapy settings (Piper et al. 1991, Hentschel et al. 1997) and
    # psychiatric ones (real relationship -> better outcome)
    assert _findings(cells, "psychoanaly", "psychotherap") >= 2
    assert _findings(cells, "psychoanaly", "psychiatr") >= 1
    # systems theory: depressive inpatients, community care; general medical practice
    assert _findings(cells, "systems theory", "psychiatr") >= 2
    # social psychology: McCarthy and Frieze 1999 -- nothing in psychiatric settings.
    # Changed by issue 9: the review names no setting for these findings ("therapist" and
    # "therapy" do not name one), so they are no longer placed in psychotherapy but in the
    # row without a setting.
    assert _findings(cells, "social psychology", "psychiatr") == 0
    assert _findings(cells, "social psychology", "psychotherap") == 0
    assert sum(int(r["findings"]) for (t, _), r in cells.items() if "social psych" in t) >= 1
    assert (
        sum(
            int(r["findings"])
            for (t, _), r in cells.items()
            if "social psych" in t and not r["settingKind"]
        )
        == 3
    )


def test_cq08_shared_methods(repo_store: GraphStore) -> None:
    # conversation analysis: role theory (general medical practice) and social
    # constructionism (Heath 1997; Elwyn and Gwyn 1999); rating scales: role theory
    # (Geller et al. 1976), psychoanalysis (Kelly grid and rating scale methods), social
    # psychology ("Rating scales developed from this approach").
    rows = run(repo_store, "cq08-shared-methods")
    ca = next(r for r in rows if "conversation analysis" in norm(r["label"]))
    assert "role theory" in norm(ca["theoryLabels"])
    assert "social construction" in norm(ca["theoryLabels"])
    scale = next(r for r in rows if "rating scale" in norm(r["label"]))
    for theory in ("role theory", "psychoanaly", "social psychology"):
        assert theory in norm(scale["theoryLabels"])
    assert all(int(r["theories"]) > 1 for r in rows)


def test_cq09_patient_characteristics(repo_store: GraphStore) -> None:
    # "Some patient variables may predict preference for this model of interaction,
    # including: increased severity of illness, older age, lower income, lower education,
    # and male gender (Geller et al. 1976; Benbassat et al. 1998; Shelton 1998; Coulter 1999)"
    rows = run(repo_store, "cq09-patient-characteristics-preference")
    match_each(labels(rows), ["severity", "older age", "income", "education", "male"])
    # Changed by issue 9: "may predict" is hedged, so the claim is a suggested association,
    # not an empirical finding.
    assert {r["claimKind"] for r in rows} == {"suggested association"}
    works = norm(" ".join(r["works"] for r in rows))
    for work in ("geller et al 1976", "benbassat et al 1998", "shelton 1998", "coulter 1999"):
        assert work in works
    # "internal locus of control and high self-efficacy ... preference for this
    # [collaborative] model (Docherty and Fiester 1985)"
    rows = run(
        repo_store, "cq09-patient-characteristics-preference", model="rgr:model-collaborative"
    )
    match_each(labels(rows), ["locus of control", "self efficacy"])
    assert has(rows, "works", "Docherty and Fiester 1985")
    # "are cited as possible factors": hedged too (issue 9)
    assert {r["claimKind"] for r in rows} == {"suggested association"}


def test_cq10_physician_variables(repo_store: GraphStore) -> None:
    # "Physician variables ... include younger age and male gender (Benbassat et al. 1998)"
    rows = run(repo_store, "cq10-professional-characteristics-preference")
    match_each(labels(rows), ["younger age", "male"])
    assert all("paternalistic" in norm(r["modelLabel"]) for r in rows)
    assert all(norm(r["works"]) == "benbassat et al 1998" for r in rows)
    # "identified as predicting": reported as found, so a finding
    assert {r["claimKind"] for r in rows} == {"finding"}


def test_cq11_real_relationship_outcomes(repo_store: GraphStore) -> None:
    # "the real relationship ... has been related to better patient outcome in both
    # psychotherapy and psychiatric settings"
    rows = run(repo_store, "cq11-outcomes-of-factor")
    assert has(rows, "outcomeLabel", "outcome")
    row = next(r for r in rows if "outcome" in norm(r["outcomeLabel"]))
    assert "positive" in norm(row["direction"])
    assert "psychotherapy" in norm(row["settings"])
    assert "psychiatr" in norm(row["settings"])


def test_cq12_systems_theory_settings(repo_store: GraphStore) -> None:
    # "predicted better outcome among depressive inpatients ..., and in psychiatric
    # community care"; "In general medical practice, clinical case study descriptions"
    rows = run(repo_store, "cq12-settings-of-theory")
    found = labels(rows)
    assert_all_found(found, "inpatient", "community", "general medical practice")


def test_cq13_what_is_measured(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq13-what-instruments-measure")
    # "Patient attachment styles have been assessed using the Relationship Questionnaire"
    assert any(
        "relationship questionnaire" in norm(r["label"])
        and "attachment" in norm(r["measuredLabel"])
        for r in rows
    )
    real = [r for r in rows if "real relationship" in norm(r["measuredLabel"])]
    assert len(real) == 3 and all(r["type"] == "instrument" for r in real)


def test_cq14_numbers(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq14-numbers")
    values: dict[str, set[float]] = {}
    for r in rows:
        values.setdefault(r["quantity"], set()).add(float(r["value"]))
    # "80 % of young people believe that having a mental health problem will lead to
    # discrimination"
    assert 80 in values["percentage"]
    # "the therapeutic alliance accounted for between 21 and 56 % of the variance"
    assert 21 in values["minimum percentage"] and 56 in values["maximum percentage"]
    # "relapse during the first 9 months following discharge"
    assert 9 in values["months"]
    # six theories, six classes of resources; three models of role theory
    assert {6, 3, 2} <= values["stated count"]


def test_cq15_who_gives_what(repo_store: GraphStore) -> None:
    # "the professional may provide the patient with 'love' (warmth, comfort), 'status'
    # (regard), 'goods' (medication), 'information' (interpretation, insight, feedback)
    # and/or services (...) in exchange for 'money' (income) and 'status' (prestige or
    # esteem)"
    rows = run(repo_store, "cq15-resource-flows")
    given = {norm(r["resource"]) for r in rows if "professional" in norm(r["giver"])}
    received = {norm(r["resource"]) for r in rows if "patient" in norm(r["giver"])}
    match_each(given, ["love", "status", "goods", "information", "services"])
    match_each(received, ["money", "status"])
    examples = {norm(r["resource"]): norm(r["examples"]) for r in rows}
    assert "warmth" in examples["love"] and "comfort" in examples["love"]
    assert "medication" in examples["goods"]
    assert "income" in examples["money"]


def test_cq16_treatment_goals(repo_store: GraphStore) -> None:
    # "treatment adherence, rehabilitation, stability rather than change, public safety,
    # prevention of relapse, accessing services"
    rows = run(repo_store, "cq16-treatment-goals")
    match_each(
        labels(rows),
        ["adherence", "rehabilitation", "stability", "public safety", "relapse", "services"],
    )


def test_cq17_psychiatric_settings(repo_store: GraphStore) -> None:
    # "inpatient hospitals, outpatient wards, day hospitals, supported housing and home
    # and office visits with community mental health care professionals"
    found = labels(run(repo_store, "cq17-section-settings"))
    assert_all_found(found, "inpatient", "outpatient", "day hospital", "supported housing", "home")


def test_cq18_professions(repo_store: GraphStore) -> None:
    # "psychiatrists, psychologists, community psychiatric nurses, social workers,
    # occupational therapists, support workers"
    found = labels(run(repo_store, "cq18-professions"))
    assert_all_found(
        found,
        "psychiatrist",
        "psychologist",
        "community psychiatric nurse",
        "social worker",
        "occupational therapist",
        "support worker",
    )


def test_cq19_research_designs(repo_store: GraphStore) -> None:
    # naturalistic studies (e.g. Frank and Gunderson 1990; Neale and Rosenheck 1995);
    # controlled studies (e.g. Priebe and Gruyters 1999); a randomised controlled trial of
    # pharmacotherapy for depression (Weiss et al. 1997)
    rows = {norm(r["label"]): norm(r["works"]) for r in run(repo_store, "cq19-research-designs")}

    def works_of(word: str) -> str:
        return " ".join(w for label, w in rows.items() if word in label)

    assert "frank and gunderson 1990" in works_of("naturalistic")
    assert "neale and rosenheck 1995" in works_of("naturalistic")
    assert "priebe and gruyters 1999" in works_of("controlled")
    assert "weiss et al 1997" in works_of("randomised")


def test_cq20_research_gaps(repo_store: GraphStore) -> None:
    # "None of the theories identified have been fully specified and comprehensively
    # investigated in psychiatric settings"; "The extent to which the theoretical models
    # can accommodate ... has yet to be investigated"; applicability never examined.
    rows = run(repo_store, "cq20-research-gaps")
    assert len(rows) >= 3
    sections = {norm(r["section"]) for r in rows}
    assert any("discussion" in s for s in sections)
    assert any("introduction" in s for s in sections)
    assert has(rows, "concerns", "psychiatric")


def test_cq21_harder_to_operationalise(repo_store: GraphStore) -> None:
    # "social constructionism may be more difficult to operationalise and assess than role
    # theory"
    rows = run(repo_store, "cq21-operationalisation")
    assert [(norm(r["label"]), norm(r["thanLabel"])) for r in rows] == [
        ("social constructionism", "role theory")
    ]


@requires_seed
def test_cq22_provenance_matches_the_text(repo_store: GraphStore) -> None:
    text = SEED.read_text(encoding="utf-8")
    rows = run(repo_store, "cq22-provenance")
    assert rows
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert 0 <= start < end <= len(text)
        assert r["quotation"] == text[start:end]
        assert "role theory" in norm(r["section"])
    quoted = norm(" ".join(r["quotation"] for r in rows))
    assert "adherence" in quoted


def test_cq23_most_cited_works(repo_store: GraphStore) -> None:
    # Counted in the text: Shelton 1998 and Coulter 1999 (four times in role theory),
    # Schaap et al. 1996 (social psychology twice, cognitive behaviourism, discussion),
    # Priebe and Pommerien 1992 (four times in systems theory), Frank and Gunderson 1990
    # (introduction, twice in psychoanalysis, discussion); no work is cited more often.
    rows = run(repo_store, "cq23-most-cited-works")
    counts = {norm(r["label"]): int(r["citations"]) for r in rows}
    top = [
        "shelton 1998",
        "coulter 1999",
        "schaap et al 1996",
        "priebe and pommerien 1992",
        "frank and gunderson 1990",
    ]
    for work in top:
        assert counts.get(work, 0) == 4, f"{work}: {counts.get(work)}"
    assert int(rows[0]["citations"]) == 4


def test_cq24_unpublished_manuscript(repo_store: GraphStore) -> None:
    # "(unpublished manuscript Gaston and Marmar 1991)"
    rows = run(repo_store, "cq24-unpublished-works")
    assert [norm(r["label"]) for r in rows] == ["gaston and marmar 1991"]
    assert "unpublished manuscript" in norm(rows[0]["remark"])


def test_cq25_negative_findings(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq25-findings-by-direction")
    assert all(r["direction"] == str(RG.NegativeDirection) for r in rows)
    # passivity "found to lead to negative patient outcome, such as non-compliance, and a
    # high early drop out rate"
    assert any(
        "role theory" in norm(r["theory"])
        and "compliance" in norm(r["outcomes"])
        and "drop" in norm(r["outcomes"])
        for r in rows
    )
    # "coercive influence strategies and certain types of expert influence strategies
    # were negatively associated with patients' perceptions of therapy quality"
    assert has(rows, "factors", "coercive")
    assert has(rows, "factors", "expert")
    positive = run(repo_store, "cq25-findings-by-direction", direction="rg:PositiveDirection")
    assert has(positive, "factors", "personal reward")
    # Changed by issue 9: directions are asserted only where the text says better or worse.
    # Medical students' willingness to prescribe (Brewin 1988) was negative, staff's help by
    # deservingness positive, and the parental-images finding "no association"; the review
    # states no direction for any of them ("determined alliance ratings").
    assert not has(rows, "factors", "responsibility")
    unstated = run(repo_store, "cq25-findings-by-direction", direction="rg:UnstatedDirection")
    for factor in ("parental images", "deservingness", "responsibility", "object relations"):
        assert has(unstated, "factors", factor), factor
    assert not run(repo_store, "cq25-findings-by-direction", direction="rg:NoDirection")
    # preferences (Benbassat et al. 1998) are neither better nor worse: no direction at all
    for direction in ("Positive", "Negative", "Unstated", "Mixed", "No"):
        found = run(repo_store, "cq25-findings-by-direction", direction=f"rg:{direction}Direction")
        assert not has(found, "factors", "younger age")


def test_cq26_citations_per_theory(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq26-citations-per-theory")
    match_each(labels(rows), SIX_THEORIES)
    assert all(int(r["citations"]) > 0 for r in rows)
    # the role theory section cites 24 distinct works (Biddle 1956 ... Priebe and Gruyters
    # 1999), some forty times: more than any other theory
    assert "role theory" in norm(rows[0]["label"])
    assert int(rows[0]["works"]) >= 24
    assert int(rows[0]["citations"]) >= 40


def test_cq27_every_section_has_claims(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq27-claims-per-section")
    assert [int(r["order"]) for r in rows] == list(range(1, 11))
    for heading, row in zip(
        [
            "abstract",
            "introduction",
            "role theory",
            "psychoanalysis",
            "social constructionism",
            "systems theory",
            "social psychology",
            "cognitive behaviourism",
            "discussion",
            "conclusions",
        ],
        rows,
        strict=True,
    ):
        assert heading in norm(row["label"])
        assert int(row["claims"]) > 0, f"no claims curated from the {heading} section"
    # every theory section but the abstract reports results with citations
    assert all(int(r["citations"]) > 0 for r in rows[1:9])


def test_cq28_models_of_every_theory(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq28-all-relationship-models")
    by_theory: dict[str, set[str]] = {}
    for r in rows:
        by_theory.setdefault(norm(r["theoryLabel"]), set()).add(norm(r["modelLabel"]))
    match_each(set(by_theory), SIX_THEORIES)
    # "Two models are offered from this approach: ... social exchange, and ... social
    # influence"
    match_each(by_theory["social psychology"], ["exchange", "influence"])
    # "Two therapeutic systems ...: the key relative-patient-professional system, and the
    # inpatient ward system"
    match_each(by_theory["systems theory"], ["key relative", "inpatient ward"])
    assert len(by_theory["role theory"]) == 3


def test_cq29_constructs(repo_store: GraphStore) -> None:
    # "investigated from this approach using two concepts: the self-concept and causal
    # schemata. Behaviourism focuses on reinforcing patterns of behaviour"
    # Changed by issue 9: the theory had 11 constructs, stigma and denial of illness among
    # them; those are phenomena the section mentions, not the theory's concepts.
    found = labels(run(repo_store, "cq29-constructs-of-theory"))
    match_each(found, ["self concept", "causal schem", "reinforc"])
    # systems theory: "only differences are relevant" (the relational attitude differences)
    # and the homeostatic mechanism. Changed by issue 9: "the level of emotion expressed by
    # relatives" (Vaughn and Leff 1976) and the compensatory alliance are results the section
    # reports, not constructs of the theory's account.
    found = labels(run(repo_store, "cq29-constructs-of-theory", theory="rgr:theory-systems-theory"))
    match_each(found, ["attitude difference", "homeostatic"])


def test_cq30_methods_per_theory(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq30-methods-per-theory")

    def methods(theory: str) -> str:
        return " | ".join(norm(r["methodLabel"]) for r in rows if theory in norm(r["theoryLabel"]))

    # Kelly grid, rating scales and the Relationship Questionnaire (psychoanalysis)
    assert "kelly grid" in methods("psychoanaly")
    assert "relationship questionnaire" in methods("psychoanaly")
    # the Narrative Process Model, conversation analysis (social constructionism)
    assert "narrative process model" in methods("social construction")
    assert "conversation analysis" in methods("social construction")
    # a two-part question, descriptive clinical case studies (systems theory)
    assert "two part question" in methods("systems theory")
    assert "case stud" in methods("systems theory")
    # the 'coached client' method (cognitive behaviourism)
    assert "coached client" in methods("cognitive")


def test_cq31_expressed_emotion_and_relapse(repo_store: GraphStore) -> None:
    # "emotion expressed by relatives of individuals with schizophrenia ... strongly
    # associated with patient relapse during the first 9 months following discharge
    # (Vaughn and Leff 1976)"
    rows = run(repo_store, "cq31-durations")
    row = next(r for r in rows if r["months"])
    assert int(row["months"]) == 9
    assert "emotion" in norm(row["factor"])
    assert "schizophrenia" in norm(row["population"])
    assert norm(row["works"]) == "vaughn and leff 1976"


def test_cq32_what_the_relationship_predicts(repo_store: GraphStore) -> None:
    # "found to predict treatment adherence and outcome ... (Olivier-Martin 1986; Frank and
    # Gunderson 1990; Legeron 1991; Priebe and Gruyters 1993; Broker et al. 1995; Gaston et
    # al. 1998) and may become central to the quality of life of long term care patients
    # (McCabe et al. 1999)"
    rows = run(repo_store, "cq32-introduction-predictions")
    adherence = next(r for r in rows if "adherence" in norm(r["outcome"]))
    works = norm(adherence["works"])
    for work in (
        "olivier martin 1986",
        "frank and gunderson 1990",
        "legeron 1991",
        "priebe and gruyters 1993",
        "broker et al 1995",
        "gaston et al 1998",
    ):
        assert work in works
    # Changed by issue 9: the relationship "may become central to the quality of life of long
    # term care patients (McCabe et al. 1999)" is hedged, so it is a suggested association and
    # no longer a finding; and "across a range of patient diagnoses and treatment settings"
    # gives no single setting, so the findings are no longer placed in psychiatric settings.
    assert not any("quality of life" in norm(r["outcome"]) for r in rows)
    assert all(r["settings"] == "" for r in rows)


def test_cq33_emphasis_of_each_theory(repo_store: GraphStore) -> None:
    rows = {norm(r["label"]): norm(r["emphasis"]) for r in run(repo_store, "cq33-theory-emphasis")}
    match_each(set(rows), SIX_THEORIES)
    assert all(rows.values())

    def of(theory: str) -> str:
        return next(v for k, v in rows.items() if theory in k)

    # "Psychoanalysis may offer insight into 'difficult' behaviour, where transference
    # distortions are brought into play"
    assert "transference" in of("psychoanaly") or "difficult" in of("psychoanaly")
    # "the tangible and intangible goods exchanged ... and the social influence strategies"
    assert "exchang" in of("social psychology") or "influence" in of("social psychology")
    # "alignment to different role relationship patterns"
    assert "role" in of("role theory")


def test_cq34_aligned_and_contrasted(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq34-aligned-and-contrasted")
    pairs = {(r["relation"], frozenset({norm(r["aLabel"]), norm(r["bLabel"])})) for r in rows}
    # asymmetries "may be aligned to the 'paternalistic relationship' from the perspective of
    # role theory"
    assert any(
        rel == "aligned with"
        and any("asymmetr" in p for p in pair)
        and any("paternalistic" in p for p in pair)
        for rel, pair in pairs
    )
    # "In contrast to role theory and psychoanalysis ... social constructionism"
    for other in ("role theory", "psychoanalysis"):
        assert ("contrasted with", frozenset({"social constructionism", other})) in pairs


def test_cq35_recommendations(repo_store: GraphStore) -> None:
    # conclusions: patients allocated by 'fit', staff training, staff supervision, a
    # stronger link between fundamental and applied research; discussion: assess the
    # relationship as a mediating factor in trials
    rows = run(repo_store, "cq35-recommendations")
    assert len(rows) >= 3
    found = " | ".join(labels(rows))
    for word in ("train", "supervis", "fit"):
        assert word in found, f"{word!r} not in {found}"
    sections = {norm(r["section"]) for r in rows}
    assert any("conclusions" in s for s in sections)
    assert any("discussion" in s for s in sections)


def test_cq36_works_by_priebe(repo_store: GraphStore) -> None:
    # Priebe 1989; Priebe and Pommerien 1992; Priebe and Gruyters 1993, 1994, 1999
    rows = run(repo_store, "cq36-works-by-author")
    assert sorted(int(r["year"]) for r in rows) == [1989, 1992, 1993, 1994, 1999]
    assert all(int(r["citations"]) >= 1 for r in rows)
    rows = run(repo_store, "cq36-works-by-author", author="Horvath")
    assert labels(rows) == {"horvath 2000", "horvath and luborsky 1993"}


def test_cq37_claims_of_the_abstract(repo_store: GraphStore) -> None:
    rows = run(repo_store, "cq37-claims-of-section")
    assert all(r["section"] == iri("section-abstract") for r in rows)
    assert len(rows) >= 2
    rows = run(repo_store, "cq37-claims-of-section", section="rgr:section-conclusions")
    assert {r["kind"] for r in rows} >= {"recommendation"}


def test_cq38_populations(repo_store: GraphStore) -> None:
    found = labels(run(repo_store, "cq38-populations"))
    # young people (Department of Health 2001), medical students (Brewin 1988), community
    # mental health care nurses in South Wales (Fung and Fry 1999), depressive inpatients
    # (Priebe 1989), individuals with schizophrenia (Vaughn and Leff 1976), a severely
    # mentally ill sample (Hentschel et al. 1997)
    assert_all_found(
        found,
        "young people",
        "medical students",
        "nurses",
        "depressive inpatients",
        "schizophrenia",
        "severely mentally ill",
    )
    # Changed by issue 9: "patients with depression" (the trial of pharmacotherapy for
    # depression, Weiss et al. 1997) was removed: the text names the trial, not its sample.
    assert not any("depression" in f for f in found)


def test_cq39_social_psychology_findings(repo_store: GraphStore) -> None:
    # "personal reward influence strategies was positively related to patients' perceptions
    # of therapy quality, while ... coercive ... and ... expert influence strategies were
    # negatively associated" (McCarthy and Frieze 1999)
    rows = run(repo_store, "cq39-findings-of-theory")
    assert all(norm(r["works"]) == "mccarthy and frieze 1999" for r in rows)
    assert all("quality" in norm(r["outcomes"]) and "therap" in norm(r["outcomes"]) for r in rows)
    reward = [r for r in rows if "personal reward" in norm(r["factors"])]
    assert reward and all("positive" in norm(r["direction"]) for r in reward)
    coercive = [r for r in rows if "coercive" in norm(r["factors"])]
    assert coercive and all("negative" in norm(r["direction"]) for r in coercive)


def test_cq40_works_cited_in_several_sections(repo_store: GraphStore) -> None:
    rows = {
        norm(r["label"]): int(r["sectionCount"])
        for r in run(repo_store, "cq40-works-across-sections")
    }
    # counted in the text
    for work in (
        "frank and gunderson 1990",  # introduction, psychoanalysis, discussion
        "schaap et al 1996",  # social psychology, cognitive behaviourism, discussion
        "hentschel et al 1997",  # psychoanalysis, discussion
        "horvath 2000",  # psychoanalysis, cognitive behaviourism
        "clarkson 1993",  # psychoanalysis, systems theory
        "gaston et al 1998",  # introduction, psychoanalysis
        "priebe and gruyters 1999",  # role theory, discussion
        "safran and segal 1998",  # social psychology, cognitive behaviourism
        "heath 1997",  # role theory, social constructionism
    ):
        assert work in rows, f"{work} not cited in several sections: {sorted(rows)}"
    assert rows["frank and gunderson 1990"] == 3
    assert rows["schaap et al 1996"] == 3
    assert "eisenthal et al 1979" not in rows  # role theory only


def test_cq41_constructs_used_from_cognitive_behaviourism(repo_store: GraphStore) -> None:
    # Issue 9: the theory's own concepts ("the self-concept and causal schemata", and
    # behaviourism's reinforcement) are told apart from what its section mentions: stigma and
    # denial of illness (Fung and Fry 1999), moral deservingness (Brewin 1988), therapeutic
    # resistance (Safran and Segal 1998), the coached client method's rapport.
    rows = {norm(r["label"]): r for r in run(repo_store, "cq41-constructs-used-from-theory")}
    own = {label for label, r in rows.items() if r["ofTheory"] == "yes"}
    match_each(own, ["self concept", "causal schem", "reinforcement of behaviour"])
    for phenomenon in ("social stigma", "denial of illness", "moral deservingness", "rapport"):
        assert rows[phenomenon]["ofTheory"] == "no", phenomenon
