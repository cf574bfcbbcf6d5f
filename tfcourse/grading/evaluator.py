"""The out-of-kernel evaluator: loads a saved model safely and scores it on evaluation data.

Run as ``python -m tfcourse.grading.evaluator ASSIGNMENT MODEL [--history FILE]``; it prints
one JSON :class:`GradeResult` on stdout. It never trusts the learner's process: the model is
read back from its ``.keras`` file with Keras' safe mode, in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

from tfcourse.grading.heldout import EvaluationData, HeldoutError, evaluation_data
from tfcourse.grading.result import CheckResult, GradeResult
from tfcourse.grading.specs import AssignmentSpec, EpochCheck, get_assignment

MAX_MODEL_BYTES = 200 * 1024 * 1024


class ModelRejected(ValueError):
    """The model file cannot be graded; the message is the one-line reason."""


def load_model_safely(path: Path):
    """Load a ``.keras`` file with safe mode on (no arbitrary code from lambdas or pickles)."""
    path = Path(path)
    if not path.is_file():
        raise ModelRejected(f"model file {path.name} not found: the notebook never saved a model")
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise ModelRejected(f"model file {path.name} is larger than {MAX_MODEL_BYTES // 2**20} MiB")
    if not zipfile.is_zipfile(path):
        raise ModelRejected(f"{path.name} is not a Keras 3 .keras file (save with model.save('...keras'))")
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # any load failure is the submission's, reported in one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelRejected(f"model file {path.name} could not be loaded safely: {reason[:300]}") from None


def fit_input(model, spec: AssignmentSpec, x: np.ndarray) -> np.ndarray:
    """Reshape the grader's examples to the model's input shape when only a unit axis differs."""
    expected = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if expected is None:
        raise ModelRejected("model has several inputs; this assignment needs exactly one")
    if expected == tuple(x.shape[1:]):
        return x
    known = [dim for dim in expected if dim is not None]
    if None not in expected and math.prod(known) == math.prod(x.shape[1:]):
        return x.reshape((len(x), *expected))
    raise ModelRejected(f"model expects input shape {expected}, but graded examples have shape "
                        f"{spec.input_shape} ({spec.input_note})")


def predict(model, spec: AssignmentSpec, x: np.ndarray) -> np.ndarray:
    """Predictions as a 2-D array, after checking the output shape and that every value is finite."""
    output_shape = model.output_shape
    if isinstance(output_shape, list) or output_shape[-1] not in spec.accepted_output_units:
        raise ModelRejected(f"model outputs shape {tuple(output_shape[1:])}, expected ({spec.output_units},)")
    predictions = np.asarray(model.predict(fit_input(model, spec, x), batch_size=256, verbose=0))
    predictions = predictions.reshape(len(x), -1)
    if not np.all(np.isfinite(predictions)):
        raise ModelRejected("model predicts NaN or infinite values")
    return predictions


def metric_value(spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
    """Accuracy (class = argmax, or probability/logit threshold for one unit) or mean absolute error."""
    if spec.metric == "mae":
        return float(np.mean(np.abs(predictions[:, 0] - y)))
    if predictions.shape[1] == 1:
        scores = predictions[:, 0]
        is_probability = scores.min() >= 0.0 and scores.max() <= 1.0
        classes = (scores > (0.5 if is_probability else 0.0)).astype(int)
    else:
        classes = predictions.argmax(axis=1)
    return float(np.mean(classes == y.astype(int)))


def metric_check(spec: AssignmentSpec, value: float) -> CheckResult:
    """Points for the metric on evaluation data, with the threshold in the message."""
    points, rung = spec.points_for(value)
    top = spec.ladder[0]
    relation = ">=" if spec.metric == "accuracy" else "<="
    name = "accuracy" if spec.metric == "accuracy" else "mean absolute error"
    if rung is top:
        verdict = "full credit"
    elif rung is not None:
        verdict = f"partial credit; full credit needs {relation} {top.threshold:g}"
    else:
        verdict = f"below every threshold; needs {relation} {spec.ladder[-1].threshold:g} for partial credit"
    return CheckResult(name, points, top.points, f"{value:.4f} ({verdict})")


def epoch_check(check: EpochCheck, history: dict | None) -> CheckResult:
    """Points for how training went: at most ``max_epochs``, and stopped by a callback when required."""
    name = "stopped by callback" if check.stop_at_accuracy is not None else "training length"
    if not history or not history.get("history", {}).get("loss"):
        return CheckResult(name, 0.0, check.points, "no training history (pass the History that model.fit returned)")
    epochs_run = len(history["history"]["loss"])
    trained = f"{epochs_run} epoch{'s' if epochs_run != 1 else ''}"
    if epochs_run > check.max_epochs:
        return CheckResult(name, 0.0, check.points, f"trained {trained}; at most {check.max_epochs} allowed")
    if check.stop_at_accuracy is None:
        return CheckResult(name, check.points, check.points, f"trained {trained} (at most {check.max_epochs})")
    accuracy = history["history"].get("accuracy")
    if not accuracy:
        return CheckResult(name, 0.0, check.points, "history has no 'accuracy' (compile with metrics=['accuracy'])")
    target = check.stop_at_accuracy
    requested = history.get("params", {}).get("epochs")
    if accuracy[-1] < target:
        return CheckResult(name, 0.0, check.points,
                           f"training accuracy reached {accuracy[-1]:.4f} in {trained}, target {target}")
    if any(value >= target for value in accuracy[:-1]) or not requested or epochs_run >= requested:
        return CheckResult(name, 0.0, check.points, f"training was not stopped at the first epoch with accuracy "
                                                    f">= {target} (ran {epochs_run} of {requested} epochs)")
    return CheckResult(name, check.points, check.points,
                       f"stopped after epoch {epochs_run} of {requested} at accuracy {accuracy[-1]:.4f} >= {target}")


def evaluate(spec: AssignmentSpec, model_path: Path, history: dict | None, data: EvaluationData) -> GradeResult:
    """Grade one saved model; every failure becomes a 0 with a one-line reason."""
    base = dict(assignment=spec.assignment_id, title=spec.title, data_label=data.label, possible=spec.possible)
    try:
        model = load_model_safely(model_path)
        value = metric_value(spec, predict(model, spec, spec.prepare(data.x)), data.y)
    except ModelRejected as error:
        return GradeResult(**base, error=str(error))
    checks = [metric_check(spec, value)]
    if spec.epochs is not None:
        checks.append(epoch_check(spec.epochs, history))
    return GradeResult(**base, checks=tuple(checks))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point of the evaluator process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("assignment")
    parser.add_argument("model", type=Path)
    parser.add_argument("--history", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    spec = get_assignment(args.assignment)
    history = json.loads(args.history.read_text()) if args.history and args.history.is_file() else None
    try:
        data = evaluation_data(spec)
    except HeldoutError as error:
        result = GradeResult(spec.assignment_id, spec.title, "held-out data", possible=spec.possible, error=str(error))
    else:
        result = evaluate(spec, args.model, history, data)
    sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
