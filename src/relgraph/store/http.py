"""HTTP to a triple store: credentials, one-off requests, and a keep-alive pool for queries.

* :class:`Credentials` -- basic (RFC 7617), digest (RFC 7616) or bearer (RFC 6750);
  secrets come from environment variables only.
* :class:`HttpClient` -- one request, body read in full (urllib, with its digest
  handler): the Graph Store Protocol of ``relgraph push`` and ``check --backend``.
* :class:`ConnectionPool` -- queries of :class:`~relgraph.store.remote.RemoteStore`:
  persistent connections (HTTP/1.1 keep-alive, urllib3's thread-safe pool) and a
  streamed body, so that a capped answer reads only the rows it keeps and a
  request saves the TCP handshake. Digest credentials fall back to
  :class:`HttpClient` (urllib3 has no digest handler).

Every failure becomes relgraph's: :class:`~relgraph.errors.QueryTimeout` when the
store does not answer in time, :class:`~relgraph.errors.RemoteStoreError` when it
cannot be reached.

Header lines: Python's ``http.client`` (under urllib and urllib3) refuses an answer with
more than 100 header lines. Virtuoso 7 echoes every ``default-graph-uri`` and
``named-graph-uri`` of a request as an ``X-SPARQL-default-graph`` or
``X-SPARQL-named-graph`` header, so with relgraph's graphs listed (51 at 10^6 triples:
102 echoes) every answer was refused ("got more than 100 headers").
:func:`allow_header_lines` raises the limit for the requests that list graphs.
"""

from __future__ import annotations

import base64
import http.client
import io
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal

import urllib3

from relgraph.errors import (
    ConfigError,
    QuerySyntaxError,
    QueryTimeout,
    RelgraphError,
    RemoteStoreError,
)

__all__ = [
    "ConnectionPool",
    "Credentials",
    "HttpClient",
    "Replacing",
    "Reply",
    "allow_header_lines",
    "query_error",
]

#: Header lines every answer may have beside the echoes of a request's dataset: the
#: standard library's own limit (``http.client._MAXHEADERS``).
HEADER_LINES = 100
#: Errors of a kept-alive connection that the store closed while it was idle (reset, broken
#: pipe, ``RemoteDisconnected``; any socket error): the query is sent once more, on a fresh
#: connection. An answer that is not HTTP is not (the store would evaluate it twice).
_STALE = (OSError,)


def allow_header_lines(count: int) -> None:
    """Let ``http.client`` read answers of up to ``count`` header lines (never lowers it).

    The limit is ``http.client``'s module-wide ``_MAXHEADERS`` (100 by default), read by
    its header parser on every answer; there is no per-connection setting. Raising it is
    how a client reads a store that echoes a long dataset (Virtuoso, above); it only lets
    a trusted, configured store send a longer header, the body limits are unchanged.
    """
    current = int(getattr(http.client, "_MAXHEADERS", HEADER_LINES))
    if count > current:
        setattr(http.client, "_MAXHEADERS", count)  # noqa: B010 - a private module setting


def _timeout(url: str, wait: float) -> QueryTimeout:
    return QueryTimeout(
        f"the store at {url.split('?')[0]} did not answer within {wait:g} s",
        "make the query more selective (add a LIMIT), or raise the timeout",
    )


