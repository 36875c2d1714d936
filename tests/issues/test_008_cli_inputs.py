"""Issue 8, item 5 (the kind: no input makes a command print a traceback or exit wrongly).

A tester of a fresh clone found commands that called their users' mistakes "a bug in
relgraph" or exited with the code of a failed check. The right answers, each a test:

* ``query -f`` on a file that is not UTF-8: exit 2 naming the file, line and column;
* ``export -o`` into a folder that does not exist: exit 2 naming the path (every
  operating-system error on a path is a usage error, not an internal one);
* ``serve --port 99999`` and ``-s max_rows=-3``: exit 2 naming the setting and its range;
* ``serve`` on a port another program holds: exit 2 with a hint to choose another port
  (gunicorn retried for five seconds and exited 1, "the check found errors");
* ``check --format json`` on a folder: JSON (it printed Click's usage text).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relgraph.errors import ConfigError, FileAccessError
from relgraph.settings import Settings
from relgraph.web.server import check_port_free

Invoke = Callable[..., Any]


def test_a_query_file_that_is_not_utf8_names_file_line_and_column(
    built_cli: Invoke, tmp_path: Path
) -> None:
    query = tmp_path / "bad.rq"
    query.write_bytes(b'SELECT * WHERE {\n  ?s ?p "\xff" }\n')
    result = built_cli("query", "-f", str(query))
    assert result.exit_code == 2
    assert f"{query}:2:10: not UTF-8 text (byte 0xff)" in result.output
    assert "bug in relgraph" not in result.output


def test_writing_into_a_missing_folder_is_a_usage_error(built_cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.owl"
    result = built_cli("export", "--format", "owl", "-o", str(target))
    assert result.exit_code == 2
    assert f"cannot use {target}: No such file or directory" in result.output
    assert "bug in relgraph" not in result.output
    assert not target.parent.exists()


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("port", "99999", "at least 0 and at most 65535"),
        ("max_rows", "-3", "at least 0"),
        ("threads", "0", "at least 1"),
        ("query_time_limit_ms", "0", "at least 1"),
    ],
)
def test_a_setting_out_of_range_is_refused_with_its_range(
    name: str, value: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=f"setting '{name}'.*out of range") as caught:
        Settings.load(overrides={name: value})
    assert words in caught.value.hint


def test_serve_on_a_port_out_of_range_exits_2(built_cli: Invoke) -> None:
    result = built_cli("serve", "--port", "99999")
    assert result.exit_code == 2
    assert "setting 'port'" in result.output and "65535" in result.output


def test_a_port_in_use_is_refused_before_gunicorn_starts(built_cli: Invoke) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}") as caught:
            check_port_free("127.0.0.1", port)
        assert "--port" in caught.value.hint and "RELGRAPH_PORT" in caught.value.hint
        result = built_cli("serve", "--port", str(port))
        assert result.exit_code == 2
        assert "Address already in use" in result.output
    check_port_free("127.0.0.1", port)  # free again


def test_check_in_json_mode_prints_json_for_a_folder(built_cli: Invoke, tmp_path: Path) -> None:
    result = built_cli("check", "--format", "json", "--no-reasoner", str(tmp_path))
    assert result.exit_code == 2
    body = json.loads(result.output)
    assert body["ok"] is False and body["error"] == f"{tmp_path}: a folder, not a file"
    assert "*.ttl" in body["hint"]


def test_file_access_error_names_the_path() -> None:
    error = FileAccessError.from_os_error(PermissionError(13, "Permission denied", "/x"))
    assert error.message == "cannot use /x: Permission denied" and error.exit_code == 2


def test_a_stored_query_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    from relgraph.errors import LoadError
    from relgraph.store.queryfiles import read_query_file

    path = tmp_path / "q.rq"
    path.write_bytes(b'#+ id: q\nSELECT * WHERE { ?s ?p "caf\xe9" }\n')
    with pytest.raises(LoadError, match=r"q\.rq:2:28: not UTF-8 text \(byte 0xe9\)"):
        read_query_file(path, ("id",))
