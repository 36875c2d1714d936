"""One error hierarchy for relgraph: every error class relgraph raises on purpose.

Every error carries a message (what went wrong and where) and a hint (how to
fix it), plus the CLI exit code and the HTTP status that the thin front ends
use: the CLI converts any of them in one place (:mod:`relgraph.cli`), the web
in one handler (:mod:`relgraph.web.errors`). No framework is imported here.

=========================  =========  ======  ==================================================
class                      exit code  HTTP    when
=========================  =========  ======  ==================================================
:class:`RelgraphError`     2          400     a request or input relgraph cannot take
:class:`ConfigError`       2          400     a setting, a config file or a tool set-up is wrong
:class:`LoadError`         2          400     a source file does not parse (names file, line)
:class:`NotBuiltError`     2          503     the graph has not been built yet
:class:`QuerySyntaxError`  2          400     a SPARQL query does not parse (line, column)
:class:`QueryRejected`     2          403     an update, SERVICE, or free SPARQL switched off
:class:`QueryTimeout`      2          503     a query ran past its time limit
:class:`ServerBusy`        2          503     every query worker stayed busy past its queue wait
:class:`TooLarge`          2          413     a request or query text past its size limit
:class:`TooManyQueries`    2          429     a client past its concurrency limit or time budget
:class:`FormatNotAcceptable` 2        406     a format that the answer's kind cannot have
:class:`ParameterError`    2          400     a stored query's parameter value is malformed
:class:`UnknownQuery`      2          404     no stored query has the id asked for
:class:`CheckFailed`       1          422     ``relgraph build``'s check found errors
:class:`StudySheetError`   1          422     a study sheet has errors (sheet, row, column each)
:class:`UnknownStudy`      2          404     no imported study has the id asked for
:class:`WorkerDied`        2          503     a query worker process ended unexpectedly
:class:`WorkerFault`       2          500     a query worker failed unexpectedly (a bug)
:class:`RemoteStoreError`  2          502     an external store is unreachable or fails
:class:`PushError`         2          502     ``relgraph push`` failed (says what the store holds)
:class:`FileAccessError`   2          400     a path cannot be read or written (names it)
:class:`InternalError`     2          500     any other exception: a bug in relgraph
=========================  =========  ======  ==================================================

Errors pickle with their class and every attribute (line, column, path,
detail), so an error raised in a query worker process reaches the request
as the same error (:mod:`relgraph.query.pool`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

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
    "ServerBusy",
    "TooLarge",
    "TooManyQueries",
    "FormatNotAcceptable",
    "ParameterError",
    "UnknownQuery",
    "CheckFailed",
    "SheetProblemLike",
    "StudySheetError",
    "UnknownStudy",
    "WorkerDied",
    "WorkerFault",
    "RemoteStoreError",
    "PushError",
    "FileAccessError",
    "InternalError",
]

#: Exit code: success, or the graph conforms.
EXIT_OK = 0
#: Exit code: a check ran and found errors.
EXIT_FAILED_CHECK = 1
#: Exit code: usage or input error, or the command itself could not run.
EXIT_USAGE = 2


def _rebuild(cls: type[RelgraphError], state: dict[str, Any]) -> RelgraphError:
    """Unpickle an error: the same class, the same attributes, ``__init__`` not rerun."""
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class RelgraphError(Exception):
    """Base class of every error relgraph raises on purpose.

    :param message: what went wrong, naming the file, line or node involved.
    :param hint: how to fix it.
    """

    #: The exit code of a CLI command that fails with this error.
    exit_code: int = EXIT_USAGE
    #: The HTTP status of a response that reports this error.
    http_status: int = 400
    #: Seconds a client should wait before trying again (``Retry-After``), when it should.
    retry_after_s: int | None = None

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description of the error (the web's error body).

        >>> QuerySyntaxError("bad", "fix it", line=2, column=5).to_dict()["line"]
        2
        """
        body: dict[str, object] = {
            "ok": False,
            "error": self.message,
            "hint": self.hint,
            "status": self.http_status,
            "type": type(self).__name__,
        }
        for name in ("line", "column"):
            if name in self.__dict__:
                body[name] = self.__dict__[name]
        if self.retry_after_s is not None:
            body["retry_after_s"] = self.retry_after_s
        return body


class ConfigError(RelgraphError):
    """A setting, a configuration file or a tool relgraph needs is wrong or missing."""


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
    retry_after_s = 5


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
    """A query is refused on purpose (an update, SERVICE, free SPARQL when it is off)."""

    http_status = 403


class QueryTimeout(RelgraphError):
    """A query ran past its time limit and was stopped.

    :ivar time_limit_ms: the limit it ran into, when known (it is charged to the
        client's budget of query time).
    """

    http_status = 503
    retry_after_s = 5
    time_limit_ms: int | None = None


class ServerBusy(RelgraphError):
    """Every query worker stayed busy longer than the setting ``query_queue_wait_ms``."""

    http_status = 503
    retry_after_s = 2


class TooLarge(RelgraphError):
    """A request body or a query text is larger than its limit (a setting it names)."""

    http_status = 413


