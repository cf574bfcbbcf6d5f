"""Grading: assignment specs, the scorer that judges artifacts, the held-out store, and self-checks.

Notebook test cells call :func:`save_for_grading` and :func:`check_exercise`, which only save
artifacts and print a self-check. The instructor's pipeline scores those artifacts with a
:class:`Scorer` after the notebook's kernel has exited, on data from the :class:`HeldoutStore`.
"""

from tfcourse.grading.heldout import EvaluationData, HeldoutError, validation_data
from tfcourse.grading.result import CheckResult, GradeResult
from tfcourse.grading.selfcheck import check_exercise, save_for_grading
from tfcourse.grading.specs import ASSIGNMENTS, AssignmentSpec, get_assignment
from tfcourse.grading.store import HeldoutStore, export_heldout, open_heldout

__all__ = [
    "ASSIGNMENTS", "AssignmentSpec", "CheckResult", "EvaluationData", "GradeResult", "HeldoutError",
    "HeldoutStore", "check_exercise", "export_heldout", "get_assignment", "open_heldout", "save_for_grading",
    "validation_data",
]
