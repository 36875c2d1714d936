"""One error hierarchy for relgraph.

Every error carries a message (what went wrong and where) and a hint (how to
fix it), plus the CLI exit code and HTTP status that the thin front ends use.
No framework is imported here.
"""

from __future__ import annotations

__all__ = [
    "EXIT_OK",
    "EXIT_FAILED_CHECK",
    "EXIT_USAGE",
    "RelgraphError",
    "ConfigError",
    "LoadError",
    "NotBuiltError",
    "QuerySyntaxError",
    "QueryRejected",
    "QueryTimeout",
    "FormatNotAcceptable",
    "CheckFailed",
]

#: Exit code: success, or the graph conforms.
EXIT_OK = 0
#: Exit code: a check ran and found errors.
EXIT_FAILED_CHECK = 1
#: Exit code: usage or input error, or the command itself could not run.
EXIT_USAGE = 2


class RelgraphError(Exception):
    """Base class of every error relgraph raises on purpose.

    :param message: what went wrong, naming the file, line or node involved.
    :param hint: how to fix it.
    """

    exit_code: int = EXIT_USAGE
    http_status: int = 400

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready description of the error."""
        return {
            "ok": False,
            "error": self.message,
            "hint": self.hint,
            "status": self.http_status,
            "type": type(self).__name__,
        }


class ConfigError(RelgraphError):
    """A setting or configuration file is wrong."""


class LoadError(RelgraphError):
    """A source file could not be read or parsed.

    :param path: the file.
    :param line: the 1-based line of the problem, when known.
    :param column: the 1-based column of the problem, when known.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}" if where else message, hint)
        self.path = path
        self.line = line
        self.column = column


class NotBuiltError(RelgraphError):
    """The graph has not been built yet."""

    http_status = 503


class QuerySyntaxError(RelgraphError):
    """A SPARQL query does not parse.

    :param line: the 1-based line of the error, when known.
    :param column: the 1-based column of the error, when known.
    """

    def __init__(
        self, message: str, hint: str = "", *, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message, hint)
        self.line = line
        self.column = column


class QueryRejected(RelgraphError):
    """A query is refused on purpose (an update, SERVICE, a remote FROM ...)."""

    http_status = 403


class QueryTimeout(RelgraphError):
    """A query ran past its time limit and was stopped."""

    http_status = 503


class FormatNotAcceptable(RelgraphError):
    """An answer was asked for in a format that is not defined for it (e.g. CSV for ASK)."""

    http_status = 406


class CheckFailed(RelgraphError):
    """A consistency check found errors."""

    exit_code = EXIT_FAILED_CHECK
    http_status = 422
