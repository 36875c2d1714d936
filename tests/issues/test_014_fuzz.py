"""Issue 14: hypothesis fuzzing of ``/sparql`` and of every page's parameters.

Requests are made of random methods, paths (every route of the app, with
stored-query ids and page names filled in), query strings and bodies of raw
bytes (invalid UTF-8 included), SPARQL-like token soups (keywords, SERVICE,
deep nesting, huge literals), odd content types and ``Accept`` headers, and
repeated or conflicting parameters. The server must never answer 5xx other
than a 503 with ``Retry-After`` (a deadline, or every worker busy), and its
query workers must all be alive afterwards (a crashed one is replaced).
Bounded: a few hundred requests per test, about a minute in all on CI.

Found and fixed while writing it: a deeply nested query (10^4 levels)
crashed the query worker (a stack overflow in the engine's parser; see
``max_query_nesting``), and nesting past ~100 levels took seconds to parse.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relgraph.settings import Settings
from relgraph.store import GraphStore
from tests.conftest import WEB_QUERIES

FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


@pytest.fixture(scope="module")
def fuzz_app(built_fixture: tuple[Settings, GraphStore]) -> Iterator[Any]:
    from relgraph.web import create_app

    settings, store = built_fixture
    app = create_app(
        settings.replace(
            queries_dir=str(WEB_QUERIES),
            query_time_limit_ms=1000,
            max_request_bytes=200_000,
            max_query_chars=50_000,
        ),
        store,
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["relgraph"].close()


TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", "[", "]",
    ".", ";", ",", "?s", "?p", "?o", "$x", "a", "rg:Theory", "rdfs:label", "<http://example.org/>",
    "<>", "<#x>", "_:b", '"text"', "'x'", '"""long\nstring"""', '"\\u0000"', '"\\uD800"',
    '"x"@en', '"1"^^xsd:integer', "1", "-1", "1e999", "0.5", "true", "FILTER", "OPTIONAL",
    "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "VALUES", "BIND", "AS", "COUNT", "SUM",
    "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET", "DISTINCT", "REGEX", "STR", "LANG",
    "CONCAT", "STRLEN", "SUBSTR", "REPLACE", "NOT", "EXISTS", "IN", "&&", "||", "!", "=", "<",
    "+", "/", "|", "^", "PREFIX", "ex:", "BASE", "FROM", "NAMED", "INSERT", "DATA", "DELETE",
    "LOAD", "CLEAR", "DROP", "#", "\n", "\\", "\x00", "é", "\U0001f600", "<<", ">>",
]  # fmt: skip

soup = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
nested = st.builds(
    lambda open_, close, depth, inner: "SELECT * WHERE { " + open_ * depth + inner + close * depth
    + " }",
    st.sampled_from(["{", "(", "[ ?p ", "OPTIONAL {", "FILTER("]),
    st.sampled_from(["}", ")", "]", "}", ")"]),
    st.integers(1, 20_000),
    st.sampled_from(["", "?s ?p ?o", "1"]),
)  # fmt: skip
huge_literal = st.builds(
    lambda n, c: 'SELECT * WHERE { BIND("' + c * n + '" AS ?x) }',
    st.integers(1, 60_000),
    st.sampled_from(["x", "é", "\\n", '\\"']),
)
valid = st.sampled_from(
    [
        "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
        "ASK { ?s a rg:Theory }",
        "CONSTRUCT WHERE { ?s a rg:Theory }",
        "DESCRIBE rgr:theory-role-theory",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ]
)
queries = st.one_of(valid, soup, nested, huge_literal, st.text(max_size=200))

NAMES = [
    "query", "query", "format", "output", "results", "timeout", "default-graph-uri",
    "named-graph-uri", "download", "update", "using-graph-uri", "iri", "theory", "author", "q",
]  # fmt: skip

raw_bytes = st.binary(max_size=300)
values = st.one_of(
    queries.map(lambda q: q.encode("utf-8", "surrogatepass")),
    raw_bytes,
    st.sampled_from(
        [b"json", b"xml", b"csv", b"tsv", b"ttl", b"jsonld", b"html", b"pdf", b"", b"1", b"-5",
         b"99999999999999999999", b"0", b"http://127.0.0.1:9/", b"file:///etc/passwd",
         b"rgr:theory-role-theory", b"<rgr:x>", b"\xff\xfe", b"\xed\xa0\x80", b"%00",
         b"https://w3id.org/relgraph/resource/theory-role-theory"]
    ),
)  # fmt: skip
params = st.lists(
    st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), values), max_size=5
)


def encode(pairs: list[tuple[str, bytes]]) -> str:
    return "&".join(
        quote_from_bytes(n.encode("utf-8", "surrogatepass")) + "=" + quote_from_bytes(v)
        for n, v in pairs
    )


CONTENT_TYPES = [
    None,
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-query; charset=latin-1",
    "application/sparql-update",
    "application/json",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "text/plain",
    "text/turtle",
    "garbage/\x7f",
    ";;;",
]
ACCEPTS = [
    None,
    "*/*",
    "text/html",
    "application/sparql-results+json",
    "application/sparql-results+xml;q=0.9, text/csv;q=0.8",
    "text/csv",
    "text/turtle",
    "application/ld+json",
    "image/png",
    "text/html;q=abc, */*;q=-1",
    "application/json;q=0",
    ",,,;;;===",
    "\u00e9/\u00e9",
]
METHODS = ["GET", "GET", "POST", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"]


def paths(app: Any) -> list[str]:
    """Every route of the app, with its variables filled (known and unknown ids)."""
    out = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if "<" in path:
            if "query_id" in path:
                out.append(path.replace("<query_id>", "fx01-models"))
                out.append(path.replace("<query_id>", "no-such-query"))
            elif "filename" in path:
                out.append(path.replace("<path:filename>", "app.js"))
                out.append(path.replace("<path:filename>", "../../../../etc/passwd"))
            else:
                out.append(path.split("<")[0] + "x")
        else:
            out.append(path)
    return sorted(set(out)) + ["/nope", "/sparql/", "//sparql", "/%00", "/entity.json/x"]


def check(reply: Any, what: str) -> None:
    status = reply.status_code
    if status >= 500:
        text = reply.get_data(as_text=True)
        # only the deadline's 503 (or every worker busy); a worker that died is a 503 too, but
        # a bug: no request may crash one
        deadline = '"QueryTimeout"' in text or '"ServerBusy"' in text or "time limit" in text
        assert status == 503 and deadline, (what, status, text[:500])
        assert int(reply.headers["Retry-After"]) > 0
    reply.close()


def workers_alive(app: Any) -> None:
    """No dead query worker is kept: every process the pool holds runs (workers start lazily)."""
    service = app.extensions["relgraph"].service_started
    if service is None or service.pool is None:
        return
    pool = service.pool
    deadline = time.monotonic() + 30
    while True:
        stats = pool.stats()
        if stats.alive == len(pool._workers) >= 1:
            return
        assert time.monotonic() < deadline, stats
        time.sleep(0.1)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "POST"]),
    query=st.lists(st.tuples(st.just("query"), values), min_size=1, max_size=2),
    extra=params,
    content_type=st.sampled_from(CONTENT_TYPES),
    accept=st.sampled_from(ACCEPTS),
    body_kind=st.sampled_from(["form", "direct", "raw", "none"]),
    raw=raw_bytes,
)
def test_fuzz_sparql_endpoint(
    fuzz_app: Any,
    method: str,
    query: list[tuple[str, bytes]],
    extra: list[tuple[str, bytes]],
    content_type: str | None,
    accept: str | None,
    body_kind: str,
    raw: bytes,
) -> None:
    client = fuzz_app.test_client()
    headers = {"Accept": accept} if accept else {}
    pairs = query + extra
    if method == "GET" or body_kind == "none":
        reply = client.open(
            "/sparql", method=method, query_string=encode(pairs), headers=headers,
            content_type=content_type,
        )  # fmt: skip
    else:
        body = {
            "form": encode(pairs).encode(),
            "direct": query[0][1],
            "raw": raw,
        }[body_kind]
        reply = client.open(
            "/sparql",
            method=method,
            query_string=encode(extra),
            data=body,
            headers=headers,
            content_type=content_type or "application/x-www-form-urlencoded",
        )
    check(reply, f"{method} /sparql {pairs!r:.300} {content_type}")


@FUZZ
@given(
    data=st.data(),
    method=st.sampled_from(METHODS),
    pairs=params,
    accept=st.sampled_from(ACCEPTS),
    content_type=st.sampled_from(CONTENT_TYPES),
    raw=raw_bytes,
)
def test_fuzz_every_page(
    fuzz_app: Any,
    data: Any,
    method: str,
    pairs: list[tuple[str, bytes]],
    accept: str | None,
    content_type: str | None,
    raw: bytes,
) -> None:
    path = data.draw(st.sampled_from(paths(fuzz_app)))
    client = fuzz_app.test_client()
    headers = {"Accept": accept} if accept else {}
    reply = client.open(
        path,
        method=method,
        query_string=encode(pairs),
        data=raw if method in {"POST", "PUT", "PATCH"} else None,
        headers=headers,
        content_type=content_type,
    )
    check(reply, f"{method} {path} {pairs!r:.300}")


def test_the_query_workers_survived_the_fuzzing(fuzz_app: Any) -> None:
    """Runs after the fuzz tests of this module (same app): every worker is alive."""
    client = fuzz_app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    workers_alive(fuzz_app)


def test_huge_and_repeated_parameters(fuzz_app: Any) -> None:
    client = fuzz_app.test_client()
    many = "&".join(["format=json", "format=xml"] * 500 + ["query=ASK%7B%7D"])
    check(client.get("/sparql?" + many), "repeated format")
    check(client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), "two queries")
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    check(client.post("/sparql", data=b"x" * 300_000, content_type="text/plain"), "huge body")
    reply = client.post("/sparql", data={"query": "ASK {}" + " " * 300_000})
    assert reply.status_code == 413
    reply = client.get("/sparql", query_string={"query": "ASK {} #" + "x" * 60_000})
    assert reply.status_code == 413 and "max_query_chars" in reply.json["error"]
    for key in ("timeout", "default-graph-uri", "named-graph-uri", "iri", "theory"):
        reply = client.get(f"/sparql?query=ASK%7B%7D&{key}=a&{key}=%FF&{key}=" + "y" * 5000)
        check(reply, key)
    workers_alive(fuzz_app)
