"""Tests of relgraph.query."""
