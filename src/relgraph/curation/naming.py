"""Names of what a study adds: IRIs by relgraph's scheme, and labels made from a row.

IRIs follow ``data/README.md`` (IRI scheme): lowercase ASCII words joined by
hyphens behind a kind prefix. A study's work is ``work-<first>-<year>``,
``work-<first>-<second>-<year>`` or ``work-<first>-etal-<year>`` (ASCII-folded,
a year suffix kept: ``2024a``), and the study id is that name without
``work-``. Claims are named after what they link and the study
(``finding-<factor>-<outcome>-<study>``, ``methoduse-<method>-<assessed>-<study>``),
so that the same row gets the same IRI at every import; excerpts after a hash
of their quotation and locator. Labels and descriptions that a curator leaves
empty are made from the row (:func:`claim_label`, :func:`claim_description`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "slug",
    "local_slug",
    "work_label",
    "work_local",
    "ClaimWords",
    "claim_label",
    "claim_description",
    "work_description",
    "excerpt_local",
    "NAME_PATTERN",
    "KIND_PREFIXES",
]

#: A local name of the relgraph resource namespace.
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The kind prefixes of the IRI scheme, longest first.
KIND_PREFIXES = tuple(
    sorted(
        (
            "theory-",
            "model-",
            "construct-",
            "method-",
            "instrument-",
            "outcome-",
            "setting-",
            "population-",
            "role-",
            "characteristic-patient-",
            "characteristic-professional-",
            "resource-",
            "flow-",
            "design-",
            "finding-",
            "methoduse-",
            "statement-",
            "recommendation-",
            "gap-",
            "work-",
        ),
        key=len,
        reverse=True,
    )
)
#: Longest slug made from a label, in characters (cut at a word).
MAX_SLUG = 48


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """Lowercase ASCII words joined by hyphens.

    >>> slug("Peräkylä"), slug("Patients' assessment of treatment"), slug("WAI-SR (short)")
    ('perakyla', 'patients-assessment-of-treatment', 'wai-sr-short')
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("'", "").replace("’", "")
    out = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(out) > limit:
        out = out[:limit].rsplit("-", 1)[0] if "-" in out[:limit] else out[:limit]
    return out


def local_slug(iri: str) -> str:
    """The local name of a relgraph IRI without its kind prefix.

    >>> local_slug("https://w3id.org/relgraph/resource/outcome-treatment-adherence")
    'treatment-adherence'
    >>> local_slug("https://w3id.org/relgraph/resource/characteristic-patient-older-age")
    'older-age'
    """
    name = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for prefix in KIND_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return slug(name)


def work_label(authors: Sequence[str], year: str) -> str:
    """The author-year label, in the review's form.

    >>> work_label(["Smith"], "2024"), work_label(["Smith", "Jones"], "2024a")
    ('Smith 2024', 'Smith and Jones 2024a')
    >>> work_label(["Smith", "Jones", "Okafor"], "2024")
    'Smith et al. 2024'
    """
    if len(authors) == 1:
        return f"{authors[0]} {year}"
    if len(authors) == 2:
        return f"{authors[0]} and {authors[1]} {year}"
    return f"{authors[0]} et al. {year}"


def work_local(authors: Sequence[str], year: str) -> str:
    """The work's local name by the IRI scheme.

    >>> work_local(["Peräkylä"], "1995"), work_local(["Smith", "Jones", "Okafor"], "2024b")
    ('work-perakyla-1995', 'work-smith-etal-2024b')
    """
    names = [slug(a, 24) for a in authors]
    if len(names) == 1:
        middle = names[0]
    elif len(names) == 2:
        middle = f"{names[0]}-{names[1]}"
    else:
        middle = f"{names[0]}-etal"
    return f"work-{middle}-{year.lower()}"


def excerpt_local(study: str, quotation: str, locator: str) -> str:
    """An excerpt's local name: the study and a hash of what it quotes and where.

    >>> excerpt_local("smith-2024", "We found ...", "p. 6")
    'excerpt-smith-2024-7ce6ce4c51'
    """
    digest = hashlib.sha256(f"{locator}\n{' '.join(quotation.split())}".encode()).hexdigest()
    return f"excerpt-{study}-{digest[:10]}"


def _join(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _context(settings: Sequence[str], populations: Sequence[str] = ()) -> str:
    out = f" in {_join(settings)}" if settings else ""
    if populations:
        out += f" among {_join(populations)}"
    return out


@dataclass(frozen=True)
class ClaimWords:
    """What a claim's made-up label and description say: the labels of its values.

    :ivar kind: ``finding`` or ``method``.
    :ivar work: the label of the study's work.
    """

    kind: str
    work: str
    factors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    direction: str = ""
    methods: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    percentage: str = ""


def claim_label(w: ClaimWords) -> str:
    """The label of a claim whose curator gave none, made from its row.

    >>> claim_label(ClaimWords("finding", "Example et al. 2030", factors=("collaborative",),
    ...     partners=("adherence",), direction="positive", settings=("community care",)))
    'Association of collaborative with adherence in community care: positive (Example et al. 2030)'
    >>> claim_label(ClaimWords("method", "Smith 2024", methods=("rating scale",),
    ...     partners=("therapeutic alliance",)))
    'Use of rating scale to assess therapeutic alliance (Smith 2024)'
    """
    where = _context(w.settings)
    if w.kind == "method":
        assessed = f" to assess {_join(w.partners)}" if w.partners else ""
        return f"Use of {_join(w.methods)}{assessed}{where} ({w.work})"
    if w.factors and w.preferred:
        return (
            f"{_join(w.factors)} predicts a preference for {_join(w.preferred)}{where} ({w.work})"
        )
    if w.factors:
        linked = f"{_join(w.factors)} with {_join(w.partners)}"
        return f"Association of {linked}{where}: {w.direction} ({w.work})"
    amount = f": {w.percentage} %" if w.percentage else ""
    return f"Descriptive result on {_join(w.partners)}{where}{amount} ({w.work})"


def claim_description(w: ClaimWords) -> str:
    """The description of a claim whose curator gave none, made from its row.

    >>> claim_description(ClaimWords("finding", "Smith 2024", factors=("shared care",),
    ...     partners=("relapse",), direction="negative", populations=("inpatients",)))
    'In Smith 2024, shared care was associated with relapse among inpatients (direction: negative).'
    """
    where = _context(w.settings, w.populations)
    if w.kind == "method":
        assessed = f" to assess {_join(w.partners)}" if w.partners else ""
        return f"In {w.work}, {_join(w.methods)} was used{assessed}{where}."
    if w.factors and w.preferred:
        return (
            f"In {w.work}, {_join(w.factors)} predicted a preference for"
            f" {_join(w.preferred)}{where}."
        )
    if w.factors:
        return (
            f"In {w.work}, {_join(w.factors)} was associated with {_join(w.partners)}{where}"
            f" (direction: {w.direction})."
        )
    amount = f" ({w.percentage} %)" if w.percentage else ""
    return f"In {w.work}, a descriptive result was reported on {_join(w.partners)}{amount}{where}."


def work_description(label: str, title: str, curator: str) -> str:
    """The description of a work whose curator gave none.

    >>> work_description("Smith 2024", "A trial", "Ann Lee")
    'The publication of the study Smith 2024 ("A trial"), added to relgraph by Ann Lee.'
    """
    named = f' ("{title}")' if title else ""
    return f"The publication of the study {label}{named}, added to relgraph by {curator}."
