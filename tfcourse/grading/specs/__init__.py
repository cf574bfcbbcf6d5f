"""Every graded assignment, one module per course; look one up with :func:`get_assignment`."""

from __future__ import annotations

from tfcourse.errors import UnknownName
from tfcourse.grading.specs import course1, course2, course3, course4
from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, Rung

ASSIGNMENTS: dict[str, AssignmentSpec] = {spec.assignment_id: spec
                                          for spec in (*course1.ASSIGNMENTS, *course2.ASSIGNMENTS, *course3.ASSIGNMENTS,
                                                       *course4.ASSIGNMENTS)}

__all__ = ["ASSIGNMENTS", "AssignmentSpec", "ExercisePart", "Rung", "get_assignment"]


def get_assignment(assignment_id: str) -> AssignmentSpec:
    """Look up an assignment by id (``C1W3``) or folder name (``C1W3_convolutions``)."""
    key = assignment_id.split("_", 1)[0].upper()
    try:
        return ASSIGNMENTS[key]
    except KeyError:
        raise UnknownName(f"unknown assignment {assignment_id!r}; known: {', '.join(ASSIGNMENTS)}") from None
