"""The model's test cell, judged: one path for the grader's scorer and the learner's self-check.

Both hand :func:`judge_model_part` an ``evaluate`` function that loads the saved model and returns its
predictions on a set of examples with its :class:`~tfcourse.grading.findings.ModelFindings`: the scorer's
runs in the sandboxed model worker, the self-check's in the notebook. Everything after that (the metric,
the ladder, the gap, frozen-base and forecast rules, the report lines) is the same code. A model that
cannot be loaded or scored raises :class:`~tfcourse.grading.models.ModelRejected`, which becomes the
cell's reason here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tfcourse.grading.findings import ModelFindings
from tfcourse.grading.heldout import EvaluationData, training_data
from tfcourse.grading.metrics import (
    BaseFinding,
    frozen_base_check,
    gap_check,
    gap_measure,
    measure,
    model_part_checks,
    naive_error,
    rejected_model_check,
    with_generated_text,
)
from tfcourse.grading.models import ModelRejected
from tfcourse.grading.result import CheckResult
from tfcourse.grading.specs import AssignmentSpec

# (examples, whether the rules' findings are wanted) -> (predictions, findings); raises ModelRejected.
Evaluate = Callable[[EvaluationData, bool], tuple[np.ndarray, ModelFindings]]


def rejected_model_part(spec: AssignmentSpec, reason: str) -> list[CheckResult]:
    """The cell's checks for a model that could not be scored: 0 for each, with the reason."""
    checks = [rejected_model_check(spec, reason)]
    if spec.gap is not None:
        checks.append(gap_check(spec, None, None))
    if spec.frozen_base is not None:
        checks.append(frozen_base_check(spec, None, None))
    return checks


def measured_gap(spec: AssignmentSpec, evaluate: Evaluate, predictions: np.ndarray,
                 data: EvaluationData) -> tuple[float | None, float | None]:
    """What the gap rule compares: its measure on the training split and on ``data`` (None where the
    model could not be scored)."""
    training = training_data(spec)
    try:
        training_predictions, _ = evaluate(training, False)
        on_training = gap_measure(spec, training_predictions, training.y)
    except ModelRejected:
        on_training = None
    try:
        on_data = gap_measure(spec, predictions, data.y)
    except ModelRejected:
        on_data = None
    return on_training, on_data


def judge_model_part(spec: AssignmentSpec, evaluate: Evaluate, data: EvaluationData,
                     published_base: Callable[[], str]) -> list[CheckResult]:
    """The checks of the model's test cell on ``data``: the ladder, and the spec's gap, frozen-base and
    forecast rules; ``published_base`` gives the digest a frozen base must have."""
    try:
        predictions, findings = evaluate(data, True)
    except ModelRejected as rejection:
        return rejected_model_part(spec, str(rejection))
    try:
        value = measure(spec, predictions, data.y)
    except ModelRejected as rejection:
        return with_generated_text(spec, rejected_model_part(spec, str(rejection)), findings.generated)
    gap = measured_gap(spec, evaluate, predictions, data) if spec.gap is not None else None
    base = (BaseFinding(findings.base_digest, published_base(), findings.agreement_without_base)
            if spec.frozen_base is not None else None)
    checks = model_part_checks(spec, value, gap, base, naive_error(spec, data.x, len(data.y)))
    return with_generated_text(spec, checks, findings.generated)
