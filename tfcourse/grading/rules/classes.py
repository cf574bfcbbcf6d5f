"""Plain ladders: classification accuracy, and the mean absolute error of a regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfcourse.grading.rules.base import Measure


@dataclass(frozen=True)
class Accuracy(Measure):
    """The share of examples whose class is right: argmax, or for one unit a probability above 0.5
    (or a logit above 0). A binary classifier may use one output unit or two."""

    name = "accuracy"

    def accepted_output_units(self, spec) -> tuple[int, ...]:
        return (1, 2) if spec.output_units == 1 else (spec.output_units,)

    def value(self, spec, predictions: np.ndarray, y: np.ndarray) -> float:
        from tfcourse.grading.models import predicted_classes

        return float(np.mean(predicted_classes(predictions) == y.astype(int)))


@dataclass(frozen=True)
class MeanAbsoluteError(Measure):
    """The mean absolute error of a one-unit regression (lower is better)."""

    name = "mean absolute error"
    higher_is_better = False

    def value(self, spec, predictions: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(np.abs(predictions[:, 0] - y)))
