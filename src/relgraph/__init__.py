"""relgraph: a knowledge graph of the theories of the therapeutic relationship in psychiatry."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