def _unreachable(url: str, reason: object) -> RemoteStoreError:
    return RemoteStoreError(
        f"cannot reach the store at {url.split('?')[0]}: {reason}",
        "check the URL and that the store is running and reachable from here",
    )


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to a store.

    :ivar scheme: ``basic`` (RFC 7617, sent with every request), ``digest``
        (RFC 7616, answered to the store's challenge; Virtuoso's ``-auth``
        endpoints use it) or ``bearer`` (RFC 6750, a token).
    :ivar user: the user name (basic, digest).
    :ivar secret: the password or token. Read it from the environment with
        :meth:`from_env`, never from a command line.
    """

    scheme: Literal["basic", "digest", "bearer"]
    secret: str
    user: str = ""

    def __repr__(self) -> str:
        return f"Credentials(scheme={self.scheme!r}, user={self.user!r}, secret=***)"

    @classmethod
    def from_env(
        cls,
        *,
        user: str | None = None,
        password_env: str | None = None,
        token_env: str | None = None,
        scheme: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials | None:
        """Credentials from a user name and an environment variable holding the secret.

        :returns: None when neither a user nor a token variable is given.
        :raises ConfigError: when the variable is not set or the options clash.
        """
        env = os.environ if environ is None else environ
        if token_env and user:
            raise ConfigError(
                "give either a bearer token or a user name, not both",
                "use --token-env VAR alone, or --user NAME with --password-env VAR",
            )
        if token_env:
            if token_env not in env or not env[token_env]:
                raise ConfigError(
                    f"the environment variable {token_env} (the bearer token) is not set",
                    f"export {token_env}=... before running the command",
                )
            return cls("bearer", env[token_env])
        if user:
            variable = password_env or "RELGRAPH_STORE_PASSWORD"
            if variable not in env:
                raise ConfigError(
                    f"the environment variable {variable} (the password of {user}) is not set",
                    f"export {variable}=... (or name another with --password-env)",
                )
            chosen = (scheme or "basic").lower()
            if chosen not in {"basic", "digest"}:
                raise ConfigError(
                    f"unknown authentication scheme {scheme!r}", "use basic or digest"
                )
            return cls(chosen, env[variable], user)  # type: ignore[arg-type]
        return None


class HttpClient:
    """HTTP requests to one store, with credentials and a timeout (urllib, no extra deps).

    :param base: the URL requests go to (used for the digest realm).
    :param credentials: how to authenticate, or None.
    :param timeout_s: seconds to wait for the store's answer.
    """

    def __init__(
        self, base: str, credentials: Credentials | None = None, timeout_s: float = 60.0
    ) -> None:
        self.base = base
        self.credentials = credentials
        self.timeout_s = timeout_s

    def _opener(self) -> urllib.request.OpenerDirector:
        # A fresh digest handler per request: CPython's handler counts challenges over its
        # whole life and refuses after the sixth, so a long-lived one fails a push.
        creds = self.credentials
        if creds is None or creds.scheme != "digest":
            return urllib.request.build_opener()
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, self.base, creds.user, creds.secret)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))

    def _headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out = {"User-Agent": "relgraph", **headers}
        creds = self.credentials
        if creds is not None and creds.scheme == "basic":
            token = base64.b64encode(f"{creds.user}:{creds.secret}".encode()).decode("ascii")
            out["Authorization"] = f"Basic {token}"
        elif creds is not None and creds.scheme == "bearer":
            out["Authorization"] = f"Bearer {creds.secret}"
        return out

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, str, bytes, Mapping[str, str]]:
        """Send a request; return (status, media type, body, headers) for any HTTP answer.

        :raises RemoteStoreError: when the store cannot be reached.
        :raises QueryTimeout: when it does not answer within the timeout.
        """
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise ConfigError(f"{url!r} is not an http(s) URL", "give the store's http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, data=data, method=method, headers=self._headers(headers or {})
        )
        wait = self.timeout_s if timeout_s is None else timeout_s
        try:
            with self._opener().open(request, timeout=wait) as response:
                body = response.read()
                status, info = response.status, response.headers
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            status, info = error.code, error.headers
        except TimeoutError:
            raise _timeout(url, wait) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise _timeout(url, wait) from None
            raise _unreachable(url, error.reason) from None
        except OSError as error:
            raise RemoteStoreError(
                f"the connection to the store at {url.split('?')[0]} failed: {error}",
                "check that the store is running; try again",
            ) from None
        media = (info.get("Content-Type") or "").split(";")[0].strip().lower()
        return status, media, body, info


class Reply:
    """A store's answer whose body is read as a stream.

    :ivar status: the HTTP status; :ivar media: the media type, lower case, no parameters;
    :ivar headers: the response headers; :ivar body: a binary file of the body.
    """

    def __init__(
        self,
        status: int,
        media: str,
        headers: Mapping[str, str],
        body: IO[bytes],
        response: urllib3.BaseHTTPResponse | None = None,
    ) -> None:
        self.status = status
        self.media = media
        self.headers = headers
        self.body = body
        self._response = response

    def read(self, limit: int | None = None) -> bytes:
        """The body (at most ``limit`` bytes), read now."""
        return self.body.read() if limit is None else self.body.read(limit)

    def finish(self, *, complete: bool) -> None:
        """Give the connection back for reuse if the body was read to its end, else close it.

        A capped answer stops reading early: its connection is closed rather than
        drained, so the rest of a large answer is never transferred.
        """
        response = self._response
        if response is None:
            return
        if complete:
            response.drain_conn()
            response.release_conn()
        else:
            response.close()


class ConnectionPool:
    """Keep-alive connections to one store (urllib3), shared by the threads of a process.

    :param base: the store's URL; :param credentials: basic or bearer are sent with
        every request; digest falls back to :class:`HttpClient` (no keep-alive).
    :param size: connections kept open (about the threads that query at once).
    """

    def __init__(self, base: str, credentials: Credentials | None = None, size: int = 8) -> None:
        self.base = base
        self.credentials = credentials
        self._fallback = HttpClient(base, credentials)
        self._manager = urllib3.PoolManager(maxsize=max(1, size), block=False, retries=False)

    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout_s: float) -> Reply:
        """POST ``data``; the answer's body is a stream (see :meth:`Reply.finish`).

        A kept-alive connection that the store closed meanwhile is retried once on
        a fresh one (a query changes nothing, so sending it again is safe).

        :raises QueryTimeout: when the store does not answer within ``timeout_s``.
        :raises RemoteStoreError: when it cannot be reached.
        """
        if self.credentials is not None and self.credentials.scheme == "digest":
            status, media, whole, info = self._fallback.request(
                "POST", url, data=data, headers=headers, timeout_s=timeout_s
            )
            return Reply(status, media, info, io.BytesIO(whole))
        sent = self._fallback._headers(headers)  # noqa: SLF001 - the same credential headers
        timeout = urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s)
        for attempt in (1, 2):
            try:
                response = self._manager.request(
                    "POST", url, body=data, headers=sent, timeout=timeout, preload_content=False
                )
                break
            except urllib3.exceptions.NewConnectionError as error:
                raise _unreachable(url, error.__context__ or error) from None
            except urllib3.exceptions.TimeoutError:
                raise _timeout(url, timeout_s) from None
            except urllib3.exceptions.ProtocolError as error:
                cause = error.args[1] if len(error.args) > 1 else error.__context__
                if isinstance(cause, http.client.HTTPException) and not isinstance(
                    cause, http.client.RemoteDisconnected
                ):
                    # An answer that is not HTTP as http.client reads it: sending the query
                    # again would make the store evaluate it again for the same answer.
                    raise RemoteStoreError(
                        f"the store at {url.split('?')[0]} sent an answer that could not be "
                        f"read as HTTP: {cause}",
                        "report this with the store's name and version; try again",
                    ) from None
                if attempt == 2 or not isinstance(cause, _STALE):
                    raise RemoteStoreError(
                        f"the connection to the store at {url.split('?')[0]} failed: {error}",
                        "check that the store is running; try again",
                    ) from None
            except urllib3.exceptions.HTTPError as error:
                raise _unreachable(url, error) from None
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        stream: IO[bytes] = response  # type: ignore[assignment]
        return Reply(response.status, media, response.headers, stream, response)

    def close(self) -> None:
        """Close every kept connection."""
        self._manager.clear()


class Replacing(io.RawIOBase):
    """A binary stream with every occurrence of ``old`` replaced by ``new``, read lazily.

    Occurrences that straddle two reads are found too (a tail of ``len(old) - 1``
    bytes is held back until more is read).

    >>> Replacing(io.BytesIO(b"a-xy-b-xy"), b"xy", b"z").read()
    b'a-z-b-z'
    """

    def __init__(self, raw: IO[bytes], old: bytes, new: bytes) -> None:
        super().__init__()
        self._raw, self._old, self._new = raw, old, new
        self._pending = b""
        self._out = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._out and not self._done:
            chunk = self._raw.read(64 * 1024)
            if not chunk:
                self._done = True
                self._out, self._pending = self._pending, b""
                break
            data = (self._pending + chunk).replace(self._old, self._new)
            keep = len(self._old) - 1
            # hold back a tail that may be the start of an occurrence
            cut = len(data) - keep if keep and len(data) > keep else (0 if keep else len(data))
            self._out, self._pending = data[:cut], data[cut:]
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


def _message(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return " ".join(text.split())[:600]


def query_error(endpoint: str, status: int, body: bytes) -> RelgraphError:
    """The relgraph error for a store's non-200 answer to a query."""
    message = _message(body)
    lowered = message.lower()
    # Virtuoso: "SR171: Transaction timed out", "... exceeds the limit" (its estimate), and
    # "SR189: Async statement killed by SQLCancel" when its `timeout` parameter stops a query.
    timed = ("timed out", "timeout", "exceeds the limit", "killed by sqlcancel")
    if status in {408, 504} or any(word in lowered for word in timed):
        return QueryTimeout(
            f"the store at {endpoint} stopped the query at its time limit: {message}",
            "make the query more selective (add a LIMIT), or raise the store's limit",
        )
    if status == 400:
        return QuerySyntaxError(
            f"the store at {endpoint} refused the query: {message}",
            "check the query; the store's own SPARQL dialect may differ from relgraph's",
        )
    if status in {401, 403}:
        return RemoteStoreError(
            f"the store at {endpoint} refused access (HTTP {status}): {message}",
            "give credentials (--user with --password-env, or --token-env) that may read it",
        )
    if status == 404:
        return RemoteStoreError(
            f"no SPARQL endpoint at {endpoint} (HTTP 404)",
            "give the store's query endpoint, e.g. http://host:8890/sparql for Virtuoso",
        )
    return RemoteStoreError(
        f"the store at {endpoint} failed (HTTP {status}): {message}",
        "see the store's log; try again",
    )
