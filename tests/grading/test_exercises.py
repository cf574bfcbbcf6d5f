"""The exercise registry: an exercise is found by its assignment and cell, as the specs declare it."""

from __future__ import annotations

import pytest

from tfcourse.errors import UnknownName
from tfcourse.grading import ASSIGNMENTS
from tfcourse.grading.exercises import get_exercise


def test_every_declared_exercise_is_found_by_its_assignment_and_cell():
    """Does each (assignment, cell) a spec declares lead back to that spec's own exercise object?"""
    declared = [(spec.assignment_id, part.exercise) for spec in ASSIGNMENTS.values() for part in spec.exercises]
    assert len(declared) >= 9  # C1W2's callback, C3W1's three, C3W4's pairs, C4W1's four
    for assignment_id, exercise in declared:
        assert get_exercise(assignment_id, exercise.cell) is exercise


def test_a_cell_of_another_assignment_is_not_an_exercise_here():
    """A cell id that is an exercise in C1W2 is refused for C3W1, with the cells C3W1 does have."""
    with pytest.raises(UnknownName, match="C3W1 has no exercise in cell 'stop_at_accuracy'.*remove_stopwords"):
        get_exercise("C3W1", "stop_at_accuracy")
