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
from tfcourse.grading.heldout import training_data, validation_data
from tfcourse.grading.metrics import (
    BaseFinding,
    gap_measure,
    generated_words,
    measured_value,
    model_part_checks,
    naive_error,
    with_generated_text,
)
from tfcourse.grading.models import ModelRejected, base_findings, generate_text, load_model_safely, predict
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
    gap = base = generated = None
    try:
        model = _quietly(lambda: load_model_safely(model_path))
        predictions = _quietly(lambda: predict(model, spec, spec.prepare(data.x), steps=len(data.y)))
        value = measured_value(spec, predictions, data.y)
        if spec.gap is not None and not isinstance(value, str):
            training = training_data(spec)
            training_predictions = _quietly(lambda: predict(model, spec, spec.prepare(training.x)))
            gap = (gap_measure(spec, training_predictions, training.y), gap_measure(spec, predictions, data.y))
        if spec.frozen_base is not None:
            from tfcourse.pretrained import published_weights_digest

            findings = _quietly(lambda: base_findings(model, spec, spec.prepare(data.x), predictions))
            base = BaseFinding(findings["base_digest"], _quietly(published_weights_digest),
                               findings["agreement_without_base"])
        if spec.seed_text and not isinstance(value, str):
            generated = generated_words(_quietly(lambda: generate_text(model, spec)))
    except ModelRejected as rejection:
        value = str(rejection)
    naive = naive_error(spec, data.x, len(data.y))
    checks = with_generated_text(spec, model_part_checks(spec, value, gap, base, naive), generated)
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
