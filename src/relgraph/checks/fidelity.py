"""Fidelity checks: the graph says what the review says, in relgraph's own words.

Pure functions of a :class:`~relgraph.store.ReadableStore` (and, for the checks
that need it, the review's text in the seed folder) that return
:class:`~relgraph.checks.report.Problem` objects for ``relgraph check`` (phase
``fidelity``). The word comparisons are those of :mod:`relgraph.checks.wording`.

Rules (see ``shapes/README.md`` for the list and ``data/README.md`` for the
curation rules they enforce):

* ``fidelity/copied-run`` -- a label, alternative label, description,
  definition, emphasis or comment shares more than 12 consecutive words with the
  review (words of the review's own enumerations do not count).
* ``fidelity/term-not-in-passage`` -- a defined entity (theory, model, construct,
  method, instrument, outcome, setting, ...) names a passage as its source that
  does not contain its label or one of its alternative labels.
* ``fidelity/span-mid-word`` -- a passage starts or ends inside a word (also
  across a line-end hyphen, as in "com-|pensatory").
* ``fidelity/context-not-in-passage`` -- a claim's setting, population or party
  is not named in any of the claim's passages.
* ``fidelity/construct-not-in-theory-account`` -- a theory's construct
  (``rg:hasConstruct``) is not named in a passage of the theory or of one of its
  relationship models, i.e. the text does not present it as the theory's.
* ``fidelity/alt-label-not-in-text`` and ``fidelity/acronym-not-in-text`` -- a
  synonym or an acronym the text does not give.
* ``fidelity/hedged-finding`` and ``fidelity/causal-wording`` (warnings) -- a
  finding whose passage only suggests a result ("may", "possible"), or whose
  label uses a causal verb ("increases") that its passage does not.

When the review's text is not in the seed folder, the checks that need it
report one ``fidelity/not-run`` info saying so; the others still run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.report import Problem
from relgraph.checks.rows import dict_rows as _rows
from relgraph.checks.rows import value_rows as _tuples
from relgraph.checks.wording import (
    CopiedRun,
    ReviewText,
    fold,
    mentions,
    passage_words,
    phrase_in,
    words,
)
from relgraph.store.base import ReadableStore
from relgraph.vocab import DCTERMS, IAO_DEFINITION, RDFS, RG, SKOS

__all__ = [
    "COPY_LIMIT",
    "RULES",
    "fidelity_problems",
    "copied_run_problems",
    "term_problems",
    "span_edge_problems",
    "context_problems",
    "construct_problems",
    "vocabulary_problems",
    "wording_problems",
    "review_texts",
]

#: The rules of this module (rule ids are ``fidelity/<rule>``).
RULES = (
    "copied-run",
    "term-not-in-passage",
    "span-mid-word",
    "context-not-in-passage",
    "construct-not-in-theory-account",
    "alt-label-not-in-text",
    "acronym-not-in-text",
    "hedged-finding",
    "causal-wording",
    "not-run",
)

#: A literal may share at most this many consecutive words with the review.
COPY_LIMIT = 12
#: The fewest characters of COPY_LIMIT + 1 words (one character each, one between).
_SHORTEST_COPY = 2 * COPY_LIMIT + 1

#: Literal properties whose values must be relgraph's own words.
_OWN_WORDS = """rdfs:label skos:altLabel dcterms:description obo:IAO_0000115 skos:definition
  rg:emphasis rdfs:comment"""

#: Classes of the entities the review defines or names (not claims, passages, works).
_DEFINED = """rg:Theory rg:RelationshipModel rg:Construct rg:AssessmentMethod rg:Instrument
  rg:Outcome rg:Setting rg:Population rg:ParticipantRole rg:Characteristic
  rg:ExchangedResource rg:ResourceFlow rg:ResearchDesign"""

_HEDGE = re.compile(
    r"\b(may|might|could|possible|possibly|potential|potentially|perhaps|suggested|appears?)\b"
)
_REPORTED = re.compile(
    r"\b(found|finds?|revealed?|reveals|identified|predicted|determined|related|associated"
    r"|linked|shown|showed|accounted|indicated|demonstrated)\b"
)
#: Causal verbs a finding's label may use only where its passage does (base form: forms).
_CAUSAL = {
    verb: (verb, verb + "s")
    for verb in """increase improve reduce decrease cause lead produce prevent determine enhance
      worsen""".split()
}
_ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")
_NAMES = {
    str(RDFS.label): "label",
    str(SKOS.altLabel): "alternative label",
    str(DCTERMS.description): "description",
    str(IAO_DEFINITION): "definition",
    str(SKOS.definition): "definition",
    str(RG.emphasis): "emphasis",
    str(RDFS.comment): "comment",
}


def _problem(
    *, severity: str, rule: str, node: str, value: str, message: str, hint: str
) -> Problem:
    return Problem(
        severity=severity,
        rule="fidelity/" + rule,
        node=node,
        value=value,
        message=message,
        hint=hint,
        phase="fidelity",
    )


def _short(text: str, size: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 3] + "..."


@lru_cache(maxsize=4)
def _review(text: str) -> ReviewText:
    """The indexed review text (built once per process and text)."""
    return ReviewText(text, limit=COPY_LIMIT)


def _spelled(term: str) -> str:
    """A term's folded words: the same for spelling and hyphenation variants."""
    return " ".join(fold(w) for w in words(term))


