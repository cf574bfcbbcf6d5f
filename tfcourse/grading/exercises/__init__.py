"""Function exercises: the grader calls the learner's code on inputs it chooses, then judges the answers.

One module per kind of exercise, each built on :mod:`~tfcourse.grading.exercises.base`:

- :mod:`~tfcourse.grading.exercises.callback`: C1W2's training callback;
- :mod:`~tfcourse.grading.exercises.text`: C3W1's text preparation, C3W4's next-word pairs;
- :mod:`~tfcourse.grading.exercises.series`: C4W1's forecasts and their errors.

An assignment's spec lists its exercises (``AssignmentSpec.exercises``), which is where the grader and
the sandboxed exercise worker look one up, by assignment and cell.
"""

from __future__ import annotations

from tfcourse.grading.exercises.base import PUBLIC_SEED, Exercise, call_each, learner_function

__all__ = ["PUBLIC_SEED", "Exercise", "call_each", "get_exercise", "learner_function"]


def get_exercise(assignment_id: str, cell: str) -> Exercise:
    """The exercise that assignment ``assignment_id`` defines in its solution cell ``cell``."""
    from tfcourse.errors import UnknownName
    from tfcourse.grading.specs import get_assignment

    spec = get_assignment(assignment_id)
    for part in spec.exercises:
        if part.exercise.cell == cell:
            return part.exercise
    known = ", ".join(part.exercise.cell for part in spec.exercises) or "none"
    raise UnknownName(f"{spec.assignment_id} has no exercise in cell {cell!r} (its exercise cells: {known})")
