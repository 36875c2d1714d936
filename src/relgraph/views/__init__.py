"""The views part: the data of the pages, as plain dicts and dataclasses, without Flask.

Each page of the web has one data function here (or in :mod:`relgraph.web.pages`
where it needs the query service); the page's template and its ``.json`` twin
render the same dict. Links are made by a function the caller gives, so these
modules never import a web framework.

* :mod:`.cells` -- one RDF term as a cell (label, CURIE, link);
* :mod:`.results` -- an answer as a table of cells;
* :mod:`.entities` -- an entity page: statements both ways, passages;
* :mod:`.mappings` -- an entity's mappings to external vocabularies;
* :mod:`.coverage` -- counts per kind, the evidence gap map, loose ends (``relgraph stats``).
"""

from __future__ import annotations

__all__: list[str] = []
