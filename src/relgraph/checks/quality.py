"""The queries phase: the quality queries of ``queries/checks/*-violation.rq`` (ODK convention).

Robot-report checks that apply to relgraph (missing, multiple and duplicate
labels and definitions, label formatting, deprecated references, undeclared
or undescribed IRIs, malformed IRIs, ontology metadata) and relgraph's own
(uncited works, findings without evidence, theories without a method,
citations and evidence links that disagree, passages outside their section
...). Every row is a problem of the file's ``severity`` (see
:mod:`relgraph.checks.sparql`).
"""

from __future__ import annotations

from relgraph.checks.context import CheckContext, PhaseResult
from relgraph.checks.sparql import load_check_queries, run_check_queries

__all__ = ["CHECKS_FOLDER", "run"]

#: Sub-folder of ``queries_dir`` holding the quality queries.
CHECKS_FOLDER = "checks"


def run(ctx: CheckContext, started: object = None) -> PhaseResult:
    """Run every quality query over the checked graphs (with ``errors_only``, those of
    severity ``error``: the build's verification, docs/decisions/0015)."""
    folder = ctx.settings.path("queries_dir") / CHECKS_FOLDER
    queries = load_check_queries(folder, "*-violation.rq")
    if ctx.errors_only:
        queries = [q for q in queries if q.severity == "error"]
    return PhaseResult(problems=run_check_queries(ctx.store, queries, phase="queries"))