class TooManyQueries(RelgraphError):
    """A client has too many queries running, or used up its budget of query time.

    :param retry_after_s: seconds until the client may query again (``Retry-After``).
    """

    http_status = 429

    def __init__(self, message: str, hint: str = "", *, retry_after_s: int = 1) -> None:
        super().__init__(message, hint)
        self.retry_after_s = max(1, int(retry_after_s))


class FormatNotAcceptable(RelgraphError):
    """An answer was asked for in a format that is not defined for it (e.g. CSV for ASK)."""

    http_status = 406


class ParameterError(RelgraphError):
    """A value given for a stored query's parameter is malformed or unknown."""


class UnknownQuery(RelgraphError):
    """No stored query has the requested id."""

    http_status = 404


class CheckFailed(RelgraphError):
    """A consistency check found errors."""

    exit_code = EXIT_FAILED_CHECK
    http_status = 422


class SheetProblemLike(Protocol):
    """What :class:`StudySheetError` needs of a problem (``relgraph.curation.problems``)."""

    @property
    def severity(self) -> str:
        """``error`` or ``warning``."""

    def render(self) -> str:
        """The problem with its sheet, row and column, as the command line shows it."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""


class StudySheetError(RelgraphError):
    """A study sheet has errors: nothing was written (``relgraph import``).

    :param problems: every error (and the warnings found with them), each at its
        sheet, row and column (:class:`relgraph.curation.problems.SheetProblem`).
    :param source: the sheet's file, as the message names it.
    """

    exit_code = EXIT_FAILED_CHECK
    http_status = 422

    def __init__(self, problems: Sequence[SheetProblemLike], source: str = "") -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        where = f" in {source}" if source else ""
        lines = [f"{len(errors)} error(s){where}; nothing was written:"]
        lines += ["- " + p.render().replace("\n", "\n  ") for p in errors]
        super().__init__(
            "\n".join(lines),
            "correct the sheet and import it again (`relgraph import --dry-run` checks"
            " without writing)",
        )

    def to_dict(self) -> dict[str, object]:
        """The error's description with every problem."""
        out = super().to_dict()
        out["problems"] = [p.to_dict() for p in self.problems]
        return out


class UnknownStudy(RelgraphError):
    """No imported study has this id (``relgraph template --study``, ``/studies/<id>``)."""

    http_status = 404


class WorkerDied(RelgraphError):
    """A query worker process ended unexpectedly (killed from outside, out of memory).

    The pool replaces it; the client may simply try again (503 with ``Retry-After``).
    """

    http_status = 503
    retry_after_s = 1


class WorkerFault(RelgraphError):
    """A query worker failed unexpectedly and was replaced.

    :ivar detail: the worker's traceback, for the server log (never sent to clients).
    """

    http_status = 500

    def __init__(self, message: str, hint: str = "", *, detail: str = "") -> None:
        super().__init__(message, hint)
        self.detail = detail


class RemoteStoreError(RelgraphError):
    """An external store could not be reached, refused the request, or failed."""

    http_status = 502


class PushError(RelgraphError):
    """A push failed; the message says what the store holds now.

    :ivar replaced: graphs left at the new version.
    :ivar restored: graphs put back to their previous version.
    :ivar unrestored: graphs that could not be put back (new or partial version).
    :ivar deleted: graphs ``push --prune`` deleted that could not be put back (now absent).
    """

    http_status = 502

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        replaced: list[str] | None = None,
        restored: list[str] | None = None,
        unrestored: list[str] | None = None,
        deleted: list[str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.replaced = replaced or []
        self.restored = restored or []
        self.unrestored = unrestored or []
        self.deleted = deleted or []


#: The environment variable that shows the traceback of an internal error.
DEBUG_VARIABLE = "RELGRAPH_DEBUG"


class FileAccessError(RelgraphError):
    """A file or folder named on the command line could not be read or written.

    >>> print(FileAccessError.from_os_error(FileNotFoundError(2, "No such file", "/x/y")))
    cannot use /x/y: No such file
      hint: check that the path and its folder exist and that you may read or write there
    """

    @classmethod
    def from_os_error(cls, exc: OSError) -> FileAccessError:
        """The error a user sees for an operating-system error on a path."""
        where = exc.filename if exc.filename is not None else "a file"
        return cls(
            f"cannot use {where}: {exc.strerror or exc}",
            "check that the path and its folder exist and that you may read or write there",
        )


class InternalError(RelgraphError):
    """An exception relgraph did not expect: a bug, reported as one line, never a traceback.

    >>> print(InternalError.wrapping(KeyError("x")).message)
    internal error (KeyError: 'x')
    """

    http_status = 500

    @classmethod
    def wrapping(cls, exc: BaseException) -> InternalError:
        """The error a user sees for an unexpected exception."""
        return cls(
            f"internal error ({type(exc).__name__}: {exc})",
            f"this is a bug in relgraph, not in your input; run again with {DEBUG_VARIABLE}=1 "
            "to see the traceback, and report it",
        )
