"""The tree shows the design (issue 10): the module map, module sizes, the layers.

The package docstring (``relgraph.__doc__``) and the README's layout section
list every module of ``src/relgraph`` with the same words; import-linter's
contract (``make lint``) keeps the layers.
"""

from __future__ import annotations

import re
import tomllib

import relgraph
from tests import ROOT

SRC = ROOT / "src" / "relgraph"


def _modules() -> set[str]:
    names = set()
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and parts[-1] != "__main__":
            names.add(".".join(parts))
    return names


def _docstring_map() -> dict[str, str]:
    doc = relgraph.__doc__ or ""
    return dict(re.findall(r"^  ``([\w.]+)``\s+(.+)$", doc, flags=re.MULTILINE))


def test_the_package_docstring_maps_every_module() -> None:
    assert set(_docstring_map()) == _modules()


def test_the_readme_maps_the_same_modules_in_the_same_words() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `relgraph\.([\w.]+)` \| (.+) \|$", readme, flags=re.MULTILINE))
    expected = {name: what.replace("``", "`") for name, what in _docstring_map().items()}
    assert rows == expected, "copy the module map of src/relgraph/__init__.py into README.md"


def test_modules_stay_small() -> None:
    """Modules are nouns under about 500 lines (the brief); a few are at the edge."""
    sizes = {
        p.relative_to(SRC).as_posix(): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")
    }
    assert max(sizes.values()) < 560, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_the_layers_are_a_contract_of_make_lint() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert layers["exhaustive"] is True
    assert layers["layers"][-3:] == [
        "checks | query | views",
        "store : mappings",
        "vocab : errors : settings",
    ]
    assert "lint-imports" in (ROOT / "Makefile").read_text(encoding="utf-8")
