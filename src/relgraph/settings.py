"""The one settings table of relgraph: a frozen dataclass whose fields are the table.

Every setting is a typed field of :class:`Settings` with a default and, in its
metadata, a help text. The same table feeds the CLI (``--setting NAME=VALUE``),
the config file (``relgraph.toml``, table ``[relgraph]``), the environment
(``RELGRAPH_<NAME>``), ``/-/settings.json`` and ``docs/settings.md``
(:func:`settings_markdown`). Precedence, lowest first: default, config file,
environment, explicit overrides. A misspelt setting is a type error
(``mypy --strict``) in the code and a :class:`~relgraph.errors.ConfigError`
naming the valid settings on the command line.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from relgraph.errors import ConfigError

__all__ = ["Setting", "SETTINGS", "Settings", "PathSetting", "settings_markdown"]

#: The settings that name a folder (resolved against ``project_dir`` by :meth:`Settings.path`).
PathSetting = Literal[
    "project_dir",
    "ontology_dir",
    "data_dir",
    "shapes_dir",
    "mappings_dir",
    "queries_dir",
    "build_dir",
    "seed_dir",
    "external_dir",
]


def _setting(default: Any, help: str, *, minimum: int = 0, maximum: int | None = None) -> Any:
    """A field of the table; whole-number settings are refused outside ``minimum..maximum``."""
    return field(default=default, metadata={"help": help, "minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class Settings:
    """Resolved settings: typed attributes, plus resolved paths.

    Values given as text (from the environment, the command line or TOML) are
    converted to the field's type; anything else of the wrong type is refused.

    >>> Settings(max_rows="5").max_rows
    5
    >>> Settings(max_rows="many")
    Traceback (most recent call last):
    ...
    relgraph.errors.ConfigError: setting 'max_rows' from arguments: 'many' is not a valid int
      hint: give a int, e.g. max_rows=10000

    Paths are relative to ``project_dir`` unless absolute.
    """

    project_dir: str = _setting(".", "Folder holding ontology/, data/, shapes/ and queries/.")
    ontology_dir: str = _setting("ontology", "Folder of the OWL ontology (Turtle modules).")
    data_dir: str = _setting("data", "Folder of instance data (one named graph per .ttl file).")
    shapes_dir: str = _setting("shapes", "Folder of SHACL shapes.")
    mappings_dir: str = _setting(
        "mappings",
        "Folder of the SSSOM mapping set (*.sssom.tsv) and the list of unmapped entities.",
    )
    queries_dir: str = _setting(
        "queries", "Folder of competency queries (cq/), checks (checks/) and rules (rules/)."
    )
    build_dir: str = _setting("build", "Folder for the built graph and reports (git-ignored).")
    seed_dir: str = _setting(
        "../shared/seed", "Folder of the review's text that passages point into."
    )
    external_dir: str = _setting(
        "../shared/external",
        "Folder of the offline copies of the external vocabularies (MeSH, MF, MFOMD, MFOEM, "
        "BCIO, DOID, ECO) that the mapping checks and scripts/imports.py read.",
    )
    query_time_limit_ms: int = _setting(
        10000,
        "Longest time a SPARQL query may run, in milliseconds; a request may lower it.",
        minimum=1,
    )
    max_rows: int = _setting(
        10000, "Most result rows returned; more are cut and flagged as truncated."
    )
    max_request_bytes: int = _setting(
        1000000, "Largest accepted HTTP request body, in bytes (413 past it)."
    )
    max_query_chars: int = _setting(
        100000, "Longest SPARQL query text accepted, in characters (413 past it)."
    )
    max_query_nesting: int = _setting(
        50,
        "Deepest nesting of groups, brackets and parentheses a SPARQL query may have (403 "
        "past it): the engine's parser slows down sharply with the depth (0: no limit).",
    )
    max_result_bytes: int = _setting(
        20000000,
        "Most bytes of values (IRIs, literals) in one answer; rows past it are cut and "
        "flagged as truncated, as with max_rows (a single row past it is refused).",
    )
    query_queue_wait_ms: int = _setting(
        15000,
        "Longest time a query waits for a free query worker, in milliseconds; past it the "
        "answer is 503 with Retry-After. Longer than query_time_limit_ms, so that a query "
        "waiting behind ones that run to their deadline gets the next worker.",
    )
    client_max_queries: int = _setting(
        2,
        "Queries one client may have running or waiting at the same time, per web worker "
        "(429 with Retry-After past it; 0: no limit); below query_workers, so one client "
        "cannot hold every general query worker.",
    )
    client_query_budget_ms: int = _setting(
        60000,
        "Query time one client may use per client_budget_window_s, per web worker, in "
        "milliseconds (429 with Retry-After past it; 0: no budget).",
    )
    client_budget_window_s: int = _setting(
        60, "The sliding window of client_query_budget_ms, in seconds."
    )
    unlimited_clients: str = _setting(
        "127.0.0.1 ::1",
        "Client addresses (space or comma separated) free of the per-client limits when they "
        "connect directly, with no forwarding header: loopback by default, for development "
        "and tests. Empty: every client is limited.",
    )
    proxy_hops: int = _setting(
        0,
        "Reverse proxies in front of the server whose X-Forwarded-For, -Proto, -Host and "
        "-Prefix headers are trusted (werkzeug's ProxyFix); the client address of the "
        "per-client limits is then the one they forward. 0: no proxy, the TCP peer is the "
        "client.",
    )
    allow_free_sparql: bool = _setting(
        True, "Whether /sparql accepts queries other than stored ones."
    )
    host: str = _setting("127.0.0.1", "Interface the web server binds to.")
    port: int = _setting(5000, "Port the web server listens on.", maximum=65535)
    workers: int = _setting(2, "Number of web server worker processes.", minimum=1)
    threads: int = _setting(
        8,
        "Requests each web server worker answers at the same time (threads; most of them "
        "wait for a query worker, so more threads than query workers keep pages served).",
        minimum=1,
    )
    keepalive_linger_ms: int = _setting(
        2,
        "How long a web server thread waits for the next request on a kept-alive connection "
        "before handing it back to the poller (0: at once, as gunicorn's gthread worker); a "
        "client sending requests back to back is then answered without two thread hand-offs "
        "(docs/decisions/0014-latency.md).",
    )
    sparql_fast_path: bool = _setting(
        True,
        "Answer GET and POST /sparql before Flask's dispatch, with the same protocol code "
        "and error handlers (docs/decisions/0019-lean-sparql-path.md); off: through Flask's "
        "view, as every other page.",
    )
    max_error_streak: int = _setting(
        5,
        "Internal errors (HTTP 500) in a row after which a web worker process exits so that "
        "the server starts a fresh one (0: never).",
    )
    query_workers: int = _setting(
        3,
        "Query worker processes per web worker that answer any query (free SPARQL too).",
        minimum=1,
    )
    query_workers_reserved: int = _setting(
        1,
        "More query worker processes per web worker that answer only stored queries, so that "
        "free queries running to their time limit cannot hold every worker.",
    )
    backend: str = _setting(
        "",
        "SPARQL 1.1 Protocol query endpoint of an external store holding relgraph's graphs "
        "(`relgraph push`), served and checked instead of the built graph; empty: the "
        "embedded store. See docs/external-stores.md.",
    )
    backend_timeout_parameter: str = _setting(
        "none",
        "How the backend is told a query's time limit: none (relgraph's HTTP deadline "
        "only), ms (a `timeout` parameter in milliseconds: Virtuoso) or s (in seconds: "
        "Fuseki, GraphDB).",
    )
    backend_union_default_graph: bool = _setting(
        False,
        "The backend's default graph already is the union of relgraph's named graphs "
        "(Oxigraph server --union-default-graph, Fuseki unionDefaultGraph, GraphDB): send "
        "queries without a dataset instead of listing every graph in default-graph-uri and "
        "named-graph-uri. Checked once against the store; see docs/external-stores.md.",
    )
    backend_user: str = _setting(
        "", "User name for the backend's HTTP authentication (empty: none)."
    )
    backend_auth: str = _setting("basic", "Authentication scheme of backend_user: basic or digest.")
    backend_password_env: str = _setting(
        "RELGRAPH_STORE_PASSWORD", "Environment variable holding backend_user's password."
    )
    backend_token_env: str = _setting(
        "", "Environment variable holding a bearer token for the backend (empty: none)."
    )
    java: str = _setting("java", "Java executable used by the HermiT reasoner.")
    reasoner_timeout_s: int = _setting(
        120, "Longest time the OWL reasoner may run, in seconds.", minimum=1
    )
    reasoner_summary: bool = _setting(
        True,
        "Whether HermiT's consistency test reads a summary ABox of the graph (one "
        "individual per kind; a consistent summary proves the graph consistent, otherwise "
        "HermiT reads the graph itself: the same verdicts, docs/decisions/0016).",
    )
    curator: str = _setting(
        "",
        "Curator name that `relgraph import` records when the study sheet's Work row names "
        "none (`relgraph import --curator` overrides both).",
    )
    template_rows: int = _setting(
        1000,
        "Rows of each data sheet of a study template (`relgraph template`) that offer "
        "drop-down lists of the graph's labels.",
    )
    shacl_engine: str = _setting(
        "shacl",
        "SHACL engine of the check: `shacl` (the Rust engine of PyPI's `shacl`, about 60x "
        "faster) or `pyshacl` (the reference); both give the same results "
        "(docs/decisions/0012-check-at-scale.md).",
    )
    build_check_reasoner: bool = _setting(
        False,
        "Whether `relgraph build` also runs HermiT when checking a new graph (slower); "
        "the OWL 2 RL rules, shapes and quality queries always run.",
    )

    def __post_init__(self) -> None:
        for setting in SETTINGS_BY_NAME.values():
            value = getattr(self, setting.name)
            coerced = setting.coerce(value, self._source)
            if coerced is not value:
                object.__setattr__(self, setting.name, coerced)

    #: Where the values come from, for error messages (not a setting).
    _source = "arguments"

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, source: str) -> Settings:
        """Settings from a mapping of names to values (text or typed).

        :raises ConfigError: for an unknown name or a value of the wrong type.
        """
        return cls()._with(values, source)

    def _with(self, values: Mapping[str, Any], source: str) -> Settings:
        for name in values:
            if name not in SETTINGS_BY_NAME:
                raise ConfigError(
                    f"unknown setting {name!r} (from {source})",
                    "see `relgraph settings` or docs/settings.md for the valid names",
                )
        typed = {
            name: SETTINGS_BY_NAME[name].coerce(value, source) for name, value in values.items()
        }
        return dataclasses.replace(self, **typed)

    def replace(self, **overrides: Any) -> Settings:
        """A copy with some settings changed (text values are converted).

        :raises ConfigError: for an unknown name or a value of the wrong type.
        """
        return self._with(overrides, "arguments")

    @classmethod
    def load(
        cls,
        project_dir: str | Path | None = None,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Settings:
        """Resolve settings from config file, environment and overrides.

        :raises ConfigError: for an unreadable config file, an unknown setting or a bad value.
        """
        settings = cls()
        env = os.environ if environ is None else environ
        if project_dir is not None:
            settings = settings._with({"project_dir": str(project_dir)}, "arguments")
        elif "RELGRAPH_PROJECT_DIR" in env:
            settings = settings._with({"project_dir": env["RELGRAPH_PROJECT_DIR"]}, "environment")
        path = Path(config_file) if config_file else settings.project_path / "relgraph.toml"
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8")).get("relgraph", {})
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(
                    f"{path}: not valid TOML: {exc}", "fix the file or remove it"
                ) from exc
            settings = settings._with(table, str(path))
        elif config_file:
            raise ConfigError(f"config file {path} does not exist", "give an existing file")
        prefix = "RELGRAPH_"
        from_env = {
            k[len(prefix) :].lower(): v
            for k, v in env.items()
            if k.startswith(prefix) and k[len(prefix) :].lower() in SETTINGS_BY_NAME
        }
        from_env.pop("project_dir", None)
        settings = settings._with(from_env, "environment")
        if overrides:
            settings = settings._with(overrides, "command line")
        return settings

    def as_dict(self) -> dict[str, Any]:
        """Every setting's current value, in table order."""
        return {s.name: getattr(self, s.name) for s in SETTINGS}

    def path(self, name: PathSetting) -> Path:
        """Resolve a folder setting against ``project_dir``."""
        value = Path(getattr(self, name))
        return value if value.is_absolute() else (self.project_path / value).resolve()

    @property
    def project_path(self) -> Path:
        """The project folder, resolved."""
        return Path(self.project_dir).resolve()


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, read from a field of :class:`Settings`.

    :ivar name: the field's name; :ivar default: its default; :ivar help: its help text;
    :ivar minimum: :ivar maximum: the range of a whole-number setting (``maximum`` None: open).
    """

    name: str
    default: Any
    help: str
    minimum: int = 0
    maximum: int | None = None

    @property
    def kind(self) -> type:
        """The Python type of the setting's values (that of its default)."""
        return type(self.default)

    def coerce(self, value: Any, source: str) -> Any:
        """The value as this setting's type; text is converted.

        :raises ConfigError: naming the setting, the source and an example.
        """
        kind = self.kind
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return self._in_range(value, source)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        if isinstance(value, str):
            text = value.strip()
            if kind is bool:
                lowered = text.lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off"}:
                    return False
            elif kind is int:
                try:
                    number = int(text)
                except ValueError:
                    pass
                else:
                    return self._in_range(number, source)
            else:
                return text
        raise ConfigError(
            f"setting {self.name!r} from {source}: {value!r} is not a valid {kind.__name__}",
            f"give a {kind.__name__}, e.g. {self.name}={self.default!r}",
        )

    def _in_range(self, value: int, source: str) -> int:
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            top = "" if self.maximum is None else f" and at most {self.maximum}"
            raise ConfigError(
                f"setting {self.name!r} from {source}: {value} is out of range",
                f"give a whole number of at least {self.minimum}{top}, "
                f"e.g. {self.name}={self.default!r}",
            )
        return value


#: The settings table, in the order of the fields of :class:`Settings`.
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(
        f.name,
        f.default,
        f.metadata["help"],
        f.metadata.get("minimum", 0),
        f.metadata.get("maximum"),
    )
    for f in dataclasses.fields(Settings)
)
SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def settings_markdown() -> str:
    """Render the settings table as Markdown (for docs/settings.md)."""
    lines = [
        "# Settings",
        "",
        "Generated from the fields of `relgraph.settings.Settings` by "
        "`relgraph settings --markdown`.",
        "Set them in `relgraph.toml` (table `[relgraph]`), as `RELGRAPH_<NAME>` environment",
        "variables, or with `relgraph --setting NAME=VALUE`.",
        "",
        "| name | default | help |",
        "| --- | --- | --- |",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"
