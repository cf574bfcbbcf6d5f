"""The gap rule (C2W2, C3W3): points for a model that does about as well on held-out data as on its own
training split, both measured by the grader."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfcourse.grading.result import CheckResult
from tfcourse.grading.rules.base import Evidence, ModelRule


def cross_entropy(predictions: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the true classes: one unit is a probability (or a logit, when outside [0, 1]),
    several units are probabilities (or logits, when rows do not sum to 1)."""
    from tfcourse.grading.models import are_probabilities

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


@dataclass(frozen=True)
class GapRule(ModelRule):
    """Points for generalizing: the model does about as well on the evaluation data as on its own
    training split, both measured by the scorer.

    ``on="accuracy"``: training accuracy minus evaluation accuracy is at most ``max_gap``.
    ``on="loss"``: evaluation cross-entropy minus training cross-entropy is at most ``max_gap``
    (the original C3W3's "validation loss must not rise", measured on held-out data).

    Earned only when the evaluation accuracy also reaches the ladder's lowest rung, so a model that
    learned nothing (and so has no gap) gets nothing for it; and, with ``min_training``, only when the
    model knows its training split that well (accuracy gap only): a model that never learned from those
    examples (trained on other data, or a lookup of other examples) has no gap with them either.
    """

    max_gap: float
    points: float
    on: str = "accuracy"  # or "loss"
    min_training: float = 0.0

    @property
    def name(self) -> str:
        return "generalization gap" if self.on == "accuracy" else "loss gap"

    def gap_measure(self, spec, predictions: np.ndarray, y: np.ndarray) -> float:
        """What the rule compares on one split: accuracy or cross-entropy (ModelRejected: unusable predictions)."""
        checked = spec.measure.validate(spec, predictions, len(y))
        return cross_entropy(checked, y) if self.on == "loss" else spec.measure.value(spec, checked, y)

    def measured(self, evidence: Evidence) -> tuple[float | None, float | None]:
        """The rule's measure on the training split and on the evaluation data (None where the model
        could not be scored)."""
        from tfcourse.grading.heldout import training_data
        from tfcourse.grading.models import ModelRejected

        spec = evidence.spec
        training = training_data(spec)
        try:
            training_predictions, _ = evidence.evaluate(training, False)
            on_training = self.gap_measure(spec, training_predictions, training.y)
        except ModelRejected:
            on_training = None
        try:
            on_data = self.gap_measure(spec, evidence.predictions, evidence.data.y)
        except ModelRejected:
            on_data = None
        return on_training, on_data

    def judge(self, evidence: Evidence) -> CheckResult:
        training, evaluation = self.measured(evidence)
        return self.gap_check(evidence.spec, training, evaluation, accuracy=evidence.value)

    def rejected(self, spec) -> CheckResult:
        return self.gap_check(spec, None, None)

    def gap_check(self, spec, training_value: float | None, value: float | None,
                  accuracy: float | None = None) -> CheckResult:
        """The check between the training split and the evaluation data: accuracy (training minus evaluation)
        or loss (evaluation minus training).

        ``None`` for either value means the model could not be scored: 0 points. ``accuracy`` is the
        evaluation accuracy the ladder saw (for an accuracy gap, ``value`` itself).
        """
        if training_value is None or value is None:
            return CheckResult(self.name, 0.0, self.points, "not measured: the model could not be scored",
                               cell=spec.model_cell)
        accuracy = value if accuracy is None and self.on == "accuracy" else accuracy
        if self.on == "loss":
            gap = value - training_value
            detail = f"{gap:+.4f} (held-out or validation loss {value:.4f}, training split {training_value:.4f})"
        else:
            gap = training_value - value
            detail = f"{gap:+.4f} (training split {training_value:.4f}, evaluation {value:.4f})"
        lowest = spec.ladder[-1].threshold
        if accuracy is None or accuracy < lowest:
            return CheckResult(self.name, 0.0, self.points, f"{detail}; needs accuracy >= {lowest:g} first",
                               cell=spec.model_cell, value=gap)
        if self.on == "accuracy" and training_value < self.min_training:
            return CheckResult(self.name, 0.0, self.points, f"{detail}; the model does not know its own training "
                               f"photos: the gap counts from a training-split accuracy of {self.min_training:g} (a "
                               f"model that never learned from them has no gap with them either)",
                               cell=spec.model_cell, value=gap)
        if gap > self.max_gap:
            return CheckResult(self.name, 0.0, self.points, f"{detail}; overfitting: needs a gap <= {self.max_gap:g}",
                               cell=spec.model_cell, value=gap)
        return CheckResult(self.name, self.points, self.points, f"{detail} (<= {self.max_gap:g})",
                           cell=spec.model_cell, value=gap)

    def described(self, spec) -> str:
        lowest = spec.measure.written(spec.ladder[-1].threshold)
        if self.on == "loss":
            return (f"**loss gap** (held-out cross-entropy minus cross-entropy on the training split): "
                    f"{self.points:g} points for at most {self.max_gap:g}, once the {spec.measure.name} "
                    f"reaches {lowest}")
        floor = (f" and the model gets at least {self.min_training:.0%} of its training split right"
                 if self.min_training else "")
        return (f"**gap** (accuracy on the training split minus accuracy on held-out data): "
                f"{self.points:g} points for at most {self.max_gap:g}, once the accuracy reaches {lowest}{floor}")

    def table_cell(self, spec) -> str:
        label = "loss gap" if self.on == "loss" else "gap"
        floor = f" and a training-split accuracy >= {self.min_training:g}" if self.min_training else ""
        return (f"{label} <= {self.max_gap:g} → {self.points:g} (only with {spec.measure.name} >= "
                f"{spec.measure.written(spec.ladder[-1].threshold)}{floor})")
