"""The OWL 2 DL profile check of the OWL API, the library Protégé is built on.

:func:`check_profile` runs ``java/OwlProfileCheck.java`` (compiled once into
a work folder with ``javac``) against the OWL API jars of Debian's
``libowlapi-java`` package (``/usr/share/java``, installed by ``make test``).
For each document it reports the violations of the OWL 2 DL profile
(`OWL 2 Structural Specification, section 3`_: undeclared entities, illegal
punning, datatypes outside the OWL 2 datatype map, ...), the RDF triples the
OWL API's parser could not map to axioms (which Protégé would silently drop)
and the declarations it had to guess. ``relgraph export --format owl`` must
give none of them (tested in ``tests/issues/test_008_owl_export.py``).

.. _OWL 2 Structural Specification, section 3:
   https://www.w3.org/TR/owl2-syntax/#Ontologies
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from relgraph.errors import ConfigError

__all__ = ["JAVA_LIBRARY", "ProfileResult", "owlapi_classpath", "compile_checker", "check_profile"]

#: Where Debian installs Java libraries.
JAVA_LIBRARY = Path("/usr/share/java")
#: The jars of libowlapi-java and its dependencies, by name (without version).
_JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "commons-io",
    "commons-codec",
    "commons-rdf-api",
    "commons-logging",
    "slf4j-api",
    "slf4j-nop",
    "jsr305",
    "atinject-jsr330-api",
    "hppcrt",
    "xz",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "httpclient",
    "httpcore",
)
_SOURCE = Path(__file__).parent / "java" / "OwlProfileCheck.java"
_SUMMARY = re.compile(
    r"^summary\t(?P<file>.*)\tviolations=(?P<v>\d+)\tunparsed=(?P<u>\d+)"
    r"\tguessed=(?P<g>\d+)\taxioms=(?P<a>\d+)$"
)


@dataclass
class ProfileResult:
    """What the OWL API found in one document.

    :ivar violations: OWL 2 DL profile violations, one line each (kind, then text).
    :ivar unparsed: RDF triples not mapped to any axiom.
    :ivar guessed: entities whose declaration the parser had to guess.
    :ivar axioms: the number of axioms loaded.
    """

    path: str
    violations: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)
    axioms: int = 0

    @property
    def ok(self) -> bool:
        """True when the document is OWL 2 DL and nothing in it was lost or guessed."""
        return not (self.violations or self.unparsed or self.guessed)


def owlapi_classpath(library: Path = JAVA_LIBRARY) -> str:
    """The class path of the OWL API and its dependencies.

    :raises ConfigError: if libowlapi-java is not installed.
    """
    if not (library / "owlapi-distribution.jar").is_file():
        raise ConfigError(
            f"the OWL API is not installed ({library / 'owlapi-distribution.jar'} is missing)",
            "install it with `apt-get install libowlapi-java` (`make test` does)",
        )
    jars = [library / f"{name}.jar" for name in _JARS]
    jars += sorted(p for p in library.glob("rdf4j-*.jar") if not re.search(r"-\d", p.stem))
    return os.pathsep.join(str(j) for j in jars if j.is_file())


def compile_checker(workdir: Path, *, javac: str = "javac") -> Path:
    """Compile the checker into ``workdir`` (once) and return the class folder.

    :raises ConfigError: if javac or the OWL API is missing, or compiling fails.
    """
    classes = workdir / "owlprofile-classes"
    if (classes / "OwlProfileCheck.class").is_file():
        return classes
    exe = shutil.which(javac)
    if exe is None:
        raise ConfigError(
            f"the Java compiler {javac!r} was not found",
            "install a JDK (`apt-get install default-jdk-headless`; `make test` does)",
        )
    classes.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603 - fixed command, no shell
        [exe, "-cp", owlapi_classpath(), "-d", str(classes), str(_SOURCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ConfigError(f"compiling the OWL profile checker failed: {done.stderr[-1000:]}")
    return classes


def check_profile(
    paths: Iterable[Path], workdir: Path, *, java: str = "java", timeout_s: float = 300
) -> dict[str, ProfileResult]:
    """Check documents against the OWL 2 DL profile with the OWL API, in one JVM.

    :returns: file name -> result.
    :raises ConfigError: if the checker cannot run or a document does not load.
    """
    classes = compile_checker(workdir)
    files = [str(p) for p in paths]
    exe = shutil.which(java) or java
    done = subprocess.run(  # noqa: S603 - fixed command, no shell
        [exe, "-cp", os.pathsep.join([str(classes), owlapi_classpath()]), "OwlProfileCheck"]
        + files,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    results: dict[str, ProfileResult] = {}
    current: list[tuple[str, str]] = []
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "summary":
            match = _SUMMARY.match(line)
            assert match is not None, line
            result = ProfileResult(match["file"], axioms=int(match["a"]))
            for what, text in current:
                getattr(result, what).append(text)
            results[match["file"]] = result
            current = []
        elif kind in {"violation", "unparsed", "guessed"}:
            current.append(({"violation": "violations"}.get(kind, kind), rest))
        elif kind == "error":
            raise ConfigError(f"the OWL API could not load {rest}")
    if done.returncode != 0 or set(results) != set(files):
        raise ConfigError(f"the OWL profile check failed: {done.stderr[-2000:]}")
    return results
