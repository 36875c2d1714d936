"""Tests of the content: the real ontology, data, queries and mappings."""
