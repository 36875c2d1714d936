"""Tests of relgraph.cli."""
