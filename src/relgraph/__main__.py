"""Run the CLI as ``python -m relgraph``."""

from relgraph.cli import main

main()
