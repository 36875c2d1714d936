"""Adding studies without writing Turtle: study sheets, their import and their export.

The curation part of relgraph (no Flask or Click here):

* :mod:`~relgraph.curation.sheets` -- the sheets and columns of a study sheet, with help text;
* :mod:`~relgraph.curation.tables` -- reading and writing them (.xlsx with openpyxl, or CSV);
* :mod:`~relgraph.curation.resolve` -- labels, alternative labels and CURIEs to IRIs;
  likely duplicates;
* :mod:`~relgraph.curation.naming` -- IRIs by relgraph's scheme, labels made from a row;
* :mod:`~relgraph.curation.records` -- rows to the records of one study, with every problem;
* :mod:`~relgraph.curation.importer` -- ``relgraph import``: records to canonical Turtle in
  ``data/studies/``, after the whole check;
* :mod:`~relgraph.curation.export` -- the reverse: a study (or the review) to sheet rows;
* :mod:`~relgraph.curation.template` -- ``relgraph template``: a sheet made from the graph;
* :mod:`~relgraph.curation.studies` -- the imported studies of a graph, for pages and views;
* :mod:`~relgraph.curation.problems` -- problems at their sheet, row and column.
"""

from __future__ import annotations

from relgraph.curation.importer import ImportResult, import_study, studies_dir, study_path
from relgraph.curation.problems import SheetProblem, StudySheetError
from relgraph.curation.template import TemplateResult, template_workbook, write_template

__all__ = [
    "ImportResult",
    "SheetProblem",
    "StudySheetError",
    "TemplateResult",
    "import_study",
    "studies_dir",
    "study_path",
    "template_workbook",
    "write_template",
]
