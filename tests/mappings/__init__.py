"""Tests of relgraph.mappings."""
