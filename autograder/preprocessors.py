"""nbgrader preprocessors of the course, named in nbgrader_config.py: stock `nbgrader
autograde` and `python -m autograder grade` run them alike."""

import copy

from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from autograder.cells import nbgrader_meta


class RestoreHiddenTests(NbGraderPreprocessor):
    """Give back its hidden tests to a test cell that a student left as it was released.

    The gradebook keeps each test cell whole and the release lacks its hidden tests, so
    nbgrader's OverwriteCells finds every such cell changed: it warns "Attribute 'checksum'
    ... has changed!" for each, in every submission, and restores it (nbgrader #1961).
    Restored here first, an untouched cell is graded in silence; a cell the student really
    edited is left to OverwriteCells, which still warns and restores it.
    """

    def preprocess(self, nb, resources):
        self.hide = ClearHiddenTests(parent=self)  # c.ClearHiddenTests' delimiters
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            try:
                found = gb.find_notebook(
                    resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"]
                )
            except MissingEntry:  # a renamed notebook: intake or OverwriteCells say so
                return nb, resources
            self.whole = {c.name: c.source for c in found.source_cells if c.locked}
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grade_id = nbgrader_meta(cell).get("grade_id")
        whole = self.whole.get(grade_id)
        if whole is not None and utils.is_grade(cell) and not utils.is_solution(cell):
            released = copy.deepcopy(cell)
            released.source = whole
            self.hide._remove_hidden_test_region(released)
            if cell.source == released.source:
                cell.source = whole
        return cell, resources
