"""relgraph: a knowledge graph of the theories of the therapeutic relationship in psychiatry.

The package is laid out in parts, each a subpackage; the layers, checked by
import-linter (``make lint``, ``[tool.importlinter]`` in pyproject.toml), run
from the foundation up: vocabulary, errors, settings -> store and mappings ->
checks | query | views (independent of each other) -> curation -> web -> cli.
See ``docs/decisions/0008-layout.md`` and ``docs/decisions/0010-study-sheets.md``.

Module map (one line per module):

Foundation
  ``vocab``                  namespaces and IRI constants: the one place IRIs are spelled out
  ``errors``                 every error class, with fix hint, exit code and HTTP status
  ``settings``               the settings table: a frozen dataclass, one field per setting

Store: the graph, its sources, how it is built
  ``store``                  the part's names: ``GraphStore``, ``ReadOnlyStore``, ``Answer`` ...
  ``store.base``             ``ReadableStore`` protocol; typed select/ask/construct/rows
  ``store.memory``           the embedded pyoxigraph ``GraphStore`` and its ``ReadOnlyStore``
  ``store.answer``           a capped query answer, detached from the engine, picklable
  ``store.sources``          find, parse and load source files, one named graph each
  ``store.origins``          file and line of a reported node, found when asked (blank nodes too)
  ``store.queryfiles``       the one ``#+`` header dialect and parser of every ``.rq`` file
  ``store.parts``            which named graphs are ontology, data, shapes, mappings, extra
  ``store.labels``           labels of nodes (IRIs and blank nodes) for reports and pages
  ``store.builder``          build, verify and persist the graph atomically
  ``store.formatting``       canonical Turtle (``relgraph fmt``)
  ``store.remote``           ``RemoteStore``: an external store over the SPARQL 1.1 Protocol
  ``store.wire``             Accept headers, media types and query text of a remote request
  ``store.values``           bindings as a VALUES block opening a query's WHERE group
  ``store.http``             HTTP to a store: credentials, keep-alive connections, streamed bodies
  ``store.push``             upload the graph with the Graph Store Protocol (``relgraph push``)
  ``store.pull``             read a store's relgraph graphs to check them (``check --backend``)
  ``store.synthetic``        a bigger graph: synthetic studies around the real one (``synth``)

Mappings: links to external vocabularies (a source of the graph, beside the store)
  ``mappings``               the mapping set and the unmapped list as text (``relgraph mappings``)
  ``mappings.sources``       the external vocabularies, their IRI forms and offline copies
  ``mappings.terms``         a term of an offline copy, and the table of its terms
  ``mappings.sssom``         read and write the SSSOM mapping set; its SKOS triples
  ``mappings.kinds``         kinds of terms, so that exact matches join like with like
  ``mappings.imports``       import modules of the external terms (``scripts/imports.py``)

Checks: ``relgraph check``
  ``checks``                 the runner over the phase table; ``check``, ``verify_for_build``
  ``checks.phases``          the phase table: one line per phase
  ``checks.context``         what a phase is given and what it gives back
  ``checks.report``          problems and the report, as text or JSON; file and line of nodes
  ``checks.sparql``          SPARQL check files (``queries/rules``, ``queries/checks``): rows
  ``checks.shacl``           phase ``shacl``: SHACL Core on the ``shacl`` engine (or pySHACL)
  ``checks.spans``           phase ``spans``: passages against the review's text
  ``checks.fidelity``        phase ``fidelity``: the graph says what the review says
  ``checks.wording``         the word comparisons of the fidelity checks
  ``checks.rows``            the rows of the fidelity rules' queries, as plain values
  ``checks.quality``         phase ``queries``: the quality queries of ``queries/checks``
  ``checks.verdict``         a passing check's verdict, so a build of the same inputs skips it
  ``checks.mappings``        phase ``mappings``: the SSSOM mappings against graph and sources
  ``checks.owl``             phase ``reasoning``: HermiT (consistency, TBox) and OWL 2 RL rules
  ``checks.hermit``          HermiT as a Java subprocess in the background, with a timeout
  ``checks.jvm``             one HermiT JVM per process, its jar and class-data archive
  ``checks.summary``         the summary ABox HermiT's consistency test reads, and modules
  ``checks.owlprofile``      the OWL API's OWL 2 DL profile check of the OWL exports

Query: what a user's query goes through, the same from the web and the CLI
  ``query``                  the part's names: ``QueryService``, ``QueryRequest``, ``Outcome``
  ``query.inspection``       what a query text is, and whether it may run (no updates, SERVICE)
  ``query.parameters``       stored queries' parameter values as RDF terms, never text
  ``query.catalog``          the stored (competency) queries of ``queries/cq``
  ``query.jobs``             a query job and how any executor runs it
  ``query.pool``             killable worker processes, each holding the graph
  ``query.service``          ``QueryService``: inspect, run (pool or in process), cap
  ``query.formats``          the one registry of output formats, and the writers
  ``query.description``      SPARQL Service Description, VoID and statistics
  ``query.exporting``        exports of the graph's parts for other tools

Views: the data of the pages, without Flask
  ``views``                  the part's index: one data function per page
  ``views.cells``            one RDF term as a cell: label, CURIE, link
  ``views.results``          an answer as a table of cells
  ``views.source``           the view queries of ``queries/views`` and how they run
  ``views.kinds``            kinds of node drawn; states of evidence (supported, mixed ...)
  ``views.graph``            the theory graph every view draws: nodes, links, findings
  ``views.explorer``         the theory explorer's Cytoscape.js elements and filters (``/graph``)
  ``views.compare``          the theories side by side (``/compare``)
  ``views.gaps``             the evidence gap map, theories x outcomes (``/gaps``)
  ``views.analytics``        networkx: shared elements, centrality, evidence paths
  ``views.entities``         an entity page: relations both ways, findings, passages, terms
  ``views.reflow``           a passage reflowed for reading, its exact span kept
  ``views.documents``        the RDF document of an IRI: its symmetric CBD, or a graph
  ``views.mappings``         an entity's mappings to external vocabularies
  ``views.coverage``         counts, findings per theory and setting kind, loose ends (``stats``)
  ``views.studies``          the studies curators added, the review alone, the gaps they filled

Curation: study sheets in and out (``relgraph template``, ``relgraph import``)
  ``curation``               the part's names: ``import_study``, ``write_template`` ...
  ``curation.kinds``         kinds of entity a sheet's columns take; prefixes of new IRIs
  ``curation.sheets``        the sheets and columns of a study sheet, with their help text
  ``curation.tables``        read and write study sheets (.xlsx with openpyxl, or CSV)
  ``curation.problems``      problems at their sheet, row and column
  ``curation.resolve``       labels, alternative labels and CURIEs to IRIs; likely duplicates
  ``curation.naming``        IRIs by relgraph's scheme, labels made from a row
  ``curation.records``       the records of one study, ready to become Turtle
  ``curation.parsing``       a sheet's rows to the records of one study, with every problem
  ``curation.turtle``        a study's records as RDF with PROV provenance; canonical Turtle
  ``curation.importer``      records to canonical Turtle in ``data/studies/``, after the check
  ``curation.export``        a study (or the review) back to the rows of a sheet
  ``curation.template``      a study sheet made from the graph (``relgraph template``)

Web: Flask
  ``web``                    ``create_app``, the one factory
  ``web.state``              the state every request shares; ``current()``
  ``web.twins``              a page and its ``.json`` twin, one data function
  ``web.pages``              the query page, stored queries, the entity page of any IRI
  ``web.studies``            ``/studies``, a study's page and its sheet
  ``web.views``              the graph views' pages; our IRIs' pages and documents
  ``web.resources``          the IRI policy: our IRIs' paths, their documents, links
  ``web.api``                ``/sparql``, VoID, ``/-/`` introspection
  ``web.endpoint``           the SPARQL 1.1 Protocol query operation on any request
  ``web.fastpath``           ``/sparql`` answered with it before Flask's dispatch
  ``web.conneg``             content negotiation over the format registry
  ``web.errors``             the one error handler (JSON for ``.json`` URLs and clients)
  ``web.security``           headers of every response: CSP, CORS, nosniff
  ``web.limits``             per-client limits on queries: concurrency, time budget (429)
  ``web.health``             internal-error counts; replacing a failing process
  ``web.validators``         entity tags of answers: ``If-None-Match`` and 304
  ``web.server``             gunicorn

CLI: Click
  ``cli``                    ``main``; the command modules below
  ``cli.base``               the group, common options, the one error conversion
  ``cli.graph``              build, info, export, fmt, settings, stats
  ``cli.query``              query, queries (list, run, show)
  ``cli.check``              check, mappings
  ``cli.serve``              serve
  ``cli.backend``            the ``--backend`` options of serve and check
  ``cli.store``              push, synth
  ``cli.curation``           template, import
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
