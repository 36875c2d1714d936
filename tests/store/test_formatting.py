"""Canonical Turtle: stable across runs (regression: blank-node order varied per run)."""

from __future__ import annotations

import os
import subprocess
import sys

from relgraph.store.formatting import canonical_turtle, format_file, is_canonical
from tests import ROOT

CORE = ROOT / "ontology" / "modules" / "core.ttl"


def _canonical_in_subprocess(seed: str) -> str:
    code = (
        "import sys; from pathlib import Path; "
        "from relgraph.store.formatting import canonical_turtle;"
        "sys.stdout.write(canonical_turtle(Path(sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", code, str(CORE)], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_canonical_form_does_not_depend_on_the_run():
    # core.ttl holds several anonymous axioms (AllDisjointClasses, AllDifferent, oneOf lists)
    assert _canonical_in_subprocess("1") == _canonical_in_subprocess("2") == canonical_turtle(CORE)


def test_format_is_idempotent(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "[] a owl:AllDifferent ; owl:distinctMembers (<http://x/a> <http://x/b>) .\n"
        "[] a owl:AllDisjointClasses ; owl:members (<http://x/C> <http://x/D>) .\n",
        encoding="utf-8",
    )
    assert format_file(path)
    assert is_canonical(path)
    assert not format_file(path)
