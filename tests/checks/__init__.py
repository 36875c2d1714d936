"""Tests of relgraph.checks."""
