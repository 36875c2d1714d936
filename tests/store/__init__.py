"""Tests of relgraph.store."""
