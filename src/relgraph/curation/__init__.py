"""The curation part: adding studies without writing Turtle (study sheets in and out).

It sits above checks | query | views (an import runs the whole check) and below
web and CLI, and imports neither Flask nor Click (``[tool.importlinter]``):

* :mod:`.kinds` -- the kinds of entity a column takes, and the IRI prefixes of new ones;
* :mod:`.sheets` -- the sheets and columns of a study sheet, with their help text;
* :mod:`.tables` -- reading and writing them (.xlsx with openpyxl, or CSV);
* :mod:`.problems` -- problems at their sheet, row and column;
* :mod:`.resolve` -- labels, alternative labels and CURIEs to IRIs; likely duplicates;
* :mod:`.naming` -- IRIs by relgraph's scheme, labels made from a row;
* :mod:`.records` -- the records of one study; :mod:`.parsing` makes them from rows;
* :mod:`.turtle` -- a study's records as RDF with PROV provenance, and canonical Turtle;
* :mod:`.importer` -- ``relgraph import``: a sheet to ``data/studies/<id>.ttl``, after
  the whole check, nothing written on errors;
* :mod:`.export` -- the reverse: a study (or the review) back to sheet rows;
* :mod:`.template` -- ``relgraph template``: a sheet made from the graph.

The pages of the added studies read the graph through :mod:`relgraph.views.studies`.
Settings: ``curator`` and ``template_rows`` (``docs/settings.md``); errors:
:class:`~relgraph.errors.StudySheetError` (exit 1) and
:class:`~relgraph.errors.UnknownStudy` (404). See ``docs/decisions/0010-study-sheets.md``.
"""

from __future__ import annotations

from relgraph.curation.importer import ImportResult, import_study, studies_dir, study_path
from relgraph.curation.problems import SheetProblem
from relgraph.curation.template import TemplateResult, template_workbook, write_template

__all__ = [
    "ImportResult",
    "SheetProblem",
    "TemplateResult",
    "import_study",
    "studies_dir",
    "study_path",
    "template_workbook",
    "write_template",
]
