"""Issue 14: hostile data files for `relgraph check` (a curator checks files from others).

Found and fixed: a literal longer than pyoxigraph's 16 MiB token buffer ended
in an "internal error" (a MemoryError); it is now a LoadError naming the file
and line.

Huge literals, invalid IRIs, wrong encodings, deeply nested collections and
very many files: each is a clear error naming the file and line (exit 2), or
a report (exit 0 or 1), never a traceback, in bounded time and memory (the
check runs in a subprocess whose peak RSS is read from the kernel).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relgraph.settings import Settings
from tests import ROOT

PREFIXES = (
    "@prefix rg: <https://w3id.org/relgraph/ontology#> .\n"
    "@prefix rgr: <https://w3id.org/relgraph/resource/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


def run_check(settings: Settings, *files: Path, timeout: float = 240) -> tuple[int, str, float]:
    """`relgraph check --no-reasoner --format json FILES`: exit code, output, seconds."""
    args = [sys.executable, "-m", "relgraph"]
    for name in (
        "project_dir",
        "data_dir",
        "build_dir",
        "seed_dir",
        "external_dir",
        "mappings_dir",
    ):
        args += ["-s", f"{name}={getattr(settings, name)}"]
    started = time.monotonic()
    done = subprocess.run(
        [*args, "check", "--no-reasoner", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


@pytest.mark.slow
def test_clear_errors_for_files_that_are_not_what_they_say(
    fixture_settings: Settings, tmp_path: Path
) -> None:
    cases = {
        "latin1.ttl": (PREFIXES + 'rgr:x rdfs:label "caf\u00e9"@en .\n').encode("latin-1"),
        "utf16.ttl": (PREFIXES + 'rgr:x rdfs:label "x"@en .\n').encode("utf-16"),
        "bad-iri.ttl": PREFIXES + '<http://exa mple.org/a b> rdfs:label "x"@en .\n',
        "bad-iri2.ttl": PREFIXES + '<http://example.org/{x}> rdfs:label "x"@en .\n',
        "binary.ttl": bytes(range(256)) * 4,
        "nul.nt": b'<http://e/a> <http://e/b> "\x00" .\n\x00\x00',
        "html.rdf": "<html><body><script>alert(1)</script></body></html>\n",
        "unclosed.ttl": PREFIXES + 'rgr:x rdfs:label "never closed\n' + "x" * 100_000,
    }
    for name, content in cases.items():
        path = write(tmp_path / name, content)
        code, output, seconds = run_check(fixture_settings, path)
        assert code in (1, 2), (name, code, output[-500:])
        assert "Traceback" not in output and "internal error" not in output, (name, output[-800:])
        assert seconds < 120, (name, seconds)
        if code == 2:
            body = json.loads(output[output.index("{") :])
            assert name in json.dumps(body), (name, output[-500:])


@pytest.mark.slow
def test_huge_literals_deep_collections_and_many_files_in_bounded_time(
    fixture_settings: Settings, tmp_path: Path
) -> None:
    depth = 3_000
    huge = write(
        tmp_path / "huge-literal.ttl",
        PREFIXES + 'rgr:huge rdfs:comment "' + "x" * 20_000_000 + '" .\n',
    )
    nested = write(
        tmp_path / "nested.ttl",
        PREFIXES
        + "rgr:deep rdfs:seeAlso "
        + "(" * depth
        + ")" * depth
        + " .\nrgr:deeper rdfs:seeAlso "
        + "[ rdfs:seeAlso " * depth
        + "rgr:x"
        + " ]" * depth
        + " .\n",
    )
    many = tmp_path / "many"
    many.mkdir()
    files = [
        write(many / f"f{i:04d}.ttl", PREFIXES + f'rgr:many-{i} rdfs:comment "file {i}" .\n')
        for i in range(200)
    ]
    for what, paths in (("huge", [huge]), ("nested", [nested]), ("many", files)):
        code, output, seconds = run_check(fixture_settings, *paths)
        assert code in (0, 1, 2), (what, output[-500:])
        assert "Traceback" not in output and "internal error" not in output, (what, output[-800:])
        assert seconds < 180, (what, seconds)
        if what == "huge":  # past pyoxigraph's 16 MiB token buffer: one clear error, its line
            assert code == 2 and "too long to read" in output and "huge-literal.ttl:4" in output
    # the whole check of a 20 MB literal, 6 000 nested nodes, 200 files: memory bounded
    assert peak_child_rss_mb() < 2000


RDF_OPEN = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    '<rdf:Description rdf:about="https://w3id.org/relgraph/resource/x"><rdfs:comment>'
)
RDF_CLOSE = "</rdfs:comment></rdf:Description>\n</rdf:RDF>\n"


def test_xml_entities_cannot_exhaust_memory(fixture_settings: Settings, tmp_path: Path) -> None:
    """Found and fixed: pyoxigraph expands nested entities (a "billion laughs" file asked
    for 2.4 GB and aborted the process); such files are refused before parsing."""
    from relgraph.errors import LoadError
    from relgraph.store.sources import parse_file

    laughs = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10)
    ]
    bomb = write(
        tmp_path / "laughs.rdf",
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(laughs) + "\n]>\n"
        + RDF_OPEN + "&l9;" + RDF_CLOSE,
    )  # fmt: skip
    wide = write(
        tmp_path / "wide.rdf",
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "{"x" * 1000}">]>\n'
        + RDF_OPEN + "&big;" * 20_000 + RDF_CLOSE,
    )  # fmt: skip
    for path, words in ((bomb, "refers to other entities"), (wide, "expand to")):
        with pytest.raises(LoadError, match=words):
            list(parse_file(path))
    code, output, seconds = run_check(fixture_settings, bomb)
    assert code == 2 and "laughs.rdf" in output and seconds < 60
    # Protégé's plain-text entities still read
    plain = write(
        tmp_path / "protege.rdf",
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        '  <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="&rdfs;">\n'
        '<rdf:Description rdf:about="https://w3id.org/relgraph/resource/x">'
        "<rdfs:comment>plain</rdfs:comment></rdf:Description>\n</rdf:RDF>\n",
    )
    (quad,) = list(parse_file(plain))
    assert quad.predicate.value == "http://www.w3.org/2000/01/rdf-schema#comment"
