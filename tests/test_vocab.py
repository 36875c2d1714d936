"""relgraph.vocab is the one place IRIs are spelled out (issue 10).

Every string constant in ``src/relgraph`` that holds an IRI (``http:``,
``https:``, ``urn:``, ``file:`` followed by more than the scheme) must be in
``vocab.py``; docstrings (documentation and doctests) may show IRIs. The
allow-list names the few strings that are not IRIs of the graph, each with
its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from relgraph.vocab import PREFIXES, compact_iri
from tests import ROOT

SRC = ROOT / "src" / "relgraph"
#: An IRI in a string: a scheme relgraph meets and at least one character after it.
IRI = re.compile(r"\b(?:https?://|urn:|file:/)\S")

#: (module, text of the string constant) -> why it may spell an IRI or URL.
#: Example URLs in help texts and hints: what an endpoint's URL looks like, for people.
#: (The server's own URL is built from parts: ``f"http://{host}:{port}/"``.)
ALLOWED: dict[tuple[str, str], str] = {
    (
        "cli/store.py",
        "The store's SPARQL 1.1 Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store.",
    ): "an example endpoint URL in the help of `relgraph push --endpoint`",
    (
        "store/push.py",
        "give the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store",
    ): "an example endpoint URL in the hint of a refused --endpoint",
    (
        "store/http.py",
        "give the store's query endpoint, e.g. http://host:8890/sparql for Virtuoso",
    ): "an example endpoint URL in the hint of a store that answers 404",
    (
        "cli/backend.py",
        "SPARQL 1.1 Protocol query endpoint of a store holding relgraph's graphs "
        "(`relgraph push`), e.g. http://127.0.0.1:8890/sparql (setting backend).",
    ): "an example endpoint URL in the help of `serve --backend` and `check --backend`",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def iri_literals(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module (docstrings aside) that spell an IRI."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if IRI.search(node.value):
                found.append((node.lineno, node.value))
    return found


def test_no_iri_is_spelled_outside_vocab() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name == "vocab.py":
            continue
        for line, text in iri_literals(path):
            if (name, text.strip()) not in ALLOWED:
                offenders.append(f"{name}:{line}: {text[:80]!r}")
    assert not offenders, (
        "IRIs are spelled out in relgraph.vocab only; build these from its constants:\n"
        + "\n".join(offenders)
    )


def test_the_allow_list_is_used() -> None:
    """Every allowed string still exists (the list does not rot)."""
    found = {
        (path.relative_to(SRC).as_posix(), text.strip())
        for path in SRC.rglob("*.py")
        for _line, text in iri_literals(path)
    }
    assert set(ALLOWED) <= found


def test_the_check_sees_an_iri_in_code(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""A docstring may say https://w3id.org/relgraph/."""\n'
        'X = "https://w3id.org/relgraph/ontology/Theory"\n'
        'Y = f"<http://example.org/{X}>"\n',
        encoding="utf-8",
    )
    assert [line for line, _ in iri_literals(module)] == [2, 3]


def test_prefixes_compact_their_own_namespaces() -> None:
    for prefix, namespace in PREFIXES.items():
        assert compact_iri(namespace + "x") == f"{prefix}:x"
