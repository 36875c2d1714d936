"""The query part: what a user's SPARQL query goes through, the same from the web and the CLI.

* :mod:`.inspection` -- what a query text is, and whether it may run (no updates, no SERVICE);
* :mod:`.parameters` -- values of stored queries' parameters as RDF terms, never text;
* :mod:`.catalog` -- the stored (competency) queries of ``queries/cq/``;
* :mod:`.jobs` -- a query job and :func:`~relgraph.query.jobs.execute`, how any executor runs it;
* :mod:`.pool` -- killable worker processes that run jobs within a time limit;
* :mod:`.service` -- :class:`QueryService`: inspect, run (pool or in process), cap;
* :mod:`.formats` -- the one registry of output formats, and the writers;
* :mod:`.description` -- the SPARQL Service Description, VoID and statistics;
* :mod:`.exporting` -- exports of the graph's parts for other tools.
"""

from __future__ import annotations

from relgraph.query.service import InProcess, Outcome, QueryRequest, QueryService

__all__ = ["InProcess", "Outcome", "QueryRequest", "QueryService"]
