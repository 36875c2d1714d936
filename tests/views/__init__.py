"""Tests of relgraph.views."""
