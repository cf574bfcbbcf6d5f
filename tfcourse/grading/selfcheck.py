"""What a notebook's graded test cells call: save the artifact the grader scores, and show a self-check.

Nothing here decides points. When the instructor grades, the scorer reads the saved files after
the notebook's kernel has exited and scores them on held-out data in its own process; what these
functions print or return is only the learner's self-check on the public validation split, and
every report says so.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

from tfcourse.grading.exercises import PUBLIC_SEED
from tfcourse.grading.heldout import EvaluationData, validation_data
from tfcourse.grading.model_part import find_on_model, judge_model_part
from tfcourse.grading.models import load_model_safely, predict
from tfcourse.grading.result import GradeResult
from tfcourse.grading.specs import get_assignment

BANNER = "SELF-CHECK (not your grade: your instructor scores the saved file on held-out data)"


def _quietly(action):
    """Run ``action`` with warnings and stderr swallowed: a graded cell must write nothing to stderr."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return action()


def save_for_grading(assignment_id: str, model, *, directory: str | os.PathLike | None = None) -> GradeResult:
    """Save ``model`` as ``<id>_model.keras`` next to the notebook and print a self-check of the saved file.

    Call it from an assignment's test cell::

        save_for_grading("C1W3", model)

    The self-check reloads the file with Keras' safe mode, as the grader does, and scores it on
    the validation split; it returns that :class:`GradeResult` for the learner's own use.
    """
    spec = get_assignment(assignment_id)
    path = Path(directory) if directory is not None else Path.cwd()
    model_path = path / spec.model_filename
    _quietly(lambda: model.save(model_path))
    data = validation_data(spec)
    loaded = []  # the model, reloaded from its file on first use, as the grader loads it

    def evaluate(examples: EvaluationData, findings: bool) -> tuple:
        if not loaded:
            loaded.append(_quietly(lambda: load_model_safely(model_path)))
        x = spec.prepare(examples.x)
        predictions = _quietly(lambda: predict(loaded[0], spec, x, steps=len(examples.y)))
        found = _quietly(lambda: find_on_model(loaded[0], spec, x, predictions)) if findings else {}
        return predictions, found

    def published_base() -> str:
        from tfcourse.pretrained import published_weights_digest

        return _quietly(published_weights_digest)

    checks = judge_model_part(spec, evaluate, data, published_base)
    result = GradeResult(spec.assignment_id, spec.title, data.label, tuple(checks), spec.model_cell_points)
    print(f"{BANNER}\nSaved {model_path.name}.\n{result.summary()}")
    return result


def check_exercise(assignment_id: str, solution) -> GradeResult:
    """Try the class or function ``solution`` on the exercise's public inputs and print a self-check.

    With several exercises in an assignment, the one whose name is ``solution.__name__`` is tried.

    The grader runs the same check on inputs drawn at grading time, taking ``solution`` from its
    cell in the saved notebook, never from this session.
    """
    spec = get_assignment(assignment_id)
    parts = [part for part in spec.exercises if part.exercise.name == getattr(solution, "__name__", None)]
    checks = []
    for part in parts or spec.exercises[:1]:
        exercise = part.exercise
        inputs = exercise.inputs(PUBLIC_SEED, spec.assignment_id)
        answers = _quietly(lambda: exercise.drive({exercise.name: solution}, inputs))
        checks.append(exercise.check(inputs, answers, part.points, part.test_cell))
    result = GradeResult(spec.assignment_id, spec.title, "self-check on the grader's public example runs",
                         tuple(checks), sum(check.possible for check in checks))
    print(f"{BANNER}\n{result.summary()}")
    return result
