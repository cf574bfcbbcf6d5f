"""The grading entry points: what a notebook's test cell and the ``check`` command call."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

from tfcourse.grading.result import GradeResult
from tfcourse.grading.specs import AssignmentSpec, get_assignment

EVALUATOR_TIMEOUT_ENV = "TFCOURSE_EVALUATOR_TIMEOUT"
DEFAULT_EVALUATOR_TIMEOUT_S = 180


class GradingFailed(AssertionError):
    """Raised by :func:`grade_model` when a model earns no points, so the test cell fails visibly."""


def history_filename(spec: AssignmentSpec) -> str:
    """Where the training history is saved next to the model."""
    return f"{spec.assignment_id}_history.json"


def _history_dict(history) -> dict | None:
    """The JSON-ready part of a Keras ``History`` (or an equivalent dict)."""
    if history is None:
        return None
    if isinstance(history, dict):
        return {"history": history.get("history", history), "params": history.get("params", {})}
    values = {key: [float(v) for v in series] for key, series in getattr(history, "history", {}).items()}
    params = {key: value for key, value in (getattr(history, "params", None) or {}).items()
              if isinstance(value, (int, float, str))}
    return {"history": values, "params": params}


def save_for_grading(spec: AssignmentSpec, model, history, directory: Path) -> Path:
    """Save the model (``.keras``) and its training history next to the notebook, quietly."""
    model_path = directory / spec.model_filename
    # Keras can warn while saving; a graded cell must write nothing to stderr.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        model.save(model_path)
    history_path = directory / history_filename(spec)
    record = _history_dict(history)
    if record is None:
        history_path.unlink(missing_ok=True)
    else:
        history_path.write_text(json.dumps(record, indent=1) + "\n")
    return model_path


def evaluate_saved_model(assignment_id: str, model_path: Path, *, history_path: Path | None = None,
                         timeout_s: float | None = None) -> GradeResult:
    """Score a saved ``.keras`` model in a separate Python process and return its result.

    The learner's kernel never evaluates its own model: the evaluator re-loads the file with
    Keras' safe mode in a fresh interpreter. Crashes and timeouts become a 0 with a reason.
    """
    spec = get_assignment(assignment_id)
    timeout_s = timeout_s or float(os.environ.get(EVALUATOR_TIMEOUT_ENV, DEFAULT_EVALUATOR_TIMEOUT_S))
    command = [sys.executable, "-m", "tfcourse.grading.evaluator", spec.assignment_id, str(model_path)]
    if history_path is not None:
        command += ["--history", str(history_path)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}

    def failed(reason: str) -> GradeResult:
        return GradeResult(spec.assignment_id, spec.title, "not evaluated", possible=spec.possible, error=reason)

    try:
        # stderr is captured, never passed through: TensorFlow writes notices there at import.
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        return failed(f"evaluation took longer than {timeout_s:g} s")
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        errors = [line for line in completed.stderr.strip().splitlines() if line.strip()]
        return failed(f"evaluator crashed (exit {completed.returncode}): {errors[-1] if errors else 'no output'}")
    try:
        return GradeResult.from_dict(json.loads(lines[-1]))
    except (ValueError, TypeError) as error:
        return failed(f"evaluator printed no result: {error}")


def grade_model(assignment_id: str, model, history=None, *, directory: str | os.PathLike | None = None) -> GradeResult:
    """Save ``model``, grade it outside this kernel, print the report and return the result.

    Call it from an assignment's test cell::

        result = grade_model("C1W3", model, history)
        result.score

    The last line hands nbgrader the (partial) points. When the model earns nothing, the
    report is printed and :class:`GradingFailed` is raised so the cell fails.
    """
    spec = get_assignment(assignment_id)
    directory = Path(directory) if directory is not None else Path.cwd()
    model_path = save_for_grading(spec, model, history, directory)
    history_path = directory / history_filename(spec)
    result = evaluate_saved_model(spec.assignment_id, model_path,
                                  history_path=history_path if history_path.exists() else None)
    print(result.summary())
    if result.score <= 0:
        raise GradingFailed(f"{spec.assignment_id}: no points; see the report above")
    return result
