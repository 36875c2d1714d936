"""The view queries (``queries/views/*.rq``, issue 11): header, shape, the same way as the CQs."""

from __future__ import annotations

from pathlib import Path

import pytest

from relgraph.errors import LoadError, UnknownQuery
from relgraph.query.catalog import HEADER_KEYS, load_query
from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.views import source as views_source
from relgraph.views.source import ViewSource, view_queries
from tests import ROOT

VIEW_QUERIES = sorted((ROOT / "queries" / "views").glob("*.rq"))


def test_view_queries_use_the_header_keys_of_the_stored_queries() -> None:
    assert views_source.HEADER_KEYS == HEADER_KEYS


@pytest.mark.parametrize("path", VIEW_QUERIES, ids=[p.stem for p in VIEW_QUERIES])
def test_view_query_returns_its_expected_shape(path: Path, repo_store: GraphStore) -> None:
    """Every view query has a stored query's header and answers with its columns and rows."""
    query = load_query(path)
    assert query.id.startswith("view-")
    result = query.select(repo_store)
    assert [v.value for v in result.variables] == list(query.columns)
    assert len(list(result)) >= query.min_rows


def test_the_source_reads_every_view_query(repo_settings: Settings, source: ViewSource) -> None:
    assert [q.id for q in view_queries(repo_settings)] == [load_query(p).id for p in VIEW_QUERIES]
    with pytest.raises(UnknownQuery, match="no view query with id 'view-nope'"):
        source.rows("view-nope")


def test_a_repeated_id_names_the_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "queries" / "views"
    folder.mkdir(parents=True)
    for name in ("a.rq", "b.rq"):
        (folder / name).write_text(
            "#+ id: view-x\n#+ question: q?\n#+ expected: columns=s\nSELECT ?s {}\n"
        )
    with pytest.raises(LoadError, match="also used by") as caught:
        view_queries(Settings(project_dir=str(tmp_path)))
    assert caught.value.path is not None and caught.value.path.endswith("b.rq")
    assert caught.value.line == 1
