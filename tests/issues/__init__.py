"""Regression tests, one file per issue item; each file opens with the issue reference."""
