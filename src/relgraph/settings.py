"""The one settings table of relgraph.

Every setting has a name, a default and a help text. The same table feeds the
CLI (``--setting NAME=VALUE``), the config file (``relgraph.toml``, table
``[relgraph]``), the environment (``RELGRAPH_<NAME>``), ``/-/settings.json`` and
``docs/settings.md``. Precedence, lowest first: default, config file,
environment, explicit overrides.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relgraph.errors import ConfigError

__all__ = ["Setting", "SETTINGS", "Settings", "settings_markdown"]


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    default: Any
    help: str

    @property
    def kind(self) -> type:
        """The Python type of the setting's values."""
        return type(self.default)


#: The settings table. Paths are relative to ``project_dir`` unless absolute.
SETTINGS: tuple[Setting, ...] = (
    Setting("project_dir", ".", "Folder holding ontology/, data/, shapes/ and queries/."),
    Setting("ontology_dir", "ontology", "Folder of the OWL ontology (Turtle modules)."),
    Setting("data_dir", "data", "Folder of instance data (one named graph per .ttl file)."),
    Setting("shapes_dir", "shapes", "Folder of SHACL shapes."),
    Setting(
        "mappings_dir",
        "mappings",
        "Folder of the SSSOM mapping set (*.sssom.tsv) and the list of unmapped entities.",
    ),
    Setting("queries_dir", "queries", "Folder of competency queries (cq/) and checks (checks/)."),
    Setting("build_dir", "build", "Folder for the built graph and reports (git-ignored)."),
    Setting("seed_dir", "../shared/seed", "Folder of the review's text that passages point into."),
    Setting(
        "external_dir", "../shared/external", "Folder of offline copies of external ontologies."
    ),
    Setting("base_iri", "https://w3id.org/relgraph/", "Base IRI of relgraph's terms and data."),
    Setting(
        "query_time_limit_ms",
        10000,
        "Longest time a SPARQL query may run, in milliseconds; a request may lower it.",
    ),
    Setting("max_rows", 10000, "Most result rows returned; more are cut and flagged as truncated."),
    Setting("max_request_bytes", 1000000, "Largest accepted HTTP request body, in bytes."),
    Setting("allow_free_sparql", True, "Whether /sparql accepts queries other than stored ones."),
    Setting("host", "127.0.0.1", "Interface the web server binds to."),
    Setting("port", 5000, "Port the web server listens on."),
    Setting("workers", 2, "Number of web server worker processes."),
    Setting("threads", 4, "Requests each web server worker answers at the same time (threads)."),
    Setting(
        "max_error_streak",
        5,
        "Internal errors (HTTP 500) in a row after which a web worker process exits so that "
        "the server starts a fresh one (0: never).",
    ),
    Setting("query_workers", 2, "Number of query worker processes per web worker."),
    Setting("java", "java", "Java executable used by the HermiT reasoner."),
    Setting("reasoner_timeout_s", 120, "Longest time the OWL reasoner may run, in seconds."),
    Setting(
        "build_check_reasoner",
        False,
        "Whether `relgraph build` also runs HermiT when checking a new graph (slower); "
        "the OWL 2 RL rules, shapes and quality queries always run.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    kind = setting.kind
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if kind is bool:
                lowered = text.lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(text)
            if kind is int:
                return int(text)
            return text
        except ValueError:
            pass
    raise ConfigError(
        f"setting {setting.name!r} from {source}: {value!r} is not a valid {kind.__name__}",
        f"give a {kind.__name__}, e.g. {setting.name}={setting.default!r}",
    )


class Settings:
    """Resolved settings: attribute access by name, plus resolved paths.

    >>> Settings(max_rows=5).max_rows
    5
    """

    def __init__(self, **overrides: Any) -> None:
        self._values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        self.update(overrides, source="arguments")

    def update(self, values: Mapping[str, Any], *, source: str) -> None:
        """Set several settings at once, checking names and types."""
        for name, value in values.items():
            if name not in _BY_NAME:
                raise ConfigError(
                    f"unknown setting {name!r} (from {source})",
                    "see `relgraph settings` or docs/settings.md for the valid names",
                )
            self._values[name] = _coerce(_BY_NAME[name], value, source)

    @classmethod
    def load(
        cls,
        project_dir: str | Path | None = None,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Settings:
        """Resolve settings from config file, environment and overrides."""
        settings = cls()
        if project_dir is not None:
            settings.update({"project_dir": str(project_dir)}, source="arguments")
        env = os.environ if environ is None else environ
        if "RELGRAPH_PROJECT_DIR" in env and project_dir is None:
            settings.update({"project_dir": env["RELGRAPH_PROJECT_DIR"]}, source="environment")
        path = Path(config_file) if config_file else settings.project_path / "relgraph.toml"
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8")).get("relgraph", {})
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(
                    f"{path}: not valid TOML: {exc}", "fix the file or remove it"
                ) from exc
            settings.update(table, source=str(path))
        elif config_file:
            raise ConfigError(f"config file {path} does not exist", "give an existing file")
        prefix = "RELGRAPH_"
        from_env = {
            k[len(prefix) :].lower(): v
            for k, v in env.items()
            if k.startswith(prefix) and k[len(prefix) :].lower() in _BY_NAME
        }
        from_env.pop("project_dir", None)
        settings.update(from_env, source="environment")
        if overrides:
            settings.update(overrides, source="command line")
        return settings

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        """Return every setting's current value."""
        return dict(self._values)

    def replace(self, **overrides: Any) -> Settings:
        """Return a copy with some settings changed."""
        new = Settings()
        new._values = dict(self._values)
        new.update(overrides, source="arguments")
        return new

    def path(self, name: str) -> Path:
        """Resolve a folder setting against ``project_dir``."""
        value = Path(self._values[name])
        return value if value.is_absolute() else (self.project_path / value).resolve()

    @property
    def project_path(self) -> Path:
        """The project folder, resolved."""
        return Path(self._values["project_dir"]).resolve()


def settings_markdown() -> str:
    """Render the settings table as Markdown (for docs/settings.md)."""
    lines = [
        "# Settings",
        "",
        "Generated from `relgraph.settings.SETTINGS` by `relgraph settings --markdown`.",
        "Set them in `relgraph.toml` (table `[relgraph]`), as `RELGRAPH_<NAME>` environment",
        "variables, or with `relgraph --setting NAME=VALUE`.",
        "",
        "| name | default | help |",
        "| --- | --- | --- |",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"
