"""The views part: the data of the pages, as plain dicts and dataclasses, without Flask.

Each page of the web has one data function here (or in :mod:`relgraph.web.pages`
where it needs the query service); the page's template and its ``.json`` twin
render the same dict. Links are made by a function the caller gives, so these
modules never import a web framework.

* :mod:`.cells` -- one RDF term as a cell (label, CURIE, link);
* :mod:`.results` -- an answer as a table of cells;
* :mod:`.source` -- the view queries (``queries/views/*.rq``) and how they run;
* :mod:`.kinds` -- the kinds of node drawn, the states of evidence;
* :mod:`.graph` -- the theory graph every view draws (nodes, structural links, findings);
* :mod:`.explorer` -- the theory explorer's Cytoscape.js elements and filters (``/graph``);
* :mod:`.compare` -- the theories side by side (``/compare``);
* :mod:`.gaps` -- the evidence gap map and the review's research gaps (``/gaps``);
* :mod:`.analytics` -- networkx: shared elements, centrality, evidence paths (``/analytics``);
* :mod:`.entities` -- an entity page: relations both ways, findings, passages, terms;
* :mod:`.reflow` -- a passage reflowed for reading, its exact span kept;
* :mod:`.documents` -- the RDF document of an IRI (symmetric CBD, or a named graph);
* :mod:`.mappings` -- an entity's mappings to external vocabularies;
* :mod:`.coverage` -- counts per kind, findings per theory and setting kind, loose ends
  (``relgraph stats``).

The views read the graph through their stored queries and never import the
query part (the layers of ``docs/decisions/0008-layout.md``): a caller gives
the :data:`~relgraph.views.source.Runner` that runs them.
"""

from __future__ import annotations

__all__: list[str] = []
