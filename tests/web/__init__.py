"""Tests of relgraph.web."""
