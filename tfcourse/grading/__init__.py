"""Grading: per-assignment specs, the out-of-kernel evaluator, held-out data and results.

Notebook test cells call :func:`grade_model`; the ``check`` command calls
:func:`evaluate_saved_model` on a model file the notebook saved.
"""

from tfcourse.grading.grade import GradingFailed, evaluate_saved_model, grade_model, history_filename
from tfcourse.grading.heldout import HELDOUT_ENV, export_heldout
from tfcourse.grading.result import CheckResult, GradeResult
from tfcourse.grading.specs import ASSIGNMENTS, AssignmentSpec, get_assignment

__all__ = [
    "ASSIGNMENTS", "AssignmentSpec", "CheckResult", "GradeResult", "GradingFailed", "HELDOUT_ENV",
    "evaluate_saved_model", "export_heldout", "get_assignment", "grade_model", "history_filename",
]
