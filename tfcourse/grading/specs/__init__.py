"""Every graded assignment, one module per course, and the mock exam's tasks; look one up with :func:`get_assignment`."""

from __future__ import annotations

from tfcourse.errors import UnknownName
from tfcourse.grading.specs import course1, course2, course3, course4, exam
from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, Rung

ASSIGNMENTS: dict[str, AssignmentSpec] = {spec.assignment_id: spec
                                          for spec in (*course1.ASSIGNMENTS, *course2.ASSIGNMENTS, *course3.ASSIGNMENTS,
                                                       *course4.ASSIGNMENTS)}
# The exam's tasks are scored like assignments but are no part of the course's release, tables or demo.
EXAM_TASKS: dict[str, AssignmentSpec] = {spec.assignment_id: spec for spec in exam.EXAM_TASKS}

__all__ = ["ASSIGNMENTS", "EXAM_TASKS", "AssignmentSpec", "ExercisePart", "Rung", "get_assignment"]


def get_assignment(assignment_id: str) -> AssignmentSpec:
    """Look up an assignment by id (``C1W3``) or folder name (``C1W3_convolutions``), or an exam task (``EXAM1``)."""
    key = assignment_id.split("_", 1)[0].upper()
    try:
        return ASSIGNMENTS[key] if key in ASSIGNMENTS else EXAM_TASKS[key]
    except KeyError:
        raise UnknownName(f"unknown assignment {assignment_id!r}; known: {', '.join(ASSIGNMENTS)}") from None
