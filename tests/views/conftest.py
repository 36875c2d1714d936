"""The view queries over the real graph, in process, once per module."""

from __future__ import annotations

import pytest

from relgraph.settings import Settings
from relgraph.store import GraphStore
from relgraph.views.graph import TheoryGraph, theory_graph
from relgraph.views.source import LocalSource, ViewSource


@pytest.fixture(scope="module")
def source(repo_settings: Settings, repo_store: GraphStore) -> ViewSource:
    """The view queries, run on the real graph in this process."""
    return LocalSource(repo_settings, repo_store)


@pytest.fixture(scope="module")
def graph(source: ViewSource) -> TheoryGraph:
    """The theory graph the views draw, from the real graph."""
    return theory_graph(source)
