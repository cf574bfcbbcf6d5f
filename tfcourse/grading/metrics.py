"""Points from predictions: the metric, the ladder and the report line.

Runs in the grader's own process on plain arrays handed back by the sandbox, so nothing a model
or a notebook does can change how its predictions are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tfcourse.grading.models import ModelRejected, are_probabilities, predicted_classes
from tfcourse.grading.result import CheckResult
from tfcourse.grading.specs import AssignmentSpec


def validate_predictions(spec: AssignmentSpec, predictions: np.ndarray, examples: int) -> np.ndarray:
    """Refuse predictions of the wrong type, shape or with NaN/infinite values."""
    if spec.metric == "top_k":
        return validate_top_words(spec, predictions, examples)
    if not isinstance(predictions, np.ndarray) or predictions.dtype.kind not in "fiu":
        raise ModelRejected("the model's predictions are not numbers")
    if predictions.ndim != 2 or predictions.shape[0] != examples or predictions.shape[1] not in spec.accepted_output_units:
        raise ModelRejected(f"model outputs shape {predictions.shape[1:]}, expected ({spec.output_units},)")
    if not np.all(np.isfinite(predictions)):
        raise ModelRejected("model predicts NaN or infinite values")
    return predictions.astype(np.float64)


def validate_top_words(spec: AssignmentSpec, predictions: np.ndarray, examples: int) -> np.ndarray:
    """Refuse anything but ``top_k`` words (strings) per example, as the model worker reads them off the model."""
    if not isinstance(predictions, np.ndarray) or predictions.dtype.kind != "U":
        raise ModelRejected("the model's predictions are not words")
    if predictions.shape != (examples, spec.top_k):
        raise ModelRejected(f"expected the model's {spec.top_k} most probable words for each of {examples:,} "
                            f"contexts, got an array of shape {predictions.shape}")
    return predictions


def metric_value(spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
    """Accuracy (class = argmax, or probability/logit threshold for one unit), mean absolute error, or top-k
    accuracy (the share of targets among the model's k most probable words)."""
    if spec.metric == "top_k":
        return float(np.mean(np.any(predictions == np.asarray(y, dtype=str)[:, np.newaxis], axis=1)))
    if spec.metric == "mae":
        return float(np.mean(np.abs(predictions[:, 0] - y)))
    return float(np.mean(predicted_classes(predictions) == y.astype(int)))


def ladder_verdict(spec: AssignmentSpec, rung, shown=lambda threshold: f"{threshold:g}") -> str:
    """What reaching ``rung`` (None: no rung) means, with the next threshold written by ``shown``."""
    relation = ">=" if spec.higher_is_better else "<="
    if rung is spec.ladder[0]:
        return "full credit"
    if rung is not None:
        return f"partial credit; full credit needs {relation} {shown(spec.ladder[0].threshold)}"
    credit = "for partial credit" if len(spec.ladder) > 1 else "for its points"
    return (f"below every threshold; needs {relation} {shown(spec.ladder[-1].threshold)} {credit}; "
            f"the grader feeds {spec.input_note}")


def metric_check(spec: AssignmentSpec, value: float) -> CheckResult:
    """Points for the metric on evaluation data, with the threshold in the message."""
    points, rung = spec.points_for(value)
    return CheckResult(spec.metric_name, points, spec.model_points, f"{value:.4f} ({ladder_verdict(spec, rung)})",
                       cell=spec.model_cell, value=value)


def cross_entropy(predictions: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the true classes: one unit is a probability (or a logit, when outside [0, 1]),
    several units are probabilities (or logits, when rows do not sum to 1)."""
    labels = y.astype(int)
    if predictions.shape[1] == 1:
        scores = predictions[:, 0]
        probability = scores if are_probabilities(scores) else 1.0 / (1.0 + np.exp(-scores))
        probability = np.where(labels == 1, probability, 1.0 - probability)
    else:
        rows = predictions
        if not (rows.min() >= 0.0 and np.allclose(rows.sum(axis=1), 1.0, atol=1e-3)):
            rows = np.exp(rows - rows.max(axis=1, keepdims=True))
            rows = rows / rows.sum(axis=1, keepdims=True)
        probability = rows[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(probability, 1e-7, 1.0))))


def gap_measure(spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
    """What the gap rule compares on one split: accuracy or cross-entropy (ModelRejected: unusable predictions)."""
    checked = validate_predictions(spec, predictions, len(y))
    return cross_entropy(checked, y) if spec.gap.on == "loss" else metric_value(spec, checked, y)


def measure(spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
    """The metric of raw predictions (ModelRejected, with the reason, when they are unusable)."""
    return metric_value(spec, validate_predictions(spec, predictions, len(y)), y)


@dataclass(frozen=True)
class BaseFinding:
    """The pre-trained base found in a model: its weights digest (None: no such layer), the published one,
    and the share of predicted classes that stay the same with the base's weights zeroed."""

    found: str | None
    published: str
    agreement_without_base: float | None = None

    @property
    def intact(self) -> bool:
        return self.found == self.published

    def used(self, rule) -> bool:
        """True when switching the base off changes enough predictions: it feeds the model's answers."""
        return self.agreement_without_base is not None and self.agreement_without_base <= rule.max_agreement_without_base


def model_part_checks(spec: AssignmentSpec, value: float, gap: tuple | None = None,
                      base: BaseFinding | None = None, naive: float | None = None) -> list[CheckResult]:
    """The checks of the model's test cell for a measured ``value``: the ladder; under a gap rule, the gap
    between ``gap = (on training split, on evaluation data)`` (each a measure, or None where the model could
    not be scored); under a frozen-base rule, whether ``base`` is the published one, without which the
    ladder does not count; under a forecast rule, whether ``value`` beats ``naive`` (the naive forecast's
    error on the same steps). A model that could not be scored at all gets
    :func:`tfcourse.grading.model_part.rejected_model_part` instead."""
    if spec.forecast is not None:
        checks = [forecast_check(spec, value, naive)]
    elif spec.frozen_base is not None and not (base is not None and base.intact and base.used(spec.frozen_base)):
        checks = [uncounted_metric_check(spec, value, "the model's predictions do not come from the published "
                                                      "pre-trained base, frozen")]
    else:
        checks = [metric_check(spec, value)]
    if spec.gap is not None:
        training, evaluation = gap if gap is not None else (None, None)
        checks.append(gap_check(spec, training, evaluation, accuracy=value))
    if spec.frozen_base is not None:
        checks.append(frozen_base_check(spec, value, base))
    return checks


def naive_error(spec: AssignmentSpec, series: np.ndarray, steps: int) -> float | None:
    """A forecaster's yardstick: the naive forecast's mean absolute error on the last ``steps`` values of ``series``."""
    from tfcourse.series import naive_forecast_mae

    return naive_forecast_mae(series, len(series) - steps) if spec.forecast is not None and steps else None


def forecast_check(spec: AssignmentSpec, value: float, naive: float | None) -> CheckResult:
    """The ladder on a forecaster's error as a share of the naive forecast's on the same steps.

    Both errors rise and fall with how noisy the evaluated stretch happens to be, so their ratio
    holds steady where the raw error would move with the noise the held-out seed drew.
    """
    if naive is None or not naive > 0:
        return uncounted_metric_check(spec, value, "the naive forecast could not be measured")
    share = value / naive
    points, rung = spec.points_for(share)
    verdict = ladder_verdict(spec, rung, lambda threshold: f"{threshold:.0%} of the naive forecast's error")
    detail = f"{value:.4f}, {share:.1%} of the naive forecast's {naive:.4f} ({verdict})"
    return CheckResult(spec.metric_name, points, spec.model_points, detail, cell=spec.model_cell, value=share)


def uncounted_metric_check(spec: AssignmentSpec, value: float, why: str) -> CheckResult:
    """The metric measured but worth nothing, and why."""
    return CheckResult(spec.metric_name, 0.0, spec.model_points,
                       f"{value:.4f} (not counted: {why})", cell=spec.model_cell, value=value)


def frozen_base_check(spec: AssignmentSpec, value: float | None, base: BaseFinding | None) -> CheckResult:
    """The frozen-base rule's check: the base inside the model has exactly the published weights.

    ``value`` None means the model could not be scored; ``base`` None that nothing was looked at.
    """
    rule = spec.frozen_base
    name = "frozen pre-trained base"
    if value is None or base is None:
        return CheckResult(name, 0.0, rule.points, "not checked: the model could not be scored", cell=spec.model_cell)
    if base.found is None:
        return CheckResult(name, 0.0, rule.points, f"the model has no layer named {rule.layer_name!r}: build it on "
                           f"tfcourse.pretrained.load_base()", cell=spec.model_cell)
    if not base.intact:
        return CheckResult(name, 0.0, rule.points, "the base's weights differ from the published pre-trained base: "
                           "it was trained (set base.trainable = False before compiling) or replaced",
                           cell=spec.model_cell)
    if not base.used(rule):
        share = "?" if base.agreement_without_base is None else f"{base.agreement_without_base:.0%}"
        return CheckResult(name, 0.0, rule.points, f"the base does not feed the model's predictions: with its "
                           f"weights zeroed, {share} of them stay the same (at most "
                           f"{rule.max_agreement_without_base:.0%} may)", cell=spec.model_cell)
    if value < spec.ladder[-1].threshold:
        return CheckResult(name, 0.0, rule.points, f"weights identical to the published base, but the accuracy "
                           f"needs >= {spec.ladder[-1].threshold:g} first", cell=spec.model_cell)
    return CheckResult(name, rule.points, rule.points, "weights identical to the published base (frozen)",
                       cell=spec.model_cell)


def with_generated_text(spec: AssignmentSpec, checks: list[CheckResult], generated: str | None) -> list[CheckResult]:
    """The checks, with the text the model wrote after the spec's seed text added to the metric's line."""
    if not generated or not checks or checks[0].cell != spec.model_cell:
        return checks
    first = checks[0]
    detail = f"{first.detail}; after \"{spec.seed_text}\" it writes: \"{generated}\""
    return [replace(first, detail=detail), *checks[1:]]


def model_check(spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> CheckResult:
    """The ladder's check from raw predictions; unusable predictions are a 0 with the reason."""
    try:
        return model_part_checks(spec, measure(spec, predictions, y))[0]
    except ModelRejected as rejection:
        return rejected_model_check(spec, str(rejection))


def rejected_model_check(spec: AssignmentSpec, reason: str) -> CheckResult:
    """A model that could not be scored: 0 points, and why."""
    return CheckResult("model", 0.0, spec.model_points, reason, cell=spec.model_cell)


def gap_check(spec: AssignmentSpec, training_value: float | None, value: float | None,
              accuracy: float | None = None) -> CheckResult:
    """The gap rule's check between the training split and the evaluation data, both measured here:
    accuracy (training minus evaluation) or loss (evaluation minus training), as the rule says.

    ``None`` for either value means the model could not be scored: 0 points. ``accuracy`` is the
    evaluation accuracy the ladder saw (for an accuracy gap, ``value`` itself).
    """
    rule = spec.gap
    name = "generalization gap" if rule.on == "accuracy" else "loss gap"
    if training_value is None or value is None:
        return CheckResult(name, 0.0, rule.points, "not measured: the model could not be scored", cell=spec.model_cell)
    accuracy = value if accuracy is None and rule.on == "accuracy" else accuracy
    if rule.on == "loss":
        gap = value - training_value
        detail = f"{gap:+.4f} (held-out or validation loss {value:.4f}, training split {training_value:.4f})"
    else:
        gap = training_value - value
        detail = f"{gap:+.4f} (training split {training_value:.4f}, evaluation {value:.4f})"
    if accuracy is None or accuracy < spec.ladder[-1].threshold:
        return CheckResult(name, 0.0, rule.points, f"{detail}; needs accuracy >= {spec.ladder[-1].threshold:g} first",
                           cell=spec.model_cell, value=gap)
    if rule.on == "accuracy" and training_value < rule.min_training:
        return CheckResult(name, 0.0, rule.points, f"{detail}; the model does not know its own training photos: the "
                           f"gap counts from a training-split accuracy of {rule.min_training:g} (a model that never "
                           f"learned from them has no gap with them either)", cell=spec.model_cell, value=gap)
    if gap > rule.max_gap:
        return CheckResult(name, 0.0, rule.points, f"{detail}; overfitting: needs a gap <= {rule.max_gap:g}",
                           cell=spec.model_cell, value=gap)
    return CheckResult(name, rule.points, rule.points, f"{detail} (<= {rule.max_gap:g})", cell=spec.model_cell,
                       value=gap)
