"""Regression tests, one module per issue (tests/issues/test_NNN_*.py)."""