def review_texts(store: ReadableStore, seed_dir: Path) -> dict[str, str] | None:
    """The texts that passages point into, by file name; None if the seed folder is absent.

    The files are those named by ``rg:sourceFile``; with no passage at all, every
    ``*.txt`` file of the folder.
    """
    if not seed_dir.is_dir():
        return None
    names = {r["f"] for r in _rows(store, "SELECT DISTINCT ?f WHERE { ?p rg:sourceFile ?f }")}
    paths = [seed_dir / n for n in sorted(names)] or sorted(seed_dir.glob("*.txt"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths if p.is_file()}
    return texts or None


Terms = dict[str, list[str]]


def _terms(store: ReadableStore) -> Terms:
    """Label first, then alternative labels, of every node that has one.

    Read once per check (:func:`fidelity_problems` passes it to the rules that use it).
    """
    terms: Terms = defaultdict(list)
    for node, term in _tuples(store, "SELECT ?e ?t WHERE { ?e rdfs:label ?t }"):
        terms[node].insert(0, term)
    for node, term in _tuples(store, "SELECT ?e ?t WHERE { ?e skos:altLabel ?t }"):
        terms[node].append(term)
    return terms


def _passages_of(store: ReadableStore, where: str) -> dict[str, dict[str, frozenset[str]]]:
    """node -> passage -> words, for the (?node, ?p) pairs the WHERE clause binds."""
    out: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    sparql = f"SELECT DISTINCT ?node ?p ?q WHERE {{ {where} ?p rg:quotation ?q }}"
    for r in _rows(store, sparql):
        out[r["node"]][r["p"]] = passage_words(r["q"])
    return out


# -- checks on the graph alone -----------------------------------------------------------------


def term_problems(store: ReadableStore, terms: Terms | None = None) -> list[Problem]:
    """Every defined entity's label or alternative label is named in one of its passages.

    :param terms: the graph's labels (:func:`_terms`), if already read.
    """
    where = f"""VALUES ?kind {{ {_DEFINED} }}
      ?node a/rdfs:subClassOf* ?kind ; rg:derivedFromPassage ?p ."""
    terms = _terms(store) if terms is None else terms
    problems = []
    for node, passages in sorted(_passages_of(store, where).items()):
        names = terms.get(node, [])
        if not names or any(mentions(words, names) for words in passages.values()):
            continue
        problems.append(
            _problem(
                severity="error",
                rule="term-not-in-passage",
                node=node,
                value=", ".join(sorted(passages)),
                message=f"none of its passages names it: the words of its label {names[0]!r}"
                + (" or of an alternative label" if len(names) > 1 else "")
                + " do not all occur in the quoted text (a span that starts mid-word or the"
                " wrong sentence?)",
                hint="point rg:derivedFromPassage at a passage that names the term (make one with"
                " scripts/spans.py find ... --ttl), or add the text's own wording of the term"
                " as skos:altLabel",
            )
        )
    return problems


def context_problems(store: ReadableStore, terms: Terms | None = None) -> list[Problem]:
    """A claim's setting, population and parties are named in one of its passages.

    :param terms: the graph's labels (:func:`_terms`), if already read.
    """
    terms = _terms(store) if terms is None else terms
    claims = "?node a/rdfs:subClassOf* rg:Claim ; rg:derivedFromPassage ?p ."
    passages = _passages_of(store, claims)
    # only the links of claims with a quoted passage (the others are skipped below):
    # a study added from elsewhere may bring most of the claims of a large graph
    links = _rows(
        store,
        f"""SELECT ?c ?prop ?v WHERE {{
             {{ SELECT DISTINCT ?c WHERE {{
                  {claims.replace("?node", "?c")} ?p rg:quotation ?q }} }}
             VALUES ?prop {{ rg:studiedInSetting rg:studiedInPopulation rg:involvesRole }}
             ?c ?prop ?v }}""",
    )
    what = {"studiedInSetting": "setting", "studiedInPopulation": "population"}
    problems = []
    for r in sorted(links, key=lambda r: (r["c"], r["prop"], r["v"])):
        claim, value = r["c"], r["v"]
        if claim not in passages:
            continue  # a study added from elsewhere (dcterms:source): no text to compare
        names = terms.get(value, [])
        if not names or any(mentions(w, names) for w in passages[claim].values()):
            continue
        kind = what.get(r["prop"].rsplit("/", 1)[-1], "party (participant role)")
        problems.append(
            _problem(
                severity="error",
                rule="context-not-in-passage",
                node=claim,
                value=value,
                message=f"the claim's {kind} {names[0]!r} is named in none of the claim's passages:"
                " the text does not give it for this claim",
                hint=f"remove the {kind} if the text does not give it, derive the claim from the"
                " passage that names it, or add the text's wording as skos:altLabel of the"
                f" {kind}",
            )
        )
    return problems


def construct_problems(store: ReadableStore, terms: Terms | None = None) -> list[Problem]:
    """A theory's constructs are named in the theory's own account (its or its models' passages).

    :param terms: the graph's labels (:func:`_terms`), if already read.
    """
    account = _passages_of(
        store,
        """?node a rg:Theory .
           { ?node rg:derivedFromPassage ?p }
           UNION { ?node rg:hasRelationshipModel/rg:derivedFromPassage ?p }""",
    )
    terms = _terms(store) if terms is None else terms
    problems = []
    for r in _rows(store, "SELECT ?t ?c WHERE { ?t rg:hasConstruct ?c } ORDER BY ?t ?c"):
        theory, construct = r["t"], r["c"]
        if theory not in account:
            continue  # a theory without passages (from elsewhere): nothing to compare
        names = terms.get(construct, [])
        if not names or any(mentions(w, names) for w in account[theory].values()):
            continue
        problems.append(
            _problem(
                severity="error",
                rule="construct-not-in-theory-account",
                node=theory,
                value=construct,
                message=f"the construct {names[0]!r} is named in no passage of the theory or of its"
                " relationship models, so the text does not present it as part of the"
                " theory's account",
                hint="link the construct with rg:hasConstruct only where the text presents it as"
                " the theory's (then give the theory that passage with rg:derivedFromPassage);"
                " otherwise let the claims that use it link it (rg:hasFactor, rg:assesses,"
                " rg:mentions)",
            )
        )
    return problems


def wording_problems(store: ReadableStore) -> list[Problem]:
    """Warnings: findings from hedged passages, and causal verbs the passage does not use."""
    rows = _rows(
        store,
        """SELECT ?f ?label ?q WHERE {
             ?f a rg:Finding ; rdfs:label ?label ; rg:derivedFromPassage/rg:quotation ?q }""",
    )
    by_finding: dict[str, tuple[str, list[str]]] = {}
    for r in rows:
        text = " ".join(r["q"].replace("-\n", "").split()).lower()
        by_finding.setdefault(r["f"], (r["label"], []))[1].append(text)
    problems = []
    for finding, (label, texts) in sorted(by_finding.items()):
        hedged = [t for t in texts if _HEDGE.search(t) and not _REPORTED.search(t)]
        if hedged:
            word = _HEDGE.search(hedged[0])
            problems.append(
                _problem(
                    severity="warning",
                    rule="hedged-finding",
                    node=finding,
                    value=_short(hedged[0]),
                    message="the passage only suggests this result "
                    f"({word.group() if word else ''!r}) and reports nothing as found, so it is "
                    "not an empirical finding",
                    hint="record it as a rg:SuggestedAssociation (a review statement that may keep"
                    " its factor and outcome) instead of a rg:Finding",
                )
            )
        used = set(re.findall(r"[a-z]+", label.lower()))
        text_words = set(re.findall(r"[a-z]+", " ".join(texts)))
        for verb, forms in _CAUSAL.items():
            if used & set(forms) and not text_words & set(forms):
                problems.append(
                    _problem(
                        severity="warning",
                        rule="causal-wording",
                        node=finding,
                        value=label,
                        message=f"the label says {verb!r} but its passages do not: a stronger claim"
                        " than the text makes",
                        hint="use the text's own relation ('has been linked to', 'predicted', 'was"
                        " associated with') rather than a causal verb",
                    )
                )
    return problems


# -- checks that need the review's text --------------------------------------------------------


def copied_run_problems(store: ReadableStore, texts: dict[str, str]) -> list[Problem]:
    """Labels, descriptions and definitions that share more than 12 words with the review."""
    reviews = {name: _review(text) for name, text in texts.items()}
    where = f"""WHERE {{
      VALUES ?p {{ {_OWN_WORDS} }}
      ?s ?p ?o .
      FILTER(isIRI(?s) && isLiteral(?o)
             && (STRSTARTS(STR(?s), STR(rg:)) || STRSTARTS(STR(?s), STR(rgr:))))
    }}"""
    # each distinct text once; the triples only of the texts that copy (rare)
    copied: dict[str, tuple[str, CopiedRun]] = {}
    seen: set[str] = set()
    for (literal,) in _tuples(store, f"SELECT DISTINCT ?o {where}"):
        if literal in seen or (len(literal) < _SHORTEST_COPY and literal.isascii()):
            continue  # fewer than COPY_LIMIT + 1 words (an ASCII text is its own NFC form)
        seen.add(literal)
        for name, review in reviews.items():
            found = review.copied_run(literal)
            if found is not None:
                copied[literal] = (name, found)
                break
    if not copied:
        return []
    rows = [r for r in _tuples(store, f"SELECT ?s ?p ?o {where}") if r[2] in copied]
    problems = []
    for subject, prop, literal in sorted(rows):
        name, run = copied[literal]
        field = _NAMES.get(prop, prop)
        problems.append(
            _problem(
                severity="error",
                rule="copied-run",
                node=subject,
                value=_short(literal),
                message=f"its {field} shares {run.words} consecutive words with the review"
                f" ({name}, characters {run.start}-{run.end}): {_short(run.excerpt, 160)!r}",
                hint="rewrite it in your own words: a label names the entity or claim briefly,"
                " a description explains it; the review's wording belongs in rg:quotation on a"
                " passage (words of the review's own enumerations do not count)",
            )
        )
    return problems


def span_edge_problems(store: ReadableStore, texts: dict[str, str]) -> list[Problem]:
    """Passages that start or end inside a word, also across a line-end hyphen."""
    rows = _rows(
        store,
        """SELECT ?p ?f ?s ?e WHERE {
             ?p a rg:Passage ; rg:sourceFile ?f ; rg:startOffset ?s ; rg:endOffset ?e }""",
    )
    problems = []
    for r in sorted(rows, key=lambda r: r["p"]):
        text = texts.get(r["f"])
        try:
            start, end = int(r["s"]), int(r["e"])
        except ValueError:
            continue  # reported by SHACL and the datatype rule
        if text is None or not 0 <= start < end <= len(text):
            continue  # reported by the span check
        where = []
        before = text[max(0, start - 3) : start]
        if text[start].isalnum() and (
            (start > 0 and text[start - 1].isalnum()) or re.fullmatch(r"\w-\n", before)
        ):
            where.append("starts")
        after = text[end : end + 2]
        if text[end - 1].isalnum() and (
            (end < len(text) and text[end].isalnum()) or after == "-\n"
        ):
            where.append("ends")
        if where:
            context = text[max(0, start - 12) : min(len(text), end + 12)]
            problems.append(
                _problem(
                    severity="error",
                    rule="span-mid-word",
                    node=r["p"],
                    value=f"{start}..{end}",
                    message=f"the passage {' and '.join(where)} inside a word: "
                    f"{_short(context, 80)!r}",
                    hint="move the offset to the first (or after the last) character of the word,"
                    " across a line-end hyphen if need be; recompute with scripts/spans.py find",
                )
            )
    return problems


#: The texts :func:`vocabulary_problems` reads. MINUS rather than FILTER NOT EXISTS (the
#: same here: ?e is always bound): pyoxigraph evaluates NOT EXISTS once per row, MINUS once
#: (7x faster at 10^6 triples, docs/decisions/0017).
VOCABULARY_QUERY = """SELECT ?e ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:altLabel dcterms:description }
  ?e ?p ?o .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), STR(rgr:)))
  MINUS { ?e a/rdfs:subClassOf* rg:Publication }
  MINUS { ?e dcterms:source|prov:wasQuotedFrom|prov:used ?elsewhere }
  MINUS { ?e a/rdfs:subClassOf* prov:Agent }
}"""


def vocabulary_problems(store: ReadableStore, texts: dict[str, str]) -> list[Problem]:
    """Alternative labels and acronyms of the data that the review's text does not give.

    Publications are left out: their alternative labels are citation forms (and a
    known usual spelling, such as "Emanuel and Emanuel 1992"); so is what a study
    added from elsewhere brings (nodes with ``dcterms:source``, its excerpts, curation
    and curator): their names come from the study's publication, not the review.
    """
    runs: frozenset[str] = frozenset()
    capitals: set[str] = set()
    for text in texts.values():
        runs |= _review(text).runs()
        capitals |= set(_ACRONYM.findall(text))
    problems = []
    rows = _tuples(store, VOCABULARY_QUERY)
    names: dict[str, list[str]] = defaultdict(list)
    for entity, prop, text in sorted(rows, key=lambda r: not r[1].endswith("#label")):
        if prop.endswith(("#label", "#altLabel")):
            names[entity].append(text)
    acronyms: dict[str, list[str]] = {}  # by text: the graph repeats its texts
    for entity, prop, text in sorted(rows):
        field = _NAMES.get(prop, prop)
        if field == "alternative label" and not phrase_in(text, runs):
            # a spelling variant of the label, or of a name the text gives, is the same name
            label, *alternatives = names[entity]
            own = {_spelled(label)} | {_spelled(n) for n in alternatives if phrase_in(n, runs)}
            if _spelled(text) in own:
                continue
            problems.append(
                _problem(
                    severity="error",
                    rule="alt-label-not-in-text",
                    node=entity,
                    value=text,
                    message=f"the alternative label {text!r} does not occur in the review's text:"
                    " a synonym the text does not give",
                    hint="keep only names the text gives (British and American spellings of them"
                    " count as the same name); remove this one",
                )
            )
        if text not in acronyms:
            acronyms[text] = sorted(set(_ACRONYM.findall(text)) - capitals)
        for acronym in acronyms[text]:
            problems.append(
                _problem(
                    severity="error",
                    rule="acronym-not-in-text",
                    node=entity,
                    value=acronym,
                    message=f"its {field} uses the acronym {acronym!r}, which the review's text"
                    " does not",
                    hint="write the term out as the text does (e.g. 'randomised controlled trial',"
                    " not 'RCT')",
                )
            )
    return problems


# -- all of them -------------------------------------------------------------------------------


def _not_run(seed_dir: Path) -> Problem:
    return _problem(
        severity="info",
        rule="not-run",
        node="",
        value=str(seed_dir),
        message=f"the review's text is not in the seed folder {seed_dir}, so the copied-run,"
        " span-edge and vocabulary checks did not run (the checks on passages' quotations did)",
        hint="keep the shared/ folder (with seed/) beside the checkout, or set the seed_dir setting"
        " (relgraph -s seed_dir=PATH)",
    )


def fidelity_problems(
    store: ReadableStore, seed_dir: Path, *, errors_only: bool = False
) -> list[Problem]:
    """Run every fidelity check; those that need the review's text only if it is there.

    :param errors_only: leave out the warning-only :func:`wording_problems` (for the build).
    """
    terms = _terms(store)
    problems = term_problems(store, terms) + context_problems(store, terms)
    problems += construct_problems(store, terms)
    if not errors_only:
        problems += wording_problems(store)
    texts = review_texts(store, seed_dir)
    if texts is None:
        return [*problems, _not_run(seed_dir)]
    problems += copied_run_problems(store, texts)
    problems += span_edge_problems(store, texts)
    problems += vocabulary_problems(store, texts)
    return problems


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """The fidelity phase: every rule of this module over the checked graphs."""
    seed_dir = ctx.settings.path("seed_dir")
    return PhaseResult(problems=fidelity_problems(ctx.store, seed_dir, errors_only=ctx.errors_only))
